//! The HTTP handlers: `POST /api/consents`, `GET /api/consents/{id}`, `GET /api/keys`,
//! `/healthz`, the app's files, and the JSON refusal every 4xx carries.
//!
//! The decisions are the domain's (`payload::verify_envelope`, `check_form_canonical`,
//! `check_payload`); this module only maps them to HTTP and to a stored record.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use qianyue_domain::payload::{self, Rejection, SignedAt};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::store::{Outcome, Record};
use crate::transport::Peer;
use crate::App;

qianyue_domain::rule_errors! {
    /// Refusals of the HTTP layer (the payload's own are in `payload`).
    pub enum HttpRule {
        ContentType => "request.content_type", "请求的 Content-Type 应为 application/json", "The request's Content-Type must be application/json";
        TooLarge => "request.too_large", "请求内容过大", "The request body is too large";
        BodyUnreadable => "request.body", "无法读取请求内容", "The request body could not be read";
        BodyTimeout => "request.timeout", "请求内容发送超时", "The request body took too long to arrive";
        Conflict => "consent.conflict", "该幂等标识已用于另一份签约数据", "This idempotency id was already used for a different payload";
        NotFound => "not_found", "未找到", "Not found";
        MethodNotAllowed => "method_not_allowed", "不支持该请求方法", "This method is not allowed here";
        Unauthorized => "auth.required", "需要有效的访问令牌", "A valid bearer token is required";
        AdminDisabled => "auth.disabled", "未配置后台访问令牌，该接口已关闭", "No back-office token is configured; this endpoint is off";
        StoreUnavailable => "store.unavailable", "暂时无法保存，请稍后重试", "The consent cannot be stored right now; please retry";
        RateLimited => "request.rate_limited", "提交过于频繁，请稍后重试", "Too many submissions from this address; please retry later";
        Busy => "server.busy", "服务器繁忙，请稍后重试", "The server is busy; please retry shortly";
        AuthThrottled => "auth.throttled", "令牌错误次数过多，请稍后再试", "Too many wrong tokens from this address; please wait and retry";
        AuditUnavailable => "audit.unavailable", "无法写入审计日志，暂不提供查询", "The audit log cannot be written; reads are unavailable";
    }
}

/// A JSON response with `Cache-Control: no-store`.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Whether the Content-Type is `application/json`, with at most a `charset=utf-8` parameter.
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';').map(str::trim);
    let media = parts.next().unwrap_or("");
    media.eq_ignore_ascii_case("application/json")
        && parts.all(|p| {
            p.is_empty() || {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                k.trim().eq_ignore_ascii_case("charset")
                    && v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
        })
}

/// How long a client may take to send a consent's body.
pub(crate) const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A JSON body (a consent, a back-office call, a typed code): `application/json`, at most
/// `QIANYUE_MAX_BODY_BYTES` (a declared length over it refused before any of the body is
/// read), within [`BODY_TIMEOUT`].
pub(crate) async fn read_json_body(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<axum::body::Bytes, ApiError> {
    if !is_json(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HttpRule::ContentType,
        ));
    }
    let max = app.config.max_body;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            HttpRule::TooLarge,
        ));
    }
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, max)).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) if is_length_limit(&e) => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            HttpRule::TooLarge,
        )),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            HttpRule::BodyUnreadable,
        )),
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            HttpRule::BodyTimeout,
        )),
    }
}

