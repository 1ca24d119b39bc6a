//! Citizen identity numbers, GB 11643-1999 (公民身份号码), as printed on the resident identity
//! card (居民身份证) and, with fixed prefixes, on the residence permits for Hong Kong, Macao and
//! Taiwan residents (港澳台居民居住证). Domain spec §3.2.
//!
//! Structure: 6-digit address code (positions 1–6, GB/T 2260), 8-digit birth date `YYYYMMDD`
//! (7–14), 3-digit sequence (15–17, odd for men), check character (18): with weights
//! [`WEIGHTS`] = 2^(17−i) mod 11, check = `"10X98765432"[Σ mod 11]`.
//!
//! Normalisation ([`crate::text::without_spaces`]): full-width folded, every white-space
//! character removed (also inside, so `4403 0719 8505 2012 46` is accepted), a lower-case `x`
//! in position 18 upper-cased. Dashes are *not* removed: a dash in an ID number is refused by
//! the character-set check.
//!
//! Checks, in order, each with its own error: empty; 15 digits (a first-generation number,
//! refused with its own message: those cards ceased to be valid on 2013-01-01); length 18;
//! character set; province code; birth date a real date; not after `today`; not more than 120
//! years before `today`; check character.
//!
//! Decisions:
//! - Province code: positions 1–2 must be one of the 31 mainland province-level codes of
//!   GB/T 2260 ([`MAINLAND_PROVINCE_CODES`]: 11–15, 21–23, 31–37, 41–46, 50–54, 61–65), the
//!   codes of the resident identity cards issued on the mainland; or the number must start with
//!   one of the three residence-permit prefixes [`RESIDENCE_PERMIT_PREFIXES`] (810000 Hong Kong,
//!   820000 Macao, 830000 Taiwan residents; 83 is not in GB/T 2260). Anything else is refused
//!   with `resident_id.province`: 71 (Taiwan), 81 and 82 are GB/T 2260 codes, but no resident
//!   ID card carries them, and a number starting 81, 82 or 83 other than the exact six-digit
//!   permit prefix is neither a card nor a permit (domain audit 2026-12: `831234…` was
//!   accepted under 身份证). This type is the *number*; whether it suits the chosen document
//!   type (a residence-permit number under 身份证, or the reverse) is decided by
//!   [`crate::other_id::parse_id_number`].
//! - "Not more than 120 years back": the birth date must be on or after the same calendar day
//!   120 years before `today` (29 February clamps to 28 February). Born on `today` is accepted.
//! - Lengths are counted in characters after normalisation, so a CJK character counts as one.

use crate::date::Date;
use crate::text;
use serde::{Serialize, Serializer};

/// The 34 province-level codes of GB/T 2260 (mainland provinces, autonomous regions and
/// municipalities, then Taiwan 71, Hong Kong 81, Macao 82).
pub const PROVINCE_CODES: [u8; 34] = [
    11, 12, 13, 14, 15, // 北京 天津 河北 山西 内蒙古
    21, 22, 23, // 辽宁 吉林 黑龙江
    31, 32, 33, 34, 35, 36, 37, // 上海 江苏 浙江 安徽 福建 江西 山东
    41, 42, 43, 44, 45, 46, // 河南 湖北 湖南 广东 广西 海南
    50, 51, 52, 53, 54, // 重庆 四川 贵州 云南 西藏
    61, 62, 63, 64, 65, // 陕西 甘肃 青海 宁夏 新疆
    71, 81, 82, // 台湾 香港 澳门
];

/// The 31 mainland province-level codes of GB/T 2260: the first two digits of a resident
/// identity card number.
pub const MAINLAND_PROVINCE_CODES: [u8; 31] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65,
];

/// First two digits of the residence permits for Taiwan residents (830000); not a GB/T 2260 code.
pub const TAIWAN_RESIDENCE_PERMIT_CODE: u8 = 83;

/// The six-digit prefixes of the residence permits for Hong Kong, Macao and Taiwan residents.
pub const RESIDENCE_PERMIT_PREFIXES: [&str; 3] = ["810000", "820000", "830000"];

