//! Webhooks over loopback with the real binary (contract.md §6, docs/requests.md "Webhooks"):
//! a listener on 127.0.0.1 plays the carrier's callback; every delivery's signature is checked
//! here with an HMAC-SHA256 written from RFC 2104 over `sha2`, not with the receiver's code.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{backends, http, now_unix, seed_form, Backend, HttpResponse, Options, Receiver};
use common::{API_KEY, WEBHOOK_SECRET};
use qianyue_domain::payload::SignedAt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

// ------------------------------------------------------------------------------------------
// The listener

/// One delivery as the listener saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The status the listener answered.
    answered: u16,
    at: Instant,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn delivery_id(&self) -> String {
        self.json()["delivery_id"].as_str().unwrap().to_owned()
    }
}

/// A callback listener: answers 500 to its first `fail_first` requests (and to every request
/// while `failing` is set), then 200 after `delay`.
struct Listener {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    failing: Arc<std::sync::atomic::AtomicBool>,
    /// A failure's status line and headers: `500 X\r\n` unless changed.
    failure: Arc<Mutex<String>>,
}

impl Listener {
    fn start(fail_first: usize, delay: Duration) -> Listener {
        let socket = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = socket.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let failing = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let failure = Arc::new(Mutex::new("500 X\r\n".to_owned()));
        let count = Arc::new(AtomicUsize::new(0));
        let (seen2, failing2, failure2) = (seen.clone(), failing.clone(), failure.clone());
        std::thread::spawn(move || {
            for stream in socket.incoming() {
                let Ok(stream) = stream else { continue };
                let (seen, failing, count) = (seen2.clone(), failing2.clone(), count.clone());
                let failure = failure2.lock().unwrap().clone();
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &seen, &failing, &count, fail_first, &failure, delay);
                });
            }
        });
        Listener {
            addr,
            seen,
            failing,
            failure,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits until `done` holds for what was seen (at most `secs`).
    fn wait_for(&self, secs: u64, what: &str, done: impl Fn(&[Seen]) -> bool) -> Vec<Seen> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let seen = self.seen();
            if done(&seen) {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {secs} s for {what}; seen: {:#?}",
                seen.iter()
                    .map(|s| (s.answered, String::from_utf8_lossy(&s.body).into_owned()))
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve_one(
    stream: std::net::TcpStream,
    seen: &Mutex<Vec<Seen>>,
    failing: &std::sync::atomic::AtomicBool,
    count: &AtomicUsize,
    fail_first: usize,
    failure: &str,
    delay: Duration,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    assert_eq!(method, "POST");
    let n = count.fetch_add(1, Ordering::SeqCst);
    let head = if n < fail_first || failing.load(Ordering::SeqCst) {
        failure.to_owned()
    } else {
        std::thread::sleep(delay);
        "200 OK\r\n".to_owned()
    };
    let status: u16 = head[..3].parse().unwrap();
    seen.lock().unwrap().push(Seen {
        path,
        headers,
        body,
        answered: status,
        at: Instant::now(),
    });
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {head}Content-Length: 2\r\nConnection: close\r\n\r\nok"
    )?;
    stream.flush()
}

// ------------------------------------------------------------------------------------------
// Signatures, checked independently of the receiver

/// HMAC-SHA256 (RFC 2104) over `sha2`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Checks a delivery's `Qianyue-Signature` with the test secret; its `t`.
fn check_signature(s: &Seen) -> i64 {
    let header = s.header("Qianyue-Signature").expect("the signature header");
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("header shape: {header}"));
    let t: i64 = t.parse().unwrap();
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(&s.body);
    assert_eq!(
        v1,
        hex(&hmac_sha256(WEBHOOK_SECRET.as_bytes(), &signed)),
        "HMAC of {header}"
    );
    assert!(
        (t - now_unix()).abs() <= 120,
        "t = {t} is the attempt's time"
    );
    t
}

#[test]
fn hmac_matches_rfc_4231() {
    // Test case 2 ("Jefe").
    assert_eq!(
        hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // Test case 6: a key longer than the block.
    assert_eq!(
        hex(&hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        )),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

// ------------------------------------------------------------------------------------------
// The back office

fn bearer() -> String {
    format!("Bearer {API_KEY}")
}

fn expires_in(seconds: i64) -> String {
    SignedAt::from_unix_seconds(now_unix() + seconds)
        .unwrap()
        .to_string()
}

fn request_body(callback_url: &str, expires_at: &str) -> Value {
    json!({
        "form": serde_json::to_value(seed_form()).unwrap(),
        "readonly": ["contract_no", "customer", "orders"],
        "signer": {"name": "张晓梅", "mobile": "13800138000"},
        "expires_at": expires_at,
        "callback_url": callback_url,
    })
}

fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> HttpResponse {
    let auth = bearer();
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", auth.as_str()),
    ];
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    http(addr, method, path, &headers, &body).expect(method)
}

/// Creates a request calling back `url`; its id and `expires_at`.
fn create(addr: SocketAddr, url: &str, expires_at: &str) -> (String, String) {
    let resp = call(
        addr,
        "POST",
        "/api/requests",
        Some(&request_body(url, expires_at)),
    );
    assert_eq!(resp.status, 201, "{}", resp.text());
    let v = resp.json();
    (
        v["id"].as_str().unwrap().to_owned(),
        v["expires_at"].as_str().unwrap().to_owned(),
    )
}

/// A receiver that retries after `base_ms`.
fn receiver(backend: Backend, base_ms: u64) -> Receiver {
    Receiver::start(
        Options::new(backend).with("QIANYUE_WEBHOOK_RETRY_BASE_MS", &base_ms.to_string()),
    )
}

/// The delivery rows, read from the database: (delivery_id, type, state, attempts, status).
fn rows(r: &Receiver) -> Vec<(String, String, String, i64, Option<i64>)> {
    let url = r.database_url.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let rows = sqlx::query(
            "SELECT delivery_id, type, state, attempts, last_status FROM webhook_deliveries \
             ORDER BY queued_ms, type",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        use sqlx::Row;
        rows.iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get::<i64, _>(3), r.get(4)))
            .collect()
    })
}

