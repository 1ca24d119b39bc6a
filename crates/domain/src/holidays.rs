//! PRC working days: public holidays and make-up working days (调休上班) as the General Office of
//! the State Council announces them each year, for the privacy policy's "15 个工作日" (part B,
//! 四 (二)(三), see [`crate::clauses::reply_by`]).
//!
//! A day is a working day when it is Monday to Friday and not inside a holiday period of a
//! notice, or when a notice names it a make-up working day (a Saturday or Sunday "上班").
//!
//! # Years shipped, and their sources
//!
//! Each year is transcribed from its notice, 《国务院办公厅关于 YYYY 年部分节假日安排的通知》:
//!
//! | year | notice | dated |
//! |---|---|---|
//! | 2022 | 国办发明电〔2021〕11号 | 2021-10-25 |
//! | 2023 | 国办发明电〔2022〕16号 | 2022-12-08 |
//! | 2024 | 国办发明电〔2023〕7号 | 2023-10-25 |
//! | 2025 | 国办发明电〔2024〕12号 | 2024-11-12 |
//! | 2026 | 国办发明电〔2025〕7号 | 2025-11-04 |
//!
//! A notice can reach into the year before it (the 2023 notice's New Year holiday begins
//! 2022-12-31), so dates are stored whole, not per year. A date in any other year is refused with
//! [`HolidayError::YearNotCovered`]: guessing a year from the weekday alone would be wrong by a
//! week around every Spring Festival. To add a year, transcribe its notice into [`NOTICES`] and
//! extend [`COVERED_YEARS`]. Caveat for the last year shipped: a following notice has in the
//! past moved late-December days (the 2019 notice made 2018-12-29 a working Saturday and
//! 2018-12-31 a holiday). The 2027 notice is not shipped; 2027-01-01 is a Friday, so no change
//! to December 2026 is expected, but it is not known.
//!
//! # Counting working days
//!
//! [`add_working_days`]`(start, n)` does not count `start` itself, whether or not it is a
//! working day: a request received on day D has its first working day on the next working day
//! after D, and the result is the n-th such day. This is the Civil Code's rule for periods
//! (民法典 第二百零一条: 开始的当日不计入，自下一日开始计算), and it is the reading that gives the
//! requester the full number of working days. `n = 0` gives `start` back.

use crate::date::{Date, Weekday};

crate::rule_errors! {
    /// Why a working-day question could not be answered.
    pub enum HolidayError {
        YearNotCovered => "holiday.year_not_covered", "该年份的国务院节假日安排尚未收录，无法计算工作日", "The State Council holiday schedule for that year is not included, so working days cannot be counted";
    }
}

/// The calendar years whose every day [`is_working_day`] can answer.
pub const COVERED_YEARS: core::ops::RangeInclusive<i32> = 2022..=2026;

type Ymd = (i32, u8, u8);

/// One State Council notice: its holiday periods (first and last day, both inclusive, weekend
/// days included as the notice counts them) and its make-up working days.
#[derive(Debug)]
pub struct Notice {
    /// The year the notice arranges.
    pub year: i32,
    /// Document number, e.g. `国办发明电〔2022〕16号`.
    pub document: &'static str,
    /// `(name, first day, last day)`.
    pub holidays: &'static [(&'static str, Ymd, Ymd)],
    /// Saturdays and Sundays that are working days (调休上班).
    pub make_up_working_days: &'static [Ymd],
}

