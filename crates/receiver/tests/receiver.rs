//! The receiver over real loopback TCP, against a real SQLite file and (when the test command
//! provides one) a real PostgreSQL server: acceptance, every refusal, idempotency, the back
//! office's read, the app's files and headers, a bad-input sweep, and a clean Ctrl-C.

mod common;

use common::*;
use qianyue_domain::payload::{verify_receipt, ConsentPayload, ReceiverKeys};
use serde_json::{json, Value};

fn keys(r: &Receiver) -> ReceiverKeys {
    serde_json::from_slice(&r.get("/api/keys", &[]).body).unwrap()
}

/// Asserts a refusal: the status, the code, and a JSON body of the documented shape.
#[track_caller]
fn assert_refused(resp: &HttpResponse, status: u16, code: &str) -> Value {
    assert_eq!(resp.status, status, "{}", resp.text());
    let v = resp.json();
    assert_eq!(v["code"], code, "{v}");
    assert!(v["message_zh"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(v["message_en"].as_str().is_some_and(|m| !m.is_empty()));
    for f in v["fields"].as_array().expect("fields") {
        for k in ["path", "code", "message_zh", "message_en"] {
            assert!(f[k].is_string(), "{f}");
        }
    }
    v
}

/// Security review M1: the signing date is the day of signing, the authorisation is judged
/// on it, and `signed_at` is at most the offline allowance old (default 30 days).
#[test]
fn the_signing_date_is_the_day_of_signing() {
    let mut opts = Options::new(Backend::Sqlite);
    opts.offline_allowance_days = None;
    let r = Receiver::start(opts);
    let now = now_unix();

    // Signed now, dated today in China Standard Time: accepted.
    let id = uuid();
    let v = payload_value_signed_at(&id, now);
    let today = v["form"]["signing"]["date"].as_str().unwrap().to_owned();
    let resp = r.post_json(&sign_value(&v));
    assert_eq!(resp.status, 201, "{}", resp.text());
    let auth = format!("Bearer {TOKEN}");
    let record = r
        .get(&format!("/api/consents/{id}"), &[("Authorization", &auth)])
        .json();
    assert_eq!(record["verification"]["judged_on"], today.as_str());

    // A back-dated signing date: refused, at signing.date.
    let mut v = payload_value_signed_at(&uuid(), now);
    v["form"]["signing"]["date"] = json!("2023-04-10");
    let body = assert_refused(
        &r.post_json(&sign_value(&v)),
        422,
        "signing.date_not_signing_day",
    );
    assert_eq!(body["fields"][0]["path"], "signing.date");

    // An authorisation that ended yesterday: refused on the day of signing ...
    let yesterday = qianyue_domain::payload::SignedAt::from_unix_seconds(now - 86_400)
        .unwrap()
        .date()
        .to_string();
    let mut v = payload_value_signed_at(&uuid(), now);
    v["form"]["agent"]["valid_to"] = json!(yesterday);
    let body = assert_refused(&r.post_json(&sign_value(&v)), 422, "form.invalid");
    assert!(
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "signing.date"
                && f["code"] == "cross.signing_outside_authorisation"),
        "{body}"
    );
    // ... and a signing date written back into it is not the day of signing.
    v["form"]["signing"]["date"] = json!(yesterday);
    assert_refused(
        &r.post_json(&sign_value(&v)),
        422,
        "signing.date_not_signing_day",
    );

    // Signed 31 days ago (the outbox kept it too long): too old. 29 days: still accepted.
    let v = payload_value_signed_at(&uuid(), now - 31 * 86_400);
    let body = assert_refused(&r.post_json(&sign_value(&v)), 422, "signed_at.too_old");
    assert_eq!(body["fields"][0]["path"], "signed_at");
    let v = payload_value_signed_at(&uuid(), now - 29 * 86_400);
    let resp = r.post_json(&sign_value(&v));
    assert_eq!(resp.status, 201, "{}", resp.text());
    // The checked-in vector, signed on 2023-04-10, is far too old for the default allowance.
    assert_refused(&r.post_json(&vector()), 422, "signed_at.too_old");
    assert_eq!(r.stored_ids().len(), 2);
    r.assert_no_panic();
}

/// `QIANYUE_OFFLINE_ALLOWANCE_DAYS` sets the allowance.
#[test]
fn the_offline_allowance_is_a_setting() {
    let mut opts = Options::new(Backend::Sqlite);
    opts.offline_allowance_days = Some(7);
    let r = Receiver::start(opts);
    let now = now_unix();
    let v = payload_value_signed_at(&uuid(), now - 8 * 86_400);
    assert_refused(&r.post_json(&sign_value(&v)), 422, "signed_at.too_old");
    let v = payload_value_signed_at(&uuid(), now - 6 * 86_400);
    let resp = r.post_json(&sign_value(&v));
    assert_eq!(resp.status, 201, "{}", resp.text());
    r.assert_no_panic();
}

#[test]
fn the_vector_is_accepted_and_kept() {
    for backend in backends() {
        let r = Receiver::start(Options::new(backend));
        let vector = vector();
        let first = r.post_json(&vector);
        assert_eq!(first.status, 201, "{backend:?}: {}", first.text());
        assert_eq!(first.header("content-type"), Some("application/json"));

        // The receipt verifies with the published key and names this payload.
        let receipt = verify_receipt(&first.body, &keys(&r).keys).expect("receipt verifies");
        let envelope: Value = serde_json::from_slice(&vector).unwrap();
        let payload: ConsentPayload = serde_json::from_value(envelope["payload"].clone()).unwrap();
        assert!(receipt.is_for(&payload));

        // A retry with the same bytes: the same receipt, byte for byte, and still one row.
        let again = r.post_json(&vector);
        assert_eq!(again.status, 200, "{}", again.text());
        assert_eq!(again.body, first.body);
        // The same payload re-serialized (other spacing): the same signed content.
        let pretty = serde_json::to_vec_pretty(&envelope).unwrap();
        assert_eq!(r.post_json(&pretty).body, first.body);
        assert_eq!(r.stored_ids(), vec![payload.idempotency_id.clone()]);

        // The back office reads it with the token, and only with it.
        let path = format!("/api/consents/{}", payload.idempotency_id);
        let auth = format!("Bearer {TOKEN}");
        let got = r.get(&path, &[("Authorization", &auth)]);
        assert_eq!(got.status, 200, "{}", got.text());
        let record = got.json();
        // ID numbers masked unless asked for whole (contract.md §7).
        let form = &record["payload"]["form"];
        assert_eq!(form["agent"]["id_number"], "4403**********5316");
        assert_eq!(form["contact"]["id_number"], "4403**********1246");
        let mut masked = envelope["payload"].clone();
        masked["form"]["agent"]["id_number"] = form["agent"]["id_number"].clone();
        masked["form"]["contact"]["id_number"] = form["contact"]["id_number"].clone();
        assert_eq!(record["payload"], masked);
        let whole = r.get(&format!("{path}?unmask=true"), &[("Authorization", &auth)]);
        assert_eq!(whole.status, 200, "{}", whole.text());
        let record = whole.json();
        assert_eq!(record["payload"], envelope["payload"]);
        assert_eq!(record["signature"], envelope["signature"]);
        assert_eq!(record["payload_sha256"], receipt.payload_sha256);
        assert_eq!(record["verification"]["judged_on"], "2023-04-10");
        assert_eq!(
            record["verification"]["previews_recomputed"]["orders.0.penalty"],
            960000
        );
        assert_eq!(
            serde_json::to_vec(&record["receipt"]).unwrap(),
            first.body,
            "the stored receipt is the one answered"
        );
        assert_refused(&r.get(&path, &[]), 401, "auth.required");
        assert_refused(
            &r.get(&path, &[("Authorization", "Bearer wrong-token-0123456789")]),
            401,
            "auth.required",
        );
        let unknown = format!("/api/consents/{}", uuid());
        assert_refused(
            &r.get(&unknown, &[("Authorization", &auth)]),
            404,
            "not_found",
        );
        r.assert_no_panic();
    }
}

#[test]
fn every_single_byte_flip_is_refused_and_nothing_is_stored() {
    for backend in backends() {
        let r = Receiver::start(Options::new(backend));
        let vector = vector();
        let mut statuses = std::collections::BTreeMap::new();
        for i in 0..vector.len() {
            let mut flipped = vector.clone();
            flipped[i] ^= 0x01;
            let resp = r.post_json(&flipped);
            assert!(
                (400..500).contains(&resp.status),
                "{backend:?}: flipping byte {i} gave {}: {}",
                resp.status,
                resp.text()
            );
            *statuses.entry(resp.status).or_insert(0) += 1;
        }
        eprintln!("{backend:?}: {} flips refused: {statuses:?}", vector.len());
        assert!(r.stored_ids().is_empty());
        r.assert_no_panic();
    }
}

#[test]
fn each_refusal_has_its_code() {
    for backend in backends() {
        let r = Receiver::start(Options::new(backend));
        let post = |body: Vec<u8>| r.post_json(&body);

        let v = assert_refused(
            &post(signed(&uuid(), |v| {
                v["content_hashes"][0]["sha256"] = json!("0".repeat(64))
            })),
            422,
            "content.hash_mismatch",
        );
        assert_eq!(v["fields"][0]["path"], "content_hashes.0.sha256");
        assert_refused(
            &post(signed(&uuid(), |v| v["agreement"]["version"] = json!("v3"))),
            422,
            "agreement.version_unknown",
        );
        let v = assert_refused(
            &post(signed(&uuid(), |v| {
                v["form"]["customer"]["cert_number"] = json!("91440300758613572I")
            })),
            422,
            "form.invalid",
        );
        assert!(v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "customer.cert_number"));
        let v = assert_refused(
            &post(signed(&uuid(), |v| {
                v["previews"]["total.penalty"] = json!(1);
            })),
            422,
            "preview.mismatch",
        );
        assert_eq!(v["fields"][0]["path"], "previews.total.penalty");
        // Signed an hour from now: in the future beyond the clock skew.
        let later = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + 3600;
        let later = qianyue_domain::payload::SignedAt::from_unix_seconds(later).unwrap();
        assert_refused(
            &post(signed(&uuid(), |v| {
                v["signed_at"] = json!(later.to_string());
                v["form"]["signing"]["date"] = json!(later.date().to_string());
            })),
            422,
            "signed_at.future",
        );
        assert_refused(
            &post(signed(&uuid(), |v| {
                v["consents"][3]["given"] = json!(false)
            })),
            422,
            "consent.missing",
        );
        // Not a signature by this payload's key.
        let mut envelope: Value = serde_json::from_slice(&vector()).unwrap();
        envelope["payload"]["idempotency_id"] = json!(uuid());
        assert_refused(
            &post(serde_json::to_vec(&envelope).unwrap()),
            400,
            "signature.mismatch",
        );
        assert_refused(&post(b"{\"payload\":{}}".to_vec()), 400, "envelope.shape");
        assert_refused(&post(b"not json".to_vec()), 400, "envelope.not_json");
        assert_refused(
            &post(
                String::from_utf8(vector())
                    .unwrap()
                    .replace("\"employees\":10", "\"employees\":10.0")
                    .into_bytes(),
            ),
            400,
            "payload.non_integer",
        );

        // Oversize body (declared, and sent).
        let big = vec![b' '; 300 * 1024];
        assert_refused(&post(big), 413, "request.too_large");
        // Wrong or missing content type.
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=latin1",
        ] {
            let resp = http(
                r.addr,
                "POST",
                "/api/consents",
                &[("Content-Type", ct)],
                &vector(),
            )
            .unwrap();
            assert_refused(&resp, 415, "request.content_type");
        }
        let resp = http(r.addr, "POST", "/api/consents", &[], &vector()).unwrap();
        assert_refused(&resp, 415, "request.content_type");
        assert!(
            r.stored_ids().is_empty(),
            "{backend:?}: a refusal stored something"
        );

        // Replay: the same id with other bytes is a conflict; the first stays.
        let id = uuid();
        let first = post(signed(&id, |_| {}));
        assert_eq!(first.status, 201, "{}", first.text());
        let other = post(signed(&id, |v| {
            let stroke: Vec<Value> = (0..12).map(|i| json!([10 + i * 10, 40])).collect();
            v["signature_image"] =
                json!({"kind": "strokes", "width": 300, "height": 100, "strokes": [stroke]});
        }));
        assert_refused(&other, 409, "consent.conflict");
        let retry = post(signed(&id, |_| {}));
        assert_eq!(retry.status, 200);
        assert_eq!(retry.body, first.body);
        assert_eq!(r.stored_ids(), vec![id]);

        // Methods and paths.
        // (`GET /api/consents` is the back office's list: docs/back-office.md.)
        let put = http(r.addr, "PUT", "/api/consents", &[], b"").unwrap();
        assert_refused(&put, 405, "method_not_allowed");
        assert_refused(&r.get("/api/nothing", &[]), 404, "not_found");
        let resp = http(r.addr, "DELETE", "/api/keys", &[], b"").unwrap();
        assert_refused(&resp, 405, "method_not_allowed");
        let health = r.get("/healthz", &[]);
        assert_eq!(health.status, 200);
        assert_eq!(health.json()["status"], "ok");
        r.assert_no_panic();
    }
}

