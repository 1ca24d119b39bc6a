//! Signing requests over loopback with the real binary (docs/requests.md): the back office
//! opens, reads and revokes them with an API key; the signer's link reads one by its token;
//! without a request (and without QIANYUE_OPEN_SIGNING=1) a consent is refused.

mod common;

use common::{backends, http, now_unix, payload_value_signed_at, seed_form, sign_value, uuid};
use common::{Backend, HttpResponse, Options, Receiver, API_KEY};
use qianyue_domain::payload::SignedAt;
use serde_json::{json, Value};

fn bearer() -> String {
    format!("Bearer {API_KEY}")
}

/// `expires_at` `seconds` from now.
fn expires_in(seconds: i64) -> String {
    SignedAt::from_unix_seconds(now_unix() + seconds)
        .unwrap()
        .to_string()
}

/// A request for the seed's form, its order locked, valid for a week.
fn request_body() -> Value {
    json!({
        "form": serde_json::to_value(seed_form()).unwrap(),
        "readonly": ["contract_no", "customer", "orders"],
        "signer": {"name": "张晓梅", "mobile": "13800138000"},
        "expires_at": expires_in(7 * 86_400),
        "callback_url": "https://portal.example.com/hooks/qianyue",
        "locale": "zh-CN",
    })
}

fn call(
    r: &Receiver,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Option<&Value>,
) -> HttpResponse {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(a) = auth {
        headers.push(("Authorization", a));
    }
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    http(r.addr, method, path, &headers, &body).expect(method)
}

fn create(r: &Receiver, body: &Value) -> HttpResponse {
    call(r, "POST", "/api/requests", Some(&bearer()), Some(body))
}

/// `method` (`GET` or `DELETE`) on `/api/requests/{id}` with the good key.
fn on_request(r: &Receiver, method: &str, id: &str) -> HttpResponse {
    call(
        r,
        method,
        &format!("/api/requests/{id}"),
        Some(&bearer()),
        None,
    )
}

fn start(backend: Backend) -> Receiver {
    Receiver::start(Options::new(backend))
}

#[test]
fn a_request_is_created_read_and_revoked() {
    for backend in backends() {
        let r = start(backend);
        let created = create(&r, &request_body());
        assert_eq!(created.status, 201, "{backend:?}: {}", created.text());
        let c = created.json();
        assert_eq!(c["status"], "open");
        let id = c["id"].as_str().unwrap().to_owned();
        assert!(qianyue_domain::payload::is_uuid_v4(&id));
        let token = c["token"].as_str().unwrap().to_owned();
        // 256 random bits, base64url.
        assert_eq!(token.len(), 43, "{token}");
        assert_eq!(c["url"], format!("/s/{token}"));
        assert!(c["expires_at"].as_str().unwrap().ends_with("+08:00"));

        // The back office's view: open, one event.
        let got = on_request(&r, "GET", &id);
        assert_eq!(got.status, 200, "{}", got.text());
        let g = got.json();
        assert_eq!(g["id"], id.as_str());
        assert_eq!(g["status"], "open");
        assert_eq!(g["consent_id"], Value::Null);
        assert_eq!(g["expires_at"], c["expires_at"]);
        let events = g["events"].as_array().unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["type"], "request.opened");

        // The signer's read: the form, the locked paths, the name, the mobile masked.
        let s = r.get(&format!("/api/signing/{token}"), &[]);
        assert_eq!(s.status, 200, "{}", s.text());
        let s = s.json();
        assert_eq!(s["status"], "open");
        assert_eq!(s["form"], serde_json::to_value(seed_form()).unwrap());
        assert_eq!(s["readonly"], json!(["contract_no", "customer", "orders"]));
        assert_eq!(
            s["signer"],
            json!({"name": "张晓梅", "mobile": "138****8000"})
        );
        assert_eq!(s["locale"], "zh-CN");

        // Revoked, twice: the same answer; the link then says revoked.
        for _ in 0..2 {
            let d = on_request(&r, "DELETE", &id);
            assert_eq!(d.status, 200, "{}", d.text());
            assert_eq!(d.json()["status"], "revoked");
            let types: Vec<_> = d.json()["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["type"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(types, ["request.opened", "request.revoked"]);
        }
        let s = r.get(&format!("/api/signing/{token}"), &[]);
        assert_eq!(s.status, 410);
        assert_eq!(s.code(), "request.revoked");

        // Without the optional members: kept as none.
        let mut body = request_body();
        let o = body.as_object_mut().unwrap();
        o.remove("callback_url");
        o.remove("locale");
        o.remove("readonly");
        let c = create(&r, &body);
        assert_eq!(c.status, 201, "{backend:?}: {}", c.text());
        let token = c.json()["token"].as_str().unwrap().to_owned();
        let s = r.get(&format!("/api/signing/{token}"), &[]).json();
        assert_eq!(s["locale"], Value::Null);
        assert_eq!(s["readonly"], json!([]));
        r.assert_no_panic();
    }
}

