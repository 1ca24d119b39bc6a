//! The signer's identity and the request's consent over loopback with the real binary
//! (issue 17 items 3 and 4; docs/requests.md "The code step" and "Signing"): the one-time code
//! by SMS (the dev gateway at `/dev/sms`, and an HTTP gateway played by a fake one on
//! loopback), its rules, and `qianyue-consent/2` consents accepted only for their verified
//! request, exactly once, also with two receivers racing on one PostgreSQL.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{backends, http, now_unix, test_key, uuid};
use common::{Backend, HttpResponse, Options, Receiver, API_KEY};
use qianyue_domain::identity::Identity;
use qianyue_domain::payload::SignedAt;
use qianyue_domain::testing;
use serde_json::{json, Value};

const MOBILE: &str = "13800138000";

fn expires_in(seconds: i64) -> String {
    SignedAt::from_unix_seconds(now_unix() + seconds)
        .unwrap()
        .to_string()
}

/// A request for the seed's form (as the app fills it today), its order and customer locked.
fn request_body() -> Value {
    let today = SignedAt::from_unix_seconds(now_unix()).unwrap();
    json!({
        "form": serde_json::to_value(testing::seed_form_signed_at(today)).unwrap(),
        "readonly": ["contract_no", "customer", "orders"],
        "signer": {"name": "张晓梅", "mobile": MOBILE},
        "expires_at": expires_in(7 * 86_400),
        "locale": "zh-CN",
    })
}

