//! Staff devices and witnessed signing offline (issue 19): an account manager (客户经理) takes
//! a cancellation on site, where no SMS code can be checked. The manager, who meets the signer,
//! records the identity check done in person and the manager's enrolled device co-signs the
//! consent. The rules and numbers live here, pure; the receiver keeps devices and requests, the
//! app's staff mode (`/staff`, contract.md §8) records and signs.
//!
//! - A device is enrolled with a one-time [`EnrolmentCode`]: [`ENROLMENT_CODE_CHARS`] characters
//!   of Crockford's base32 (40 random bits), shown once, valid [`ENROLMENT_TTL_SECONDS`], used
//!   once.
//! - A staff member is named by the back office: [`StaffMember`], an id of the carrier's own
//!   (1–64 of `A-Z a-z 0-9 _ - .`) and a name (1–40 characters).
//! - The identity check done in person is a [`Witness`]: who was checked (`agent` or `contact`
//!   of the form), the document's type and the last four characters of its number (both must
//!   match that person in the form), when, and at most [`MAX_ATTACHMENTS`] photos (the stamped
//!   authorisation letter, the company seal), each named by its media type, size and SHA-256 —
//!   the photo itself travels beside the payload, never inside it.

use serde::{Deserialize, Serialize};

use crate::error::Message;
use crate::form::{FieldError, Form};
use crate::other_id::IdType;
use crate::payload::{is_uuid_v4, Jwk, SignedAt};

/// Characters of an enrolment code (40 bits: 8 × 5).
pub const ENROLMENT_CODE_CHARS: usize = 8;
/// How long an enrolment code works after the back office made it.
pub const ENROLMENT_TTL_SECONDS: i64 = 900;
/// `method` of an identity checked in person by a staff member.
pub const METHOD_WITNESS: &str = "witness";
/// Photos one witness record may name.
pub const MAX_ATTACHMENTS: usize = 2;
/// The largest photo, in bytes (a phone photo downscaled to 1,600 px as JPEG is 200–600 KB).
pub const MAX_ATTACHMENT_BYTES: u64 = 1_048_576;
/// The media types a photo may have.
pub const ATTACHMENT_MEDIA_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// How far the time of a device-signed call may be from the receiver's clock, either way.
pub const DEVICE_SIGNATURE_WINDOW_SECONDS: i64 = 300;
/// The first member of the bytes a device signs for a call ([`device_request_message`]).
pub const DEVICE_MESSAGE_PREFIX: &str = "qianyue-device/1";
/// The agreement's name as the texts to the signer write it.
pub const AGREEMENT_NAME_ZH: &str = "中国移动广东公司业务协议";

/// The bytes an enrolled device signs (ES256, its enrolled key) to authenticate a call:
/// `qianyue-device/1|<METHOD>|<path with query>|<t>`, `t` in unix seconds; sent as the headers
/// `Qianyue-Device: <device id>` and `Qianyue-Device-Signature: t=<t>,sig=<base64url r‖s>`
/// (docs/staff.md).
pub fn device_request_message(method: &str, path_and_query: &str, t: i64) -> String {
    format!("{DEVICE_MESSAGE_PREFIX}|{method}|{path_and_query}|{t}")
}

/// Whether a call signed at `t` may be taken at `now`: within
/// [`DEVICE_SIGNATURE_WINDOW_SECONDS`] either way.
pub fn device_time_within_window(t: i64, now: i64) -> bool {
    now.checked_sub(t)
        .is_some_and(|d| d.abs() <= DEVICE_SIGNATURE_WINDOW_SECONDS)
}

/// The header `Qianyue-Device-Signature: t=<unix seconds>,sig=<base64url>` read into `t` and
/// the signature's text; `None` when it is not of that shape.
pub fn parse_device_signature(header: &str) -> Option<(i64, &str)> {
    let (mut t, mut sig) = (None, None);
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v))
                if !v.is_empty() && v.len() <= 12 && v.bytes().all(|b| b.is_ascii_digit()) =>
            {
                t = v.parse::<i64>().ok();
            }
            Some(("sig", v)) if !v.is_empty() => sig = Some(v),
            _ => return None,
        }
    }
    Some((t?, sig?))
}

