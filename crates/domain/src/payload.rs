//! The signed consent payload: what the browser signs and the receiver verifies.
//!
//! `docs/payload.md` is the full specification (with a worked example) and
//! `docs/payload.schema.json` its JSON Schema; this module is the reference implementation.
//!
//! # The envelope
//!
//! ```text
//! {"payload": { …the consent… }, "signature": "<base64url, no padding, of 64 bytes r‖s>"}
//! ```
//!
//! The signature is ECDSA P-256 with SHA-256 (JWS `ES256`, WebCrypto
//! `{name: "ECDSA", hash: "SHA-256"}`), in the IEEE P1363 form WebCrypto produces (32 bytes `r`
//! then 32 bytes `s`, big-endian; not DER), computed over the **RFC 8785 canonical UTF-8 bytes**
//! of the `payload` value ([`canonical_bytes`]). The key that verifies it travels inside the
//! payload (`public_key`, a JWK), so the signature also covers the key.
//!
//! # Building one (the browser)
//!
//! ```ignore
//! let payload = ConsentPayload::new(PayloadParts {
//!     form: form.clone(),                          // the domain Form being signed
//!     langs: vec![Lang::Zh, Lang::En],             // the languages the agreement was shown in
//!     previews: &preview(&form, today),            // the figures shown
//!     signature_image: SignatureImage::Typed { text: "刘志强".into() },
//!     signed_at: SignedAt::from_unix_seconds(now_ms / 1000).unwrap(),
//!     idempotency_id: crypto_random_uuid,          // crypto.randomUUID()
//!     public_key: Jwk::p256(&x_b64url, &y_b64url), // from exportKey("jwk") of the public key
//! });
//! let bytes = payload.signing_bytes();             // sign these with WebCrypto
//! let body = payload.envelope_json(&signature_64_bytes); // POST this, Content-Type: application/json
//! ```
//!
//! # Checking one (the receiver)
//!
//! [`verify_envelope`] parses the body (rejecting duplicate keys and any non-integer number),
//! canonicalizes the payload exactly as received, and verifies the signature with the embedded
//! key; only then does it read the payload into [`ConsentPayload`]. [`check_payload`] applies
//! every rule of the agreement: the agreement id and version, the content hashes, the consents
//! and their wording, the signature image, `signed_at` (not in the future beyond
//! [`CLOCK_SKEW_SECONDS`]), the idempotency id, the form (re-validated with
//! [`crate::form::validate`], taking the signing date as today) and the shown previews
//! (recomputed with [`crate::preview::preview`]; a working-day figure of a [`FORMAT_1_1`]
//! payload on the holiday calendars its `calendars` member records, so that it still checks
//! after a provisional year's notice is added). Every refusal is a [`Rejection`]: a code, a
//! zh-CN and an en message, and the failing fields by path. A path is a contract.md §1 field
//! path for a value of `payload.form`, otherwise the dotted path of the value inside `payload`
//! (`content_hashes.2.sha256`, `previews.orders.0.penalty`, `signed_at`) or `signature`.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::clauses;
use crate::content::{self, Lang, PartId};
use crate::date::Date;
use crate::error::{RuleError, RuleMessage};
use crate::form::{self, FieldError, Form};
use crate::holidays::{Calendars, CalendarsUsed, HolidayError};
use crate::preview::{self, Preview, PreviewValue};

/// The value of `payload.format` this module reads and writes.
pub const FORMAT: &str = "qianyue-consent/1";
/// `payload.format` of a payload with the `calendars` member (a minor revision of
/// [`FORMAT`]: the same members and rules, plus the calendar each working-day figure used;
/// docs/payload.md). Written when a working-day figure is shown.
pub const FORMAT_1_1: &str = "qianyue-consent/1.1";
/// How far `signed_at` may lie after the receiver's clock (seconds).
pub const CLOCK_SKEW_SECONDS: i64 = 300;
/// The largest magnitude an integer may have (I-JSON, RFC 7493: exact in an IEEE double).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

// ------------------------------------------------------------------------------------------
// Errors

crate::rule_errors! {
    /// Why an envelope could not be read or its signature did not verify.
    pub enum EnvelopeRule {
        NotJson => "envelope.not_json", "请求内容不是有效的 UTF-8 JSON", "The request body is not valid UTF-8 JSON";
        DuplicateKey => "envelope.duplicate_key", "JSON 对象中有重复的键", "A JSON object has the same key twice";
        Shape => "envelope.shape", "请求应为只含 payload 和 signature 两项的对象", "The body must be an object with exactly the members payload and signature";
        NonInteger => "payload.non_integer", "签约数据中的数字只能是整数（不得有小数点或指数）", "Numbers in the payload must be integers (no fraction, no exponent)";
        IntegerRange => "payload.integer_range", "签约数据中的整数超出 ±(2^53−1)", "An integer in the payload lies outside ±(2^53−1)";
        SignatureEncoding => "signature.encoding", "签名应为64字节、无填充的 base64url 编码", "The signature must be 64 bytes in base64url without padding";
        PublicKey => "public_key.invalid", "公钥不是有效的 P-256 JWK", "The public key is not a valid P-256 JWK";
        SignatureMismatch => "signature.mismatch", "签名与签约数据不符", "The signature does not match the payload";
        PayloadShape => "payload.shape", "签约数据的结构不符合格式说明", "The payload does not have the documented structure";
    }
}

crate::rule_errors! {
    /// Why a verified payload was refused by the agreement's rules.
    pub enum PayloadRule {
        Format => "payload.format", "不支持的签约数据格式", "Unsupported payload format";
        AgreementUnknown => "agreement.unknown", "未知的协议", "Unknown agreement";
        VersionUnknown => "agreement.version_unknown", "本服务不提供该版本的协议", "This agreement version is not offered here";
        ContentHashMismatch => "content.hash_mismatch", "内容哈希与该版本协议文本不符", "The content hash does not match the text of this version";
        ContentDuplicate => "content.duplicate", "同一部分同一语言的内容哈希出现两次", "The same part and language appear twice";
        ContentPartMissing => "content.part_missing", "协议的某一部分没有内容哈希", "A part of the agreement has no content hash";
        ConsentMissing => "consent.missing", "缺少一项必需的同意", "A required consent is missing";
        ConsentNotGiven => "consent.not_given", "该项同意未勾选", "This consent was not given";
        ConsentWording => "consent.wording_mismatch", "同意条款文字的哈希不符", "The hash of the consent's wording does not match";
        ConsentDuplicate => "consent.duplicate", "同一项同意出现两次", "The same consent appears twice";
        SignatureImageEmpty => "signature_image.empty", "签名为空", "The signature is empty";
        SignatureImageTrivial => "signature_image.trivial", "签名过于简单，请完整签名", "The signature is too slight; please sign in full";
        SignatureImageBounds => "signature_image.bounds", "签名图像的尺寸或坐标超出范围", "The signature image's size or coordinates are out of range";
        TypedSignatureName => "signature_image.typed_name", "输入的签名应与甲方代表姓名一致", "A typed signature must be the representative's name";
        SignedAtFormat => "signed_at.format", "签名时间应为 YYYY-MM-DDTHH:MM:SS+08:00", "The signing time must be written YYYY-MM-DDTHH:MM:SS+08:00";
        SignedAtFuture => "signed_at.future", "签名时间晚于当前时间", "The signing time lies in the future";
        IdempotencyId => "idempotency_id.format", "幂等标识应为小写的 UUID v4", "The idempotency id must be a lower-case UUID v4";
        FormNotCanonical => "form.not_canonical", "表单数据与表单模型的序列化形式不一致", "The form is not in the form model's serialized shape";
        FormInvalid => "form.invalid", "表单未通过校验", "The form does not pass validation";
        PreviewMismatch => "preview.mismatch", "显示的金额或日期与重新计算的结果不符", "A figure shown differs from the recomputed one";
        PreviewNotComputable => "preview.not_computable", "按表单内容无法得出该项显示数据", "The form's values do not give this figure";
        CalendarNoticeUnknown => "calendar.notice_unknown", "所记录的国务院节假日通知在此未收录，无法按同一日历复核", "The State Council holiday notice recorded is not known here, so the figure cannot be checked on the same calendar";
        CalendarProvisionalUnknown => "calendar.provisional_unknown", "所记录的暂估年份在此未收录，无法按同一日历复核", "The provisional year recorded is not known here, so the figure cannot be checked on the same calendar";
        CalendarMismatch => "calendar.mismatch", "所记录的日历与该项数据涉及的年份不符", "The calendars recorded do not match the years the figure reaches";
    }
}

