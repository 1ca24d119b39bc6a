//! Unified Social Credit Codes, GB 32100-2015 (统一社会信用代码). Domain spec §3.1.
//!
//! Structure (18 characters from [`ALPHABET`], the digits and the upper-case Latin letters
//! without I, O, S, V and Z, valued 0–30 in that order):
//!
//! | positions | part |
//! |---|---|
//! | 1 | registration authority (登记管理部门代码) |
//! | 2 | organisation category (机构类别代码), valid per authority, see [`CATEGORIES`] |
//! | 3–8 | administrative division code of the registering authority (GB/T 2260) |
//! | 9–17 | organisation code (主体标识码, GB 11714); position 17 is its own check character |
//! | 18 | check character: weights [`WEIGHTS`] (3^(i−1) mod 31), check = (31 − Σ mod 31) mod 31 |
//!
//! Normalisation ([`crate::text::without_spaces_and_dashes`]): full-width folded, all white space
//! and every dash removed (also inside: a code pasted as `91440300-758613572G` is common), ASCII
//! letters upper-cased (the spec: lower case is accepted and shown upper case). A dash is never
//! part of a code (its character set is digits and upper-case letters), so removing it cannot
//! turn one valid code into another.
//!
//! Checks, in order, each with its own error: empty; length 18; character set; authority;
//! category for that authority; positions 3–8 digits; their province; GB 11714 check (17); check
//! character (18).
//!
//! Decisions:
//! - Authority/category pairs: the table of GB 32100-2015 as extended by its amendment
//!   (第1号修改单), which added authorities 2, 3, 4, 6, 7, 8, A and N:
//!   1 机构编制 {1 机关, 2 事业单位, 3 中央编办直接管理机构编制的群众团体, 9 其他};
//!   2 外交 {1 外国常驻新闻机构, 9}; 3 司法行政 {1 律师执业机构, 2 公证处, 3 基层法律服务所,
//!   4 司法鉴定机构, 5 仲裁委员会, 9}; 4 文化 {1 外国在华文化中心, 9};
//!   5 民政 {1 社会团体, 2 民办非企业单位, 3 基金会, 9}; 6 旅游 {1 外国旅游部门常驻代表机构,
//!   2 港澳台地区旅游部门常驻内地（大陆）代表机构, 9}; 7 宗教 {1 宗教活动场所, 2 宗教院校, 9};
//!   8 工会 {1 基层工会, 9}; 9 工商 {1 企业, 2 个体工商户, 3 农民专业合作社} (no 9);
//!   A 中央军委改革和编制办公室 {1 军队事业单位, 9}; N 农业 {1 组级, 2 村级, 3 乡镇级集体经济组织, 9};
//!   Y 其他 {1}. Note 3 (司法行政) has categories 1–5 and 9, not only 1 and 9: law firms (31)
//!   and notary offices (32) carry such codes.
//! - Division code: six digits whose first two are a GB/T 2260 province-level code
//!   ([`crate::resident_id::PROVINCE_CODES`]; 83 is not one), or exactly `100000`, the code of the
//!   state itself, which national-level registrations carry (an enterprise or social
//!   organisation registered by a ministry in Beijing: `91100000…`, `51100000…`). Whether the
//!   remaining four digits name an existing prefecture or county is not checked (the GB/T 2260
//!   list changes every year and would weigh on the browser bundle).
//! - Organisation code (GB 11714): positions 9–16 valued `0`–`9` = 0–9 and `A`–`Z` = 10–35
//!   *as GB 11714 values them* (the full Latin alphabet, unlike the 31-character USCC table),
//!   weights 3 7 9 10 5 8 4 2, check = 11 − Σ mod 11, 10 → `X`, 11 → `0`. Verified on the seed
//!   `91440300758613572G`: organisation code 75861357-2.
//! - The category is not checked against the certificate type here; that is a cross-field rule
//!   (the form's).