/// GB 11643 weights of positions 1–17.
pub const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check characters indexed by Σ mod 11.
pub const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Whether `code` is one of the 34 GB/T 2260 province-level codes.
pub fn is_province_code(code: u8) -> bool {
    PROVINCE_CODES.contains(&code)
}

/// Whether `code` is one of the 31 mainland province-level codes (a resident ID card's).
pub fn is_mainland_province_code(code: u8) -> bool {
    MAINLAND_PROVINCE_CODES.contains(&code)
}

/// Whether an ASCII number's address code (positions 1–6) may start a GB 11643 number as this
/// module accepts it: a mainland province code, or exactly a residence-permit prefix.
fn has_issued_prefix(b: &[u8]) -> bool {
    let province = (b[0] - b'0') * 10 + (b[1] - b'0');
    is_mainland_province_code(province)
        || RESIDENCE_PERMIT_PREFIXES
            .iter()
            .any(|p| b.get(..6) == Some(p.as_bytes()))
}

/// The check character (`0`–`9` or `X`) of 17 ASCII digits; `None` if `first17` is not exactly
/// 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(check_char_of_digits(b))
}

/// Check character of 17 bytes already known to be ASCII digits.
pub(crate) fn check_char_of_digits(digits: &[u8]) -> char {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

crate::rule_errors! {
    /// Why a resident ID number was refused.
    pub enum ResidentIdError {
        Empty => "resident_id.empty",
            "请填写身份证号码",
            "Enter the resident ID number";
        FirstGeneration => "resident_id.first_generation",
            "15位的第一代身份证号码已停止使用，请填写18位号码",
            "15-digit first-generation ID numbers are no longer valid; enter the 18-character number";
        Length => "resident_id.length",
            "身份证号码应为18位",
            "A resident ID number has 18 characters";
        Charset => "resident_id.charset",
            "身份证号码前17位应为数字，第18位为数字或X",
            "The first 17 characters must be digits and the 18th a digit or X";
        Province => "resident_id.province",
            "前两位不是内地省级行政区划代码（港澳台居民居住证以810000、820000或830000开头）",
            "The first two digits are not a mainland province code (a residence permit starts with 810000, 820000 or 830000)";
        BirthDate => "resident_id.birth_date",
            "第7–14位不是有效的出生日期",
            "Digits 7–14 are not a real calendar date of birth";
        BirthInFuture => "resident_id.birth_in_future",
            "出生日期晚于今天",
            "The date of birth is after today";
        BirthTooOld => "resident_id.birth_too_old",
            "出生日期早于120年前",
            "The date of birth is more than 120 years ago";
        CheckDigit => "resident_id.check_digit",
            "校验位不符",
            "Check digit does not match";
    }
}

/// A valid GB 11643 number: 17 digits and an upper-case check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResidentId {
    number: String,
    birth_date: Date,
}

/// Why a birth date embedded in an ID number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BirthFault {
    NotADate,
    InFuture,
    TooOld,
}

/// The birth date in positions 7–14 of an 18-byte ASCII number, within the 120-year window.
pub(crate) fn birth_date_of(b: &[u8], today: Date) -> Result<Date, BirthFault> {
    let compact = core::str::from_utf8(&b[6..14]).map_err(|_| BirthFault::NotADate)?;
    let birth = Date::parse_compact(compact).map_err(|_| BirthFault::NotADate)?;
    if birth > today {
        return Err(BirthFault::InFuture);
    }
    match today.add_months(-120 * 12) {
        Some(earliest) if birth < earliest => Err(BirthFault::TooOld),
        _ => Ok(birth),
    }
}

/// Whether an 18-byte string is 17 ASCII digits and a digit or (upper-case) `X`.
pub(crate) fn has_gb11643_charset(b: &[u8]) -> bool {
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
}

/// Normalises as this module documents: folded, white space removed, `x` upper-cased.
pub(crate) fn normalise(s: &str) -> String {
    text::without_spaces(s).replace('x', "X")
}