#[test]
fn concurrent_duplicates_store_one_row() {
    for backend in backends() {
        let r = Receiver::start(Options::new(backend));
        let id = uuid();
        let same = signed(&id, |_| {});
        let other = signed(&id, |v| v["previews"].as_object_mut().unwrap().clear());
        let addr = r.addr;
        let handles: Vec<_> = (0..24)
            .map(|i| {
                let body = if i % 4 == 3 {
                    other.clone()
                } else {
                    same.clone()
                };
                std::thread::spawn(move || {
                    let resp = http(
                        addr,
                        "POST",
                        "/api/consents",
                        &[("Content-Type", "application/json")],
                        &body,
                    )
                    .unwrap();
                    (i % 4 == 3, resp)
                })
            })
            .collect();
        let results: Vec<(bool, HttpResponse)> =
            handles.into_iter().map(|h| h.join().unwrap()).collect();
        let created: Vec<&HttpResponse> = results
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r.status == 201)
            .collect();
        assert_eq!(created.len(), 1, "{backend:?}: exactly one is stored");
        let winner_is_other = results.iter().any(|(o, r)| *o && r.status == 201);
        for (is_other, resp) in &results {
            if *is_other == winner_is_other {
                assert!(resp.status == 201 || resp.status == 200, "{}", resp.text());
                assert_eq!(resp.body, created[0].body, "the same receipt");
            } else {
                assert_refused(resp, 409, "consent.conflict");
            }
        }
        assert_eq!(r.stored_ids(), vec![id]);
        r.assert_no_panic();
    }
}

