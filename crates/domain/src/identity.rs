//! The signer's identity (issue 17 item 3): a one-time code sent by SMS to the request's
//! `signer.mobile` and typed back before the signature (意愿认证, as 法大大, e签宝 and 契约锁
//! ask it). The rules and numbers live here, as pure functions of the stored facts and the
//! clock; the receiver keeps the facts (crates/receiver/src/requests/identity.rs) and the SMS
//! gateway sends the text (crates/receiver/src/sms.rs).
//!
//! - A code is [`CODE_DIGITS`] decimal digits, valid [`CODE_TTL_SECONDS`] after it was sent.
//! - A code allows [`MAX_TRIES`] tries: the fifth wrong one locks it (`code.locked`: ask for a
//!   new one); a locked code is refused even when right.
//! - Only the newest code of a request counts: sending a new one retires the older ones.
//! - A new code is sent at the earliest [`RESEND_AFTER_SECONDS`] after the previous one, and at
//!   most [`MAX_CODES_PER_HOUR`] in any 3,600 seconds for one request.
//!
//! The verification the receiver records and the signer's payload carries (`identity` of
//! `qianyue-consent/2`, docs/payload.md) is an [`Identity`]: the method, the masked mobile and
//! when.

use serde::{Deserialize, Serialize};

use crate::error::Message;
use crate::payload::SignedAt;

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;
/// How long a code is valid, from when it was sent.
pub const CODE_TTL_SECONDS: i64 = 300;
/// Tries per code.
pub const MAX_TRIES: u32 = 5;
/// How long after a code the next may be sent.
pub const RESEND_AFTER_SECONDS: i64 = 60;
/// Codes per request in any hour.
pub const MAX_CODES_PER_HOUR: usize = 5;
/// The window of [`MAX_CODES_PER_HOUR`].
pub const HOUR_SECONDS: i64 = 3_600;
/// `identity.method` of a verification by SMS code.
pub const METHOD_SMS: &str = "sms";

crate::rule_errors! {
    /// Why a one-time code, a verification or a consent of a request is refused.
    pub enum IdentityRule {
        CodeFormat => "code.format", "验证码应为6位数字", "The code is 6 digits";
        CodeWrong => "code.wrong", "验证码不正确", "The code is not correct";
        CodeExpired => "code.expired", "验证码已过期，请重新获取", "The code has expired; ask for a new one";
        CodeLocked => "code.locked", "验证码错误次数过多，请重新获取", "Too many wrong tries; ask for a new code";
        CodeNone => "code.none", "请先获取验证码", "No code was sent; ask for one first";
        ResendWait => "code.resend_wait", "验证码发送过于频繁，请稍后再试", "A code was sent a moment ago; wait before asking again";
        HourlyLimit => "code.hourly_limit", "验证码发送次数已达上限，请一小时后再试", "Too many codes for this request this hour; try again later";
        Mismatch => "identity.mismatch", "身份核验信息与记录不一致", "The identity verification does not match the receiver's record";
        Readonly => "request.readonly", "由中国移动提供的内容被修改，见各字段说明", "Values provided by China Mobile were changed; see the fields";
        ReadonlyChanged => "request.readonly_changed", "此项由中国移动提供，不可修改", "This value is provided by China Mobile and cannot be changed";
        NotVerified => "request.not_verified", "尚未完成短信验证码核验", "The signer's mobile has not been verified by code yet";
        SmsUnavailable => "sms.unavailable", "短信暂时无法发送，请稍后重试", "The text message cannot be sent right now; please retry";
    }
}

/// The message of a wrong code, with the tries left (`code.wrong`).
pub fn wrong_code_message(tries_left: u32) -> Message {
    Message::new(
        "code.wrong",
        format!("验证码不正确，还可尝试 {tries_left} 次"),
        format!(
            "The code is not correct; {tries_left} {} left",
            if tries_left == 1 { "try" } else { "tries" }
        ),
    )
}

