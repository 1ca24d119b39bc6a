//! Webhooks (contract.md §6, docs/requests.md "Webhooks"): each event of a request with a
//! `callback_url` is POSTed to it, signed, until a 2xx answer.
//!
//! - [`enqueue`] writes the delivery into `webhook_deliveries` (migrations/0004) in the
//!   transaction that records the event (`requests::add_event`), with its body already made:
//!   the same bytes and the same `delivery_id` on every attempt.
//! - The sender ([`Sender`], started by `lib.rs::start`) takes one due delivery at a time under
//!   a lease: a conditional `UPDATE … WHERE locked_until_ms <= now` that only one receiver can
//!   win, so that receivers sharing one PostgreSQL do not send the same delivery at once. An
//!   attempt is one HTTP/1.1 POST, redirects not followed, at most 10 s; its outcome is written
//!   back (delivered, or the next attempt by the domain's backoff, or given up after 72 h).
//! - The sender also records `request.expired` for open or verified requests past their expiry
//!   (`requests::sweep_expired`), which queues its delivery like any event.
//!
//! Delivery is at least once: a receiver killed after the listener answered and before the
//! outcome was written sends the delivery again (same `delivery_id`). The secret and the URL
//! (which may carry the carrier's own token) are never logged; ids are.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use http_body_util::Full;
use hyper::http::{header, Request};
use qianyue_domain::delivery::webhook as policy;
use qianyue_domain::payload::{self, SignedAt};
use serde::Serialize;
use sqlx::Row;
use tokio::net::TcpStream;

use crate::store::{Store, StoreError};

/// Pending: waiting for its next attempt.
pub const PENDING: &str = "pending";
/// A 2xx answer came.
pub const DELIVERED: &str = "delivered";
/// No 2xx answer within 72 hours of being queued.
pub const GIVEN_UP: &str = "given_up";

/// How long a sender holds a delivery it has taken: the attempt's timeout and a margin.
const LEASE_MS: i64 = policy::ATTEMPT_TIMEOUT_MS as i64 + 5_000;
/// How often the sender looks for requests past their expiry.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// The longest error text kept in `last_error`.
const MAX_ERROR_LEN: usize = 300;

// ------------------------------------------------------------------------------------------
// Configuration

/// The signing secret, `QIANYUE_WEBHOOK_SECRET`; never shown (its `Debug` hides it).
#[derive(Clone)]
pub struct Secret(Arc<[u8]>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    /// The header's value for `body` sent at `t` (unix seconds).
    pub fn sign(&self, t: i64, body: &[u8]) -> String {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.0);
        let mac = ring::hmac::sign(&key, &policy::signed_text(t, body));
        policy::signature_header(t, mac.as_ref())
    }
}

/// The webhooks' settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `QIANYUE_WEBHOOK_SECRET`: the HMAC-SHA256 key of the `Qianyue-Signature` header, at
    /// least 16 characters. Unset: requests with a `callback_url` are refused
    /// (`webhook.no_secret`) and nothing is sent.
    pub secret: Option<Secret>,
    /// `QIANYUE_WEBHOOK_RETRY_BASE_MS`: the delay after a first failed attempt, 10 to 3600000
    /// ms; it doubles after each further failure up to an hour. Default 10000.
    pub retry_base_ms: u64,
}

impl Settings {
    /// Reads the settings through `var`.
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let secret = match var("QIANYUE_WEBHOOK_SECRET") {
            None => None,
            Some(s) if s.chars().count() >= 16 && !s.chars().any(char::is_whitespace) => {
                Some(Secret(Arc::from(s.into_bytes())))
            }
            Some(_) => {
                return Err(
                    "QIANYUE_WEBHOOK_SECRET must be at least 16 characters, no spaces".into(),
                )
            }
        };
        let retry_base_ms = match var("QIANYUE_WEBHOOK_RETRY_BASE_MS") {
            None => policy::DEFAULT_BASE_MS,
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| (10..=policy::MAX_DELAY_MS).contains(n))
                .ok_or("QIANYUE_WEBHOOK_RETRY_BASE_MS must be a number of ms from 10 to 3600000")?,
        };
        Ok(Settings {
            secret,
            retry_base_ms,
        })
    }
}

