//! Any JSON text read into a [`serde_json::Value`] strictly, without serde's reader.
//!
//! The browser reads the receiver's answers, its own stored outbox records and the receipts it
//! verifies as JSON values; serde_json's reader with its visitors would be some 25 KB of the
//! signing step's code for that alone (docs/bytes.md, "JSON read with the form's reader"). This
//! reads with the lexical reader the form's JSON already has in the first load
//! ([`crate::form_json`]), and gives the value `serde_json::from_str::<Value>` gives, or an
//! error where it gives one (the crate's tests compare the two), except that an object with the
//! same key twice is refused (RFC 8785 and I-JSON forbid it; two readers could otherwise see
//! two values). The receiver reads envelopes with it too ([`crate::payload::parse_strict`]), so
//! both sides read JSON alike.
//!
//! - RFC 8259: whitespace is space, tab, CR and LF; no comments, no trailing commas, one value;
//!   a `\u` escape of a surrogate must be the first of a pair;
//! - numbers as serde_json holds them (without `arbitrary_precision`): a non-negative integer
//!   that fits a `u64`, a negative one that fits an `i64`, anything else an `f64` rounded as
//!   serde_json rounds it; a number beyond any `f64` is an error;
//! - at most 127 arrays and objects inside each other (serde_json's limit): deeper text is an
//!   error, not a stack overflow.

use serde_json::{Map, Value};

use crate::form_json::{FormJsonError, Number, Reader};

/// Why a text is not JSON, and the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub kind: JsonErrorKind,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// Not JSON: a syntax error, text after the value, or no value.
    Syntax,
    /// An object has this key twice.
    DuplicateKey(String),
    /// A number beyond any `f64`.
    NumberOutOfRange,
    /// More than 127 arrays and objects inside each other.
    TooDeep,
}

impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.kind {
            JsonErrorKind::Syntax => f.write_str("not valid JSON")?,
            // Quoted as is, not `{:?}`: its escaping would bring core's Unicode tables of
            // printable characters into every wasm part that reads JSON.
            JsonErrorKind::DuplicateKey(key) => write!(f, "duplicate key \"{key}\"")?,
            JsonErrorKind::NumberOutOfRange => f.write_str("number out of range")?,
            JsonErrorKind::TooDeep => f.write_str("nested too deeply")?,
        }
        write!(f, " at byte {}", self.at)
    }
}

impl std::error::Error for JsonError {}

/// serde_json's recursion limit: a value may be inside at most 127 arrays and objects.
const DEPTH: u32 = 128;

/// Member `key` of `value` as an owned string: `None` when `value` is not an object, has no
/// such member, or it is not a string. The one step of the typed readers (refusals, receipts,
/// keys, verifications).
pub fn string_member(value: &Value, key: &str) -> Option<String> {
    Some(value.get(key)?.as_str()?.to_owned())
}

/// Reads one JSON value, and nothing after it but whitespace.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut reader = Reader::new(text);
    let value = value(&mut reader, DEPTH)?;
    match reader.peek_past_space() {
        None => Ok(value),
        Some(_) => Err(error(&reader, JsonErrorKind::Syntax)),
    }
}

fn error(reader: &Reader<'_>, kind: JsonErrorKind) -> JsonError {
    JsonError {
        kind,
        at: reader.at,
    }
}

/// The lexical reader's refusals.
fn lexical(reader: &Reader<'_>, e: FormJsonError) -> JsonError {
    let kind = match e {
        FormJsonError::NumberOutOfRange => JsonErrorKind::NumberOutOfRange,
        _ => JsonErrorKind::Syntax,
    };
    error(reader, kind)
}

fn value(r: &mut Reader<'_>, depth: u32) -> Result<Value, JsonError> {
    let read = match r.peek_past_space() {
        Some(b'"') => r.string().map(Value::String),
        Some(b'n') => r.word("null").map(|()| Value::Null),
        Some(b't') => r.word("true").map(|()| Value::Bool(true)),
        Some(b'f') => r.word("false").map(|()| Value::Bool(false)),
        Some(b'-') => {
            r.at += 1;
            r.number_value(false).map(number)
        }
        Some(b'0'..=b'9') => r.number_value(true).map(number),
        Some(open @ (b'[' | b'{')) => {
            let depth = depth - 1;
            if depth == 0 {
                return Err(error(r, JsonErrorKind::TooDeep));
            }
            r.at += 1;
            return if open == b'[' {
                array(r, depth)
            } else {
                object(r, depth)
            };
        }
        _ => return Err(error(r, JsonErrorKind::Syntax)),
    };
    read.map_err(|e| lexical(r, e))
}

fn number(n: Number) -> Value {
    match n {
        Number::Unsigned(n) => Value::from(n),
        Number::Negative(n) => Value::from(n),
        // Always finite: the reader refuses a number beyond any `f64`.
        Number::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
    }
}

/// The reader is past the `[`.
fn array(r: &mut Reader<'_>, depth: u32) -> Result<Value, JsonError> {
    let mut items = Vec::new();
    if r.peek_past_space() == Some(b']') {
        r.at += 1;
        return Ok(Value::Array(items));
    }
    loop {
        items.push(value(r, depth)?);
        if !r.more(b']').map_err(|e| lexical(r, e))? {
            return Ok(Value::Array(items));
        }
    }
}

/// The reader is past the `{`.
fn object(r: &mut Reader<'_>, depth: u32) -> Result<Value, JsonError> {
    let mut members = Map::new();
    if r.peek_past_space() == Some(b'}') {
        r.at += 1;
        return Ok(Value::Object(members));
    }
    loop {
        if r.peek_past_space() != Some(b'"') {
            return Err(error(r, JsonErrorKind::Syntax));
        }
        let start = r.at;
        let key = r.string().map_err(|e| lexical(r, e))?;
        if members.contains_key(&key) {
            return Err(JsonError {
                kind: JsonErrorKind::DuplicateKey(key),
                at: start,
            });
        }
        if r.peek_past_space() != Some(b':') {
            return Err(error(r, JsonErrorKind::Syntax));
        }
        r.at += 1;
        let item = value(r, depth)?;
        members.insert(key, item);
        if !r.more(b'}').map_err(|e| lexical(r, e))? {
            return Ok(Value::Object(members));
        }
    }
}
