//! Staff devices and consents witnessed in person (issue 19; contract.md §8, docs/staff.md).
//!
//! - The back office (bearer API key, [`back_office`]): `POST /api/devices` makes a one-time
//!   enrolment code for a named account manager, `GET /api/devices` lists the devices,
//!   `DELETE /api/devices/{id}` revokes one.
//! - The device (the app's staff mode): `POST /api/devices/enrol` registers its public key with
//!   the code; then calls signed by the device key ([`device`]): `GET /api/staff/requests`, the
//!   open requests assigned to its manager, and `PUT /api/attachments/{sha256}`, a photo of a
//!   witness record, stored sealed.
//! - [`store_witnessed`]: a `qianyue-consent/3` consent, checked against its request, the
//!   manager it is assigned to and the enrolled device, stored with the request becoming
//!   `signed` in one transaction; then a text to the signer.
//!
//! The rules and numbers are the domain's (`qianyue_domain::staff`). An enrolment code is
//! stored only as its SHA-256; photos are sealed at rest (`crate::seal`, `Column::Attachment`).

use axum::http::{header, Method, Uri};
use qianyue_domain::payload::{ConsentPayload, EnvelopeRule, Jwk};
use qianyue_domain::staff::{
    self as staff_rules, EnrolmentCode, IssuedEnrolment, StaffMember, StaffRule,
};

use super::identity::{refuse_readonly_changes, replayed, stored_request};
use super::*;
use crate::store::Record;

/// The back office's check of `/api/devices`: a key with the `requests` scope, as for
/// `/api/requests` (enrolling a manager's device is part of issuing requests to them). The
/// caller's name.
async fn back_office(
    app: &App,
    peer: std::net::IpAddr,
    headers: &HeaderMap,
) -> Result<String, ApiError> {
    api_key(app, peer, headers).await
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn at_text(unix: i64) -> Option<String> {
    SignedAt::from_unix_seconds(unix).map(|t| t.to_string())
}

// ------------------------------------------------------------------------------------------
// The back office

/// The body of `POST /api/devices`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewDeviceBody {
    staff: StaffMember,
}

fn refuse_fields(
    rule: impl Into<qianyue_domain::error::RuleMessage>,
    fields: Vec<FieldError>,
) -> ApiError {
    ApiError::rejected(
        StatusCode::UNPROCESSABLE_ENTITY,
        Rejection {
            rule: rule.into(),
            fields,
            detail: None,
        },
    )
}

/// `POST /api/devices` `{"staff": {"id", "name"}}` → `201 {"id", "enrolment_code",
/// "expires_at"}`: the code is shown once and stored only as its SHA-256.
pub async fn create_device(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let key_name = back_office(&app, peer, &headers).await?;
    let body = read_json_body(&app, &headers, body).await?;
    let input: NewDeviceBody = serde_json::from_slice(&body).map_err(|e| {
        let mut r = Rejection::of(StaffRule::StaffId, "staff");
        r.detail = Some(e.to_string());
        ApiError::rejected(StatusCode::UNPROCESSABLE_ENTITY, r)
    })?;
    let staff = StaffMember {
        id: input.staff.id,
        name: input.staff.name.trim().to_owned(),
    };
    let problems = staff.check();
    if let Some((_, first)) = problems.first() {
        let fields = problems.iter().map(|(p, r)| field(p, *r)).collect();
        return Err(refuse_fields(*first, fields));
    }
    let (now, now_at) = now_at().ok_or_else(unavailable)?;
    let (Some(id), Some(random)) = (new_id(), random::<5>()) else {
        return Err(unavailable());
    };
    let code = EnrolmentCode::from_random(random);
    let issued = IssuedEnrolment::made_at(now);
    let stored = sqlx::query(
        "INSERT INTO staff_enrolments (code_sha256, device_id, staff_id, staff_name, created_by, \
         created_at, expires_unix, used, revoked_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL) \
         ON CONFLICT (code_sha256) DO NOTHING",
    )
    .bind(sha256_hex(code.as_str().as_bytes()))
    .bind(&id)
    .bind(&staff.id)
    .bind(&staff.name)
    .bind(&key_name)
    .bind(now_at.to_string())
    .bind(issued.expires_unix)
    .execute(app.store.pool())
    .await
    .map_err(|e| store_failed("storing an enrolment code", &e.into()))?
    .rows_affected();
    if stored != 1 {
        // The same 40 random bits as a code kept before: refuse rather than share it.
        return Err(unavailable());
    }
    let body = json!({
        "id": id,
        "enrolment_code": code.grouped(),
        "expires_at": at_text(issued.expires_unix),
    });
    Ok(json_response(StatusCode::CREATED, body.to_string()))
}