/// The delivery rows once `settled` holds: the listener records its answer before the receiver
/// has read it and written the outcome, so a test that saw a 200 waits for the row to say so.
fn rows_when(
    r: &Receiver,
    what: &str,
    settled: impl Fn(&[(String, String, String, i64, Option<i64>)]) -> bool,
) -> Vec<(String, String, String, i64, Option<i64>)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stored = rows(r);
        if settled(&stored) {
            return stored;
        }
        assert!(
            Instant::now() < deadline,
            "waited 10 s for {what}: {stored:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ------------------------------------------------------------------------------------------
// Tests

#[test]
fn opened_and_revoked_are_delivered_signed() {
    for backend in backends() {
        let listener = Listener::start(0, Duration::ZERO);
        let r = receiver(backend, 100);
        let (id, _) = create(
            r.addr,
            &listener.url("/hooks/qianyue?k=1"),
            &expires_in(3600),
        );
        let first = listener.wait_for(10, "request.opened", |s| !s.is_empty());
        let deleted = call(r.addr, "DELETE", &format!("/api/requests/{id}"), None);
        assert_eq!(deleted.status, 200, "{}", deleted.text());
        let seen = listener.wait_for(10, "request.revoked", |s| s.len() >= 2);
        assert_eq!(first.len(), 1);
        std::thread::sleep(Duration::from_millis(300));
        let seen_after = listener.seen();
        assert_eq!(seen_after.len(), 2, "{backend:?}: nothing more is sent");

        let events = deleted.json()["events"].as_array().unwrap().clone();
        for (s, (kind, event)) in seen.iter().zip([
            ("request.opened", &events[0]),
            ("request.revoked", &events[1]),
        ]) {
            assert_eq!(s.path, "/hooks/qianyue?k=1");
            assert_eq!(s.header("Content-Type"), Some("application/json"));
            check_signature(s);
            // The body: contract.md §6's members, in its order, nothing else.
            let text = String::from_utf8(s.body.clone()).unwrap();
            let v = s.json();
            let keys: Vec<&str> = [
                "type",
                "request_id",
                "consent_id",
                "occurred_at",
                "delivery_id",
            ]
            .into_iter()
            .filter(|k| text.contains(&format!("\"{k}\":")))
            .collect();
            assert_eq!(keys.len(), 5, "{text}");
            assert_eq!(v.as_object().unwrap().len(), 5, "{text}");
            let positions: Vec<usize> = keys
                .iter()
                .map(|k| text.find(&format!("\"{k}\":")).unwrap())
                .collect();
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "order: {text}");
            assert_eq!(v["type"], kind);
            assert_eq!(v["request_id"], id.as_str());
            assert_eq!(v["consent_id"], Value::Null);
            assert_eq!(v["occurred_at"], event["at"], "the event's time");
            assert_eq!(event["type"], kind);
            assert!(qianyue_domain::payload::is_uuid_v4(
                v["delivery_id"].as_str().unwrap()
            ));
        }
        assert_ne!(seen[0].delivery_id(), seen[1].delivery_id());
        let stored = rows_when(&r, "both deliveries recorded", |s| {
            s.len() == 2 && s.iter().all(|x| x.2 == "delivered")
        });
        assert_eq!(stored.len(), 2);
        for row in &stored {
            assert_eq!((row.2.as_str(), row.3, row.4), ("delivered", 1, Some(200)));
        }
        r.assert_no_panic();
        assert!(
            !r.stderr().contains(WEBHOOK_SECRET),
            "the secret is never logged"
        );
    }
}

