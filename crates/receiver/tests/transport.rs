//! The receiver's transport and access over real loopback TCP (docs/receiver.md "Transport and
//! access"; security review M2, M3, L1, H1's file modes): the header timeout and the idle
//! keep-alive timeout, graceful shutdown within its deadline with every acknowledged consent
//! kept, the rate limit (429) and load shedding (503), the back-office token (any-case scheme,
//! throttled failures, the audit log), the data files' modes, and PostgreSQL over TLS.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// Asserts a refusal's JSON shape (code, zh and en messages, fields) and returns it.
#[track_caller]
fn assert_refused(resp: &HttpResponse, status: u16, code: &str) -> Value {
    assert_eq!(resp.status, status, "{}", resp.text());
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let v = resp.json();
    assert_eq!(v["code"], code, "{v}");
    assert!(v["message_zh"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(v["message_en"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(v["fields"].is_array(), "{v}");
    v
}

/// The `Retry-After` seconds of a response.
#[track_caller]
fn retry_after(resp: &HttpResponse) -> u64 {
    resp.header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After: {:?}", resp.headers))
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Reads until the server closes the connection (or the read timeout); what came and when.
fn read_to_close(stream: &mut TcpStream) -> (Vec<u8>, Result<(), std::io::Error>) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (data, Ok(())),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return (data, Ok(())),
            Err(e) => return (data, Err(e)),
        }
    }
}

fn healthz_ok(r: &Receiver) -> bool {
    http(r.addr, "GET", "/healthz", &[], b"").is_ok_and(|h| h.status == 200)
}

#[test]
fn a_half_sent_head_and_an_idle_connection_are_cut_while_healthz_answers() {
    let r =
        Receiver::start(Options::new(Backend::Sqlite).with("QIANYUE_HEADER_TIMEOUT_MS", "1000"));
    let started = Instant::now();
    // Half a request head, never finished.
    let mut half = connect(r.addr);
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    // A connection that never sends anything.
    let mut silent = connect(r.addr);
    // A keep-alive connection, idle after one answer.
    let mut idle = connect(r.addr);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let idle_since = Instant::now();

    // Meanwhile the receiver answers others.
    for _ in 0..5 {
        assert!(healthz_ok(&r));
    }

    let (got, end) = read_to_close(&mut half);
    let half_after = started.elapsed();
    assert!(end.is_ok(), "the half-sent head was not cut: {end:?}");
    assert!(
        got.is_empty() || got.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    assert!(
        half_after >= Duration::from_millis(900) && half_after < Duration::from_secs(5),
        "cut after {half_after:?}, the timeout being 1 s"
    );
    let (_, end) = read_to_close(&mut silent);
    assert!(end.is_ok(), "the silent connection was not cut: {end:?}");
    let (_, end) = read_to_close(&mut idle);
    let idle_after = idle_since.elapsed();
    assert!(
        end.is_ok(),
        "the idle keep-alive connection was not cut: {end:?}"
    );
    assert!(idle_after < Duration::from_secs(5), "{idle_after:?}");
    assert!(healthz_ok(&r));
    r.assert_no_panic();
}

#[test]
fn beyond_the_connection_cap_a_client_waits_for_a_free_slot() {
    let r = Receiver::start(
        Options::new(Backend::Sqlite)
            .with("QIANYUE_MAX_CONNECTIONS", "2")
            .with("QIANYUE_HEADER_TIMEOUT_MS", "1000"),
    );
    // Two connections that send nothing take both slots until the header timeout cuts them.
    let silent: Vec<TcpStream> = (0..2).map(|_| connect(r.addr)).collect();
    let asked = Instant::now();
    let answer = http(r.addr, "GET", "/healthz", &[], b"").unwrap();
    let waited = asked.elapsed();
    assert_eq!(answer.status, 200);
    assert!(
        waited >= Duration::from_millis(800) && waited < Duration::from_secs(5),
        "answered after {waited:?}: the third connection was not held back"
    );
    drop(silent);
    // Slots come back: many connections one after another are all served.
    for _ in 0..10 {
        assert!(healthz_ok(&r));
    }
}

#[test]
fn shutdown_with_a_stuck_client_ends_within_its_deadline_keeping_what_was_acknowledged() {
    for backend in backends() {
        let mut r =
            Receiver::start(Options::new(backend).with("QIANYUE_SHUTDOWN_DEADLINE_MS", "1500"));
        let mut acknowledged = Vec::new();
        for _ in 0..5 {
            let id = uuid();
            let resp = r.post_json(&signed(&id, |_| {}));
            assert_eq!(resp.status, 201, "{backend:?}: {}", resp.text());
            acknowledged.push(id);
        }
        // Stuck: half a head (the header timeout is 10 s), and a consent whose body stops
        // half-way (the body timeout is 30 s).
        let mut half_head = connect(r.addr);
        half_head
            .write_all(b"POST /api/consents HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        let stuck_id = uuid();
        let stuck_body = signed(&stuck_id, |_| {});
        let mut half_body = connect(r.addr);
        half_body
            .write_all(
                format!(
                    "POST /api/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\n\r\n",
                    stuck_body.len()
                )
                .as_bytes(),
            )
            .unwrap();
        half_body
            .write_all(&stuck_body[..stuck_body.len() / 2])
            .unwrap();
        // Both connections are accepted before a later one is answered; the consent's handler
        // then waits for its body. Nothing outside shows that it has started reading, so give
        // it a moment.
        assert!(healthz_ok(&r));
        std::thread::sleep(Duration::from_millis(200));

        let asked = Instant::now();
        let status = r.interrupt();
        let took = asked.elapsed();
        assert!(status.success(), "{backend:?}: {status:?}\n{}", r.stderr());
        assert!(
            took >= Duration::from_millis(1400) && took < Duration::from_secs(6),
            "{backend:?}: stopped after {took:?}, the deadline being 1.5 s"
        );
        assert!(r.stderr().contains("shutdown deadline"), "{}", r.stderr());
        // The stuck consent was never acknowledged.
        let (got, _) = read_to_close(&mut half_body);
        assert!(
            !String::from_utf8_lossy(&got).contains(" 201 "),
            "{}",
            String::from_utf8_lossy(&got)
        );
        let stored = r.stored_ids();
        for id in &acknowledged {
            assert!(
                stored.contains(id),
                "{backend:?}: acknowledged {id} is missing"
            );
        }
        assert!(!stored.contains(&stuck_id));
    }
}

#[test]
fn the_public_post_is_rate_limited_per_client() {
    let r = Receiver::start(
        Options::new(Backend::Sqlite)
            .with("QIANYUE_CONSENTS_PER_MINUTE", "2")
            .with("QIANYUE_RATE_LIMIT_LOOPBACK", "1"),
    );
    assert_refused(&r.post_json(b"{}"), 400, "envelope.shape");
    assert_refused(&r.post_json(b"{}"), 400, "envelope.shape");
    let limited = r.post_json(&vector());
    let v = assert_refused(&limited, 429, "request.rate_limited");
    assert!(v["message_zh"].as_str().unwrap().contains("频繁"), "{v}");
    // 2 a minute: the next token is 30 s away.
    let wait = retry_after(&limited);
    assert!((29..=30).contains(&wait), "{wait}");
    assert!(r.stored_ids().is_empty());
    // Other endpoints are not limited.
    assert!(healthz_ok(&r));

    // By default loopback is exempt (the tests, the benchmark, the operator's own machine).
    let r = Receiver::start(Options::new(Backend::Sqlite).with("QIANYUE_CONSENTS_PER_MINUTE", "2"));
    for _ in 0..5 {
        assert_refused(&r.post_json(b"{}"), 400, "envelope.shape");
    }
}

#[test]
fn consents_beyond_the_processing_cap_are_shed_with_503() {
    let r =
        Receiver::start(Options::new(Backend::Sqlite).with("QIANYUE_MAX_CONCURRENT_CONSENTS", "1"));
    // The database stalls: another connection holds SQLite's write lock, so the one consent
    // being stored waits (busy_timeout 10 s) while it holds the one processing slot.
    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let url = r.database_url.clone();
    let locker = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .unwrap();
            locked_tx.send(()).unwrap();
            let _ = release_rx.recv();
            sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        });
    });
    locked_rx.recv().unwrap();
    let addr = r.addr;
    let id = uuid();
    let body = signed(&id, |_| {});
    let send = move || {
        let body = body.clone();
        std::thread::spawn(move || {
            http(
                addr,
                "POST",
                "/api/consents",
                &[("Content-Type", "application/json")],
                &body,
            )
            .unwrap()
        })
    };
    let mut slow = send();
    // Until that consent holds the slot, a probe is verified (and refused 400); once it does,
    // the probe is shed. A probe holds the slot for a moment too: a consent that arrives just
    // then is itself shed, and is sent again, as the app's outbox would after Retry-After.
    let deadline = Instant::now() + Duration::from_secs(8);
    let shed = loop {
        let probe = r.post_json(b"{}");
        if probe.status == 503 {
            break probe;
        }
        assert_refused(&probe, 400, "envelope.shape");
        if slow.is_finished() {
            let answer = slow.join().unwrap();
            assert_eq!(
                (answer.status, answer.code().as_str()),
                (503, "server.busy"),
                "the stalled consent was answered before any probe was shed: {}\n{}",
                answer.text(),
                r.stderr()
            );
            slow = send();
        }
        assert!(
            Instant::now() < deadline,
            "no probe was shed; the receiver printed:\n{}",
            r.stderr()
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_refused(&shed, 503, "server.busy");
    assert_eq!(retry_after(&shed), 1);
    // Reading is not shed.
    assert!(healthz_ok(&r));
    release_tx.send(()).unwrap();
    locker.join().unwrap();
    let stored = slow.join().unwrap();
    assert_eq!(stored.status, 201, "{}", stored.text());
    assert_eq!(r.stored_ids(), vec![id]);
    r.assert_no_panic();
}

#[cfg(unix)]
#[test]
fn the_data_files_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let r = Receiver::start(Options::new(Backend::Sqlite));
    assert_eq!(r.post_json(&vector()).status, 201);
    let auth = format!("Bearer {TOKEN}");
    let id = uuid();
    assert_eq!(
        r.get(&format!("/api/consents/{id}"), &[("Authorization", &auth)])
            .status,
        404
    );
    let mode = |name: &str| {
        let path = r.data_dir.join(name);
        let meta = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        meta.permissions().mode() & 0o777
    };
    // temp_dir made it with the test's umask; the receiver narrowed it.
    assert_eq!(mode(""), 0o700, "the data directory");
    for name in [
        "c.sqlite3",
        "c.sqlite3-wal",
        "c.sqlite3-shm",
        "receiver-ed25519.key",
        "audit.log",
    ] {
        assert_eq!(mode(name), 0o600, "{name}");
    }
}

#[test]
fn the_back_office_token_any_case_scheme_throttled_failures_and_an_audit_log() {
    let r = Receiver::start(
        Options::new(Backend::Sqlite).with("QIANYUE_ADMIN_FAILURES_PER_MINUTE", "3"),
    );
    let vector = vector();
    assert_eq!(r.post_json(&vector).status, 201);
    let envelope: Value = serde_json::from_slice(&vector).unwrap();
    let id = envelope["payload"]["idempotency_id"].as_str().unwrap();
    let path = format!("/api/consents/{id}");
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let got = r.get(&path, &[("Authorization", &format!("{scheme} {TOKEN}"))]);
        assert_eq!(got.status, 200, "{scheme}: {}", got.text());
    }
    let unknown = uuid();
    let got = r.get(
        &format!("/api/consents/{unknown}"),
        &[("Authorization", &format!("Bearer {TOKEN}"))],
    );
    assert_refused(&got, 404, "not_found");

    // Three wrong tokens, then even the right one waits.
    for wrong in ["Bearer wrong-token-0123456789", "Basic abc", "Bearer"] {
        assert_refused(
            &r.get(&path, &[("Authorization", wrong)]),
            401,
            "auth.required",
        );
    }
    let throttled = r.get(&path, &[("Authorization", &format!("Bearer {TOKEN}"))]);
    assert_refused(&throttled, 429, "auth.throttled");
    assert!((1..=20).contains(&retry_after(&throttled)));

    // The audit log: one line per read, who (a fingerprint), when, which id; nothing personal
    // and not the token.
    let log = std::fs::read_to_string(r.data_dir.join("audit.log")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{log}");
    for line in &lines[..3] {
        assert_eq!(line["event"], "consent.read");
        assert_eq!(line["id"], id);
        assert_eq!(line["found"], true);
        assert!(line["who"].as_str().unwrap().starts_with("token:"));
        assert!(line["at"].as_str().unwrap().ends_with("+08:00"));
    }
    assert_eq!(lines[3]["id"], unknown.as_str());
    assert_eq!(lines[3]["found"], false);
    assert!(!log.contains(TOKEN));
    // No value of the form (names, ID numbers, addresses, phone numbers) is in it.
    let mut values = Vec::new();
    string_leaves(&envelope["payload"]["form"], &mut values);
    assert!(values.iter().any(|v| v.as_str() == "刘志强"), "{values:?}");
    for value in values.iter().filter(|v| v.chars().count() >= 4) {
        assert!(
            !log.contains(value.as_str()),
            "the audit log holds {value:?}"
        );
    }
}

fn string_leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| string_leaves(x, out)),
        Value::Object(o) => o.values().for_each(|x| string_leaves(x, out)),
        _ => {}
    }
}