/// A refusal as the receiver answers it: a code and messages, and the failing fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub rule: RuleMessage,
    pub fields: Vec<FieldError>,
    /// A technical detail for integrators (English, not stable), e.g. which member is missing.
    pub detail: Option<String>,
}

impl Rejection {
    pub fn code(&self) -> &'static str {
        self.rule.code
    }
}

/// At most this many field errors are written in a refusal; the rest are counted in
/// `fields_omitted` (a consent of 900 identical lines would otherwise be answered with one
/// error per line, a body larger than the consent).
pub const MAX_REFUSAL_FIELDS: usize = 200;

impl Serialize for Rejection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let shown = self.fields.len().min(MAX_REFUSAL_FIELDS);
        let omitted = self.fields.len() - shown;
        let n = 4 + usize::from(self.detail.is_some()) + usize::from(omitted > 0);
        let mut st = s.serialize_struct("Rejection", n)?;
        st.serialize_field("code", self.rule.code)?;
        st.serialize_field("message_zh", self.rule.zh)?;
        st.serialize_field("message_en", self.rule.en)?;
        st.serialize_field("fields", &self.fields[..shown])?;
        if omitted > 0 {
            st.serialize_field("fields_omitted", &omitted)?;
        }
        if let Some(detail) = &self.detail {
            st.serialize_field("detail", detail)?;
        }
        st.end()
    }
}

/// Why [`verify_envelope`] refused a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    pub rule: EnvelopeRule,
    /// Where: `signature`, `public_key.x`, a payload path, or empty for the whole body.
    pub path: String,
    pub detail: Option<String>,
}

impl PayloadError {
    fn new(rule: EnvelopeRule, path: impl Into<String>) -> PayloadError {
        PayloadError {
            rule,
            path: path.into(),
            detail: None,
        }
    }

    pub fn code(&self) -> &'static str {
        self.rule.code()
    }
}

impl core::fmt::Display for PayloadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.rule.message_en())?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path)?;
        }
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PayloadError {}

impl From<PayloadError> for Rejection {
    fn from(e: PayloadError) -> Rejection {
        let rule = RuleMessage::of(e.rule);
        let fields = if e.path.is_empty() {
            Vec::new()
        } else {
            vec![FieldError { path: e.path, rule }]
        };
        Rejection {
            rule,
            fields,
            detail: e.detail,
        }
    }
}

/// A path inside the payload as reported: values of `payload.form` by their contract path.
fn report_path(inside_payload: &str) -> String {
    inside_payload
        .strip_prefix("form.")
        .unwrap_or(inside_payload)
        .to_owned()
}

// ------------------------------------------------------------------------------------------
// RFC 8785 (JSON Canonicalization Scheme), integers only

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
                entries.sort_by(|a, b| utf16(a.0, b.0));
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
/// RFC 8785 and I-JSON forbid, and which would let two readers see different values).
pub fn parse_strict(bytes: &[u8]) -> Result<Value, PayloadError> {
    let text =
        core::str::from_utf8(bytes).map_err(|_| PayloadError::new(EnvelopeRule::NotJson, ""))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = StrictValue::deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v.0))
        .map_err(|e| {
            let rule = if e.to_string().starts_with(DUPLICATE_KEY) {
                EnvelopeRule::DuplicateKey
            } else {
                EnvelopeRule::NotJson
            };
            PayloadError {
                rule,
                path: String::new(),
                detail: Some(e.to_string()),
            }
        })?;
    Ok(value)
}

const DUPLICATE_KEY: &str = "duplicate key";

/// A `serde_json::Value` that refuses duplicate object keys while it is built.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StrictValue, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<StrictValue, E> {
        // Kept as a float so that canonicalization refuses it (a non-finite one cannot occur:
        // JSON text has no NaN or infinity; an overflowing literal is a parse error).
        Ok(StrictValue(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<StrictValue, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(StrictValue(Value::Array(items)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<StrictValue, A::Error> {
        let mut members = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match members.entry(key) {
                serde_json::map::Entry::Occupied(taken) => {
                    let key = taken.key();
                    return Err(serde::de::Error::custom(format!("{DUPLICATE_KEY} {key:?}")));
                }
                serde_json::map::Entry::Vacant(slot) => {
                    let StrictValue(v) = map.next_value()?;
                    slot.insert(v);
                }
            }
        }
        Ok(StrictValue(Value::Object(members)))
    }
}

// ------------------------------------------------------------------------------------------
// The payload's parts

/// `payload.agreement`: which agreement text, in which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementRef {
    pub id: String,
    pub version: String,
}

/// One entry of `payload.content_hashes`: a part shown in a language, with its content hash
/// (`crate::content::content_hash`, 64 lower-case hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentHash {
    pub part: PartId,
    pub lang: Lang,
    pub sha256: String,
}

/// The four separate consents the signer gives (issue 4 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentId {
    /// The service agreement (part C).
    ServiceAgreement,
    /// The privacy and information protection policy (part B).
    PrivacyPolicy,
    /// The agent authorisation letter (part D).
    AuthorizationLetter,
    /// The separate consent to process ID numbers (sensitive personal information, PIPL art. 29).
    SensitivePersonalInfo,
}

impl ConsentId {
    /// Every consent, in the order the form shows them.
    pub const ALL: [ConsentId; 4] = [
        ConsentId::ServiceAgreement,
        ConsentId::PrivacyPolicy,
        ConsentId::AuthorizationLetter,
        ConsentId::SensitivePersonalInfo,
    ];

    /// The id as written in the payload.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConsentId::ServiceAgreement => "service_agreement",
            ConsentId::PrivacyPolicy => "privacy_policy",
            ConsentId::AuthorizationLetter => "authorization_letter",
            ConsentId::SensitivePersonalInfo => "sensitive_personal_info",
        }
    }

    /// The checkbox's wording. The UI shows exactly this text (the hash covers it).
    pub const fn wording(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ConsentId::ServiceAgreement, Lang::Zh) => {
                "我已阅读并同意《中国移动广东公司互联网专线业务服务协议》的全部条款。"
            }
            (ConsentId::ServiceAgreement, Lang::En) => {
                "I have read and agree to all terms of the China Mobile Guangdong Internet Leased Line Service Agreement."
            }
            (ConsentId::PrivacyPolicy, Lang::Zh) => {
                "我已阅读并同意《中国移动广东公司隐私和信息保护政策》。"
            }
            (ConsentId::PrivacyPolicy, Lang::En) => {
                "I have read and agree to the China Mobile Guangdong Privacy and Information Protection Policy."
            }
            (ConsentId::AuthorizationLetter, Lang::Zh) => {
                "我确认《单位授权委托书》所载的被委托人、委托事项和委托期限真实有效。"
            }
            (ConsentId::AuthorizationLetter, Lang::En) => {
                "I confirm that the agent, the matter and the period stated in the Letter of Authorisation are true and valid."
            }
            (ConsentId::SensitivePersonalInfo, Lang::Zh) => {
                "我单独同意中国移动广东公司处理本表填写的身份证件号码（敏感个人信息）。处理这些号码是为核验经办人和被委托人的身份及授权，为办理本业务所必需；号码仅用于本业务，加密保存，页面上遮盖显示。不同意将无法在线办理本业务。"
            }
            (ConsentId::SensitivePersonalInfo, Lang::En) => {
                "I separately consent to China Mobile Guangdong processing the identity document numbers entered in this form (sensitive personal information). They are needed to verify the identity and authority of the persons acting, which this business requires; they are used for this business only, stored encrypted and masked on screen. Without this consent the business cannot be done online."
            }
        }
    }

    /// The text the wording hash covers: `zh-CN TAB <zh wording> LF en TAB <en wording> LF`.
    pub fn wording_text(self) -> String {
        Lang::ALL
            .iter()
            .map(|&lang| format!("{}\t{}\n", lang.tag(), self.wording(lang)))
            .collect()
    }

    /// SHA-256 (lower-case hex) of [`ConsentId::wording_text`]: the consent's `wording_sha256`.
    pub fn wording_sha256(self) -> String {
        content::sha256_hex(self.wording_text().as_bytes())
    }
}

