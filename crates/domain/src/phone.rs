//! Telephone numbers: the mainland mobile numbers of contacts, administrators and agents
//! (domain spec §3.3) and the company phone of the customer block (§2), which may also be a
//! landline or a 400/800 number.
//!
//! # Mobile numbers ([`Mobile::parse`])
//!
//! Normalisation ([`crate::text::without_spaces_and_dashes`]): full-width folded, every white
//! space and dash removed, then one country prefix removed: `+86`, `0086`, or a bare `86` when
//! exactly 13 digits follow-on (`86` + `1[3-9]` + 9 digits; a bare `86` cannot otherwise be told
//! from the start of a number). What remains must be 11 ASCII digits `1[3-9]XXXXXXXXX`.
//! Another country code (`+852…`, `00852…`) is refused with its own error: the agreement is with
//! a mainland carrier and the SMS checks of signing reach mainland numbers only. Parentheses
//! are not accepted in a mobile number. The network segment is not checked beyond `1[3-9]`
//! (segments are reassigned over time).
//!
//! Stored as the 11 digits; [`Mobile::display`] groups them 3-4-4 (`138 0013 8000`) and
//! [`Mobile::masked`] hides the middle four (`138****8000`).
//!
//! # Company phone ([`CompanyPhone::parse`])
//!
//! Normalisation: full-width folded and trimmed ([`crate::text::normalise`]); then
//!
//! 1. an extension is split off at the first marker among `转`, `分机号`, `分机`, `ext`
//!    (any case, optionally followed by `.` or `:`), `x` and `#`; what follows, spaces and
//!    dashes removed, must be 1–6 digits. Extensions are accepted on landlines and 400/800
//!    numbers (whose menus take them), refused on mobile numbers;
//! 2. the rest, if [`Mobile::parse`] accepts it, is a mobile number;
//! 3. otherwise white space, dashes and parentheses are separators; a `+86` / `0086` prefix is
//!    removed (a landline's area code is then written without its leading 0, which is put back);
//!    the digits left are classified by their first digit: `1` a mobile number (checked for
//!    length and `1[3-9]`), `400`/`800` a 10-digit service number, `0` a landline;
//! 4. a landline is `0AA(A)` + a 7–8 digit local number not starting with 0 or 1. The area code
//!    length follows the national numbering plan rather than the separator: `010` and `02X` have
//!    3 digits, every other area code 4 (`0755`), so `075588888888` is read without separators
//!    and `075-58888888` is refused. If the area code is separated (`0755-…`, `(0755)…`), the
//!    separated group must have that length. A last dash-separated group of 1–6 digits after a
//!    complete 7–8 digit local number is an extension (`0755-88888888-123`);
//! 5. a 7–8 digit number without area code gets its own error asking for the area code.
//!
//! Canonical forms ([`CompanyPhone::canonical`], also the serde form): mobile `13800138000`,
//! landline `0755-88888888` or `0755-88888888-123`, service `4008208820` or `4008208820-1`.
//! [`CompanyPhone::display`] shows `138 0013 8000`, `0755-8888 8888 转 123` (`ext. 123` in
//! English), `400-820-8820`.

use crate::error::Locale;
use crate::text;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

crate::rule_errors! {
    /// Why a mobile number was refused.
    pub enum MobileError {
        Empty => "mobile.empty",
            "请填写手机号码",
            "Enter the mobile number";
        CountryCode => "mobile.country_code",
            "仅支持中国大陆手机号码（+86）",
            "Only mainland China mobile numbers (+86) are accepted";
        Charset => "mobile.charset",
            "手机号码只能包含数字（可用空格或连字符分隔）",
            "A mobile number has digits only (spaces and dashes may separate them)";
        Length => "mobile.length",
            "手机号码应为11位数字",
            "A mobile number has 11 digits";
        Prefix => "mobile.prefix",
            "手机号码应以13至19开头",
            "A mobile number starts with 13 to 19";
    }
}