use crate::text;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The 31 characters of a USCC, in value order (0–30).
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17 for the check character (position 18).
pub const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714 weights of the organisation code's positions 1–8 (USCC positions 9–16).
pub const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Registration authority, organisation category, and the category's name (zh, en).
pub const CATEGORIES: &[(char, char, &str, &str)] = &[
    ('1', '1', "机关", "Government agency"),
    ('1', '2', "事业单位", "Public institution"),
    (
        '1',
        '3',
        "中央编办直接管理机构编制的群众团体",
        "Mass organisation staffed by the central staffing office",
    ),
    ('1', '9', "其他（机构编制）", "Other (staffing authority)"),
    (
        '2',
        '1',
        "外国常驻新闻机构",
        "Resident office of a foreign news organisation",
    ),
    ('2', '9', "其他（外交）", "Other (foreign affairs)"),
    ('3', '1', "律师执业机构", "Law firm"),
    ('3', '2', "公证处", "Notary office"),
    (
        '3',
        '3',
        "基层法律服务所",
        "Grassroots legal service office",
    ),
    ('3', '4', "司法鉴定机构", "Forensic appraisal institution"),
    ('3', '5', "仲裁委员会", "Arbitration commission"),
    (
        '3',
        '9',
        "其他（司法行政）",
        "Other (justice administration)",
    ),
    (
        '4',
        '1',
        "外国在华文化中心",
        "Foreign cultural centre in China",
    ),
    ('4', '9', "其他（文化）", "Other (culture)"),
    ('5', '1', "社会团体", "Social organisation"),
    ('5', '2', "民办非企业单位", "Private non-enterprise unit"),
    ('5', '3', "基金会", "Foundation"),
    ('5', '9', "其他（民政）", "Other (civil affairs)"),
    (
        '6',
        '1',
        "外国旅游部门常驻代表机构",
        "Resident office of a foreign tourism authority",
    ),
    (
        '6',
        '2',
        "港澳台地区旅游部门常驻内地（大陆）代表机构",
        "Resident office of a Hong Kong, Macao or Taiwan tourism authority",
    ),
    ('6', '9', "其他（旅游）", "Other (tourism)"),
    ('7', '1', "宗教活动场所", "Place of religious activity"),
    ('7', '2', "宗教院校", "Religious school"),
    ('7', '9', "其他（宗教）", "Other (religious affairs)"),
    ('8', '1', "基层工会", "Grassroots trade union"),
    ('8', '9', "其他（工会）", "Other (trade unions)"),
    ('9', '1', "企业", "Enterprise"),
    ('9', '2', "个体工商户", "Individual business"),
    (
        '9',
        '3',
        "农民专业合作社",
        "Farmers' specialised co-operative",
    ),
    ('A', '1', "军队事业单位", "Military public institution"),
    (
        'A',
        '9',
        "其他（中央军委改革和编制办公室）",
        "Other (CMC reform and staffing office)",
    ),
    (
        'N',
        '1',
        "组级集体经济组织",
        "Group-level collective economic organisation",
    ),
    (
        'N',
        '2',
        "村级集体经济组织",
        "Village-level collective economic organisation",
    ),
    (
        'N',
        '3',
        "乡镇级集体经济组织",
        "Township-level collective economic organisation",
    ),
    ('N', '9', "其他（农业）", "Other (agriculture)"),
    ('Y', '1', "其他", "Other"),
];

/// Value 0–30 of a USCC character, `None` outside [`ALPHABET`].
pub fn char_value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// GB 11714 value of an organisation-code character: digits 0–9, `A`–`Z` 10–35.
fn org_code_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// The GB 11714 check character (`0`–`9` or `X`) of an 8-character organisation code body
/// (upper-case ASCII letters and digits); `None` for anything else.
pub fn org_code_check_char(first8: &str) -> Option<char> {
    let b = first8.as_bytes();
    if b.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in b.iter().zip(ORG_CODE_WEIGHTS) {
        sum += org_code_value(c)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from(b'0' + n as u8),
    })
}

