//! Signing requests (contract.md §5, docs/requests.md): the back office opens, reads and
//! revokes them with an API key (`POST /api/requests`, `GET`/`DELETE /api/requests/{id}`); the
//! app reads the one its link names (`GET /api/signing/{token}`, the app's internal endpoint).
//!
//! The rules are the domain's (`qianyue_domain::request`, `form`, `phone`); this module maps
//! them to HTTP and to rows of `requests` and `request_events` (migrations/0002). The signer's
//! token is 256 random bits, answered once and stored only as its SHA-256; the signer's name
//! and mobile are never written to a log. The form, the signer's name and mobile are sealed
//! at rest (`crate::seal`, AES-256-GCM bound to the request's id and column): [`RequestRow`]
//! holds them opened, [`insert`] seals them, [`row_of`] opens them.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use qianyue_domain::delivery::webhook::WebhookRule;
use qianyue_domain::form::{self, FieldError, Form};
use qianyue_domain::payload::{self, Rejection, SignedAt};
use qianyue_domain::phone::Mobile;
use qianyue_domain::request::{self as rules, RequestRule};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;
use subtle::ConstantTimeEq;

use crate::api::{json_response, read_json_body, HttpRule};
use crate::error::ApiError;
use crate::seal::{Column, DataKeys};
use crate::store::{Store, StoreError};
use crate::transport::Peer;
use crate::App;

pub mod identity;
pub mod staff;

/// Random bytes in a signer's token (256 bits; base64url, 43 characters).
pub const TOKEN_BYTES: usize = 32;
const TOKEN_CHARS: usize = 43;

/// Statuses as stored; `expired` is computed from `expires_unix`.
pub const OPEN: &str = "open";
pub const VERIFIED: &str = "verified";
pub const SIGNED: &str = "signed";
pub const REVOKED: &str = "revoked";
pub const EXPIRED: &str = "expired";

// ------------------------------------------------------------------------------------------
// Storage

/// One request as stored.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub id: String,
    pub status: String,
    pub form: String,
    pub readonly: String,
    pub signer_name: String,
    pub signer_mobile: String,
    pub expires_at: String,
    pub expires_unix: i64,
    pub callback_url: Option<String>,
    pub locale: Option<String>,
    pub consent_id: Option<String>,
    /// The staff id of the account manager it is assigned to (issue 19), if any.
    pub assignee: Option<String>,
}

impl RequestRow {
    /// The status at `now`: a request still open or verified past its expiry is `expired`.
    pub fn status_at(&self, now: i64) -> &str {
        let live = self.status == OPEN || self.status == VERIFIED;
        if live && now >= self.expires_unix {
            EXPIRED
        } else {
            &self.status
        }
    }
}

const ROW_COLUMNS: &str = "id, status, form, readonly, signer_name, signer_mobile, expires_at, \
                           expires_unix, callback_url, locale, consent_id, assignee";

/// A row as read, its sealed columns opened: a value that does not open for this row (moved
/// from another, altered, or under a key the file lacks) is refused, never served.
fn row_of(r: &sqlx::any::AnyRow, keys: &DataKeys) -> Result<RequestRow, StoreError> {
    let id: String = r.try_get(0)?;
    let open = |column: Column, i: usize| -> Result<String, StoreError> {
        keys.read(column, &id, r.try_get(i)?)
            .map_err(|e| StoreError(format!("request {id}: {e}")))
    };
    Ok(RequestRow {
        status: r.try_get(1)?,
        form: open(Column::RequestForm, 2)?,
        readonly: r.try_get(3)?,
        signer_name: open(Column::RequestSignerName, 4)?,
        signer_mobile: open(Column::RequestSignerMobile, 5)?,
        expires_at: r.try_get(6)?,
        expires_unix: r.try_get(7)?,
        callback_url: r.try_get(8)?,
        locale: r.try_get(9)?,
        consent_id: r.try_get(10)?,
        assignee: r.try_get(11)?,
        id,
    })
}

