//! Load generator for `cargo xtask bench`: signs N distinct consents (the seed form, a fixed
//! test key), then POSTs them to a running receiver over C keep-alive HTTP/1.1 connections on
//! loopback, and prints one JSON object: consents acknowledged per second (each answered only
//! after it was verified, re-checked and durably stored) and the latency percentiles.
//!
//! `bench_load --addr 127.0.0.1:PORT [--n 6000] [--connections 32] [--warmup 1000] [--rounds 3]`

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use qianyue_domain::payload::SignatureImage;
use qianyue_domain::preview::preview;
use qianyue_domain::testing::{payload_showing, seed_form, sign, signed_at, test_key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn uuid(n: usize, salt: u64) -> String {
    // Distinct per run (salt) and per consent (n); shaped as a lower-case UUID v4.
    let a = salt ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let b = (n as u64) << 8 | 0x80;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a as u16) & 0x0fff,
        0x8000 | ((b >> 48) as u16 & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

fn envelopes(n: usize) -> Vec<Vec<u8>> {
    let key = test_key();
    let form = seed_form();
    let signed_at = signed_at();
    let previews = preview(&form, signed_at.date());
    let salt = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let drawn: Vec<[u32; 2]> = (0..40).map(|i| [20 + i * 8, 60 + (i * 7) % 40]).collect();
    (0..n)
        .map(|i| {
            let image = SignatureImage::Strokes {
                width: 400,
                height: 160,
                strokes: vec![drawn.clone()],
            };
            let payload = payload_showing(
                form.clone(),
                &previews,
                signed_at,
                &uuid(i, salt),
                image,
                &key,
            );
            sign(&payload, &key).into_bytes()
        })
        .collect()
}

/// One request on a kept-alive connection; the status. Lean on purpose: the client runs on
/// the same cores as the receiver, and what it spends is not the receiver's to use.
async fn post(stream: &mut TcpStream, request: &[u8], buf: &mut Vec<u8>) -> std::io::Result<u16> {
    stream.write_all(request).await?;
    buf.clear();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).unwrap_or("");
            let status: u16 = head
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(status);
        }
    }
}

/// The whole HTTP request for `body`, made before the clock starts.
fn request(addr: SocketAddr, body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "POST /api/consents HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

/// Posts every body once over `connections` keep-alive connections; the latencies of the
/// consents stored (201) and the number of other outcomes.
async fn run(
    addr: SocketAddr,
    bodies: Arc<Vec<Vec<u8>>>,
    connections: usize,
) -> (Vec<Duration>, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (bodies, next) = (bodies.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0usize;
                let mut stream: Option<TcpStream> = None;
                let mut buf = Vec::with_capacity(4096);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { break };
                    if stream.is_none() {
                        stream = TcpStream::connect(addr).await.ok();
                        if let Some(s) = &stream {
                            s.set_nodelay(true).ok();
                        }
                    }
                    let Some(s) = stream.as_mut() else {
                        failures += 1;
                        continue;
                    };
                    let t = Instant::now();
                    match post(s, body, &mut buf).await {
                        Ok(201) => latencies.push(t.elapsed()),
                        Ok(_) => failures += 1,
                        Err(_) => {
                            failures += 1;
                            stream = None;
                        }
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::with_capacity(bodies.len());
    let mut failures = 0;
    for t in tasks {
        let (l, f) = t.await.expect("client task");
        latencies.extend(l);
        failures += f;
    }
    (latencies, failures)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr: SocketAddr = arg(&args, "--addr")
        .and_then(|a| a.parse().ok())
        .expect("--addr 127.0.0.1:PORT");
    let n: usize = arg(&args, "--n")
        .and_then(|v| v.parse().ok())
        .unwrap_or(6000);
    let connections: usize = arg(&args, "--connections")
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);

    let warmup: usize = arg(&args, "--warmup")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let rounds: usize = arg(&args, "--rounds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);

    // A warm-up round first (other consents, not counted): the receiver's first requests pay
    // for connections, caches and the database file's growth, which a steady state does not.
    let requests = |n: usize| Arc::new(envelopes(n).iter().map(|b| request(addr, b)).collect());
    let _ = run(addr, requests(warmup), connections).await;
    // Then `rounds` rounds of n new consents each; the round of median rate is reported (the
    // machine is shared, and one round can meet another program's burst).
    let mut results = Vec::new();
    for _ in 0..rounds {
        let bodies = requests(n);
        let started = Instant::now();
        let (mut latencies, failures) = run(addr, bodies, connections).await;
        let elapsed = started.elapsed();
        latencies.sort();
        let pct = |p: usize| {
            latencies
                .get((latencies.len() * p / 100).min(latencies.len().saturating_sub(1)))
                .map_or(0, |d| d.as_micros())
        };
        // Integers only (microseconds, milli-consents per second): no floats in the results.
        let per_second_milli =
            (latencies.len() as u128 * 1_000_000_000) / elapsed.as_micros().max(1);
        results.push((
            per_second_milli,
            latencies.len(),
            failures,
            elapsed.as_micros(),
            pct(50),
            pct(99),
        ));
    }
    let rates: Vec<String> = results.iter().map(|r| r.0.to_string()).collect();
    // A failure in any round counts.
    let failures: usize = results.iter().map(|r| r.2).sum();
    results.sort_by_key(|r| r.0);
    let (per_second_milli, stored, _, elapsed_us, p50, p99) = results[results.len() / 2];
    println!(
        "{{\"consents\":{stored},\"failures\":{failures},\"connections\":{connections},\
         \"elapsed_us\":{elapsed_us},\"consents_per_second_milli\":{per_second_milli},\
         \"p50_us\":{p50},\"p99_us\":{p99},\"rounds\":{rounds},\
         \"rounds_per_second_milli\":[{}]}}",
        rates.join(",")
    );
}