/// Sets a request's stored status, as the signing path will (a later part of issue 17).
fn set_status(r: &Receiver, id: &str, status: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&r.database_url).await.unwrap();
        sqlx::query("UPDATE requests SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
}

#[test]
fn a_signed_request_cannot_be_revoked_and_its_link_says_so() {
    for backend in backends() {
        let r = start(backend);
        let c = create(&r, &request_body()).json();
        let (id, token) = (c["id"].as_str().unwrap(), c["token"].as_str().unwrap());
        set_status(&r, id, "signed");
        let d = on_request(&r, "DELETE", id);
        assert_eq!(d.status, 409, "{backend:?}: {}", d.text());
        assert_eq!(d.code(), "request.signed");
        let g = on_request(&r, "GET", id).json();
        assert_eq!(g["status"], "signed");
        assert_eq!(
            g["events"].as_array().unwrap().len(),
            1,
            "no revocation recorded"
        );
        // The link shows the signed page (no consent here: set by hand, so no receipt).
        let s = r.get(&format!("/api/signing/{token}"), &[]);
        assert_eq!(s.status, 200);
        let s = s.json();
        assert_eq!(s["status"], "signed");
        assert_eq!(s["request_id"], id);
        assert_eq!(s["receipt"], Value::Null);
    }
}

#[test]
fn the_token_and_the_key_are_stored_only_as_hashes() {
    let r = start(Backend::Sqlite);
    let c = create(&r, &request_body()).json();
    let token = c["token"].as_str().unwrap();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&r.data_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        contains(c["id"].as_str().unwrap()),
        "the request was written here"
    );
    assert!(contains(&qianyue_receiver::requests::token_sha256(token)));
    assert!(!contains(token), "the token itself is in a data file");
    assert!(!contains(API_KEY), "the API key is in a data file");
    // Nor in the log.
    assert!(!r.stderr().contains(token));
    assert!(!r.stderr().contains("13800138000"));
}