/// A new request and who opened it.
struct NewRequest<'a> {
    row: RequestRow,
    token_sha256: String,
    created_by: &'a str,
    created_at: SignedAt,
}

/// Stores a new request with its `request.opened` event, in one transaction.
async fn insert(store: &Store, new: &NewRequest<'_>) -> Result<(), StoreError> {
    let r = &new.row;
    let keys = store.keys();
    let sealed = |column: Column, clear: &str| {
        keys.seal(column, &r.id, clear)
            .ok_or_else(|| StoreError("the OS's random source failed".into()))
    };
    let form = sealed(Column::RequestForm, &r.form)?;
    let signer_name = sealed(Column::RequestSignerName, &r.signer_name)?;
    let signer_mobile = sealed(Column::RequestSignerMobile, &r.signer_mobile)?;
    // The back office's search columns (migrations/0006): the enterprise's, in clear.
    let search = crate::office::Search::of_form(&r.form);
    let mut tx = store.pool().begin().await?;
    sqlx::query(
        "INSERT INTO requests (id, token_sha256, status, form, readonly, signer_name, \
         signer_mobile, expires_at, expires_unix, callback_url, locale, created_by, created_at, \
         consent_id, contract_no, uscc, company, assignee) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, NULL, $14, $15, $16, $17)",
    )
    .bind(&r.id)
    .bind(&new.token_sha256)
    .bind(&r.status)
    .bind(&form)
    .bind(&r.readonly)
    .bind(&signer_name)
    .bind(&signer_mobile)
    .bind(&r.expires_at)
    .bind(r.expires_unix)
    .bind(&r.callback_url)
    .bind(&r.locale)
    .bind(new.created_by)
    .bind(new.created_at.to_string())
    .bind(&search.contract_no)
    .bind(&search.uscc)
    .bind(&search.company)
    .bind(&r.assignee)
    .execute(&mut *tx)
    .await?;
    add_event(&mut tx, &r.id, "request.opened", new.created_at).await?;
    tx.commit().await?;
    Ok(())
}

