//! The clock, the one place the app reads the current time.

use qianyue_domain::date::Date;

/// Today's date in the signer's local time zone.
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    let (year, month, day) = (
        now.get_full_year() as i32,
        now.get_month() as u8 + 1,
        now.get_date() as u8,
    );
    Date::new(year, month, day).unwrap_or_else(|| Date::new(1970, 1, 1).expect("a real date"))
}