/// `POST /api/consents`.
pub async fn post_consent(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    // Per client address, before anything else (src/access.rs).
    app.guard.consent_rate(peer).map_err(|wait| {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, HttpRule::RateLimited).retry_after(wait)
    })?;
    let body = read_json_body(&app, &headers, body).await?;
    // Verifying and storing: at most QIANYUE_MAX_CONCURRENT_CONSENTS at once; beyond that the
    // load is shed now rather than queued (the app's outbox retries after Retry-After).
    let Some(_slot) = app.guard.consent_slot() else {
        return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, HttpRule::Busy).retry_after(1));
    };
    let now = now_unix();

    // Is it a signed payload? (parse, canonicalize, verify ES256)
    let verified = payload::verify_envelope_with(&body, verify_es256_ring)?;
    // Only for a signing request (a `qianyue-consent/2` payload, checked against its request
    // below), unless the deployment keeps the open mode (QIANYUE_OPEN_SIGNING=1;
    // docs/requests.md).
    let for_request = verified.payload.is_for_request();
    if !for_request && !app.config.open_signing {
        return Err(ApiError::rejected(
            StatusCode::FORBIDDEN,
            Rejection::of(qianyue_domain::request::RequestRule::Required, "request"),
        ));
    }
    // A version this receiver was told not to accept (QIANYUE_AGREEMENT_VERSIONS).
    if let Some(accepted) = &app.config.agreement_versions {
        if !accepted.contains(&verified.payload.agreement.version) {
            return Err(ApiError::rejected(
                StatusCode::UNPROCESSABLE_ENTITY,
                Rejection::of(payload::PayloadRule::VersionUnknown, "agreement.version"),
            ));
        }
    }
    // Does it keep the agreement's rules, as on the day it was signed?
    // Signed on its signing date, within the offline allowance (payload::check_signing_time).
    let checked = payload::check_form_canonical(&verified)
        .and_then(|()| {
            let allowance = app.config.offline_allowance_days;
            payload::check_signing_time(&verified.payload, now, allowance)
        })
        .and_then(|()| payload::check_payload(&verified.payload, now))
        .map_err(|r| ApiError::rejected(StatusCode::UNPROCESSABLE_ENTITY, r))?;

    let received_at = SignedAt::from_unix_seconds(now).unwrap_or(checked.signed_at);
    let record = stored_record(&app, &verified, &checked, received_at);
    // A request's consent: its own transaction, with the request (crate::requests::identity).
    if for_request {
        return crate::requests::identity::store_for_request(&app, record, &verified.payload, now)
            .await;
    }
    let id = record.id.clone();
    match app.store.put(record).await {
        Ok(Outcome::Stored(receipt)) => Ok(json_response(StatusCode::CREATED, receipt)),
        Ok(Outcome::Replayed(receipt)) => Ok(json_response(StatusCode::OK, receipt)),
        Ok(Outcome::Conflict) => Err(ApiError::rejected(
            StatusCode::CONFLICT,
            Rejection::of(HttpRule::Conflict, "idempotency_id"),
        )),
        Err(e) => {
            eprintln!("qianyue-receiver: storing {id} failed: {e}");
            Err(
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, HttpRule::StoreUnavailable)
                    .retry_after(1),
            )
        }
    }
}

/// The row of an accepted consent: what was signed, what was checked, and the signed receipt
/// the receiver answers (made here, stored with it, answered again on a replay).
fn stored_record(
    app: &App,
    verified: &payload::VerifiedPayload,
    checked: &payload::Checked,
    received_at: SignedAt,
) -> Record {
    let receipt = payload::Receipt::for_payload(verified, received_at, app.key.kid());
    let receipt_bytes = receipt.signing_bytes();
    let receipt_json = payload::Receipt::envelope_of(&receipt_bytes, &app.key.sign(&receipt_bytes));
    let p = &verified.payload;
    let verification = Verification {
        checks: payload::CHECKS,
        judged_on: checked.signing_date.to_string(),
        previews_recomputed: &checked.previews,
        received_at: received_at.to_string(),
        receiver: concat!("qianyue-receiver ", env!("CARGO_PKG_VERSION")),
        signature: SignatureFacts {
            alg: "ES256",
            signer_key: &verified.key_thumbprint,
        },
    };
    Record {
        id: p.idempotency_id.clone(),
        payload_sha256: verified.payload_sha256.clone(),
        payload: String::from_utf8_lossy(&verified.canonical).into_owned(),
        signature: base64_url(&verified.signature),
        signer_key: verified.key_thumbprint.clone(),
        agreement_id: p.agreement.id.clone(),
        agreement_version: p.agreement.version.clone(),
        signed_at: p.signed_at.clone(),
        received_at: received_at.to_string(),
        // Written straight from the struct (no intermediate JSON value: this runs per consent).
        verification: serde_json::to_string(&verification).unwrap_or_default(),
        receipt: receipt_json,
    }
}

