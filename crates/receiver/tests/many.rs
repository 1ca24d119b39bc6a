//! Many receivers, one truth (issue 18, item 5): two receiver processes on loopback sharing
//! one PostgreSQL database and one receipt keys file (`QIANYUE_RECEIPT_KEY_FILE`), and a client
//! that alternates between them, as behind any load balancer. A retry of a consent answers the
//! same receipt from the other receiver; every receipt verifies against either's `/api/keys`;
//! both list the same keys; after a rotation (both restarted) old receipts still verify by
//! their `kid`. PostgreSQL as the other tests find it (`QIANYUE_TEST_POSTGRES_URL`).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use qianyue_domain::payload::{verify_receipt, ReceiverKeys};
use qianyue_receiver::keys::{key_line, Role, KEYS_FILE_HEADER};

fn keys(r: &Receiver) -> ReceiverKeys {
    let resp = r.get("/api/keys", &[]);
    assert_eq!(resp.status, 200, "{}", resp.text());
    serde_json::from_slice(&resp.body).unwrap()
}

fn kids(k: &ReceiverKeys) -> Vec<String> {
    k.keys.iter().map(|k| k.kid.clone()).collect()
}

/// `(line, kid)` of a new key for `role`.
fn new_key(role: Role) -> (String, String) {
    let line = key_line(role, None).unwrap();
    let kid = line.split_whitespace().nth(1).unwrap().to_owned();
    (line, kid)
}

