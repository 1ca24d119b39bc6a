//! Who may do how much (docs/receiver.md "Transport and access"):
//!
//! - [`Buckets`]: a token bucket per client address, in memory — the public
//!   `POST /api/consents` (429 `request.rate_limited`) and the back office's wrong tokens
//!   (429 `auth.throttled`).
//! - [`Guard::consent_slot`]: a cap on consents processed at once (503 `server.busy`).
//! - The back-office token compared as SHA-256 digests in constant time ([`same_secret`]),
//!   its scheme matched in any case ([`bearer`]).
//! - [`AuditLog`]: each back-office read appended to `<data dir>/audit.log` — when, which
//!   token (a fingerprint), which consent id, found or not; no personal data.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::transport::Settings;

/// The audit log's file name in the data directory.
pub const AUDIT_FILE: &str = "audit.log";

/// Buckets forget an address whose bucket is full again once they hold this many.
const MAX_TRACKED: usize = 100_000;

/// One token bucket per client address: `per_minute` tokens at most, refilled evenly over a
/// minute.
pub struct Buckets {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Buckets {
    pub fn new(per_minute: u32) -> Buckets {
        Buckets {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refilled(&self, tokens: f64, at: Instant, now: Instant) -> f64 {
        let capacity = f64::from(self.per_minute);
        (tokens + now.duration_since(at).as_secs_f64() * capacity / 60.0).min(capacity)
    }

    /// Seconds until one token is back, at least 1.
    fn wait(&self, tokens: f64) -> u64 {
        (((1.0 - tokens) * 60.0 / f64::from(self.per_minute)).ceil() as u64).max(1)
    }

    /// Takes a token for `ip`: `Err(seconds to wait)` when there is none. A limit of 0 never
    /// refuses.
    pub fn take(&self, ip: IpAddr) -> Result<(), u64> {
        self.take_at(ip, Instant::now())
    }

    fn take_at(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let ip = client_key(ip);
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_TRACKED && !map.contains_key(&ip) {
            let capacity = f64::from(self.per_minute);
            map.retain(|_, (t, at)| self.refilled(*t, *at, now) < capacity);
        }
        let capacity = f64::from(self.per_minute);
        let (tokens, at) = map.entry(ip).or_insert((capacity, now));
        let available = self.refilled(*tokens, *at, now);
        *at = now;
        if available >= 1.0 {
            *tokens = available - 1.0;
            Ok(())
        } else {
            *tokens = available;
            Err(self.wait(available))
        }
    }

    /// Whether `ip` has no token left (without taking one): `Some(seconds to wait)`.
    pub fn exhausted(&self, ip: IpAddr) -> Option<u64> {
        let map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, at) = map.get(&client_key(ip))?;
        let available = self.refilled(*tokens, *at, Instant::now());
        (available < 1.0).then(|| self.wait(available))
    }
}

/// Whose bucket an address uses: an IPv4 address its own, an IPv6 address its /64 (one
/// subscriber's network, whose other addresses cost it nothing to use).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
    }
}

/// The shared limits and the audit log.
pub struct Guard {
    pub consents: Buckets,
    pub admin_failures: Buckets,
    /// `GET /api/signing/{token}` per client, at the consents' rate (a guessed token costs
    /// as much as a consent).
    pub signing_reads: Buckets,
    rate_limit_loopback: bool,
    processing: Arc<Semaphore>,
    pub audit: AuditLog,
}

impl Guard {
    pub fn new(settings: &Settings, data_dir: &Path) -> Result<Guard, String> {
        Ok(Guard {
            consents: Buckets::new(settings.consents_per_minute),
            admin_failures: Buckets::new(settings.admin_failures_per_minute),
            signing_reads: Buckets::new(settings.consents_per_minute),
            rate_limit_loopback: settings.rate_limit_loopback,
            processing: Arc::new(Semaphore::new(settings.max_concurrent_consents)),
            audit: AuditLog::open(&data_dir.join(AUDIT_FILE))?,
        })
    }

    /// The rate limit of `POST /api/consents` for `ip`: `Err(seconds to wait)`.
    pub fn consent_rate(&self, ip: IpAddr) -> Result<(), u64> {
        if ip.is_loopback() && !self.rate_limit_loopback {
            return Ok(());
        }
        self.consents.take(ip)
    }

    /// The rate limit of `GET /api/signing/{token}` for `ip`: `Err(seconds to wait)`.
    pub fn signing_rate(&self, ip: IpAddr) -> Result<(), u64> {
        if ip.is_loopback() && !self.rate_limit_loopback {
            return Ok(());
        }
        self.signing_reads.take(ip)
    }

    /// A slot to verify and store one consent, or `None` when all are taken (shed the load).
    pub fn consent_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.processing.clone().try_acquire_owned().ok()
    }
}

/// The token of an `Authorization: Bearer <token>` header; the scheme in any case
/// (RFC 9110 §11.1).
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether two secrets are equal, compared as SHA-256 digests in constant time: neither the
/// length nor how much of a guess was right shows in the time taken.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    bool::from(a.as_slice().ct_eq(b.as_slice()))
}

/// Names a token in the audit log without revealing it: the first 12 hex digits of its
/// SHA-256.
pub fn fingerprint(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An append-only file of JSON lines, each synced before the read it records is answered.
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    pub fn open(path: &Path) -> Result<AuditLog, String> {
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(path)
            .map_err(|e| format!("cannot open the audit log {}: {e}", path.display()))?;
        Ok(AuditLog {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    /// Appends one event (a JSON object) and syncs it.
    pub fn write(&self, event: &serde_json::Value) -> Result<(), String> {
        let mut line = event.to_string();
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| format!("cannot write the audit log {}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn secrets_compare_by_digest() {
        let token = b"test-token-0123456789abcdef";
        assert!(same_secret(token, token));
        assert!(!same_secret(token, b"test-token-0123456789abcdeF"));
        // A prefix, a longer string and the empty string: no length shortcut to get wrong.
        assert!(!same_secret(token, &token[..10]));
        assert!(!same_secret(token, b"test-token-0123456789abcdef0"));
        assert!(!same_secret(b"", token));
        assert!(same_secret(b"", b""));
    }

    #[test]
    fn the_scheme_is_matched_in_any_case() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("BEARER  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearerabc"), None);
        assert_eq!(fingerprint("x").len(), 12);
    }

    #[test]
    fn a_bucket_empties_and_refills() {
        let b = Buckets::new(3);
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        let t0 = Instant::now();
        assert!(b.take_at(ip, t0).is_ok());
        assert!(b.take_at(ip, t0).is_ok());
        assert!(b.take_at(ip, t0).is_ok());
        // 3 a minute: one token every 20 s.
        assert_eq!(b.take_at(ip, t0), Err(20));
        assert!(
            b.take_at(other, t0).is_ok(),
            "each address has its own bucket"
        );
        assert_eq!(b.take_at(ip, t0 + Duration::from_secs(15)), Err(5));
        assert!(b.take_at(ip, t0 + Duration::from_secs(20)).is_ok());
        assert!(Buckets::new(0).take_at(ip, t0).is_ok(), "0: no limit");
        // An IPv6 client's /64 shares one bucket.
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let v6 = Buckets::new(1);
        assert!(v6.take_at(a, t0).is_ok());
        assert!(v6.take_at(b, t0).is_err());
        assert!(v6.take_at(c, t0).is_ok());
        assert!(v6.exhausted(b).is_some());
    }
}