/// The `verification` column: what was checked, on which date, with which figures.
#[derive(serde::Serialize)]
struct Verification<'a> {
    checks: [&'static str; 10],
    judged_on: String,
    previews_recomputed: &'a qianyue_domain::preview::Preview,
    received_at: String,
    receiver: &'static str,
    signature: SignatureFacts<'a>,
}

#[derive(serde::Serialize)]
struct SignatureFacts<'a> {
    alg: &'static str,
    signer_key: &'a str,
}

/// The ES256 primitive with `ring` (payload::Es256Verifier): the same answers as the domain's
/// `p256` implementation, checked by this crate's tests, at several times the speed.
pub fn verify_es256_ring(point: &[u8; 65], message: &[u8], signature: &[u8; 64]) -> bool {
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
        .verify(message, signature)
        .is_ok()
}

/// Whether a body error is the length limit (`http_body_util::LengthLimitError`, which axum's
/// `to_bytes` reports inside its error).
pub(crate) fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The back office's bearer check, one for the admin token and the API keys: an address that
/// sent too many wrong tokens waits (429, whatever it sends now); the presented token (empty
/// if none) goes to `accept`; a refusal counts against the address and is a 401 with the
/// bearer challenge.
// A refusal is answered at once by the handler that asked: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub(crate) fn check_bearer<T>(
    app: &App,
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    accept: impl FnOnce(&str) -> Option<T>,
) -> Result<T, ApiError> {
    if let Some(wait) = app.guard.admin_failures.exhausted(peer) {
        return Err(
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, HttpRule::AuthThrottled).retry_after(wait),
        );
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::access::bearer)
        .unwrap_or("");
    accept(presented).ok_or_else(|| {
        let _ = app.guard.admin_failures.take(peer);
        ApiError::new(StatusCode::UNAUTHORIZED, HttpRule::Unauthorized).challenge()
    })
}

/// Whether the query asks for the ID numbers whole (`unmask=true`).
fn asks_unmask(uri: &Uri) -> bool {
    uri.query()
        .is_some_and(|q| q.split('&').any(|p| p == "unmask=true"))
}

/// The payload as the back office sees it by default (contract.md §7): the form's ID numbers
/// masked as the app masks them (`normalise::masked_id_number`, judged on the signing date),
/// so `4403**********5316`; a form that does not read as one is masked whole.
fn mask_id_numbers(payload: &mut Value) {
    use qianyue_domain::normalise::{masked_id_number, ID_NUMBER_PATHS};
    let form = serde_json::from_value::<qianyue_domain::form::Form>(payload["form"].clone()).ok();
    let day = payload["signed_at"]
        .as_str()
        .and_then(|s| SignedAt::parse(s).ok())
        .map(|t| t.date());
    for path in ID_NUMBER_PATHS {
        let Some((section, field)) = path.split_once('.') else {
            continue;
        };
        let Some(slot) = payload
            .get_mut("form")
            .and_then(|f| f.get_mut(section))
            .and_then(|s| s.get_mut(field))
        else {
            continue;
        };
        let masked = match (&form, day) {
            (Some(f), Some(d)) => masked_id_number(f, path, d),
            _ => "*".repeat(slot.as_str().map_or(0, |s| s.chars().count())),
        };
        *slot = Value::String(masked);
    }
}