// ------------------------------------------------------------------------------------------
// The queue

/// The body of a delivery, members in contract.md §6's order.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    request_id: &'a str,
    consent_id: Option<&'a str>,
    occurred_at: String,
    delivery_id: &'a str,
    /// `request.signed` of a consent witnessed in person (issue 19): `{"staff": {"id",
    /// "name"}, "device"}`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    witness: Option<serde_json::Value>,
}

/// The JSON body of the event `kind` of request `request_id` at `at`.
pub fn body(
    kind: &str,
    request_id: &str,
    consent_id: Option<&str>,
    at: SignedAt,
    delivery_id: &str,
) -> String {
    body_with_witness(kind, request_id, consent_id, at, delivery_id, None)
}

/// [`body`] with the `witness` member of a witnessed consent's `request.signed` (issue 19).
pub fn body_with_witness(
    kind: &str,
    request_id: &str,
    consent_id: Option<&str>,
    at: SignedAt,
    delivery_id: &str,
    witness: Option<serde_json::Value>,
) -> String {
    let body = Body {
        kind,
        request_id,
        consent_id,
        occurred_at: at.to_string(),
        delivery_id,
        witness,
    };
    // Strings and null only: serialising cannot fail.
    serde_json::to_string(&body).unwrap_or_default()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Queues the delivery of the event `kind` of request `request_id` at `at`, on `conn` (the
/// transaction that records the event), if the request has a `callback_url`. Its
/// `consent_id` is read now: for `request.signed`, the caller has set it before.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    request_id: &str,
    kind: &str,
    at: SignedAt,
) -> Result<(), sqlx::Error> {
    let row = sqlx::query("SELECT callback_url, consent_id, witness FROM requests WHERE id = $1")
        .bind(request_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let url: Option<String> = row.try_get(0)?;
    let consent_id: Option<String> = row.try_get(1)?;
    // Set with the consent of a witnessed request, in this transaction (issue 19).
    let witness: Option<String> = row.try_get(2)?;
    let witness = witness
        .filter(|_| kind == "request.signed")
        .and_then(|w| serde_json::from_str::<serde_json::Value>(&w).ok());
    let Some(url) = url else {
        return Ok(());
    };
    let mut random = [0u8; 16];
    getrandom::fill(&mut random)
        .map_err(|e| sqlx::Error::Protocol(format!("no random source: {e}")))?;
    let delivery_id = payload::uuid_v4(random);
    let body = body_with_witness(
        kind,
        request_id,
        consent_id.as_deref(),
        at,
        &delivery_id,
        witness,
    );
    let now = now_ms();
    sqlx::query(
        "INSERT INTO webhook_deliveries (delivery_id, request_id, type, url, body, queued_ms, \
         attempts, next_attempt_ms, locked_until_ms, locked_by, state, last_status, last_error, \
         done_ms) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, 0, NULL, $8, NULL, NULL, NULL)",
    )
    .bind(&delivery_id)
    .bind(request_id)
    .bind(kind)
    .bind(&url)
    .bind(&body)
    .bind(now)
    .bind(now)
    .bind(PENDING)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A delivery a sender has taken.
struct Taken {
    delivery_id: String,
    request_id: String,
    url: String,
    body: String,
    queued_ms: i64,
    attempts: i64,
}

/// Takes the oldest due delivery under a lease for `me`, if there is one. With several
/// senders on one database, the `UPDATE`'s condition lets one of them win; the others look
/// again.
async fn take(store: &Store, me: &str) -> Result<Option<Taken>, StoreError> {
    let pool = store.pool();
    loop {
        let now = now_ms();
        let candidate = sqlx::query(
            "SELECT delivery_id FROM webhook_deliveries WHERE state = $1 AND next_attempt_ms <= $2 \
             AND locked_until_ms <= $2 ORDER BY next_attempt_ms LIMIT 1",
        )
        .bind(PENDING)
        .bind(now)
        .fetch_optional(pool)
        .await?;
        let Some(candidate) = candidate else {
            return Ok(None);
        };
        let id: String = candidate.try_get(0)?;
        let won = sqlx::query(
            "UPDATE webhook_deliveries SET locked_until_ms = $1, locked_by = $2 \
             WHERE delivery_id = $3 AND state = $4 AND next_attempt_ms <= $5 \
             AND locked_until_ms <= $5",
        )
        .bind(now + LEASE_MS)
        .bind(me)
        .bind(&id)
        .bind(PENDING)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
            == 1;
        if !won {
            // Another sender took it in between: look again.
            continue;
        }
        let r = sqlx::query(
            "SELECT request_id, url, body, queued_ms, attempts FROM webhook_deliveries \
             WHERE delivery_id = $1",
        )
        .bind(&id)
        .fetch_one(pool)
        .await?;
        return Ok(Some(Taken {
            delivery_id: id,
            request_id: r.try_get(0)?,
            url: r.try_get(1)?,
            body: r.try_get(2)?,
            queued_ms: r.try_get(3)?,
            attempts: r.try_get(4)?,
        }));
    }
}

/// What one attempt came to.
enum Attempt {
    /// An answer with this status.
    Status(u16),
    /// No answer: why.
    Failed(String),
}

/// Writes the outcome of an attempt on `d` back, if `me` still holds its lease.
async fn finish(
    store: &Store,
    me: &str,
    d: &Taken,
    outcome: &Attempt,
    base_ms: u64,
) -> Result<(), StoreError> {
    let now = now_ms();
    let attempts = d.attempts + 1;
    let (status, error) = match outcome {
        Attempt::Status(s) => (Some(i64::from(*s)), None),
        Attempt::Failed(e) => (
            None,
            Some(e.chars().take(MAX_ERROR_LEN).collect::<String>()),
        ),
    };
    let delivered = matches!(outcome, Attempt::Status(s) if policy::delivered(*s));
    let mut random = [0u8; 2];
    let _ = getrandom::fill(&mut random);
    let permille = u32::from(u16::from_le_bytes(random)) % 1001;
    let next = if delivered {
        None
    } else {
        policy::next_attempt_ms(
            u64::try_from(d.queued_ms).unwrap_or(0),
            u64::try_from(now).unwrap_or(0),
            u32::try_from(attempts).unwrap_or(u32::MAX),
            base_ms,
            permille,
        )
    };
    let (state, next_ms, done) = match (delivered, next) {
        (true, _) => (DELIVERED, now, Some(now)),
        (false, Some(at)) => (PENDING, i64::try_from(at).unwrap_or(i64::MAX), None),
        (false, None) => (GIVEN_UP, now, Some(now)),
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET attempts = $1, state = $2, next_attempt_ms = $3, \
         last_status = $4, last_error = $5, done_ms = $6, locked_until_ms = 0, locked_by = NULL \
         WHERE delivery_id = $7 AND locked_by = $8",
    )
    .bind(attempts)
    .bind(state)
    .bind(next_ms)
    .bind(status)
    .bind(error)
    .bind(done)
    .bind(&d.delivery_id)
    .bind(me)
    .execute(store.pool())
    .await?;
    if state == GIVEN_UP {
        eprintln!(
            "qianyue-receiver: webhook {} of request {} given up after {attempts} attempts",
            d.delivery_id, d.request_id
        );
    }
    Ok(())
}

/// Hands a taken delivery back without counting an attempt (the receiver is stopping).
async fn release(store: &Store, me: &str, d: &Taken) {
    let _ = sqlx::query(
        "UPDATE webhook_deliveries SET locked_until_ms = 0, locked_by = NULL \
         WHERE delivery_id = $1 AND locked_by = $2",
    )
    .bind(&d.delivery_id)
    .bind(me)
    .execute(store.pool())
    .await;
}

// ------------------------------------------------------------------------------------------
// One attempt

/// TLS to callback URLs: the Mozilla roots (webpki-roots), rustls with ring. `None` if
/// rustls refuses its own defaults (then an `https://` attempt fails and is retried).
fn tls_config() -> Option<Arc<tokio_rustls::rustls::ClientConfig>> {
    use tokio_rustls::rustls;
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()
        .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
}

/// POSTs `body` to `url` with `signature`; the status of the answer. Redirects are answers
/// like any other (not 2xx: tried again later); the answer's body is not read.
async fn post(
    tls: Option<&Arc<tokio_rustls::rustls::ClientConfig>>,
    url: &str,
    body: &str,
    signature: &str,
) -> Result<u16, String> {
    let t = policy::target(url).ok_or("the callback URL cannot be read")?;
    let tcp = TcpStream::connect((t.host, t.port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let request = Request::post(&t.path)
        .header(header::HOST, t.authority)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "qianyue-receiver")
        .header(policy::SIGNATURE_HEADER, signature)
        .body(Full::new(Bytes::from(body.to_owned())))
        .map_err(|e| format!("request: {e}"))?;
    if t.https {
        let tls = tls.ok_or("no TLS configuration")?;
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(t.host.to_owned())
            .map_err(|e| format!("host name: {e}"))?;
        let stream = tokio_rustls::TlsConnector::from(tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        exchange(stream, request).await
    } else {
        exchange(tcp, request).await
    }
}

async fn exchange<S>(stream: S, request: Request<Full<Bytes>>) -> Result<u16, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut send, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    let driver = tokio::spawn(conn);
    let answer = send.send_request(request).await;
    driver.abort();
    answer
        .map(|r| r.status().as_u16())
        .map_err(|e| format!("HTTP: {e}"))
}

/// One attempt, within [`policy::ATTEMPT_TIMEOUT_MS`]; `t` is its time.
async fn attempt(
    tls: Option<&Arc<tokio_rustls::rustls::ClientConfig>>,
    secret: &Secret,
    d: &Taken,
) -> Attempt {
    let t = now_ms() / 1000;
    let signature = secret.sign(t, d.body.as_bytes());
    let timeout = Duration::from_millis(policy::ATTEMPT_TIMEOUT_MS);
    match tokio::time::timeout(timeout, post(tls, &d.url, &d.body, &signature)).await {
        Ok(Ok(status)) => Attempt::Status(status),
        Ok(Err(e)) => Attempt::Failed(e),
        Err(_) => Attempt::Failed(format!(
            "no answer within {} ms",
            policy::ATTEMPT_TIMEOUT_MS
        )),
    }
}

// ------------------------------------------------------------------------------------------
// The sender

/// The running sender; [`Sender::stop`] ends it.
pub struct Sender {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Sender {
    /// Starts the sender on `store`.
    pub fn start(store: Store, settings: Settings) -> Sender {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(run(store, settings, stopped));
        Sender { stop, task }
    }

    /// Stops it: an attempt in flight is abandoned and its delivery handed back (it is sent
    /// again later, by this receiver or another).
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

async fn run(store: Store, settings: Settings, mut stopped: tokio::sync::oneshot::Receiver<()>) {
    let mut random = [0u8; 16];
    let _ = getrandom::fill(&mut random);
    let me = payload::uuid_v4(random);
    let tls = tls_config();
    // Look for due deliveries at most every second, more often with a short retry base.
    let poll = Duration::from_millis((settings.retry_base_ms / 2).clamp(20, 1000));
    let mut last_sweep: Option<Instant> = None;
    // Expiries up to this moment have been swept (the first pass looks at every request).
    let mut swept_to = i64::MIN;
    let mut warned_no_secret = false;
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            () = tokio::time::sleep(poll) => {}
        }
        if last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
            last_sweep = Some(Instant::now());
            match crate::requests::sweep_expired(&store, swept_to, now_ms() / 1000).await {
                Ok(to) => swept_to = to,
                Err(e) => eprintln!("qianyue-receiver: recording expired requests failed: {e}"),
            }
        }
        let Some(secret) = &settings.secret else {
            // Nothing can be signed: deliveries queued before the secret was removed wait.
            if !warned_no_secret && pending(&store).await {
                eprintln!(
                    "qianyue-receiver: webhooks are waiting but QIANYUE_WEBHOOK_SECRET is not set"
                );
                warned_no_secret = true;
            }
            continue;
        };
        loop {
            let taken = match take(&store, &me).await {
                Ok(Some(d)) => d,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("qianyue-receiver: reading the webhook queue failed: {e}");
                    break;
                }
            };
            let outcome = tokio::select! {
                _ = &mut stopped => {
                    release(&store, &me, &taken).await;
                    return;
                }
                outcome = attempt(tls.as_ref(), secret, &taken) => outcome,
            };
            if let Err(e) = finish(&store, &me, &taken, &outcome, settings.retry_base_ms).await {
                eprintln!(
                    "qianyue-receiver: recording webhook {} failed: {e}",
                    taken.delivery_id
                );
            }
        }
    }
}

async fn pending(store: &Store) -> bool {
    sqlx::query("SELECT 1 FROM webhook_deliveries WHERE state = $1 LIMIT 1")
        .bind(PENDING)
        .fetch_optional(store.pool())
        .await
        .is_ok_and(|r| r.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let s = Settings::from_lookup(&vars(&[])).unwrap();
        assert!(s.secret.is_none());
        assert_eq!(s.retry_base_ms, 10_000);
        let s = Settings::from_lookup(&vars(&[
            ("QIANYUE_WEBHOOK_SECRET", "0123456789abcdefXYZ"),
            ("QIANYUE_WEBHOOK_RETRY_BASE_MS", "250"),
        ]))
        .unwrap();
        assert!(s.secret.is_some());
        assert_eq!(s.retry_base_ms, 250);
        assert!(
            !format!("{s:?}").contains("0123456789abcdef"),
            "no secret in Debug"
        );
        for bad in [
            &[("QIANYUE_WEBHOOK_SECRET", "short")][..],
            &[("QIANYUE_WEBHOOK_SECRET", "0123456789 abcdef")][..],
            &[("QIANYUE_WEBHOOK_RETRY_BASE_MS", "5")][..],
            &[("QIANYUE_WEBHOOK_RETRY_BASE_MS", "x")][..],
            &[("QIANYUE_WEBHOOK_RETRY_BASE_MS", "3600001")][..],
        ] {
            assert!(Settings::from_lookup(&vars(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_body_has_the_contracts_members_in_order() {
        let at = SignedAt::parse("2026-12-02T10:15:00+08:00").unwrap();
        assert_eq!(
            body("request.opened", "r", None, at, "d"),
            r#"{"type":"request.opened","request_id":"r","consent_id":null,"occurred_at":"2026-12-02T10:15:00+08:00","delivery_id":"d"}"#
        );
    }

    /// The HMAC of RFC 4231's test case 2 ("Jefe"), through the header's format.
    #[test]
    fn the_signature_is_hmac_sha256_of_t_dot_body() {
        let s = Secret(Arc::from(b"Jefe".to_vec()));
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"Jefe");
        let mac = ring::hmac::sign(&key, b"what do ya want for nothing?");
        assert_eq!(
            policy::signature_header(0, mac.as_ref()),
            "t=0,v1=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let header = s.sign(1_700_000_000, b"{}");
        let mac = ring::hmac::sign(&key, b"1700000000.{}");
        assert_eq!(
            header,
            policy::signature_header(1_700_000_000, mac.as_ref())
        );
        assert!(!format!("{s:?}").contains("Jefe"));
    }
}