#[test]
fn a_failing_listener_is_retried_with_the_same_delivery_until_2xx() {
    for backend in backends() {
        const FAILS: usize = 4;
        const BASE_MS: u64 = 100;
        let listener = Listener::start(FAILS, Duration::ZERO);
        let r = receiver(backend, BASE_MS);
        create(r.addr, &listener.url("/h"), &expires_in(3600));
        let seen = listener.wait_for(20, "a 200", |s| s.iter().any(|x| x.answered == 200));
        assert_eq!(seen.len(), FAILS + 1, "{backend:?}");
        for (i, s) in seen.iter().enumerate() {
            check_signature(s);
            assert_eq!(s.body, seen[0].body, "the same bytes on every attempt");
            assert_eq!(s.answered, if i < FAILS { 500 } else { 200 });
        }
        // The waits double: at least 80 % (the jitter) of base · 2^(n−1) after the n-th failure.
        for (n, w) in seen.windows(2).enumerate() {
            let gap = w[1].at - w[0].at;
            let least = Duration::from_millis(BASE_MS * (1 << n) * 8 / 10);
            assert!(gap >= least, "{backend:?}: gap {n}: {gap:?} < {least:?}");
        }
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(listener.seen().len(), FAILS + 1, "nothing after the 2xx");
        let stored = rows_when(&r, "the delivery recorded", |s| {
            s.first().is_some_and(|x| x.2 == "delivered")
        });
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].0, seen[0].delivery_id());
        assert_eq!(
            (stored[0].2.as_str(), stored[0].3, stored[0].4),
            ("delivered", FAILS as i64 + 1, Some(200))
        );
        r.assert_no_panic();
    }
}

