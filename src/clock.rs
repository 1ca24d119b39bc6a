//! The clock, the one place the app reads the current time.
//!
//! "Today" is the date in China Standard Time (UTC+8), the agreement's zone, whatever zone the
//! browser is set to: a reader in Frankfurt at 20:00 on 9 April signs on 10 April, the date the
//! receiver reads from `signed_at`. The conversion from a moment to that date is the domain's
//! (`payload::SignedAt::date`), the same the receiver and the CLI use. Elapsed times (the
//! draft's debounce, the outbox's retries) read `js_sys::Date::now()` where they are measured.

use qianyue_domain::date::Date;
use qianyue_domain::payload::SignedAt;

/// Now, whole seconds since the epoch, as `signed_at` carries it; `None` only for a clock
/// outside years 1–9999.
pub fn now() -> Option<SignedAt> {
    SignedAt::from_unix_seconds((js_sys::Date::now() / 1000.0).floor() as i64)
}

/// Today's date in China Standard Time.
pub fn today() -> Date {
    now()
        .map(SignedAt::date)
        .unwrap_or_else(|| Date::new(1970, 1, 1).expect("a real date"))
}