fn post(r: &Receiver, path: &str, body: &Value) -> HttpResponse {
    http(
        r.addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
    .expect("POST")
}

/// A new request: its id and token.
fn create(r: &Receiver) -> (String, String) {
    let auth = format!("Bearer {API_KEY}");
    let resp = http(
        r.addr,
        "POST",
        "/api/requests",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        request_body().to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(resp.status, 201, "{}", resp.text());
    let j = resp.json();
    (
        j["id"].as_str().unwrap().to_owned(),
        j["token"].as_str().unwrap().to_owned(),
    )
}

fn back_office(r: &Receiver, id: &str) -> Value {
    let auth = format!("Bearer {API_KEY}");
    let resp = r.get(&format!("/api/requests/{id}"), &[("Authorization", &auth)]);
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp.json()
}

fn ask_code(r: &Receiver, token: &str) -> HttpResponse {
    post(r, &format!("/api/signing/{token}/code"), &json!({}))
}

fn verify(r: &Receiver, token: &str, code: &str) -> HttpResponse {
    post(
        r,
        &format!("/api/signing/{token}/verify"),
        &json!({"code": code}),
    )
}

/// The code in the newest text of the dev gateway.
fn newest_code(r: &Receiver) -> String {
    let texts = r.get("/dev/sms", &[]).json();
    let last = texts.as_array().unwrap().last().expect("a text was sent");
    assert_eq!(last["to"], MOBILE);
    code_in(last["text"].as_str().unwrap())
}

fn code_in(text: &str) -> String {
    let after = text
        .split("验证码 ")
        .nth(1)
        .expect("the text names the code");
    after.chars().take(6).collect()
}

/// Asks for a code and types it back: the verification answered.
fn verified(r: &Receiver, token: &str) -> Identity {
    let sent = ask_code(r, token);
    assert_eq!(sent.status, 200, "{}", sent.text());
    let v = verify(r, token, &newest_code(r));
    assert_eq!(v.status, 200, "{}", v.text());
    serde_json::from_value(v.json()["verification"].clone()).unwrap()
}

/// A signed `qianyue-consent/2` envelope for the request, with this id, edited first.
fn consent(
    request_id: &str,
    identity: &Identity,
    id: &str,
    edit: impl FnOnce(&mut Value),
) -> Vec<u8> {
    let now = SignedAt::from_unix_seconds(now_unix()).unwrap();
    let p = testing::payload_for_request(
        testing::seed_form_signed_at(now),
        now,
        id,
        request_id,
        identity.clone(),
        &test_key(),
    );
    let mut v = serde_json::to_value(p).unwrap();
    edit(&mut v);
    testing::sign_value(&v, &test_key()).into_bytes()
}

fn start_with(backend: Backend, env: &[(&str, &str)]) -> Receiver {
    let mut opts = Options::new(backend).with("QIANYUE_SMS", "dev");
    for (k, v) in env {
        opts = opts.with(k, v);
    }
    Receiver::start(opts)
}

fn start(backend: Backend) -> Receiver {
    start_with(backend, &[])
}

/// Runs SQL on the receiver's database (to move the clock of stored facts).
fn sql(r: &Receiver, statement: &str, id: &str) -> u64 {
    common::sql_execute(&r.database_url, statement, &[id])
}

/// Counts rows of a query with one `$1` parameter.
fn count(r: &Receiver, query: &str, id: &str) -> i64 {
    common::sql_value(&r.database_url, query, id)
}

/// Makes the request's codes a minute older (the resend wait over).
fn age_codes(r: &Receiver, request_id: &str) {
    sql(
        r,
        "UPDATE request_codes SET sent_unix = sent_unix - 61, expires_unix = expires_unix - 61 \
         WHERE request_id = $1",
        request_id,
    );
}

// ------------------------------------------------------------------------------------------

/// Issue 17 "Show it with": the back office creates a request, the signer reads the code from
/// `/dev/sms`, verifies, signs; the request is `signed` with its consent and the events opened,
/// verified, signed; the link then shows the receipt; the token cannot sign again.
#[test]
fn the_whole_path_from_request_to_signed() {
    for backend in backends() {
        let r = start(backend);
        assert_eq!(
            r.get("/api/signing", &[]).json(),
            json!({"open_signing": true})
        );
        let (id, token) = create(&r);
        let page = r.get(&format!("/api/signing/{token}"), &[]).json();
        assert_eq!(page["status"], "open");
        assert_eq!(page["request_id"], id.as_str());
        assert_eq!(page["verification"], Value::Null);
        assert_eq!(page["signer"]["mobile"], "138****8000");

        let sent = ask_code(&r, &token);
        assert_eq!(sent.status, 200, "{backend:?}: {}", sent.text());
        assert_eq!(
            sent.json(),
            json!({"status": "open", "sent_to": "138****8000", "expires_in": 300, "resend_after": 60})
        );
        let texts = r.get("/dev/sms", &[]).json();
        let text = texts[0]["text"].as_str().unwrap();
        let code = code_in(text);
        assert_eq!(
            text,
            format!("【签约】验证码 {code}，5 分钟内有效。您正在签署中国移动广东公司业务协议，请勿告诉他人。")
        );
        let v = verify(&r, &token, &code);
        assert_eq!(v.status, 200, "{}", v.text());
        let j = v.json();
        assert_eq!(j["status"], "verified");
        assert_eq!(j["verification"]["method"], "sms");
        assert_eq!(j["verification"]["mobile"], "138****8000");
        let identity: Identity = serde_json::from_value(j["verification"].clone()).unwrap();
        // A reload after verifying: the page has it, a new code is not sent.
        let page = r.get(&format!("/api/signing/{token}"), &[]).json();
        assert_eq!(page["status"], "verified");
        assert_eq!(page["verification"], j["verification"]);
        let again = ask_code(&r, &token);
        assert_eq!(again.status, 200);
        assert_eq!(again.json()["status"], "verified");
        assert_eq!(r.get("/dev/sms", &[]).json().as_array().unwrap().len(), 1);

        let cid = uuid();
        let body = consent(&id, &identity, &cid, |_| {});
        let stored = r.post_json(&body);
        assert_eq!(stored.status, 201, "{backend:?}: {}", stored.text());
        let office = back_office(&r, &id);
        assert_eq!(office["status"], "signed");
        assert_eq!(office["consent_id"], cid.as_str());
        let kinds: Vec<&str> = office["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["request.opened", "request.verified", "request.signed"]
        );
        assert_eq!(
            count(
                &r,
                "SELECT COUNT(*) FROM consents WHERE request_id = $1",
                &id
            ),
            1
        );
        // The link now shows the receipt and what was signed.
        let page = r.get(&format!("/api/signing/{token}"), &[]);
        assert_eq!(page.status, 200);
        let page = page.json();
        assert_eq!(page["status"], "signed");
        assert_eq!(page["consent_id"], cid.as_str());
        assert_eq!(page["receipt"], stored.json());
        assert_eq!(page["payload"]["request"]["id"], id.as_str());
        // A replay answers the first receipt; another consent on the used token is refused.
        let replay = r.post_json(&body);
        assert_eq!(replay.status, 200);
        assert_eq!(replay.body, stored.body);
        let second = r.post_json(&consent(&id, &identity, &uuid(), |_| {}));
        assert_eq!(second.status, 409, "{}", second.text());
        assert_eq!(second.code(), "request.signed");
        assert_eq!(ask_code(&r, &token).code(), "request.signed");
        assert_eq!(verify(&r, &token, "123456").code(), "request.signed");
        r.assert_no_panic();
    }
}

/// Expired, revoked and unknown tokens are refused by the code step as by the page.
#[test]
fn expired_revoked_and_unknown_tokens() {
    let r = start(Backend::Sqlite);
    let (expired, expired_token) = create(&r);
    sql(
        &r,
        "UPDATE requests SET expires_unix = 1000 WHERE id = $1",
        &expired,
    );
    for resp in [
        ask_code(&r, &expired_token),
        verify(&r, &expired_token, "123456"),
    ] {
        assert_eq!(resp.status, 410, "{}", resp.text());
        assert_eq!(resp.code(), "request.expired");
    }
    let (revoked, revoked_token) = create(&r);
    let auth = format!("Bearer {API_KEY}");
    let d = http(
        r.addr,
        "DELETE",
        &format!("/api/requests/{revoked}"),
        &[("Authorization", &auth)],
        b"",
    )
    .unwrap();
    assert_eq!(d.status, 200);
    for resp in [
        ask_code(&r, &revoked_token),
        verify(&r, &revoked_token, "123456"),
    ] {
        assert_eq!(resp.status, 410, "{}", resp.text());
        assert_eq!(resp.code(), "request.revoked");
    }
    let unknown = "A".repeat(43);
    for resp in [
        ask_code(&r, &unknown),
        verify(&r, &unknown, "123456"),
        ask_code(&r, "short"),
    ] {
        assert_eq!(resp.status, 404, "{}", resp.text());
        assert_eq!(resp.code(), "request.unknown");
    }
    assert!(r.get("/dev/sms", &[]).json().as_array().unwrap().is_empty());
}

/// "at most 5 tries per code": four wrong codes say how many tries are left, the fifth locks
/// the code, and then even the right one is refused until a new code is sent.
#[test]
fn five_wrong_codes_lock_the_code() {
    for backend in backends() {
        let r = start(backend);
        let (id, token) = create(&r);
        assert_eq!(verify(&r, &token, "123456").code(), "code.none");
        assert_eq!(ask_code(&r, &token).status, 200);
        let right = newest_code(&r);
        let wrong = if right == "000000" {
            "000001"
        } else {
            "000000"
        };
        let malformed = verify(&r, &token, "12345");
        assert_eq!(malformed.status, 422);
        assert_eq!(malformed.code(), "code.format");
        assert_eq!(malformed.field_paths(), ["identity.code"]);
        for left in (1..=4).rev() {
            let resp = verify(&r, &token, wrong);
            assert_eq!(resp.status, 422, "{}", resp.text());
            assert_eq!(resp.code(), "code.wrong");
            assert_eq!(resp.field_paths(), ["identity.code"]);
            let en = resp.json()["message_en"].as_str().unwrap().to_owned();
            assert!(en.contains(&format!("{left} tr")), "{en}");
        }
        let fifth = verify(&r, &token, wrong);
        assert_eq!(fifth.status, 429, "{}", fifth.text());
        assert_eq!(fifth.code(), "code.locked");
        let after = verify(&r, &token, &right);
        assert_eq!(after.code(), "code.locked", "a locked code stays locked");
        assert_eq!(
            count(
                &r,
                "SELECT MAX(tries) FROM request_codes WHERE request_id = $1",
                &id
            ),
            5
        );
        // A new code (after the resend wait) works.
        age_codes(&r, &id);
        assert_eq!(ask_code(&r, &token).status, 200);
        let v = verify(&r, &token, &newest_code(&r));
        assert_eq!(v.status, 200, "{}", v.text());
        assert_eq!(back_office(&r, &id)["status"], "verified");
    }
}

/// A code is bound to its request: one request's code typed for another is wrong there.
#[test]
fn a_code_replayed_for_another_request_is_refused() {
    let r = start(Backend::Sqlite);
    let (a_id, a) = create(&r);
    let (b_id, b) = create(&r);
    assert_eq!(ask_code(&r, &a).status, 200);
    let code_a = newest_code(&r);
    assert_eq!(ask_code(&r, &b).status, 200);
    let code_b = newest_code(&r);
    if code_a == code_b {
        return; // one chance in a million: nothing to tell apart
    }
    let resp = verify(&r, &b, &code_a);
    assert_eq!(resp.status, 422);
    assert_eq!(resp.code(), "code.wrong");
    assert_eq!(back_office(&r, &b_id)["status"], "open");
    // The code hashes are not the codes, and differ by request even for one code.
    assert_eq!(
        count(
            &r,
            "SELECT COUNT(*) FROM request_codes WHERE code_sha256 = $1",
            &code_a
        ),
        0
    );
    assert_eq!(verify(&r, &a, &code_a).status, 200);
    assert_eq!(back_office(&r, &a_id)["status"], "verified");
}

/// "resend after 60 s" and "at most 5 codes per request per hour".
#[test]
fn resend_wait_and_hourly_limit() {
    let r = start(Backend::Sqlite);
    let (id, token) = create(&r);
    assert_eq!(ask_code(&r, &token).status, 200);
    let wait = ask_code(&r, &token);
    assert_eq!(wait.status, 429, "{}", wait.text());
    assert_eq!(wait.code(), "code.resend_wait");
    let after: u64 = wait.header("retry-after").unwrap().parse().unwrap();
    assert!((58..=60).contains(&after), "{after}");
    for _ in 0..4 {
        age_codes(&r, &id);
        assert_eq!(ask_code(&r, &token).status, 200);
    }
    age_codes(&r, &id);
    let sixth = ask_code(&r, &token);
    assert_eq!(sixth.status, 429, "{}", sixth.text());
    assert_eq!(sixth.code(), "code.hourly_limit");
    assert_eq!(r.get("/dev/sms", &[]).json().as_array().unwrap().len(), 5);
    // Only the newest code counts.
    let texts = r.get("/dev/sms", &[]).json();
    let first = code_in(texts[0]["text"].as_str().unwrap());
    let newest = newest_code(&r);
    if first != newest {
        assert_eq!(verify(&r, &token, &first).code(), "code.wrong");
    }
}

/// Per-client limits on the code endpoints (loopback limited here on purpose).
#[test]
fn code_checks_and_sends_are_rate_limited_per_client() {
    let r = start_with(
        Backend::Sqlite,
        &[
            ("QIANYUE_RATE_LIMIT_LOOPBACK", "1"),
            ("QIANYUE_CODE_CHECKS_PER_MINUTE", "3"),
            ("QIANYUE_CODE_SENDS_PER_MINUTE", "2"),
        ],
    );
    let (_, token) = create(&r);
    for _ in 0..3 {
        assert_ne!(verify(&r, &token, "123456").status, 429);
    }
    let limited = verify(&r, &token, "123456");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.code(), "request.rate_limited");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(ask_code(&r, &token).status, 200);
    assert_eq!(ask_code(&r, &token).code(), "code.resend_wait");
    assert_eq!(ask_code(&r, &token).code(), "request.rate_limited");
}

/// Without open signing a consent without a request is refused; with a request, accepted.
#[test]
fn a_consent_without_a_request_is_refused() {
    let r = start_with(Backend::Sqlite, &[("QIANYUE_OPEN_SIGNING", "0")]);
    assert_eq!(
        r.get("/api/signing", &[]).json(),
        json!({"open_signing": false})
    );
    let open = common::sign_value(&common::payload_value_signed_at(&uuid(), now_unix()));
    let resp = r.post_json(&open);
    assert_eq!(resp.status, 403);
    assert_eq!(resp.code(), "request.required");
    let (id, token) = create(&r);
    let identity = verified(&r, &token);
    let resp = r.post_json(&consent(&id, &identity, &uuid(), |_| {}));
    assert_eq!(resp.status, 201, "{}", resp.text());
    assert_eq!(r.stored_ids().len(), 1);
}

/// The request's checks: unknown, not verified, identity mismatch, a changed read-only field.
#[test]
fn a_consent_must_keep_its_request() {
    for backend in backends() {
        let r = start(backend);
        let (id, token) = create(&r);
        let at = SignedAt::from_unix_seconds(now_unix()).unwrap();
        let claimed = Identity::sms("138****8000", at);
        // Before the code step.
        let early = r.post_json(&consent(&id, &claimed, &uuid(), |_| {}));
        assert_eq!(early.status, 409, "{}", early.text());
        assert_eq!(early.code(), "request.not_verified");
        // No such request.
        let unknown = r.post_json(&consent(&common::uuid(), &claimed, &uuid(), |_| {}));
        assert_eq!(unknown.status, 422);
        assert_eq!(unknown.code(), "request.unknown");
        assert_eq!(unknown.field_paths(), ["request.id"]);

        let identity = verified(&r, &token);
        // An identity that is not the receiver's record.
        for edit in [
            |i: &mut Identity| i.verified_at = "2026-01-01T00:00:00+08:00".into(),
            |i: &mut Identity| i.mobile = "139****8000".into(),
        ] {
            let mut other = identity.clone();
            edit(&mut other);
            let resp = r.post_json(&consent(&id, &other, &uuid(), |_| {}));
            assert_eq!(resp.status, 422, "{}", resp.text());
            assert_eq!(resp.code(), "identity.mismatch");
        }
        // A read-only field changed in a hand-edited payload: named.
        let resp = r.post_json(&consent(&id, &identity, &uuid(), |v| {
            v["form"]["customer"]["group_name"] = json!("别的公司有限公司");
        }));
        assert_eq!(resp.status, 422, "{backend:?}: {}", resp.text());
        assert_eq!(resp.code(), "request.readonly");
        assert_eq!(resp.field_paths(), ["customer.group_name"]);
        let j = resp.json();
        assert_eq!(j["fields"][0]["code"], "request.readonly_changed");
        // An editable one may change.
        assert!(r.stored_ids().is_empty());
        assert_eq!(back_office(&r, &id)["status"], "verified");
        let resp = r.post_json(&consent(&id, &identity, &uuid(), |v| {
            v["form"]["contact"]["email"] = json!("li.si@example.com");
        }));
        assert_eq!(resp.status, 201, "{backend:?}: {}", resp.text());
    }
}

/// A consent of a request past its expiry, or revoked after verifying, is refused.
#[test]
fn an_expired_or_revoked_verified_request_takes_no_consent() {
    let r = start(Backend::Sqlite);
    let (id, token) = create(&r);
    let identity = verified(&r, &token);
    sql(
        &r,
        "UPDATE requests SET expires_unix = 1000 WHERE id = $1",
        &id,
    );
    let resp = r.post_json(&consent(&id, &identity, &uuid(), |_| {}));
    assert_eq!(resp.status, 410, "{}", resp.text());
    assert_eq!(resp.code(), "request.expired");
    let (id, token) = create(&r);
    let identity = verified(&r, &token);
    let auth = format!("Bearer {API_KEY}");
    http(
        r.addr,
        "DELETE",
        &format!("/api/requests/{id}"),
        &[("Authorization", &auth)],
        b"",
    )
    .unwrap();
    let resp = r.post_json(&consent(&id, &identity, &uuid(), |_| {}));
    assert_eq!(resp.status, 410);
    assert_eq!(resp.code(), "request.revoked");
    assert!(r.stored_ids().is_empty());
}

/// Issue 17 item 4: "exactly once, also with two receivers on one PostgreSQL racing on the
/// same request". N consents with different idempotency ids at once, half to each receiver:
/// one 201, the others 409 `request.signed`, one stored row. (On SQLite: one receiver.)
#[test]
fn concurrent_consents_for_one_request_store_exactly_one() {
    for backend in backends() {
        let first = start(backend);
        let second = match backend {
            Backend::Postgres => Some(start_with(
                backend,
                &[
                    ("DATABASE_URL", first.database_url.as_str()),
                    ("QIANYUE_DATA_KEY_FILE", first.data_key_file().as_str()),
                ],
            )),
            Backend::Sqlite => None,
        };
        let receivers: Vec<&Receiver> = std::iter::once(&first).chain(second.as_ref()).collect();
        let (id, token) = create(&first);
        // Asked on one receiver, verified on the other: one shared state.
        assert_eq!(ask_code(&first, &token).status, 200);
        let code = newest_code(&first);
        let v = verify(receivers[receivers.len() - 1], &token, &code);
        assert_eq!(v.status, 200, "{}", v.text());
        let identity: Identity = serde_json::from_value(v.json()["verification"].clone()).unwrap();
        const N: usize = 12;
        let bodies: Vec<Vec<u8>> = (0..N)
            .map(|_| consent(&id, &identity, &uuid(), |_| {}))
            .collect();
        let addrs: Vec<SocketAddr> = receivers.iter().map(|r| r.addr).collect();
        let barrier = Arc::new(std::sync::Barrier::new(N));
        let answers: Vec<(u16, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = bodies
                .iter()
                .enumerate()
                .map(|(i, body)| {
                    let addr = addrs[i % addrs.len()];
                    let barrier = barrier.clone();
                    s.spawn(move || {
                        barrier.wait();
                        let resp = http(
                            addr,
                            "POST",
                            "/api/consents",
                            &[("Content-Type", "application/json")],
                            body,
                        )
                        .unwrap();
                        let code = if resp.status == 201 {
                            String::new()
                        } else {
                            resp.code()
                        };
                        (resp.status, code)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let created = answers.iter().filter(|(s, _)| *s == 201).count();
        assert_eq!(created, 1, "{backend:?}: {answers:?}");
        assert!(
            answers
                .iter()
                .all(|(s, c)| *s == 201 || (*s == 409 && c == "request.signed")),
            "{backend:?}: {answers:?}"
        );
        assert_eq!(first.stored_ids().len(), 1);
        let office = back_office(&first, &id);
        assert_eq!(office["status"], "signed");
        assert_eq!(office["consent_id"], first.stored_ids()[0].as_str());
        for r in &receivers {
            r.assert_no_panic();
        }
    }
}

// ------------------------------------------------------------------------------------------
// The HTTP gateway, against a fake one on loopback

/// What the fake gateway does with each request, in turn (the last one repeats).
#[derive(Clone, Copy)]
enum Reply {
    Status(u16),
    /// Reads the request and never answers.
    Silence,
}

/// Each request received: its head lines and its body.
type Seen = Arc<Mutex<Vec<(Vec<String>, Value)>>>;

struct FakeGateway {
    addr: SocketAddr,
    seen: Seen,
}

fn fake_gateway(replies: Vec<Reply>) -> FakeGateway {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let reply = replies[n.min(replies.len() - 1)];
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let line = line.trim_end().to_owned();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                head.push(line);
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            log.lock()
                .unwrap()
                .push((head, serde_json::from_slice(&body).unwrap_or(Value::Null)));
            match reply {
                Reply::Status(code) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
                    );
                }
                Reply::Silence => {
                    // Keep the connection open, unanswered, for a while.
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_secs(30));
                        drop(stream);
                    });
                }
            }
        }
    });
    FakeGateway { addr, seen }
}