/// The consents' `wording_sha256` as the app of agreement `v1` showed and signed them. A
/// constant, so that a later change to a wording (a new version) leaves v1's consents
/// verifiable; `crates/domain/tests/payload.rs` pins them.
pub const V1_CONSENT_WORDING_SHA256: [(ConsentId, &str); 4] = [
    (
        ConsentId::ServiceAgreement,
        "83fcaa563b9649ff406188942a6942db8b7757235096e34459def21b97308240",
    ),
    (
        ConsentId::PrivacyPolicy,
        "c4eccc16efa08c1ae7839a9eb4d80b577eaa061eeb17fa2bee348e685cdd0ee1",
    ),
    (
        ConsentId::AuthorizationLetter,
        "dec99bb39f7bb133e1110b182c73f1592d878e3f8b247c572b803d507861a9c7",
    ),
    (
        ConsentId::SensitivePersonalInfo,
        "8fa58500f1388de2cac6e3e42fc8e2a79ab6590794bf04b5c30926e683d7fffe",
    ),
];

impl ConsentId {
    /// The `wording_sha256` this consent carries when signed on agreement `version`: the
    /// current wording's ([`ConsentId::wording_sha256`]) for [`content::AGREEMENT_VERSION`],
    /// the published constant for an earlier accepted version, `None` for any other version.
    pub fn wording_sha256_in(self, version: &str) -> Option<String> {
        if version == content::AGREEMENT_VERSION {
            return Some(self.wording_sha256());
        }
        if version != content::V1.version {
            return None;
        }
        V1_CONSENT_WORDING_SHA256
            .iter()
            .find(|(id, _)| *id == self)
            .map(|(_, h)| (*h).to_owned())
    }
}

/// One entry of `payload.consents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub id: ConsentId,
    pub given: bool,
    pub wording_sha256: String,
}

/// A preview figure as shown: an integer (fen, count) or a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ShownValue {
    Integer(i64),
    Text(String),
}

impl From<PreviewValue> for ShownValue {
    fn from(v: PreviewValue) -> ShownValue {
        match v {
            PreviewValue::Money(fen) => ShownValue::Integer(fen.fen()),
            PreviewValue::Count(n) => ShownValue::Integer(i64::from(n)),
            PreviewValue::Date(d) => ShownValue::Text(d.to_string()),
        }
    }
}

/// Limits of a drawn signature.
pub const MAX_CANVAS: u32 = 4096;
pub const MAX_STROKES: usize = 200;
pub const MAX_POINTS: usize = 20_000;
/// A drawn signature needs at least this many points in all …
pub const MIN_POINTS: usize = 10;
/// … and a bounding box at least this wide or tall (canvas units).
pub const MIN_EXTENT: u32 = 20;

/// `payload.signature_image`: drawn strokes (integer canvas coordinates, origin top left) or a
/// typed name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SignatureImage {
    Strokes {
        width: u32,
        height: u32,
        /// Each stroke is the list of its points `[x, y]`, in drawing order.
        strokes: Vec<Vec<[u32; 2]>>,
    },
    Typed {
        text: String,
    },
}

impl SignatureImage {
    /// The signature's own rules (the pad uses the same): a drawing within its canvas, not empty
    /// and not a dot or a short dash; a typed name of 2–50 characters without control
    /// characters. Whether a typed name is the representative's is checked with the form.
    pub fn check(&self) -> Result<(), PayloadRule> {
        match self {
            SignatureImage::Strokes {
                width,
                height,
                strokes,
            } => {
                let in_range = |n: u32| (1..=MAX_CANVAS).contains(&n);
                if !in_range(*width) || !in_range(*height) || strokes.len() > MAX_STROKES {
                    return Err(PayloadRule::SignatureImageBounds);
                }
                let points: usize = strokes.iter().map(Vec::len).sum();
                if points > MAX_POINTS {
                    return Err(PayloadRule::SignatureImageBounds);
                }
                let all = strokes.iter().flatten();
                if all.clone().any(|[x, y]| x > width || y > height) {
                    return Err(PayloadRule::SignatureImageBounds);
                }
                if points == 0 {
                    return Err(PayloadRule::SignatureImageEmpty);
                }
                let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
                for [x, y] in all {
                    x0 = x0.min(*x);
                    y0 = y0.min(*y);
                    x1 = x1.max(*x);
                    y1 = y1.max(*y);
                }
                if points < MIN_POINTS || (x1 - x0 < MIN_EXTENT && y1 - y0 < MIN_EXTENT) {
                    return Err(PayloadRule::SignatureImageTrivial);
                }
                Ok(())
            }
            SignatureImage::Typed { text } => {
                let t = text.trim();
                if t.is_empty() {
                    return Err(PayloadRule::SignatureImageEmpty);
                }
                form::check_text(t, 2, 50).map_err(|_| PayloadRule::TypedSignatureName)
            }
        }
    }

    /// [`SignatureImage::check`], then, for a typed signature, that it is the name of the
    /// signing representative (`form.signing.representative`), compared with runs of white
    /// space as one space and letters in any case. The signing pad and the receiver both ask this.
    pub fn check_for(&self, representative: &str) -> Result<(), PayloadRule> {
        self.check()?;
        match self {
            SignatureImage::Typed { text } if fold_name(text) != fold_name(representative) => {
                Err(PayloadRule::TypedSignatureName)
            }
            _ => Ok(()),
        }
    }

    /// The drawing as an SVG document (paths only; no script, no external reference), for
    /// display. A typed signature gives `None`.
    pub fn to_svg(&self) -> Option<String> {
        let SignatureImage::Strokes {
            width,
            height,
            strokes,
        } = self
        else {
            return None;
        };
        let mut d = String::new();
        for stroke in strokes {
            for (i, [x, y]) in stroke.iter().enumerate() {
                let op = if i == 0 { 'M' } else { 'L' };
                d.push_str(&format!("{op}{x} {y}"));
            }
            if stroke.len() == 1 {
                d.push_str("h0");
            }
        }
        Some(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
             width=\"{width}\" height=\"{height}\"><path d=\"{d}\" fill=\"none\" \
             stroke=\"#000\" stroke-width=\"2\" stroke-linecap=\"round\" \
             stroke-linejoin=\"round\"/></svg>"
        ))
    }
}

crate::rule_errors! {
    /// Why a `signed_at` value was refused.
    pub enum SignedAtError {
        Format => "signed_at.format", "签名时间应为 YYYY-MM-DDTHH:MM:SS+08:00", "The signing time must be written YYYY-MM-DDTHH:MM:SS+08:00";
    }
}

/// `payload.signed_at`: a moment, written in China Standard Time as
/// `YYYY-MM-DDTHH:MM:SS+08:00` (RFC 3339, whole seconds, always the `+08:00` offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignedAt {
    /// Seconds since 1970-01-01T00:00:00Z.
    unix: i64,
}

const CST_OFFSET: i64 = 8 * 3600;

impl SignedAt {
    /// The moment `unix` seconds after the epoch (years 1..=9999 only).
    pub fn from_unix_seconds(unix: i64) -> Option<SignedAt> {
        let local = unix.checked_add(CST_OFFSET)?;
        Date::from_days(local.div_euclid(86_400))?;
        Some(SignedAt { unix })
    }

