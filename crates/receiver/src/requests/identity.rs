//! The signer's identity and the request's consent (issue 17 items 3 and 4; docs/requests.md
//! "The code step" and "Signing"):
//!
//! - `POST /api/signing/{token}/code`: a one-time code by SMS to the request's signer
//!   (the rules: `qianyue_domain::identity`; the gateway: `crate::sms`).
//! - `POST /api/signing/{token}/verify`: the code typed back; the request becomes `verified`
//!   with its `request.verified` event.
//! - [`store_for_request`]: a `qianyue-consent/2` consent, checked against its request and
//!   stored in one transaction with the request becoming `signed` (exactly once).
//! - `GET /api/signing` (open signing or not) and `GET /dev/sms` (the dev gateway's texts).
//!
//! Codes are stored only as SHA-256 of `<request id>:<code>` (docs/decisions.md "The signer's
//! identity"); a code is compared in constant time. Every change of a request's codes or status
//! happens in a transaction that first locks the request's row (an `UPDATE` of it), so that two
//! receivers on one PostgreSQL, or two calls at once, take turns.

use qianyue_domain::identity::{self as id_rules, Code, Identity, IdentityRule, SentCode, Verdict};
use qianyue_domain::payload::ConsentPayload;

use super::*;
use crate::access::Buckets;
use crate::store::Record;

/// Defaults of `QIANYUE_CODE_SENDS_PER_MINUTE` and `QIANYUE_CODE_CHECKS_PER_MINUTE`.
pub const DEFAULT_SENDS_PER_MINUTE: u32 = 10;
pub const DEFAULT_CHECKS_PER_MINUTE: u32 = 30;

/// Per-client limits of code sending and checking (beside the per-request rules of the
/// domain), from `QIANYUE_CODE_SENDS_PER_MINUTE` and `QIANYUE_CODE_CHECKS_PER_MINUTE` (0: no
/// limit); loopback is exempt unless `QIANYUE_RATE_LIMIT_LOOPBACK=1`, as for consents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLimits {
    pub sends_per_minute: u32,
    pub checks_per_minute: u32,
}

impl CodeLimits {
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<CodeLimits, String> {
        let number = |name: &str, default: u32| -> Result<u32, String> {
            match var(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n <= 1_000_000)
                    .ok_or_else(|| format!("{name} must be a number from 0 to 1000000")),
            }
        };
        Ok(CodeLimits {
            sends_per_minute: number("QIANYUE_CODE_SENDS_PER_MINUTE", DEFAULT_SENDS_PER_MINUTE)?,
            checks_per_minute: number("QIANYUE_CODE_CHECKS_PER_MINUTE", DEFAULT_CHECKS_PER_MINUTE)?,
        })
    }
}

/// The per-client buckets of the code endpoints.
pub struct CodeGuard {
    sends: Buckets,
    checks: Buckets,
    loopback: bool,
}

impl CodeGuard {
    pub fn new(limits: CodeLimits, rate_limit_loopback: bool) -> CodeGuard {
        CodeGuard {
            sends: Buckets::new(limits.sends_per_minute),
            checks: Buckets::new(limits.checks_per_minute),
            loopback: rate_limit_loopback,
        }
    }

    /// One try of a device's enrolment code (issue 19), counted with the code checks.
    // A refusal is answered at once by the handler that asked: boxing it would buy nothing.
    #[allow(clippy::result_large_err)]
    pub(crate) fn take_check(&self, ip: std::net::IpAddr) -> Result<(), ApiError> {
        self.take(&self.checks, ip)
    }

    // A refusal is answered at once by the handler that asked: boxing it would buy nothing.
    #[allow(clippy::result_large_err)]
    fn take(&self, buckets: &Buckets, ip: std::net::IpAddr) -> Result<(), ApiError> {
        if ip.is_loopback() && !self.loopback {
            return Ok(());
        }
        buckets.take(ip).map_err(|wait| {
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, HttpRule::RateLimited).retry_after(wait)
        })
    }
}

