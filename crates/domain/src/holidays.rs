//! PRC working days: public holidays and make-up working days (调休上班), for the privacy
//! policy's "15 个工作日" (part B, 四 (二)(三), see [`crate::clauses::reply_by`]).
//!
//! A day is judged by the calendar of its own year, which is one of two kinds
//! ([`CalendarBasis`]):
//!
//! - **official**: the year's notice of the General Office of the State Council,
//!   《国务院办公厅关于 YYYY 年部分节假日安排的通知》. A day is a working day when it is Monday
//!   to Friday and not inside one of the notice's holiday periods, or when the notice names it a
//!   make-up working day (a Saturday or Sunday "上班").
//! - **provisional**: for a year whose notice is not out yet, the statutory public holidays of
//!   《全国年节及纪念日放假办法》 as amended in 2024: 元旦 (01-01), 春节 4 days from 除夕, 清明
//!   (the solar-term day), 劳动节 (05-01, 05-02), 端午 (lunar 5/5), 中秋 (lunar 8/15), 国庆节
//!   (10-01 to 10-03). Saturdays and Sundays are rest days; a statutory day that falls on a
//!   Saturday or Sunday (or on another festival's day) gives a substitute day off (补假, 办法
//!   第六条) on the first working day after its festival ([`StatutoryDates::rest_days`]);
//!   there are no make-up working days. The notice, once out, usually differs (it joins
//!   holidays to weekends and adds make-up days), so a figure computed on a provisional year is
//!   marked as such: "按法定节假日暂估，国务院通知发布后以通知为准" ([`PROVISIONAL_NOTE_ZH`],
//!   [`PROVISIONAL_NOTE_EN`]).
//!
//! A year is official as soon as its notice is shipped; until then it is provisional if its
//! lunar dates are in the provisional table, and not covered otherwise
//! ([`HolidayError::YearNotCovered`]).
//!
//! # Calendar files, and how to add a year
//!
//! The data is in `crates/domain/calendar/`; `build.rs` lists every `YYYY.txt` there into a
//! table of `include_str!`s (read and checked by [`Calendars::read_shipped`]), and transcribes
//! the files into static tables, which [`Calendars::shipped`] reads once. Line format (UTF-8; `#` starts a
//! comment line; fields separated by spaces; dates `YYYY-MM-DD`):
//!
//! ```text
//! year 2026                               # the year the notice arranges (= the file's name)
//! notice 国办发明电〔2025〕7号            # its document number
//! dated 2025-11-04                        # its date
//! holiday 元旦 2026-01-01 2026-01-03      # name, first and last day (inclusive), in order
//! workday 2026-01-04                      # a Saturday or Sunday made a working day, in order
//! ```
//!
//! and `provisional.txt`, one line a year:
//! `provisional 2027 2027-02-05 2027-04-05 2027-06-09 2027-09-15` (year, 除夕, 清明, 端午, 中秋).
//!
//! **To add a year's notice**, write `calendar/YYYY.txt` from the notice and run
//! `cargo test -p qianyue-domain holidays`: every file is parsed and checked (periods in order
//! and inside the year, make-up days on weekends and outside the periods, the year contiguous with
//! the others). Leave the year's `provisional` line where it is: a consent signed while the year
//! was provisional records that, and is recomputed on the provisional calendar
//! ([`Calendars::add_working_days_as`], docs/payload.md). To cover a further year
//! provisionally, add its line to `provisional.txt` (dates from the Chinese lunisolar
//! calendar).
//!
//! A notice can reach into the year before it (the 2023 notice's New Year holiday begins on
//! 2022-12-31, a Saturday). Such days are judged by their own year's calendar; the check refuses a
//! file whose reach-back would change a working day (it would have to be written into the
//! previous year's file as a new revision, as the 2019 notice moved 2018-12-29 and 2018-12-31).
//!
//! # Years shipped
//!
//! | year | calendar |
//! |---|---|
//! | 2022 | 国办发明电〔2021〕11号, 2021-10-25 |
//! | 2023 | 国办发明电〔2022〕16号, 2022-12-08 |
//! | 2024 | 国办发明电〔2023〕7号, 2023-10-25 |
//! | 2025 | 国办发明电〔2024〕12号, 2024-11-12 |
//! | 2026 | 国办发明电〔2025〕7号, 2025-11-04 |
//! | 2027–2035 | provisional |
//!
//! # Counting working days
//!
//! [`add_working_days`]`(start, n)` does not count `start` itself, whether or not it is a
//! working day: a request received on day D has its first working day on the next working day
//! after D, and the result is the n-th such day. This is the Civil Code's rule for periods
//! (民法典 第二百零一条: 开始的当日不计入，自下一日开始计算), and it is the reading that gives the
//! requester the full number of working days. `n = 0` gives `start` back. The answer
//! ([`Counted`]) names the calendar of every year whose days were looked at.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::date::{Date, Weekday};