    pub fn unix_seconds(self) -> i64 {
        self.unix
    }

    /// The calendar date in China Standard Time: the signing date.
    pub fn date(self) -> Date {
        let local = self.unix + CST_OFFSET;
        Date::from_days(local.div_euclid(86_400)).expect("checked on construction")
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS+08:00`.
    pub fn parse(s: &str) -> Result<SignedAt, SignedAtError> {
        let b = s.as_bytes();
        if b.len() != 25 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || &b[19..] != b"+08:00"
        {
            return Err(SignedAtError::Format);
        }
        let date = Date::parse_iso(&s[..10]).map_err(|_| SignedAtError::Format)?;
        let num = |r: core::ops::Range<usize>| -> Result<i64, SignedAtError> {
            b[r].iter().try_fold(0i64, |acc, &c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + i64::from(c - b'0'))
                } else {
                    Err(SignedAtError::Format)
                }
            })
        };
        let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if h > 23 || m > 59 || sec > 59 {
            return Err(SignedAtError::Format);
        }
        let local = date.to_days() * 86_400 + h * 3600 + m * 60 + sec;
        Ok(SignedAt {
            unix: local - CST_OFFSET,
        })
    }
}

impl core::fmt::Display for SignedAt {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let local = self.unix + CST_OFFSET;
        let secs = local.rem_euclid(86_400);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}+08:00",
            self.date(),
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Checks that `s` is a UUID v4 in lower case (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`),
/// as `crypto.randomUUID()` returns it: 122 random bits.
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => matches!(c, b'0'..=b'9' | b'a'..=b'f'),
        })
}

/// `payload.public_key`: the signer's ECDSA P-256 public key as a JWK (RFC 7517/7518) with
/// exactly these four members; `x` and `y` are the 32-byte coordinates in base64url without
/// padding (43 characters each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
}

impl Jwk {
    /// A P-256 key from its coordinates (base64url, as in WebCrypto's `exportKey("jwk")`).
    pub fn p256(x: &str, y: &str) -> Jwk {
        Jwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            x: x.into(),
            y: y.into(),
        }
    }

    /// The JWK of a verifying key.
    pub fn from_verifying_key(key: &VerifyingKey) -> Jwk {
        let point = key.to_encoded_point(false);
        let (x, y) = (
            point.x().map(|x| URL_SAFE_NO_PAD.encode(x)),
            point.y().map(|y| URL_SAFE_NO_PAD.encode(y)),
        );
        Jwk::p256(&x.unwrap_or_default(), &y.unwrap_or_default())
    }

    /// The verifying key, if this is a P-256 public key on the curve.
    pub fn verifying_key(&self) -> Result<VerifyingKey, PayloadError> {
        let point = self.sec1_point()?;
        VerifyingKey::from_sec1_bytes(&point)
            .map_err(|_| PayloadError::new(EnvelopeRule::PublicKey, "public_key"))
    }

    /// The key as an uncompressed SEC1 point (`04 ‖ x ‖ y`), checked to lie on the curve.
    pub fn sec1_point(&self) -> Result<[u8; 65], PayloadError> {
        let bad = |path: &str| PayloadError::new(EnvelopeRule::PublicKey, path);
        if self.kty != "EC" {
            return Err(bad("public_key.kty"));
        }
        if self.crv != "P-256" {
            return Err(bad("public_key.crv"));
        }
        let coordinate = |v: &str, path: &str| -> Result<[u8; 32], PayloadError> {
            URL_SAFE_NO_PAD
                .decode(v)
                .ok()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| bad(path))
        };
        let x = coordinate(&self.x, "public_key.x")?;
        let y = coordinate(&self.y, "public_key.y")?;
        let mut sec1 = [0u8; 65];
        sec1[0] = 0x04;
        sec1[1..33].copy_from_slice(&x);
        sec1[33..].copy_from_slice(&y);
        VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| bad("public_key"))?;
        Ok(sec1)
    }

    /// The RFC 7638 thumbprint: base64url SHA-256 of `{"crv":…,"kty":…,"x":…,"y":…}`. A stable
    /// name for the signer's key.
    pub fn thumbprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut members = serde_json::Map::new();
        for (k, v) in [
            ("crv", &self.crv),
            ("kty", &self.kty),
            ("x", &self.x),
            ("y", &self.y),
        ] {
            members.insert(k.into(), Value::String(v.clone()));
        }
        let bytes = canonical_bytes(&Value::Object(members)).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
    }
}

/// The consent: everything the signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentPayload {
    /// [`FORMAT`].
    pub format: String,
    pub agreement: AgreementRef,
    /// The parts and languages shown, each with its content hash.
    pub content_hashes: Vec<ContentHash>,
    /// The form, exactly as [`Form`] serializes (contract.md §1).
    pub form: Form,
    pub consents: Vec<Consent>,
    /// The preview figures shown (contract.md §2 keys).
    pub previews: BTreeMap<String, ShownValue>,
    /// Since [`FORMAT_1_1`]: for each figure shown that is counted in working days, the
    /// calendar of each year it reached (absent in [`FORMAT`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub calendars: BTreeMap<String, CalendarsUsed>,
    pub signature_image: SignatureImage,
    /// `YYYY-MM-DDTHH:MM:SS+08:00`.
    pub signed_at: String,
    /// A lower-case UUID v4, fresh for each consent; the receiver's idempotency key.
    pub idempotency_id: String,
    pub public_key: Jwk,
}

/// What the browser has when it builds a payload ([`ConsentPayload::new`]).
pub struct PayloadParts<'a> {
    pub form: Form,
    /// The languages the agreement was shown in (each part's hash is included in each).
    pub langs: Vec<Lang>,
    /// The figures shown; normally `preview(&form, today)` in full.
    pub previews: &'a Preview,
    pub signature_image: SignatureImage,
    pub signed_at: SignedAt,
    pub idempotency_id: String,
    pub public_key: Jwk,
}

impl ConsentPayload {
    /// A payload for the embedded agreement: its id and version, the content hash of every part
    /// in each of `langs`, the four consents given with their wording's hash, and the rest from
    /// `parts`.
    pub fn new(parts: PayloadParts<'_>) -> ConsentPayload {
        let mut langs = parts.langs;
        langs.sort();
        langs.dedup();
        let content_hashes = PartId::ALL
            .into_iter()
            .flat_map(|part| langs.iter().map(move |&lang| (part, lang)))
            .map(|(part, lang)| ContentHash {
                part,
                lang,
                sha256: shipped_hash(part, lang).to_owned(),
            })
            .collect();
        // The calendar of each working-day figure shown, as the app computed it.
        let calendars: BTreeMap<String, CalendarsUsed> = preview::calendars(&parts.form)
            .into_iter()
            .filter(|(key, _)| parts.previews.contains_key(key))
            .collect();
        ConsentPayload {
            format: if calendars.is_empty() {
                FORMAT
            } else {
                FORMAT_1_1
            }
            .into(),
            agreement: AgreementRef {
                id: content::AGREEMENT_ID.into(),
                version: content::AGREEMENT_VERSION.into(),
            },
            content_hashes,
            form: parts.form,
            consents: ConsentId::ALL
                .into_iter()
                .map(|id| Consent {
                    id,
                    given: true,
                    wording_sha256: id.wording_sha256(),
                })
                .collect(),
            previews: parts
                .previews
                .iter()
                .map(|(k, v)| (k.clone(), ShownValue::from(*v)))
                .collect(),
            signature_image: parts.signature_image,
            calendars,
            signed_at: parts.signed_at.to_string(),
            idempotency_id: parts.idempotency_id,
            public_key: parts.public_key,
        }
    }

    /// The payload as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The bytes to sign: the RFC 8785 canonical form of the payload.
    ///
    /// # Errors
    ///
    /// Never for a payload built from domain values (every number in it is an integer within
    /// range); an error means a hand-made value is out of range.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        canonical_bytes(&self.to_value())
    }

    /// The envelope to POST: `{"payload":<canonical payload>,"signature":"<base64url>"}`
    /// (itself in canonical form).
    pub fn envelope_json(&self, signature: &[u8; 64]) -> Result<String, CanonicalError> {
        let payload = self.signing_bytes()?;
        Ok(envelope_from_parts(&payload, signature))
    }
}