/// The SHA-256 (hex) under which a request's code is stored: of `<request id>:<code>`.
pub fn code_sha256(request_id: &str, code: &str) -> String {
    Sha256::digest(format!("{request_id}:{code}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A uniformly drawn code (`None`: the OS's random source failed).
fn new_code() -> Option<Code> {
    // 2^32 - (2^32 mod 10^6) values are kept, so that each code is equally likely.
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let n = u32::from_le_bytes(random::<4>()?);
        if n < LIMIT {
            return Code::from_number(n % 1_000_000);
        }
    }
}

fn masked(row: &RequestRow) -> String {
    Mobile::parse(&row.signer_mobile)
        .map(|m| rules::mask_mobile(&m))
        .unwrap_or_default()
}

fn refuse(status: StatusCode, rule: impl Into<qianyue_domain::error::RuleMessage>) -> ApiError {
    ApiError::new(status, rule)
}

/// The request of a signer's token as the code endpoints see it: unknown 404; expired,
/// revoked 410; signed 409.
async fn live_request(app: &App, token: &str, now: i64) -> Result<RequestRow, ApiError> {
    let unknown = || {
        ApiError::rejected(
            StatusCode::NOT_FOUND,
            Rejection::of(RequestRule::Unknown, "token"),
        )
    };
    if !is_token(token) {
        return Err(unknown());
    }
    let row = by_token(&app.store, token)
        .await
        .map_err(|e| store_failed("reading a request by token", &e))?
        .ok_or_else(unknown)?;
    let gone =
        |rule: RequestRule| ApiError::rejected(StatusCode::GONE, Rejection::of(rule, "token"));
    match row.status_at(now) {
        EXPIRED => {
            observe_expiry(&app.store, &row, now)
                .await
                .map_err(|e| store_failed(&format!("recording the expiry of {}", row.id), &e))?;
            Err(gone(RequestRule::Expired))
        }
        REVOKED => Err(gone(RequestRule::Revoked)),
        SIGNED => Err(ApiError::rejected(
            StatusCode::CONFLICT,
            Rejection::of(RequestRule::Signed, "token"),
        )),
        _ => Ok(row),
    }
}

/// The receiver's record of a request's verification (`None`: not verified).
pub async fn verification_of(store: &Store, id: &str) -> Result<Option<Identity>, StoreError> {
    let row = sqlx::query(
        "SELECT verified_at, verified_mobile_mask FROM requests WHERE id = $1 \
         AND verified_at IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let at: String = row.try_get(0)?;
    let mobile: Option<String> = row.try_get(1)?;
    Ok(Some(Identity {
        method: id_rules::METHOD_SMS.into(),
        mobile: mobile.unwrap_or_default(),
        verified_at: at,
    }))
}

/// Locks the request's row for the rest of `tx` (PostgreSQL: the row; SQLite: the database's
/// write lock): whether the row is in one of `statuses`.
async fn lock_request(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    status: &str,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE requests SET status = status WHERE id = $1 AND status = $2")
            .bind(id)
            .bind(status)
            .execute(tx)
            .await?
            .rows_affected()
            == 1,
    )
}

/// `GET /api/signing`: whether this receiver takes consents without a request.
pub async fn open_signing(State(app): State<Arc<App>>) -> Response {
    json_response(
        StatusCode::OK,
        json!({"open_signing": app.config.open_signing}).to_string(),
    )
}

/// `GET /dev/sms`: the dev gateway's texts, oldest first; 404 with any other gateway.
pub async fn dev_sms(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    match app.sms.dev_texts() {
        Some(texts) => Ok(json_response(
            StatusCode::OK,
            serde_json::to_string(&texts).unwrap_or_else(|_| "[]".into()),
        )),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, HttpRule::NotFound)),
    }
}

