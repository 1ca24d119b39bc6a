//! Personal ID document types and the number format of each (domain spec §3.2, §3.5: "ID type
//! decides which ID number rule applies").
//!
//! [`IdType`] lists the documents a Chinese carrier form offers, with the labels the form
//! prints; [`parse_id_number`] checks a number against the chosen type's format.
//!
//! Normalisation, per type (all fold full-width characters first, see [`crate::text`]):
//!
//! | type | normalisation | format accepted | stored as |
//! |---|---|---|---|
//! | 身份证 | white space removed, `x` → `X` | GB 11643, see [`crate::resident_id`] | 18 chars |
//! | 港澳居民来往内地通行证 | white space removed, upper-cased | `H`/`M` + 8 digits, optionally + 2-digit renewal count | the 9-char number |
//! | 台湾居民来往大陆通行证 | white space removed | 8 digits | 8 digits |
//! | 港澳台居民居住证 | as 身份证 | GB 11643 number starting 810000 / 820000 / 830000 | 18 chars |
//! | 护照 | white space removed, upper-cased | 5–17 letters/digits, at least one digit | as typed, upper case |
//! | 外国人永久居留身份证 | white space removed, upper-cased | 2017: 3 letters + 12 digits; 2023: `9` + 16 digits + check (GB 11643 MOD 11-2) | 15 / 18 chars |
//!
//! Decisions:
//! - 身份证 and 港澳台居民居住证 share the GB 11643 number and its rules; their errors are the
//!   [`ResidentIdError`]s, passed through with their own codes (`resident_id.*`); a GB 11643
//!   number starts with a mainland province code or exactly a permit prefix, anything else
//!   (`71…`, `831234…`) is `resident_id.province`. A number with a
//!   residence-permit prefix (810000 / 820000 / 830000) is refused under 身份证
//!   (`id_card.residence_permit_number`: the user picked the wrong type), and any other prefix is
//!   refused under 港澳台居民居住证 (`residence_permit.prefix`).
//! - Mainland travel permit for Hong Kong and Macao residents (回乡证): the card issued since
//!   2013 carries `H` (Hong Kong) or `M` (Macao) and 8 digits, a lifetime personal number; the
//!   2-digit renewal count printed beside it (and once part of the booklet's 11-character
//!   number) is accepted after the 9 characters and dropped, since it changes with every renewal
//!   while the 9 characters identify the holder.
//! - Mainland travel permit for Taiwan residents (台胞证): the card issued since 2015 carries an
//!   8-digit lifetime number. The older 10-digit booklet numbers (8 digits + 2-digit issue
//!   count) are refused with their own error (`taiwan_permit.legacy`): the last booklets expired
//!   by 2020, and the card keeps the same first 8 digits, which the message asks for.
//! - Passport: issuing states use 5 to 17 characters (ICAO 9303 gives the number 9 characters
//!   in the machine-readable zone, with filler for shorter numbers; a few states issue longer
//!   ones); only ASCII letters and digits after folding; at least one digit, which every
//!   passport number we know of carries and which stops a name typed in the wrong field.
//! - Foreign permanent resident ID card (永居证): the 2017 card's 15 characters are 3 letters
//!   (nationality) and 12 digits; the immigration administration publishes no check for them,
//!   so only the shape is checked and no birth date is read. The card issued since 2023-12-01
//!   has 18 characters: `9`, a 2-digit province code of the accepting office (one of
//!   [`crate::resident_id::PROVINCE_CODES`]), a 3-digit nationality code, the birth date
//!   `YYYYMMDD` in positions 7–14, a sequence and the GB 11643 check character; the birth date
//!   gets the same window as a resident ID (not after today, at most 120 years back).
//! - `IdNumber::birth_date` is `Some` only for 身份证, 港澳台居民居住证 and the 2023 永居证; a form
//!   rule that needs an age (the agent must be 18+) cannot read it from the other numbers.
//! - Masking: 18-character numbers show their first 4 and last 4 characters like a resident ID;
//!   numbers of 9 to 17 characters their first 2 and last 2; shorter numbers their first and last.