/// A code as typed: [`CODE_DIGITS`] ASCII digits (white space around it is dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    /// Parses a typed code.
    pub fn parse(s: &str) -> Result<Code, IdentityRule> {
        let t = s.trim();
        if t.len() == CODE_DIGITS && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Code(t.to_owned()))
        } else {
            Err(IdentityRule::CodeFormat)
        }
    }

    /// The code of a number below 1,000,000 (drawn uniformly by the caller), zero-padded;
    /// `None` for a larger number.
    pub fn from_number(n: u32) -> Option<Code> {
        (n < 1_000_000).then(|| Code(format!("{n:06}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text sent to the signer (docs/requests.md).
    pub fn sms_text(&self) -> String {
        format!(
            "【签约】验证码 {}，5 分钟内有效。您正在签署中国移动广东公司业务协议，请勿告诉他人。",
            self.0
        )
    }
}

/// What the receiver stores of a code sent (never the code itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentCode {
    pub sent_unix: i64,
    pub expires_unix: i64,
    /// Wrong tries so far.
    pub tries: u32,
    /// Whether it verified the signer already.
    pub used: bool,
}

impl SentCode {
    /// A code sent at `now`.
    pub fn sent_at(now: i64) -> SentCode {
        SentCode {
            sent_unix: now,
            expires_unix: now + CODE_TTL_SECONDS,
            tries: 0,
            used: false,
        }
    }
}

/// Why no code is sent now, and in how many seconds one may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRefusal {
    pub rule: IdentityRule,
    pub retry_after: i64,
}

/// Whether a new code may be sent at `now`, given when the request's earlier codes were sent
/// (any order): [`RESEND_AFTER_SECONDS`] after the newest, and fewer than
/// [`MAX_CODES_PER_HOUR`] within the last hour.
pub fn may_send(sent_unix: &[i64], now: i64) -> Result<(), SendRefusal> {
    if let Some(newest) = sent_unix.iter().copied().max() {
        let wait = newest + RESEND_AFTER_SECONDS - now;
        if wait > 0 {
            return Err(SendRefusal {
                rule: IdentityRule::ResendWait,
                retry_after: wait,
            });
        }
    }
    let mut within: Vec<i64> = sent_unix
        .iter()
        .copied()
        .filter(|&t| t > now - HOUR_SECONDS)
        .collect();
    if within.len() >= MAX_CODES_PER_HOUR {
        within.sort_unstable();
        // A slot comes back when the oldest code that fills the hour leaves it.
        let oldest = within[within.len() - MAX_CODES_PER_HOUR];
        return Err(SendRefusal {
            rule: IdentityRule::HourlyLimit,
            retry_after: (oldest + HOUR_SECONDS - now).max(1),
        });
    }
    Ok(())
}

/// The outcome of a code typed at `now` against the request's newest code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Right: the signer is verified (the code is used up).
    Verified,
    /// Wrong: one more wrong try recorded; this many left.
    Wrong { tries_left: u32 },
    /// Wrong, and that was the last try: the code is locked (the try is recorded).
    WrongLocked,
    /// The code was locked before: nothing is compared or recorded.
    Locked,
    /// Past its expiry: nothing is compared or recorded.
    Expired,
    /// No code was sent (or the newest was used): nothing is compared.
    NoCode,
}

impl Verdict {
    /// Whether the stored try count goes up by one.
    pub fn counts_a_try(self) -> bool {
        matches!(self, Verdict::Wrong { .. } | Verdict::WrongLocked)
    }

    /// The refusal, or `None` for [`Verdict::Verified`].
    pub fn refusal(self) -> Option<Message> {
        Some(match self {
            Verdict::Verified => return None,
            Verdict::Wrong { tries_left } => wrong_code_message(tries_left),
            Verdict::WrongLocked | Verdict::Locked => IdentityRule::CodeLocked.into(),
            Verdict::Expired => IdentityRule::CodeExpired.into(),
            Verdict::NoCode => IdentityRule::CodeNone.into(),
        })
    }
}