/// One device as the back office lists it.
fn device_item(r: &sqlx::any::AnyRow, now: i64) -> Result<Value, sqlx::Error> {
    let id: String = r.try_get(0)?;
    let staff_id: String = r.try_get(1)?;
    let staff_name: String = r.try_get(2)?;
    let expires_unix: i64 = r.try_get(3)?;
    let code_revoked: Option<i64> = r.try_get(4)?;
    let enrolled_at: Option<String> = r.try_get(5)?;
    let revoked_at: Option<String> = r.try_get(6)?;
    let thumbprint: Option<String> = r.try_get(7)?;
    let revoked_at = revoked_at.or_else(|| code_revoked.and_then(at_text));
    let status = if revoked_at.is_some() {
        "revoked"
    } else if enrolled_at.is_some() {
        "enrolled"
    } else if now >= expires_unix {
        "expired"
    } else {
        "pending"
    };
    Ok(json!({
        "id": id,
        "staff": {"id": staff_id, "name": staff_name},
        "status": status,
        "expires_at": at_text(expires_unix),
        "enrolled_at": enrolled_at,
        "revoked_at": revoked_at,
        "key_thumbprint": thumbprint,
    }))
}

const DEVICE_ITEM_SQL: &str = "SELECT e.device_id, e.staff_id, e.staff_name, e.expires_unix, \
     e.revoked_unix, d.enrolled_at, d.revoked_at, d.key_thumbprint FROM staff_enrolments e \
     LEFT JOIN devices d ON d.id = e.device_id";

/// `GET /api/devices` → `{"items": [{"id", "staff", "status", "expires_at", "enrolled_at",
/// "revoked_at", "key_thumbprint"}]}`, newest first.
pub async fn list_devices(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    back_office(&app, peer, &headers).await?;
    let sql = format!("{DEVICE_ITEM_SQL} ORDER BY e.expires_unix DESC, e.device_id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(app.store.pool())
        .await
        .map_err(|e| store_failed("listing devices", &e.into()))?;
    let now = crate::api::now_unix();
    let items = rows
        .iter()
        .map(|r| device_item(r, now))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| store_failed("listing devices", &e.into()))?;
    Ok(json_response(
        StatusCode::OK,
        json!({ "items": items }).to_string(),
    ))
}