/// The notices shipped, one per year of [`COVERED_YEARS`].
pub const NOTICES: &[Notice] = &[
    Notice {
        year: 2022,
        document: "国办发明电〔2021〕11号",
        holidays: &[
            ("元旦", (2022, 1, 1), (2022, 1, 3)),
            ("春节", (2022, 1, 31), (2022, 2, 6)),
            ("清明节", (2022, 4, 3), (2022, 4, 5)),
            ("劳动节", (2022, 4, 30), (2022, 5, 4)),
            ("端午节", (2022, 6, 3), (2022, 6, 5)),
            ("中秋节", (2022, 9, 10), (2022, 9, 12)),
            ("国庆节", (2022, 10, 1), (2022, 10, 7)),
        ],
        make_up_working_days: &[
            (2022, 1, 29),
            (2022, 1, 30),
            (2022, 4, 2),
            (2022, 4, 24),
            (2022, 5, 7),
            (2022, 10, 8),
            (2022, 10, 9),
        ],
    },
    Notice {
        year: 2023,
        document: "国办发明电〔2022〕16号",
        holidays: &[
            ("元旦", (2022, 12, 31), (2023, 1, 2)),
            ("春节", (2023, 1, 21), (2023, 1, 27)),
            ("清明节", (2023, 4, 5), (2023, 4, 5)),
            ("劳动节", (2023, 4, 29), (2023, 5, 3)),
            ("端午节", (2023, 6, 22), (2023, 6, 24)),
            ("中秋节、国庆节", (2023, 9, 29), (2023, 10, 6)),
        ],
        make_up_working_days: &[
            (2023, 1, 28),
            (2023, 1, 29),
            (2023, 4, 23),
            (2023, 5, 6),
            (2023, 6, 25),
            (2023, 10, 7),
            (2023, 10, 8),
        ],
    },
    Notice {
        year: 2024,
        document: "国办发明电〔2023〕7号",
        holidays: &[
            ("元旦", (2024, 1, 1), (2024, 1, 1)),
            // 除夕 (2024-02-09, a Friday) is not in the holiday: the notice only encourages
            // employers to give it as annual leave.
            ("春节", (2024, 2, 10), (2024, 2, 17)),
            ("清明节", (2024, 4, 4), (2024, 4, 6)),
            ("劳动节", (2024, 5, 1), (2024, 5, 5)),
            ("端午节", (2024, 6, 10), (2024, 6, 10)),
            ("中秋节", (2024, 9, 15), (2024, 9, 17)),
            ("国庆节", (2024, 10, 1), (2024, 10, 7)),
        ],
        make_up_working_days: &[
            (2024, 2, 4),
            (2024, 2, 18),
            (2024, 4, 7),
            (2024, 4, 28),
            (2024, 5, 11),
            (2024, 9, 14),
            (2024, 9, 29),
            (2024, 10, 12),
        ],
    },
    Notice {
        year: 2025,
        document: "国办发明电〔2024〕12号",
        holidays: &[
            ("元旦", (2025, 1, 1), (2025, 1, 1)),
            ("春节", (2025, 1, 28), (2025, 2, 4)),
            ("清明节", (2025, 4, 4), (2025, 4, 6)),
            ("劳动节", (2025, 5, 1), (2025, 5, 5)),
            ("端午节", (2025, 5, 31), (2025, 6, 2)),
            ("国庆节、中秋节", (2025, 10, 1), (2025, 10, 8)),
        ],
        make_up_working_days: &[
            (2025, 1, 26),
            (2025, 2, 8),
            (2025, 4, 27),
            (2025, 9, 28),
            (2025, 10, 11),
        ],
    },
    Notice {
        year: 2026,
        document: "国办发明电〔2025〕7号",
        holidays: &[
            ("元旦", (2026, 1, 1), (2026, 1, 3)),
            ("春节", (2026, 2, 15), (2026, 2, 23)),
            ("清明节", (2026, 4, 4), (2026, 4, 6)),
            ("劳动节", (2026, 5, 1), (2026, 5, 5)),
            ("端午节", (2026, 6, 19), (2026, 6, 21)),
            ("中秋节", (2026, 9, 25), (2026, 9, 27)),
            ("国庆节", (2026, 10, 1), (2026, 10, 7)),
        ],
        make_up_working_days: &[
            (2026, 1, 4),
            (2026, 2, 14),
            (2026, 2, 28),
            (2026, 5, 9),
            (2026, 9, 20),
            (2026, 10, 10),
        ],
    },
];

fn ymd(date: Date) -> Ymd {
    (date.year(), date.month(), date.day())
}

