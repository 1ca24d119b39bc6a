//! Staff devices and consents witnessed in person over loopback with the real binary (issue 19;
//! docs/staff.md): enrolment codes, device-signed calls, requests assigned to a manager,
//! photos stored sealed, and `qianyue-consent/3` consents accepted only from an enrolled,
//! unrevoked device of the manager the request is assigned to.

mod common;

use common::{backends, http, now_unix, test_key, uuid};
use common::{Backend, HttpResponse, Options, Receiver, API_KEY};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use qianyue_domain::payload::{Jwk, SignedAt};
use qianyue_domain::staff::{self, Attachment, AttachmentKind, StaffMember};
use qianyue_domain::testing;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const MOBILE: &str = "13800138000";
const STAFF_ID: &str = "gz-0042";
const STAFF_NAME: &str = "陈晓明";

fn start(backend: Backend) -> Receiver {
    Receiver::start(Options::new(backend).with("QIANYUE_SMS", "dev"))
}

fn bearer() -> String {
    format!("Bearer {API_KEY}")
}

fn back_office(r: &Receiver, method: &str, path: &str, body: Option<&Value>) -> HttpResponse {
    let auth = bearer();
    let text = body.map(Value::to_string).unwrap_or_default();
    let mut headers = vec![("Authorization", auth.as_str())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    http(r.addr, method, path, &headers, text.as_bytes()).expect("back office call")
}

/// A request for the seed's form assigned to `assignee`, with a callback URL; its id.
fn create_request(r: &Receiver, assignee: &str) -> String {
    let today = SignedAt::from_unix_seconds(now_unix()).unwrap();
    let body = json!({
        "form": serde_json::to_value(testing::seed_form_signed_at(today)).unwrap(),
        "readonly": ["contract_no", "customer", "orders"],
        "signer": {"name": "张晓梅", "mobile": MOBILE},
        "expires_at": SignedAt::from_unix_seconds(now_unix() + 7 * 86_400).unwrap().to_string(),
        "callback_url": "http://127.0.0.1:9/hook",
        "locale": "zh-CN",
        "assignee": assignee,
    });
    let resp = back_office(r, "POST", "/api/requests", Some(&body));
    assert_eq!(resp.status, 201, "{}", resp.text());
    resp.json()["id"].as_str().unwrap().to_owned()
}

/// A new enrolment for `who`: (device id, code).
fn new_enrolment(r: &Receiver, who: (&str, &str)) -> (String, String) {
    let body = json!({"staff": {"id": who.0, "name": who.1}});
    let resp = back_office(r, "POST", "/api/devices", Some(&body));
    assert_eq!(resp.status, 201, "{}", resp.text());
    let j = resp.json();
    let code = j["enrolment_code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 9, "grouped XXXX-XXXX: {code}");
    (j["id"].as_str().unwrap().to_owned(), code)
}

fn enrol_with(r: &Receiver, code: &str, key: &Value) -> HttpResponse {
    http(
        r.addr,
        "POST",
        "/api/devices/enrol",
        &[("Content-Type", "application/json")],
        json!({"enrolment_code": code, "public_key": key})
            .to_string()
            .as_bytes(),
    )
    .unwrap()
}

fn jwk_of(key: &SigningKey) -> Value {
    serde_json::to_value(Jwk::from_verifying_key(key.verifying_key())).unwrap()
}

/// An enrolled device of `who` with `key`: its id.
fn enrolled(r: &Receiver, who: (&str, &str), key: &SigningKey) -> String {
    let (id, code) = new_enrolment(r, who);
    let resp = enrol_with(r, &code, &jwk_of(key));
    assert_eq!(resp.status, 201, "{}", resp.text());
    assert_eq!(
        resp.json(),
        json!({"device": {"id": id, "staff": {"id": who.0, "name": who.1}}})
    );
    id
}

/// The device-signature headers of a call at `t`.
fn signed_headers(
    key: &SigningKey,
    device: &str,
    method: &str,
    path: &str,
    t: i64,
) -> Vec<(String, String)> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let message = staff::device_request_message(method, path, t);
    let sig: Signature = key.sign(message.as_bytes());
    vec![
        ("Qianyue-Device".into(), device.to_owned()),
        (
            "Qianyue-Device-Signature".into(),
            format!("t={t},sig={}", URL_SAFE_NO_PAD.encode(sig.to_bytes())),
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
fn device_call(
    r: &Receiver,
    key: &SigningKey,
    device: &str,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    t: i64,
) -> HttpResponse {
    let signed = signed_headers(key, device, method, path, t);
    let mut headers: Vec<(&str, &str)> = signed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    headers.extend_from_slice(extra);
    http(r.addr, method, path, &headers, body).unwrap()
}

fn assigned(r: &Receiver, key: &SigningKey, device: &str) -> HttpResponse {
    device_call(
        r,
        key,
        device,
        "GET",
        "/api/staff/requests",
        &[],
        b"",
        now_unix(),
    )
}

/// A photo: JPEG's first bytes, a marker to look for in the database file, padding.
fn photo(len: usize) -> Vec<u8> {
    let mut b = vec![0xff, 0xd8, 0xff, 0xe0];
    b.extend_from_slice(b"PHOTO-IN-CLEAR-MARKER");
    while b.len() < len {
        b.push((b.len() % 251) as u8);
    }
    b
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn upload(r: &Receiver, key: &SigningKey, device: &str, bytes: &[u8], media: &str) -> HttpResponse {
    let path = format!("/api/attachments/{}", sha256_hex(bytes));
    device_call(
        r,
        key,
        device,
        "PUT",
        &path,
        &[("Content-Type", media)],
        bytes,
        now_unix(),
    )
}

/// A `qianyue-consent/3` envelope for the request, witnessed by `device` (id, key) of the
/// staff member `staff`, naming `photo`.
fn witnessed(
    request_id: &str,
    id: &str,
    staff_member: (&str, &str),
    device: (&str, &SigningKey),
    photo: &[u8],
) -> Vec<u8> {
    let now = SignedAt::from_unix_seconds(now_unix()).unwrap();
    let identity = qianyue_domain::identity::Identity::sms("138****8000", now);
    let mut witness = testing::witness_record(device.1);
    witness.staff = StaffMember {
        id: staff_member.0.into(),
        name: staff_member.1.into(),
    };
    witness.device = device.0.to_owned();
    witness.checked_at = now.to_string();
    witness.attachments = vec![Attachment {
        kind: AttachmentKind::AuthorisationLetter,
        media_type: "image/jpeg".into(),
        bytes: photo.len() as u64,
        sha256: sha256_hex(photo),
    }];
    let p = testing::payload_for_request(
        testing::seed_form_signed_at(now),
        now,
        id,
        request_id,
        identity,
        &test_key(),
    )
    .witnessed(request_id, witness);
    testing::sign_witnessed(&p, &test_key(), device.1).into_bytes()
}

fn post_consent(r: &Receiver, body: &[u8]) -> HttpResponse {
    r.post_json(body)
}

fn request_view(r: &Receiver, id: &str) -> Value {
    let resp = back_office(r, "GET", &format!("/api/requests/{id}"), None);
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp.json()
}

fn other_key() -> SigningKey {
    let d: Vec<u8> = (0x41..=0x60).collect();
    SigningKey::from_slice(&d).unwrap()
}

// ------------------------------------------------------------------------------------------

/// A code enrols once; used, wrong or expired, one refusal; a bad key is refused before the
/// code is spent; the back office lists the devices with their status and revokes one.
#[test]
fn enrolment_codes_work_once_and_the_back_office_lists_and_revokes() {
    for backend in backends() {
        let r = start(backend);
        let key = testing::device_test_key();
        let (id, code) = new_enrolment(&r, (STAFF_ID, STAFF_NAME));
        // Stored only hashed.
        let hashed: i64 = common::sql_value(
            &r.database_url,
            "SELECT COUNT(*) FROM staff_enrolments WHERE code_sha256 = $1",
            &sha256_hex(code.replace('-', "").as_bytes()),
        );
        assert_eq!(hashed, 1);

        let bad = enrol_with(
            &r,
            &code,
            &json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}),
        );
        assert_eq!(bad.status, 422, "{}", bad.text());
        assert_eq!(bad.code(), "public_key.invalid");
        let wrong = enrol_with(&r, "ZZZZ-ZZZZ", &jwk_of(&key));
        assert_eq!(wrong.status, 403, "{}", wrong.text());
        assert_eq!(wrong.code(), "enrolment.code_invalid");

        let ok = enrol_with(&r, &code.to_lowercase(), &jwk_of(&key));
        assert_eq!(ok.status, 201, "{backend:?}: {}", ok.text());
        assert_eq!(ok.json()["device"]["id"], id.as_str());
        let again = enrol_with(&r, &code, &jwk_of(&other_key()));
        assert_eq!(again.status, 403);
        assert_eq!(again.code(), "enrolment.code_invalid");

        // An expired code: the same refusal.
        let (_, old) = new_enrolment(&r, ("gz-0043", "李娜"));
        common::sql_execute(
            &r.database_url,
            "UPDATE staff_enrolments SET expires_unix = expires_unix - 901 WHERE code_sha256 = $1",
            &[sha256_hex(old.replace('-', "").as_bytes()).as_str()],
        );
        let expired = enrol_with(&r, &old, &jwk_of(&other_key()));
        assert_eq!(expired.status, 403);
        assert_eq!(expired.code(), "enrolment.code_invalid");
        let (pending, _) = new_enrolment(&r, ("gz-0044", "王芳"));

        let list = back_office(&r, "GET", "/api/devices", None);
        assert_eq!(list.status, 200);
        let items = list.json()["items"].as_array().unwrap().clone();
        let status_of = |id: &str| {
            items.iter().find(|i| i["id"] == id).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(items.len(), 3);
        assert_eq!(status_of(&id), "enrolled");
        assert_eq!(status_of(&pending), "pending");
        let enrolled_item = items.iter().find(|i| i["id"] == id.as_str()).unwrap();
        assert_eq!(
            enrolled_item["staff"],
            json!({"id": STAFF_ID, "name": STAFF_NAME})
        );
        assert_eq!(
            enrolled_item["key_thumbprint"],
            Jwk::from_verifying_key(key.verifying_key()).thumbprint()
        );
        assert!(items.iter().any(|i| i["status"] == "expired"));

        let revoked = back_office(&r, "DELETE", &format!("/api/devices/{id}"), None);
        assert_eq!(revoked.status, 200, "{}", revoked.text());
        assert_eq!(revoked.json()["status"], "revoked");
        assert!(revoked.json()["revoked_at"].is_string());
        // A code revoked before use: the same refusal, listed as revoked.
        let (unused, unused_code) = new_enrolment(&r, ("gz-0045", "赵磊"));
        let resp = back_office(&r, "DELETE", &format!("/api/devices/{unused}"), None);
        assert_eq!(resp.json()["status"], "revoked");
        let late = enrol_with(&r, &unused_code, &jwk_of(&other_key()));
        assert_eq!(late.status, 403);
        assert_eq!(late.code(), "enrolment.code_invalid");
        let unknown = back_office(&r, "DELETE", &format!("/api/devices/{}", uuid()), None);
        assert_eq!(unknown.status, 404);
        assert_eq!(unknown.code(), "device.unknown");
        // Without the key: 401.
        let anon = r.get("/api/devices", &[]);
        assert_eq!(anon.status, 401);
        r.assert_no_panic();
    }
}

/// Device-signed calls: a good signature lists only its manager's open requests; a bad
/// signature, an old time, an unknown device are 401 `device.unknown`; revoked, 403.
#[test]
fn device_calls_are_signed_and_list_only_their_managers_requests() {
    for backend in backends() {
        let r = start(backend);
        let key = testing::device_test_key();
        let device = enrolled(&r, (STAFF_ID, STAFF_NAME), &key);
        let mine = create_request(&r, STAFF_ID);
        let _theirs = create_request(&r, "gz-0099");
        let revoked = create_request(&r, STAFF_ID);
        assert_eq!(
            back_office(&r, "DELETE", &format!("/api/requests/{revoked}"), None).status,
            200
        );
        assert_eq!(request_view(&r, &mine)["assignee"], STAFF_ID);

        let ok = assigned(&r, &key, &device);
        assert_eq!(ok.status, 200, "{backend:?}: {}", ok.text());
        let items = ok.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["id"], mine.as_str());
        assert_eq!(
            items[0]["signer"],
            json!({"name": "张晓梅", "mobile": "138****8000"})
        );
        assert_eq!(
            items[0]["readonly"],
            json!(["contract_no", "customer", "orders"])
        );
        assert!(items[0]["form"]["agent"].is_object());

        // Signed by another key, too old, unknown device.
        let forged = device_call(
            &r,
            &other_key(),
            &device,
            "GET",
            "/api/staff/requests",
            &[],
            b"",
            now_unix(),
        );
        assert_eq!(forged.status, 401);
        assert_eq!(forged.code(), "device.unknown");
        let old = device_call(
            &r,
            &key,
            &device,
            "GET",
            "/api/staff/requests",
            &[],
            b"",
            now_unix() - 301,
        );
        assert_eq!(old.status, 401);
        let stranger = device_call(
            &r,
            &key,
            &uuid(),
            "GET",
            "/api/staff/requests",
            &[],
            b"",
            now_unix(),
        );
        assert_eq!(stranger.status, 401);
        // The signature covers the path: another path's signature does not do.
        let signed = signed_headers(&key, &device, "GET", "/api/staff/requests?x=1", now_unix());
        let h: Vec<(&str, &str)> = signed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(r.get("/api/staff/requests", &h).status, 401);
        let none = r.get("/api/staff/requests", &[]);
        assert_eq!(none.status, 401);

        back_office(&r, "DELETE", &format!("/api/devices/{device}"), None);
        let after = assigned(&r, &key, &device);
        assert_eq!(after.status, 403);
        assert_eq!(after.code(), "device.revoked");
        r.assert_no_panic();
    }
}

/// Issue 19 item 3 and 4: a witnessed consent for the manager's request, from the enrolled
/// device, with its photo uploaded, is stored (201, a receipt), the request is signed, the
/// signer gets one text naming the agreement, the manager and the link, the webhook names the
/// witness; a replay answers the first receipt; the photo is sealed at rest.
#[test]
fn a_witnessed_consent_is_accepted_texted_and_its_photo_sealed() {
    for backend in backends() {
        let r = start(backend);
        let key = testing::device_test_key();
        let device = enrolled(&r, (STAFF_ID, STAFF_NAME), &key);
        let request = create_request(&r, STAFF_ID);
        let picture = photo(40_000);

        // The photo not uploaded yet: refused, nothing stored.
        let id = uuid();
        let body = witnessed(
            &request,
            &id,
            (STAFF_ID, STAFF_NAME),
            (device.as_str(), &key),
            &picture,
        );
        let missing = post_consent(&r, &body);
        assert_eq!(missing.status, 422, "{}", missing.text());
        assert_eq!(missing.code(), "witness.attachment_missing");
        assert_eq!(missing.field_paths(), ["witness.attachments.0"]);

        let up = upload(&r, &key, &device, &picture, "image/jpeg");
        assert_eq!(up.status, 201, "{}", up.text());
        assert_eq!(
            upload(&r, &key, &device, &picture, "image/jpeg").status,
            200
        );

        let sent = post_consent(&r, &body);
        assert_eq!(sent.status, 201, "{backend:?}: {}", sent.text());
        let receipt = sent.json();
        let view = request_view(&r, &request);
        assert_eq!(view["status"], "signed");
        assert_eq!(view["consent_id"], id.as_str());

        let texts = r.get("/dev/sms", &[]).json();
        let texts = texts.as_array().unwrap();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert_eq!(texts[0]["to"], MOBILE);
        let text = texts[0]["text"].as_str().unwrap();
        assert!(text.contains("《中国移动广东公司业务协议》"), "{text}");
        assert!(text.contains("客户经理陈晓明见证"), "{text}");
        assert!(
            text.contains(&format!("/api/consents/{id}/evidence.pdf?sha256=")),
            "{text}"
        );

        let hook: String = common::sql_value(
            &r.database_url,
            "SELECT body FROM webhook_deliveries WHERE request_id = $1 AND type = 'request.signed'",
            &request,
        );
        let hook: Value = serde_json::from_str(&hook).unwrap();
        assert_eq!(
            hook["witness"],
            json!({"staff": {"id": STAFF_ID, "name": STAFF_NAME}, "device": device})
        );
        assert_eq!(hook["consent_id"], id.as_str());
        let opened: String = common::sql_value(
            &r.database_url,
            "SELECT body FROM webhook_deliveries WHERE request_id = $1 AND type = 'request.opened'",
            &request,
        );
        assert!(!opened.contains("witness"));

        let verification: String = common::sql_value(
            &r.database_url,
            "SELECT verification FROM consents WHERE id = $1",
            &id,
        );
        let verification: Value = serde_json::from_str(&verification).unwrap();
        assert_eq!(verification["witness"]["device"], device.as_str());
        let linked: String = common::sql_value(
            &r.database_url,
            "SELECT consent_id FROM attachments WHERE sha256 = $1",
            &sha256_hex(&picture),
        );
        assert_eq!(linked, id);

        // Sent again (the outbox retrying): the first receipt, no second text.
        let again = post_consent(&r, &body);
        assert_eq!(again.status, 200, "{}", again.text());
        assert_eq!(again.json(), receipt);
        assert_eq!(r.get("/dev/sms", &[]).json().as_array().unwrap().len(), 1);
        // Another consent for the signed request: 409.
        let other = witnessed(
            &request,
            &uuid(),
            (STAFF_ID, STAFF_NAME),
            (device.as_str(), &key),
            &picture,
        );
        let conflict = post_consent(&r, &other);
        assert_eq!(conflict.status, 409, "{}", conflict.text());
        assert_eq!(conflict.code(), "request.signed");

        if backend == Backend::Sqlite {
            let mut raw = Vec::new();
            for entry in std::fs::read_dir(&r.data_dir).unwrap() {
                let p = entry.unwrap().path();
                if p.to_string_lossy().contains("c.sqlite3") {
                    raw.extend(std::fs::read(&p).unwrap());
                }
            }
            assert!(!raw.is_empty());
            let marker = b"PHOTO-IN-CLEAR-MARKER";
            assert!(
                !raw.windows(marker.len()).any(|w| w == marker),
                "the photo is in clear"
            );
            use base64::Engine as _;
            let b64 = base64::engine::general_purpose::STANDARD.encode(&picture[..30]);
            let b64 = &b64.as_bytes()[..24];
            assert!(
                !raw.windows(b64.len()).any(|w| w == b64),
                "the photo's base64 is in clear"
            );
        }
        r.assert_no_panic();
    }
}

/// The refusals: an unenrolled key, a revoked device, a request assigned to another manager,
/// a request revoked while the device was offline, a photo over the limit or of another type
/// or digest.
#[test]
fn witnessed_consents_are_refused_with_their_codes() {
    for backend in backends() {
        let r = start(backend);
        let key = testing::device_test_key();
        let device = enrolled(&r, (STAFF_ID, STAFF_NAME), &key);
        let picture = photo(10_000);
        assert_eq!(
            upload(&r, &key, &device, &picture, "image/jpeg").status,
            201
        );
        let refused = |body: &[u8], status: u16, code: &str| {
            let resp = post_consent(&r, body);
            assert_eq!(resp.status, status, "{backend:?} {code}: {}", resp.text());
            assert_eq!(resp.code(), code);
        };

        // Another key under the enrolled device's id (both signatures verify).
        let request = create_request(&r, STAFF_ID);
        let stranger = other_key();
        let body = witnessed(
            &request,
            &uuid(),
            (STAFF_ID, STAFF_NAME),
            (device.as_str(), &stranger),
            &picture,
        );
        refused(&body, 403, "device.unknown");
        // A device id never enrolled.
        let body = witnessed(
            &request,
            &uuid(),
            (STAFF_ID, STAFF_NAME),
            (uuid().as_str(), &key),
            &picture,
        );
        refused(&body, 403, "device.unknown");
        // Another manager's device, for this manager's request: not assigned to them.
        let other_device = enrolled(&r, ("gz-0099", "李娜"), &stranger);
        let body = witnessed(
            &request,
            &uuid(),
            ("gz-0099", "李娜"),
            (other_device.as_str(), &stranger),
            &picture,
        );
        refused(&body, 403, "request.not_assigned");
        // The right device claiming another manager: unknown.
        let theirs = create_request(&r, "gz-0099");
        let body = witnessed(
            &theirs,
            &uuid(),
            ("gz-0099", "李娜"),
            (device.as_str(), &key),
            &picture,
        );
        refused(&body, 403, "device.unknown");

        // Revoked while the device was offline.
        let body = witnessed(
            &request,
            &uuid(),
            (STAFF_ID, STAFF_NAME),
            (device.as_str(), &key),
            &picture,
        );
        assert_eq!(
            back_office(&r, "DELETE", &format!("/api/requests/{request}"), None).status,
            200
        );
        refused(&body, 410, "request.revoked");

        // A revoked device.
        let fresh = create_request(&r, STAFF_ID);
        back_office(&r, "DELETE", &format!("/api/devices/{device}"), None);
        let body = witnessed(
            &fresh,
            &uuid(),
            (STAFF_ID, STAFF_NAME),
            (device.as_str(), &key),
            &picture,
        );
        refused(&body, 403, "device.revoked");
        assert_eq!(request_view(&r, &fresh)["status"], "open");

        // Photos: over the limit, another type, another digest (by the other, live device).
        let big = photo(staff::MAX_ATTACHMENT_BYTES as usize + 1);
        let resp = upload(&r, &stranger, &other_device, &big, "image/jpeg");
        assert_eq!(resp.status, 413, "{}", resp.text());
        assert_eq!(resp.code(), "witness.attachment_size");
        let resp = upload(&r, &stranger, &other_device, &photo(100), "image/gif");
        assert_eq!(resp.status, 415);
        assert_eq!(resp.code(), "witness.attachment_type");
        let path = format!("/api/attachments/{}", sha256_hex(b"something else"));
        let resp = device_call(
            &r,
            &stranger,
            &other_device,
            "PUT",
            &path,
            &[("Content-Type", "image/png")],
            &photo(100),
            now_unix(),
        );
        assert_eq!(resp.status, 422);
        assert_eq!(resp.code(), "witness.attachment_sha256");
        // Revoked: its uploads too.
        let resp = upload(&r, &key, &device, &photo(200), "image/jpeg");
        assert_eq!(resp.status, 403);
        assert_eq!(resp.code(), "device.revoked");

        assert!(r.stored_ids().is_empty());
        assert!(r.get("/dev/sms", &[]).json().as_array().unwrap().is_empty());
        r.assert_no_panic();
    }
}

/// `assignee` follows the staff id rule.
#[test]
fn an_assignee_is_a_staff_id() {
    let r = start(Backend::Sqlite);
    let today = SignedAt::from_unix_seconds(now_unix()).unwrap();
    let body = json!({
        "form": serde_json::to_value(testing::seed_form_signed_at(today)).unwrap(),
        "signer": {"name": "张晓梅", "mobile": MOBILE},
        "expires_at": SignedAt::from_unix_seconds(now_unix() + 86_400).unwrap().to_string(),
        "assignee": "gz 0042",
    });
    let resp = back_office(&r, "POST", "/api/requests", Some(&body));
    assert_eq!(resp.status, 422, "{}", resp.text());
    assert_eq!(resp.field_paths(), ["assignee"]);
}

/// Two witnessed consents for one request at once (two devices of the manager, or a device
/// and its retry under another id): exactly one is stored, the other is 409 `request.signed`,
/// and the signer gets one text.
#[test]
fn two_witnessed_consents_at_once_store_exactly_one() {
    for backend in backends() {
        let r = start(backend);
        let key = testing::device_test_key();
        let device = enrolled(&r, (STAFF_ID, STAFF_NAME), &key);
        let second_key = other_key();
        let second = enrolled(&r, (STAFF_ID, STAFF_NAME), &second_key);
        let picture = photo(5_000);
        assert_eq!(
            upload(&r, &key, &device, &picture, "image/jpeg").status,
            201
        );
        let request = create_request(&r, STAFF_ID);
        let bodies = [
            witnessed(
                &request,
                &uuid(),
                (STAFF_ID, STAFF_NAME),
                (device.as_str(), &key),
                &picture,
            ),
            witnessed(
                &request,
                &uuid(),
                (STAFF_ID, STAFF_NAME),
                (second.as_str(), &second_key),
                &picture,
            ),
        ];
        let addr = r.addr;
        let statuses: Vec<(u16, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = bodies
                .iter()
                .map(|b| {
                    s.spawn(move || {
                        let resp = http(
                            addr,
                            "POST",
                            "/api/consents",
                            &[("Content-Type", "application/json")],
                            b,
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
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [(201, String::new()), (409, "request.signed".to_owned())],
            "{backend:?}"
        );
        assert_eq!(r.stored_ids().len(), 1);
        assert_eq!(r.get("/dev/sms", &[]).json().as_array().unwrap().len(), 1);
        r.assert_no_panic();
    }
}

/// contract.md §8: the staff mode `/staff` is the app's page (it reads its path itself), as the
/// signer's link `/s/<token>` is; nothing below it is.
#[test]
fn the_staff_mode_is_the_apps_page() {
    let dist = common::temp_dir("dist");
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>Qianyue</title>",
    )
    .unwrap();
    let mut opts = Options::new(Backend::Sqlite);
    opts.dist = Some(dist);
    let r = Receiver::start(opts);
    for path in ["/staff", "/staff/"] {
        let page = r.get(path, &[]);
        assert_eq!(page.status, 200, "{path}");
        assert!(page.text().contains("<title>Qianyue</title>"), "{path}");
        assert!(page.header("content-security-policy").is_some(), "{path}");
    }
    assert_eq!(r.get("/staff/x", &[]).status, 404);
    assert_eq!(r.get("/staffing", &[]).status, 404);
}