crate::rule_errors! {
    /// Why a company phone number was refused.
    pub enum CompanyPhoneError {
        Empty => "company_phone.empty",
            "请填写公司电话",
            "Enter the company phone number";
        Charset => "company_phone.charset",
            "电话号码只能包含数字、空格、连字符和括号",
            "A phone number has digits, spaces, dashes and parentheses only";
        CountryCode => "company_phone.country_code",
            "仅支持中国大陆电话号码（+86）",
            "Only mainland China numbers (+86) are accepted";
        Kind => "company_phone.kind",
            "应为手机号码、带区号的固定电话或400/800号码",
            "Enter a mobile number, a landline with its area code, or a 400/800 number";
        MissingAreaCode => "company_phone.missing_area_code",
            "固定电话请加区号，如 0755-88888888",
            "Add the area code to the landline number, e.g. 0755-88888888";
        MobileLength => "company_phone.mobile_length",
            "手机号码应为11位数字",
            "A mobile number has 11 digits";
        MobilePrefix => "company_phone.mobile_prefix",
            "手机号码应以13至19开头",
            "A mobile number starts with 13 to 19";
        AreaCode => "company_phone.area_code",
            "区号应为010、02X（3位）或以0开头的其他4位区号",
            "The area code is 010 or 02X (3 digits) or another 4-digit code starting with 0";
        LocalLength => "company_phone.local_length",
            "区号后的电话号码应为7或8位",
            "The number after the area code has 7 or 8 digits";
        LocalPrefix => "company_phone.local_prefix",
            "区号后的电话号码不能以0或1开头",
            "The number after the area code cannot start with 0 or 1";
        Extension => "company_phone.extension",
            "分机号应为1至6位数字",
            "An extension has 1 to 6 digits";
        ExtensionOnMobile => "company_phone.extension_on_mobile",
            "手机号码不能带分机号",
            "A mobile number cannot have an extension";
        ServiceLength => "company_phone.service_length",
            "400/800号码应为10位数字",
            "A 400/800 number has 10 digits";
    }
}

/// A mainland mobile number: 11 digits `1[3-9]…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

/// Removes one `+86` / `0086` prefix; `Err` for another `+`/`00` country code. `Ok(None)` when
/// there is no prefix.
fn strip_country_code(s: &str) -> Result<Option<&str>, ()> {
    if let Some(rest) = s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")) {
        Ok(Some(rest))
    } else if s.starts_with('+') || s.starts_with("00") {
        Err(())
    } else {
        Ok(None)
    }
}

fn is_mobile_prefix(d: &[u8]) -> bool {
    d.len() >= 2 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1])
}

impl Mobile {
    pub fn parse(s: &str) -> Result<Mobile, MobileError> {
        let n = text::without_spaces_and_dashes(s);
        if n.is_empty() {
            return Err(MobileError::Empty);
        }
        let digits = match strip_country_code(&n) {
            Err(()) => return Err(MobileError::CountryCode),
            Ok(Some(rest)) => rest,
            Ok(None) => {
                let b = n.as_bytes();
                let bare_86 = b.len() == 13
                    && b.starts_with(b"86")
                    && is_mobile_prefix(&b[2..])
                    && b.iter().all(u8::is_ascii_digit);
                if bare_86 {
                    &n[2..]
                } else {
                    &n
                }
            }
        };
        if !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(MobileError::Charset);
        }
        if digits.len() != 11 {
            return Err(MobileError::Length);
        }
        if !is_mobile_prefix(digits.as_bytes()) {
            return Err(MobileError::Prefix);
        }
        Ok(Mobile(digits.to_owned()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped 3-4-4: `138 0013 8000`.
    pub fn display(&self) -> String {
        format!("{} {} {}", &self.0[..3], &self.0[3..7], &self.0[7..])
    }

    /// Middle four digits hidden: `138****8000`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// A landline: area code, local number, optional extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Landline {
    area_code: String,
    local: String,
    extension: Option<String>,
}

impl Landline {
    /// `010`, `020`…`029`, or a 4-digit code such as `0755`.
    pub fn area_code(&self) -> &str {
        &self.area_code
    }
    /// The 7 or 8 digits after the area code.
    pub fn local_number(&self) -> &str {
        &self.local
    }
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }
}

/// A 400 or 800 number (10 digits), optional extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceNumber {
    number: String,
    extension: Option<String>,
}