/// Judges a typed code: `newest` is the request's newest code (`None`: none sent),
/// `matches` whether the typed code hashes to it. The order: none, locked, expired, then the
/// comparison.
pub fn judge(newest: Option<&SentCode>, matches: bool, now: i64) -> Verdict {
    let Some(code) = newest.filter(|c| !c.used) else {
        return Verdict::NoCode;
    };
    if code.tries >= MAX_TRIES {
        return Verdict::Locked;
    }
    if now >= code.expires_unix {
        return Verdict::Expired;
    }
    if matches {
        return Verdict::Verified;
    }
    match MAX_TRIES - code.tries - 1 {
        0 => Verdict::WrongLocked,
        left => Verdict::Wrong { tries_left: left },
    }
}

/// `payload.identity` of `qianyue-consent/2`, and the receiver's record of a verification:
/// how, the mobile as shown ([`crate::request::mask_mobile`]), when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// [`METHOD_SMS`].
    pub method: String,
    /// `138****5678`.
    pub mobile: String,
    /// `YYYY-MM-DDTHH:MM:SS+08:00`.
    pub verified_at: String,
}

impl Identity {
    /// The verification read from the shape serde's derived reader takes (exactly the three
    /// strings `method`, `mobile` and `verified_at`), by hand: the app reads the receiver's
    /// verification with it, without serde's readers (docs/bytes.md). `None` for anything
    /// else; whether the members are well formed is [`Identity::malformed_paths`].
    pub fn read(value: &serde_json::Value) -> Option<Identity> {
        if value.as_object()?.len() != 3 {
            return None;
        }
        let text = |key: &str| crate::json::string_member(value, key);
        Some(Identity {
            method: text("method")?,
            mobile: text("mobile")?,
            verified_at: text("verified_at")?,
        })
    }

    /// A verification by SMS code of the masked `mobile` at `at`.
    pub fn sms(mobile: &str, at: SignedAt) -> Identity {
        Identity {
            method: METHOD_SMS.into(),
            mobile: mobile.into(),
            verified_at: at.to_string(),
        }
    }

    /// The paths of the members that are not of the documented shape (`identity.method`,
    /// `identity.mobile`, `identity.verified_at`).
    pub fn malformed_paths(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.method != METHOD_SMS {
            out.push("identity.method");
        }
        if !is_masked_mobile(&self.mobile) {
            out.push("identity.mobile");
        }
        if SignedAt::parse(&self.verified_at).is_err() {
            out.push("identity.verified_at");
        }
        out
    }
}