#[test]
fn a_delivery_survives_a_kill_9_of_the_receiver() {
    for backend in backends() {
        let listener = Listener::start(0, Duration::ZERO);
        listener.failing.store(true, Ordering::SeqCst);
        let mut r = receiver(backend, 200);
        let (id, _) = create(r.addr, &listener.url("/h"), &expires_in(3600));
        let before = listener.wait_for(20, "two failed attempts", |s| s.len() >= 2);
        r.kill();
        // Down: nothing is sent; the listener would now accept.
        let count = listener.seen().len();
        listener.failing.store(false, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(
            listener.seen().len(),
            count,
            "{backend:?}: a dead receiver sends nothing"
        );
        r.restart();
        let seen = listener.wait_for(30, "the delivery after the restart", |s| {
            s.iter().any(|x| x.answered == 200)
        });
        let ok = seen.iter().find(|x| x.answered == 200).unwrap();
        check_signature(ok);
        assert_eq!(ok.body, before[0].body, "{backend:?}: the same delivery");
        assert_eq!(ok.json()["request_id"], id.as_str());
        assert!(seen
            .iter()
            .all(|s| s.delivery_id() == before[0].delivery_id()));
        let stored = rows_when(&r, "the delivery recorded after the restart", |s| {
            s.first().is_some_and(|x| x.2 != "pending")
        });
        assert_eq!(stored[0].2, "delivered", "{backend:?}");
        r.assert_no_panic();
    }
}

/// A redirect is an answer that is not 2xx: retried at the same URL, never followed.
#[test]
fn redirects_are_not_followed() {
    let elsewhere = Listener::start(0, Duration::ZERO);
    let listener = Listener::start(2, Duration::ZERO);
    *listener.failure.lock().unwrap() = format!(
        "307 Temporary Redirect\r\nLocation: {}\r\n",
        elsewhere.url("/x")
    );
    let r = receiver(Backend::Sqlite, 100);
    create(r.addr, &listener.url("/h"), &expires_in(3600));
    let seen = listener.wait_for(15, "a 200 after two redirects", |s| {
        s.iter().any(|x| x.answered == 200)
    });
    assert_eq!(
        seen.iter().map(|s| s.answered).collect::<Vec<_>>(),
        [307, 307, 200]
    );
    assert!(seen
        .iter()
        .all(|s| s.path == "/h" && s.body == seen[0].body));
    assert!(elsewhere.seen().is_empty(), "the redirect was followed");
}

/// An `https://` callback is spoken to in TLS, with the certificate checked: a loopback
/// listener that only reads gets a TLS ClientHello (never the body in clear), and the attempt
/// is recorded as failed.
#[test]
fn https_callbacks_are_sent_over_tls() {
    let socket = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let first = Arc::new(Mutex::new(Vec::<u8>::new()));
    let first2 = first.clone();
    std::thread::spawn(move || {
        for stream in socket.incoming() {
            let Ok(mut stream) = stream else { continue };
            stream
                .set_read_timeout(Some(Duration::from_millis(500)))
                .unwrap();
            let mut buf = [0u8; 2048];
            let n = stream.read(&mut buf).unwrap_or(0);
            first2.lock().unwrap().extend_from_slice(&buf[..n]);
            // Then close: no certificate, no answer.
        }
    });
    let r = receiver(Backend::Sqlite, 100);
    create(
        r.addr,
        &format!("https://127.0.0.1:{port}/h"),
        &expires_in(3600),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while first.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no connection");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let bytes = first.lock().unwrap().clone();
    // A TLS handshake record (0x16, version 3.x) holding a ClientHello (1).
    assert_eq!(
        &bytes[..2],
        &[0x16, 0x03],
        "{:?}",
        &bytes[..bytes.len().min(16)]
    );
    assert_eq!(bytes[5], 1, "ClientHello");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("request.opened") && !text.contains("POST"));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let rows = rows(&r);
        if rows[0].3 >= 1 {
            assert_eq!(rows[0].2, "pending", "retried later");
            assert_eq!(rows[0].4, None, "no status: no answer");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the failed attempt was not recorded"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Two receivers on one PostgreSQL, each with its sender: every event is delivered, each
/// exactly once (counted by `delivery_id`), to a listener that answers 200 (a little slowly,
/// so that the two senders overlap).
#[test]
fn two_receivers_on_one_postgres_deliver_each_event_once() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("note: no PostgreSQL; the two-receiver test is skipped");
        return;
    }
    const REQUESTS: usize = 12;
    let listener = Listener::start(0, Duration::from_millis(30));
    let a = receiver(Backend::Postgres, 50);
    let b = Receiver::start(
        Options::new(Backend::Postgres)
            .with("DATABASE_URL", &a.database_url)
            .with("QIANYUE_DATA_KEY_FILE", &a.data_key_file())
            .with("QIANYUE_WEBHOOK_RETRY_BASE_MS", "50"),
    );
    let mut ids = Vec::new();
    for i in 0..REQUESTS {
        let on = if i % 2 == 0 { a.addr } else { b.addr };
        let (id, _) = create(on, &listener.url("/h"), &expires_in(3600));
        ids.push(id);
    }
    // Half of them revoked, through the other receiver.
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        let on = if i % 4 == 0 { b.addr } else { a.addr };
        let d = call(on, "DELETE", &format!("/api/requests/{id}"), None);
        assert_eq!(d.status, 200, "{}", d.text());
    }
    let events = REQUESTS + REQUESTS / 2;
    listener.wait_for(60, "every event", |s| s.len() >= events);
    std::thread::sleep(Duration::from_millis(1000));
    let seen = listener.seen();
    let mut by_id = std::collections::BTreeMap::<String, usize>::new();
    for s in &seen {
        check_signature(s);
        *by_id.entry(s.delivery_id()).or_default() += 1;
    }
    assert_eq!(seen.len(), events, "each event once: {by_id:?}");
    assert!(by_id.values().all(|n| *n == 1), "{by_id:?}");
    let stored = rows_when(&a, "every delivery recorded", |s| {
        s.len() == events && s.iter().all(|x| x.2 != "pending")
    });
    assert_eq!(stored.len(), events);
    assert!(stored.iter().all(|r| r.2 == "delivered" && r.3 == 1));
    let stored_ids: std::collections::BTreeSet<_> = stored.iter().map(|r| r.0.clone()).collect();
    assert_eq!(stored_ids, by_id.keys().cloned().collect());
    a.assert_no_panic();
    b.assert_no_panic();
}