async fn device_view(app: &App, id: &str) -> Result<Option<Value>, StoreError> {
    let sql = format!("{DEVICE_ITEM_SQL} WHERE e.device_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(app.store.pool())
        .await?;
    let now = crate::api::now_unix();
    Ok(match row {
        Some(r) => Some(device_item(&r, now)?),
        None => None,
    })
}

/// `DELETE /api/devices/{id}`: revokes the device (or its code, not used yet); again changes
/// nothing. 200 with the device; 404 `device.unknown`.
pub async fn revoke_device(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    back_office(&app, peer, &headers).await?;
    let unknown = || {
        ApiError::rejected(
            StatusCode::NOT_FOUND,
            Rejection::of(StaffRule::DeviceUnknown, "id"),
        )
    };
    if !payload::is_uuid_v4(&id) {
        return Err(unknown());
    }
    let (now, now_at) = now_at().ok_or_else(unavailable)?;
    let failed = |e: sqlx::Error| store_failed(&format!("revoking device {id}"), &e.into());
    let mut tx = app.store.pool().begin().await.map_err(failed)?;
    sqlx::query(
        "UPDATE staff_enrolments SET revoked_unix = $2 WHERE device_id = $1 AND used = 0 \
         AND revoked_unix IS NULL",
    )
    .bind(&id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(failed)?;
    sqlx::query("UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(&id)
        .bind(now_at.to_string())
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    match device_view(&app, &id)
        .await
        .map_err(|e| store_failed(&format!("reading device {id}"), &e))?
    {
        Some(item) => Ok(json_response(StatusCode::OK, item.to_string())),
        None => Err(unknown()),
    }
}

// ------------------------------------------------------------------------------------------
// The device

/// The body of `POST /api/devices/enrol`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrolBody {
    enrolment_code: String,
    public_key: Value,
}

/// `POST /api/devices/enrol` `{"enrolment_code", "public_key": {P-256 JWK}}` → `201
/// {"device": {"id", "staff": {"id", "name"}}}`. A wrong, used, revoked or expired code is one
/// refusal, 403 `enrolment.code_invalid`; a bad key 422 `public_key.invalid`. The code is used
/// and the device stored in one transaction.
pub async fn enrol(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    app.codes.take_check(peer)?;
    let body = read_json_body(&app, &headers, body).await?;
    let input: EnrolBody = serde_json::from_slice(&body).map_err(|e| {
        let mut r = Rejection::of(StaffRule::EnrolmentCodeFormat, "enrolment_code");
        r.detail = Some(e.to_string());
        ApiError::rejected(StatusCode::UNPROCESSABLE_ENTITY, r)
    })?;
    let code = EnrolmentCode::parse(&input.enrolment_code).map_err(|e| {
        ApiError::rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            Rejection::of(e, "enrolment_code"),
        )
    })?;
    let bad_key = || {
        ApiError::rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            Rejection::of(EnvelopeRule::PublicKey, "public_key"),
        )
    };
    let jwk: Jwk = serde_json::from_value(input.public_key).map_err(|_| bad_key())?;
    jwk.sec1_point().map_err(|_| bad_key())?;
    let (now, now_at) = now_at().ok_or_else(unavailable)?;
    let invalid = || {
        ApiError::rejected(
            StatusCode::FORBIDDEN,
            Rejection::of(StaffRule::EnrolmentCodeInvalid, "enrolment_code"),
        )
    };
    let hash = sha256_hex(code.as_str().as_bytes());
    let failed = |e: sqlx::Error| store_failed("enrolling a device", &e.into());
    let mut tx = app.store.pool().begin().await.map_err(failed)?;
    // Used here and now, or not at all: the row changes only from unused.
    let taken = sqlx::query(
        "UPDATE staff_enrolments SET used = 1 WHERE code_sha256 = $1 AND used = 0 \
         AND revoked_unix IS NULL",
    )
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .map_err(failed)?
    .rows_affected();
    let row = sqlx::query(
        "SELECT device_id, staff_id, staff_name, expires_unix FROM staff_enrolments \
         WHERE code_sha256 = $1",
    )
    .bind(&hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(failed)?;
    let Some(row) = row.filter(|_| taken == 1) else {
        tx.rollback().await.map_err(failed)?;
        return Err(invalid());
    };
    let device_id: String = row.try_get(0).map_err(failed)?;
    let staff = StaffMember {
        id: row.try_get(1).map_err(failed)?,
        name: row.try_get(2).map_err(failed)?,
    };
    let issued = IssuedEnrolment {
        expires_unix: row.try_get(3).map_err(failed)?,
        used: false,
    };
    if issued.redeem(now).is_err() {
        tx.rollback().await.map_err(failed)?;
        return Err(invalid());
    }
    sqlx::query(
        "INSERT INTO devices (id, staff_id, staff_name, public_jwk, key_thumbprint, enrolled_at, \
         revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(&device_id)
    .bind(&staff.id)
    .bind(&staff.name)
    .bind(serde_json::to_string(&jwk).map_err(|_| unavailable())?)
    .bind(jwk.thumbprint())
    .bind(now_at.to_string())
    .execute(&mut *tx)
    .await
    .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    let body = json!({"device": {"id": device_id, "staff": staff}});
    Ok(json_response(StatusCode::CREATED, body.to_string()))
}

/// An enrolled device as stored.
struct Device {
    id: String,
    staff: StaffMember,
    key: Jwk,
    key_thumbprint: String,
    revoked: bool,
}

async fn device_by_id(store: &Store, id: &str) -> Result<Option<Device>, StoreError> {
    let row = sqlx::query(
        "SELECT id, staff_id, staff_name, public_jwk, key_thumbprint, revoked_at FROM devices \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let jwk: String = r.try_get(3)?;
    let revoked_at: Option<String> = r.try_get(5)?;
    Ok(Some(Device {
        id: r.try_get(0)?,
        staff: StaffMember {
            id: r.try_get(1)?,
            name: r.try_get(2)?,
        },
        key: serde_json::from_str(&jwk)
            .map_err(|_| StoreError(format!("device {id}: its key does not read")))?,
        key_thumbprint: r.try_get(4)?,
        revoked: revoked_at.is_some(),
    }))
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The device a call is signed by (`Qianyue-Device`, `Qianyue-Device-Signature`, docs/staff.md):
/// an unknown device, a missing or bad signature or a time outside the window is 401
/// `device.unknown`; a revoked device 403 `device.revoked`.
async fn device(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Device, ApiError> {
    let unknown = |detail: &str| {
        let mut r = Rejection::of(StaffRule::DeviceUnknown, "");
        r.detail = Some(detail.to_owned());
        ApiError::rejected(StatusCode::UNAUTHORIZED, r)
    };
    let id = header_text(headers, "qianyue-device")
        .filter(|id| payload::is_uuid_v4(id))
        .ok_or_else(|| unknown("Qianyue-Device is missing or not a device id"))?;
    let (t, sig) = header_text(headers, "qianyue-device-signature")
        .and_then(staff_rules::parse_device_signature)
        .ok_or_else(|| unknown("Qianyue-Device-Signature is missing or malformed"))?;
    let now = crate::api::now_unix();
    if !staff_rules::device_time_within_window(t, now) {
        return Err(unknown("t is too far from the receiver's clock"));
    }
    let found = device_by_id(&app.store, id)
        .await
        .map_err(|e| store_failed(&format!("reading device {id}"), &e))?
        .ok_or_else(|| unknown("no device of this id is enrolled"))?;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let signature = URL_SAFE_NO_PAD
        .decode(sig)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok());
    let point = found.key.sec1_point().ok();
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let message = staff_rules::device_request_message(method.as_str(), path, t);
    let good = match (point, signature) {
        (Some(point), Some(signature)) => {
            crate::api::verify_es256_ring(&point, message.as_bytes(), &signature)
        }
        _ => false,
    };
    if !good {
        return Err(unknown(
            "the signature does not verify under the enrolled key",
        ));
    }
    if found.revoked {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            StaffRule::DeviceRevoked,
        ));
    }
    Ok(found)
}

/// `GET /api/staff/requests` (device-signed): the open requests assigned to the device's staff
/// member, with what the device needs to fill and sign them offline.
pub async fn assigned_requests(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    app.guard.signing_rate(peer).map_err(|wait| {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, HttpRule::RateLimited).retry_after(wait)
    })?;
    let device = device(&app, &method, &uri, &headers).await?;
    let now = crate::api::now_unix();
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM requests WHERE assignee = $1 \
         AND status IN ('open', 'verified') AND expires_unix > $2 ORDER BY expires_unix, id"
    );
    let failed = |e: StoreError| store_failed("listing assigned requests", &e);
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&device.staff.id)
        .bind(now)
        .fetch_all(app.store.pool())
        .await
        .map_err(|e| failed(e.into()))?;
    let keys = app.store.keys();
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let row = row_of(r, keys).map_err(failed)?;
        let masked = Mobile::parse(&row.signer_mobile)
            .map(|m| rules::mask_mobile(&m))
            .unwrap_or_default();
        items.push(json!({
            "id": row.id,
            "form": parse(&row.form),
            "readonly": parse(&row.readonly),
            "signer": {"name": row.signer_name, "mobile": masked},
            "expires_at": row.expires_at,
            "locale": row.locale,
        }));
    }
    let body = json!({"staff": device.staff, "items": items});
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// `PUT /api/attachments/{sha256}` (device-signed): a photo of a witness record, its bytes the
/// body, `Content-Type` one of `ATTACHMENT_MEDIA_TYPES`, at most `MAX_ATTACHMENT_BYTES` (413
/// `witness.attachment_size`), its SHA-256 the path's (422 `witness.attachment_sha256`).
/// Stored sealed; again with the same bytes changes nothing (200). `201 {"sha256",
/// "media_type", "bytes"}`.
pub async fn put_attachment(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(sha256): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    app.guard.signing_rate(peer).map_err(|wait| {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, HttpRule::RateLimited).retry_after(wait)
    })?;
    let device = device(&app, &method, &uri, &headers).await?;
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if !staff_rules::ATTACHMENT_MEDIA_TYPES.contains(&media_type.as_str()) {
        return Err(ApiError::rejected(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::of(StaffRule::AttachmentType, "media_type"),
        ));
    }
    let too_large = || {
        ApiError::rejected(
            StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::of(StaffRule::AttachmentSize, "bytes"),
        )
    };
    let max = staff_rules::MAX_ATTACHMENT_BYTES;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let limit = usize::try_from(max).unwrap_or(usize::MAX);
    let bytes =
        match tokio::time::timeout(crate::api::BODY_TIMEOUT, axum::body::to_bytes(body, limit))
            .await
        {
            Ok(Ok(b)) => b,
            Ok(Err(e)) if crate::api::is_length_limit(&e) => return Err(too_large()),
            Ok(Err(_)) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    HttpRule::BodyUnreadable,
                ))
            }
            Err(_) => {
                return Err(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    HttpRule::BodyTimeout,
                ))
            }
        };
    if bytes.is_empty() {
        return Err(ApiError::rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            Rejection::of(StaffRule::AttachmentSize, "bytes"),
        ));
    }
    if !staff_rules::is_sha256_hex(&sha256) || sha256_hex(&bytes) != sha256 {
        return Err(ApiError::rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            Rejection::of(StaffRule::AttachmentHash, "sha256"),
        ));
    }
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    let sealed = app
        .store
        .keys()
        .seal(Column::Attachment, &sha256, &STANDARD.encode(&bytes))
        .ok_or_else(unavailable)?;
    let (_, now_at) = now_at().ok_or_else(unavailable)?;
    let new = sqlx::query(
        "INSERT INTO attachments (sha256, media_type, size, bytes, device_id, uploaded_at, \
         consent_id) VALUES ($1, $2, $3, $4, $5, $6, NULL) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&sha256)
    .bind(&media_type)
    .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
    .bind(&sealed)
    .bind(&device.id)
    .bind(now_at.to_string())
    .execute(app.store.pool())
    .await
    .map_err(|e| store_failed(&format!("storing attachment {sha256}"), &e.into()))?
    .rows_affected()
        == 1;
    let body = json!({"sha256": sha256, "media_type": media_type, "bytes": bytes.len()});
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_response(status, body.to_string()))
}