/// Whether `s` is a masked mainland mobile: 3 digits, `****`, 4 digits.
pub fn is_masked_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[..3].iter().all(u8::is_ascii_digit)
        && &b[3..7] == b"****"
        && b[7..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_796_000_000;

    #[test]
    fn a_code_is_six_ascii_digits() {
        assert_eq!(Code::parse(" 012345 ").unwrap().as_str(), "012345");
        for bad in ["12345", "1234567", "12a456", "１２３４５６", "", "12 456"] {
            assert_eq!(Code::parse(bad), Err(IdentityRule::CodeFormat), "{bad:?}");
        }
        assert_eq!(Code::from_number(42).unwrap().as_str(), "000042");
        assert_eq!(Code::from_number(999_999).unwrap().as_str(), "999999");
        assert_eq!(Code::from_number(1_000_000), None);
        assert_eq!(
            Code::from_number(123_456).unwrap().sms_text(),
            "【签约】验证码 123456，5 分钟内有效。您正在签署中国移动广东公司业务协议，请勿告诉他人。"
        );
    }

    /// "valid 5 minutes": the code checks up to 299 s after it was sent, not at 300 s.
    #[test]
    fn a_code_is_valid_five_minutes() {
        let c = SentCode::sent_at(T0);
        assert_eq!(judge(Some(&c), true, T0 + 299), Verdict::Verified);
        assert_eq!(judge(Some(&c), true, T0 + 300), Verdict::Expired);
        assert_eq!(judge(Some(&c), false, T0 + 300), Verdict::Expired);
        assert!(!Verdict::Expired.counts_a_try());
    }

    /// "at most 5 tries per code": four wrong tries tell what is left, the fifth locks, and
    /// a locked code is refused even when right.
    #[test]
    fn the_fifth_wrong_try_locks_the_code() {
        let mut c = SentCode::sent_at(T0);
        let mut seen = Vec::new();
        for _ in 0..MAX_TRIES {
            let v = judge(Some(&c), false, T0 + 10);
            assert!(v.counts_a_try());
            seen.push(v);
            c.tries += 1;
        }
        assert_eq!(
            seen,
            [
                Verdict::Wrong { tries_left: 4 },
                Verdict::Wrong { tries_left: 3 },
                Verdict::Wrong { tries_left: 2 },
                Verdict::Wrong { tries_left: 1 },
                Verdict::WrongLocked,
            ]
        );
        assert_eq!(judge(Some(&c), true, T0 + 10), Verdict::Locked);
        assert!(!Verdict::Locked.counts_a_try());
        assert_eq!(
            Verdict::WrongLocked.refusal().unwrap().code(),
            "code.locked"
        );
        let m = Verdict::Wrong { tries_left: 3 }.refusal().unwrap();
        assert_eq!(m.code(), "code.wrong");
        assert!(m.zh.contains('3') && m.en.contains("3 tries left"), "{m:?}");
    }

    #[test]
    fn no_code_or_a_used_one_is_code_none() {
        assert_eq!(judge(None, true, T0), Verdict::NoCode);
        let mut c = SentCode::sent_at(T0);
        c.used = true;
        assert_eq!(judge(Some(&c), true, T0 + 1), Verdict::NoCode);
        assert_eq!(Verdict::NoCode.refusal().unwrap().code(), "code.none");
        assert_eq!(Verdict::Verified.refusal(), None);
    }

    /// "resend after 60 s": 59 s after a code the wait is 1 s; at 60 s one may be sent.
    #[test]
    fn a_new_code_waits_sixty_seconds() {
        assert_eq!(may_send(&[], T0), Ok(()));
        assert_eq!(
            may_send(&[T0], T0 + 59),
            Err(SendRefusal {
                rule: IdentityRule::ResendWait,
                retry_after: 1
            })
        );
        assert_eq!(
            may_send(&[T0], T0).unwrap_err().retry_after,
            RESEND_AFTER_SECONDS
        );
        assert_eq!(may_send(&[T0], T0 + 60), Ok(()));
    }

    /// "at most 5 codes per request per hour": the sixth within 3,600 s is refused until the
    /// first leaves the hour.
    #[test]
    fn at_most_five_codes_an_hour() {
        let five: Vec<i64> = (0..5).map(|i| T0 + i * 60).collect();
        let refused = may_send(&five, T0 + 300).unwrap_err();
        assert_eq!(refused.rule, IdentityRule::HourlyLimit);
        assert_eq!(refused.retry_after, 3_300);
        assert_eq!(may_send(&five, T0 + 3_599).unwrap_err().retry_after, 1);
        assert_eq!(may_send(&five, T0 + 3_600), Ok(()));
        let four = &five[1..];
        assert_eq!(may_send(four, T0 + 300), Ok(()));
    }

    #[test]
    fn an_identity_has_the_documented_shape() {
        let at = SignedAt::parse("2026-12-02T10:15:00+08:00").unwrap();
        let id = Identity::sms("138****5678", at);
        assert_eq!(id.verified_at, "2026-12-02T10:15:00+08:00");
        assert!(id.malformed_paths().is_empty());
        let bad = Identity {
            method: "email".into(),
            mobile: "13812345678".into(),
            verified_at: "2026-12-02T10:15:00Z".into(),
        };
        assert_eq!(
            bad.malformed_paths(),
            ["identity.method", "identity.mobile", "identity.verified_at"]
        );
        assert!(is_masked_mobile("138****5678"));
        assert!(!is_masked_mobile("138***45678"));
    }
}