use crate::date::Date;
use crate::error::RuleError;
use crate::resident_id::{self, BirthFault, ResidentId, ResidentIdError};
use crate::text;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A personal ID document type, as the carrier form names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdType {
    /// 身份证 (resident identity card).
    ResidentIdCard,
    /// 港澳居民来往内地通行证.
    HkMacaoTravelPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanTravelPermit,
    /// 港澳台居民居住证.
    HkMacaoTaiwanResidencePermit,
    /// 护照.
    Passport,
    /// 外国人永久居留身份证.
    ForeignPermanentResidentId,
}

impl IdType {
    /// Every type, in the order a form lists them.
    pub const ALL: [IdType; 6] = [
        IdType::ResidentIdCard,
        IdType::HkMacaoTravelPermit,
        IdType::TaiwanTravelPermit,
        IdType::HkMacaoTaiwanResidencePermit,
        IdType::Passport,
        IdType::ForeignPermanentResidentId,
    ];

    /// The label the Chinese form prints (and the form model's JSON value).
    pub fn label_zh(self) -> &'static str {
        match self {
            IdType::ResidentIdCard => "身份证",
            IdType::HkMacaoTravelPermit => "港澳居民来往内地通行证",
            IdType::TaiwanTravelPermit => "台湾居民来往大陆通行证",
            IdType::HkMacaoTaiwanResidencePermit => "港澳台居民居住证",
            IdType::Passport => "护照",
            IdType::ForeignPermanentResidentId => "外国人永久居留身份证",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            IdType::ResidentIdCard => "Resident identity card",
            IdType::HkMacaoTravelPermit => {
                "Mainland travel permit for Hong Kong and Macao residents"
            }
            IdType::TaiwanTravelPermit => "Mainland travel permit for Taiwan residents",
            IdType::HkMacaoTaiwanResidencePermit => {
                "Residence permit for Hong Kong, Macao and Taiwan residents"
            }
            IdType::Passport => "Passport",
            IdType::ForeignPermanentResidentId => "Foreign permanent resident ID card",
        }
    }

    pub fn label(self, locale: crate::error::Locale) -> &'static str {
        match locale {
            crate::error::Locale::ZhCn => self.label_zh(),
            crate::error::Locale::En => self.label_en(),
        }
    }

    /// The type whose zh or en label is `label` (trimmed, full-width folded; the en label
    /// compared ignoring ASCII case). `居民身份证`, the card's full name, is read as 身份证.
    pub fn from_label(label: &str) -> Option<IdType> {
        let label = text::normalise(label);
        if label == "居民身份证" {
            return Some(IdType::ResidentIdCard);
        }
        IdType::ALL
            .into_iter()
            .find(|t| t.label_zh() == label || t.label_en().eq_ignore_ascii_case(&label))
    }
}

impl core::fmt::Display for IdType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.label_zh())
    }
}

impl Serialize for IdType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label_zh())
    }
}

impl<'de> Deserialize<'de> for IdType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IdType, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        IdType::from_label(&s)
            .ok_or_else(|| serde::de::Error::custom(format_args!("unknown ID type {s:?}")))
    }
}