/// The check character (position 18) of 17 characters of [`ALPHABET`]; `None` for anything else.
pub fn check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in b.iter().zip(WEIGHTS) {
        sum += char_value(c)? * w;
    }
    Some(char::from(ALPHABET[((31 - sum % 31) % 31) as usize]))
}

/// Whether `authority` is a registration authority code of the table.
pub fn is_authority(authority: char) -> bool {
    CATEGORIES.iter().any(|&(a, ..)| a == authority)
}

/// Whether `category` is valid under `authority`.
pub fn is_category(authority: char, category: char) -> bool {
    CATEGORIES
        .iter()
        .any(|&(a, c, ..)| a == authority && c == category)
}

crate::rule_errors! {
    /// Why a unified social credit code was refused.
    pub enum UsccError {
        Empty => "uscc.empty",
            "请填写统一社会信用代码",
            "Enter the unified social credit code";
        Length => "uscc.length",
            "统一社会信用代码应为18位",
            "A unified social credit code has 18 characters";
        Charset => "uscc.charset",
            "只能包含数字和大写字母（不含 I、O、S、V、Z）",
            "Only digits and the letters A–Z except I, O, S, V and Z are allowed";
        Authority => "uscc.authority",
            "第1位不是有效的登记管理部门代码",
            "Character 1 is not a registration authority code";
        Category => "uscc.category",
            "第2位不是该登记管理部门的有效机构类别代码",
            "Character 2 is not an organisation category of that registration authority";
        DivisionDigits => "uscc.division_digits",
            "第3–8位（行政区划码）应为数字",
            "Characters 3–8, the division code, must be digits";
        DivisionProvince => "uscc.division_province",
            "第3–8位不是有效的行政区划码（前两位应为省级代码）",
            "Characters 3–8 are not a division code: the first two must be a province code";
        OrgCodeCheck => "uscc.org_code_check",
            "第17位（组织机构代码校验码）不符",
            "Character 17, the organisation code's check character, does not match";
        CheckChar => "uscc.check_char",
            "第18位校验码不符",
            "Check character (character 18) does not match";
    }
}

/// A valid unified social credit code (upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(s: &str) -> Result<Uscc, UsccError> {
        let s = text::without_spaces_and_dashes(s).to_ascii_uppercase();
        if s.is_empty() {
            return Err(UsccError::Empty);
        }
        if s.chars().count() != 18 {
            return Err(UsccError::Length);
        }
        let b = s.as_bytes();
        if !b.iter().all(|&c| char_value(c).is_some()) {
            return Err(UsccError::Charset);
        }
        let (authority, category) = (char::from(b[0]), char::from(b[1]));
        if !is_authority(authority) {
            return Err(UsccError::Authority);
        }
        if !is_category(authority, category) {
            return Err(UsccError::Category);
        }
        let division = &b[2..8];
        if !division.iter().all(u8::is_ascii_digit) {
            return Err(UsccError::DivisionDigits);
        }
        let province = (division[0] - b'0') * 10 + (division[1] - b'0');
        if !crate::resident_id::is_province_code(province) && division != b"100000" {
            return Err(UsccError::DivisionProvince);
        }
        if org_code_check_char(&s[8..16]) != Some(char::from(b[16])) {
            return Err(UsccError::OrgCodeCheck);
        }
        if check_char(&s[..17]) != Some(char::from(b[17])) {
            return Err(UsccError::CheckChar);
        }
        Ok(Uscc(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Registration authority code (position 1), e.g. `'9'` (工商 / market regulation).
    pub fn authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// Authority and category (positions 1–2), e.g. `"91"` for an enterprise.
    pub fn category(&self) -> &str {
        &self.0[..2]
    }

    /// The category's name in the standard's table, `(zh, en)`.
    pub fn category_name(&self) -> (&'static str, &'static str) {
        let b = self.0.as_bytes();
        CATEGORIES
            .iter()
            .find(|&&(a, c, ..)| a == char::from(b[0]) && c == char::from(b[1]))
            .map(|&(_, _, zh, en)| (zh, en))
            .unwrap_or(("", ""))
    }

    /// Administrative division code of the registering authority (positions 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// The GB 11714 organisation code (positions 9–17), check character included.
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }

    /// The check character (position 18).
    pub fn check(&self) -> char {
        char::from(self.0.as_bytes()[17])
    }
}