crate::rule_errors! {
    /// Why a working-day question could not be answered.
    pub enum HolidayError {
        YearNotCovered => "holiday.year_not_covered", "该年份的节假日安排尚未收录，无法计算工作日", "The holiday schedule for that year is not included, so working days cannot be counted";
        NoticeUnknown => "holiday.notice_unknown", "所记录的国务院节假日通知未收录", "The State Council holiday notice recorded is not included here";
        CalendarNotRecorded => "holiday.calendar_not_recorded", "计算涉及的年份未记录所用节假日安排", "A year the count reaches has no recorded holiday calendar";
    }
}

/// The note shown beside a figure computed on a provisional year (zh-CN).
pub const PROVISIONAL_NOTE_ZH: &str = "按法定节假日暂估，国务院通知发布后以通知为准";
/// The note shown beside a figure computed on a provisional year (en).
pub const PROVISIONAL_NOTE_EN: &str = "Estimated from the statutory public holidays; the State Council's notice, once published, prevails";

/// Which calendar a year was judged on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "lowercase", deny_unknown_fields)]
pub enum CalendarBasis {
    /// The State Council notice with this document number.
    Official { notice: String },
    /// The statutory public holidays (no notice yet).
    Provisional,
}

impl CalendarBasis {
    pub fn is_provisional(&self) -> bool {
        matches!(self, CalendarBasis::Provisional)
    }
}

/// Year → the calendar its days were judged on, by year. A list kept in order rather than a
/// `BTreeMap`: a count reaches one or two years, and the map's code (23 functions for this one
/// type) was a few kilobytes of the browser's wasm. It serializes as the map did: an object
/// keyed by the year's digits, in order (contract.md, docs/payload.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CalendarsUsed(Vec<(i32, CalendarBasis)>);

impl CalendarsUsed {
    pub fn new() -> CalendarsUsed {
        CalendarsUsed(Vec::new())
    }

    /// Records `basis` for `year`, replacing what was recorded for it.
    pub fn insert(&mut self, year: i32, basis: CalendarBasis) {
        match self.0.binary_search_by_key(&year, |(y, _)| *y) {
            Ok(i) => self.0[i].1 = basis,
            Err(i) => self.0.insert(i, (year, basis)),
        }
    }

    /// Takes `year` out, and what was recorded for it.
    pub fn remove(&mut self, year: &i32) -> Option<CalendarBasis> {
        let i = self.0.binary_search_by_key(year, |(y, _)| *y).ok()?;
        Some(self.0.remove(i).1)
    }

    pub fn get(&self, year: &i32) -> Option<&CalendarBasis> {
        self.0
            .binary_search_by_key(year, |(y, _)| *y)
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// `(year, basis)` by year.
    pub fn iter(&self) -> impl Iterator<Item = (&i32, &CalendarBasis)> {
        self.0.iter().map(|(year, basis)| (year, basis))
    }

    pub fn values(&self) -> impl Iterator<Item = &CalendarBasis> {
        self.0.iter().map(|(_, basis)| basis)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const N: usize> From<[(i32, CalendarBasis); N]> for CalendarsUsed {
    fn from(entries: [(i32, CalendarBasis); N]) -> CalendarsUsed {
        entries.into_iter().collect()
    }
}

impl FromIterator<(i32, CalendarBasis)> for CalendarsUsed {
    fn from_iter<I: IntoIterator<Item = (i32, CalendarBasis)>>(entries: I) -> CalendarsUsed {
        let mut used = CalendarsUsed::new();
        for (year, basis) in entries {
            used.insert(year, basis);
        }
        used
    }
}

impl Serialize for CalendarsUsed {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for CalendarsUsed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<i32, CalendarBasis>::deserialize(deserializer).map(|m| m.into_iter().collect())
    }
}

/// Whether any year of `used` was provisional.
pub fn any_provisional(used: &CalendarsUsed) -> bool {
    used.values().any(CalendarBasis::is_provisional)
}

/// A working-day count's answer and the calendars it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub date: Date,
    /// Every year whose days were looked at (the start's year included), with its calendar.
    pub calendars: CalendarsUsed,
}

impl Counted {
    pub fn is_provisional(&self) -> bool {
        any_provisional(&self.calendars)
    }
}

/// One holiday period of a notice: first and last day, both inclusive, weekend days included as
/// the notice counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayPeriod {
    pub name: String,
    pub first: Date,
    pub last: Date,
}

/// One State Council notice (a `calendar/YYYY.txt` file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The year the notice arranges.
    pub year: i32,
    /// Document number, e.g. `国办发明电〔2022〕16号`.
    pub document: String,
    pub dated: Date,
    pub holidays: Vec<HolidayPeriod>,
    /// Saturdays and Sundays that are working days (调休上班).
    pub make_up_working_days: Vec<Date>,
}