/// The envelope from the canonical payload bytes and the 64-byte signature.
pub fn envelope_from_parts(canonical_payload: &[u8], signature: &[u8; 64]) -> String {
    let payload = String::from_utf8_lossy(canonical_payload);
    format!(
        "{{\"payload\":{payload},\"signature\":\"{}\"}}",
        URL_SAFE_NO_PAD.encode(signature)
    )
}

// ------------------------------------------------------------------------------------------
// Verifying

/// A payload whose signature verified.
#[derive(Debug, Clone)]
pub struct VerifiedPayload {
    pub payload: ConsentPayload,
    /// The payload exactly as received (before typed reading): what was canonicalized.
    pub value: Value,
    /// The RFC 8785 bytes the signature covers.
    pub canonical: Vec<u8>,
    /// SHA-256 (lower-case hex) of [`VerifiedPayload::canonical`]: names the signed content.
    pub payload_sha256: String,
    /// The 64-byte r‖s signature.
    pub signature: [u8; 64],
    /// RFC 7638 thumbprint of the signer's key.
    pub key_thumbprint: String,
}

/// The ES256 primitive: does `signature` (64 bytes r‖s) verify `message` (SHA-256, ECDSA
/// P-256) under the public key `point` (65 bytes, uncompressed SEC1: `04 ‖ x ‖ y`)? Both `s`
/// and `n − s` must verify. [`verify_es256`] is the portable implementation; a server may pass
/// a faster one to [`verify_envelope_with`] (the receiver's tests check that the two agree).
pub type Es256Verifier = fn(point: &[u8; 65], message: &[u8], signature: &[u8; 64]) -> bool;

/// [`Es256Verifier`] with RustCrypto's `p256` (pure Rust; builds for wasm32).
pub fn verify_es256(point: &[u8; 65], message: &[u8], signature: &[u8; 64]) -> bool {
    let (Ok(key), Ok(sig)) = (
        VerifyingKey::from_sec1_bytes(point),
        Signature::from_slice(signature),
    ) else {
        return false;
    };
    key.verify(message, &sig).is_ok()
}

/// Parses an envelope, canonicalizes its payload exactly as received, and verifies the ES256
/// signature with the JWK in `payload.public_key`; then reads the payload's structure.
pub fn verify_envelope(bytes: &[u8]) -> Result<VerifiedPayload, PayloadError> {
    verify_envelope_with(bytes, verify_es256)
}

/// [`verify_envelope`] with another implementation of the ES256 primitive.
pub fn verify_envelope_with(
    bytes: &[u8],
    verify: Es256Verifier,
) -> Result<VerifiedPayload, PayloadError> {
    if let Some(fast) = verify_canonical_envelope(bytes, verify) {
        return fast;
    }
    let value = parse_strict(bytes)?;
    let Value::Object(mut envelope) = value else {
        return Err(PayloadError::new(EnvelopeRule::Shape, ""));
    };
    if envelope.len() != 2 {
        return Err(PayloadError::new(EnvelopeRule::Shape, ""));
    }
    let (Some(payload), Some(signature)) =
        (envelope.remove("payload"), envelope.remove("signature"))
    else {
        return Err(PayloadError::new(EnvelopeRule::Shape, ""));
    };
    let Value::String(signature) = signature else {
        return Err(PayloadError::new(
            EnvelopeRule::SignatureEncoding,
            "signature",
        ));
    };
    if !payload.is_object() {
        return Err(PayloadError::new(EnvelopeRule::Shape, "payload"));
    }
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(signature.as_bytes())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or_else(|| PayloadError::new(EnvelopeRule::SignatureEncoding, "signature"))?;
    let canonical = canonical_bytes(&payload).map_err(|e| PayloadError {
        rule: e.rule,
        path: report_path(&e.path),
        detail: None,
    })?;
    let jwk: Jwk = payload
        .get("public_key")
        .ok_or_else(|| PayloadError::new(EnvelopeRule::PublicKey, "public_key"))
        .and_then(|v| {
            Jwk::deserialize(v)
                .map_err(|_| PayloadError::new(EnvelopeRule::PublicKey, "public_key"))
        })?;
    let point = jwk.sec1_point()?;
    if !verify(&point, &canonical, &signature) {
        return Err(PayloadError::new(
            EnvelopeRule::SignatureMismatch,
            "signature",
        ));
    }
    let typed = ConsentPayload::deserialize(&payload).map_err(|e| PayloadError {
        rule: EnvelopeRule::PayloadShape,
        path: String::new(),
        detail: Some(e.to_string()),
    })?;
    Ok(VerifiedPayload {
        payload: typed,
        payload_sha256: content::sha256_hex(&canonical),
        value: payload,
        canonical,
        signature,
        key_thumbprint: jwk.thumbprint(),
    })
}

/// The envelope as the app sends it: `{"payload":…,"signature":"…"}`, the payload borrowed
/// unparsed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BorrowedEnvelope<'a> {
    #[serde(borrow)]
    payload: &'a serde_json::value::RawValue,
    signature: &'a str,
}

/// The common case, read once: a payload sent in its canonical form (as the app and
/// [`ConsentPayload::envelope_json`] send it) is read straight into [`ConsentPayload`] and
/// written back canonically; if that gives the received bytes again, they are what was signed.
/// `None` when the bytes are anything else (another member order, spacing, escapes, unknown
/// members, a duplicate key, bad JSON): the general path then decides, with its own codes.
/// What is accepted is the same either way; only the work differs.
fn verify_canonical_envelope(
    bytes: &[u8],
    verify: Es256Verifier,
) -> Option<Result<VerifiedPayload, PayloadError>> {
    let text = core::str::from_utf8(bytes).ok()?;
    let envelope: BorrowedEnvelope<'_> = serde_json::from_str(text).ok()?;
    let received = envelope.payload.get().as_bytes();
    let typed: ConsentPayload = serde_json::from_str(envelope.payload.get()).ok()?;
    let value = typed.to_value();
    let canonical = canonical_bytes(&value).ok()?;
    if canonical != received {
        return None;
    }
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(envelope.signature.as_bytes())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())?;
    let point = match typed.public_key.sec1_point() {
        Ok(p) => p,
        Err(_) => return None,
    };
    if !verify(&point, &canonical, &signature) {
        return Some(Err(PayloadError::new(
            EnvelopeRule::SignatureMismatch,
            "signature",
        )));
    }
    Some(Ok(VerifiedPayload {
        payload_sha256: content::sha256_hex(&canonical),
        key_thumbprint: typed.public_key.thumbprint(),
        payload: typed,
        value,
        canonical,
        signature,
    }))
}

// ------------------------------------------------------------------------------------------
// Checking against the agreement's rules

/// What [`check_payload`] established about an accepted payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub signed_at: SignedAt,
    /// The date the form was judged on (the signing date in China Standard Time).
    pub signing_date: Date,
    /// The previews recomputed on that date (the payload's shown figures are a subset).
    pub previews: Preview,
}

struct Findings {
    first: Option<PayloadRule>,
    fields: Vec<FieldError>,
}

impl Findings {
    fn fail(&mut self, stage: PayloadRule, path: &str, rule: impl Into<RuleMessage>) {
        self.first.get_or_insert(stage);
        self.fields.push(FieldError {
            path: path.to_owned(),
            rule: rule.into(),
        });
    }
}