impl ServiceNumber {
    pub fn as_str(&self) -> &str {
        &self.number
    }
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }
}

/// The company phone of the customer block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompanyPhone {
    Mobile(Mobile),
    Landline(Landline),
    Service(ServiceNumber),
}

/// Extension markers, longest first where one is a prefix of another.
const EXTENSION_MARKERS: [&str; 6] = ["转", "分机号", "分机", "ext", "x", "#"];

/// Splits `s` at the first extension marker: (number part, extension digits). `Err` when the
/// text after the marker is not 1–6 digits.
fn split_extension(s: &str) -> Result<(&str, Option<String>), CompanyPhoneError> {
    for (i, _) in s.char_indices() {
        let rest = &s[i..];
        let Some(marker) = EXTENSION_MARKERS.iter().find(|m| {
            rest.len() >= m.len()
                && rest.is_char_boundary(m.len())
                && rest[..m.len()].eq_ignore_ascii_case(m)
        }) else {
            continue;
        };
        let ext = rest[marker.len()..].trim_start_matches(['.', ':']);
        let ext = text::without_spaces_and_dashes(ext);
        if ext.is_empty() || ext.len() > 6 || !ext.bytes().all(|c| c.is_ascii_digit()) {
            return Err(CompanyPhoneError::Extension);
        }
        return Ok((s[..i].trim_end(), Some(ext)));
    }
    Ok((s, None))
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || text::is_dash(c) || c == '(' || c == ')'
}

/// Length of the area code of a number starting with `0`: 3 for 010 and 02X, else 4.
fn area_code_len(d: &[u8]) -> usize {
    if matches!(d.get(1), Some(b'1' | b'2')) {
        3
    } else {
        4
    }
}

/// A landline from its digit groups (`digits` is their concatenation, starting with `0`), as
/// the module documentation describes: area code by the numbering plan, 7–8 digit local
/// number, a trailing short group read as the extension.
fn landline(
    groups: &[String],
    digits: &str,
    mut extension: Option<String>,
) -> Result<Landline, CompanyPhoneError> {
    use CompanyPhoneError as E;
    let alen = area_code_len(digits.as_bytes());
    let (area_code, mut local_groups) = if groups.len() >= 2 && groups[0].len() <= 4 {
        if groups[0].len() != alen {
            return Err(E::AreaCode);
        }
        (groups[0].clone(), groups[1..].to_vec())
    } else {
        if digits.len() < alen {
            return Err(E::AreaCode);
        }
        let mut rest = vec![groups[0][alen..].to_owned()];
        rest.extend_from_slice(&groups[1..]);
        (digits[..alen].to_owned(), rest)
    };
    if area_code.as_bytes().get(1) == Some(&b'0') {
        return Err(E::AreaCode);
    }
    local_groups.retain(|g| !g.is_empty());
    let mut local = local_groups.concat();
    if !(7..=8).contains(&local.len()) && extension.is_none() && local_groups.len() >= 2 {
        let last = local_groups.last().map_or(0, String::len);
        let head_len = local.len() - last;
        if (7..=8).contains(&head_len) && (1..=6).contains(&last) {
            extension = Some(local.split_off(head_len));
        }
    }
    if !(7..=8).contains(&local.len()) {
        return Err(E::LocalLength);
    }
    if local.starts_with(['0', '1']) {
        return Err(E::LocalPrefix);
    }
    Ok(Landline {
        area_code,
        local,
        extension,
    })
}