impl core::fmt::Display for Uscc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::str::FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Uscc, UsccError> {
        Uscc::parse(s)
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Uscc, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Uscc::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RuleError;

    const SEED: &str = "91440300758613572G";

    /// A valid code from positions 1–16 (both check characters computed).
    fn complete(first16: &str) -> String {
        let org = org_code_check_char(&first16[8..16]).unwrap();
        let first17 = format!("{first16}{org}");
        let check = check_char(&first17).unwrap();
        format!("{first17}{check}")
    }

    #[test]
    fn seed_parses_and_splits() {
        let u = Uscc::parse(SEED).unwrap();
        assert_eq!(u.as_str(), SEED);
        assert_eq!(u.authority(), '9');
        assert_eq!(u.category(), "91");
        assert_eq!(u.category_name(), ("企业", "Enterprise"));
        assert_eq!(u.division_code(), "440300");
        assert_eq!(u.organisation_code(), "758613572");
        assert_eq!(u.check(), 'G');
    }

    #[test]
    fn seed_check_characters_by_hand() {
        // GB 11714: 7·3 + 5·7 + 8·9 + 6·10 + 1·5 + 3·8 + 5·4 + 7·2 = 251; 251 mod 11 = 9; 11 − 9 = 2.
        assert_eq!(org_code_check_char("75861357"), Some('2'));
        assert_eq!(check_char("91440300758613572"), Some('G'));
        assert_eq!(check_char("9144030075861357"), None);
        assert_eq!(check_char("9144030075861357I"), None);
        assert_eq!(org_code_check_char("7586135"), None);
        assert_eq!(org_code_check_char("7586135a"), None);
    }

    #[test]
    fn org_code_letters_use_gb11714_values() {
        // M = 22 and U = 30 in GB 11714 (A = 10 … Z = 35), not their USCC values 21 and 27:
        // 22·3 + 10·7 + 2·9 + 8·10 + 2·5 + 30·8 + 15·4 + 1·2 = 546; 546 mod 11 = 7; 11 − 7 = 4.
        assert_eq!(org_code_check_char("MA282UF1"), Some('4'));
        // Σ = 6·2 = 12, mod 11 = 1 → 10 → X; Σ = 0 → 11 → 0.
        assert_eq!(org_code_check_char("00000006"), Some('X'));
        assert_eq!(org_code_check_char("00000000"), Some('0'));
        let code = complete("91440300MA282UF1");
        assert_eq!(&code[16..17], "4");
        assert!(Uscc::parse(&code).is_ok());
        let x = complete("9144030000000006");
        assert_eq!(&x[16..17], "X");
        assert!(Uscc::parse(&x).is_ok());
    }

    #[test]
    fn normalisation() {
        assert_eq!(Uscc::parse("91440300758613572g").unwrap().as_str(), SEED);
        assert_eq!(
            Uscc::parse(" ９１４４０３００ 75861357 2Ｇ ")
                .unwrap()
                .as_str(),
            SEED
        );
        // Dashes go like spaces (domain audit): as pasted, grouped, full-width, en dash.
        for dashed in [
            "91440300-758613572G",
            "91440300-75861357-2G",
            "9144-0300-7586-1357-2G",
            "91440300－758613572g",
            "91440300\u{2013}758613572G",
            " 91440300 - 758613572G ",
        ] {
            assert_eq!(Uscc::parse(dashed).unwrap().as_str(), SEED, "{dashed}");
        }
        // Only dashes and spaces go: any other separator is still refused.
        assert_eq!(Uscc::parse("91440300_758613572G"), Err(UsccError::Length));
        assert_eq!(Uscc::parse("9144030_758613572G"), Err(UsccError::Charset));
        assert_eq!(Uscc::parse("--"), Err(UsccError::Empty));
    }