fn with_gateway(gateway: &FakeGateway) -> Receiver {
    let url = format!("http://{}/sms/send?channel=qianyue", gateway.addr);
    Receiver::start(
        Options::new(Backend::Sqlite)
            .with("QIANYUE_SMS_URL", &url)
            .with("QIANYUE_SMS_USER", "qianyue")
            .with("QIANYUE_SMS_SECRET", "s3cret-Value")
            .with("QIANYUE_SMS_TIMEOUT_MS", "300"),
    )
}

/// The documented request: POST, JSON `{id, to, text}`, Basic credentials; a gateway that
/// fails twice (5xx) is tried again with the same id and the code is sent.
#[test]
fn the_http_gateway_is_retried_after_a_failure() {
    let gateway = fake_gateway(vec![
        Reply::Status(503),
        Reply::Status(500),
        Reply::Status(200),
    ]);
    let r = with_gateway(&gateway);
    let (_, token) = create(&r);
    let sent = ask_code(&r, &token);
    assert_eq!(sent.status, 200, "{}", sent.text());
    let seen = gateway.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    let (head, body) = &seen[0];
    assert_eq!(head[0], "POST /sms/send?channel=qianyue HTTP/1.1");
    let has = |h: &str| head.iter().any(|l| l.eq_ignore_ascii_case(h));
    // base64("qianyue:s3cret-Value")
    assert!(
        has("authorization: Basic cWlhbnl1ZTpzM2NyZXQtVmFsdWU="),
        "{head:?}"
    );
    assert!(has("content-type: application/json"), "{head:?}");
    assert_eq!(body["to"], MOBILE);
    let code = code_in(body["text"].as_str().unwrap());
    assert!(seen
        .iter()
        .all(|(_, b)| b["id"] == body["id"] && b["text"] == body["text"]));
    assert_eq!(verify(&r, &token, &code).status, 200);
    // Only in dev mode is there a /dev/sms.
    assert_eq!(r.get("/dev/sms", &[]).status, 404);
}