/// The lunar and solar-term dates a provisional year needs (a line of `provisional.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatutoryDates {
    pub year: i32,
    /// 除夕, Lunar New Year's Eve: the first of the four 春节 days.
    pub new_years_eve: Date,
    pub qingming: Date,
    pub dragon_boat: Date,
    pub mid_autumn: Date,
}

impl StatutoryDates {
    /// The statutory days festival by festival, in the order of the year (办法 第二条).
    fn festivals(&self) -> [Vec<Date>; 7] {
        let on = |m: u8, d: u8| Date::new(self.year, m, d).into_iter();
        let from = |first: Date, n: i64| (0..n).filter_map(move |i| first.add_days(i));
        [
            on(1, 1).collect(),
            from(self.new_years_eve, 4).collect(),
            vec![self.qingming],
            on(5, 1).chain(on(5, 2)).collect(),
            vec![self.dragon_boat],
            vec![self.mid_autumn],
            on(10, 1).chain(on(10, 2)).chain(on(10, 3)).collect(),
        ]
    }

    /// The year's rest days besides Saturdays and Sundays: the statutory days, and for each of
    /// them that falls on a Saturday or Sunday, or on a day another festival already has
    /// (中秋 on 国庆), a substitute day (补假, 办法 第六条: 全体公民放假的假日，如果适逢星期六、
    /// 星期日，应当在工作日补假) — the first working day after that festival not already a rest
    /// day, as the State Council's notices place them (2022: 元旦 on a Saturday, 01-03 off).
    pub fn rest_days(&self) -> Vec<Date> {
        let mut rest: Vec<Date> = Vec::new();
        for festival in self.festivals() {
            let mut owed = 0;
            for &day in &festival {
                if is_weekend(day) || rest.contains(&day) {
                    owed += 1;
                }
                if !rest.contains(&day) {
                    rest.push(day);
                }
            }
            let mut next = festival.last().and_then(|d| d.add_days(1));
            while owed > 0 {
                let Some(day) = next else { break };
                if !is_weekend(day) && !rest.contains(&day) {
                    rest.push(day);
                    owed -= 1;
                }
                next = day.add_days(1);
            }
        }
        rest
    }

    /// Whether `date` (of this year) is a rest day other than a Saturday or Sunday: a statutory
    /// public holiday or its substitute day ([`StatutoryDates::rest_days`]).
    pub fn is_holiday(&self, date: Date) -> bool {
        self.rest_days().contains(&date)
    }
}

/// What went wrong reading a calendar file (for whoever adds one; the shipped files are checked
/// by the tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFileError {
    pub file: String,
    /// 1-based; 0 for the file as a whole.
    pub line: usize,
    pub message: String,
}

impl core::fmt::Display for CalendarFileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for CalendarFileError {}

mod files {
    use crate::date::Date;
    /// A `calendar/YYYY.txt` as build.rs transcribed it, line for line.
    pub(crate) struct PackedNotice {
        pub year: i32,
        pub document: &'static str,
        pub dated: Date,
        pub holidays: &'static [(&'static str, Date, Date)],
        pub workdays: &'static [Date],
    }
    /// The notices, and the lines of `provisional.txt`.
    pub(crate) type Packed = (&'static [PackedNotice], &'static [super::StatutoryDates]);
    include!(concat!(env!("OUT_DIR"), "/calendar_files.rs"));
    pub(crate) const PROVISIONAL: &str = include_str!("../calendar/provisional.txt");
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_date(
    s: &str,
    fail: &dyn Fn(String) -> CalendarFileError,
) -> Result<Date, CalendarFileError> {
    Date::parse_iso(s).map_err(|_| fail(format!("`{s}` is not a date YYYY-MM-DD")))
}