/// `GET /api/consents/{id}` for the back office (the admin token, or an API key with the
/// `read` scope): the payload's ID numbers masked unless the call asks `?unmask=true`, which
/// needs the `unmask` scope (contract.md §7; the admin token has every scope).
pub async fn get_consent(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let unmask = asks_unmask(&uri);
    // The admin token or an API key with `read`; `unmask` to see ID numbers whole
    // (crate::office::authorize).
    let caller = crate::office::authorize(&app, peer, &headers, crate::office::Scope::Read)?;
    if unmask {
        caller.require(crate::office::Scope::Unmask)?;
    }
    if !payload::is_uuid_v4(&id) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, HttpRule::NotFound));
    }
    let found = app.store.get(&id).await;
    // Every read that reaches the store is recorded before it is answered: when, by which
    // token (a fingerprint), which id, found or not. No personal data.
    if let Ok(record) = &found {
        let event = json!({
            "at": SignedAt::from_unix_seconds(now_unix()).map(|t| t.to_string()),
            "event": "consent.read",
            "who": caller.who,
            "id": id,
            "found": record.is_some(),
            "unmasked": unmask,
        });
        if let Err(e) = app.guard.audit.write(&event) {
            eprintln!("qianyue-receiver: {e}");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                HttpRule::AuditUnavailable,
            ));
        }
    }
    match found {
        Ok(Some(r)) => {
            let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
            let mut payload = parse(&r.payload);
            if !unmask {
                mask_id_numbers(&mut payload);
            }
            let body = json!({
                "id": r.id,
                "received_at": r.received_at,
                "signed_at": r.signed_at,
                "agreement": {"id": r.agreement_id, "version": r.agreement_version},
                "payload_sha256": r.payload_sha256,
                "signer_key": r.signer_key,
                "payload": payload,
                "signature": r.signature,
                "verification": parse(&r.verification),
                "receipt": parse(&r.receipt),
            });
            Ok(json_response(StatusCode::OK, body.to_string()))
        }
        Ok(None) => Err(ApiError::new(StatusCode::NOT_FOUND, HttpRule::NotFound)),
        Err(e) => {
            eprintln!("qianyue-receiver: reading {id} failed: {e}");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                HttpRule::StoreUnavailable,
            ))
        }
    }
}

/// `GET /api/keys`: the receipt keys, the current one first, then the next and previous ones.
pub async fn get_keys(State(app): State<Arc<App>>) -> Response {
    let keys = payload::ReceiverKeys {
        keys: app.key.published().to_vec(),
    };
    let mut r = json_response(
        StatusCode::OK,
        serde_json::to_string(&keys).unwrap_or_default(),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

/// `GET /healthz`: 200 when the database answers.
pub async fn healthz(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    if app.store.ping().await {
        Ok(json_response(
            StatusCode::OK,
            json!({"status": "ok", "store": app.store.backend()}).to_string(),
        ))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            HttpRule::StoreUnavailable,
        ))
    }
}

/// Anything else: the app's files (GET/HEAD), or a JSON 404/405.
pub async fn fallback(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let path = uri.path();
    if path.starts_with("/api/") || path == "/api" {
        return Err(ApiError::new(StatusCode::NOT_FOUND, HttpRule::NotFound));
    }
    // The signer's link `/s/<token>` is the app's page (which reads the token itself).
    let signing_link = path
        .strip_prefix("/s/")
        .is_some_and(|t| !t.is_empty() && !t.contains('/'));
    // The staff mode `/staff` (docs/staff.md "The app") is the app's page too.
    let staff_mode = path == "/staff" || path == "/staff/";
    let key = if path == "/" || signing_link || staff_mode {
        "/index.html"
    } else {
        path
    };
    let Some(asset) = app.assets.files.get(key) else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, HttpRule::NotFound));
    };
    if method != Method::GET && method != Method::HEAD {
        return Err(method_not_allowed().await);
    }
    let accepts = |coding: &str| accepts_encoding(&headers, coding);
    // The browser holds this build's main module as a dictionary (qianyue_dcb).
    let holds_dictionary = || {
        let held = headers
            .get("available-dictionary")
            .and_then(|v| v.to_str().ok())
            .and_then(qianyue_dcb::available);
        held.is_some() && held == app.assets.dictionary.as_ref().map(|(_, hash)| *hash)
    };
    let (bytes, encoding, tag) = match (&asset.dcb, &asset.br, &asset.gzip) {
        (Some(dcb), _, _) if accepts(qianyue_dcb::CODING) && holds_dictionary() => {
            (dcb.clone(), Some(qianyue_dcb::CODING), "-dcb")
        }
        (_, Some(br), _) if accepts("br") => (br.clone(), Some("br"), "-br"),
        (_, _, Some(gz)) if accepts("gzip") => (gz.clone(), Some("gzip"), "-gz"),
        _ => (asset.identity.clone(), None, ""),
    };
    let etag = format!("{}{tag}\"", asset.etag.trim_end_matches('"'));
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut r = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(bytes))
    };
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(asset.cache_control),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if asset.dcb.is_some() {
        h.insert(header::VARY, HeaderValue::from_static(qianyue_dcb::VARY));
    } else {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if app
        .assets
        .dictionary
        .as_ref()
        .is_some_and(|(url, _)| url == key)
    {
        h.insert(
            "use-as-dictionary",
            HeaderValue::from_static(qianyue_dcb::USE_AS_DICTIONARY),
        );
    }
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    Ok(r)
}

