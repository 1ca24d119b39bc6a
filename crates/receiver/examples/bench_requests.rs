//! Load generator for `cargo xtask bench`, the request path (issue 17; docs/requests.md): N
//! whole journeys of a signing request against a running receiver on loopback, C at a time,
//! each on its own keep-alive HTTP/1.1 connection:
//!
//! 1. the back office opens the request (`POST /api/requests`, API key);
//! 2. the signer asks for a code (`POST /api/signing/{token}/code`), which the receiver sends
//!    through its HTTP SMS gateway: a fake gateway in this process, on loopback, that keeps
//!    the newest code of each mobile;
//! 3. the signer types it back (`POST /api/signing/{token}/verify`);
//! 4. the signer's `qianyue-consent/2` is signed (the seed form, a fixed test key) and posted
//!    (`POST /api/consents`): verified, re-checked against the request, stored with the
//!    request's `signed` in one transaction.
//!
//! Prints one JSON object (integers only): journeys (= consents through the whole request
//! path) per second, and p50/p99 of each step, the code check's among them.
//!
//! `bench_requests --addr 127.0.0.1:PORT --gateway-port PORT --key SECRET [--n 600]
//! [--connections 16] [--warmup 100]`

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use qianyue_domain::identity::Identity;
use qianyue_domain::payload::SignedAt;
use qianyue_domain::testing::{payload_for_request, seed_form_signed_at, sign, test_key};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The newest code each mobile was sent.
type Codes = Arc<Mutex<HashMap<String, String>>>;

/// Reads one HTTP/1.1 message (head and Content-Length body) from `stream` into `buf`; the
/// head's first line and the body. `None` at the end of the stream.
async fn read_message(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(String, Vec<u8>)> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[end + 4..end + 4 + length].to_vec();
            buf.drain(..end + 4 + length);
            let first = head.lines().next().unwrap_or("").to_owned();
            return Some((first, body));
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The fake SMS gateway: answers 200 to each `{"id", "to", "text"}` and keeps the code.
async fn gateway(listener: TcpListener, codes: Codes) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let codes = codes.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            while let Some((_, body)) = read_message(&mut stream, &mut buf).await {
                if let Ok(text) = serde_json::from_slice::<Value>(&body) {
                    let to = text["to"].as_str().unwrap_or("").to_owned();
                    let code: String = text["text"]
                        .as_str()
                        .unwrap_or("")
                        .split("验证码 ")
                        .nth(1)
                        .unwrap_or("")
                        .chars()
                        .take(6)
                        .collect();
                    codes.lock().unwrap().insert(to, code);
                }
                let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
                if stream.write_all(answer).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// One call on a kept-alive connection: the status and the body.
async fn call(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: &[u8],
) -> Option<(u16, Vec<u8>)> {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    if let Some(key) = auth {
        req.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).await.ok()?;
    let (first, body) = read_message(stream, buf).await?;
    let status = first.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body))
}

/// The time each step of one journey took.
#[derive(Default)]
struct Steps {
    open: Vec<Duration>,
    send_code: Vec<Duration>,
    check_code: Vec<Duration>,
    consent: Vec<Duration>,
}

struct Journeys {
    addr: SocketAddr,
    key: String,
    codes: Codes,
    /// A distinct mobile per journey (across rounds too).
    next_mobile: AtomicUsize,
}

impl Journeys {
    /// One whole journey; `None` if any step failed.
    async fn one(
        &self,
        stream: &mut TcpStream,
        buf: &mut Vec<u8>,
        steps: &mut Steps,
    ) -> Option<()> {
        let n = self.next_mobile.fetch_add(1, Ordering::Relaxed);
        let mobile = format!("138{:08}", n % 100_000_000);
        let now = SignedAt::from_unix_seconds(now_unix())?;
        let expires = SignedAt::from_unix_seconds(now_unix() + 86_400)?;
        let form = seed_form_signed_at(now);
        let body = json!({
            "form": form,
            "readonly": ["contract_no", "customer", "orders"],
            "signer": {"name": "张晓梅", "mobile": mobile},
            "expires_at": expires.to_string(),
        });
        let (addr, key) = (self.addr, Some(self.key.as_str()));

        let t = Instant::now();
        let (status, answer) = call(
            stream,
            buf,
            addr,
            "POST",
            "/api/requests",
            key,
            body.to_string().as_bytes(),
        )
        .await?;
        (status == 201).then_some(())?;
        steps.open.push(t.elapsed());
        let answer: Value = serde_json::from_slice(&answer).ok()?;
        let (id, token) = (
            answer["id"].as_str()?.to_owned(),
            answer["token"].as_str()?.to_owned(),
        );

        let t = Instant::now();
        let (status, _) = call(
            stream,
            buf,
            addr,
            "POST",
            &format!("/api/signing/{token}/code"),
            None,
            b"{}",
        )
        .await?;
        (status == 200).then_some(())?;
        steps.send_code.push(t.elapsed());
        // The gateway was answered before the receiver answered the signer.
        let code = self.codes.lock().unwrap().get(&mobile)?.clone();

        let t = Instant::now();
        let typed = json!({ "code": code }).to_string();
        let (status, answer) = call(
            stream,
            buf,
            addr,
            "POST",
            &format!("/api/signing/{token}/verify"),
            None,
            typed.as_bytes(),
        )
        .await?;
        (status == 200).then_some(())?;
        steps.check_code.push(t.elapsed());
        let answer: Value = serde_json::from_slice(&answer).ok()?;
        let identity: Identity = serde_json::from_value(answer["verification"].clone()).ok()?;

        let consent_id = qianyue_domain::payload::uuid_v4(rand_bytes(n));
        let payload = payload_for_request(form, now, &consent_id, &id, identity, &test_key());
        let envelope = sign(&payload, &test_key());
        let t = Instant::now();
        let (status, _) = call(
            stream,
            buf,
            addr,
            "POST",
            "/api/consents",
            None,
            envelope.as_bytes(),
        )
        .await?;
        (status == 201).then_some(())?;
        steps.consent.push(t.elapsed());
        Some(())
    }
}