/// The text sent to the signer's mobile when a consent witnessed offline reaches the receiver:
/// the agreement, the time of signing (China Standard Time, to the minute), the manager who
/// witnessed it, and the link to the signed copy.
pub fn witnessed_sms_text(staff_name: &str, signed_at: SignedAt, link: &str) -> String {
    let d = signed_at.date();
    let clock = signed_at.to_string();
    // `YYYY-MM-DDTHH:MM:SS+08:00`: the hour and minute are characters 11..16.
    let hm = clock.get(11..16).unwrap_or("");
    format!(
        "【签约】您已于{}年{}月{}日{hm}在客户经理{staff_name}见证下签署《{AGREEMENT_NAME_ZH}》。签署副本：{link}",
        d.year(),
        d.month(),
        d.day()
    )
}

/// Crockford's base32 alphabet: no I, L, O, U (read as 1, 1, 0; U is never written).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

crate::rule_errors! {
    /// Why an enrolment, a staff member, a device or a witness record is refused.
    pub enum StaffRule {
        EnrolmentCodeFormat => "enrolment.code_format", "登记码应为8位字母或数字", "An enrolment code is 8 letters or digits";
        EnrolmentCodeInvalid => "enrolment.code_invalid", "登记码无效、已使用或已过期，请向后台重新获取", "The enrolment code is wrong, used or expired; ask the back office for a new one";
        StaffId => "staff.id", "员工编号应为1至64位字母、数字或 _ - .", "A staff id is 1 to 64 letters, digits or _ - .";
        StaffName => "staff.name", "员工姓名应为1至40个字符", "A staff name is 1 to 40 characters";
        DeviceUnknown => "device.unknown", "该设备未登记", "This device is not enrolled";
        DeviceRevoked => "device.revoked", "该设备已被停用", "This device has been revoked";
        NotAssigned => "request.not_assigned", "该签署请求未分配给此客户经理", "This signing request is not assigned to this account manager";
        WitnessMethod => "witness.method", "现场核验记录的方式应为 witness", "A record of a check in person has the method witness";
        WitnessDocumentType => "witness.document_type", "证件类型与协议中此人的证件类型不一致", "The document type differs from this person's in the agreement";
        WitnessNumberFormat => "witness.number_last4", "请填写证件号码的后4位", "Give the last 4 characters of the document's number";
        WitnessNumberMismatch => "witness.number_mismatch", "证件号码后4位与协议中此人的证件号码不一致", "The last 4 characters differ from this person's document number in the agreement";
        WitnessCheckedAt => "witness.checked_at", "核验时间应在签署时间之前且在同一天", "The check must be made on the signing day, before the signature";
        AttachmentCount => "witness.attachments", "最多附2张照片", "At most 2 photos";
        AttachmentKind => "witness.attachment_kind", "照片应为盖章的授权委托书或公司印章", "A photo is of the stamped authorisation letter or of the company seal";
        AttachmentType => "witness.attachment_type", "照片应为 JPEG、PNG 或 WebP 格式", "A photo is JPEG, PNG or WebP";
        AttachmentSize => "witness.attachment_size", "每张照片不超过1 MB", "Each photo is at most 1 MB";
        AttachmentHash => "witness.attachment_sha256", "照片摘要不正确", "The photo's digest is not a SHA-256";
        WitnessSignature => "witness.signature", "客户经理设备的签名无效", "The account manager's device signature does not verify";
        AttachmentMissing => "witness.attachment_missing", "照片尚未上传，请先上传照片再提交", "A photo the record names has not been uploaded; upload it, then send the consent again";
    }
}