/// What a sent code is stored as, and whether it may be sent now: the new row's id and the
/// code, or the refusal.
async fn record_code(
    store: &Store,
    row: &RequestRow,
    now: i64,
) -> Result<Result<(String, Code), ApiError>, StoreError> {
    let mut tx = store.pool().begin().await?;
    if !lock_request(&mut tx, &row.id, OPEN).await? {
        // Verified (or revoked) meanwhile: the caller reads it again.
        return Ok(Err(refuse(StatusCode::CONFLICT, RequestRule::Invalid)));
    }
    let sent: Vec<i64> =
        sqlx::query("SELECT sent_unix FROM request_codes WHERE request_id = $1 AND sent_unix > $2")
            .bind(&row.id)
            .bind(now - id_rules::HOUR_SECONDS)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
    if let Err(refusal) = id_rules::may_send(&sent, now) {
        return Ok(Err(refuse(StatusCode::TOO_MANY_REQUESTS, refusal.rule)
            .retry_after(u64::try_from(refusal.retry_after).unwrap_or(1))));
    }
    let (Some(code), Some(code_id)) = (new_code(), new_id()) else {
        return Err(StoreError("the OS's random source failed".into()));
    };
    let sent = SentCode::sent_at(now);
    sqlx::query(
        "INSERT INTO request_codes (id, request_id, code_sha256, sent_unix, expires_unix, tries, \
         used) VALUES ($1, $2, $3, $4, $5, 0, 0)",
    )
    .bind(&code_id)
    .bind(&row.id)
    .bind(code_sha256(&row.id, code.as_str()))
    .bind(sent.sent_unix)
    .bind(sent.expires_unix)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok((code_id, code)))
}