/// Reads one `calendar/YYYY.txt` (see the module docs) and checks it on its own.
pub fn parse_notice(file: &str, text: &str) -> Result<Notice, CalendarFileError> {
    let whole = |message: String| CalendarFileError {
        file: file.to_owned(),
        line: 0,
        message,
    };
    let (mut year, mut document, mut dated) = (None, None, None);
    let mut holidays: Vec<HolidayPeriod> = Vec::new();
    let mut make_up: Vec<Date> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let fail = |message: String| CalendarFileError {
            file: file.to_owned(),
            line: i + 1,
            message,
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["year", y] if year.is_none() => {
                year = Some(
                    y.parse::<i32>()
                        .map_err(|_| fail(format!("`{y}` is not a year")))?,
                );
            }
            ["notice", d] if document.is_none() => document = Some((*d).to_owned()),
            ["dated", d] if dated.is_none() => dated = Some(parse_date(d, &fail)?),
            ["holiday", name, first, last] => {
                let (first, last) = (parse_date(first, &fail)?, parse_date(last, &fail)?);
                if first > last {
                    return Err(fail(format!("{name}: the first day is after the last")));
                }
                if let Some(previous) = holidays.last() {
                    if first <= previous.last {
                        return Err(fail(format!(
                            "{name}: periods are in order and do not overlap"
                        )));
                    }
                }
                holidays.push(HolidayPeriod {
                    name: (*name).to_owned(),
                    first,
                    last,
                });
            }
            ["workday", d] => {
                let day = parse_date(d, &fail)?;
                if !is_weekend(day) {
                    return Err(fail(format!(
                        "{day} is a make-up working day but not a Saturday or Sunday"
                    )));
                }
                if make_up.last().is_some_and(|&previous| day <= previous) {
                    return Err(fail("make-up working days are in order, each once".into()));
                }
                make_up.push(day);
            }
            _ => return Err(fail(format!("unreadable or repeated line `{line}`"))),
        }
    }
    let year = year.ok_or_else(|| whole("no `year` line".into()))?;
    let document = document.ok_or_else(|| whole("no `notice` line".into()))?;
    let dated = dated.ok_or_else(|| whole("no `dated` line".into()))?;
    if file != format!("{year}.txt") {
        return Err(whole(format!("a notice for {year} is in {year}.txt")));
    }
    if dated.year() > year || dated.year() < year - 1 {
        return Err(whole(format!(
            "dated {dated}: a notice for {year} is dated in {} or {year}",
            year - 1
        )));
    }
    if holidays.is_empty() {
        return Err(whole("no `holiday` line".into()));
    }
    for p in &holidays {
        if p.last.year() != year || p.first.year() < year - 1 {
            return Err(whole(format!("{}: a period ends in {year}", p.name)));
        }
    }
    for &day in &make_up {
        if day.year() != year {
            return Err(whole(format!("{day}: make-up working days lie in {year}")));
        }
        if holidays.iter().any(|p| p.first <= day && day <= p.last) {
            return Err(whole(format!(
                "{day} is both a holiday and a make-up working day"
            )));
        }
    }
    Ok(Notice {
        year,
        document,
        dated,
        holidays,
        make_up_working_days: make_up,
    })
}

/// Reads `provisional.txt` (see the module docs) and checks it: each date in its year and in
/// the season its festival can fall in, years in order without gaps.
pub fn parse_provisional(text: &str) -> Result<Vec<StatutoryDates>, CalendarFileError> {
    let mut out: Vec<StatutoryDates> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let fail = |message: String| CalendarFileError {
            file: "provisional.txt".into(),
            line: i + 1,
            message,
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let ["provisional", y, eve, qingming, dragon, autumn] = fields.as_slice() else {
            return Err(fail(format!("unreadable line `{line}`")));
        };
        let year: i32 = y
            .parse()
            .map_err(|_| fail(format!("`{y}` is not a year")))?;
        let dates = StatutoryDates {
            year,
            new_years_eve: parse_date(eve, &fail)?,
            qingming: parse_date(qingming, &fail)?,
            dragon_boat: parse_date(dragon, &fail)?,
            mid_autumn: parse_date(autumn, &fail)?,
        };
        // The seasons each can fall in (Gregorian dates of the lunisolar calendar).
        let within = |d: Date, from: (u8, u8), to: (u8, u8)| {
            d.year() == year && from <= (d.month(), d.day()) && (d.month(), d.day()) <= to
        };
        let plausible = within(dates.new_years_eve, (1, 20), (2, 19))
            && within(dates.qingming, (4, 4), (4, 6))
            && within(dates.dragon_boat, (5, 27), (6, 26))
            && within(dates.mid_autumn, (9, 7), (10, 8));
        if !plausible {
            return Err(fail(format!(
                "{year}: a date outside its year or its festival's season"
            )));
        }
        if out.last().is_some_and(|previous| previous.year + 1 != year) {
            return Err(fail(format!("{year}: years are in order, without gaps")));
        }
        out.push(dates);
    }
    Ok(out)
}

/// The calendars a count can use: the notices (official years) and the provisional table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendars {
    // By year, one a year: a handful, so lists rather than maps (less code in the browser).
    notices: Vec<Notice>,
    provisional: Vec<StatutoryDates>,
}

/// How one year's days are judged.
enum YearRule<'c> {
    Official(&'c Notice),
    Provisional(&'c StatutoryDates),
}

impl YearRule<'_> {
    fn is_working_day(&self, date: Date) -> bool {
        match self {
            YearRule::Official(notice) => {
                if notice.make_up_working_days.contains(&date) {
                    return true;
                }
                let in_holiday = notice
                    .holidays
                    .iter()
                    .any(|p| p.first <= date && date <= p.last);
                !in_holiday && !is_weekend(date)
            }
            YearRule::Provisional(dates) => !dates.is_holiday(date) && !is_weekend(date),
        }
    }

    fn basis(&self) -> CalendarBasis {
        match self {
            YearRule::Official(notice) => CalendarBasis::Official {
                notice: notice.document.clone(),
            },
            YearRule::Provisional(_) => CalendarBasis::Provisional,
        }
    }
}

