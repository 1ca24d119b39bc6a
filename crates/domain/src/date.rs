//! Civil (proleptic Gregorian) dates without time zones, enough for every date the agreement
//! speaks of: birth dates in ID numbers, terms, due dates, working-day counts. A few dozen lines
//! instead of a date crate keep the browser bundle small (see docs/decisions.md).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date. Always valid: constructed only through [`Date::new`] or parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

crate::rule_errors! {
    /// Why a `"YYYY-MM-DD"` date was refused.
    pub enum DateError {
        Format => "date.format", "日期格式应为 YYYY-MM-DD", "A date is written YYYY-MM-DD";
        NotACalendarDate => "date.invalid", "不是有效的日历日期", "Not a real calendar date";
    }
}

mod month;
pub use month::{days_in_month, is_leap_year};

impl Date {
    /// `year-month-day`, which must exist in the calendar (years 1..=9999): for tables built at
    /// compile time, where a date that does not exist fails the build.
    pub(crate) const fn known(year: i32, month: u8, day: u8) -> Date {
        assert!(
            year >= 1
                && year <= 9999
                && month >= 1
                && month <= 12
                && day >= 1
                && day <= days_in_month(year, month),
            "not a calendar date"
        );
        Date { year, month, day }
    }

    /// The date, if `year-month-day` exists in the calendar (years 1..=9999).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let ok = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        ok.then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, zero-padded).
    pub fn parse_iso(s: &str) -> Result<Date, DateError> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Format);
        }
        let num = |r: core::ops::Range<usize>| -> Result<u32, DateError> {
            b[r].iter().try_fold(0u32, |acc, &c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + u32::from(c - b'0'))
                } else {
                    Err(DateError::Format)
                }
            })
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Date::new(y as i32, m as u8, d as u8).ok_or(DateError::NotACalendarDate)
    }

    /// Parses `YYYYMMDD` (as embedded in a resident ID number).
    pub fn parse_compact(s: &str) -> Result<Date, DateError> {
        if s.len() != 8 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(DateError::Format);
        }
        let y: i32 = s[0..4].parse().map_err(|_| DateError::Format)?;
        let m: u8 = s[4..6].parse().map_err(|_| DateError::Format)?;
        let d: u8 = s[6..8].parse().map_err(|_| DateError::Format)?;
        Date::new(y, m, d).ok_or(DateError::NotACalendarDate)
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's `days_from_civil`.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Inverse of [`Date::to_days`]; `None` outside years 1..=9999.
    pub fn from_days(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(i32::try_from(y).ok()?, m as u8, d as u8)
    }

    /// The date `n` days later (earlier if negative); `None` if it leaves years 1..=9999.
    pub fn add_days(self, n: i64) -> Option<Date> {
        Date::from_days(self.to_days() + n)
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.to_days() - self.to_days()
    }

    /// The same day `n` months later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29).
    pub fn add_months(self, n: i32) -> Option<Date> {
        let index = self.year * 12 + i32::from(self.month) - 1 + n;
        let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
        let day = self.day.min(days_in_month(year, month));
        Date::new(year, month, day)
    }

    /// The first day of this date's month.
    pub fn first_of_month(self) -> Date {
        Date { day: 1, ..self }
    }

    /// The last day of this date's month.
    pub fn last_of_month(self) -> Date {
        Date {
            day: days_in_month(self.year, self.month),
            ..self
        }
    }

    /// The month's English name (`April`), for dates written out for readers.
    pub fn month_name_en(self) -> &'static str {
        const NAMES: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        NAMES[usize::from(self.month - 1)]
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        const FROM_THURSDAY: [Weekday; 7] = [
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
        ];
        FROM_THURSDAY[self.to_days().rem_euclid(7) as usize]
    }

    /// Whole years of age on `on` for someone born on `self` (a 29 February birthday is
    /// reached on 1 March in common years).
    pub fn age_on(self, on: Date) -> i32 {
        let had_birthday = (on.month, on.day) >= (self.month, self.day);
        on.year - self.year - i32::from(!had_birthday)
    }
}

impl core::fmt::Display for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl core::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse_iso(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Date::parse_iso(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn epoch_and_round_trip() {
        assert_eq!(d("1970-01-01").to_days(), 0);
        assert_eq!(d("2000-03-01").to_days(), 11_017);
        for n in (-719_162..2_932_896).step_by(997) {
            assert_eq!(Date::from_days(n).unwrap().to_days(), n);
        }
    }

    #[test]
    fn rejects_non_dates() {
        assert_eq!(
            Date::parse_iso("2023-02-29"),
            Err(DateError::NotACalendarDate)
        );
        assert_eq!(Date::parse_iso("2024-02-29").map(|x| x.day()), Ok(29));
        assert_eq!(
            Date::parse_iso("1900-02-29"),
            Err(DateError::NotACalendarDate)
        );
        assert_eq!(Date::parse_iso("2023-4-10"), Err(DateError::Format));
        assert_eq!(Date::parse_iso("2023-04-1０"), Err(DateError::Format));
        assert_eq!(
            Date::parse_iso("2023-13-01"),
            Err(DateError::NotACalendarDate)
        );
    }

    #[test]
    fn month_arithmetic_clamps() {
        assert_eq!(d("2023-01-31").add_months(1), Some(d("2023-02-28")));
        assert_eq!(d("2024-01-31").add_months(1), Some(d("2024-02-29")));
        assert_eq!(d("2023-04-10").add_months(12), Some(d("2024-04-10")));
        assert_eq!(d("2023-04-10").add_months(-4), Some(d("2022-12-10")));
    }

    #[test]
    fn english_month_names() {
        assert_eq!(d("2023-01-31").month_name_en(), "January");
        assert_eq!(d("2023-04-01").month_name_en(), "April");
        assert_eq!(d("2023-12-31").month_name_en(), "December");
    }

    #[test]
    fn weekdays_and_ages() {
        assert_eq!(d("2023-04-10").weekday(), Weekday::Mon);
        assert_eq!(d("2024-10-01").weekday(), Weekday::Tue);
        assert_eq!(d("2005-04-10").age_on(d("2023-04-10")), 18);
        assert_eq!(d("2005-04-11").age_on(d("2023-04-10")), 17);
        assert_eq!(d("2004-02-29").age_on(d("2022-02-28")), 17);
        assert_eq!(d("2004-02-29").age_on(d("2022-03-01")), 18);
    }

    #[test]
    fn serde_is_an_iso_string() {
        assert_eq!(
            serde_json::to_string(&d("2023-04-10")).unwrap(),
            "\"2023-04-10\""
        );
        assert_eq!(
            serde_json::from_str::<Date>("\"2023-04-10\"").unwrap(),
            d("2023-04-10")
        );
        assert!(serde_json::from_str::<Date>("\"2023-02-30\"").is_err());
    }
}