impl CompanyPhone {
    pub fn parse(s: &str) -> Result<CompanyPhone, CompanyPhoneError> {
        use CompanyPhoneError as E;
        let n = text::normalise(s);
        if n.is_empty() {
            return Err(E::Empty);
        }
        let (number, extension) = split_extension(&n)?;
        if let Ok(m) = Mobile::parse(number) {
            return match extension {
                Some(_) => Err(E::ExtensionOnMobile),
                None => Ok(CompanyPhone::Mobile(m)),
            };
        }
        let compact: String = number.chars().filter(|&c| !is_separator(c)).collect();
        let (international, prefix_len) = match strip_country_code(&compact) {
            Err(()) => return Err(E::CountryCode),
            Ok(Some(rest)) => (true, compact.len() - rest.len()),
            Ok(None) => (false, 0),
        };
        // Digit groups between separators, country prefix removed.
        let mut groups: Vec<String> = Vec::new();
        let mut skip = prefix_len;
        for group in number.split(is_separator).filter(|g| !g.is_empty()) {
            let take = skip.min(group.len());
            skip -= take;
            if take < group.len() {
                groups.push(group[take..].to_owned());
            }
        }
        let mut digits: String = groups.concat();
        if !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(E::Charset);
        }
        let d = digits.as_bytes();
        if international && !d.is_empty() && !d.starts_with(b"0") && !is_mobile_prefix(d) {
            // +86 755 … : the area code without its trunk 0.
            digits.insert(0, '0');
            groups[0].insert(0, '0');
        }
        let d = digits.as_bytes();
        match d.first() {
            Some(b'1') => {
                if d.len() != 11 {
                    Err(E::MobileLength)
                } else if extension.is_some() {
                    Err(E::ExtensionOnMobile)
                } else if !is_mobile_prefix(d) {
                    Err(E::MobilePrefix)
                } else {
                    Ok(CompanyPhone::Mobile(Mobile(digits)))
                }
            }
            Some(b'4' | b'8')
                if d.len() == 10 && (d.starts_with(b"400") || d.starts_with(b"800")) =>
            {
                Ok(CompanyPhone::Service(ServiceNumber {
                    number: digits,
                    extension,
                }))
            }
            Some(b'2'..=b'9') if (7..=8).contains(&d.len()) => Err(E::MissingAreaCode),
            Some(b'4' | b'8') if d.starts_with(b"400") || d.starts_with(b"800") => {
                Err(E::ServiceLength)
            }
            Some(b'0') => landline(&groups, &digits, extension).map(CompanyPhone::Landline),
            _ => Err(E::Kind),
        }
    }

    /// Machine form: `13800138000`, `0755-88888888[-123]`, `4008208820[-1]`.
    pub fn canonical(&self) -> String {
        match self {
            CompanyPhone::Mobile(m) => m.0.clone(),
            CompanyPhone::Landline(l) => match &l.extension {
                Some(ext) => format!("{}-{}-{ext}", l.area_code, l.local),
                None => format!("{}-{}", l.area_code, l.local),
            },
            CompanyPhone::Service(s) => match &s.extension {
                Some(ext) => format!("{}-{ext}", s.number),
                None => s.number.clone(),
            },
        }
    }

    /// Reader's form: `138 0013 8000`, `0755-8888 8888 转 123`, `400-820-8820`.
    pub fn display(&self, locale: Locale) -> String {
        let ext = |e: &Option<String>| match (e, locale) {
            (None, _) => String::new(),
            (Some(e), Locale::ZhCn) => format!(" 转 {e}"),
            (Some(e), Locale::En) => format!(" ext. {e}"),
        };
        match self {
            CompanyPhone::Mobile(m) => m.display(),
            CompanyPhone::Landline(l) => {
                let split = l.local.len() - 4;
                format!(
                    "{}-{} {}{}",
                    l.area_code,
                    &l.local[..split],
                    &l.local[split..],
                    ext(&l.extension)
                )
            }
            CompanyPhone::Service(s) => {
                let n = &s.number;
                format!("{}-{}-{}{}", &n[..3], &n[3..6], &n[6..], ext(&s.extension))
            }
        }
    }
}