#[test]
fn a_missing_or_wrong_key_is_401() {
    let r = start(Backend::Sqlite);
    let body = request_body();
    for auth in [
        None,
        Some("Bearer wrong-key-0123456789abcdef"),
        Some("Basic dGVzdHM6eA=="),
    ] {
        let resp = call(&r, "POST", "/api/requests", auth, Some(&body));
        assert_eq!(resp.status, 401, "{auth:?}");
        assert_eq!(resp.code(), "auth.required");
        assert!(resp
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer"));
        let id = uuid();
        let resp = call(&r, "GET", &format!("/api/requests/{id}"), auth, None);
        assert_eq!(resp.status, 401, "{auth:?}");
    }
    // The admin token has every scope, `requests` included (docs/back-office.md).
    let resp = call(
        &r,
        "POST",
        "/api/requests",
        Some(&format!("Bearer {}", common::TOKEN)),
        Some(&body),
    );
    assert_eq!(resp.status, 201, "{}", resp.text());
    // The key's scheme in any case.
    let resp = call(
        &r,
        "POST",
        "/api/requests",
        Some(&format!("bearer {API_KEY}")),
        Some(&body),
    );
    assert_eq!(resp.status, 201, "{}", resp.text());
}

#[test]
fn wrong_keys_are_throttled() {
    let r = Receiver::start(
        Options::new(Backend::Sqlite)
            .with("QIANYUE_ADMIN_FAILURES_PER_MINUTE", "2")
            .with("QIANYUE_RATE_LIMIT_LOOPBACK", "1"),
    );
    let wrong = Some("Bearer wrong-key-0123456789abcdef");
    let statuses: Vec<u16> = (0..3)
        .map(|_| call(&r, "POST", "/api/requests", wrong, Some(&request_body())).status)
        .collect();
    assert_eq!(statuses, [401, 401, 429]);
    // Even the right key waits now.
    let resp = create(&r, &request_body());
    assert_eq!(resp.status, 429);
    assert_eq!(resp.code(), "auth.throttled");
}

#[test]
fn bad_requests_are_refused_naming_their_fields() {
    let r = start(Backend::Sqlite);
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "form not a form",
            Box::new(|b| b["form"]["customer"]["no_such_field"] = json!("x")),
            "form",
        ),
        (
            "form not an object",
            Box::new(|b| b["form"] = json!([1])),
            "form",
        ),
        (
            "unknown readonly path",
            Box::new(|b| b["readonly"] = json!(["customer", "custom"])),
            "readonly.1",
        ),
        (
            "readonly path of a missing line",
            Box::new(|b| b["readonly"] = json!(["orders.7"])),
            "readonly.0",
        ),
        (
            "bad mobile",
            Box::new(|b| b["signer"]["mobile"] = json!("12345")),
            "signer.mobile",
        ),
        (
            "bad name",
            Box::new(|b| b["signer"]["name"] = json!("x1")),
            "signer.name",
        ),
        (
            "past expiry",
            Box::new(|b| b["expires_at"] = json!(expires_in(-60))),
            "expires_at",
        ),
        (
            "expiry beyond 30 days",
            Box::new(|b| b["expires_at"] = json!(expires_in(31 * 86_400))),
            "expires_at",
        ),
        (
            "expiry not in +08:00",
            Box::new(|b| b["expires_at"] = json!("2030-01-01T00:00:00Z")),
            "expires_at",
        ),
        (
            "plain http callback",
            Box::new(|b| b["callback_url"] = json!("http://portal.example.com/hook")),
            "callback_url",
        ),
        (
            "bad locale",
            Box::new(|b| b["locale"] = json!("fr")),
            "locale",
        ),
        (
            "a read-only value that breaks its rule",
            Box::new(|b| b["form"]["customer"]["cert_number"] = json!("91440300758613572X")),
            "customer.cert_number",
        ),
    ];
    for (what, edit, path) in cases {
        let mut body = request_body();
        edit(&mut body);
        let resp = create(&r, &body);
        assert_eq!(resp.status, 422, "{what}: {}", resp.text());
        assert_eq!(resp.code(), "request.invalid", "{what}");
        let paths = resp.field_paths();
        assert!(paths.iter().any(|p| p == path), "{what}: {paths:?}");
        let j = resp.json();
        assert!(!j["message_zh"].as_str().unwrap().is_empty());
        assert!(!j["message_en"].as_str().unwrap().is_empty());
    }
    // The same bad value on an editable path is the signer's to correct: accepted.
    let mut body = request_body();
    body["form"]["customer"]["cert_number"] = json!("91440300758613572X");
    body["readonly"] = json!(["contract_no", "orders"]);
    assert_eq!(create(&r, &body).status, 201);
    // A loopback http callback is fine; unknown members and a body that is no JSON are not.
    let mut body = request_body();
    body["callback_url"] = json!("http://127.0.0.1:9000/hook");
    assert_eq!(create(&r, &body).status, 201);
    let mut body = request_body();
    body["assignee_x"] = json!("x");
    assert_eq!(create(&r, &body).status, 422);
    let resp = http(
        r.addr,
        "POST",
        "/api/requests",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &bearer()),
        ],
        b"{not json",
    )
    .unwrap();
    assert_eq!(resp.status, 422);
    r.assert_no_panic();
}