// ------------------------------------------------------------------------------------------
// The witnessed consent

/// A `qianyue-consent/3` consent, its two signatures verified and its rules checked (the
/// witness record's among them): accepted only for a request assigned to `witness.staff.id`
/// (else 403 `request.not_assigned`), from the device `witness.device` enrolled for that
/// member with exactly the key `witness.device_key` (else 403 `device.unknown`), not revoked
/// (403 `device.revoked`), every photo it names uploaded (422 `witness.attachment_missing`),
/// the request open or verified (409 `request.signed`, 410 `request.revoked` /
/// `request.expired`), its read-only paths unchanged. Stored with the request becoming
/// `signed`, the witness recorded for the webhook, the photos linked to the consent, in one
/// transaction; then a text to the signer (after the commit: its failure is logged, the
/// consent stays). A replay answers the first receipt.
pub async fn store_witnessed(
    app: &App,
    mut record: Record,
    payload: &ConsentPayload,
    now: i64,
) -> Result<Response, ApiError> {
    let unknown = || {
        ApiError::rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            Rejection::of(RequestRule::Unknown, "request.id"),
        )
    };
    let (Some(request), Some(witness)) = (&payload.request, &payload.witness) else {
        return Err(unknown());
    };
    if let Some(answer) = replayed(app, &record).await? {
        return Ok(answer);
    }
    let row = stored_request(app, &request.id).await?;
    let forbidden = |rule: StaffRule, path: &str| {
        ApiError::rejected(StatusCode::FORBIDDEN, Rejection::of(rule, path))
    };
    if row.assignee.as_deref() != Some(witness.staff.id.as_str()) {
        return Err(forbidden(StaffRule::NotAssigned, "request.id"));
    }
    let device = device_by_id(&app.store, &witness.device)
        .await
        .map_err(|e| store_failed(&format!("reading device {}", witness.device), &e))?;
    let thumbprint = witness.device_key.thumbprint();
    let Some(device) = device.filter(|d| {
        d.staff.id == witness.staff.id
            && bool::from(d.key_thumbprint.as_bytes().ct_eq(thumbprint.as_bytes()))
    }) else {
        return Err(forbidden(StaffRule::DeviceUnknown, "witness.device"));
    };
    if device.revoked {
        return Err(forbidden(StaffRule::DeviceRevoked, "witness.device"));
    }
    let missing = missing_attachments(&app.store, witness)
        .await
        .map_err(|e| store_failed("reading attachments", &e))?;
    if !missing.is_empty() {
        let fields = missing
            .iter()
            .map(|i| {
                field(
                    &format!("witness.attachments.{i}"),
                    StaffRule::AttachmentMissing,
                )
            })
            .collect();
        return Err(refuse_fields(StaffRule::AttachmentMissing, fields));
    }
    refuse_unless_open(app, &row, now).await?;
    refuse_readonly_changes(&row, &payload.form)?;
    // The stored record of what was checked names the witness check too.
    let summary = json!({"staff": witness.staff, "device": witness.device});
    if let Ok(mut v) = serde_json::from_str::<Value>(&record.verification) {
        v["witness"] = json!({
            "staff": witness.staff,
            "device": witness.device,
            "device_key": thumbprint,
            "device_enrolled": true,
            "request_assigned": true,
            "attachments_stored": witness.attachments.iter().map(|a| &a.sha256).collect::<Vec<_>>(),
        });
        record.verification = v.to_string();
    }
    let at = SignedAt::parse(&record.received_at).map_err(|_| unavailable())?;
    let stored =
        sign_witnessed_in_one_transaction(app, &row.id, &record, witness, &summary, at, now)
            .await
            .map_err(|e| {
                store_failed(&format!("storing consent {} for {}", record.id, row.id), &e)
            })?;
    if stored {
        notify_signer(app, &row, &record, payload, witness).await;
        return Ok(json_response(StatusCode::CREATED, record.receipt));
    }
    if let Some(answer) = replayed(app, &record).await? {
        return Ok(answer);
    }
    let row = stored_request(app, &row.id).await?;
    refuse_unless_open(app, &row, now).await?;
    // The device was revoked meanwhile.
    Err(forbidden(StaffRule::DeviceRevoked, "witness.device"))
}

