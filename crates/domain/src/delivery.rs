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
//!
//! The receiver's webhooks have their own policy beside it: [`webhook`].

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

/// The receiver's webhooks (contract.md §6, docs/requests.md "Webhooks"): when a delivery is
/// sent again, when it is given up, and the signature header's text. Pure: the receiver's
/// sender (`crates/receiver/src/webhooks.rs`) keeps the queue, reads the clock, draws the
/// random number, computes the HMAC and sends.
///
/// - A 2xx answer delivers; anything else (another status, a refused connection, a timeout
///   after [`webhook::ATTEMPT_TIMEOUT_MS`], a redirect, which is not followed) is tried again.
/// - The delay after the n-th failed attempt is `base · 2^(n−1)`, at most
///   [`webhook::MAX_DELAY_MS`] (an hour), spread by ±20 % like the outbox's ([`JITTER_PERMILLE`]);
///   `base` is `QIANYUE_WEBHOOK_RETRY_BASE_MS`, [`webhook::DEFAULT_BASE_MS`] by default.
/// - A delivery whose next attempt would fall more than [`webhook::GIVE_UP_AFTER_MS`] (72 hours,
///   the issue asks for at least 24) after it was queued is given up.
/// - [`webhook::target`] splits a callback URL into what the client connects to and sends.
pub mod webhook {
    use super::JITTER_PERMILLE;

    /// The default delay after the first failed attempt (ms): `QIANYUE_WEBHOOK_RETRY_BASE_MS`.
    pub const DEFAULT_BASE_MS: u64 = 10_000;
    /// The longest delay between two attempts (ms), before jitter.
    pub const MAX_DELAY_MS: u64 = 3_600_000;
    /// How long after it was queued a delivery is still attempted (ms): 72 hours.
    pub const GIVE_UP_AFTER_MS: u64 = 72 * 3_600_000;
    /// How long one attempt may take, connecting included (ms).
    pub const ATTEMPT_TIMEOUT_MS: u64 = 10_000;
    /// The tolerance on `t` the guide recommends to a verifier (s): older signatures are
    /// refused as replays.
    pub const VERIFY_TOLERANCE_S: u64 = 300;
    /// The header's name.
    pub const SIGNATURE_HEADER: &str = "Qianyue-Signature";

    crate::rule_errors! {
        /// Why the receiver refuses what would need a webhook.
        pub enum WebhookRule {
            NoSecret => "webhook.no_secret", "接收端未配置回调签名密钥（QIANYUE_WEBHOOK_SECRET），不能接受带回调地址的签约请求", "This receiver has no webhook signing secret (QIANYUE_WEBHOOK_SECRET) and cannot take a request with a callback URL";
        }
    }

    /// Whether an answer with this status delivers the event (any 2xx).
    pub fn delivered(status: u16) -> bool {
        (200..=299).contains(&status)
    }

    /// The delay (ms) after `failures` failed attempts in a row (0 counts as 1) with the first
    /// delay `base_ms` (0 counts as 1), given `random_permille` in 0..=1000 (500: no jitter).
    /// Integers throughout; no overflow.
    pub fn delay_ms(failures: u32, base_ms: u64, random_permille: u32) -> u64 {
        let doublings = failures.clamp(1, 64) - 1;
        let base = base_ms.clamp(1, MAX_DELAY_MS);
        let delay = base
            .checked_shl(doublings)
            .filter(|d| d >> doublings == base)
            .unwrap_or(MAX_DELAY_MS)
            .min(MAX_DELAY_MS);
        let r = u64::from(random_permille.min(1000));
        let ppm = (1000 - JITTER_PERMILLE) * 1000 + 2 * JITTER_PERMILLE * r;
        (delay * ppm + 500_000) / 1_000_000
    }

    /// When (unix ms) to attempt a delivery queued at `queued_ms` again, after its `failures`-th
    /// failed attempt ended at `now_ms`; `None`: give it up.
    pub fn next_attempt_ms(
        queued_ms: u64,
        now_ms: u64,
        failures: u32,
        base_ms: u64,
        random_permille: u32,
    ) -> Option<u64> {
        let at = now_ms.saturating_add(delay_ms(failures, base_ms, random_permille));
        (at <= queued_ms.saturating_add(GIVE_UP_AFTER_MS)).then_some(at)
    }

    /// The bytes the HMAC is computed over: `"<t>.<raw body>"`.
    pub fn signed_text(t: i64, body: &[u8]) -> Vec<u8> {
        let mut out = format!("{t}.").into_bytes();
        out.extend_from_slice(body);
        out
    }