/// Applies every rule of the agreement to a verified payload, on the receiver's clock `now`
/// (seconds since the epoch). Reports every failure found, under the code of the first failing
/// check, in this order: format, agreement, content hashes, consents, signature image,
/// `signed_at`, idempotency id, form, previews. An unknown format, agreement or version stops
/// the check at once (its rules are not known here).
pub fn check_payload(payload: &ConsentPayload, now_unix: i64) -> Result<Checked, Rejection> {
    let stop = |rule: PayloadRule, path: &str| Rejection {
        rule: RuleMessage::of(rule),
        fields: vec![FieldError {
            path: path.to_owned(),
            rule: RuleMessage::of(rule),
        }],
        detail: None,
    };
    if payload.format != FORMAT && payload.format != FORMAT_1_1 {
        return Err(stop(PayloadRule::Format, "format"));
    }
    if payload.format == FORMAT && !payload.calendars.is_empty() {
        return Err(stop(PayloadRule::Format, "calendars"));
    }
    if payload.agreement.id != content::AGREEMENT_ID {
        return Err(stop(PayloadRule::AgreementUnknown, "agreement.id"));
    }
    // Any version this build shipped (content::ACCEPTED_VERSIONS): its hashes and wordings
    // are the ones the signer's app showed.
    let version = payload.agreement.version.as_str();
    if !content::is_accepted_version(version) {
        return Err(stop(PayloadRule::VersionUnknown, "agreement.version"));
    }

    let mut f = Findings {
        first: None,
        fields: Vec::new(),
    };

    // Content hashes: each entry right, no repeats, every part shown in some language.
    let mut seen = Vec::new();
    for (i, h) in payload.content_hashes.iter().enumerate() {
        let stage = PayloadRule::ContentHashMismatch;
        if seen.contains(&(h.part, h.lang)) {
            f.fail(
                stage,
                &format!("content_hashes.{i}"),
                PayloadRule::ContentDuplicate,
            );
            continue;
        }
        seen.push((h.part, h.lang));
        if Some(h.sha256.as_str()) != content::version_content_hash(version, h.part, h.lang) {
            f.fail(
                stage,
                &format!("content_hashes.{i}.sha256"),
                PayloadRule::ContentHashMismatch,
            );
        }
    }
    for part in PartId::ALL {
        if !seen.iter().any(|(p, _)| *p == part) {
            f.fail(
                PayloadRule::ContentHashMismatch,
                "content_hashes",
                PayloadRule::ContentPartMissing,
            );
            break;
        }
    }

    // Consents: all four, given, with the wording this version shows.
    let stage = PayloadRule::ConsentMissing;
    let mut given = Vec::new();
    for (i, c) in payload.consents.iter().enumerate() {
        if given.contains(&c.id) {
            f.fail(
                stage,
                &format!("consents.{i}"),
                PayloadRule::ConsentDuplicate,
            );
            continue;
        }
        given.push(c.id);
        if !c.given {
            f.fail(
                stage,
                &format!("consents.{i}.given"),
                PayloadRule::ConsentNotGiven,
            );
        }
        if Some(&c.wording_sha256) != c.id.wording_sha256_in(version).as_ref() {
            f.fail(
                stage,
                &format!("consents.{i}.wording_sha256"),
                PayloadRule::ConsentWording,
            );
        }
    }
    for id in ConsentId::ALL {
        if !given.contains(&id) {
            f.fail(
                stage,
                &format!("consents.{}", id.as_str()),
                PayloadRule::ConsentMissing,
            );
        }
    }

    // The signature image; a typed one must be the representative's name.
    if let Err(rule) = payload
        .signature_image
        .check_for(&payload.form.signing.representative)
    {
        f.fail(rule, "signature_image", rule);
    }

    // The signing time: the date the form is judged on.
    let signed_at = match SignedAt::parse(&payload.signed_at) {
        Ok(t) if t.unix_seconds() > now_unix.saturating_add(CLOCK_SKEW_SECONDS) => {
            f.fail(
                PayloadRule::SignedAtFuture,
                "signed_at",
                PayloadRule::SignedAtFuture,
            );
            None
        }
        Ok(t) => Some(t),
        Err(_) => {
            f.fail(
                PayloadRule::SignedAtFormat,
                "signed_at",
                PayloadRule::SignedAtFormat,
            );
            None
        }
    };

    if !is_uuid_v4(&payload.idempotency_id) {
        f.fail(
            PayloadRule::IdempotencyId,
            "idempotency_id",
            PayloadRule::IdempotencyId,
        );
    }

    // The form, judged on the signing date, and the figures shown.
    let mut previews = Preview::new();
    if let Some(t) = signed_at {
        let today = t.date();
        for e in form::validate(&payload.form, today) {
            f.first.get_or_insert(PayloadRule::FormInvalid);
            f.fields.push(e);
        }
        previews = preview::preview(&payload.form, today);
        let on_recorded = check_recorded_calendars(payload, Calendars::shipped(), &mut f);
        for (key, value) in &on_recorded {
            match value {
                Some(v) => previews.insert(key.clone(), *v),
                None => previews.remove(key),
            };
        }
        for (key, shown) in &payload.previews {
            let path = format!("previews.{key}");
            if matches!(on_recorded.get(key), Some(None)) {
                continue; // refused with the calendar's code
            }
            match previews.get(key) {
                None => f.fail(
                    PayloadRule::PreviewMismatch,
                    &path,
                    PayloadRule::PreviewNotComputable,
                ),
                Some(v) if ShownValue::from(*v) != *shown => f.fail(
                    PayloadRule::PreviewMismatch,
                    &path,
                    PayloadRule::PreviewMismatch,
                ),
                Some(_) => {}
            }
        }
    }

    match (f.first, signed_at) {
        (None, Some(signed_at)) => Ok(Checked {
            signed_at,
            signing_date: signed_at.date(),
            previews,
        }),
        (first, _) => Err(Rejection {
            rule: RuleMessage::of(first.unwrap_or(PayloadRule::SignedAtFormat)),
            fields: f.fields,
            detail: None,
        }),
    }
}

/// The working-day figures of a [`FORMAT_1_1`] payload, computed again on the calendars the
/// payload records for them (not on today's calendars), so that a figure signed while a year was
/// provisional still checks after that year's notice is added. Key → the figure, or `None`
/// when it could not be computed on the recorded calendars (the reason is in `f`). A
/// [`FORMAT`] payload records none: its figures are checked on the current calendars.
fn check_recorded_calendars(
    payload: &ConsentPayload,
    calendars: &Calendars,
    f: &mut Findings,
) -> BTreeMap<String, Option<PreviewValue>> {
    let mut out = BTreeMap::new();
    if payload.format != FORMAT_1_1 {
        return out;
    }
    let stage = PayloadRule::CalendarMismatch;
    // An entry for a figure left out of `previews` is allowed (showing fewer figures is).
    for key in payload.calendars.keys() {
        if key != preview::REPLY_BY {
            f.fail(
                stage,
                &format!("calendars.{key}"),
                PayloadRule::CalendarMismatch,
            );
        }
    }
    if !payload.previews.contains_key(preview::REPLY_BY) {
        return out;
    }
    let path = format!("calendars.{}", preview::REPLY_BY);
    let Some(recorded) = payload.calendars.get(preview::REPLY_BY) else {
        f.fail(stage, &path, PayloadRule::CalendarMismatch);
        out.insert(preview::REPLY_BY.to_owned(), None);
        return out;
    };
    let Ok(request) = Date::parse_iso(payload.form.signing.date.trim()) else {
        return out; // not computable: the general check says so
    };
    let value = match clauses::reply_by_as(request, calendars, recorded) {
        Ok(counted) if counted.calendars == *recorded => Some(PreviewValue::Date(counted.date)),
        Ok(_) | Err(HolidayError::CalendarNotRecorded) => {
            f.fail(stage, &path, PayloadRule::CalendarMismatch);
            None
        }
        Err(HolidayError::NoticeUnknown) => {
            f.fail(
                PayloadRule::CalendarNoticeUnknown,
                &path,
                PayloadRule::CalendarNoticeUnknown,
            );
            None
        }
        Err(HolidayError::YearNotCovered) => {
            f.fail(
                PayloadRule::CalendarProvisionalUnknown,
                &path,
                PayloadRule::CalendarProvisionalUnknown,
            );
            None
        }
    };
    out.insert(preview::REPLY_BY.to_owned(), value);
    out
}