impl ResidentId {
    /// Parses a GB 11643 number; `today` bounds the birth date.
    pub fn parse(s: &str, today: Date) -> Result<ResidentId, ResidentIdError> {
        let s = normalise(s);
        if s.is_empty() {
            return Err(ResidentIdError::Empty);
        }
        if s.len() == 15 && s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(ResidentIdError::FirstGeneration);
        }
        if s.chars().count() != 18 {
            return Err(ResidentIdError::Length);
        }
        let b = s.as_bytes();
        if !has_gb11643_charset(b) {
            return Err(ResidentIdError::Charset);
        }
        if !has_issued_prefix(b) {
            return Err(ResidentIdError::Province);
        }
        let birth_date = birth_date_of(b, today).map_err(|f| match f {
            BirthFault::NotADate => ResidentIdError::BirthDate,
            BirthFault::InFuture => ResidentIdError::BirthInFuture,
            BirthFault::TooOld => ResidentIdError::BirthTooOld,
        })?;
        if char::from(b[17]) != check_char_of_digits(&b[..17]) {
            return Err(ResidentIdError::CheckDigit);
        }
        Ok(ResidentId {
            number: s,
            birth_date,
        })
    }

    /// The 18 characters, check character upper case.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The date of birth in positions 7–14.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The six-digit address code (positions 1–6).
    pub fn address_code(&self) -> &str {
        &self.number[..6]
    }

    /// Whether the number is that of a residence permit for Hong Kong, Macao or Taiwan
    /// residents (prefix 810000, 820000 or 830000).
    pub fn is_residence_permit_number(&self) -> bool {
        RESIDENCE_PERMIT_PREFIXES.contains(&self.address_code())
    }

    /// First 4 and last 4 characters shown: `4403**********1246`.
    pub fn masked(&self) -> String {
        text::mask_middle(&self.number, 4, 4)
    }
}

impl core::fmt::Display for ResidentId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.number)
    }
}