    /// The header's value: `t=<t>,v1=<lower-case hex of mac>`.
    pub fn signature_header(t: i64, mac: &[u8]) -> String {
        let mut out = format!("t={t},v1=");
        for b in mac {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// The parts of a callback URL (checked by `request::check_callback_url` when the request was
    /// opened) that a client needs.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Target<'a> {
        pub https: bool,
        /// The host as written in the URL (brackets included for IPv6): the `Host` header.
        pub authority: &'a str,
        /// The host to connect to and to name in TLS (no brackets).
        pub host: &'a str,
        pub port: u16,
        /// Path and query, `/` when empty; no fragment.
        pub path: String,
    }

    /// Splits `url` (`http://` or `https://`) for a client: the host to connect to, the port
    /// (default 80 or 443), the `Host` header, the request target (path and query, `/` when empty,
    /// no fragment; bytes a request target may not hold as such percent-escaped). `None`: not such
    /// a URL.
    pub fn target(url: &str) -> Option<Target<'_>> {
        let (https, rest) = match url.strip_prefix("https://") {
            Some(rest) => (true, rest),
            None => (false, url.strip_prefix("http://")?),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let raw = rest[end..].split('#').next().unwrap_or("");
        let mut path = if raw.starts_with('/') {
            String::new()
        } else {
            "/".to_owned()
        };
        // Bytes a request target may not hold as such (non-ASCII, quotes, braces…), escaped.
        for c in raw.chars() {
            if c.is_ascii_graphic() && !"\"<>\\^`{|}".contains(c) {
                path.push(c);
            } else {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    path.push_str(&format!("%{b:02X}"));
                }
            }
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']')?;
            (h, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        let port = match port {
            Some(p) => p.parse().ok()?,
            None if https => 443,
            None => 80,
        };
        Some(Target {
            https,
            authority,
            host,
            port,
            path,
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn targets() {
            let t = target("https://portal.example.com/hooks/q?x=1#f").unwrap();
            assert!(t.https);
            assert_eq!(
                (t.host, t.port, t.authority),
                ("portal.example.com", 443, "portal.example.com")
            );
            assert_eq!(t.path, "/hooks/q?x=1");
            let t = target("http://127.0.0.1:8081").unwrap();
            assert_eq!((t.host, t.port, t.path.as_str()), ("127.0.0.1", 8081, "/"));
            let t = target("http://[::1]:9/a").unwrap();
            assert_eq!((t.host, t.port, t.authority), ("::1", 9, "[::1]:9"));
            assert!(target("ftp://x").is_none());
            let t = target("https://a.example/回调?q={x}").unwrap();
            assert_eq!(t.path, "/%E5%9B%9E%E8%B0%83?q=%7Bx%7D");
        }

        #[test]
        fn only_a_2xx_delivers() {
            for s in [200, 201, 204, 299] {
                assert!(delivered(s), "{s}");
            }
            for s in [
                0, 100, 199, 300, 301, 302, 307, 308, 400, 404, 410, 429, 500, 503,
            ] {
                assert!(!delivered(s), "{s}");
            }
        }

        #[test]
        fn the_delay_doubles_from_10_s_to_an_hour() {
            let delays: Vec<u64> = (1..=11)
                .map(|n| delay_ms(n, DEFAULT_BASE_MS, 500))
                .collect();
            assert_eq!(
                delays,
                [
                    10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000,
                    2_560_000, 3_600_000, 3_600_000
                ]
            );
            assert_eq!(delay_ms(0, DEFAULT_BASE_MS, 500), 10_000);
            assert_eq!(
                delay_ms(u32::MAX, u64::MAX, 500),
                MAX_DELAY_MS,
                "no overflow"
            );
            assert_eq!(delay_ms(3, 100, 500), 400, "a test's small base");
            // ±20 %.
            assert_eq!(delay_ms(1, DEFAULT_BASE_MS, 0), 8_000);
            assert_eq!(delay_ms(1, DEFAULT_BASE_MS, 1000), 12_000);
            assert_eq!(delay_ms(40, DEFAULT_BASE_MS, 1000), 4_320_000);
        }

        /// The issue asks for at least 24 hours of retries: with the default base, attempts
        /// go on for 72 hours, then stop.
        #[test]
        fn retries_last_72_hours_then_stop() {
            let queued = 1_000_000_000_000;
            let mut now = queued;
            let mut failures = 0;
            while let Some(at) = next_attempt_ms(queued, now, failures + 1, DEFAULT_BASE_MS, 1000) {
                assert!(at > now);
                failures += 1;
                now = at;
            }
            let hours = (now - queued) / 3_600_000;
            assert!((70..=72).contains(&hours), "{hours} h, {failures} failures");
            assert!(failures > 24, "{failures}");
            assert_eq!(
                next_attempt_ms(queued, queued + GIVE_UP_AFTER_MS, 1, 1, 500),
                None
            );
        }

        #[test]
        fn the_header_and_the_signed_text() {
            assert_eq!(signed_text(1_700_000_000, b"{}"), b"1700000000.{}");
            assert_eq!(
                signature_header(1_700_000_000, &[0x00, 0xab, 0x0f]),
                "t=1700000000,v1=00ab0f"
            );
        }
    }
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
