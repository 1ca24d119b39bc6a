//! E-mail addresses: a practical subset of RFC 5321 / RFC 5322 `addr-spec` (domain spec §3.4),
//! checked by hand (no regex crate: it would cost the browser bundle 60–800 KB).
//!
//! Normalisation: full-width folded and trimmed ([`crate::text::normalise`], so `＠` is `@`);
//! U+3002 IDEOGRAPHIC FULL STOP and U+FF61 HALFWIDTH IDEOGRAPHIC FULL STOP read as `.` (a
//! Chinese input method types `。` for a dot; IDNA treats them as label separators too); the
//! domain is lower-cased (domains are case-insensitive); the local part keeps its case (RFC 5321
//! leaves its case to the receiving host).
//!
//! Accepted: `local@domain` where
//! - the whole address is at most 254 characters (RFC 5321's 256-octet path minus the angle
//!   brackets);
//! - the local part is a dot-atom of at most 64 characters: ASCII letters, digits and
//!   ``!#$%&'*+-/=?^_`{|}~``, separated by single dots, no dot first or last;
//! - the domain has at least two labels separated by dots; each label 1–63 characters of ASCII
//!   letters, digits and hyphens (LDH), not starting or ending with a hyphen;
//! - the last label (TLD) is at least 2 letters, or an A-label `xn--…` (an internationalised
//!   TLD such as `xn--fiqs8s`, 中国).
//!
//! Decisions (refused, each with its own error): quoted local parts (`"a b"@x.cn`: legal in
//! RFC 5322 but accepted by almost no mail system a carrier would send to, and a source of
//! confusion); non-ASCII local parts (SMTPUTF8, RFC 6531) and Unicode domain names (enter the
//! `xn--` form; converting would need IDNA tables); domain literals (`user@[192.0.2.1]`);
//! comments; a domain without a dot (`user@localhost`).

use crate::text;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

crate::rule_errors! {
    /// Why an e-mail address was refused.
    pub enum EmailError {
        Empty => "email.empty",
            "请填写电子邮箱",
            "Enter the e-mail address";
        AtSign => "email.at_sign",
            "电子邮箱应包含且只包含一个@",
            "An e-mail address contains exactly one @";
        QuotedLocal => "email.quoted_local",
            "不支持带引号的邮箱用户名",
            "Quoted user names (\"…\"@) are not accepted";
        TooLong => "email.too_long",
            "电子邮箱不能超过254个字符",
            "An e-mail address has at most 254 characters";
        LocalEmpty => "email.local_empty",
            "@前缺少用户名",
            "The user name before @ is missing";
        LocalTooLong => "email.local_too_long",
            "@前的用户名不能超过64个字符",
            "The user name before @ has at most 64 characters";
        LocalCharset => "email.local_charset",
            "@前的用户名只能包含英文字母、数字和 . ! # $ % & ' * + - / = ? ^ _ ` { | } ~",
            "The user name before @ may contain letters, digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~ only";
        LocalDots => "email.local_dots",
            "@前的用户名不能以点开头或结尾，也不能有连续的点",
            "The user name before @ cannot start or end with a dot or contain two dots in a row";
        DomainEmpty => "email.domain_empty",
            "@后缺少域名",
            "The domain after @ is missing";
        DomainNoDot => "email.domain_no_dot",
            "域名应至少包含一个点，如 139.com",
            "The domain contains at least one dot, e.g. 139.com";
        DomainLabel => "email.domain_label",
            "域名各段只能包含英文字母、数字和连字符（1–63位，不以连字符开头或结尾；中文域名请填写 xn-- 形式）",
            "Each part of the domain has 1–63 letters, digits or hyphens, not starting or ending with a hyphen (enter internationalised domains in their xn-- form)";
        Tld => "email.tld",
            "顶级域名应为至少2个英文字母",
            "The top-level domain has at least 2 letters";
    }
}

/// A valid e-mail address; the domain is lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email {
    address: String,
    at: usize,
}

fn is_atext(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&c)
}

fn is_tld(label: &str) -> bool {
    (label.len() >= 2 && label.bytes().all(|c| c.is_ascii_alphabetic()))
        || (label.len() > 4 && label.starts_with("xn--"))
}

impl Email {
    pub fn parse(s: &str) -> Result<Email, EmailError> {
        use EmailError as E;
        let s: String = text::normalise(s)
            .chars()
            .map(|c| {
                if c == '\u{3002}' || c == '\u{FF61}' {
                    '.'
                } else {
                    c
                }
            })
            .collect();
        if s.is_empty() {
            return Err(E::Empty);
        }
        if s.starts_with('"') {
            return Err(E::QuotedLocal);
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(E::AtSign);
        };
        if domain.contains('@') {
            return Err(E::AtSign);
        }
        if s.chars().count() > 254 {
            return Err(E::TooLong);
        }
        if local.is_empty() {
            return Err(E::LocalEmpty);
        }
        if local.chars().count() > 64 {
            return Err(E::LocalTooLong);
        }
        if !local.bytes().all(|c| c == b'.' || is_atext(c)) {
            return Err(E::LocalCharset);
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(E::LocalDots);
        }
        if domain.is_empty() {
            return Err(E::DomainEmpty);
        }
        if !domain.contains('.') {
            return Err(E::DomainNoDot);
        }
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if !domain.split('.').all(label_ok) {
            return Err(E::DomainLabel);
        }
        if !domain.rsplit('.').next().is_some_and(is_tld) {
            return Err(E::Tld);
        }
        let address = format!("{local}@{}", domain.to_ascii_lowercase());
        Ok(Email {
            at: local.len(),
            address,
        })
    }