impl Calendars {
    /// The calendars shipped in `crates/domain/calendar/`, read once. Should a shipped file not
    /// read (the tests make sure every one does), no year is covered: every count is then
    /// [`HolidayError::YearNotCovered`], never a guess.
    ///
    /// Built from build.rs's transcription of the files rather than by parsing them: the same
    /// calendars (a test compares them with [`Calendars::read_shipped`]) without the parser
    /// and its checks in the browser's code.
    pub fn shipped() -> &'static Calendars {
        static SHIPPED: OnceLock<Calendars> = OnceLock::new();
        SHIPPED.get_or_init(|| Calendars::unpack(files::PACKED).unwrap_or_default())
    }

    fn unpack(packed: Option<files::Packed>) -> Option<Calendars> {
        let (notices, provisional) = packed?;
        // build.rs writes the notices by file name, that is by year, and the provisional lines
        // in their order, which the checked parser requires to be by year.
        let mut calendars = Calendars {
            notices: Vec::with_capacity(notices.len()),
            provisional: provisional.to_vec(),
        };
        for n in notices {
            let notice = Notice {
                year: n.year,
                document: n.document.to_owned(),
                dated: n.dated,
                holidays: n
                    .holidays
                    .iter()
                    .map(|&(name, first, last)| HolidayPeriod {
                        name: name.to_owned(),
                        first,
                        last,
                    })
                    .collect(),
                make_up_working_days: n.workdays.to_vec(),
            };
            calendars.notices.push(notice);
        }
        Some(calendars)
    }

    /// Reads and checks the shipped files.
    pub fn read_shipped() -> Result<Calendars, CalendarFileError> {
        Calendars::from_files(files::NOTICE_FILES, files::PROVISIONAL)
    }

    /// Reads notice files (`(file name, text)`) and a provisional table, and checks them as a
    /// whole: one notice a year, no reach-back that changes a working day, and the years covered
    /// contiguous.
    pub fn from_files(
        notices: &[(&str, &str)],
        provisional: &str,
    ) -> Result<Calendars, CalendarFileError> {
        // In order of year, without gaps (parse_provisional checks).
        let mut calendars = Calendars {
            notices: Vec::new(),
            provisional: parse_provisional(provisional)?,
        };
        for (file, text) in notices {
            calendars = calendars.with_notice(parse_notice(file, text)?)?;
        }
        calendars.check_contiguous()?;
        Ok(calendars)
    }

    /// These calendars with one more notice (a year made official).
    pub fn with_notice(mut self, notice: Notice) -> Result<Calendars, CalendarFileError> {
        let whole = |message: String| CalendarFileError {
            file: format!("{}.txt", notice.year),
            line: 0,
            message,
        };
        if self.notice(notice.year).is_some() {
            return Err(whole(format!("a second notice for {}", notice.year)));
        }
        let at = self.notices.partition_point(|n| n.year < notice.year);
        self.notices.insert(at, notice.clone());
        // Days a notice names in the year before it must keep that year's answer.
        for p in &notice.holidays {
            let mut day = p.first;
            while day.year() < notice.year {
                if self.working_day_by_default(day) == Ok(true) {
                    return Err(whole(format!(
                        "{day}: the {} holiday reaches into {} and changes a working day there",
                        p.name,
                        day.year()
                    )));
                }
                day = day
                    .add_days(1)
                    .ok_or_else(|| whole("date out of range".into()))?;
            }
        }
        Ok(self)
    }

    fn check_contiguous(&self) -> Result<(), CalendarFileError> {
        if let Some(range) = self.covered_years() {
            for year in range {
                if self.current_basis(year).is_none() {
                    return Err(CalendarFileError {
                        file: format!("{year}.txt"),
                        line: 0,
                        message: format!("{year} has neither a notice nor a provisional line"),
                    });
                }
            }
        }
        Ok(())
    }

    /// The notice shipped for `year`, if any.
    pub fn notice(&self, year: i32) -> Option<&Notice> {
        self.notices.iter().find(|n| n.year == year)
    }

    /// Every notice, by year.
    pub fn notices(&self) -> impl Iterator<Item = &Notice> {
        self.notices.iter()
    }

    /// The provisional table's line for `year`, if any.
    pub fn provisional(&self, year: i32) -> Option<&StatutoryDates> {
        self.provisional.iter().find(|p| p.year == year)
    }

    /// The first and last year with a calendar of either kind.
    pub fn covered_years(&self) -> Option<core::ops::RangeInclusive<i32>> {
        let years = || {
            let notices = self.notices.iter().map(|n| n.year);
            notices.chain(self.provisional.iter().map(|p| p.year))
        };
        Some(years().min()?..=years().max()?)
    }

    /// The calendar a new figure uses for `year`: official when its notice is shipped, else
    /// provisional when its dates are, else none.
    pub fn current_basis(&self, year: i32) -> Option<CalendarBasis> {
        self.current_rule(year).map(|r| r.basis())
    }

    fn current_rule(&self, year: i32) -> Option<YearRule<'_>> {
        if let Some(notice) = self.notice(year) {
            Some(YearRule::Official(notice))
        } else {
            self.provisional(year).map(YearRule::Provisional)
        }
    }

    fn recorded_rule(
        &self,
        year: i32,
        basis: &CalendarBasis,
    ) -> Result<YearRule<'_>, HolidayError> {
        match basis {
            CalendarBasis::Official { notice } => match self.notice(year) {
                Some(n) if n.document == *notice => Ok(YearRule::Official(n)),
                _ => Err(HolidayError::NoticeUnknown),
            },
            CalendarBasis::Provisional => self
                .provisional(year)
                .map(YearRule::Provisional)
                .ok_or(HolidayError::YearNotCovered),
        }
    }

    fn working_day_by_default(&self, date: Date) -> Result<bool, HolidayError> {
        self.current_rule(date.year())
            .map(|rule| rule.is_working_day(date))
            .ok_or(HolidayError::YearNotCovered)
    }

    /// Whether `date` is a working day on its year's current calendar.
    pub fn is_working_day(&self, date: Date) -> Result<bool, HolidayError> {
        self.working_day_by_default(date)
    }

    /// The `n`-th working day after `start`, each year on its current calendar
    /// ([`Calendars::current_basis`]).
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Counted, HolidayError> {
        self.count(start, n, |year| {
            self.current_rule(year).ok_or(HolidayError::YearNotCovered)
        })
    }

    /// The `n`-th working day after `start`, each year on the calendar `recorded` names for it:
    /// how a figure computed earlier is computed again after a notice was added. A year the
    /// count reaches that `recorded` does not name is [`HolidayError::CalendarNotRecorded`]; an
    /// official year whose notice is not here (or has another document number) is
    /// [`HolidayError::NoticeUnknown`].
    pub fn add_working_days_as(
        &self,
        start: Date,
        n: u32,
        recorded: &CalendarsUsed,
    ) -> Result<Counted, HolidayError> {
        self.count(start, n, |year| {
            let basis = recorded
                .get(&year)
                .ok_or(HolidayError::CalendarNotRecorded)?;
            self.recorded_rule(year, basis)
        })
    }

    fn count<'c>(
        &'c self,
        start: Date,
        n: u32,
        rule_for: impl Fn(i32) -> Result<YearRule<'c>, HolidayError>,
    ) -> Result<Counted, HolidayError> {
        let mut calendars = CalendarsUsed::new();
        let mut year = start.year();
        let mut rule = rule_for(year)?;
        calendars.insert(year, rule.basis());
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day.add_days(1).ok_or(HolidayError::YearNotCovered)?;
            if day.year() != year {
                year = day.year();
                rule = rule_for(year)?;
                calendars.insert(year, rule.basis());
            }
            if rule.is_working_day(day) {
                left -= 1;
            }
        }
        Ok(Counted {
            date: day,
            calendars,
        })
    }
}