#[test]
fn expiry_is_observed_and_recorded_once() {
    for backend in backends() {
        let r = start(backend);
        let mut body = request_body();
        body["expires_at"] = json!(expires_in(2));
        let c = create(&r, &body).json();
        let (id, token) = (c["id"].as_str().unwrap(), c["token"].as_str().unwrap());
        assert_eq!(r.get(&format!("/api/signing/{token}"), &[]).status, 200);
        std::thread::sleep(std::time::Duration::from_millis(3100));
        let s = r.get(&format!("/api/signing/{token}"), &[]);
        assert_eq!(s.status, 410);
        assert_eq!(s.code(), "request.expired");
        for _ in 0..2 {
            let g = on_request(&r, "GET", id).json();
            assert_eq!(g["status"], "expired");
            let events = g["events"].as_array().unwrap();
            assert_eq!(events.len(), 2, "{events:?}");
            assert_eq!(events[1]["type"], "request.expired");
            assert_eq!(events[1]["at"], c["expires_at"]);
        }
        // Revoking an expired request changes nothing.
        let d = on_request(&r, "DELETE", id);
        assert_eq!(d.status, 200);
        assert_eq!(d.json()["status"], "expired");
    }
}

#[test]
fn unknown_ids_and_tokens_are_404() {
    let r = start(Backend::Sqlite);
    for token in ["x", &"A".repeat(43), "../../etc/passwd"] {
        let s = r.get(&format!("/api/signing/{token}"), &[]);
        assert_eq!(s.status, 404, "{token}");
        assert_eq!(
            s.code(),
            if token.contains('/') {
                "not_found"
            } else {
                "request.unknown"
            }
        );
    }
    for id in [uuid(), "not-a-uuid".to_owned()] {
        let g = on_request(&r, "GET", &id);
        assert_eq!(g.status, 404);
        assert_eq!(g.code(), "request.unknown");
        let d = on_request(&r, "DELETE", &id);
        assert_eq!(d.status, 404);
    }
}

#[test]
fn signing_reads_are_rate_limited_per_client() {
    let r = Receiver::start(
        Options::new(Backend::Sqlite)
            .with("QIANYUE_CONSENTS_PER_MINUTE", "3")
            .with("QIANYUE_RATE_LIMIT_LOOPBACK", "1"),
    );
    let statuses: Vec<u16> = (0..4)
        .map(|_| {
            r.get(&format!("/api/signing/{}", "A".repeat(43)), &[])
                .status
        })
        .collect();
    assert_eq!(statuses, [404, 404, 404, 429]);
}

#[test]
fn without_open_signing_a_consent_needs_a_request() {
    let r = Receiver::start(
        Options {
            offline_allowance_days: None,
            ..Options::new(Backend::Sqlite)
        }
        .with("QIANYUE_OPEN_SIGNING", "0"),
    );
    let body = sign_value(&payload_value_signed_at(&uuid(), now_unix()));
    let resp = r.post_json(&body);
    assert_eq!(resp.status, 403, "{}", resp.text());
    assert_eq!(resp.code(), "request.required");
    let j = resp.json();
    assert!(j["message_zh"].as_str().unwrap().contains("签约请求"));
    assert!(j["message_en"]
        .as_str()
        .unwrap()
        .contains("signing request"));
    assert!(r.stored_ids().is_empty());
    // With it (the tests' default), the same consent is stored.
    let open = Receiver::start(Options {
        offline_allowance_days: None,
        ..Options::new(Backend::Sqlite)
    });
    assert_eq!(open.post_json(&body).status, 201);
}

#[test]
fn the_signers_link_is_the_apps_page() {
    let dist = common::temp_dir("dist");
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>Qianyue</title>",
    )
    .unwrap();
    let mut opts =
        Options::new(Backend::Sqlite).with("QIANYUE_PUBLIC_URL", "https://sign.example.com/");
    opts.dist = Some(dist);
    let r = Receiver::start(opts);
    let c = create(&r, &request_body()).json();
    let token = c["token"].as_str().unwrap();
    assert_eq!(c["url"], format!("https://sign.example.com/s/{token}"));
    let page = r.get(&format!("/s/{token}"), &[]);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<title>Qianyue</title>"));
    assert!(page.header("content-security-policy").is_some());
    // Only one segment after /s/.
    assert_eq!(r.get(&format!("/s/{token}/x"), &[]).status, 404);
}
