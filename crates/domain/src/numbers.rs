//! The carrier's fixed-length numbers (domain spec §2): group code (集团编码, 10 digits), product
//! number (产品号码 / 集团产品号码, 11 digits), sub-order number (子受理单号, 16 digits), contract
//! number (合同编号, 26 digits) and Party B's system signature (乙方代表签名, 30 digits).
//!
//! Normalisation, for all of them ([`crate::text::without_spaces`]): full-width folded and
//! every white-space character removed (also inside, so a number pasted in groups is accepted).
//! Dashes are not removed: these numbers are never written with dashes, and a dash more likely
//! means the wrong value was pasted.
//!
//! Checks, in order, each with its own error: empty; only ASCII digits; exact length; for the
//! contract number and the signature, the embedded timestamp.
//!
//! Decisions:
//! - Contract number = 16-digit order number + `yyyyMMddHH`; Party B signature = the same
//!   16-digit order number + `yyyyMMddHHmmss` (the seed: `7552304046030983` + `2023040617`, and
//!   `7552304046030983` + `20230406173615`). The timestamp must be a real calendar date (years
//!   1–9999) and a real hour 00–23 (minute and second 00–59; no leap second). It is not compared
//!   with today: the contract may be drafted days before signing, and the clock of the browser
//!   is not authoritative.
//! - The order numbers of the seed begin with `755` (Shenzhen's area code) and a `yyMMdd` date
//!   (`230404`); that pattern is an observation of one instance, not a documented rule, and is
//!   not checked.
//! - Whether a signature belongs to a contract (same order number) is offered as
//!   [`PartyBSignature::same_order_as`]; requiring it is the form's decision.

use crate::date::Date;
use crate::text;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What can be wrong with a plain digit string.
enum DigitFault {
    Empty,
    Charset,
    Length,
}

/// Normalises `s` and checks it is exactly `len` ASCII digits.
fn digits(s: &str, len: usize) -> Result<String, DigitFault> {
    let s = text::without_spaces(s);
    if s.is_empty() {
        Err(DigitFault::Empty)
    } else if !s.bytes().all(|c| c.is_ascii_digit()) {
        Err(DigitFault::Charset)
    } else if s.len() != len {
        Err(DigitFault::Length)
    } else {
        Ok(s)
    }
}

fn num(s: &str) -> u32 {
    s.bytes().fold(0, |acc, c| acc * 10 + u32::from(c - b'0'))
}