/// 16 bytes, distinct per journey and per run.
fn rand_bytes(n: usize) -> [u8; 16] {
    let salt = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&salt.to_le_bytes());
    b[8..].copy_from_slice(&(n as u64).to_le_bytes());
    b
}

/// `n` journeys, `connections` at a time: the steps' times and the failures.
async fn run(journeys: Arc<Journeys>, n: usize, connections: usize) -> (Steps, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (journeys, next) = (journeys.clone(), next.clone());
            tokio::spawn(async move {
                let mut steps = Steps::default();
                let mut failures = 0usize;
                let mut stream: Option<TcpStream> = None;
                let mut buf = Vec::with_capacity(8192);
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    if stream.is_none() {
                        stream = TcpStream::connect(journeys.addr).await.ok();
                        if let Some(s) = &stream {
                            s.set_nodelay(true).ok();
                        }
                        buf.clear();
                    }
                    let Some(s) = stream.as_mut() else {
                        failures += 1;
                        continue;
                    };
                    if journeys.one(s, &mut buf, &mut steps).await.is_none() {
                        failures += 1;
                        // The connection's state is unknown after a failed step.
                        stream = None;
                    }
                }
                (steps, failures)
            })
        })
        .collect();
    let mut all = Steps::default();
    let mut failures = 0;
    for t in tasks {
        let (s, f) = t.await.expect("client task");
        all.open.extend(s.open);
        all.send_code.extend(s.send_code);
        all.check_code.extend(s.check_code);
        all.consent.extend(s.consent);
        failures += f;
    }
    (all, failures)
}

/// `"name_p50_us":…,"name_p99_us":…` of `times`.
fn percentiles(name: &str, times: &mut [Duration]) -> String {
    times.sort();
    let pct = |p: usize| {
        times
            .get((times.len() * p / 100).min(times.len().saturating_sub(1)))
            .map_or(0, |d| d.as_micros())
    };
    format!(
        "\"{name}_p50_us\":{},\"{name}_p99_us\":{}",
        pct(50),
        pct(99)
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr: SocketAddr = arg(&args, "--addr")
        .and_then(|a| a.parse().ok())
        .expect("--addr 127.0.0.1:PORT");
    let gateway_port: u16 = arg(&args, "--gateway-port")
        .and_then(|v| v.parse().ok())
        .expect("--gateway-port PORT");
    let key = arg(&args, "--key").expect("--key SECRET");
    let n: usize = arg(&args, "--n")
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let connections: usize = arg(&args, "--connections")
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let warmup: usize = arg(&args, "--warmup")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);

    let codes: Codes = Arc::default();
    let listener = TcpListener::bind(("127.0.0.1", gateway_port))
        .await
        .expect("the fake gateway's port");
    tokio::spawn(gateway(listener, codes.clone()));
    let journeys = Arc::new(Journeys {
        addr,
        key,
        codes,
        next_mobile: AtomicUsize::new(0),
    });
    let _ = run(journeys.clone(), warmup, connections).await;
    let started = Instant::now();
    let (mut steps, failures) = run(journeys, n, connections).await;
    let elapsed = started.elapsed();
    let done = steps.consent.len();
    let per_second_milli = (done as u128 * 1_000_000_000) / elapsed.as_micros().max(1);
    println!(
        "{{\"journeys\":{done},\"failures\":{failures},\"connections\":{connections},\
         \"elapsed_us\":{},\"journeys_per_second_milli\":{per_second_milli},{},{},{},{}}}",
        elapsed.as_micros(),
        percentiles("open", &mut steps.open),
        percentiles("send_code", &mut steps.send_code),
        percentiles("check_code", &mut steps.check_code),
        percentiles("consent", &mut steps.consent),
    );
}