impl Serialize for ResidentId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RuleError;

    fn today() -> Date {
        Date::new(2023, 4, 10).unwrap()
    }

    fn parse(s: &str) -> Result<ResidentId, ResidentIdError> {
        ResidentId::parse(s, today())
    }

    /// A valid number from its first 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17).unwrap())
    }

    #[test]
    fn seed_values_parse() {
        let contact = parse("440307198505201246").unwrap();
        assert_eq!(contact.as_str(), "440307198505201246");
        assert_eq!(contact.birth_date(), Date::new(1985, 5, 20).unwrap());
        assert_eq!(contact.masked(), "4403**********1246");
        let agent = parse("440305199608185316").unwrap();
        assert_eq!(agent.birth_date(), Date::new(1996, 8, 18).unwrap());
        assert_eq!(agent.masked(), "4403**********5316");
        assert!(!agent.is_residence_permit_number());
    }

    #[test]
    fn check_char_matches_the_seed() {
        assert_eq!(check_char("44030719850520124"), Some('6'));
        assert_eq!(check_char("44030519960818531"), Some('6'));
        assert_eq!(check_char("4403051996081853"), None);
        assert_eq!(check_char("4403051996081853a"), None);
        // Σ mod 11 = 2 gives X.
        let x = (0..1000)
            .map(|n| format!("11010519900307{n:03}"))
            .find(|b| check_char(b) == Some('X'))
            .unwrap();
        assert_eq!(parse(&format!("{x}X")).unwrap().as_str(), format!("{x}X"));
        assert_eq!(parse(&format!("{x}x")).unwrap().as_str(), format!("{x}X"));
    }

    #[test]
    fn normalisation() {
        let id = parse(" ４４０３０７ 19850520 124６\u{3000}").unwrap();
        assert_eq!(id.as_str(), "440307198505201246");
        assert_eq!(
            parse("4403 0719 8505 2012 46").unwrap().as_str(),
            "440307198505201246"
        );
        assert_eq!(parse("440307-19850520-1246"), Err(ResidentIdError::Length));
        assert_eq!(parse("440307-198505201246"), Err(ResidentIdError::Length));
        assert_eq!(parse("44030-198505201246"), Err(ResidentIdError::Charset));
    }

    #[test]
    fn each_error_variant() {
        assert_eq!(parse(""), Err(ResidentIdError::Empty));
        assert_eq!(parse(" \u{3000} "), Err(ResidentIdError::Empty));
        assert_eq!(
            parse("440307850520124"),
            Err(ResidentIdError::FirstGeneration)
        );
        assert_eq!(parse("44030719850520124"), Err(ResidentIdError::Length));
        assert_eq!(parse("4403071985052012466"), Err(ResidentIdError::Length));
        assert_eq!(parse("44030719850520124中"), Err(ResidentIdError::Charset));
        assert_eq!(parse("4403071985052012A6"), Err(ResidentIdError::Charset));
        assert_eq!(parse("X40307198505201246"), Err(ResidentIdError::Charset));
        assert_eq!(
            parse(&with_check("99030719850520124")),
            Err(ResidentIdError::Province)
        );
        assert_eq!(
            parse(&with_check("10030719850520124")),
            Err(ResidentIdError::Province)
        );
        assert_eq!(
            parse(&with_check("44030719850230124")),
            Err(ResidentIdError::BirthDate)
        );
        assert_eq!(
            parse(&with_check("44030720230229124")),
            Err(ResidentIdError::BirthDate)
        );
        assert_eq!(
            parse(&with_check("44030720230411124")),
            Err(ResidentIdError::BirthInFuture)
        );
        assert_eq!(
            parse(&with_check("44030719030409124")),
            Err(ResidentIdError::BirthTooOld)
        );
        assert_eq!(
            parse("440307198505201247"),
            Err(ResidentIdError::CheckDigit)
        );
        assert_eq!(
            parse("44030719850520124X"),
            Err(ResidentIdError::CheckDigit)
        );
    }

    #[test]
    fn birth_window_edges() {
        assert!(
            parse(&with_check("44030720230410124")).is_ok(),
            "born today"
        );
        assert!(
            parse(&with_check("44030719030410124")).is_ok(),
            "exactly 120 years"
        );
        let leap = Date::new(2024, 2, 29).unwrap();
        assert!(ResidentId::parse(&with_check("44030719040229124"), leap).is_ok());
        assert_eq!(
            ResidentId::parse(&with_check("44030719040228124"), leap),
            Err(ResidentIdError::BirthTooOld)
        );
    }

    #[test]
    fn province_list() {
        assert_eq!(PROVINCE_CODES.len(), 34);
        assert_eq!(MAINLAND_PROVINCE_CODES.len(), 31);
        for code in 0..100u8 {
            let first17 = format!("{code:02}0307198505201240");
            let result = parse(&with_check(&first17[..17]));
            let expected = is_mainland_province_code(code);
            assert_eq!(result.is_ok(), expected, "province {code:02}");
            assert_eq!(
                is_mainland_province_code(code),
                is_province_code(code) && ![71, 81, 82].contains(&code)
            );
        }
        for prefix in RESIDENCE_PERMIT_PREFIXES {
            let permit = parse(&with_check(&format!("{prefix}19900101002"))).unwrap();
            assert!(permit.is_residence_permit_number());
        }
    }

    /// Each refused prefix (domain audit 2026-12, GB/T 2260): worked examples, each a number
    /// with a right check character and birth date, so only the prefix is wrong.
    #[test]
    fn prefixes_no_card_or_permit_carries_are_refused() {
        for first17 in [
            "83123419900101002", // 83, not the 830000 permit prefix (the audit's 226 strings)
            "83000119900101002", // 830001: one digit off the prefix
            "71010019900101002", // 71 台湾: a GB/T 2260 code, on no mainland card
            "81000119900101002", // 81 香港, other than 810000
            "82030019900101002", // 82 澳门, other than 820000
            "10030719850520124", // 10: no province
            "66030719850520124", // 66: no province
            "99030719850520124", // 99: no province
        ] {
            assert_eq!(
                parse(&with_check(first17)),
                Err(ResidentIdError::Province),
                "{first17}"
            );
        }
        // The edges of the mainland ranges are accepted.
        for first17 in [
            "11010519491231002",
            "65010019900101002",
            "15010019900101002",
        ] {
            assert!(parse(&with_check(first17)).is_ok(), "{first17}");
        }
    }

    #[test]
    fn every_variant_has_distinct_code_and_both_messages() {
        let mut codes: Vec<_> = ResidentIdError::ALL.iter().map(|e| e.code()).collect();
        assert!(codes.iter().all(|c| c.starts_with("resident_id.")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ResidentIdError::ALL.len());
        for e in ResidentIdError::ALL {
            assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
        }
    }
}