crate::rule_errors! {
    /// Why an ID number of a type other than a plain GB 11643 number was refused.
    pub enum IdFormatError {
        Empty => "id_number.empty",
            "请填写证件号码",
            "Enter the ID number";
        ResidencePermitUnderIdCard => "id_card.residence_permit_number",
            "这是港澳台居民居住证号码，请将证件类型选为“港澳台居民居住证”",
            "This is a residence permit number: choose the ID type “Residence permit for Hong Kong, Macao and Taiwan residents”";
        ResidencePermitPrefix => "residence_permit.prefix",
            "港澳台居民居住证号码应以810000、820000或830000开头",
            "A residence permit number starts with 810000, 820000 or 830000";
        HkMacaoPrefix => "hk_macao_permit.prefix",
            "港澳居民来往内地通行证号码应以H（香港）或M（澳门）开头",
            "The permit number starts with H (Hong Kong) or M (Macao)";
        HkMacaoDigits => "hk_macao_permit.digits",
            "H或M之后应为数字",
            "H or M must be followed by digits only";
        HkMacaoLength => "hk_macao_permit.length",
            "港澳居民来往内地通行证号码应为H或M加8位数字（可附2位换证次数）",
            "The permit number is H or M and 8 digits (optionally followed by the 2-digit renewal count)";
        TaiwanDigits => "taiwan_permit.digits",
            "台湾居民来往大陆通行证号码只能包含数字",
            "A Taiwan residents' permit number has digits only";
        TaiwanLegacy => "taiwan_permit.legacy",
            "10位本式通行证号码已停用，请填写卡式通行证的8位号码",
            "10-digit booklet permit numbers are no longer in use: enter the 8-digit number of the card";
        TaiwanLength => "taiwan_permit.length",
            "台湾居民来往大陆通行证号码应为8位数字",
            "A Taiwan residents' permit number has 8 digits";
        PassportCharset => "passport.charset",
            "护照号码只能包含字母和数字",
            "A passport number has letters and digits only";
        PassportLength => "passport.length",
            "护照号码应为5至17位",
            "A passport number has 5 to 17 characters";
        PassportNoDigit => "passport.no_digit",
            "护照号码应至少包含一位数字",
            "A passport number contains at least one digit";
        ForeignLength => "foreign_permanent_id.length",
            "外国人永久居留身份证号码应为15位（2017版）或18位（2023版）",
            "A foreign permanent resident ID number has 15 (2017 card) or 18 (2023 card) characters";
        ForeignFormat2017 => "foreign_permanent_id.format_2017",
            "15位永居证号码应为3位字母加12位数字",
            "A 15-character permanent resident ID number is 3 letters and 12 digits";
        ForeignPrefix2023 => "foreign_permanent_id.prefix",
            "18位永居证号码应以9开头",
            "An 18-character permanent resident ID number starts with 9";
        ForeignFormat2023 => "foreign_permanent_id.format_2023",
            "18位永居证号码前17位应为数字，第18位为数字或X",
            "The first 17 characters must be digits and the 18th a digit or X";
        ForeignProvince => "foreign_permanent_id.province",
            "第2–3位不是有效的省级行政区划代码",
            "Digits 2–3 are not a province-level division code";
        ForeignBirthDate => "foreign_permanent_id.birth_date",
            "第7–14位不是有效的出生日期",
            "Digits 7–14 are not a real calendar date of birth";
        ForeignBirthInFuture => "foreign_permanent_id.birth_in_future",
            "出生日期晚于今天",
            "The date of birth is after today";
        ForeignBirthTooOld => "foreign_permanent_id.birth_too_old",
            "出生日期早于120年前",
            "The date of birth is more than 120 years ago";
        ForeignCheckDigit => "foreign_permanent_id.check_digit",
            "校验位不符",
            "Check digit does not match";
    }
}

/// Why an ID number was refused: a GB 11643 rule (身份证, 港澳台居民居住证) with its own code, or a
/// rule of another document's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdNumberError {
    ResidentId(ResidentIdError),
    Format(IdFormatError),
}

impl From<ResidentIdError> for IdNumberError {
    fn from(e: ResidentIdError) -> Self {
        IdNumberError::ResidentId(e)
    }
}

impl From<IdFormatError> for IdNumberError {
    fn from(e: IdFormatError) -> Self {
        IdNumberError::Format(e)
    }
}

impl RuleError for IdNumberError {
    fn code(&self) -> &'static str {
        match self {
            IdNumberError::ResidentId(e) => e.code(),
            IdNumberError::Format(e) => e.code(),
        }
    }
    fn message_zh(&self) -> &'static str {
        match self {
            IdNumberError::ResidentId(e) => e.message_zh(),
            IdNumberError::Format(e) => e.message_zh(),
        }
    }
    fn message_en(&self) -> &'static str {
        match self {
            IdNumberError::ResidentId(e) => e.message_en(),
            IdNumberError::Format(e) => e.message_en(),
        }
    }
}