#[test]
fn the_app_is_served_compressed_with_its_headers() {
    let dist = temp_dir("dist");
    let script = "\nimport init from '/qianyue-0123456789abcdef.js';\nawait init();\n";
    let index = format!(
        "<!DOCTYPE html><html><head><title>{}</title><script type=\"module\">{script}</script>\
         <link rel=\"modulepreload\" href=\"/qianyue-0123456789abcdef.js\"></head><body></body></html>",
        "签约 · Qianyue ".repeat(20)
    );
    std::fs::write(dist.join("index.html"), &index).unwrap();
    let js = "export default function init() { return 42; }\n".repeat(200);
    std::fs::write(dist.join("qianyue-0123456789abcdef.js"), &js).unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {});\n",
    )
    .unwrap();
    let mut opts = Options::new(Backend::Sqlite);
    opts.dist = Some(dist.clone());
    opts.frame_ancestors = Some("https://portal.example.com".into());
    let r = Receiver::start(opts);

    let root = r.get("/", &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(root.status, 200);
    assert_eq!(root.header("content-encoding"), Some("br"));
    assert_eq!(root.header("cache-control"), Some("no-cache"));
    assert_eq!(
        root.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let mut html = Vec::new();
    brotli::BrotliDecompress(&mut std::io::Cursor::new(&root.body), &mut html).unwrap();
    assert_eq!(html, index.as_bytes());

    // The CSP allows exactly the inline script's hash, wasm, and the configured embedder.
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    let csp = root.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
        )),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(
        csp.contains("frame-ancestors https://portal.example.com"),
        "{csp}"
    );
    assert_eq!(root.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(root.header("referrer-policy"), Some("no-referrer"));

    // Hashed files are immutable; gzip when brotli is not accepted; identity when neither.
    let gz = r.get(
        "/qianyue-0123456789abcdef.js",
        &[("Accept-Encoding", "gzip")],
    );
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(
        gz.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(gz.header("vary"), Some("accept-encoding"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz.body[..]), &mut text)
        .unwrap();
    assert_eq!(text, js);
    let plain = r.get(
        "/qianyue-0123456789abcdef.js",
        &[("Accept-Encoding", "br;q=0")],
    );
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, js.as_bytes());
    assert_eq!(
        plain.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    // Revalidation by ETag.
    let etag = plain.header("etag").unwrap().to_owned();
    let again = r.get("/qianyue-0123456789abcdef.js", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // Unhashed files are revalidated; HEAD has no body; unknown files and traversal are 404.
    assert_eq!(
        r.get("/sw.js", &[]).header("cache-control"),
        Some("no-cache")
    );
    let head = http(r.addr, "HEAD", "/", &[], b"").unwrap();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_refused(&r.get("/missing.js", &[]), 404, "not_found");
    assert_refused(&r.get("/../Cargo.toml", &[]), 404, "not_found");
    assert_refused(&r.get("/%2e%2e/%2e%2e/etc/passwd", &[]), 404, "not_found");
    let post = http(
        r.addr,
        "POST",
        "/index.html",
        &[("Content-Type", "text/plain")],
        b"x",
    )
    .unwrap();
    assert_refused(&post, 405, "method_not_allowed");
    // API responses carry the security headers too, and are not cached.
    let keys = r.get("/api/keys", &[]);
    assert!(keys.header("content-security-policy").is_some());
    assert_eq!(keys.json()["keys"][0]["crv"], "Ed25519");
    let refused = r.post_json(b"{}");
    assert_eq!(refused.header("cache-control"), Some("no-store"));
    // The sidecars were written once, so a restart does not compress again.
    assert!(dist.join("qianyue-0123456789abcdef.js.br").exists());
    r.assert_no_panic();
    let _ = std::fs::remove_dir_all(dist);
}

#[test]
fn the_receipt_key_survives_a_restart() {
    let mut r = Receiver::start(Options::new(Backend::Sqlite));
    let before = keys(&r);
    r.kill();
    r.restart();
    assert_eq!(keys(&r), before);
}

#[test]
fn ctrl_c_stops_cleanly_after_answering_what_is_in_flight() {
    for backend in backends() {
        let mut r = Receiver::start(Options::new(backend));
        let addr = r.addr;
        let bodies: Vec<(String, Vec<u8>)> = (0..40)
            .map(|_| {
                let id = uuid();
                let body = signed(&id, |_| {});
                (id, body)
            })
            .collect();
        let handles: Vec<_> = bodies
            .into_iter()
            .map(|(id, body)| {
                std::thread::spawn(move || {
                    let resp = http(
                        addr,
                        "POST",
                        "/api/consents",
                        &[("Content-Type", "application/json")],
                        &body,
                    );
                    (id, resp.ok().map(|r| r.status))
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let status = r.interrupt();
        assert!(
            status.success(),
            "{backend:?}: exit {status}: {}",
            r.stderr()
        );
        let answered: Vec<String> = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|(_, s)| matches!(s, Some(200 | 201)))
            .map(|(id, _)| id)
            .collect();
        r.restart();
        let stored = r.stored_ids();
        for id in &answered {
            assert!(
                stored.contains(id),
                "{backend:?}: acknowledged {id} was not kept"
            );
        }
        r.assert_no_panic();
    }
}

/// A few thousand malformed requests, generated: zero 5xx, zero panics, zero rows.
#[test]
fn bad_input_sweep() {
    for backend in backends() {
        let r = Receiver::start(Options::new(backend));
        let started = std::time::Instant::now();
        let mut rng = Lcg(0x5eed_1234_abcd_0001);
        // One good consent is stored first; every edit below keeps its idempotency id, so an
        // edit that happens to leave a valid payload is a conflict (409), never a new row.
        let good = payload_value(&uuid());
        let good_text = String::from_utf8(sign_value(&good)).unwrap();
        assert_eq!(r.post_json(good_text.as_bytes()).status, 201);
        let baseline = r.stored_ids();
        let mut sent = 0;
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        let mut check = |resp: std::io::Result<HttpResponse>, what: &str| {
            sent += 1;
            // A connection the server closes on garbage is fine; a 5xx is not.
            if let Ok(resp) = resp {
                assert!(
                    resp.status < 500,
                    "{backend:?}: {what} gave {}: {}",
                    resp.status,
                    resp.text()
                );
                *statuses.entry(resp.status).or_default() += 1;
            }
        };

        // 1. Every member of the payload replaced by values of every JSON type, signed (so
        //    they reach the checks past the signature).
        let replacements = [
            json!(null),
            json!(true),
            json!(-1),
            json!(9007199254740991_i64),
            json!(""),
            json!("\u{0}\u{202e}<script>"),
            json!([]),
            json!({}),
            json!([[]]),
            json!({"a": [1]}),
        ];
        let mut paths = Vec::new();
        leaf_paths(&good, String::new(), &mut paths);
        for (i, path) in paths.iter().enumerate() {
            let mut v = good.clone();
            let slot = pointer_mut(&mut v, path);
            *slot = replacements[i % replacements.len()].clone();
            check(Ok(r.post_json(&sign_value(&v))), path);
        }
        // 2. Members removed, one at a time, at every level.
        for path in &paths {
            let mut v = good.clone();
            if remove_at(&mut v, path) {
                check(Ok(r.post_json(&sign_value(&v))), path);
            }
        }
        // 3. Truncations and random byte edits of a good envelope (unsigned after the edit).
        let bytes = good_text.as_bytes();
        for _ in 0..600 {
            let cut = rng.below(bytes.len());
            check(Ok(r.post_json(&bytes[..cut])), "truncated");
            let mut edited = bytes.to_vec();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(edited.len());
                edited[at] = rng.next() as u8;
            }
            check(Ok(r.post_json(&edited)), "edited");
        }
        // 4. Structural oddities.
        let oddities: Vec<Vec<u8>> = vec![
            "[".repeat(10_000).into_bytes(),
            format!("{{\"payload\":{},\"signature\":\"x\"}}", "[".repeat(5000)).into_bytes(),
            b"{\"payload\":{},\"payload\":{},\"signature\":\"\"}".to_vec(),
            b"\xef\xbb\xbf{}".to_vec(),
            b"\xff\xfe{\x00}\x00".to_vec(),
            b"{\"payload\":1e999999,\"signature\":\"\"}".to_vec(),
            b"{\"payload\":-0,\"signature\":\"\"}".to_vec(),
            format!(
                "{{\"payload\":\"{}\",\"signature\":\"\"}}",
                "\\u0000".repeat(20_000)
            )
            .into_bytes(),
            b"null".to_vec(),
            b"".to_vec(),
            good_text
                .replace("\"signature\"", "\"Signature\"")
                .into_bytes(),
            good_text.replace("+08:00", "+09:00").into_bytes(),
        ];
        for body in &oddities {
            check(Ok(r.post_json(body)), "oddity");
        }
        // 5. Random bodies, random content types, random methods and paths.
        let methods = [
            "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE",
        ];
        let paths_http = [
            "/api/consents",
            "/api/consents/",
            "/api/consents/x",
            "/api/consents/../keys",
            "/api/keys?x=1",
            "/healthz",
            "/",
            "/index.html",
            "/%ff%fe",
            "//api//consents",
            "/api/consents/%00",
        ];
        let types = [
            "application/json",
            "text/plain",
            "application/json; charset=utf-16",
            "",
            "multipart/form-data; boundary=x",
        ];
        for _ in 0..2500 {
            let method = methods[rng.below(methods.len())];
            let path = paths_http[rng.below(paths_http.len())];
            let ct = types[rng.below(types.len())];
            let len = rng.below(64);
            let body: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let headers: Vec<(&str, &str)> = if ct.is_empty() {
                vec![]
            } else {
                vec![("Content-Type", ct)]
            };
            check(
                http(r.addr, method, path, &headers, &body),
                "random request",
            );
        }
        // 6. Broken HTTP: garbage request lines, bad lengths, huge headers, chunked lies.
        let long_header = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: {}\r\n\r\n",
            "a".repeat(200_000)
        );
        let broken: Vec<Vec<u8>> = vec![
            b"\x00\x01\x02\x03\r\n\r\n".to_vec(),
            b"GET\r\n\r\n".to_vec(),
            b"POST /api/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n".to_vec(),
            b"POST /api/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n".to_vec(),
            b"POST /api/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nxx\r\n0\r\n\r\n".to_vec(),
            b"POST /api/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789".to_vec(),
            long_header.into_bytes(),
            b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            b"GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        ];
        for req in &broken {
            check(raw(r.addr, req, false), "broken HTTP");
        }
        // A declared length larger than the limit, with the body never sent in full.
        let huge = b"POST /api/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n{\"payload\":".to_vec();
        check(raw(r.addr, &huge, false), "declared huge");

        eprintln!(
            "{backend:?}: {sent} malformed requests in {:.1} s: {statuses:?}",
            started.elapsed().as_secs_f64()
        );
        assert!(sent >= 3000, "only {sent} requests");
        assert_eq!(
            r.stored_ids(),
            baseline,
            "{backend:?}: bad input was stored"
        );
        assert_eq!(r.get("/healthz", &[]).status, 200, "still healthy");
        // And a good one still goes through.
        assert_eq!(r.post_json(&vector()).status, 201);
        r.assert_no_panic();
    }
}

/// A small deterministic generator (no dependency, same sweep every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Paths (`/a/0/b`) of every value below the root.
fn leaf_paths(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                leaf_paths(x, p, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate().take(3) {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                leaf_paths(x, p, out);
            }
        }
        _ => {}
    }
}

fn pointer_mut<'v>(v: &'v mut Value, path: &str) -> &'v mut Value {
    v.pointer_mut(path).expect("path exists")
}

fn remove_at(v: &mut Value, path: &str) -> bool {
    let Some((parent, last)) = path.rsplit_once('/') else {
        return false;
    };
    match v.pointer_mut(parent) {
        Some(Value::Object(m)) => m.remove(last).is_some(),
        Some(Value::Array(a)) => last
            .parse::<usize>()
            .ok()
            .filter(|i| *i < a.len())
            .map(|i| a.remove(i))
            .is_some(),
        _ => false,
    }
}

#[test]
fn a_closed_stdout_does_not_stop_the_receiver() {
    use std::io::BufRead;
    let data = temp_dir("stdout");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_qianyue-receiver"))
        .env_clear()
        .env("QIANYUE_ADDR", "127.0.0.1:0")
        .env("QIANYUE_DATA_DIR", &data)
        .env("QIANYUE_DIST", &data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    {
        let stdout = child.stdout.take().unwrap();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
    } // The pipe is closed here, before the receiver's second line.
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let health = http(addr, "GET", "/healthz", &[], b"");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
    assert_eq!(health.map(|r| r.status).ok(), Some(200));
}

#[test]
fn a_browser_holding_the_main_module_gets_the_other_wasm_files_compressed_with_it() {
    use base64::Engine as _;
    use qianyue_dcb::testing::code_like;
    use sha2::Digest as _;
    let dist = temp_dir("dist-dcb");
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>签约</title>",
    )
    .unwrap();
    // The journey's file repeats much of the main module, as the real ones do.
    let main = code_like(1, 120_000);
    let mut journey = main[30_000..100_000].to_vec();
    journey.extend(code_like(2, 40_000));
    let main_name = "/qianyue-0123456789abcdef_bg.wasm";
    let journey_name = "/split_journey-0123456789abcdef.wasm";
    std::fs::write(dist.join(&main_name[1..]), &main).unwrap();
    std::fs::write(dist.join(&journey_name[1..]), &journey).unwrap();
    std::fs::write(
        dist.join("qianyue-0123456789abcdef.js"),
        "export default 1;\n".repeat(100),
    )
    .unwrap();
    let mut opts = Options::new(Backend::Sqlite);
    opts.dist = Some(dist.clone());
    let r = Receiver::start(opts);

    // The main module says it may serve as the dictionary of every wasm file.
    let m = r.get(main_name, &[("Accept-Encoding", "br, dcb")]);
    assert_eq!(m.status, 200);
    assert_eq!(m.header("use-as-dictionary"), Some("match=\"/*.wasm\""));
    assert_eq!(m.header("content-encoding"), Some("br"));

    let held = format!(
        ":{}:",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&main))
    );
    let with = |accept: &str, available: &str| {
        r.get(
            journey_name,
            &[
                ("Accept-Encoding", accept),
                ("Available-Dictionary", available),
            ],
        )
    };
    let dcb = with("gzip, deflate, br, zstd, dcb, dcz", &held);
    assert_eq!(dcb.status, 200);
    assert_eq!(dcb.header("content-encoding"), Some("dcb"));
    assert_eq!(
        dcb.header("vary"),
        Some("accept-encoding, available-dictionary")
    );
    assert_eq!(dcb.header("use-as-dictionary"), None);
    assert_eq!(&dcb.body[..4], &[0xff, b'D', b'C', b'B']);
    assert_eq!(&dcb.body[4..36], &sha2::Sha256::digest(&main)[..]);
    assert_eq!(
        qianyue_dcb::decompress(&main, &dcb.body).as_deref(),
        Some(&journey[..])
    );

    // Anything else gets brotli as before: another build's dictionary, no dcb accepted, a
    // header that is not a byte sequence, no header.
    let br = r.get(journey_name, &[("Accept-Encoding", "br")]);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(
        br.header("vary"),
        Some("accept-encoding, available-dictionary")
    );
    let other = format!(
        ":{}:",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(b"another build"))
    );
    for (accept, available) in [
        ("br, dcb", other.as_str()),
        ("br", held.as_str()),
        ("br, dcb;q=0", held.as_str()),
        ("br, dcb", held.trim_matches(':')),
    ] {
        let got = with(accept, available);
        assert_eq!(
            got.header("content-encoding"),
            Some("br"),
            "{accept} {available}"
        );
        assert_eq!(got.body, br.body);
    }
    assert!(
        dcb.body.len() * 2 < br.body.len(),
        "dcb {} B against br {} B",
        dcb.body.len(),
        br.body.len()
    );
    // Only wasm files: the glue is brotli whatever the browser holds.
    let js = r.get(
        "/qianyue-0123456789abcdef.js",
        &[
            ("Accept-Encoding", "br, dcb"),
            ("Available-Dictionary", &held),
        ],
    );
    assert_eq!(js.header("content-encoding"), Some("br"));

    // Each coding has its own ETag, and revalidates.
    let etag = dcb.header("etag").unwrap().to_owned();
    assert_ne!(Some(etag.as_str()), br.header("etag"));
    let again = r.get(
        journey_name,
        &[
            ("Accept-Encoding", "br, dcb"),
            ("Available-Dictionary", &held),
            ("If-None-Match", &etag),
        ],
    );
    assert_eq!(again.status, 304);

    // The dcb form is kept beside the file for the next start, and is not a URL of its own.
    assert!(dist.join(format!("{}.dcb", &journey_name[1..])).exists());
    assert_eq!(r.get(&format!("{journey_name}.dcb"), &[]).status, 404);
    r.assert_no_panic();
}
