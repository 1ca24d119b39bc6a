//! `cargo xtask bench`, the receiver: consents per second verified + re-checked + durably
//! stored, over loopback HTTP, with p50/p99 latency, beside `openssl speed ecdsap256`'s
//! single-core verify rate measured in the same run (the goal: at least 30% of it).
//!
//! The receiver runs as built for `cargo xtask serve` (`--profile receiver`) on a fresh data
//! directory, once with its default store (SQLite, WAL, synchronous=FULL) and once with
//! PostgreSQL on loopback; the load generator (`crates/receiver/examples/bench_load.rs`) warms
//! it up with 1,000 consents, then POSTs 3 rounds of N distinct consents, each signed before
//! the clock starts, over 32 keep-alive connections, and reports the round of median rate.
//! openssl is measured before, between and after the loads; the ratio uses the median.
//! Writes `bench-results/receiver.json`.
//!
//! The same receiver then takes whole signing requests (`crates/receiver/examples/
//! bench_requests.rs`): the back office opens a request, the signer asks for a code (sent
//! through the HTTP SMS gateway to a fake one on loopback), checks it and posts a
//! `qianyue-consent/2`, stored with the request's `signed` in one transaction. Reported beside
//! the consents above: journeys per second (consents through the whole request path) and each
//! step's p50/p99, the code check's among them.
//!
//! Encryption at rest: the same consents load, right after the SQLite one, on a build of the
//! receiver that stores payloads unsealed (Cargo feature `bench-unsealed`, never served),
//! reported as `encryption_at_rest` with the ratio of the two rates.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::cmd::{line, sh};
use crate::Result;

const CONSENTS: &str = "6000";
const CONNECTIONS: &str = "32";
/// Whole signing requests per round of the request path, and how many at a time.
const JOURNEYS: &str = "600";
const JOURNEY_CONNECTIONS: &str = "16";
/// The back office's key of the measured receiver.
const BENCH_KEY: &str = "bench-key-0123456789abcdef0123456789";