/// Whether `Accept-Encoding` lists `coding` with a non-zero quality.
fn accepts_encoding(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            // `q=0`, `q=0.0`, `q=0.000`: not acceptable.
            let zero = parts.any(|p| {
                p.strip_prefix("q=")
                    .is_some_and(|q| q.trim().bytes().all(|b| b == b'0' || b == b'.'))
            });
            name.eq_ignore_ascii_case(coding) && !zero
        })
}

/// A JSON 405.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, HttpRule::MethodNotAllowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_must_be_json() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=UTF-8"));
        assert!(with("application/json;charset=\"utf-8\""));
        assert!(!with("application/json; charset=latin1"));
        assert!(!with("text/plain"));
        assert!(!with("application/jsonx"));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn ring_and_p256_agree_on_es256() {
        use p256::ecdsa::signature::Signer as _;
        use p256::ecdsa::{Signature, SigningKey};
        let mut agreed = 0;
        for k in 1..=40u8 {
            let key = SigningKey::from_slice(&[k; 32]).unwrap();
            let point: [u8; 65] = key
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .try_into()
                .unwrap();
            let message = format!("consent {k}").into_bytes();
            let sig: Signature = key.sign(&message);
            let (r, s) = sig.split_scalars();
            // The signature, its high/low-S twin, a flip in r, in s, in the message, another
            // key, and zeros.
            let twin = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
            type Case = ([u8; 65], Vec<u8>, [u8; 64], bool);
            let mut cases: Vec<Case> = vec![
                (point, message.clone(), sig.to_bytes().into(), true),
                (point, message.clone(), twin.to_bytes().into(), true),
            ];
            for at in [0usize, 31, 32, 63] {
                let mut bad: [u8; 64] = sig.to_bytes().into();
                bad[at] ^= 0x01;
                cases.push((point, message.clone(), bad, false));
            }
            let mut other_message = message.clone();
            other_message[0] ^= 0x20;
            cases.push((point, other_message, sig.to_bytes().into(), false));
            let other = SigningKey::from_slice(&[k.wrapping_add(100); 32]).unwrap();
            let other_point: [u8; 65] = other
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .try_into()
                .unwrap();
            cases.push((other_point, message.clone(), sig.to_bytes().into(), false));
            cases.push((point, message.clone(), [0u8; 64], false));
            for (p, m, s, expected) in cases {
                assert_eq!(verify_es256_ring(&p, &m, &s), expected);
                assert_eq!(payload::verify_es256(&p, &m, &s), expected);
                agreed += 1;
            }
        }
        assert_eq!(agreed, 40 * 9);
    }

    #[test]
    fn encodings_with_quality_zero_are_refused() {
        let with = |v: &str, c: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepts_encoding(&h, c)
        };
        assert!(with("gzip, deflate, br, zstd", "br"));
        assert!(!with("gzip;q=1.0, br;q=0", "br"));
        assert!(with("gzip;q=1.0, br;q=0", "gzip"));
        assert!(!with("identity", "gzip"));
    }
}