async fn add_event(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    kind: &str,
    at: SignedAt,
) -> Result<(), sqlx::Error> {
    // The event and its webhook delivery together: in the caller's transaction (as a
    // savepoint) or in one of their own.
    use sqlx::Connection as _;
    let mut tx = conn.begin().await?;
    let new = sqlx::query(
        "INSERT INTO request_events (request_id, type, at, at_unix) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (request_id, type) DO NOTHING",
    )
    .bind(id)
    .bind(kind)
    .bind(at.to_string())
    .bind(at.unix_seconds())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if new {
        crate::webhooks::enqueue(&mut tx, id, kind, at).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn by_id(store: &Store, id: &str) -> Result<Option<RequestRow>, StoreError> {
    let sql = format!("SELECT {ROW_COLUMNS} FROM requests WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| row_of(&r, store.keys())).transpose()
}

async fn by_token(store: &Store, token: &str) -> Result<Option<RequestRow>, StoreError> {
    let sql = format!("SELECT {ROW_COLUMNS} FROM requests WHERE token_sha256 = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token_sha256(token))
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| row_of(&r, store.keys())).transpose()
}

async fn events(store: &Store, id: &str) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT type, at FROM request_events WHERE request_id = $1 ORDER BY at_unix, \
         CASE type WHEN 'request.opened' THEN 0 WHEN 'request.verified' THEN 1 \
         WHEN 'request.signed' THEN 2 ELSE 3 END, type",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Records `request.expired` the first time a request is seen past its expiry; the event's
/// time is the expiry itself.
async fn observe_expiry(store: &Store, row: &RequestRow, now: i64) -> Result<(), StoreError> {
    if row.status_at(now) == EXPIRED {
        if let Some(at) = SignedAt::from_unix_seconds(row.expires_unix) {
            let mut conn = store.pool().acquire().await?;
            add_event(&mut conn, &row.id, "request.expired", at).await?;
        }
    }
    Ok(())
}

/// Records `request.expired` (at the expiry itself, as [`observe_expiry`]) for open or
/// verified requests whose expiry lies in `(after, now]` and that have no such event yet, at
/// most 100 per call. Returns how far it has looked: `now`, or, when it stopped at 100, just
/// before the last expiry it handled (the next call goes on from there). Run by the webhooks'
/// sender (`crate::webhooks`), so that the event is delivered without anyone reading the
/// request. Receivers sharing a database may run it at once: the event's key lets one of them
/// record it.
pub(crate) async fn sweep_expired(store: &Store, after: i64, now: i64) -> Result<i64, StoreError> {
    const BATCH: usize = 100;
    let rows = sqlx::query(
        "SELECT id, expires_unix FROM requests WHERE expires_unix > $1 AND expires_unix <= $2 \
         AND status IN ('open', 'verified') AND NOT EXISTS (SELECT 1 FROM request_events e \
         WHERE e.request_id = requests.id AND e.type = 'request.expired') \
         ORDER BY expires_unix LIMIT 100",
    )
    .bind(after)
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    let mut last = now;
    for r in &rows {
        let id: String = r.try_get(0)?;
        let expires: i64 = r.try_get(1)?;
        if let Some(at) = SignedAt::from_unix_seconds(expires) {
            let mut conn = store.pool().acquire().await?;
            add_event(&mut conn, &id, "request.expired", at).await?;
        }
        last = expires;
    }
    Ok(if rows.len() < BATCH { now } else { last - 1 })
}

/// Revokes an open or verified request that has not expired at `now`; records
/// `request.revoked`. Whether it changed it.
async fn revoke(store: &Store, id: &str, now: i64) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE requests SET status = 'revoked' \
         WHERE id = $1 AND status IN ('open', 'verified') AND expires_unix > $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if changed {
        let at = SignedAt::from_unix_seconds(now)
            .ok_or_else(|| StoreError("the clock is out of range".into()))?;
        add_event(&mut tx, id, "request.revoked", at).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

// ------------------------------------------------------------------------------------------
// Tokens and keys

/// The SHA-256 (hex) under which a token is stored.
pub fn token_sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `N` bytes from the OS's random source (`None`: it failed).
fn random<const N: usize>() -> Option<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).ok()?;
    Some(b)
}

fn new_token() -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    Some(URL_SAFE_NO_PAD.encode(random::<TOKEN_BYTES>()?))
}

fn new_id() -> Option<String> {
    random::<16>().map(payload::uuid_v4)
}

/// Whether `s` has the shape of a token (43 base64url characters).
fn is_token(s: &str) -> bool {
    s.len() == TOKEN_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The name of the caller (an API key's, or `admin` for the admin token), which must have the
/// `requests` scope, or the refusal (`crate::office::authorize`): 403 when no key is
/// configured or the key lacks the scope, 429 after too many wrong keys from this address, 401
/// with the bearer challenge otherwise.
pub(crate) async fn api_key(
    app: &App,
    peer: std::net::IpAddr,
    headers: &HeaderMap,
) -> Result<String, ApiError> {
    crate::office::authorize(app, peer, headers, crate::office::Scope::Requests)
        .map(|caller| caller.name().to_owned())
}

// ------------------------------------------------------------------------------------------
// Handlers

fn unavailable() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, HttpRule::StoreUnavailable).retry_after(1)
}

fn store_failed(what: &str, e: &StoreError) -> ApiError {
    // Ids only: never the signer's name or mobile.
    eprintln!("qianyue-receiver: {what} failed: {e}");
    unavailable()
}

fn now_at() -> Option<(i64, SignedAt)> {
    let now = crate::api::now_unix();
    Some((now, SignedAt::from_unix_seconds(now)?))
}

/// The body of `POST /api/requests`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    form: Value,
    #[serde(default)]
    readonly: Vec<String>,
    signer: SignerIn,
    expires_at: String,
    #[serde(default)]
    callback_url: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    /// The staff id of the account manager who may take it offline (issue 19).
    #[serde(default)]
    assignee: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignerIn {
    name: String,
    mobile: String,
}

fn field(path: &str, rule: impl Into<qianyue_domain::error::RuleMessage>) -> FieldError {
    FieldError {
        path: path.to_owned(),
        rule: rule.into(),
    }
}

/// `POST /api/requests` (back office).
pub async fn create(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let key_name = api_key(&app, peer, &headers).await?;
    let body = read_json_body(&app, &headers, body).await?;
    let (now, now_at) = now_at().ok_or_else(unavailable)?;
    let input: CreateBody = serde_json::from_slice(&body).map_err(|e| {
        let mut r = Rejection::of(RequestRule::Invalid, "");
        r.detail = Some(e.to_string());
        ApiError::rejected(StatusCode::UNPROCESSABLE_ENTITY, r)
    })?;
    let mut fields = Vec::new();
    let mut detail = None;
    let form = match serde_json::from_value::<Form>(input.form) {
        Ok(f) => Some(f),
        Err(e) => {
            fields.push(field("form", RequestRule::Form));
            detail = Some(format!("form: {e}"));
            None
        }
    };
    let readonly: Vec<String> = input.readonly.iter().map(|e| e.trim().to_owned()).collect();
    if let Some(form) = &form {
        let today = now_at.date();
        fields.extend(rules::check_readonly(form, &readonly, today));
    }
    let name = input.signer.name.trim().to_owned();
    if let Err(e) = form::check_person_name(&name) {
        fields.push(field("signer.name", e));
    }
    let mobile = match Mobile::parse(&input.signer.mobile) {
        Ok(m) => Some(m),
        Err(e) => {
            fields.push(field("signer.mobile", e));
            None
        }
    };
    let expires = match rules::check_expires_at(&input.expires_at, now) {
        Ok(at) => Some(at),
        Err(e) => {
            fields.push(field("expires_at", e));
            None
        }
    };
    if let Some(url) = &input.callback_url {
        if let Err(e) = rules::check_callback_url(url) {
            fields.push(field("callback_url", e));
        } else if app.config.webhooks.secret.is_none() {
            // Its events could not be signed: refused, naming the deployment's missing setting.
            fields.push(field("callback_url", WebhookRule::NoSecret));
        }
    }
    if let Some(locale) = &input.locale {
        if let Err(e) = rules::check_locale(locale) {
            fields.push(field("locale", e));
        }
    }
    if let Some(assignee) = &input.assignee {
        if let Err(e) = qianyue_domain::staff::check_staff_id(assignee) {
            fields.push(field("assignee", e));
        }
    }
    let (Some(form), Some(mobile), Some(expires), true) =
        (form, mobile, expires, fields.is_empty())
    else {
        // The missing secret alone is the deployment's refusal, under its own code.
        let only_no_secret = fields.len() == 1
            && fields[0].rule == qianyue_domain::error::RuleMessage::of(WebhookRule::NoSecret);
        return Err(ApiError::rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            Rejection {
                rule: if only_no_secret {
                    WebhookRule::NoSecret.into()
                } else {
                    RequestRule::Invalid.into()
                },
                fields,
                detail,
            },
        ));
    };
    let id = new_id().ok_or_else(unavailable)?;
    let token = new_token().ok_or_else(unavailable)?;
    let row = RequestRow {
        id: id.clone(),
        status: OPEN.to_owned(),
        form: serde_json::to_string(&form).map_err(|_| unavailable())?,
        readonly: serde_json::to_string(&readonly).map_err(|_| unavailable())?,
        signer_name: name,
        signer_mobile: mobile.as_str().to_owned(),
        expires_at: expires.to_string(),
        expires_unix: expires.unix_seconds(),
        callback_url: input.callback_url,
        locale: input.locale,
        consent_id: None,
        assignee: input.assignee,
    };
    let new = NewRequest {
        row,
        token_sha256: token_sha256(&token),
        created_by: &key_name,
        created_at: now_at,
    };
    insert(&app.store, &new)
        .await
        .map_err(|e| store_failed(&format!("storing request {id}"), &e))?;
    let path = format!("/s/{token}");
    let url = match &app.config.public_url {
        Some(origin) => format!("{origin}{path}"),
        None => path,
    };
    let body = json!({
        "id": id,
        "status": OPEN,
        "token": token,
        "url": url,
        "expires_at": new.row.expires_at,
    });
    Ok(json_response(StatusCode::CREATED, body.to_string()))
}