/// The working-day figures of `payload` checked on `calendars` instead of the shipped ones
/// (what [`check_payload`] does with [`Calendars::shipped`]): the failures by path, empty when
/// every such figure is the one its recorded calendars give.
pub fn check_working_day_figures(
    payload: &ConsentPayload,
    calendars: &Calendars,
) -> Vec<FieldError> {
    let mut f = Findings {
        first: None,
        fields: Vec::new(),
    };
    let figures = check_recorded_calendars(payload, calendars, &mut f);
    for (key, value) in figures {
        let path = format!("previews.{key}");
        match (value, payload.previews.get(&key)) {
            (Some(v), Some(shown)) if ShownValue::from(v) != *shown => f.fail(
                PayloadRule::PreviewMismatch,
                &path,
                PayloadRule::PreviewMismatch,
            ),
            _ => {}
        }
    }
    f.fields
}

/// Checks that `payload.form` (as received, `value`) is exactly what [`Form`] serializes, so the
/// stored form reads the same to every reader. Part of [`verify_and_check`].
pub fn check_form_canonical(verified: &VerifiedPayload) -> Result<(), Rejection> {
    let received = verified.value.get("form");
    let ours = serde_json::to_value(&verified.payload.form).ok();
    if received == ours.as_ref() {
        Ok(())
    } else {
        let rule = RuleMessage::of(PayloadRule::FormNotCanonical);
        Err(Rejection {
            rule,
            fields: vec![FieldError {
                path: "form".into(),
                rule,
            }],
            detail: None,
        })
    }
}

/// [`verify_envelope`], then [`check_form_canonical`], [`check_signing_date`] and
/// [`check_payload`]: everything the receiver decides about a body, short of its offline
/// allowance ([`check_offline_allowance`], a setting), idempotency and storage.
pub fn verify_and_check(
    bytes: &[u8],
    now_unix: i64,
) -> Result<(VerifiedPayload, Checked), Rejection> {
    let verified = verify_envelope(bytes)?;
    check_form_canonical(&verified)?;
    check_signing_date(&verified.payload)?;
    let checked = check_payload(&verified.payload, now_unix)?;
    Ok((verified, checked))
}

/// The content hash of a part in a language of the embedded agreement, computed once.
fn shipped_hash(part: PartId, lang: Lang) -> &'static str {
    content::version_content_hash(content::AGREEMENT_VERSION, part, lang).unwrap_or("")
}

// ------------------------------------------------------------------------------------------
// Receipts

/// The value of `receipt.format`.
pub const RECEIPT_FORMAT: &str = "qianyue-receipt/1";

/// What the receiver answers for a consent it has stored durably, signed with its Ed25519
/// key: `{"receipt": {…}, "signature": "<base64url of 64 bytes>"}`, the signature over the
/// RFC 8785 bytes of `receipt` (the same canonical form as the payload's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// [`RECEIPT_FORMAT`].
    pub format: String,
    /// The payload's `idempotency_id`: the consent's name at the receiver.
    pub consent_id: String,
    /// SHA-256 (lower-case hex) of the payload's canonical bytes: what was stored.
    pub payload_sha256: String,
    pub agreement: AgreementRef,
    /// The payload's `signed_at`.
    pub signed_at: String,
    /// RFC 7638 thumbprint of the signer's key (`payload.public_key`).
    pub signer_key: String,
    /// When the receiver stored it, `YYYY-MM-DDTHH:MM:SS+08:00`.
    pub received_at: String,
    /// The `kid` of the receiver key that signed this receipt (see [`ReceiverKey`]).
    pub receiver_key: String,
}

impl Receipt {
    /// The receipt for a verified payload, stored at `received_at` by the key `receiver_key`.
    pub fn for_payload(
        verified: &VerifiedPayload,
        received_at: SignedAt,
        receiver_key: &str,
    ) -> Receipt {
        let p = &verified.payload;
        Receipt {
            format: RECEIPT_FORMAT.into(),
            consent_id: p.idempotency_id.clone(),
            payload_sha256: verified.payload_sha256.clone(),
            agreement: p.agreement.clone(),
            signed_at: p.signed_at.clone(),
            signer_key: verified.key_thumbprint.clone(),
            received_at: received_at.to_string(),
            receiver_key: receiver_key.into(),
        }
    }

    /// The bytes the receiver signs: the RFC 8785 form of the receipt.
    pub fn signing_bytes(&self) -> Vec<u8> {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| canonical_bytes(&v).ok())
            .unwrap_or_default()
    }

    /// The receipt envelope, `{"receipt":…,"signature":"…"}`, in canonical form.
    pub fn envelope_json(&self, signature: &[u8; 64]) -> String {
        Receipt::envelope_of(&self.signing_bytes(), signature)
    }

    /// [`Receipt::envelope_json`] from the receipt's [`Receipt::signing_bytes`], when the caller
    /// has them already (it signed them).
    pub fn envelope_of(signing_bytes: &[u8], signature: &[u8; 64]) -> String {
        format!(
            "{{\"receipt\":{},\"signature\":\"{}\"}}",
            String::from_utf8_lossy(signing_bytes),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    /// Whether this receipt names `payload` (its id, and the hash of its canonical bytes).
    pub fn is_for(&self, payload: &ConsentPayload) -> bool {
        payload.signing_bytes().is_ok_and(|bytes| {
            self.consent_id == payload.idempotency_id
                && self.payload_sha256 == content::sha256_hex(&bytes)
        })
    }
}

/// One receiver key as `GET /api/keys` lists it: an Ed25519 public key as a JWK (RFC 8037)
/// with its `kid`, the RFC 7638 thumbprint (`{"crv":"Ed25519","kty":"OKP","x":…}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiverKey {
    pub kty: String,
    pub crv: String,
    /// The 32-byte public key, base64url without padding.
    pub x: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
}

impl ReceiverKey {
    /// The JWK of an Ed25519 public key.
    pub fn ed25519(public_key: &[u8; 32]) -> ReceiverKey {
        let x = URL_SAFE_NO_PAD.encode(public_key);
        let mut members = serde_json::Map::new();
        members.insert("crv".into(), Value::from("Ed25519"));
        members.insert("kty".into(), Value::from("OKP"));
        members.insert("x".into(), Value::from(x.clone()));
        let kid = {
            use sha2::{Digest, Sha256};
            let bytes = canonical_bytes(&Value::Object(members)).unwrap_or_default();
            URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
        };
        ReceiverKey {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x,
            kid,
            alg: "EdDSA".into(),
            use_: "sig".into(),
        }
    }
}

/// The body of `GET /api/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiverKeys {
    pub keys: Vec<ReceiverKey>,
}

crate::rule_errors! {
    /// Why a receipt was not accepted by the app.
    pub enum ReceiptError {
        Shape => "receipt.shape", "回执格式不正确", "The receipt is not in the documented format";
        UnknownKey => "receipt.unknown_key", "回执由未知的密钥签名", "The receipt is signed by an unknown key";
        BadSignature => "receipt.signature", "回执签名无效", "The receipt's signature does not verify";
    }
}

/// Verifies a receipt envelope against the receiver's published keys (`GET /api/keys`):
/// strict JSON, the key named by `receipt.receiver_key`, an Ed25519 signature (RFC 8032,
/// strict verification) over the canonical receipt.
pub fn verify_receipt(body: &[u8], keys: &[ReceiverKey]) -> Result<Receipt, ReceiptError> {
    let Ok(Value::Object(mut envelope)) = parse_strict(body) else {
        return Err(ReceiptError::Shape);
    };
    let receipt = envelope.remove("receipt");
    let signature = envelope.remove("signature");
    let (Some(receipt), Some(Value::String(signature)), true) =
        (receipt, signature, envelope.is_empty())
    else {
        return Err(ReceiptError::Shape);
    };
    let typed: Receipt = serde_json::from_value(receipt).map_err(|_| ReceiptError::Shape)?;
    if typed.format != RECEIPT_FORMAT {
        return Err(ReceiptError::Shape);
    }
    let key = keys
        .iter()
        .find(|k| k.kid == typed.receiver_key && k.kty == "OKP" && k.crv == "Ed25519")
        .ok_or(ReceiptError::UnknownKey)?;
    let public: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&key.x)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(ReceiptError::UnknownKey)?;
    let key =
        ed25519_dalek::VerifyingKey::from_bytes(&public).map_err(|_| ReceiptError::UnknownKey)?;
    let sig: [u8; 64] = URL_SAFE_NO_PAD
        .decode(signature.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(ReceiptError::BadSignature)?;
    key.verify_strict(
        &typed.signing_bytes(),
        &ed25519_dalek::Signature::from_bytes(&sig),
    )
    .map_err(|_| ReceiptError::BadSignature)?;
    Ok(typed)
}

