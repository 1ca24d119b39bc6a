//! RFC 8785 (JSON Canonicalization Scheme), integers only; the strict parser.

use super::*;
use crate::json::JsonErrorKind;

/// Why a JSON value has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalError {
    /// [`EnvelopeRule::NonInteger`] or [`EnvelopeRule::IntegerRange`].
    pub rule: EnvelopeRule,
    /// Dotted path of the offending number (`form.customer.employees`, `a.0`).
    pub path: String,
}

impl core::fmt::Display for CanonicalError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} (at {})", self.rule.message_en(), self.path)
    }
}

impl std::error::Error for CanonicalError {}

/// The RFC 8785 canonical UTF-8 bytes of `value`.
///
/// Objects have their members sorted by the UTF-16 code units of their names, no whitespace is
/// written, strings are escaped as ECMAScript's `JSON.stringify` does (`\"`, `\\`, `\b`, `\f`,
/// `\n`, `\r`, `\t`, other controls as `\u00xx` in lower case, everything else verbatim).
/// Numbers must be integers within ±(2^53−1) (then RFC 8785's number form is the plain decimal
/// integer); any other number is refused, so the result never depends on floating point.
pub fn canonical_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(8192);
    let mut path = Vec::new();
    write_canonical(value, &mut out, &mut path)?;
    Ok(out)
}

/// One step of the path to a value, kept without allocating (it is only written out when a
/// number is refused).
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

fn joined(path: &[Step<'_>]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => (*k).to_owned(),
            Step::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn write_canonical<'v>(
    value: &'v Value,
    out: &mut Vec<u8>,
    path: &mut Vec<Step<'v>>,
) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let int = if let Some(i) = n.as_i64() {
                Some(i128::from(i))
            } else {
                n.as_u64().map(i128::from)
            };
            match int {
                Some(i) if i.abs() <= i128::from(MAX_SAFE_INTEGER) => {
                    out.extend_from_slice(i.to_string().as_bytes());
                }
                Some(_) => {
                    return Err(CanonicalError {
                        rule: EnvelopeRule::IntegerRange,
                        path: joined(path),
                    })
                }
                None => {
                    return Err(CanonicalError {
                        rule: EnvelopeRule::NonInteger,
                        path: joined(path),
                    })
                }
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                path.push(Step::Index(i));
                write_canonical(item, out, path)?;
                path.pop();
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let utf16 = |a: &str, b: &str| a.encode_utf16().cmp(b.encode_utf16());
            let mut entries: Vec<(&String, &Value)> = members.iter().collect();
            // The map usually iterates in this order already (byte order is code point order,
            // which UTF-16 order only leaves for characters above U+FFFF): sort only if not.
            if !entries.is_sorted_by(|a, b| utf16(a.0, b.0).is_le()) {
                crate::sorting::sort_stable_by(&mut entries, |a, b| utf16(a.0, b.0));
            }
            out.push(b'{');
            for (i, (key, member)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                path.push(Step::Key(key));
                write_canonical(member, out, path)?;
                path.pop();
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    // Bytes below 0x80 never occur inside a multi-byte UTF-8 sequence, so escaping byte by
    // byte and copying the runs between escapes keeps every other character as it is.
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        } else {
            out.extend_from_slice(short);
        }
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Parses JSON text strictly: UTF-8, one value, and no object with the same key twice (which
/// RFC 8785 and I-JSON forbid, and which would let two readers see different values); the
/// reader is [`crate::json::parse`].
pub fn parse_strict(bytes: &[u8]) -> Result<Value, PayloadError> {
    let text =
        core::str::from_utf8(bytes).map_err(|_| PayloadError::new(EnvelopeRule::NotJson, ""))?;
    crate::json::parse(text).map_err(|e| {
        let rule = match e.kind {
            JsonErrorKind::DuplicateKey(_) => EnvelopeRule::DuplicateKey,
            _ => EnvelopeRule::NotJson,
        };
        PayloadError {
            rule,
            path: String::new(),
            detail: Some(e.to_string()),
        }
    })
}
