//! How the app's outbox delivers a signed consent (docs/offline.md): which answers of the
//! receiver are final and which are worth another try, how long one request may take, and how
//! long to wait before the next pass while consents wait. Pure: the app measures the status,
//! draws the random number and runs the timer (`src/outbox/`).
//!
//! - A 2xx answer carries the receipt, which the app must still check before dropping its copy.
//! - A 4xx answer is the receiver's final word on this consent (it was read and refused, or the
//!   endpoint does not exist): resending the same bytes gets the same answer, so the reader must
//!   look at it. Except 408 (Request Timeout) and 429 (Too Many Requests), which say "not now".
//! - Everything else (a network failure, a timeout, a 5xx, a 1xx/3xx that `fetch` hands back)
//!   is transient: try again later. Re-sending is safe, the receiver answers the same id with
//!   the same bytes with the same receipt.
//! - Between passes that leave consents waiting after a failure, the delay doubles from 5 s to
//!   at most 5 min, spread by ±20 % so that many devices coming back online at once (a building
//!   whose network returns) do not all send in the same second.

/// How long one request may take before it counts as a network failure (ms).
pub const REQUEST_TIMEOUT_MS: u32 = 30_000;
/// The delay after the first failed pass (ms).
pub const BACKOFF_FIRST_MS: u32 = 5_000;
/// The longest delay between passes (ms), before jitter.
pub const BACKOFF_MAX_MS: u32 = 300_000;
/// The jitter's half-width, per mille: a delay is spread over ±20 % of itself.
pub const JITTER_PERMILLE: u64 = 200;

/// What an HTTP status means for a consent that was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: the body should be the receipt (checked by the caller).
    Receipt,
    /// A 4xx other than 408 and 429: refused for good; the reader must look at it.
    Final,
    /// Anything else: try again later.
    Retry,
}

/// Classifies the status of the receiver's answer.
pub fn classify(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Receipt,
        408 | 429 => Verdict::Retry,
        400..=499 => Verdict::Final,
        _ => Verdict::Retry,
    }
}

/// The delay before the next pass (ms) after `failures` passes in a row left consents waiting
/// (the first failure is 1; 0 counts as 1), given `random_permille`, a uniform random number
/// in 0..=1000 (above 1000 it counts as 1000; 500 is no jitter).
///
/// `BACKOFF_FIRST_MS · 2^(failures−1)`, at most `BACKOFF_MAX_MS`, times
/// `(1000 − JITTER_PERMILLE + 2 · JITTER_PERMILLE · random_permille / 1000) / 1000`, rounded to the millisecond;
/// integers throughout, like every figure of the domain.
pub fn backoff_ms(failures: u32, random_permille: u32) -> u32 {
    // 2^9 · 5 s already exceeds the cap: larger exponents change nothing.
    let doublings = failures.clamp(1, 10) - 1;
    let base = (u64::from(BACKOFF_FIRST_MS) << doublings).min(u64::from(BACKOFF_MAX_MS));
    let r = u64::from(random_permille.min(1000));
    // Parts per million of the base: 800,000 ..= 1,200,000.
    let ppm = (1000 - JITTER_PERMILLE) * 1000 + 2 * JITTER_PERMILLE * r;
    let delay = (base * ppm + 500_000) / 1_000_000;
    u32::try_from(delay).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_2xx_carries_the_receipt() {
        for status in [200, 201, 299] {
            assert_eq!(classify(status), Verdict::Receipt, "{status}");
        }
    }

    #[test]
    fn a_4xx_is_final_except_408_and_429() {
        for status in [400, 401, 403, 404, 409, 413, 415, 422, 499] {
            assert_eq!(classify(status), Verdict::Final, "{status}");
        }
        assert_eq!(classify(408), Verdict::Retry);
        assert_eq!(classify(429), Verdict::Retry);
    }

    #[test]
    fn everything_else_is_retried() {
        let others = [0, 100, 199, 300, 304, 399, 500, 502, 503, 504, 599, 600];
        for status in others.into_iter().chain([u16::MAX]) {
            assert_eq!(classify(status), Verdict::Retry, "{status}");
        }
    }

    #[test]
    fn the_delay_doubles_from_5_s_to_5_min() {
        // 500 per mille: no jitter.
        let delays: Vec<u32> = (1..=8).map(|n| backoff_ms(n, 500)).collect();
        assert_eq!(
            delays,
            [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]
        );
        assert_eq!(backoff_ms(0, 500), 5_000, "0 counts as the first failure");
        assert_eq!(backoff_ms(u32::MAX, 500), 300_000, "no overflow");
    }

    #[test]
    fn the_jitter_spreads_by_20_percent() {
        assert_eq!(backoff_ms(1, 0), 4_000);
        assert_eq!(backoff_ms(1, 1000), 6_000);
        assert_eq!(backoff_ms(1, 250), 4_500);
        assert_eq!(backoff_ms(1, 1), 4_002);
        assert_eq!(backoff_ms(20, 0), 240_000);
        assert_eq!(backoff_ms(20, 1000), 360_000);
        // Above the range: counts as its top.
        assert_eq!(backoff_ms(1, 7000), 6_000);
    }

    #[test]
    fn every_delay_is_within_its_band() {
        for failures in 0..=40 {
            let base = u64::from(backoff_ms(failures, 500));
            let mut last = 0;
            for step in 0..=1000 {
                let delay = backoff_ms(failures, step);
                assert!(delay >= last, "grows with the random number");
                let d = u64::from(delay);
                assert!(
                    d * 10 >= base * 8 && d * 10 <= base * 12,
                    "{failures}, {step}: {d} of {base}"
                );
                last = delay;
            }
        }
    }
}