/// Whether `date` is a working day in the PRC (see the module docs).
pub fn is_working_day(date: Date) -> Result<bool, HolidayError> {
    if !COVERED_YEARS.contains(&date.year()) {
        return Err(HolidayError::YearNotCovered);
    }
    let key = ymd(date);
    if NOTICES
        .iter()
        .any(|n| n.make_up_working_days.contains(&key))
    {
        return Ok(true);
    }
    let in_holiday = NOTICES
        .iter()
        .flat_map(|n| n.holidays)
        .any(|&(_, first, last)| first <= key && key <= last);
    Ok(!in_holiday && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
}

/// The `n`-th working day after `start` (`start` itself never counts; `n = 0` gives `start`).
/// Fails if any day it has to look at lies in a year not shipped.
pub fn add_working_days(start: Date, n: u32) -> Result<Date, HolidayError> {
    let mut day = start;
    let mut left = n;
    while left > 0 {
        day = day.add_days(1).ok_or(HolidayError::YearNotCovered)?;
        if is_working_day(day)? {
            left -= 1;
        }
    }
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RuleError;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn working(s: &str) -> bool {
        is_working_day(d(s)).unwrap()
    }

    #[test]
    fn make_up_working_days_are_working_days() {
        assert!(working("2022-01-29")); // Saturday, 2022 notice
        assert!(working("2022-10-09")); // Sunday, 2022 notice
        assert!(working("2023-01-28")); // Saturday, 2023 notice
        assert!(working("2023-04-23")); // Sunday, 2023 notice
        assert!(working("2024-02-04")); // Sunday, 2024 notice
        assert!(working("2024-09-29")); // Sunday, 2024 notice
        assert!(working("2025-01-26")); // Sunday, 2025 notice
        assert!(working("2025-10-11")); // Saturday, 2025 notice
        assert!(working("2026-01-04")); // Sunday, 2026 notice
        assert!(working("2026-02-28")); // Saturday, 2026 notice
    }

    #[test]
    fn holidays_on_weekdays_are_not_working_days() {
        assert!(!working("2022-10-07")); // Friday, National Day
        assert!(!working("2023-01-02")); // Monday, New Year (period from 2022-12-31)
        assert!(!working("2023-04-05")); // Wednesday, Qingming, one day only
        assert!(!working("2024-10-01")); // Tuesday, National Day
        assert!(!working("2024-06-10")); // Monday, Dragon Boat
        assert!(!working("2025-01-28")); // Tuesday, New Year's Eve (from 2025 on a holiday)
        assert!(!working("2025-10-08")); // Wednesday, National Day + Mid-Autumn
        assert!(!working("2026-02-23")); // Monday, Spring Festival
        assert!(!working("2026-05-05")); // Tuesday, Labour Day
    }

    #[test]
    fn ordinary_days_follow_the_week() {
        assert!(working("2023-04-10")); // Monday, the seed's signing date
        assert!(working("2024-02-09")); // Friday, New Year's Eve 2024: only "encouraged" off
        assert!(!working("2023-04-15")); // Saturday
        assert!(!working("2025-02-09")); // Sunday after the make-up Saturday
        assert!(!working("2022-12-31")); // Saturday inside the 2023 New Year holiday
    }

    #[test]
    fn uncovered_years_are_an_explicit_error() {
        let err = is_working_day(d("2021-12-31")).unwrap_err();
        assert_eq!(err, HolidayError::YearNotCovered);
        assert_eq!(err.code(), "holiday.year_not_covered");
        assert!(!err.message_zh().is_empty() && !err.message_en().is_empty());
        assert_eq!(
            is_working_day(d("2027-01-04")),
            Err(HolidayError::YearNotCovered)
        );
        // Counting runs off the end of the table: an error, not a guess.
        assert_eq!(
            add_working_days(d("2026-12-28"), 5),
            Err(HolidayError::YearNotCovered)
        );
        assert_eq!(add_working_days(d("2026-12-28"), 3), Ok(d("2026-12-31")));
    }

    /// Working days per year, from the notices by hand: weekdays − holiday weekdays + make-ups.
    #[test]
    fn working_days_per_year_match_the_notices() {
        // 2022: starts Sat, 365 d → 260 weekdays; holiday weekdays 1+5+2+3+1+1+5 = 18;
        //       make-ups 7 → 249.
        // 2023: starts Sun → 260 weekdays; 1 (01-02) +5 +1 +3 +2 +6 = 18; make-ups 7 → 249.
        // 2024: starts Mon, 366 d → 262 weekdays; 1+5+2+3+1+2+5 = 19; make-ups 8 → 251.
        // 2025: starts Wed → 261 weekdays; 1+6+1+3+1+6 = 18; make-ups 5 → 248.
        // 2026: starts Thu → 261 weekdays; 2+6+1+3+1+1+5 = 19; make-ups 6 → 248.
        for (year, expected) in [
            (2022, 249),
            (2023, 249),
            (2024, 251),
            (2025, 248),
            (2026, 248),
        ] {
            let first = Date::new(year, 1, 1).unwrap();
            let days = if crate::date::is_leap_year(year) {
                366
            } else {
                365
            };
            let count = (0..days)
                .filter(|&i| is_working_day(first.add_days(i).unwrap()).unwrap())
                .count();
            assert_eq!(count, expected, "{year}");
        }
    }

    #[test]
    fn the_notice_table_is_well_formed() {
        assert_eq!(NOTICES.len(), COVERED_YEARS.count());
        for notice in NOTICES {
            for &(name, first, last) in notice.holidays {
                let (a, b) = (
                    Date::new(first.0, first.1, first.2),
                    Date::new(last.0, last.1, last.2),
                );
                assert!(
                    a.is_some() && b.is_some() && a <= b,
                    "{} {name}",
                    notice.year
                );
            }
            for &(y, m, dd) in notice.make_up_working_days {
                let day = Date::new(y, m, dd).expect("a real date");
                assert!(
                    matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                    "{day} is a make-up day but not a weekend day"
                );
            }
        }
    }

    #[test]
    fn counting_starts_the_day_after() {
        // Friday 2023-04-14 + 1 working day → Monday 2023-04-17.
        assert_eq!(add_working_days(d("2023-04-14"), 1), Ok(d("2023-04-17")));
        // A request on a Saturday: the first working day is the Monday.
        assert_eq!(add_working_days(d("2023-04-15"), 1), Ok(d("2023-04-17")));
        assert_eq!(add_working_days(d("2023-04-15"), 0), Ok(d("2023-04-15")));
        // Friday 2023-01-20 + 1: 01-21..01-27 Spring Festival, 01-28 Saturday make-up day.
        assert_eq!(add_working_days(d("2023-01-20"), 1), Ok(d("2023-01-28")));
    }
}