/// `POST /api/signing/{token}/code` (body empty or `{}`): sends a code to the signer.
pub async fn send_code(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    app.codes.take(&app.codes.sends, peer)?;
    let now = crate::api::now_unix();
    let row = live_request(&app, &token, now).await?;
    if row.status == VERIFIED {
        return verified_answer(&app, &row).await;
    }
    let (code_id, code) = match record_code(&app.store, &row, now)
        .await
        .map_err(|e| store_failed(&format!("recording a code of {}", row.id), &e))?
    {
        Ok(new) => new,
        Err(refusal) if refusal.status == StatusCode::CONFLICT => {
            // The request changed under us: answer from its new state.
            let row = live_request(&app, &token, now).await?;
            return verified_answer(&app, &row).await;
        }
        Err(refusal) => return Err(refusal),
    };
    if let Err(e) = app
        .sms
        .send(&code_id, &row.signer_mobile, &code.sms_text())
        .await
    {
        eprintln!(
            "qianyue-receiver: the code of request {} was not sent: {e}",
            row.id
        );
        // Not sent: not recorded either (no resend wait, no hourly count).
        let _ = sqlx::query("DELETE FROM request_codes WHERE id = $1")
            .bind(&code_id)
            .execute(app.store.pool())
            .await;
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            IdentityRule::SmsUnavailable,
        )
        .retry_after(5));
    }
    let body = json!({
        "status": OPEN,
        "sent_to": masked(&row),
        "expires_in": id_rules::CODE_TTL_SECONDS,
        "resend_after": id_rules::RESEND_AFTER_SECONDS,
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// `200 {"status": "verified", "verification": {…}}` for a verified request (a code asked
/// for, or typed, again).
async fn verified_answer(app: &App, row: &RequestRow) -> Result<Response, ApiError> {
    let verification = verification_of(&app.store, &row.id)
        .await
        .map_err(|e| store_failed(&format!("reading the verification of {}", row.id), &e))?;
    let body = json!({
        "status": VERIFIED,
        "verification": verification,
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// The body of `POST /api/signing/{token}/verify`.
#[derive(Deserialize)]
struct VerifyBody {
    code: String,
}

fn code_field(rule: impl Into<qianyue_domain::error::RuleMessage>) -> Rejection {
    Rejection::of(rule, "identity.code")
}

/// Judges `code` against the request's newest code and records the outcome, in one
/// transaction: the verdict (`None`: the request is no longer open).
async fn check_code(
    store: &Store,
    row: &RequestRow,
    code: &Code,
    now: i64,
) -> Result<Option<(Verdict, Option<Identity>)>, StoreError> {
    let mut tx = store.pool().begin().await?;
    if !lock_request(&mut tx, &row.id, OPEN).await? {
        return Ok(None);
    }
    let newest = sqlx::query(
        "SELECT id, code_sha256, sent_unix, expires_unix, tries, used FROM request_codes \
         WHERE request_id = $1 ORDER BY sent_unix DESC, id DESC LIMIT 1",
    )
    .bind(&row.id)
    .fetch_optional(&mut *tx)
    .await?;
    let (code_id, stored_hash, sent) = match &newest {
        None => (String::new(), String::new(), None),
        Some(r) => (
            r.try_get::<String, _>(0)?,
            r.try_get::<String, _>(1)?,
            Some(SentCode {
                sent_unix: r.try_get(2)?,
                expires_unix: r.try_get(3)?,
                tries: u32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(u32::MAX),
                used: r.try_get::<i64, _>(5)? != 0,
            }),
        ),
    };
    let presented = code_sha256(&row.id, code.as_str());
    let matches = bool::from(presented.as_bytes().ct_eq(stored_hash.as_bytes()));
    let verdict = id_rules::judge(sent.as_ref(), matches, now);
    if verdict.counts_a_try() {
        sqlx::query("UPDATE request_codes SET tries = tries + 1 WHERE id = $1")
            .bind(&code_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Some((verdict, None)));
    }
    if verdict != Verdict::Verified {
        tx.rollback().await?;
        return Ok(Some((verdict, None)));
    }
    let at = SignedAt::from_unix_seconds(now)
        .ok_or_else(|| StoreError("the clock is out of range".into()))?;
    let identity = Identity::sms(&masked(row), at);
    sqlx::query("UPDATE request_codes SET used = 1 WHERE id = $1")
        .bind(&code_id)
        .execute(&mut *tx)
        .await?;
    let changed = sqlx::query(
        "UPDATE requests SET status = 'verified', verified_at = $2, verified_mobile_mask = $3 \
         WHERE id = $1 AND status = 'open' AND expires_unix > $4",
    )
    .bind(&row.id)
    .bind(&identity.verified_at)
    .bind(&identity.mobile)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        tx.rollback().await?;
        return Ok(None);
    }
    add_event(&mut tx, &row.id, "request.verified", at).await?;
    tx.commit().await?;
    Ok(Some((verdict, Some(identity))))
}

/// `POST /api/signing/{token}/verify` `{"code": "123456"}`.
pub async fn verify_code(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    app.codes.take(&app.codes.checks, peer)?;
    let body = read_json_body(&app, &headers, body).await?;
    let now = crate::api::now_unix();
    let row = live_request(&app, &token, now).await?;
    if row.status == VERIFIED {
        return verified_answer(&app, &row).await;
    }
    let typed = serde_json::from_slice::<VerifyBody>(&body)
        .map_err(|_| IdentityRule::CodeFormat)
        .and_then(|b| Code::parse(&b.code))
        .map_err(|e| ApiError::rejected(StatusCode::UNPROCESSABLE_ENTITY, code_field(e)))?;
    let outcome = check_code(&app.store, &row, &typed, now)
        .await
        .map_err(|e| store_failed(&format!("checking a code of {}", row.id), &e))?;
    let Some((verdict, identity)) = outcome else {
        // Verified, revoked or expired meanwhile: answer from its new state.
        let row = live_request(&app, &token, crate::api::now_unix()).await?;
        return verified_answer(&app, &row).await;
    };
    if let Some(identity) = identity {
        let body = json!({"status": VERIFIED, "verification": identity});
        return Ok(json_response(StatusCode::OK, body.to_string()));
    }
    let message = verdict
        .refusal()
        .unwrap_or_else(|| IdentityRule::CodeWrong.into());
    Err(match verdict {
        Verdict::Wrong { .. } => {
            ApiError::rejected(StatusCode::UNPROCESSABLE_ENTITY, code_field(message))
        }
        Verdict::WrongLocked | Verdict::Locked => {
            ApiError::rejected(StatusCode::TOO_MANY_REQUESTS, code_field(message))
        }
        Verdict::Expired => ApiError::rejected(StatusCode::GONE, code_field(message)),
        _ => ApiError::rejected(StatusCode::CONFLICT, Rejection::of(message, "")),
    })
}

/// `GET /api/signing/{token}` of a signed request: its consent id, receipt and payload.
pub async fn signed_answer(app: &App, row: &RequestRow) -> Result<Response, ApiError> {
    let record = match &row.consent_id {
        Some(id) => app
            .store
            .get(id)
            .await
            .map_err(|e| store_failed(&format!("reading consent {id}"), &e))?,
        None => None,
    };
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let body = json!({
        "status": SIGNED,
        "request_id": row.id,
        "consent_id": row.consent_id,
        "receipt": record.as_ref().map(|r| parse(&r.receipt)),
        "payload": record.as_ref().map(|r| parse(&r.payload)),
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// A `qianyue-consent/2` consent, already verified and checked by the agreement's rules:
/// checked against its request (exists, verified, unexpired, the identity as recorded, every
/// read-only path unchanged) and stored with the request becoming `signed`, its `consent_id`
/// and the `request.signed` event, in one transaction that changes the request only from
/// `verified` (so exactly one consent per request, whichever receiver takes it). A replay of a
/// stored consent (same id, same payload) answers its first receipt.
pub async fn store_for_request(
    app: &App,
    record: Record,
    payload: &ConsentPayload,
    now: i64,
) -> Result<Response, ApiError> {
    let unknown = || {
        ApiError::rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            Rejection::of(RequestRule::Unknown, "request.id"),
        )
    };
    // Witnessed in person on a staff device (issue 19): its own checks instead of the code's.
    if payload.is_witnessed() {
        return super::staff::store_witnessed(app, record, payload, now).await;
    }
    let (Some(request), Some(identity)) = (&payload.request, &payload.identity) else {
        return Err(unknown());
    };
    // A replay first: after its consent the request is `signed`.
    if let Some(answer) = replayed(app, &record).await? {
        return Ok(answer);
    }
    let row = stored_request(app, &request.id).await?;
    refuse_unless_verified(app, &row, now).await?;
    let recorded = verification_of(&app.store, &row.id)
        .await
        .map_err(|e| store_failed(&format!("reading the verification of {}", row.id), &e))?;
    if recorded.as_ref() != Some(identity) {
        return Err(ApiError::rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            Rejection::of(IdentityRule::Mismatch, "identity"),
        ));
    }
    refuse_readonly_changes(&row, &payload.form)?;
    let at = SignedAt::parse(&record.received_at).map_err(|_| unavailable())?;
    let stored = sign_in_one_transaction(&app.store, &row.id, &record, at, now)
        .await
        .map_err(|e| store_failed(&format!("storing consent {} for {}", record.id, row.id), &e))?;
    if stored {
        return Ok(json_response(StatusCode::CREATED, record.receipt));
    }
    // Nothing changed: the request was signed (or revoked, or expired) meanwhile, or the same
    // idempotency id was stored by another call.
    if let Some(answer) = replayed(app, &record).await? {
        return Ok(answer);
    }
    let row = stored_request(app, &row.id).await?;
    refuse_unless_verified(app, &row, now).await?;
    Err(unavailable())
}

/// The first receipt of a stored consent with the record's id (same payload), or 409
/// `consent.conflict` (another payload); `None` when the id is new.
pub(super) async fn replayed(app: &App, record: &Record) -> Result<Option<Response>, ApiError> {
    let earlier = app
        .store
        .get(&record.id)
        .await
        .map_err(|e| store_failed(&format!("reading consent {}", record.id), &e))?;
    match earlier {
        None => Ok(None),
        Some(e) if e.payload_sha256 == record.payload_sha256 => {
            Ok(Some(json_response(StatusCode::OK, e.receipt)))
        }
        Some(_) => Err(ApiError::rejected(
            StatusCode::CONFLICT,
            Rejection::of(HttpRule::Conflict, "idempotency_id"),
        )),
    }
}

/// The request a consent names, or 422 `request.unknown` at `request.id` (for `/2` and `/3`
/// consents alike).
pub(super) async fn stored_request(app: &App, id: &str) -> Result<RequestRow, ApiError> {
    by_id(&app.store, id)
        .await
        .map_err(|e| store_failed(&format!("reading request {id}"), &e))?
        .ok_or_else(|| {
            ApiError::rejected(
                StatusCode::UNPROCESSABLE_ENTITY,
                Rejection::of(RequestRule::Unknown, "request.id"),
            )
        })
}

/// 422 `request.readonly` with a field error per read-only path of the request whose value
/// `signed` changed (the domain's `payload::readonly_changes`).
#[allow(clippy::result_large_err)]
pub(super) fn refuse_readonly_changes(row: &RequestRow, signed: &Form) -> Result<(), ApiError> {
    let request_form: Form = serde_json::from_str(&row.form).map_err(|_| unavailable())?;
    let readonly: Vec<String> = serde_json::from_str(&row.readonly).map_err(|_| unavailable())?;
    let changes = qianyue_domain::payload::readonly_changes(signed, &request_form, &readonly);
    if changes.is_empty() {
        return Ok(());
    }
    Err(ApiError::rejected(
        StatusCode::UNPROCESSABLE_ENTITY,
        Rejection {
            rule: IdentityRule::Readonly.into(),
            fields: changes,
            detail: None,
        },
    ))
}

/// Refuses a request that is not `verified` and live at `now`.
async fn refuse_unless_verified(app: &App, row: &RequestRow, now: i64) -> Result<(), ApiError> {
    let at = |status: StatusCode, rule: RequestRule| {
        ApiError::rejected(status, Rejection::of(rule, "request.id"))
    };
    match row.status_at(now) {
        VERIFIED => Ok(()),
        SIGNED => Err(at(StatusCode::CONFLICT, RequestRule::Signed)),
        REVOKED => Err(at(StatusCode::GONE, RequestRule::Revoked)),
        EXPIRED => {
            observe_expiry(&app.store, row, now)
                .await
                .map_err(|e| store_failed(&format!("recording the expiry of {}", row.id), &e))?;
            Err(at(StatusCode::GONE, RequestRule::Expired))
        }
        _ => Err(ApiError::rejected(
            StatusCode::CONFLICT,
            Rejection::of(IdentityRule::NotVerified, "request.id"),
        )),
    }
}

/// The one transaction of a request's consent: the request from `verified` (unexpired) to
/// `signed` with its `consent_id`, the consent's row, the `request.signed` event. Whether it
/// was stored; when the request did not change, or the consent's id was taken, nothing is.
async fn sign_in_one_transaction(
    store: &Store,
    request_id: &str,
    record: &Record,
    at: SignedAt,
    now: i64,
) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE requests SET status = 'signed', consent_id = $2 \
         WHERE id = $1 AND status = 'verified' AND expires_unix > $3",
    )
    .bind(request_id)
    .bind(&record.id)
    .bind(now)
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
    add_event(&mut tx, request_id, "request.signed", at).await?;
    tx.commit().await?;
    Ok(true)
}