/// A one-time enrolment code: [`ENROLMENT_CODE_CHARS`] characters of Crockford's base32,
/// shown grouped (`7KQ2-M9XD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentCode(String);

impl EnrolmentCode {
    /// The code of 5 random bytes (drawn by the caller from the OS).
    pub fn from_random(bytes: [u8; 5]) -> EnrolmentCode {
        let mut n = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let mut chars = [0u8; ENROLMENT_CODE_CHARS];
        for c in chars.iter_mut().rev() {
            *c = CROCKFORD[(n & 31) as usize];
            n >>= 5;
        }
        EnrolmentCode(chars.iter().map(|&b| b as char).collect())
    }

    /// A code as typed: case, spaces and hyphens ignored, I and L read as 1, O as 0.
    pub fn parse(typed: &str) -> Result<EnrolmentCode, StaffRule> {
        let mut out = String::with_capacity(ENROLMENT_CODE_CHARS);
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
                return Err(StaffRule::EnrolmentCodeFormat);
            }
            out.push(c);
        }
        if out.len() == ENROLMENT_CODE_CHARS {
            Ok(EnrolmentCode(out))
        } else {
            Err(StaffRule::EnrolmentCodeFormat)
        }
    }

    /// The canonical form (8 characters, no hyphen): what is hashed and stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As shown to the back office: two groups of four.
    pub fn grouped(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// What the receiver keeps of an enrolment code (never the code itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedEnrolment {
    pub expires_unix: i64,
    pub used: bool,
}

impl IssuedEnrolment {
    /// A code made at `now`.
    pub fn made_at(now: i64) -> IssuedEnrolment {
        IssuedEnrolment {
            expires_unix: now + ENROLMENT_TTL_SECONDS,
            used: false,
        }
    }

    /// Whether it may enrol a device at `now`. One refusal for used, expired and unknown codes
    /// alike, so that a guess learns nothing.
    pub fn redeem(self, now: i64) -> Result<(), StaffRule> {
        if self.used || now >= self.expires_unix {
            Err(StaffRule::EnrolmentCodeInvalid)
        } else {
            Ok(())
        }
    }
}

/// A staff member as the back office names one (`{"id", "name"}`, contract.md §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
}

impl StaffMember {
    /// The first failing rule with its path (`staff.id`, `staff.name`), if any.
    pub fn check(&self) -> Vec<(&'static str, StaffRule)> {
        let mut out = Vec::new();
        if let Err(e) = check_staff_id(&self.id) {
            out.push(("staff.id", e));
        }
        let n = self.name.trim().chars().count();
        if !(1..=40).contains(&n)
            || self.name.chars().any(char::is_control)
            || self.name.chars().any(crate::text::is_format_control)
        {
            out.push(("staff.name", StaffRule::StaffName));
        }
        out
    }
}

/// A staff id of the carrier's own: 1–64 of `A-Z a-z 0-9 _ - .` (also a request's
/// `assignee`).
pub fn check_staff_id(id: &str) -> Result<(), StaffRule> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(StaffRule::StaffId)
    }
}

/// What a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// The authorisation letter (授权委托书) with the company's stamp.
    AuthorisationLetter,
    /// The company seal (公章) itself.
    CompanySeal,
}

/// A photo named by a witness record: the bytes travel beside the payload; the payload holds
/// their size and digest, so the signatures cover them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub kind: AttachmentKind,
    pub media_type: String,
    pub bytes: u64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
}

/// Which person of the form was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Person {
    /// The authorised agent (`agent.*`), who signs for the company.
    Agent,
    /// The company's contact (`contact.*`).
    Contact,
}