/// The indexes of the photos `witness` names that are not stored with that type and size.
async fn missing_attachments(
    store: &Store,
    witness: &staff_rules::Witness,
) -> Result<Vec<usize>, StoreError> {
    let mut out = Vec::new();
    for (i, a) in witness.attachments.iter().enumerate() {
        let found = sqlx::query("SELECT media_type, size FROM attachments WHERE sha256 = $1")
            .bind(&a.sha256)
            .fetch_optional(store.pool())
            .await?;
        let same = match found {
            Some(r) => {
                let media: String = r.try_get(0)?;
                let size: i64 = r.try_get(1)?;
                media == a.media_type && u64::try_from(size).ok() == Some(a.bytes)
            }
            None => false,
        };
        if !same {
            out.push(i);
        }
    }
    Ok(out)
}

/// Refuses a request that is not open or verified, live at `now`.
async fn refuse_unless_open(app: &App, row: &RequestRow, now: i64) -> Result<(), ApiError> {
    let at = |status: StatusCode, rule: RequestRule| {
        ApiError::rejected(status, Rejection::of(rule, "request.id"))
    };
    match row.status_at(now) {
        OPEN | VERIFIED => Ok(()),
        SIGNED => Err(at(StatusCode::CONFLICT, RequestRule::Signed)),
        REVOKED => Err(at(StatusCode::GONE, RequestRule::Revoked)),
        EXPIRED => {
            observe_expiry(&app.store, row, now)
                .await
                .map_err(|e| store_failed(&format!("recording the expiry of {}", row.id), &e))?;
            Err(at(StatusCode::GONE, RequestRule::Expired))
        }
        _ => Err(at(StatusCode::CONFLICT, RequestRule::Invalid)),
    }
}