    #[test]
    fn each_error_variant() {
        assert_eq!(Uscc::parse(""), Err(UsccError::Empty));
        assert_eq!(Uscc::parse("\u{3000}"), Err(UsccError::Empty));
        assert_eq!(Uscc::parse("91440300758613572"), Err(UsccError::Length));
        assert_eq!(Uscc::parse("91440300758613572GG"), Err(UsccError::Length));
        assert_eq!(Uscc::parse("9144030075861357中G"), Err(UsccError::Charset));
        assert_eq!(Uscc::parse("91440300758613572I"), Err(UsccError::Charset));
        assert_eq!(Uscc::parse("914403007586135O2G"), Err(UsccError::Charset));
        assert_eq!(
            Uscc::parse(&complete("B144030075861357")),
            Err(UsccError::Authority)
        );
        assert_eq!(
            Uscc::parse(&complete("0144030075861357")),
            Err(UsccError::Authority)
        );
        assert_eq!(
            Uscc::parse(&complete("9944030075861357")),
            Err(UsccError::Category)
        );
        assert_eq!(
            Uscc::parse(&complete("Y244030075861357")),
            Err(UsccError::Category)
        );
        assert_eq!(
            Uscc::parse(&complete("1444030075861357")),
            Err(UsccError::Category)
        );
        assert_eq!(
            Uscc::parse(&complete("9144A30075861357")),
            Err(UsccError::DivisionDigits)
        );
        assert_eq!(
            Uscc::parse(&complete("9199030075861357")),
            Err(UsccError::DivisionProvince)
        );
        assert_eq!(
            Uscc::parse(&complete("9183030075861357")),
            Err(UsccError::DivisionProvince)
        );
        assert_eq!(
            Uscc::parse(&complete("9110010075861357")),
            Err(UsccError::DivisionProvince)
        );
        assert_eq!(
            Uscc::parse("91440300758613573G"),
            Err(UsccError::OrgCodeCheck)
        );
        assert_eq!(
            Uscc::parse("9144030075861357AG"),
            Err(UsccError::OrgCodeCheck)
        );
        assert_eq!(Uscc::parse("91440300758613572H"), Err(UsccError::CheckChar));
        assert_eq!(Uscc::parse("92440300758613572G"), Err(UsccError::CheckChar));
    }

    #[test]
    fn national_division_code_and_all_categories() {
        assert!(Uscc::parse(&complete("9110000075861357")).is_ok());
        for &(a, c, zh, en) in CATEGORIES {
            let code = complete(&format!("{a}{c}44030075861357"));
            let u = Uscc::parse(&code).unwrap_or_else(|e| panic!("{a}{c}: {e}"));
            assert_eq!(u.category_name(), (zh, en));
        }
        assert_eq!(CATEGORIES.len(), 36);
        // Exactly the listed pairs are valid.
        let valid = ALPHABET
            .iter()
            .flat_map(|&a| {
                ALPHABET
                    .iter()
                    .map(move |&c| (char::from(a), char::from(c)))
            })
            .filter(|&(a, c)| is_category(a, c))
            .count();
        assert_eq!(valid, CATEGORIES.len());
    }

    #[test]
    fn serde_round_trip() {
        let u = Uscc::parse(SEED).unwrap();
        assert_eq!(serde_json::to_string(&u).unwrap(), format!("\"{SEED}\""));
        assert_eq!(
            serde_json::from_str::<Uscc>("\"91440300758613572g\"").unwrap(),
            u
        );
        assert!(serde_json::from_str::<Uscc>("\"91440300758613572H\"").is_err());
    }

    #[test]
    fn codes_are_distinct() {
        let mut codes: Vec<_> = UsccError::ALL.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), UsccError::ALL.len());
    }
}