#[test]
fn a_remote_database_without_tls_is_refused_at_startup() {
    let dir = temp_dir("no-tls");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qianyue-receiver"))
        .env_clear()
        .env("QIANYUE_DATA_DIR", &dir)
        .env("QIANYUE_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", "postgres://q:secret@192.0.2.10:5432/q")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("without TLS") && err.contains("sslmode=verify-full"),
        "{err}"
    );
    assert!(!err.contains("secret"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn postgres_is_reached_over_tls() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let r = Receiver::start(Options::new(Backend::Postgres));
    assert_eq!(r.post_json(&vector()).status, 201);
    let url = r.database_url.clone();
    let (ours, others_plain, others_tls): (bool, i64, i64) = {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use sqlx::{Connection, Row};
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let ours: bool =
                sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap()
                    .get(0);
            // The receiver's own connections to this database.
            let row = sqlx::query(
                "SELECT count(*) FILTER (WHERE NOT s.ssl), count(*) FILTER (WHERE s.ssl) \
                 FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
                 WHERE a.datname = current_database() AND s.pid <> pg_backend_pid()",
            )
            .fetch_one(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
            (ours, row.get(0), row.get(1))
        })
    };
    assert!(ours, "the test's own connection is not TLS: {url}");
    assert_eq!(others_plain, 0, "the receiver has a plaintext connection");
    assert!(others_tls >= 1, "the receiver has no connection open");
}