/// A gateway that never answers: each attempt times out, the signer is told 503
/// `sms.unavailable` (to retry), and nothing is recorded as sent (no code to check, no resend
/// wait). A 4xx is not retried.
#[test]
fn a_silent_gateway_is_503_and_records_nothing() {
    let gateway = fake_gateway(vec![Reply::Silence]);
    let r = with_gateway(&gateway);
    let (id, token) = create(&r);
    let started = std::time::Instant::now();
    let resp = ask_code(&r, &token);
    assert_eq!(resp.status, 503, "{}", resp.text());
    assert_eq!(resp.code(), "sms.unavailable");
    assert!(resp.header("retry-after").is_some());
    assert_eq!(
        gateway.seen.lock().unwrap().len(),
        3,
        "the first try and 2 retries"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        count(
            &r,
            "SELECT COUNT(*) FROM request_codes WHERE request_id = $1",
            &id
        ),
        0
    );
    assert_eq!(verify(&r, &token, "123456").code(), "code.none");
    // Asked again at once: no resend wait, since nothing was sent.
    assert_eq!(ask_code(&r, &token).code(), "sms.unavailable");

    let refusing = fake_gateway(vec![Reply::Status(400), Reply::Status(200)]);
    let r = with_gateway(&refusing);
    let (_, token) = create(&r);
    assert_eq!(ask_code(&r, &token).code(), "sms.unavailable");
    assert_eq!(
        refusing.seen.lock().unwrap().len(),
        1,
        "a 4xx is not retried"
    );
}

/// Without any gateway configured, a code request is 503 `sms.unavailable`.
#[test]
fn no_gateway_is_503() {
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let (_, token) = create(&r);
    let resp = ask_code(&r, &token);
    assert_eq!(resp.status, 503);
    assert_eq!(resp.code(), "sms.unavailable");
    assert_eq!(r.get("/dev/sms", &[]).status, 404);
}