/// The one transaction of a witnessed consent: the request from open or verified (unexpired,
/// still assigned to the witness, the device still unrevoked) to `signed` with its
/// `consent_id` and `witness`, the consent's row, the photos linked to it, the
/// `request.signed` event. Whether it was stored.
async fn sign_witnessed_in_one_transaction(
    app: &App,
    request_id: &str,
    record: &Record,
    witness: &staff_rules::Witness,
    summary: &Value,
    at: SignedAt,
    now: i64,
) -> Result<bool, StoreError> {
    let store = &app.store;
    let mut tx = store.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE requests SET status = 'signed', consent_id = $2, witness = $3 \
         WHERE id = $1 AND status IN ('open', 'verified') AND expires_unix > $4 \
         AND assignee = $5 AND EXISTS (SELECT 1 FROM devices d WHERE d.id = $6 \
         AND d.revoked_at IS NULL)",
    )
    .bind(request_id)
    .bind(&record.id)
    .bind(summary.to_string())
    .bind(now)
    .bind(&witness.staff.id)
    .bind(&witness.device)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if !crate::store::insert_one(&mut tx, store.keys(), record, Some(request_id)).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    for a in &witness.attachments {
        sqlx::query(
            "UPDATE attachments SET consent_id = $1 WHERE sha256 = $2 AND consent_id IS NULL",
        )
        .bind(&record.id)
        .bind(&a.sha256)
        .execute(&mut *tx)
        .await?;
    }
    add_event(&mut tx, request_id, "request.signed", at).await?;
    tx.commit().await?;
    Ok(true)
}