impl core::fmt::Display for IdNumberError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message_en())
    }
}

impl std::error::Error for IdNumberError {}

/// A valid ID number of a given document type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber {
    kind: IdType,
    number: String,
    birth_date: Option<Date>,
}

impl IdNumber {
    pub fn kind(&self) -> IdType {
        self.kind
    }

    /// The normalised number (see the module table).
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The holder's date of birth, where the format encodes one.
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_date
    }

    /// The number with its middle replaced by `*` (see the module documentation).
    pub fn masked(&self) -> String {
        match self.number.chars().count() {
            n if n >= 18 => text::mask_middle(&self.number, 4, 4),
            n if n >= 9 => text::mask_middle(&self.number, 2, 2),
            _ => text::mask_middle(&self.number, 1, 1),
        }
    }
}

impl core::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.number)
    }
}

impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.number)
    }
}

/// Checks `s` against the format of `kind`; `today` bounds embedded birth dates.
pub fn parse_id_number(kind: IdType, s: &str, today: Date) -> Result<IdNumber, IdNumberError> {
    let gb11643 = |id: ResidentId| IdNumber {
        kind,
        birth_date: Some(id.birth_date()),
        number: id.as_str().to_owned(),
    };
    let (number, birth_date) = match kind {
        IdType::ResidentIdCard => {
            let id = ResidentId::parse(s, today)?;
            if id.is_residence_permit_number() {
                return Err(IdFormatError::ResidencePermitUnderIdCard.into());
            }
            return Ok(gb11643(id));
        }
        IdType::HkMacaoTaiwanResidencePermit => {
            let n = resident_id::normalise(s);
            let b = n.as_bytes();
            if resident_id::has_gb11643_charset(b)
                && !resident_id::RESIDENCE_PERMIT_PREFIXES.contains(&&n[..6])
            {
                return Err(IdFormatError::ResidencePermitPrefix.into());
            }
            return Ok(gb11643(ResidentId::parse(&n, today)?));
        }
        IdType::HkMacaoTravelPermit => (hk_macao(s)?, None),
        IdType::TaiwanTravelPermit => (taiwan(s)?, None),
        IdType::Passport => (passport(s)?, None),
        IdType::ForeignPermanentResidentId => foreign_permanent(s, today)?,
    };
    Ok(IdNumber {
        kind,
        number,
        birth_date,
    })
}

fn hk_macao(s: &str) -> Result<String, IdFormatError> {
    let n = text::without_spaces(s).to_ascii_uppercase();
    let mut chars = n.chars();
    match chars.next() {
        None => return Err(IdFormatError::Empty),
        Some('H' | 'M') => {}
        Some(_) => return Err(IdFormatError::HkMacaoPrefix),
    }
    let digits = chars.as_str();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(IdFormatError::HkMacaoDigits);
    }
    match digits.len() {
        8 | 10 => Ok(n[..9].to_owned()),
        _ => Err(IdFormatError::HkMacaoLength),
    }
}

fn taiwan(s: &str) -> Result<String, IdFormatError> {
    let n = text::without_spaces(s);
    if n.is_empty() {
        return Err(IdFormatError::Empty);
    }
    if !n.bytes().all(|c| c.is_ascii_digit()) {
        return Err(IdFormatError::TaiwanDigits);
    }
    match n.len() {
        8 => Ok(n),
        10 => Err(IdFormatError::TaiwanLegacy),
        _ => Err(IdFormatError::TaiwanLength),
    }
}

fn passport(s: &str) -> Result<String, IdFormatError> {
    let n = text::without_spaces(s).to_ascii_uppercase();
    if n.is_empty() {
        return Err(IdFormatError::Empty);
    }
    if !n.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(IdFormatError::PassportCharset);
    }
    if !(5..=17).contains(&n.len()) {
        return Err(IdFormatError::PassportLength);
    }
    if !n.bytes().any(|c| c.is_ascii_digit()) {
        return Err(IdFormatError::PassportNoDigit);
    }
    Ok(n)
}