pub fn run(root: &Path, out_dir: &Path) -> Result {
    // The baseline of encryption at rest: the same receiver built to store payloads unsealed
    // (Cargo feature bench-unsealed), kept beside the real one under another name.
    sh(
        root,
        "cargo build --profile receiver --package qianyue-receiver --bin qianyue-receiver \
         --features bench-unsealed",
    )?;
    let sealed_binary = crate::target_dir(root)
        .join("receiver")
        .join(format!("qianyue-receiver{}", std::env::consts::EXE_SUFFIX));
    let unsealed_binary = sealed_binary.with_file_name(format!(
        "qianyue-receiver-unsealed{}",
        std::env::consts::EXE_SUFFIX
    ));
    std::fs::copy(&sealed_binary, &unsealed_binary)
        .map_err(|e| format!("cannot keep the unsealed build: {e}"))?;
    sh(
        root,
        "cargo build --profile receiver --package qianyue-receiver --bin qianyue-receiver \
         --example bench_load --example bench_requests --example bench_evidence",
    )?;
    // openssl before, between and after the loads; the median is the baseline (one 3 s
    // sample moves by ±10 % on these shared cores).
    let mut verify_samples = vec![openssl_verify_per_second()?];
    let sqlite = measure(root, None, None)?;
    // The same load on the unsealed build, right after: what sealing at rest costs.
    let unsealed = measure(root, None, Some(&unsealed_binary))?;
    verify_samples.push(openssl_verify_per_second()?);
    let postgres = match crate::postgres::Postgres::start() {
        Ok(pg) => Some(measure(root, Some(&pg.url), None)?),
        Err(e) => {
            eprintln!("bench: PostgreSQL not measured: {e}");
            None
        }
    };
    verify_samples.push(openssl_verify_per_second()?);
    let mut sorted = verify_samples.clone();
    sorted.sort_by(f64::total_cmp);
    let verify_per_second = sorted[1];
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let row = |name: &str, store: &str, m: &Load| {
        let ratio = m.per_second / verify_per_second;
        format!(
            "    \"{name}\": {{\"store\": \"{store}\", \"consents\": {}, \"failures\": {}, \
             \"consents_per_second\": {:.0}, \"rounds_consents_per_second\": [{}], \
             \"p50_ms\": {:.2}, \"p99_ms\": {:.2}, \
             \"ratio_to_openssl_verify\": {:.3}, \"goal_met\": {},\n      \
             \"request_path\": {}}}",
            m.consents,
            m.failures,
            m.per_second,
            m.rounds
                .iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(", "),
            m.p50_ms,
            m.p99_ms,
            ratio,
            ratio >= 0.30,
            m.requests.json(m.per_second),
        )
    };
    let mut rows = vec![row("sqlite", "SQLite, WAL, synchronous=FULL", &sqlite)];
    if let Some(pg) = &postgres {
        rows.push(row(
            "postgres",
            "PostgreSQL 15, fsync=on, synchronous_commit=on",
            pg,
        ));
    }
    let load_avg = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "null".into());
    let at_rest = format!(
        "{{\"what\": \"SQLite, consents/s as above, with the payload sealed (AES-256-GCM, the \
         served build) and stored as it came (Cargo feature bench-unsealed, never served)\", \
         \"sealed_consents_per_second\": {:.0}, \"unsealed_consents_per_second\": {:.0}, \
         \"unsealed_rounds_consents_per_second\": [{}], \"unsealed_p50_ms\": {:.2}, \
         \"unsealed_p99_ms\": {:.2}, \"ratio_sealed_to_unsealed\": {:.3}, \
         \"unsealed_ratio_to_openssl_verify\": {:.3}}}",
        sqlite.per_second,
        unsealed.per_second,
        unsealed
            .rounds
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        unsealed.p50_ms,
        unsealed.p99_ms,
        sqlite.per_second / unsealed.per_second.max(1.0),
        unsealed.per_second / verify_per_second,
    );
    let json = format!(
        "{{\n  \"what\": \"POST /api/consents over loopback HTTP/1.1: ES256 verified, every rule \
         re-checked, stored durably before the answer; {CONNECTIONS} keep-alive connections; after \
         1,000 warm-up consents, 3 rounds of {CONSENTS} distinct consents of 4.6 KB, the round \
         of median rate reported; then, on the same receiver, request_path: {JOURNEYS} whole \
         signing requests, {JOURNEY_CONNECTIONS} at a time (open the request with the API key, \
         send the code through the HTTP SMS gateway to a fake one on loopback, check it, post \
         the qianyue-consent/2 stored with the request's signed in one transaction) after 100 \
         warm-up ones\",\n  \"cores\": {cores},\n  \
         \"load_average_1m_at_end\": {load_avg},\n  \
         \"openssl_speed_ecdsap256_verify_per_second_single_core\": {verify_per_second:.1},\n  \
         \"openssl_samples_before_between_after\": [{}],\n  \
         \"goal_ratio\": 0.30,\n  \"encryption_at_rest\": {at_rest},\n  \
         \"runs\": {{\n{}\n  }}\n}}\n",
        verify_samples
            .iter()
            .map(|v| format!("{v:.1}"))
            .collect::<Vec<_>>()
            .join(", "),
        rows.join(",\n")
    );
    let path = out_dir.join("receiver.json");
    std::fs::write(&path, &json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("bench-results/receiver.json:\n{json}");
    evidence(root, out_dir)
}