/// Writes the keys file, owner-only, in place of the last.
fn write_keys(path: &Path, lines: &[&str]) {
    use std::os::unix::fs::PermissionsExt;
    let text = format!("{KEYS_FILE_HEADER}\n{}\n", lines.join("\n"));
    let _ = std::fs::remove_file(path);
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Two receivers on one database (a fresh PostgreSQL database) and one keys file. They also
/// name one data key file (`QIANYUE_DATA_KEY_FILE`, beside the keys file), as receivers on one
/// database must once stored payloads are sealed with it (issue 18 item 3; ignored before).
fn pair(key_file: &Path) -> [Receiver; 2] {
    let file = key_file.display().to_string();
    let data_key = key_file.with_file_name("data-key").display().to_string();
    let a = Receiver::start(
        Options::new(Backend::Postgres)
            .with("QIANYUE_RECEIPT_KEY_FILE", &file)
            .with("QIANYUE_DATA_KEY_FILE", &data_key),
    );
    let mut b = Receiver::start(
        Options::new(Backend::Postgres)
            .with("QIANYUE_RECEIPT_KEY_FILE", &file)
            .with("QIANYUE_DATA_KEY_FILE", &data_key)
            .with("DATABASE_URL", &a.database_url),
    );
    b.database_url = a.database_url.clone();
    [a, b]
}

fn kid_of(receipt: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(receipt).unwrap();
    v["receipt"]["receiver_key"].as_str().unwrap().to_owned()
}

/// Asserts that both receivers list the same keys, and returns them.
#[track_caller]
fn same_keys(rs: &[Receiver; 2]) -> ReceiverKeys {
    let (a, b) = (keys(&rs[0]), keys(&rs[1]));
    assert_eq!(a, b, "the two receivers list different keys");
    a
}

fn postgres() -> bool {
    backends().contains(&Backend::Postgres)
}

#[test]
fn two_receivers_on_one_database_give_the_same_answers() {
    if !postgres() {
        return;
    }
    let dir = temp_dir("many");
    let key_file: PathBuf = dir.join("receipt-keys");
    let (first_line, first) = new_key(Role::Current);
    write_keys(&key_file, &[&first_line]);
    let mut rs = pair(&key_file);
    let listed = same_keys(&rs);
    assert_eq!(kids(&listed), [first.as_str()]);

    // A client alternating between them: sent to one, retried (same idempotency id) to the
    // other; the retry answers the very receipt, 200.
    let mut receipts: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for i in 0..6 {
        let (one, other) = (&rs[i % 2], &rs[(i + 1) % 2]);
        let id = uuid();
        let body = signed(&id, |_| {});
        let sent = one.post_json(&body);
        assert_eq!(sent.status, 201, "{}", sent.text());
        let retried = other.post_json(&body);
        assert_eq!(retried.status, 200, "{}", retried.text());
        assert_eq!(
            retried.body, sent.body,
            "the retry answered another receipt"
        );
        assert_eq!(kid_of(&sent.body), first);
        for r in &rs {
            verify_receipt(&sent.body, &keys(r).keys).expect("verifies from either");
        }
        // The back office reads the same record from either.
        let auth = format!("Bearer {TOKEN}");
        let path = format!("/api/consents/{id}");
        let from_a = rs[0].get(&path, &[("Authorization", &auth)]);
        let from_b = rs[1].get(&path, &[("Authorization", &auth)]);
        assert_eq!(from_a.status, 200, "{}", from_a.text());
        assert_eq!(from_a.body, from_b.body);
        receipts.push((body, sent.body));
    }

    // The same consent sent to both at once: one receipt, answered by both.
    for _ in 0..4 {
        let body = signed(&uuid(), |_| {});
        let answers: Vec<HttpResponse> = std::thread::scope(|s| {
            let handles: Vec<_> = rs
                .iter()
                .map(|r| {
                    let (addr, body) = (r.addr, body.clone());
                    s.spawn(move || {
                        http(
                            addr,
                            "POST",
                            "/api/consents",
                            &[("Content-Type", "application/json")],
                            &body,
                        )
                        .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "{}", answers[0].text());
        assert_eq!(answers[0].body, answers[1].body);
        receipts.push((body, answers[0].body.clone()));
    }
    assert_eq!(rs[0].stored_ids().len(), receipts.len());

    // Rotation, step 1: the new key is published by both as `next`; the current one still
    // signs.
    let (second_line, second) = new_key(Role::Next);
    write_keys(&key_file, &[&first_line, &second_line]);
    for r in &mut rs {
        r.kill();
        r.restart();
    }
    assert_eq!(kids(&same_keys(&rs)), [first.clone(), second.clone()]);
    let still_first = rs[1].post_json(&signed(&uuid(), |_| {}));
    assert_eq!(still_first.status, 201, "{}", still_first.text());
    assert_eq!(kid_of(&still_first.body), first);

    // Step 2: the new key is current, the old one previous.
    let second_current = second_line.replacen("next", "current", 1);
    let first_previous = first_line.replacen("current", "previous", 1);
    write_keys(&key_file, &[&first_previous, &second_current]);
    for r in &mut rs {
        r.kill();
        r.restart();
    }
    let listed = same_keys(&rs);
    assert_eq!(kids(&listed), [second.clone(), first.clone()]);
    // New receipts name the new key, and verify from either.
    for (i, r) in rs.iter().enumerate() {
        let id = uuid();
        let body = signed(&id, |_| {});
        let sent = r.post_json(&body);
        assert_eq!(sent.status, 201, "{}", sent.text());
        assert_eq!(kid_of(&sent.body), second);
        let retried = rs[(i + 1) % 2].post_json(&body);
        assert_eq!((retried.status, &retried.body), (200, &sent.body));
        verify_receipt(&sent.body, &listed.keys).unwrap();
    }
    // Old receipts still verify by their kid from either, and a retry of an old consent still
    // answers its old receipt.
    receipts.push((Vec::new(), still_first.body));
    for (i, (body, receipt)) in receipts.iter().enumerate() {
        assert_eq!(kid_of(receipt), first);
        for r in &rs {
            verify_receipt(receipt, &keys(r).keys).expect("an old receipt verifies");
        }
        if !body.is_empty() {
            let retried = rs[i % 2].post_json(body);
            assert_eq!((retried.status, &retried.body), (200, receipt));
        }
    }
    // Without the old key listed, an old receipt names an unknown key: the list is what
    // makes it verifiable.
    let current_only: Vec<_> = listed
        .keys
        .iter()
        .filter(|k| k.kid == second)
        .cloned()
        .collect();
    assert!(verify_receipt(&receipts[0].1, &current_only).is_err());
    for r in &rs {
        r.assert_no_panic();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A keys file that others may read, or that is not a keys file, stops the start with a
/// message naming the variable; nothing is served.
#[test]
fn a_keys_file_others_may_read_is_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("keyfile");
    let key_file = dir.join("receipt-keys");
    std::fs::create_dir_all(dir.join("no-dist")).unwrap();
    let (line, _) = new_key(Role::Current);
    write_keys(&key_file, &[&line]);
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_qianyue-receiver"))
            .env_clear()
            .env("QIANYUE_ADDR", "127.0.0.1:0")
            .env("QIANYUE_DATA_DIR", dir.join("data"))
            .env("QIANYUE_DIST", dir.join("no-dist"))
            .env("QIANYUE_RECEIPT_KEY_FILE", &key_file)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let out = start();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("QIANYUE_RECEIPT_KEY_FILE") && err.contains("mode is 644"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "it listened");
    std::fs::write(&key_file, "current\n").unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = start();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains(KEYS_FILE_HEADER), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