/// The back office's view of a request at `now`.
async fn view(app: &App, row: &RequestRow, now: i64) -> Result<Response, ApiError> {
    observe_expiry(&app.store, row, now)
        .await
        .map_err(|e| store_failed(&format!("recording the expiry of {}", row.id), &e))?;
    let events = events(&app.store, &row.id)
        .await
        .map_err(|e| store_failed(&format!("reading the events of {}", row.id), &e))?;
    let body = json!({
        "id": row.id,
        "status": row.status_at(now),
        "expires_at": row.expires_at,
        "consent_id": row.consent_id,
        "assignee": row.assignee,
        "events": events.iter().map(|(t, at)| json!({"type": t, "at": at})).collect::<Vec<_>>(),
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

async fn find(app: &App, id: &str) -> Result<RequestRow, ApiError> {
    let unknown = || {
        ApiError::rejected(
            StatusCode::NOT_FOUND,
            Rejection::of(RequestRule::Unknown, "id"),
        )
    };
    if !payload::is_uuid_v4(id) {
        return Err(unknown());
    }
    by_id(&app.store, id)
        .await
        .map_err(|e| store_failed(&format!("reading request {id}"), &e))?
        .ok_or_else(unknown)
}

/// `GET /api/requests/{id}` (back office).
pub async fn get(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    api_key(&app, peer, &headers).await?;
    let row = find(&app, &id).await?;
    view(&app, &row, crate::api::now_unix()).await
}

/// `DELETE /api/requests/{id}` (back office): revokes an open or verified request; again on a
/// revoked or expired one changes nothing (200, its state); a signed one is 409
/// `request.signed`.
pub async fn delete(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    api_key(&app, peer, &headers).await?;
    let row = find(&app, &id).await?;
    let now = crate::api::now_unix();
    if row.status == SIGNED {
        return Err(ApiError::rejected(
            StatusCode::CONFLICT,
            Rejection::of(RequestRule::Signed, "id"),
        ));
    }
    revoke(&app.store, &id, now)
        .await
        .map_err(|e| store_failed(&format!("revoking request {id}"), &e))?;
    let row = find(&app, &id).await?;
    view(&app, &row, now).await
}

/// `GET /api/signing/{token}` (the app's own): what the signer's page shows — the form, the
/// read-only paths, the signer's name and masked mobile, the expiry, the request's id and its
/// verification (`null` until the code step). Unknown: 404 `request.unknown`; revoked,
/// expired: 410 with that code; signed: 200 with the consent's id, receipt and payload.
pub async fn signing(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    app.guard.signing_rate(peer).map_err(|wait| {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, HttpRule::RateLimited).retry_after(wait)
    })?;
    let unknown = || {
        ApiError::rejected(
            StatusCode::NOT_FOUND,
            Rejection::of(RequestRule::Unknown, "token"),
        )
    };
    if !is_token(&token) {
        return Err(unknown());
    }
    let row = by_token(&app.store, &token)
        .await
        .map_err(|e| store_failed("reading a request by token", &e))?
        .ok_or_else(unknown)?;
    let now = crate::api::now_unix();
    let gone =
        |rule: RequestRule| ApiError::rejected(StatusCode::GONE, Rejection::of(rule, "token"));
    match row.status_at(now) {
        EXPIRED => {
            observe_expiry(&app.store, &row, now)
                .await
                .map_err(|e| store_failed(&format!("recording the expiry of {}", row.id), &e))?;
            return Err(gone(RequestRule::Expired));
        }
        REVOKED => return Err(gone(RequestRule::Revoked)),
        // The signed page shows its receipt and a copy of what was signed.
        SIGNED => return identity::signed_answer(&app, &row).await,
        _ => {}
    }
    let verification = identity::verification_of(&app.store, &row.id)
        .await
        .map_err(|e| store_failed(&format!("reading the verification of {}", row.id), &e))?;
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let masked = Mobile::parse(&row.signer_mobile)
        .map(|m| rules::mask_mobile(&m))
        .unwrap_or_default();
    let body = json!({
        "status": row.status_at(now),
        "request_id": row.id,
        "verification": verification,
        "form": parse(&row.form),
        "readonly": parse(&row.readonly),
        "signer": {"name": row.signer_name, "mobile": masked},
        "expires_at": row.expires_at,
        "locale": row.locale,
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, callback_url: Option<&str>) -> RequestRow {
        RequestRow {
            id: id.to_owned(),
            status: OPEN.to_owned(),
            form: "{}".to_owned(),
            readonly: "[]".to_owned(),
            signer_name: "张晓梅".to_owned(),
            signer_mobile: "13800138000".to_owned(),
            expires_at: "2099-12-31T18:00:00+08:00".to_owned(),
            expires_unix: 4_102_394_400,
            callback_url: callback_url.map(str::to_owned),
            locale: None,
            consent_id: None,
            assignee: None,
        }
    }

    async fn temp_store(tag: &str) -> (Store, crate::store::Writer, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "qianyue-requests-unit-{tag}-{}-{}",
            std::process::id(),
            crate::api::now_unix()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let keys = crate::seal::DataKeys::from_pairs(&[("k-test", [7; 32])]).unwrap();
        let (store, writer) = Store::open(
            &crate::store::sqlite_url(&dir.join("t.sqlite3")),
            crate::seal::KeySource::Keys(std::sync::Arc::new(keys)),
        )
        .await
        .unwrap();
        (store, writer, dir)
    }

    /// The sweep goes on where it stopped after a full batch, ties at one second included,
    /// records each expiry once, and leaves revoked requests and live ones alone.
    #[tokio::test]
    async fn the_expiry_sweep_covers_every_request_in_batches() {
        let (store, writer, dir) = temp_store("sweep").await;
        let at = SignedAt::parse("2026-12-02T10:15:00+08:00").unwrap();
        let base = at.unix_seconds();
        let id = |i: usize| format!("b0000000-0000-4000-8000-{i:012}");
        for i in 0..260 {
            let mut r = row(&id(i), None);
            // 130 requests expire in the same second, 120 in the next; 10 are live.
            r.expires_unix = if i < 130 {
                base + 10
            } else if i < 250 {
                base + 11
            } else {
                base + 1000
            };
            if i == 5 {
                r.status = REVOKED.to_owned();
            }
            let new = NewRequest {
                row: r,
                token_sha256: token_sha256(&id(i)),
                created_by: "tests",
                created_at: at,
            };
            insert(&store, &new).await.unwrap();
        }
        let now = base + 100;
        let mut to = i64::MIN;
        let mut passes = 0;
        loop {
            let next = sweep_expired(&store, to, now).await.unwrap();
            passes += 1;
            assert!(passes < 10, "the sweep advances");
            if next == now {
                break;
            }
            to = next;
        }
        assert!(passes >= 3, "{passes} passes");
        let expired: i64 =
            sqlx::query("SELECT COUNT(*) FROM request_events WHERE type = 'request.expired'")
                .fetch_one(store.pool())
                .await
                .unwrap()
                .get(0);
        assert_eq!(expired, 249, "every expired, open request once");
        // Again from the start: nothing more.
        sweep_expired(&store, i64::MIN, now).await.unwrap();
        let again: i64 =
            sqlx::query("SELECT COUNT(*) FROM request_events WHERE type = 'request.expired'")
                .fetch_one(store.pool())
                .await
                .unwrap()
                .get(0);
        assert_eq!(again, 249);
        store.close().await;
        drop(store);
        writer.finish().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// (type, body) of every queued delivery of `id`.
    async fn queued(store: &Store, id: &str) -> Vec<(String, Value)> {
        let rows = sqlx::query(
            "SELECT type, body FROM webhook_deliveries WHERE request_id = $1 ORDER BY type",
        )
        .bind(id)
        .fetch_all(store.pool())
        .await
        .unwrap();
        rows.iter()
            .map(|r| {
                let body: String = r.get(1);
                (r.get(0), serde_json::from_str(&body).unwrap())
            })
            .collect()
    }

    /// `add_event` queues a delivery for any event type, once per new event, in the caller's
    /// transaction; `request.signed` carries the consent id set before it in that transaction.
    #[tokio::test]
    async fn add_event_queues_a_delivery_for_each_new_event() {
        let (store, writer, dir) = temp_store("queue").await;
        let at = SignedAt::parse("2026-12-02T10:15:00+08:00").unwrap();
        let with = "a0000000-0000-4000-8000-000000000001";
        let without = "a0000000-0000-4000-8000-000000000002";
        for (id, url) in [
            (with, Some("https://portal.example.com/h")),
            (without, None),
        ] {
            let new = NewRequest {
                row: row(id, url),
                token_sha256: token_sha256(id),
                created_by: "tests",
                created_at: at,
            };
            insert(&store, &new).await.unwrap();
        }
        // request.verified, twice: one event, one delivery.
        for _ in 0..2 {
            let mut conn = store.pool().acquire().await.unwrap();
            add_event(&mut conn, with, "request.verified", at)
                .await
                .unwrap();
        }
        // A rolled-back transaction leaves neither the event nor its delivery.
        let mut tx = store.pool().begin().await.unwrap();
        add_event(&mut tx, with, "request.revoked", at)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        // request.signed after consent_id, in one transaction, as the signing path does.
        let consent = "c0000000-0000-4000-8000-00000000000c";
        let mut tx = store.pool().begin().await.unwrap();
        sqlx::query("UPDATE requests SET status = 'signed', consent_id = $1 WHERE id = $2")
            .bind(consent)
            .bind(with)
            .execute(&mut *tx)
            .await
            .unwrap();
        add_event(&mut tx, with, "request.signed", at)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let q = queued(&store, with).await;
        let types: Vec<&str> = q.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            types,
            ["request.opened", "request.signed", "request.verified"]
        );
        for (kind, body) in &q {
            assert_eq!(body["type"], kind.as_str());
            assert_eq!(body["request_id"], with);
            assert_eq!(body["occurred_at"], "2026-12-02T10:15:00+08:00");
            let expected = if kind == "request.signed" {
                json!(consent)
            } else {
                Value::Null
            };
            assert_eq!(body["consent_id"], expected, "{kind}");
        }
        // No callback URL: events, no deliveries.
        let mut conn = store.pool().acquire().await.unwrap();
        add_event(&mut conn, without, "request.verified", at)
            .await
            .unwrap();
        drop(conn);
        assert!(queued(&store, without).await.is_empty());
        assert_eq!(events(&store, without).await.unwrap().len(), 2);

        store.close().await;
        drop(store);
        writer.finish().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