/// The evidence PDF (issue 18): its size and the time to make one, p50 / p99 over 200
/// renders of the checked-in vector (`examples/bench_evidence.rs`), in
/// `bench-results/evidence.json`.
fn evidence(root: &Path, out_dir: &Path) -> Result {
    let text = run_example(root, "bench_evidence", "--n 200 --warmup 10")?;
    let field = |name: &str| printed(&text, "bench_evidence", name);
    let json = format!(
        "{{\n  \"what\": \"the evidence PDF of the checked-in vector (seed consent, both \
         languages, drawn signature) with a signed receipt: PDF/A-3u, subset CJK font \
         (fonts-wqy-zenhei), consent.json and receipt.json attached; 200 renders one at a time \
         after 10 warm-up ones, --profile receiver\",\n  \
         \"pdf_bytes\": {},\n  \"pages\": {},\n  \"renders\": {},\n  \
         \"render_p50_ms\": {:.2},\n  \"render_p99_ms\": {:.2},\n  \
         \"render_max_ms\": {:.2}\n}}\n",
        field("evidence_pdf_bytes")?,
        field("evidence_pdf_pages")?,
        field("renders")?,
        field("render_p50_us")? as f64 / 1000.0,
        field("render_p99_us")? as f64 / 1000.0,
        field("render_max_us")? as f64 / 1000.0,
    );
    let path = out_dir.join("evidence.json");
    std::fs::write(&path, &json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("bench-results/evidence.json:\n{json}");
    Ok(())
}

struct Load {
    /// The request path's figures, measured on the same receiver right after.
    requests: RequestLoad,
    /// Consents/s of every round, in order.
    rounds: Vec<f64>,
    consents: u64,
    failures: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Starts the receiver on a fresh data directory (and `database_url`, if given), loads it,
/// stops it. `unsealed`: the baseline build to run instead, loaded with consents only.
fn measure(root: &Path, database_url: Option<&str>, unsealed: Option<&Path>) -> Result<Load> {
    let data = std::env::temp_dir().join(format!(
        "qianyue-bench-{}-{}",
        std::process::id(),
        match (database_url, unsealed) {
            (Some(_), _) => "pg",
            (None, Some(_)) => "sqlite-unsealed",
            (None, None) => "sqlite",
        }
    ));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(data.join("no-app")).map_err(|e| e.to_string())?;
    // The request path's SMS gateway is played by bench_requests on this port.
    let gateway_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port for the SMS gateway: {e}"))?
        .port();
    let mut receiver = match unsealed {
        Some(binary) => {
            let mut c = Command::new(binary);
            c.current_dir(root);
            c
        }
        None => crate::receiver_command(root, "receiver")?,
    };
    receiver
        // The consents without a request need the open mode; a request's are checked as in
        // the closed one.
        .env("QIANYUE_OPEN_SIGNING", "1")
        .env("QIANYUE_API_KEYS", format!("bench={BENCH_KEY}"))
        .env("QIANYUE_SMS", "http")
        .env(
            "QIANYUE_SMS_URL",
            format!("http://127.0.0.1:{gateway_port}/sms"),
        )
        .env("QIANYUE_ADDR", "127.0.0.1:0")
        .env("QIANYUE_DATA_DIR", &data)
        .env("QIANYUE_DIST", data.join("no-app"))
        // The load signs the seed's consent, dated 2023-04-10 as its authorisation requires:
        // the offline allowance is opened to the largest value so that none is refused as old.
        .env("QIANYUE_OFFLINE_ALLOWANCE_DAYS", "36500")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped());
    if let Some(url) = database_url {
        receiver.env("DATABASE_URL", url);
    }
    let mut child = receiver
        .spawn()
        .map_err(|e| format!("cannot start the receiver: {e}"))?;
    let result = listening_addr(&mut child).and_then(|addr| {
        let mut consents = load(root, &addr)?;
        if unsealed.is_none() {
            consents.requests = load_requests(root, &addr, gateway_port)?;
        }
        Ok(consents)
    });
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
    result
}

fn listening_addr(child: &mut Child) -> Result<String> {
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    // Keep reading what it prints, so that its writes never meet a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    line.trim()
        .strip_prefix("listening on http://")
        .map(|a| a.trim_end_matches('/').to_owned())
        .ok_or_else(|| format!("the receiver did not start: {line:?}"))
}

fn load(root: &Path, addr: &str) -> Result<Load> {
    let text = run_example(
        root,
        "bench_load",
        &format!("--addr {addr} --n {CONSENTS} --connections {CONNECTIONS}"),
    )?;
    let field = |name: &str| printed(&text, "bench_load", name);
    let rounds = text
        .split("\"rounds_per_second_milli\":[")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse::<u64>().ok())
                .map(|n| n as f64 / 1000.0)
                .collect()
        })
        .unwrap_or_default();
    Ok(Load {
        requests: RequestLoad::default(),
        rounds,
        consents: field("consents")?,
        failures: field("failures")?,
        per_second: field("consents_per_second_milli")? as f64 / 1000.0,
        p50_ms: field("p50_us")? as f64 / 1000.0,
        p99_ms: field("p99_us")? as f64 / 1000.0,
    })
}