/// The identity check an account manager made in person: `witness` of a witnessed consent
/// (docs/payload.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// [`METHOD_WITNESS`].
    pub method: String,
    /// The manager, as enrolled.
    pub staff: StaffMember,
    /// The enrolled device's id (a UUID v4).
    pub device: String,
    /// The device's public key (P-256 JWK), whose `witness_signature` covers the payload;
    /// the receiver checks that it is the key it enrolled under `device`.
    pub device_key: Jwk,
    pub person: Person,
    /// The document shown: a label of [`IdType`] as the form writes it (`身份证`).
    pub document_type: String,
    /// Its number's last four characters, upper-case (`531X`).
    pub number_last4: String,
    /// When the check was made, `YYYY-MM-DDTHH:MM:SS+08:00`.
    pub checked_at: String,
    pub attachments: Vec<Attachment>,
}

impl Witness {
    /// Every failing rule of the record against the signed `form` and `signed_at`, each at
    /// its path inside the payload (`witness.number_last4`, `witness.attachments.1.bytes`, …).
    pub fn check(&self, form: &Form, signed_at: SignedAt) -> Vec<FieldError> {
        let mut out = Vec::new();
        let mut fail = |path: String, rule: StaffRule| {
            out.push(FieldError {
                path,
                rule: Message::of(rule),
            })
        };
        if self.method != METHOD_WITNESS {
            fail("witness.method".into(), StaffRule::WitnessMethod);
        }
        for (path, rule) in self.staff.check() {
            fail(format!("witness.{path}"), rule);
        }
        if !is_uuid_v4(&self.device) {
            fail("witness.device".into(), StaffRule::DeviceUnknown);
        }
        let (their_type, their_number) = match self.person {
            Person::Agent => (&form.agent.id_type, &form.agent.id_number),
            Person::Contact => (&form.contact.id_type, &form.contact.id_number),
        };
        let shown = IdType::from_label(&self.document_type);
        if shown.is_none() || shown != IdType::from_label(their_type) {
            fail(
                "witness.document_type".into(),
                StaffRule::WitnessDocumentType,
            );
        }
        match last4(&self.number_last4) {
            None => fail(
                "witness.number_last4".into(),
                StaffRule::WitnessNumberFormat,
            ),
            Some(l4) if last4_of(their_number).as_deref() != Some(l4.as_str()) => fail(
                "witness.number_last4".into(),
                StaffRule::WitnessNumberMismatch,
            ),
            Some(_) => {}
        }
        match SignedAt::parse(&self.checked_at) {
            Ok(at)
                if at.unix_seconds() <= signed_at.unix_seconds()
                    && at.date() == signed_at.date() => {}
            _ => fail("witness.checked_at".into(), StaffRule::WitnessCheckedAt),
        }
        if self.attachments.len() > MAX_ATTACHMENTS {
            fail("witness.attachments".into(), StaffRule::AttachmentCount);
        }
        for (i, a) in self.attachments.iter().enumerate() {
            if !ATTACHMENT_MEDIA_TYPES.contains(&a.media_type.as_str()) {
                fail(
                    format!("witness.attachments.{i}.media_type"),
                    StaffRule::AttachmentType,
                );
            }
            if a.bytes == 0 || a.bytes > MAX_ATTACHMENT_BYTES {
                fail(
                    format!("witness.attachments.{i}.bytes"),
                    StaffRule::AttachmentSize,
                );
            }
            if !is_sha256_hex(&a.sha256) {
                fail(
                    format!("witness.attachments.{i}.sha256"),
                    StaffRule::AttachmentHash,
                );
            }
        }
        out
    }
}

