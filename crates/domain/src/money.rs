//! Exact money: [`Fen`], an integer number of fen (分, 1/100 yuan). No binary floating point
//! anywhere: every product and quotient is taken in `i128` and rounded half up once
//! (domain-spec §4).
//!
//! # What [`Fen::parse_yuan`] accepts (the form's decimal yuan strings, contract.md §1)
//!
//! - Surrounding whitespace is trimmed. Then: one or more ASCII digits, optionally a `.` and one or
//!   two more ASCII digits: `"1000"`, `"1000.5"`, `"1000.00"`, `"0.01"`. Leading zeros are
//!   harmless (`"007"` is 7.00).
//! - More than two decimals is refused ([`MoneyError::TooManyDecimals`]), even `"1.000"`: a
//!   fen amount is never rounded silently on the way in.
//! - A minus sign is refused ([`MoneyError::Negative`]): every amount the form carries (monthly
//!   fee, investment, arrears) is a charge, never a credit. A plus sign, `".5"`, `"5."`, a
//!   currency sign or letters are [`MoneyError::Format`].
//! - Thousands separators (`"1,000.00"`, also `，`) are refused with their own error
//!   ([`MoneyError::Grouping`]) rather than guessed at: the form's value is the plain decimal
//!   string, grouping is only for display ([`Fen::format_cny`]).
//! - Full-width digits or point (`"１０００．００"`, typed with a Chinese IME) are refused with
//!   their own error ([`MoneyError::FullWidth`]) so the field can say exactly what to change;
//!   the same strictness as [`crate::date::Date::parse_iso`].
//! - An amount that does not fit an `i64` number of fen is [`MoneyError::TooLarge`].
//!
//! # Display
//!
//! [`Fen::to_yuan_string`] is the machine form, `"1234.50"` (always two decimals, no grouping).
//! [`Fen::format_cny`] is the reader's form: `"¥1,234.50"` in both locales (U+00A5 yen/yuan sign,
//! comma grouping by thousands, two decimals); a negative amount is `"-¥1,234.50"`.
//!
//! # Rounding
//!
//! [`Fen::mul_ratio_half_up`] rounds half away from zero (四舍五入: 0.5 fen → 1 fen, −0.5 fen →
//! −1 fen), so that rounding a credit mirrors rounding the charge.

use crate::error::Locale;
use serde::{Deserialize, Serialize};

/// An exact amount of money in fen (1 yuan = 100 fen). Serialised as an integer number of fen
/// (contract.md §2: money previews are integers in fen).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

crate::rule_errors! {
    /// Why a decimal yuan amount was refused.
    pub enum MoneyError {
        Empty => "money.empty", "请填写金额", "Enter an amount";
        Format => "money.format", "金额格式应为数字，最多两位小数，如 1000.00", "Write the amount as digits with at most two decimals, e.g. 1000.00";
        Negative => "money.negative", "金额不能为负数", "The amount cannot be negative";
        TooManyDecimals => "money.decimals", "金额最多两位小数（精确到分）", "An amount has at most two decimals (fen)";
        Grouping => "money.grouping", "请不要使用千位分隔符，如写 1234.50 而非 1,234.50", "Leave out thousands separators: write 1234.50, not 1,234.50";
        FullWidth => "money.full_width", "请使用半角数字和小数点", "Use half-width (ASCII) digits and decimal point";
        TooLarge => "money.too_large", "金额过大", "The amount is too large";
    }
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// From whole yuan (`None` on overflow).
    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }

    /// The amount in fen.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// Parses a decimal yuan string as the form carries it; see the module docs for what is
    /// accepted and why.
    pub fn parse_yuan(s: &str) -> Result<Fen, MoneyError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.chars().any(|c| matches!(c, '０'..='９' | '．')) {
            return Err(MoneyError::FullWidth);
        }
        if s.chars().any(|c| matches!(c, ',' | '，')) {
            return Err(MoneyError::Grouping);
        }
        if s.starts_with('-') || s.starts_with('－') {
            return Err(MoneyError::Negative);
        }
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || !frac.is_none_or(all_digits) {
            return Err(MoneyError::Format);
        }
        let frac = frac.unwrap_or("");
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        let mut fen: i64 = 0;
        for b in whole.bytes() {
            fen = fen
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .ok_or(MoneyError::TooLarge)?;
        }
        let mut cents = frac.bytes().map(|b| i64::from(b - b'0'));
        let tenths = cents.next().unwrap_or(0);
        let hundredths = cents.next().unwrap_or(0);
        fen.checked_mul(100)
            .and_then(|v| v.checked_add(tenths * 10 + hundredths))
            .map(Fen)
            .ok_or(MoneyError::TooLarge)
    }

    /// The machine form in yuan: `"1000.00"`, `"-5.30"`. Always two decimals, no grouping.
    pub fn to_yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// The reader's form: `"¥1,234.50"`, `"-¥0.05"`. Both locales write it the same way
    /// (contract.md §3); the parameter keeps the call sites honest should a locale ever differ.
    pub fn format_cny(self, locale: Locale) -> String {
        let _same_in_every_locale = locale;
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let digits = (abs / 100).to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}¥{grouped}.{:02}", abs % 100)
    }

    /// `self × num / den`, rounded half away from zero to the fen, computed exactly in `i128`.
    /// `None` if `den` is zero or the result does not fit an `i64` number of fen.
    pub fn mul_ratio_half_up(self, num: i64, den: i64) -> Option<Fen> {
        if den == 0 {
            return None;
        }
        let product = i128::from(self.0) * i128::from(num);
        let den = i128::from(den);
        let (q, r) = (product.abs() / den.abs(), product.abs() % den.abs());
        let magnitude = if 2 * r >= den.abs() { q + 1 } else { q };
        let negative = (product < 0) != (den < 0);
        let signed = if negative { -magnitude } else { magnitude };
        i64::try_from(signed).ok().map(Fen)
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }
}