/// Nobody reads the request: the sender records `request.expired` at the expiry and delivers it.
#[test]
fn expiry_is_swept_and_delivered() {
    for backend in backends() {
        let listener = Listener::start(0, Duration::ZERO);
        let r = receiver(backend, 100);
        let (id, expires_at) = create(r.addr, &listener.url("/h"), &expires_in(2));
        let seen = listener.wait_for(15, "request.expired", |s| {
            s.iter().any(|x| x.json()["type"] == "request.expired")
        });
        let expired = seen
            .iter()
            .find(|x| x.json()["type"] == "request.expired")
            .unwrap();
        check_signature(expired);
        assert_eq!(expired.json()["request_id"], id.as_str());
        assert_eq!(expired.json()["occurred_at"], expires_at.as_str());
        let g = call(r.addr, "GET", &format!("/api/requests/{id}"), None).json();
        assert_eq!(g["status"], "expired");
        let types: Vec<_> = g["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(types, ["request.opened", "request.expired"]);
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(listener.seen().len(), 2, "{backend:?}: once");
    }
}

#[test]
fn without_a_secret_a_callback_url_is_refused() {
    let r = Receiver::start(Options::new(Backend::Sqlite).with("QIANYUE_WEBHOOK_SECRET", ""));
    let resp = call(
        r.addr,
        "POST",
        "/api/requests",
        Some(&request_body(
            "https://portal.example.com/h",
            &expires_in(3600),
        )),
    );
    assert_eq!(resp.status, 422, "{}", resp.text());
    let v = resp.json();
    assert_eq!(v["code"], "webhook.no_secret");
    assert_eq!(v["fields"][0]["path"], "callback_url");
    assert_eq!(v["fields"][0]["code"], "webhook.no_secret");
    assert!(v["message_zh"]
        .as_str()
        .unwrap()
        .contains("QIANYUE_WEBHOOK_SECRET"));
    // Without a callback URL the request is taken.
    let mut body = request_body("x", &expires_in(3600));
    body.as_object_mut().unwrap().remove("callback_url");
    let ok = call(r.addr, "POST", "/api/requests", Some(&body));
    assert_eq!(ok.status, 201, "{}", ok.text());
    // Another refusal beside it: the usual code, both fields named.
    let mut body = request_body("https://portal.example.com/h", &expires_in(3600));
    body["signer"]["mobile"] = json!("123");
    let both = call(r.addr, "POST", "/api/requests", Some(&body));
    assert_eq!(both.status, 422);
    assert_eq!(both.code(), "request.invalid");
    let paths: Vec<_> = both.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    assert!(paths.contains(&"callback_url".to_owned()), "{paths:?}");
}

/// docs/requests.md's verifiers, Python and Java, run on a real delivery (each when its tool
/// is installed): they accept it, and refuse another secret and an edited body.
#[test]
fn the_guides_verifiers_accept_a_real_delivery() {
    let python = guide_block("python").expect("docs/requests.md has a ```python block");
    let java = guide_block("java").expect("docs/requests.md has a ```java block");
    let listener = Listener::start(0, Duration::ZERO);
    let r = receiver(Backend::Sqlite, 100);
    create(r.addr, &listener.url("/h"), &expires_in(3600));
    let seen = listener.wait_for(10, "a delivery", |s| !s.is_empty());
    let header = seen[0].header("Qianyue-Signature").unwrap().to_owned();
    let body = seen[0].body.clone();
    let mut edited = body.clone();
    edited[2] ^= 1;
    let cases = [
        (WEBHOOK_SECRET, &body, "true"),
        ("another-secret-0123456789", &body, "false"),
        (WEBHOOK_SECRET, &edited, "false"),
    ];
    let dir = common::temp_dir("verifiers");

    if tool_exists("python3") {
        let script = format!(
            "{python}\n\nimport os, sys\nbody = open(sys.argv[1], 'rb').read()\n\
             print(verify(os.environ['SECRET'].encode(), os.environ['SIG'], body))\n"
        );
        std::fs::write(dir.join("verify.py"), script).unwrap();
        for (secret, body, want) in cases {
            let got = run_verifier(&dir, "python3", &["verify.py"], secret, &header, body);
            assert_eq!(got.to_lowercase(), want, "python, secret {secret}");
        }
    } else {
        eprintln!("note: no python3; the guide's Python verifier is not run");
    }

    if tool_exists("javac") && tool_exists("java") {
        std::fs::write(dir.join("QianyueWebhook.java"), &java).unwrap();
        std::fs::write(
            dir.join("Check.java"),
            "import java.nio.file.*;\npublic class Check {\n  public static void main(String[] a) \
             throws Exception {\n    byte[] body = Files.readAllBytes(Paths.get(a[0]));\n    \
             System.out.println(QianyueWebhook.verify(System.getenv(\"SECRET\").getBytes(\"UTF-8\"), \
             System.getenv(\"SIG\"), body, 300));\n  }\n}\n",
        )
        .unwrap();
        let out = std::process::Command::new("javac")
            .current_dir(&dir)
            .args(["-d", ".", "QianyueWebhook.java", "Check.java"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "javac: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (secret, body, want) in cases {
            let got = run_verifier(&dir, "java", &["-cp", ".", "Check"], secret, &header, body);
            assert_eq!(got, want, "java, secret {secret}");
        }
    } else {
        eprintln!("note: no JDK; the guide's Java verifier is not run");
    }
}

fn tool_exists(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("-version")
        .output()
        .is_ok()
}

/// Runs a verifier in `dir` on `body` (written to `dir/body`, its path the last argument); its
/// output.
fn run_verifier(
    dir: &std::path::Path,
    program: &str,
    args: &[&str],
    secret: &str,
    header: &str,
    body: &[u8],
) -> String {
    std::fs::write(dir.join("body"), body).unwrap();
    let out = std::process::Command::new(program)
        .current_dir(dir)
        .args(args)
        .arg("body")
        .env("SECRET", secret)
        .env("SIG", header)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The first fenced block of `lang` in the guide's "Webhooks" section.
fn guide_block(lang: &str) -> Option<String> {
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/requests.md"),
    )
    .ok()?;
    let section = &guide[guide.find("## Webhooks")?..];
    let start = section.find(&format!("```{lang}\n"))? + lang.len() + 4;
    let end = section[start..].find("```")?;
    Some(section[start..start + end].to_owned())
}

/// The whole path with the signer's code: `request.verified`, then `request.signed` carrying
/// the consent's id, each delivered signed.
#[test]
fn verified_and_signed_are_delivered_with_the_consent_id() {
    use qianyue_domain::identity::Identity;
    use qianyue_domain::testing;
    for backend in backends() {
        let listener = Listener::start(0, Duration::ZERO);
        let r = Receiver::start(
            Options::new(backend)
                .with("QIANYUE_SMS", "dev")
                .with("QIANYUE_WEBHOOK_RETRY_BASE_MS", "100"),
        );
        let today = SignedAt::from_unix_seconds(now_unix()).unwrap();
        let mut body = request_body(&listener.url("/h"), &expires_in(3600));
        body["form"] = serde_json::to_value(testing::seed_form_signed_at(today)).unwrap();
        let created = call(r.addr, "POST", "/api/requests", Some(&body));
        assert_eq!(created.status, 201, "{}", created.text());
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let token = created.json()["token"].as_str().unwrap().to_owned();
        let post = |path: String, v: Value| {
            http(
                r.addr,
                "POST",
                &path,
                &[("Content-Type", "application/json")],
                v.to_string().as_bytes(),
            )
            .unwrap()
        };
        assert_eq!(
            post(format!("/api/signing/{token}/code"), json!({})).status,
            200
        );
        let texts = r.get("/dev/sms", &[]).json();
        let text = texts.as_array().unwrap().last().unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned();
        let code: String = text
            .split("验证码 ")
            .nth(1)
            .unwrap()
            .chars()
            .take(6)
            .collect();
        let v = post(
            format!("/api/signing/{token}/verify"),
            json!({"code": code}),
        );
        assert_eq!(v.status, 200, "{}", v.text());
        let identity: Identity = serde_json::from_value(v.json()["verification"].clone()).unwrap();
        let cid = common::uuid();
        let now = SignedAt::from_unix_seconds(now_unix()).unwrap();
        let p = testing::payload_for_request(
            testing::seed_form_signed_at(now),
            now,
            &cid,
            &id,
            identity,
            &common::test_key(),
        );
        let envelope = testing::sign_value(&serde_json::to_value(p).unwrap(), &common::test_key());
        let stored = r.post_json(envelope.as_bytes());
        assert_eq!(stored.status, 201, "{backend:?}: {}", stored.text());

        let seen = listener.wait_for(15, "three events", |s| s.len() >= 3);
        let mut by_type = std::collections::BTreeMap::new();
        for s in &seen {
            check_signature(s);
            let v = s.json();
            by_type.insert(v["type"].as_str().unwrap().to_owned(), v);
        }
        assert_eq!(
            by_type.keys().collect::<Vec<_>>(),
            ["request.opened", "request.signed", "request.verified"]
        );
        assert_eq!(by_type["request.verified"]["consent_id"], Value::Null);
        assert_eq!(by_type["request.signed"]["consent_id"], cid.as_str());
        assert_eq!(by_type["request.signed"]["request_id"], id.as_str());
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(listener.seen().len(), 3, "{backend:?}: each once");
        r.assert_no_panic();
    }
}