/// Whether `date` is a working day on the shipped calendars (see the module docs).
pub fn is_working_day(date: Date) -> Result<bool, HolidayError> {
    Calendars::shipped().is_working_day(date)
}

/// The `n`-th working day after `start` on the shipped calendars (`start` itself never counts;
/// `n = 0` gives `start`). Fails if any day it has to look at lies in a year not covered.
pub fn add_working_days(start: Date, n: u32) -> Result<Date, HolidayError> {
    Calendars::shipped()
        .add_working_days(start, n)
        .map(|counted| counted.date)
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
    fn every_shipped_file_reads_and_is_consistent() {
        let calendars = Calendars::read_shipped().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&calendars, Calendars::shipped());
        assert_eq!(files::NOTICE_FILES.len(), 5, "2022.txt … 2026.txt");
        assert_eq!(calendars.covered_years(), Some(2022..=2035));
        for year in 2022..=2026 {
            let notice = calendars.notice(year).expect("an official year");
            assert_eq!(notice.year, year);
            assert!(notice.dated < Date::new(year, 1, 1).unwrap(), "{year}");
            assert!(notice.document.starts_with("国办发明电〔"), "{year}");
            assert!(!calendars.current_basis(year).unwrap().is_provisional());
        }
        for year in 2027..=2035 {
            assert_eq!(
                calendars.current_basis(year),
                Some(CalendarBasis::Provisional),
                "{year}"
            );
        }
        assert_eq!(calendars.current_basis(2021), None);
        assert_eq!(calendars.current_basis(2036), None);
    }

    #[test]
    fn the_provisional_table_holds_the_checked_lunar_dates() {
        let c = Calendars::shipped();
        for (year, eve, qingming, dragon, autumn) in [
            (2027, "2027-02-05", "2027-04-05", "2027-06-09", "2027-09-15"),
            (2028, "2028-01-25", "2028-04-04", "2028-05-28", "2028-10-03"),
            (2029, "2029-02-12", "2029-04-04", "2029-06-16", "2029-09-22"),
            (2030, "2030-02-02", "2030-04-05", "2030-06-05", "2030-09-12"),
        ] {
            let p = c.provisional(year).unwrap();
            assert_eq!(
                (p.new_years_eve, p.qingming, p.dragon_boat, p.mid_autumn),
                (d(eve), d(qingming), d(dragon), d(autumn))
            );
        }
    }

    #[test]
    fn a_provisional_year_has_the_statutory_days_and_their_substitutes() {
        // 2027: 元旦 Fri 01-01; 春节 Fri 02-05 .. Mon 02-08, two on the weekend → Tue 02-09 and
        // Wed 02-10 off (补假); 清明 Mon 04-05; 劳动节 Sat–Sun 05-01/02 → Mon 05-03, Tue 05-04
        // off; 端午 Wed 06-09; 中秋 Wed 09-15; 国庆 Fri–Sun 10-01..03 → Mon 10-04, Tue 10-05 off.
        for day in [
            "2027-01-01",
            "2027-02-05",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10",
            "2027-04-05",
            "2027-05-03",
            "2027-05-04",
            "2027-06-09",
            "2027-09-15",
            "2027-10-01",
            "2027-10-04",
            "2027-10-05",
        ] {
            assert!(!working(day), "{day} is a holiday");
        }
        for day in [
            "2027-01-04",
            "2027-02-04",
            "2027-02-11",
            "2027-05-05",
            "2027-10-06",
            "2027-10-08",
        ] {
            assert!(working(day), "{day} is an ordinary weekday");
        }
        assert!(!working("2027-02-06"), "a Saturday is never a make-up day");
        // Working days in 2027: starts Fri, 365 d → 261 weekdays; holiday weekdays:
        // 01-01, 02-05, 02-08, 04-05, 06-09, 09-15, 10-01 = 7, substitutes 02-09, 02-10,
        // 05-03, 05-04, 10-04, 10-05 = 6 → 248.
        // 2028 (leap, starts Sat → 260 weekdays): 01-01 Sat → Mon 01-03 off; 除夕 Tue
        // 01-25..Fri 01-28 (4); 清明 Tue 04-04; 05-01 Mon, 05-02 Tue; 端午 Sun 05-28 → Mon 05-29
        // off; 中秋 Tue 10-03; 国庆 Sun 10-01 (owed one), Mon 10-02, Tue 10-03 (中秋's day: owed
        // another) → Wed 10-04, Thu 10-05 off. 1 + 4 + 1 + 2 + 1 + 2 + 2 = 13 → 247.
        assert_eq!(working_days_in(2027), 248);
        assert_eq!(working_days_in(2028), 247);
    }

    fn working_days_in(year: i32) -> usize {
        let first = Date::new(year, 1, 1).unwrap();
        let days = if crate::date::is_leap_year(year) {
            366
        } else {
            365
        };
        (0..days)
            .filter(|&i| is_working_day(first.add_days(i).unwrap()).unwrap())
            .count()
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
            is_working_day(d("2036-01-02")),
            Err(HolidayError::YearNotCovered)
        );
        // Counting runs off the end of the table: an error, not a guess.
        assert_eq!(
            add_working_days(d("2035-12-28"), 5),
            Err(HolidayError::YearNotCovered)
        );
        assert_eq!(add_working_days(d("2035-12-28"), 1), Ok(d("2035-12-31"))); // Fri → Mon
                                                                               // Where the shipped notices end, the provisional years carry on.
        let counted = Calendars::shipped()
            .add_working_days(d("2026-12-28"), 5)
            .unwrap();
        assert_eq!(counted.date, d("2027-01-05")); // 12-29, 30, 31, (01-01 元旦), 01-04, 01-05
        assert!(counted.is_provisional());
        assert_eq!(
            counted.calendars.get(&2026),
            Some(&CalendarBasis::Official {
                notice: "国办发明电〔2025〕7号".into()
            })
        );
        assert_eq!(
            counted.calendars.get(&2027),
            Some(&CalendarBasis::Provisional)
        );
    }

    /// Working days per year, from the notices by hand: weekdays − holiday weekdays + make-ups.
    /// The same figures as when the notices were a table in this file.
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
            assert_eq!(working_days_in(year), expected, "{year}");
        }
    }

    const GOOD: &str = "year 2027\nnotice 国办发明电〔2026〕99号\ndated 2026-11-01\nholiday 元旦 2027-01-01 2027-01-03\nworkday 2027-01-09\n";

    #[test]
    fn a_notice_file_is_checked_line_by_line() {
        assert!(parse_notice("2027.txt", GOOD).is_ok());
        let bad = |text: &str, file: &str| parse_notice(file, text).unwrap_err();
        // A make-up day on a weekday.
        let e = bad(&GOOD.replace("2027-01-09", "2027-01-08"), "2027.txt");
        assert_eq!(e.line, 5);
        assert!(e.message.contains("not a Saturday or Sunday"), "{e}");
        // Periods out of order.
        let e = bad(
            &GOOD.replace(
                "holiday 元旦",
                "holiday 春节 2027-02-05 2027-02-11\nholiday 元旦",
            ),
            "2027.txt",
        );
        assert!(e.message.contains("in order"), "{e}");
        // A make-up day inside a period, a file named after another year, a missing line.
        assert!(bad(&GOOD.replace("2027-01-03", "2027-01-10"), "2027.txt")
            .message
            .contains("both a holiday"));
        assert!(bad(GOOD, "2028.txt").message.contains("2027.txt"));
        assert!(bad(&GOOD.replace("dated 2026-11-01\n", ""), "2027.txt")
            .message
            .contains("dated"));
        assert!(bad(&GOOD.replace("2027-01-01 ", "2027-1-1 "), "2027.txt")
            .message
            .contains("not a date"));
    }

    #[test]
    fn the_provisional_table_and_the_set_are_checked() {
        let line = "provisional 2027 2027-02-05 2027-04-05 2027-06-09 2027-09-15\n";
        assert_eq!(parse_provisional(line).unwrap().len(), 1);
        // 端午 typed in the wrong month; a gap between years.
        assert!(parse_provisional(&line.replace("06-09", "07-09")).is_err());
        let gap = format!("{line}provisional 2029 2029-02-12 2029-04-04 2029-06-16 2029-09-22\n");
        assert!(parse_provisional(&gap).is_err());
        // A second notice for a year.
        let c = Calendars::from_files(&[("2027.txt", GOOD)], line).unwrap();
        assert!(c
            .with_notice(parse_notice("2027.txt", GOOD).unwrap())
            .is_err());
        // A notice reaching back into a working day of the year before.
        let reaching = GOOD.replace("2027-01-01 2027-01-03", "2026-12-31 2027-01-03");
        let e = Calendars::shipped()
            .clone()
            .with_notice(parse_notice("2027.txt", &reaching).unwrap())
            .unwrap_err();
        assert!(e.message.contains("changes a working day"), "{e}");
    }

    #[test]
    fn a_recorded_calendar_is_used_even_after_a_notice_arrives() {
        let start = d("2026-12-28");
        let first = Calendars::shipped().add_working_days(start, 5).unwrap();
        // An official 2027 that makes 01-04 a holiday and Saturday 01-09 a working day.
        let moved = GOOD.replace("2027-01-01 2027-01-03", "2027-01-01 2027-01-04");
        let updated = Calendars::shipped()
            .clone()
            .with_notice(parse_notice("2027.txt", &moved).unwrap())
            .unwrap();
        let now = updated.add_working_days(start, 5).unwrap();
        assert_eq!(now.date, d("2027-01-06"));
        assert!(!now.is_provisional());
        // The recorded (provisional) calendar still gives the first answer.
        assert_eq!(
            updated.add_working_days_as(start, 5, &first.calendars),
            Ok(first.clone())
        );
        // Official 2027 claimed where there is no such notice.
        let claimed = now.calendars.clone();
        assert_eq!(
            Calendars::shipped().add_working_days_as(start, 5, &claimed),
            Err(HolidayError::NoticeUnknown)
        );
        // A year the count reaches but the record leaves out.
        let mut short = first.calendars.clone();
        short.remove(&2027);
        assert_eq!(
            updated.add_working_days_as(start, 5, &short),
            Err(HolidayError::CalendarNotRecorded)
        );
    }

    #[test]
    fn the_basis_serializes_as_documented() {
        let used: CalendarsUsed = [
            (
                2026,
                CalendarBasis::Official {
                    notice: "国办发明电〔2025〕7号".into(),
                },
            ),
            (2027, CalendarBasis::Provisional),
        ]
        .into();
        let json = serde_json::to_string(&used).unwrap();
        assert_eq!(
            json,
            r#"{"2026":{"basis":"official","notice":"国办发明电〔2025〕7号"},"2027":{"basis":"provisional"}}"#
        );
        assert_eq!(serde_json::from_str::<CalendarsUsed>(&json).unwrap(), used);
        assert!(serde_json::from_str::<CalendarsUsed>(r#"{"2027":{"basis":"guessed"}}"#).is_err());
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