    /// The whole address, domain in lower case.
    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The part before `@`, as typed.
    pub fn local_part(&self) -> &str {
        &self.address[..self.at]
    }

    /// The part after `@`, lower case.
    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }
}

impl core::fmt::Display for Email {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.address)
    }
}

impl core::str::FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Email, EmailError> {
        Email::parse(s)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.address)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Email, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<String, EmailError> {
        Email::parse(s).map(|e| e.as_str().to_owned())
    }

    #[test]
    fn seed_addresses() {
        for s in ["13800138000@139.com", "13912345678@139.com"] {
            let e = Email::parse(s).unwrap();
            assert_eq!(e.as_str(), s);
            assert_eq!(e.domain(), "139.com");
        }
        assert_eq!(
            Email::parse("13800138000@139.com").unwrap().local_part(),
            "13800138000"
        );
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(
            p(" Zhang.Wei+sign@Example.COM.cn ").as_deref(),
            Ok("Zhang.Wei+sign@example.com.cn")
        );
        assert_eq!(
            p("１３８００１３８０００＠１３９．ｃｏｍ").as_deref(),
            Ok("13800138000@139.com")
        );
        assert_eq!(p("a@139。com").as_deref(), Ok("a@139.com"));
        assert_eq!(
            p("o'brien@mail-1.example.org").as_deref(),
            Ok("o'brien@mail-1.example.org")
        );
        assert_eq!(
            p("x@example.xn--fiqs8s").as_deref(),
            Ok("x@example.xn--fiqs8s")
        );
        assert!(p(&format!("{}@x.cn", "a".repeat(64))).is_ok());
        let long_domain = format!(
            "{}.{}.{}.cn",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(58)
        );
        assert!(
            p(&format!("{}@{long_domain}", "u".repeat(64))).is_ok(),
            "254 characters"
        );
    }

    #[test]
    fn each_error_variant() {
        use EmailError as E;
        assert_eq!(p(""), Err(E::Empty));
        assert_eq!(p("\u{3000}"), Err(E::Empty));
        assert_eq!(p("13800138000.139.com"), Err(E::AtSign));
        assert_eq!(p("a@b@139.com"), Err(E::AtSign));
        assert_eq!(p("\"a b\"@139.com"), Err(E::QuotedLocal));
        let long_domain = format!(
            "{}.{}.{}.cn",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(59)
        );
        assert_eq!(
            p(&format!("{}@{long_domain}", "u".repeat(64))),
            Err(E::TooLong)
        );
        assert_eq!(p("@139.com"), Err(E::LocalEmpty));
        assert_eq!(p(&format!("{}@x.cn", "a".repeat(65))), Err(E::LocalTooLong));
        assert_eq!(p("a b@139.com"), Err(E::LocalCharset));
        assert_eq!(p("张伟@139.com"), Err(E::LocalCharset));
        assert_eq!(p("a(comment)@139.com"), Err(E::LocalCharset));
        assert_eq!(p(".a@139.com"), Err(E::LocalDots));
        assert_eq!(p("a.@139.com"), Err(E::LocalDots));
        assert_eq!(p("a..b@139.com"), Err(E::LocalDots));
        assert_eq!(p("a@"), Err(E::DomainEmpty));
        assert_eq!(p("a@localhost"), Err(E::DomainNoDot));
        assert_eq!(p("a@139..com"), Err(E::DomainLabel));
        assert_eq!(p("a@.139.com"), Err(E::DomainLabel));
        assert_eq!(p("a@139.com."), Err(E::DomainLabel));
        assert_eq!(p("a@-139.com"), Err(E::DomainLabel));
        assert_eq!(p("a@139-.com"), Err(E::DomainLabel));
        assert_eq!(p("a@mail_1.com"), Err(E::DomainLabel));
        assert_eq!(p("a@例子.中国"), Err(E::DomainLabel));
        assert_eq!(p("a@[192.0.2.1]"), Err(E::DomainLabel));
        assert_eq!(p(&format!("a@{}.cn", "b".repeat(64))), Err(E::DomainLabel));
        assert_eq!(p("a@139.c"), Err(E::Tld));
        assert_eq!(p("a@139.c0m"), Err(E::Tld));
        assert_eq!(p("a@192.0.2.1"), Err(E::Tld));
    }

    #[test]
    fn serde_round_trip() {
        let e = Email::parse("A@B.cn").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"A@b.cn\"");
        assert_eq!(serde_json::from_str::<Email>("\"A@b.cn\"").unwrap(), e);
        assert!(serde_json::from_str::<Email>("\"A@b\"").is_err());
    }
}