/// Declares a newtype over an exact-length digit string; its error enum has the variants
/// `Empty`, `Charset` and `Length`.
macro_rules! digit_number {
    ($(#[$meta:meta])* $name:ident, $err:ident, $len:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub const LEN: usize = $len;

            pub fn parse(s: &str) -> Result<$name, $err> {
                digits(s, $len).map($name).map_err(|f| match f {
                    DigitFault::Empty => $err::Empty,
                    DigitFault::Charset => $err::Charset,
                    DigitFault::Length => $err::Length,
                })
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        string_forms!($name, $err);
    };
}

/// Display, `FromStr`, serde as the digit string (parsing on the way in).
macro_rules! string_forms {
    ($name:ident, $err:ident) => {
        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl core::str::FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> Result<$name, $err> {
                $name::parse(s)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

crate::rule_errors! {
    /// Why a group code was refused.
    pub enum GroupCodeError {
        Empty => "group_code.empty", "请填写集团编码", "Enter the group code";
        Charset => "group_code.charset", "集团编码只能包含数字", "A group code has digits only";
        Length => "group_code.length", "集团编码应为10位数字", "A group code has 10 digits";
    }
}

crate::rule_errors! {
    /// Why a product number was refused.
    pub enum ProductNumberError {
        Empty => "product_number.empty", "请填写产品号码", "Enter the product number";
        Charset => "product_number.charset", "产品号码只能包含数字", "A product number has digits only";
        Length => "product_number.length", "产品号码应为11位数字", "A product number has 11 digits";
    }
}

crate::rule_errors! {
    /// Why a sub-order number was refused.
    pub enum SubOrderNoError {
        Empty => "sub_order_no.empty", "请填写子受理单号", "Enter the sub-order number";
        Charset => "sub_order_no.charset", "子受理单号只能包含数字", "A sub-order number has digits only";
        Length => "sub_order_no.length", "子受理单号应为16位数字", "A sub-order number has 16 digits";
    }
}

digit_number!(
    /// 集团编码: the customer's group code, 10 digits.
    GroupCode, GroupCodeError, 10
);

digit_number!(
    /// 产品号码 / 集团产品号码: a product line's number, 11 digits.
    ProductNumber, ProductNumberError, 11
);

digit_number!(
    /// 子受理单号: a product line's sub-order number, 16 digits.
    SubOrderNo, SubOrderNoError, 16
);

crate::rule_errors! {
    /// Why a contract number was refused.
    pub enum ContractNoError {
        Empty => "contract_no.empty",
            "请填写合同编号",
            "Enter the contract number";
        Charset => "contract_no.charset",
            "合同编号只能包含数字",
            "A contract number has digits only";
        Length => "contract_no.length",
            "合同编号应为26位数字",
            "A contract number has 26 digits";
        TimestampDate => "contract_no.timestamp_date",
            "合同编号第17–24位不是有效日期",
            "Digits 17–24 of the contract number are not a real calendar date";
        TimestampHour => "contract_no.timestamp_hour",
            "合同编号第25–26位不是有效的小时（00–23）",
            "Digits 25–26 of the contract number are not an hour (00–23)";
    }
}

crate::rule_errors! {
    /// Why Party B's system signature was refused.
    pub enum PartyBSignatureError {
        Empty => "party_b_signature.empty",
            "缺少乙方系统签名",
            "Party B's system signature is missing";
        Charset => "party_b_signature.charset",
            "乙方系统签名只能包含数字",
            "Party B's system signature has digits only";
        Length => "party_b_signature.length",
            "乙方系统签名应为30位数字",
            "Party B's system signature has 30 digits";
        TimestampDate => "party_b_signature.timestamp_date",
            "乙方系统签名第17–24位不是有效日期",
            "Digits 17–24 of Party B's signature are not a real calendar date";
        TimestampTime => "party_b_signature.timestamp_time",
            "乙方系统签名第25–30位不是有效时间（时00–23，分、秒00–59）",
            "Digits 25–30 of Party B's signature are not a time (hour 00–23, minute and second 00–59)";
    }
}

/// 合同编号: 16-digit order number + `yyyyMMddHH`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContractNo(String);

impl ContractNo {
    pub const LEN: usize = 26;

    pub fn parse(s: &str) -> Result<ContractNo, ContractNoError> {
        use ContractNoError as E;
        let s = digits(s, 26).map_err(|f| match f {
            DigitFault::Empty => E::Empty,
            DigitFault::Charset => E::Charset,
            DigitFault::Length => E::Length,
        })?;
        Date::parse_compact(&s[16..24]).map_err(|_| E::TimestampDate)?;
        if num(&s[24..26]) > 23 {
            return Err(E::TimestampHour);
        }
        Ok(ContractNo(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 16-digit order number (positions 1–16).
    pub fn order_no(&self) -> &str {
        &self.0[..16]
    }

    /// The date of the timestamp (positions 17–24).
    pub fn date(&self) -> Date {
        Date::parse_compact(&self.0[16..24]).expect("checked by parse")
    }

    /// The hour of the timestamp (positions 25–26), 0–23.
    pub fn hour(&self) -> u8 {
        num(&self.0[24..26]) as u8
    }
}

string_forms!(ContractNo, ContractNoError);

/// 乙方代表签名 (Party B's system signature): the contract's 16-digit order number +
/// `yyyyMMddHHmmss`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartyBSignature(String);

impl PartyBSignature {
    pub const LEN: usize = 30;

    pub fn parse(s: &str) -> Result<PartyBSignature, PartyBSignatureError> {
        use PartyBSignatureError as E;
        let s = digits(s, 30).map_err(|f| match f {
            DigitFault::Empty => E::Empty,
            DigitFault::Charset => E::Charset,
            DigitFault::Length => E::Length,
        })?;
        Date::parse_compact(&s[16..24]).map_err(|_| E::TimestampDate)?;
        if num(&s[24..26]) > 23 || num(&s[26..28]) > 59 || num(&s[28..30]) > 59 {
            return Err(E::TimestampTime);
        }
        Ok(PartyBSignature(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 16-digit order number (positions 1–16).
    pub fn order_no(&self) -> &str {
        &self.0[..16]
    }

    /// The date of the timestamp (positions 17–24).
    pub fn date(&self) -> Date {
        Date::parse_compact(&self.0[16..24]).expect("checked by parse")
    }

    /// Hour, minute, second of the timestamp (positions 25–30).
    pub fn time(&self) -> (u8, u8, u8) {
        let part = |r: core::ops::Range<usize>| num(&self.0[r]) as u8;
        (part(24..26), part(26..28), part(28..30))
    }

    /// Whether this signature carries the contract's order number.
    pub fn same_order_as(&self, contract: &ContractNo) -> bool {
        self.order_no() == contract.order_no()
    }
}

string_forms!(PartyBSignature, PartyBSignatureError);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RuleError;

    #[test]
    fn seed_values() {
        assert_eq!(
            GroupCode::parse("2002692004").unwrap().as_str(),
            "2002692004"
        );
        for s in ["7552304046004915", "7552304046028604"] {
            assert_eq!(SubOrderNo::parse(s).unwrap().as_str(), s);
        }
        for s in ["30221115150", "50255013641"] {
            assert_eq!(ProductNumber::parse(s).unwrap().as_str(), s);
        }
        let c = ContractNo::parse("75523040460309832023040617").unwrap();
        assert_eq!(c.order_no(), "7552304046030983");
        assert_eq!(c.date(), Date::new(2023, 4, 6).unwrap());
        assert_eq!(c.hour(), 17);
        let sig = PartyBSignature::parse("755230404603098320230406173615").unwrap();
        assert_eq!(sig.order_no(), "7552304046030983");
        assert_eq!(sig.date(), Date::new(2023, 4, 6).unwrap());
        assert_eq!(sig.time(), (17, 36, 15));
        assert!(sig.same_order_as(&c));
        let other = ContractNo::parse("75523040460309842023040617").unwrap();
        assert!(!sig.same_order_as(&other));
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            GroupCode::parse(" ２００２６９２００４ ").unwrap().as_str(),
            "2002692004"
        );
        assert_eq!(
            SubOrderNo::parse("7552 3040 4600 4915").unwrap().as_str(),
            "7552304046004915"
        );
        assert_eq!(
            GroupCode::parse("2002-692004"),
            Err(GroupCodeError::Charset)
        );
    }

    #[test]
    fn fixed_length_errors() {
        assert_eq!(GroupCode::parse(""), Err(GroupCodeError::Empty));
        assert_eq!(GroupCode::parse("200269200A"), Err(GroupCodeError::Charset));
        assert_eq!(GroupCode::parse("200269200"), Err(GroupCodeError::Length));
        assert_eq!(GroupCode::parse("20026920041"), Err(GroupCodeError::Length));
        assert_eq!(ProductNumber::parse(" "), Err(ProductNumberError::Empty));
        assert_eq!(
            ProductNumber::parse("3022111515O"),
            Err(ProductNumberError::Charset)
        );
        assert_eq!(
            ProductNumber::parse("3022111515"),
            Err(ProductNumberError::Length)
        );
        assert_eq!(SubOrderNo::parse("\u{3000}"), Err(SubOrderNoError::Empty));
        assert_eq!(
            SubOrderNo::parse("755230404600491五"),
            Err(SubOrderNoError::Charset)
        );
        assert_eq!(
            SubOrderNo::parse("755230404600491"),
            Err(SubOrderNoError::Length)
        );
        assert_eq!(GroupCodeError::Length.code(), "group_code.length");
        assert_eq!(GroupCodeError::Length.message_zh(), "集团编码应为10位数字");
        assert_eq!(
            SubOrderNoError::Length.message_en(),
            "A sub-order number has 16 digits"
        );
        assert_eq!(ProductNumberError::Charset.code(), "product_number.charset");
    }

    #[test]
    fn contract_no_errors() {
        use ContractNoError as E;
        assert_eq!(ContractNo::parse(""), Err(E::Empty));
        assert_eq!(
            ContractNo::parse("7552304046030983202304061X"),
            Err(E::Charset)
        );
        assert_eq!(
            ContractNo::parse("755230404603098320230406"),
            Err(E::Length)
        );
        assert_eq!(
            ContractNo::parse("75523040460309832023022917"),
            Err(E::TimestampDate)
        );
        assert_eq!(
            ContractNo::parse("75523040460309832023130617"),
            Err(E::TimestampDate)
        );
        assert_eq!(
            ContractNo::parse("75523040460309830000010117"),
            Err(E::TimestampDate)
        );
        assert_eq!(
            ContractNo::parse("75523040460309832023040624"),
            Err(E::TimestampHour)
        );
        assert!(ContractNo::parse("75523040460309832024022900").is_ok());
    }

    #[test]
    fn signature_errors() {
        use PartyBSignatureError as E;
        assert_eq!(PartyBSignature::parse(""), Err(E::Empty));
        assert_eq!(
            PartyBSignature::parse("75523040460309832023040617361a"),
            Err(E::Charset)
        );
        assert_eq!(
            PartyBSignature::parse("75523040460309832023040617"),
            Err(E::Length)
        );
        assert_eq!(
            PartyBSignature::parse("755230404603098320230431173615"),
            Err(E::TimestampDate)
        );
        assert_eq!(
            PartyBSignature::parse("755230404603098320230406243615"),
            Err(E::TimestampTime)
        );
        assert_eq!(
            PartyBSignature::parse("755230404603098320230406176015"),
            Err(E::TimestampTime)
        );
        assert_eq!(
            PartyBSignature::parse("755230404603098320230406173660"),
            Err(E::TimestampTime)
        );
        assert!(PartyBSignature::parse("755230404603098320230406235959").is_ok());
    }

    #[test]
    fn serde_is_the_digit_string() {
        let c = ContractNo::parse("75523040460309832023040617").unwrap();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            "\"75523040460309832023040617\""
        );
        assert_eq!(
            serde_json::from_str::<ContractNo>("\"75523040460309832023040617\"").unwrap(),
            c
        );
        assert!(serde_json::from_str::<GroupCode>("\"123\"").is_err());
        assert_eq!(
            "2002692004".parse::<GroupCode>().unwrap().to_string(),
            "2002692004"
        );
    }
}