/// Display, `FromStr` and serde as the canonical string, parsing on the way in.
macro_rules! string_forms {
    ($ty:ty, $err:ty, $to:expr) => {
        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&$to(self))
            }
        }
        impl core::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                <$ty>::parse(s)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&$to(self))
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$ty>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_forms!(Mobile, MobileError, |m: &Mobile| m.0.clone());
string_forms!(CompanyPhone, CompanyPhoneError, CompanyPhone::canonical);

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Result<String, MobileError> {
        Mobile::parse(s).map(|m| m.as_str().to_owned())
    }

    fn c(s: &str) -> Result<String, CompanyPhoneError> {
        CompanyPhone::parse(s).map(|p| p.canonical())
    }

    #[test]
    fn seed_mobiles() {
        for s in ["18812345678", "13800138000", "13912345678", "15012345678"] {
            assert_eq!(m(s).as_deref(), Ok(s));
            assert_eq!(c(s).as_deref(), Ok(s), "company phone {s}");
        }
        let x = Mobile::parse("13800138000").unwrap();
        assert_eq!(x.display(), "138 0013 8000");
        assert_eq!(x.masked(), "138****8000");
    }

    #[test]
    fn mobile_normalisation() {
        let want = Ok("13800138000".to_owned());
        for s in [
            "138 0013 8000",
            "138-0013-8000",
            "+86 138 0013 8000",
            "+86-13800138000",
            "0086 13800138000",
            "8613800138000",
            "１３８００１３８０００",
            "＋８６　１３８－００１３－８０００",
            "138——0013——8000",
            " 13800138000\u{200B} ",
        ] {
            assert_eq!(m(s), want, "{s:?}");
        }
    }

    #[test]
    fn mobile_errors() {
        assert_eq!(m(""), Err(MobileError::Empty));
        assert_eq!(m(" - "), Err(MobileError::Empty));
        assert_eq!(m("+852 6123 4567"), Err(MobileError::CountryCode));
        assert_eq!(m("00852 61234567"), Err(MobileError::CountryCode));
        assert_eq!(m("138001380OO"), Err(MobileError::Charset));
        assert_eq!(m("(138)00138000"), Err(MobileError::Charset));
        assert_eq!(m("1380013800"), Err(MobileError::Length));
        assert_eq!(m("138001380000"), Err(MobileError::Length));
        assert_eq!(m("+86 1380013800"), Err(MobileError::Length));
        assert_eq!(m("861380013800"), Err(MobileError::Length));
        assert_eq!(m("12800138000"), Err(MobileError::Prefix));
        assert_eq!(m("23800138000"), Err(MobileError::Prefix));
        assert_eq!(m("8612800138000"), Err(MobileError::Length));
    }

    #[test]
    fn landlines() {
        let ok = |s: &str, want: &str| assert_eq!(c(s).as_deref(), Ok(want), "{s:?}");
        ok("0755-88888888", "0755-88888888");
        ok("0755 8888 8888", "0755-88888888");
        ok("075588888888", "0755-88888888");
        ok("(0755) 8888-8888", "0755-88888888");
        ok("（０７５５）８８８８８８８８", "0755-88888888");
        ok("020-2222222", "020-2222222");
        ok("010-65529988", "010-65529988");
        ok("01065529988", "010-65529988");
        ok("0755-88888888-123", "0755-88888888-123");
        ok("0755-8888-8888", "0755-88888888");
        ok("0755-88888888转123", "0755-88888888-123");
        ok("0755-88888888 转 123", "0755-88888888-123");
        ok("0755-88888888 分机号：123", "0755-88888888-123");
        ok("0755-88888888 ext. 123", "0755-88888888-123");
        ok("0755-88888888 EXT 123", "0755-88888888-123");
        ok("0755-88888888x123", "0755-88888888-123");
        ok("0755-88888888#8", "0755-88888888-8");
        ok("+86 755 8888 8888", "0755-88888888");
        ok("+86-10-65529988", "010-65529988");
        ok("0086 20 22222222", "020-22222222");
        let p = CompanyPhone::parse("0755-88888888 转 123").unwrap();
        assert_eq!(p.display(Locale::ZhCn), "0755-8888 8888 转 123");
        assert_eq!(p.display(Locale::En), "0755-8888 8888 ext. 123");
        let CompanyPhone::Landline(l) = &p else {
            panic!()
        };
        assert_eq!(
            (l.area_code(), l.local_number(), l.extension()),
            ("0755", "88888888", Some("123"))
        );
        assert_eq!(
            CompanyPhone::parse("020-2222222")
                .unwrap()
                .display(Locale::ZhCn),
            "020-222 2222"
        );
    }

    #[test]
    fn service_numbers() {
        assert_eq!(c("400-820-8820").as_deref(), Ok("4008208820"));
        assert_eq!(c("800 820 8820").as_deref(), Ok("8008208820"));
        assert_eq!(c("4008208820转1").as_deref(), Ok("4008208820-1"));
        let p = CompanyPhone::parse("4008208820").unwrap();
        assert_eq!(p.display(Locale::ZhCn), "400-820-8820");
        assert!(matches!(p, CompanyPhone::Service(ref s) if s.as_str() == "4008208820"));
    }

    #[test]
    fn company_phone_errors() {
        use CompanyPhoneError as E;
        assert_eq!(c(""), Err(E::Empty));
        assert_eq!(c("\u{3000}"), Err(E::Empty));
        assert_eq!(c("0755-8888888a"), Err(E::Charset));
        assert_eq!(c("0755/88888888"), Err(E::Charset));
        assert_eq!(c("+852 2123 4567"), Err(E::CountryCode));
        assert_eq!(c("95588"), Err(E::Kind));
        assert_eq!(c("转123"), Err(E::Kind));
        assert_eq!(c("88888888"), Err(E::MissingAreaCode));
        assert_eq!(c("8888 888"), Err(E::MissingAreaCode));
        assert_eq!(c("1380013800"), Err(E::MobileLength));
        assert_eq!(c("12800138000"), Err(E::MobilePrefix));
        assert_eq!(c("075-58888888"), Err(E::AreaCode));
        assert_eq!(c("0 755 88888888"), Err(E::AreaCode));
        assert_eq!(c("00755 88888888"), Err(E::CountryCode));
        assert_eq!(c("0755-888888"), Err(E::LocalLength));
        assert_eq!(c("0755-888888888"), Err(E::LocalLength));
        assert_eq!(c("075588888888123"), Err(E::LocalLength));
        assert_eq!(c("0755-08888888"), Err(E::LocalPrefix));
        assert_eq!(c("010-18888888"), Err(E::LocalPrefix));
        assert_eq!(c("0755-88888888 转"), Err(E::Extension));
        assert_eq!(c("0755-88888888 转 1234567"), Err(E::Extension));
        assert_eq!(c("0755-88888888 ext abc"), Err(E::Extension));
        assert_eq!(c("13800138000 转 12"), Err(E::ExtensionOnMobile));
        assert_eq!(c("400-820-882"), Err(E::ServiceLength));
        assert_eq!(c("800-820-88201"), Err(E::ServiceLength));
    }

    #[test]
    fn serde_uses_the_canonical_form() {
        let p = CompanyPhone::parse("(0755) 8888 8888").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"0755-88888888\"");
        assert_eq!(
            serde_json::from_str::<CompanyPhone>("\"0755-88888888\"").unwrap(),
            p
        );
        let mobile: Mobile = serde_json::from_str("\"+86 138 0013 8000\"").unwrap();
        assert_eq!(mobile.to_string(), "13800138000");
        assert!(serde_json::from_str::<Mobile>("\"1380013800\"").is_err());
        assert_eq!("13800138000".parse::<Mobile>().unwrap(), mobile);
    }
}