// ------------------------------------------------------------------------------------------
// The signing date is the day of signing (security review M1)

crate::rule_errors! {
    /// Why a payload's signing time was refused: the signing date is the day of signing, and a
    /// consent captured offline is delivered within the receiver's allowance.
    pub enum SigningTimeRule {
        DateNotSigningDay => "signing.date_not_signing_day",
            "签名日期应为签署当天（签名时间在北京时间的日期）",
            "The signing date must be the day the consent was signed (the date of signed_at in China Standard Time)";
        SignedTooLongAgo => "signed_at.too_old",
            "签名时间早于允许的离线期限，请重新签署",
            "The consent was signed longer ago than this service accepts for offline capture; please sign again";
    }
}

/// The receiver's default offline allowance: how old `signed_at` may be when a consent arrives
/// (a capture kept in an outbox while offline), in days.
pub const DEFAULT_OFFLINE_ALLOWANCE_DAYS: u32 = 30;

fn signing_time_refusal(rule: SigningTimeRule, path: &str) -> Rejection {
    Rejection {
        rule: RuleMessage::of(rule),
        fields: vec![FieldError {
            path: path.to_owned(),
            rule: RuleMessage::of(rule),
        }],
        detail: None,
    }
}

/// `form.signing.date` must be `signed_at`'s date in China Standard Time
/// (`signing.date_not_signing_day`, at `signing.date`). With it, [`check_payload`], which
/// judges the form on `signed_at`'s date, judges the authorisation period and the agent's age
/// on the day of signing, and a signing date cannot be written back into a period that has
/// ended. A `signed_at` that does not parse is left to [`check_payload`] (`signed_at.format`).
pub fn check_signing_date(payload: &ConsentPayload) -> Result<(), Rejection> {
    let Ok(signed_at) = SignedAt::parse(&payload.signed_at) else {
        return Ok(());
    };
    let written = Date::parse_iso(payload.form.signing.date.trim()).ok();
    if written == Some(signed_at.date()) {
        Ok(())
    } else {
        Err(signing_time_refusal(
            SigningTimeRule::DateNotSigningDay,
            "signing.date",
        ))
    }
}

/// `signed_at` no more than `allowance_days` days before the receiver's clock `now_unix`
/// (`signed_at.too_old`): a consent captured offline is delivered within the allowance, and a
/// `signed_at` cannot be back-dated at will. The receiver's setting
/// (`QIANYUE_OFFLINE_ALLOWANCE_DAYS`, default [`DEFAULT_OFFLINE_ALLOWANCE_DAYS`]).
pub fn check_offline_allowance(
    payload: &ConsentPayload,
    now_unix: i64,
    allowance_days: u32,
) -> Result<(), Rejection> {
    let Ok(signed_at) = SignedAt::parse(&payload.signed_at) else {
        return Ok(());
    };
    let earliest = now_unix.saturating_sub(i64::from(allowance_days) * 86_400);
    if signed_at.unix_seconds() < earliest {
        Err(signing_time_refusal(
            SigningTimeRule::SignedTooLongAgo,
            "signed_at",
        ))
    } else {
        Ok(())
    }
}

/// [`check_signing_date`] and [`check_offline_allowance`]: the receiver's checks of when a
/// consent was signed, made before [`check_payload`].
pub fn check_signing_time(
    payload: &ConsentPayload,
    now_unix: i64,
    allowance_days: u32,
) -> Result<(), Rejection> {
    check_signing_date(payload)?;
    check_offline_allowance(payload, now_unix, allowance_days)
}

/// Names compare without surrounding or repeated spaces and without case.
fn fold_name(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_at_round_trips_in_cst() {
        let t = SignedAt::parse("2023-04-10T15:04:05+08:00").unwrap();
        assert_eq!(t.unix_seconds(), 1_681_110_245);
        assert_eq!(t.to_string(), "2023-04-10T15:04:05+08:00");
        assert_eq!(t.date(), Date::new(2023, 4, 10).unwrap());
        let midnight = SignedAt::parse("2023-04-10T00:00:00+08:00").unwrap();
        assert_eq!(midnight.date(), Date::new(2023, 4, 10).unwrap());
        assert_eq!(
            SignedAt::from_unix_seconds(midnight.unix_seconds() - 1)
                .unwrap()
                .to_string(),
            "2023-04-09T23:59:59+08:00"
        );
        for bad in [
            "2023-04-10T15:04:05Z",
            "2023-04-10T15:04:05+00:00",
            "2023-04-10 15:04:05+08:00",
            "2023-04-10T24:00:00+08:00",
            "2023-02-30T10:00:00+08:00",
            "2023-04-10T15:04:05.123+08:00",
        ] {
            assert_eq!(SignedAt::parse(bad), Err(SignedAtError::Format), "{bad}");
        }
    }

    #[test]
    fn uuid_v4_is_checked_exactly() {
        assert!(is_uuid_v4("3b241101-e2bb-4255-8caf-4136c566a962"));
        assert!(!is_uuid_v4("3B241101-E2BB-4255-8CAF-4136C566A962"));
        assert!(!is_uuid_v4("3b241101-e2bb-1255-8caf-4136c566a962"));
        assert!(!is_uuid_v4("3b241101-e2bb-4255-7caf-4136c566a962"));
        assert!(!is_uuid_v4("3b241101e2bb42558caf4136c566a962"));
    }

    #[test]
    fn consent_wording_hash_covers_both_languages() {
        let text = ConsentId::PrivacyPolicy.wording_text();
        assert!(text.starts_with("zh-CN\t我已阅读"));
        assert!(text.contains("\nen\tI have read"));
        assert!(text.ends_with('\n'));
        let hashes: Vec<String> = ConsentId::ALL.iter().map(|c| c.wording_sha256()).collect();
        for (i, h) in hashes.iter().enumerate() {
            assert_eq!(h.len(), 64);
            assert!(!hashes[..i].contains(h));
        }
    }

    #[test]
    fn strokes_are_checked() {
        let line: Vec<[u32; 2]> = (0..20).map(|i| [10 + i * 5, 40]).collect();
        let ok = SignatureImage::Strokes {
            width: 300,
            height: 100,
            strokes: vec![line.clone()],
        };
        assert_eq!(ok.check(), Ok(()));
        assert!(ok.to_svg().unwrap().starts_with("<svg"));
        let dot = SignatureImage::Strokes {
            width: 300,
            height: 100,
            strokes: vec![vec![[5, 5]; 12]],
        };
        assert_eq!(dot.check(), Err(PayloadRule::SignatureImageTrivial));
        let empty = SignatureImage::Strokes {
            width: 300,
            height: 100,
            strokes: vec![],
        };
        assert_eq!(empty.check(), Err(PayloadRule::SignatureImageEmpty));
        let outside = SignatureImage::Strokes {
            width: 50,
            height: 100,
            strokes: vec![line],
        };
        assert_eq!(outside.check(), Err(PayloadRule::SignatureImageBounds));
        let typed = SignatureImage::Typed {
            text: " 刘志强 ".into(),
        };
        assert_eq!(typed.check(), Ok(()));
        assert!(typed.to_svg().is_none());
    }
}