/// The text to the signer once a witnessed consent is stored: the agreement, the time, the
/// manager and the link to the signed copy (`/api/consents/{id}/evidence.pdf?sha256=…`,
/// absolute under `QIANYUE_PUBLIC_URL`). Sent once; a failure is logged with the ids (never
/// the mobile), and the consent stays stored (docs/decisions.md "Staff devices (issue 19)").
async fn notify_signer(
    app: &App,
    row: &RequestRow,
    record: &Record,
    payload: &ConsentPayload,
    witness: &staff_rules::Witness,
) {
    let Ok(signed_at) = SignedAt::parse(&payload.signed_at) else {
        return;
    };
    let path = format!(
        "/api/consents/{}/evidence.pdf?sha256={}",
        record.id, record.payload_sha256
    );
    let link = match &app.config.public_url {
        Some(origin) => format!("{origin}{path}"),
        None => path,
    };
    let text = staff_rules::witnessed_sms_text(&witness.staff.name, signed_at, &link);
    let id = new_id().unwrap_or_else(|| record.id.clone());
    if let Err(e) = app.sms.send(&id, &row.signer_mobile, &text).await {
        eprintln!(
            "qianyue-receiver: the text of witnessed consent {} (request {}) was not sent: {e}",
            record.id, row.id
        );
    }
}