/// Four characters `0-9 A-Z` (upper-cased) as typed; `None` for anything else.
fn last4(typed: &str) -> Option<String> {
    let t = typed.trim().to_ascii_uppercase();
    (t.len() == 4 && t.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(t)
}

/// The last four characters of a document number as the form holds it (spaces dropped,
/// upper-cased), when it has four.
fn last4_of(number: &str) -> Option<String> {
    let chars: Vec<char> = number
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (chars.len() >= 4).then(|| chars[chars.len() - 4..].iter().collect())
}

/// Whether `s` is a SHA-256 digest written as 64 lower-case hex digits (a photo's name).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_signs_the_method_the_path_and_the_time() {
        assert_eq!(
            device_request_message("GET", "/api/staff/requests?x=1", 1_700_000_000),
            "qianyue-device/1|GET|/api/staff/requests?x=1|1700000000"
        );
        assert!(device_time_within_window(1_000, 1_300));
        assert!(device_time_within_window(1_300, 1_000));
        assert!(!device_time_within_window(1_000, 1_301));
        assert!(!device_time_within_window(i64::MIN, 1));
        assert_eq!(
            parse_device_signature("t=1700000000,sig=abc_-"),
            Some((1_700_000_000, "abc_-"))
        );
        for bad in [
            "",
            "t=1",
            "sig=a",
            "t=x,sig=a",
            "t=1,sig=a,v=2",
            "t=-1,sig=a",
        ] {
            assert_eq!(parse_device_signature(bad), None, "{bad:?}");
        }
    }

    /// The example of issue 19's design: signed 2023-04-10 15:04 (CST), witnessed by 陈晓明.
    #[test]
    fn the_text_after_sync_names_the_agreement_the_time_the_manager_and_the_link() {
        let at = SignedAt::parse("2023-04-10T15:04:27+08:00").unwrap();
        assert_eq!(
            witnessed_sms_text("陈晓明", at, "https://q.example.cn/c"),
            "【签约】您已于2023年4月10日15:04在客户经理陈晓明见证下签署《中国移动广东公司业务协议》。签署副本：https://q.example.cn/c"
        );
    }

    #[test]
    fn a_code_of_random_bytes_is_eight_crockford_characters_that_parse_back() {
        assert_eq!(EnrolmentCode::from_random([0; 5]).as_str(), "00000000");
        assert_eq!(EnrolmentCode::from_random([0xff; 5]).as_str(), "ZZZZZZZZ");
        let code = EnrolmentCode::from_random([0x3a, 0x91, 0x07, 0xc4, 0x5e]);
        assert_eq!(code.as_str().len(), ENROLMENT_CODE_CHARS);
        assert_eq!(EnrolmentCode::parse(&code.grouped()), Ok(code.clone()));
        assert_eq!(
            EnrolmentCode::parse(&code.as_str().to_lowercase()),
            Ok(code)
        );
    }

    #[test]
    fn a_typed_code_reads_i_l_as_one_and_o_as_zero_and_refuses_the_rest() {
        assert_eq!(
            EnrolmentCode::parse(" ilo0-abcd ").unwrap().as_str(),
            "1100ABCD"
        );
        for bad in ["", "1234567", "123456789", "1234-567U", "1234 56７8"] {
            assert_eq!(
                EnrolmentCode::parse(bad),
                Err(StaffRule::EnrolmentCodeFormat),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_code_works_once_and_until_it_expires() {
        let issued = IssuedEnrolment::made_at(1_000);
        assert_eq!(issued.redeem(1_000 + ENROLMENT_TTL_SECONDS - 1), Ok(()));
        assert_eq!(
            issued.redeem(1_000 + ENROLMENT_TTL_SECONDS),
            Err(StaffRule::EnrolmentCodeInvalid)
        );
        let used = IssuedEnrolment {
            used: true,
            ..issued
        };
        assert_eq!(used.redeem(1_001), Err(StaffRule::EnrolmentCodeInvalid));
    }

    #[test]
    fn a_staff_member_has_a_plain_id_and_a_short_name() {
        let ok = StaffMember {
            id: "gz-0042".into(),
            name: "陈晓明".into(),
        };
        assert!(ok.check().is_empty());
        let bad = StaffMember {
            id: "gz 0042".into(),
            name: "\u{202e}陈".into(),
        };
        let paths: Vec<&str> = bad.check().into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["staff.id", "staff.name"]);
        let long = StaffMember {
            id: "x".repeat(65),
            name: "名".repeat(41),
        };
        assert_eq!(long.check().len(), 2);
    }
}