impl core::fmt::Display for Fen {
    /// The machine form, as [`Fen::to_yuan_string`].
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_yuan_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Fen {
        Fen::parse_yuan(s).unwrap()
    }

    #[test]
    fn parses_the_forms_decimal_strings() {
        assert_eq!(y("1000.00"), Fen(100_000));
        assert_eq!(y("1000"), Fen(100_000));
        assert_eq!(y("1000.5"), Fen(100_050));
        assert_eq!(y(" 333.33 "), Fen(33_333));
        assert_eq!(y("0.01"), Fen(1));
        assert_eq!(y("0"), Fen(0));
        assert_eq!(y("007"), Fen(700));
    }

    #[test]
    fn refuses_what_it_does_not_round_or_guess() {
        assert_eq!(Fen::parse_yuan(""), Err(MoneyError::Empty));
        assert_eq!(Fen::parse_yuan("   "), Err(MoneyError::Empty));
        assert_eq!(
            Fen::parse_yuan("1000.005"),
            Err(MoneyError::TooManyDecimals)
        );
        assert_eq!(Fen::parse_yuan("1.000"), Err(MoneyError::TooManyDecimals));
        assert_eq!(Fen::parse_yuan("-1000.00"), Err(MoneyError::Negative));
        assert_eq!(Fen::parse_yuan("－5"), Err(MoneyError::Negative));
        assert_eq!(Fen::parse_yuan("1,000.00"), Err(MoneyError::Grouping));
        assert_eq!(Fen::parse_yuan("1，000"), Err(MoneyError::Grouping));
        assert_eq!(Fen::parse_yuan("１０００"), Err(MoneyError::FullWidth));
        assert_eq!(Fen::parse_yuan("1000．00"), Err(MoneyError::FullWidth));
        for bad in ["+5", ".5", "5.", "¥5", "5 00", "1e3", "1.2.3", "abc", "5元"] {
            assert_eq!(Fen::parse_yuan(bad), Err(MoneyError::Format), "{bad}");
        }
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        // i64::MAX fen = 92233720368547758.07 yuan.
        assert_eq!(y("92233720368547758.07"), Fen(i64::MAX));
        assert_eq!(
            Fen::parse_yuan("92233720368547758.08"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Fen::parse_yuan("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn machine_and_reader_forms() {
        assert_eq!(Fen(100_000).to_yuan_string(), "1000.00");
        assert_eq!(Fen(5).to_yuan_string(), "0.05");
        assert_eq!(Fen(-530).to_yuan_string(), "-5.30");
        assert_eq!(Fen(123_450).format_cny(Locale::ZhCn), "¥1,234.50");
        assert_eq!(Fen(123_450).format_cny(Locale::En), "¥1,234.50");
        assert_eq!(Fen(99_999).format_cny(Locale::En), "¥999.99");
        assert_eq!(Fen(100_000_000).format_cny(Locale::En), "¥1,000,000.00");
        assert_eq!(Fen(-5).format_cny(Locale::En), "-¥0.05");
        assert_eq!(Fen(i64::MIN).to_yuan_string(), "-92233720368547758.08");
        assert_eq!(Fen(33_333).to_string(), "333.33");
    }

    #[test]
    fn round_trips_through_the_machine_form() {
        for fen in [0, 1, 9, 10, 99, 100, 101, 33_333, 100_000, i64::MAX] {
            assert_eq!(Fen::parse_yuan(&Fen(fen).to_yuan_string()), Ok(Fen(fen)));
        }
    }

    #[test]
    fn half_up_rounds_ties_away_from_zero() {
        // 1 fen × 1/2 = 0.5 fen → 1 fen; 3 fen × 1/2 = 1.5 → 2; 0.49… → 0.
        assert_eq!(Fen(1).mul_ratio_half_up(1, 2), Some(Fen(1)));
        assert_eq!(Fen(3).mul_ratio_half_up(1, 2), Some(Fen(2)));
        assert_eq!(Fen(49).mul_ratio_half_up(1, 100), Some(Fen(0)));
        assert_eq!(Fen(50).mul_ratio_half_up(1, 100), Some(Fen(1)));
        // Negative amounts mirror positive ones.
        assert_eq!(Fen(-1).mul_ratio_half_up(1, 2), Some(Fen(-1)));
        assert_eq!(Fen(1).mul_ratio_half_up(1, -2), Some(Fen(-1)));
        assert_eq!(Fen(-49).mul_ratio_half_up(1, 100), Some(Fen(0)));
        // 1000.00 × 10 / 30 = 333.333… → 333.33.
        assert_eq!(Fen(100_000).mul_ratio_half_up(10, 30), Some(Fen(33_333)));
        assert_eq!(Fen(5).mul_ratio_half_up(1, 0), None);
        assert_eq!(Fen(i64::MAX).mul_ratio_half_up(2, 1), None);
        // The intermediate product may exceed i64; only the result must fit.
        assert_eq!(Fen(i64::MAX).mul_ratio_half_up(3, 3), Some(Fen(i64::MAX)));
    }

    #[test]
    fn serde_is_an_integer_number_of_fen() {
        assert_eq!(serde_json::to_string(&Fen(33_333)).unwrap(), "33333");
        assert_eq!(serde_json::from_str::<Fen>("450000").unwrap(), Fen(450_000));
        assert!(serde_json::from_str::<Fen>("\"1000.00\"").is_err());
        assert!(serde_json::from_str::<Fen>("1000.5").is_err());
    }
}