fn foreign_permanent(s: &str, today: Date) -> Result<(String, Option<Date>), IdFormatError> {
    let n = text::without_spaces(s).to_ascii_uppercase();
    let b = n.as_bytes();
    match n.chars().count() {
        0 => Err(IdFormatError::Empty),
        15 => {
            let shape = b.len() == 15
                && b[..3].iter().all(u8::is_ascii_uppercase)
                && b[3..].iter().all(u8::is_ascii_digit);
            if shape {
                Ok((n, None))
            } else {
                Err(IdFormatError::ForeignFormat2017)
            }
        }
        18 => {
            if b[0] != b'9' {
                return Err(IdFormatError::ForeignPrefix2023);
            }
            if !resident_id::has_gb11643_charset(b) {
                return Err(IdFormatError::ForeignFormat2023);
            }
            if !resident_id::is_province_code((b[1] - b'0') * 10 + (b[2] - b'0')) {
                return Err(IdFormatError::ForeignProvince);
            }
            let birth = resident_id::birth_date_of(b, today).map_err(|f| match f {
                BirthFault::NotADate => IdFormatError::ForeignBirthDate,
                BirthFault::InFuture => IdFormatError::ForeignBirthInFuture,
                BirthFault::TooOld => IdFormatError::ForeignBirthTooOld,
            })?;
            if char::from(b[17]) != resident_id::check_char_of_digits(&b[..17]) {
                return Err(IdFormatError::ForeignCheckDigit);
            }
            Ok((n, Some(birth)))
        }
        _ => Err(IdFormatError::ForeignLength),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IdType::*;

    fn today() -> Date {
        Date::new(2023, 4, 10).unwrap()
    }

    fn parse(kind: IdType, s: &str) -> Result<IdNumber, IdNumberError> {
        parse_id_number(kind, s, today())
    }

    fn err(kind: IdType, s: &str) -> IdNumberError {
        parse(kind, s).unwrap_err()
    }

    fn fmt(e: IdFormatError) -> IdNumberError {
        IdNumberError::Format(e)
    }

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", resident_id::check_char(first17).unwrap())
    }

    #[test]
    fn labels_round_trip() {
        for t in IdType::ALL {
            assert_eq!(IdType::from_label(t.label_zh()), Some(t));
            assert_eq!(IdType::from_label(t.label_en()), Some(t));
            assert_eq!(
                IdType::from_label(&format!(" {} ", t.label_en().to_uppercase())),
                Some(t)
            );
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(serde_json::from_str::<IdType>(&json).unwrap(), t);
        }
        assert_eq!(IdType::from_label("居民身份证"), Some(ResidentIdCard));
        assert_eq!(IdType::from_label("驾驶证"), None);
        assert_eq!(IdType::from_label(""), None);
        assert_eq!(serde_json::to_string(&Passport).unwrap(), "\"护照\"");
        assert!(serde_json::from_str::<IdType>("\"军官证\"").is_err());
    }

    #[test]
    fn seed_resident_ids() {
        let id = parse(ResidentIdCard, "440305199608185316").unwrap();
        assert_eq!(id.kind(), ResidentIdCard);
        assert_eq!(id.as_str(), "440305199608185316");
        assert_eq!(id.birth_date(), Date::new(1996, 8, 18));
        assert_eq!(id.masked(), "4403**********5316");
        assert!(parse(ResidentIdCard, "440307198505201246").is_ok());
    }

    #[test]
    fn resident_id_errors_pass_through() {
        use ResidentIdError as R;
        assert_eq!(err(ResidentIdCard, ""), IdNumberError::ResidentId(R::Empty));
        assert_eq!(
            err(ResidentIdCard, "440305199608185317"),
            IdNumberError::ResidentId(R::CheckDigit)
        );
        assert_eq!(
            err(ResidentIdCard, "440305199608185317").code(),
            "resident_id.check_digit"
        );
        assert_eq!(
            err(ResidentIdCard, "440305199608185317").message_zh(),
            "校验位不符"
        );
        let permit = with_check("81000019900101002");
        assert_eq!(
            err(ResidentIdCard, &permit),
            fmt(IdFormatError::ResidencePermitUnderIdCard)
        );
        // Under 身份证, a prefix no mainland card carries (domain audit 2026-12): 83 other than
        // the 830000 permit prefix, 71, 81 and 82 other than the permit prefixes.
        for first17 in [
            "83123419900101002",
            "71010019900101002",
            "81010019900101002",
            "82000119900101002",
        ] {
            assert_eq!(
                err(ResidentIdCard, &with_check(first17)),
                IdNumberError::ResidentId(ResidentIdError::Province),
                "{first17}"
            );
        }
    }

    #[test]
    fn residence_permits() {
        for prefix in ["810000", "820000", "830000"] {
            let n = with_check(&format!("{prefix}19900101002"));
            let id = parse(HkMacaoTaiwanResidencePermit, &n).unwrap();
            assert_eq!(id.birth_date(), Date::new(1990, 1, 1));
            assert_eq!(id.as_str(), n);
        }
        assert_eq!(
            err(HkMacaoTaiwanResidencePermit, "440305199608185316"),
            fmt(IdFormatError::ResidencePermitPrefix)
        );
        assert_eq!(
            err(
                HkMacaoTaiwanResidencePermit,
                &with_check("81010019900101002")
            ),
            fmt(IdFormatError::ResidencePermitPrefix)
        );
        let good = with_check("81000019900101002");
        let bad_check = format!(
            "{}{}",
            &good[..17],
            if good.ends_with('0') { '1' } else { '0' }
        );
        assert_eq!(
            err(HkMacaoTaiwanResidencePermit, &bad_check),
            IdNumberError::ResidentId(ResidentIdError::CheckDigit)
        );
        assert_eq!(
            err(HkMacaoTaiwanResidencePermit, "8100001990"),
            IdNumberError::ResidentId(ResidentIdError::Length)
        );
        assert_eq!(
            err(
                HkMacaoTaiwanResidencePermit,
                &with_check("81000020300101002")
            ),
            IdNumberError::ResidentId(ResidentIdError::BirthInFuture)
        );
    }

    #[test]
    fn hk_macao_permits() {
        let id = parse(HkMacaoTravelPermit, "h12345678").unwrap();
        assert_eq!(id.as_str(), "H12345678");
        assert_eq!(id.birth_date(), None);
        assert_eq!(id.masked(), "H1*****78");
        assert_eq!(
            parse(HkMacaoTravelPermit, "M12345678 01").unwrap().as_str(),
            "M12345678"
        );
        assert_eq!(
            parse(HkMacaoTravelPermit, "Ｈ１２３４５６７８")
                .unwrap()
                .as_str(),
            "H12345678"
        );
        assert_eq!(err(HkMacaoTravelPermit, " "), fmt(IdFormatError::Empty));
        assert_eq!(
            err(HkMacaoTravelPermit, "K12345678"),
            fmt(IdFormatError::HkMacaoPrefix)
        );
        assert_eq!(
            err(HkMacaoTravelPermit, "12345678"),
            fmt(IdFormatError::HkMacaoPrefix)
        );
        assert_eq!(
            err(HkMacaoTravelPermit, "H1234567A"),
            fmt(IdFormatError::HkMacaoDigits)
        );
        assert_eq!(
            err(HkMacaoTravelPermit, "H1234567"),
            fmt(IdFormatError::HkMacaoLength)
        );
        assert_eq!(
            err(HkMacaoTravelPermit, "H123456789"),
            fmt(IdFormatError::HkMacaoLength)
        );
        assert_eq!(
            err(HkMacaoTravelPermit, "H12345678012"),
            fmt(IdFormatError::HkMacaoLength)
        );
    }

    #[test]
    fn taiwan_permits() {
        let id = parse(TaiwanTravelPermit, "0123 4567").unwrap();
        assert_eq!(id.as_str(), "01234567");
        assert_eq!(id.masked(), "0******7");
        assert_eq!(err(TaiwanTravelPermit, ""), fmt(IdFormatError::Empty));
        assert_eq!(
            err(TaiwanTravelPermit, "0123456B"),
            fmt(IdFormatError::TaiwanDigits)
        );
        assert_eq!(
            err(TaiwanTravelPermit, "0123456701"),
            fmt(IdFormatError::TaiwanLegacy)
        );
        assert_eq!(
            err(TaiwanTravelPermit, "0123456"),
            fmt(IdFormatError::TaiwanLength)
        );
        assert_eq!(
            err(TaiwanTravelPermit, "012345678"),
            fmt(IdFormatError::TaiwanLength)
        );
    }

    #[test]
    fn passports() {
        assert_eq!(parse(Passport, "e12345678").unwrap().as_str(), "E12345678");
        assert_eq!(parse(Passport, "EA 1234567").unwrap().masked(), "EA*****67");
        assert_eq!(parse(Passport, "A1234").unwrap().masked(), "A***4");
        assert!(parse(Passport, "12345678901234567").is_ok());
        assert_eq!(err(Passport, ""), fmt(IdFormatError::Empty));
        assert_eq!(
            err(Passport, "E1234567-8"),
            fmt(IdFormatError::PassportCharset)
        );
        assert_eq!(
            err(Passport, "护照12345"),
            fmt(IdFormatError::PassportCharset)
        );
        assert_eq!(err(Passport, "E123"), fmt(IdFormatError::PassportLength));
        assert_eq!(
            err(Passport, "123456789012345678"),
            fmt(IdFormatError::PassportLength)
        );
        assert_eq!(
            err(Passport, "ZHANGSAN"),
            fmt(IdFormatError::PassportNoDigit)
        );
    }

    #[test]
    fn foreign_permanent_resident_ids() {
        let old = parse(ForeignPermanentResidentId, "usa440019850520").unwrap();
        assert_eq!(old.as_str(), "USA440019850520");
        assert_eq!(old.birth_date(), None);
        assert_eq!(old.masked(), "US***********20");
        let n = with_check("94484019850520001");
        let new = parse(ForeignPermanentResidentId, &n).unwrap();
        assert_eq!(new.birth_date(), Date::new(1985, 5, 20));
        assert_eq!(new.masked(), format!("9448**********{}", &n[14..]));

        let e = |s: &str| err(ForeignPermanentResidentId, s);
        assert_eq!(e(""), fmt(IdFormatError::Empty));
        assert_eq!(e("USA44001985052"), fmt(IdFormatError::ForeignLength));
        assert_eq!(e("US4440019850520"), fmt(IdFormatError::ForeignFormat2017));
        assert_eq!(e("USA44001985052X"), fmt(IdFormatError::ForeignFormat2017));
        assert_eq!(
            e("美国A440019850520"),
            fmt(IdFormatError::ForeignFormat2017)
        );
        assert_eq!(
            e("440305199608185316"),
            fmt(IdFormatError::ForeignPrefix2023)
        );
        assert_eq!(
            e("9448401985052000AX"),
            fmt(IdFormatError::ForeignFormat2023)
        );
        assert_eq!(
            e(&with_check("99984019850520001")),
            fmt(IdFormatError::ForeignProvince)
        );
        assert_eq!(
            e(&with_check("94484019850230001")),
            fmt(IdFormatError::ForeignBirthDate)
        );
        assert_eq!(
            e(&with_check("94484020230411001")),
            fmt(IdFormatError::ForeignBirthInFuture)
        );
        assert_eq!(
            e(&with_check("94484019030409001")),
            fmt(IdFormatError::ForeignBirthTooOld)
        );
        let wrong = format!("{}{}", &n[..17], if n.ends_with('0') { '1' } else { '0' });
        assert_eq!(e(&wrong), fmt(IdFormatError::ForeignCheckDigit));
    }

    #[test]
    fn codes_are_distinct_and_prefixed() {
        let mut codes: Vec<_> = IdFormatError::ALL.iter().map(|e| e.code()).collect();
        codes.extend(ResidentIdError::ALL.iter().map(|e| e.code()));
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
