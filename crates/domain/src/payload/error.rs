//! Errors: the refusal codes of the envelope and the payload, and the refusal itself.

use super::*;

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

/// A refusal as the receiver answers it, and as the app and any client read it back: a code
/// and messages, and the failing fields. The wire shape is this type's serde:
/// `{"code", "message_zh", "message_en", "fields": [..], "fields_omitted"?, "detail"?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub rule: RuleMessage,
    pub fields: Vec<FieldError>,
    /// A technical detail for integrators (English, not stable), e.g. which member is missing.
    pub detail: Option<String>,
}

impl Rejection {
    pub fn code(&self) -> &str {
        &self.rule.code
    }

    /// A refusal of the whole request by one rule, naming one field (empty: none).
    pub fn of(rule: impl Into<RuleMessage>, path: &str) -> Rejection {
        let rule = rule.into();
        let fields = if path.is_empty() {
            Vec::new()
        } else {
            vec![FieldError {
                path: path.to_owned(),
                rule: rule.clone(),
            }]
        };
        Rejection {
            rule,
            fields,
            detail: None,
        }
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
        st.serialize_field("code", &self.rule.code)?;
        st.serialize_field("message_zh", &self.rule.zh)?;
        st.serialize_field("message_en", &self.rule.en)?;
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

/// A refusal read back from the wire (the app, a portal, a test), through [`Rejection::read`].
impl<'de> Deserialize<'de> for Rejection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rejection, D::Error> {
        let value = Value::deserialize(d)?;
        Rejection::read(&value)
            .ok_or_else(|| serde::de::Error::custom("not a refusal in the documented shape"))
    }
}

impl Rejection {
    /// A refusal read from its wire shape: an object with the strings `code`, `message_zh` and
    /// `message_en`; `fields`, if given, a list of objects with the strings `path`, `code`,
    /// `message_zh` and `message_en`; `detail`, if given, a string or null. Other members (such
    /// as `fields_omitted`: the reader has the fields that were written) are passed over.
    /// `None` for anything else. Written out rather than derived: the app reads every refusal
    /// with it, and serde's reader of this shape (a flattened message) was some 8 KB of the
    /// signing step's code (docs/bytes.md).
    pub fn read(value: &Value) -> Option<Rejection> {
        let fields = match value.as_object()?.get("fields") {
            None => Vec::new(),
            Some(list) => list
                .as_array()?
                .iter()
                .map(|f| {
                    Some(FieldError {
                        path: f.as_object()?.get("path")?.as_str()?.to_owned(),
                        rule: message_in(f)?,
                    })
                })
                .collect::<Option<_>>()?,
        };
        let detail = match value.get("detail") {
            None | Some(Value::Null) => None,
            Some(d) => Some(d.as_str()?.to_owned()),
        };
        Some(Rejection {
            rule: message_in(value)?,
            fields,
            detail,
        })
    }
}

/// The message whose `code`, `message_zh` and `message_en` are members of `object`.
fn message_in(object: &Value) -> Option<RuleMessage> {
    let text = |key: &str| crate::json::string_member(object, key);
    Some(RuleMessage::new(
        text("code")?,
        text("message_zh")?,
        text("message_en")?,
    ))
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
    pub(super) fn new(rule: EnvelopeRule, path: impl Into<String>) -> PayloadError {
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
        Rejection {
            detail: e.detail,
            ..Rejection::of(e.rule, &e.path)
        }
    }
}

/// A path inside the payload as reported: values of `payload.form` by their contract path.
pub(super) fn report_path(inside_payload: &str) -> String {
    inside_payload
        .strip_prefix("form.")
        .unwrap_or(inside_payload)
        .to_owned()
}