/// The request path's figures (bench_requests prints integers: µs, milli-journeys/s).
#[derive(Default)]
struct RequestLoad {
    journeys: u64,
    failures: u64,
    per_second: f64,
    /// (step, p50 ms, p99 ms) for open, send_code, check_code, consent.
    steps: Vec<(&'static str, f64, f64)>,
}

impl RequestLoad {
    /// Its JSON, with the ratio to the open path's `consents_per_second` of the same run.
    fn json(&self, open_path_per_second: f64) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|(name, p50, p99)| {
                format!("\"{name}_p50_ms\": {p50:.2}, \"{name}_p99_ms\": {p99:.2}")
            })
            .collect();
        format!(
            "{{\"journeys\": {}, \"failures\": {}, \"journeys_per_second\": {:.0}, \
             \"ratio_to_consents_without_request\": {:.3}, {}}}",
            self.journeys,
            self.failures,
            self.per_second,
            self.per_second / open_path_per_second.max(1.0),
            steps.join(", ")
        )
    }
}

/// Runs bench_requests against the receiver at `addr`, its gateway on `gateway_port`.
fn load_requests(root: &Path, addr: &str, gateway_port: u16) -> Result<RequestLoad> {
    let text = run_example(
        root,
        "bench_requests",
        &format!(
            "--addr {addr} --gateway-port {gateway_port} --key {BENCH_KEY} --n {JOURNEYS} \
             --connections {JOURNEY_CONNECTIONS}"
        ),
    )?;
    let field = |name: &str| printed(&text, "bench_requests", name);
    let mut steps = Vec::new();
    for step in ["open", "send_code", "check_code", "consent"] {
        steps.push((
            step,
            field(&format!("{step}_p50_us"))? as f64 / 1000.0,
            field(&format!("{step}_p99_us"))? as f64 / 1000.0,
        ));
    }
    Ok(RequestLoad {
        journeys: field("journeys")?,
        failures: field("failures")?,
        per_second: field("journeys_per_second_milli")? as f64 / 1000.0,
        steps,
    })
}

/// Runs the receiver's example load generator `example` with `args`: what it printed.
fn run_example(root: &Path, example: &str, args: &str) -> Result<String> {
    let out = line(&format!(
        "cargo run --quiet --profile receiver --package qianyue-receiver --example {example} \
         -- {args}"
    ))
    .current_dir(root)
    .output()
    .map_err(|e| format!("cannot run {example}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{example} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The integer member `name` of the JSON line a load generator printed.
fn printed(text: &str, example: &str, name: &str) -> Result<u64> {
    let key = format!("\"{name}\":");
    text.split(&key)
        .nth(1)
        .and_then(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .find(|s| !s.is_empty())
        })
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("{example} printed no {name}: {text}"))
}

/// `openssl speed -seconds 3 ecdsap256`: the verify/s column (one core).
fn openssl_verify_per_second() -> Result<f64> {
    let out = Command::new("openssl")
        .args(["speed", "-seconds", "3", "ecdsap256"])
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.contains("nistp256"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no nistp256 line in openssl speed's output: {text}"))
}
