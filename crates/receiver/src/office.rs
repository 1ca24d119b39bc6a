//! The back office's API (issue 18 item 4, docs/back-office.md): scoped keys, the lists of
//! consents and requests with their filters and cursor, the CSV export and the bundle of
//! evidence PDFs.
//!
//! - [`Scope`]: what a key may do (`read`, `unmask`, `requests`), from `QIANYUE_API_KEY_SCOPES`
//!   ([`apply_scopes`]); [`authorize`] is the one check every back-office handler calls.
//! - [`Search`]: the enterprise's identifiers kept in clear for the search (migrations/0006).
//! - [`list_consents`], [`list_requests`]: `{"items", "next_cursor"}`, newest first, masked
//!   (no ID number, no signer's name or mobile).
//! - [`export_csv`]: the same rows as CSV for Excel; [`export_zip`]: the evidence PDFs and an
//!   `index.csv`, written by [`write_bundle`] around any source of PDFs.

use std::future::Future;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use qianyue_domain::date::Date;
use qianyue_domain::form::FieldError;
use qianyue_domain::numbers::ContractNo;
use qianyue_domain::payload::{Rejection, SignedAt};
use qianyue_domain::uscc::Uscc;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;
use subtle::ConstantTimeEq;

use crate::api::{json_response, now_unix, HttpRule};
use crate::error::ApiError;
use crate::transport::Peer;
use crate::App;

qianyue_domain::rule_errors! {
    /// Refusals of the back office's API.
    pub enum OfficeRule {
        ScopeRead => "auth.scope.read", "该访问密钥没有 read（查询）权限", "This key lacks the read scope";
        ScopeUnmask => "auth.scope.unmask", "该访问密钥没有 unmask（查看完整证件号码）权限", "This key lacks the unmask scope";
        ScopeRequests => "auth.scope.requests", "该访问密钥没有 requests（签署请求）权限", "This key lacks the requests scope";
        Query => "query.invalid", "查询条件有误", "The query is not valid";
        Unknown => "query.unknown", "不支持该查询参数", "This query parameter is not supported";
        Repeated => "query.repeated", "查询参数重复", "This query parameter is given twice";
        Status => "query.status", "状态应为 open、verified、signed、expired 或 revoked", "The status must be open, verified, signed, expired or revoked";
        DateFormat => "query.date", "日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD";
        DateOrder => "query.date_order", "开始日期不能晚于结束日期", "The start date must not be after the end date";
        Limit => "query.limit", "每页条数超出范围", "The page size is out of range";
        Cursor => "query.cursor", "翻页标记无效，请从第一页重新查询", "The cursor is not valid; start again from the first page";
        Company => "query.company", "企业名称查询应为 1 到 100 个字符", "The company name to search must be 1 to 100 characters";
        EvidenceMissing => "evidence.missing", "某份签约记录的证据 PDF 无法生成", "The evidence PDF of a consent could not be made";
    }
}

// ------------------------------------------------------------------------------------------
// Scopes and the one authorisation check

/// What a back-office key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Lists, search, CSV export, `GET /api/consents/{id}` masked.
    Read,
    /// ID numbers in clear: `?unmask=true`, the evidence PDFs and their bundle.
    Unmask,
    /// `/api/requests`: open, read, list and revoke signing requests.
    Requests,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Unmask, Scope::Requests];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Unmask => "unmask",
            Scope::Requests => "requests",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Scope::Read => 1,
            Scope::Unmask => 2,
            Scope::Requests => 4,
        }
    }

    fn refusal(self) -> OfficeRule {
        match self {
            Scope::Read => OfficeRule::ScopeRead,
            Scope::Unmask => OfficeRule::ScopeUnmask,
            Scope::Requests => OfficeRule::ScopeRequests,
        }
    }
}

/// A set of scopes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Scopes(u8);

impl Scopes {
    /// A key not named in `QIANYUE_API_KEY_SCOPES`: what it could do before scopes
    /// (`requests`) plus `read`.
    pub const DEFAULT: Scopes = Scopes(1 | 4);
    /// The admin token's.
    pub const ALL: Scopes = Scopes(1 | 2 | 4);

    pub fn has(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn of(scopes: &[Scope]) -> Scopes {
        Scopes(scopes.iter().fold(0, |acc, s| acc | s.bit()))
    }
}

impl std::fmt::Debug for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = Scope::ALL
            .iter()
            .filter(|s| self.has(**s))
            .map(|s| s.name())
            .collect();
        write!(f, "{}", names.join("+"))
    }
}

/// Applies `QIANYUE_API_KEY_SCOPES` (`name=scope+scope,…`) to the keys of `QIANYUE_API_KEYS`:
/// each name must be a configured key, given once, with at least one known scope.
pub fn apply_scopes(keys: &mut [crate::config::ApiKey], list: &str) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((name, scopes)) = entry.split_once('=') else {
            return Err("QIANYUE_API_KEY_SCOPES: each entry is name=scope+scope".into());
        };
        let (name, scopes) = (name.trim(), scopes.trim());
        if seen.contains(&name) {
            return Err(format!(
                "QIANYUE_API_KEY_SCOPES: the name {name} is given twice"
            ));
        }
        seen.push(name);
        let mut parsed = Vec::new();
        for s in scopes.split('+').map(str::trim) {
            match Scope::ALL.iter().find(|k| k.name() == s) {
                Some(k) => parsed.push(*k),
                None => {
                    return Err(format!(
                        "QIANYUE_API_KEY_SCOPES: {s:?} (key {name}) is not a scope: read, \
                         unmask or requests"
                    ))
                }
            }
        }
        let Some(key) = keys.iter_mut().find(|k| k.name == name) else {
            return Err(format!(
                "QIANYUE_API_KEY_SCOPES: {name} is not a key of QIANYUE_API_KEYS"
            ));
        };
        key.scopes = Scopes::of(&parsed);
    }
    Ok(())
}

/// Who called: the admin token or a named API key, and what it may do.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key's name; `None` for the admin token.
    pub key: Option<String>,
    pub scopes: Scopes,
    /// How the audit log names it: `token:<fingerprint>` for the admin token (as before),
    /// `key:<name>` for an API key.
    pub who: String,
}

impl Caller {
    /// The name written as a request's `created_by`: the key's, or `admin` for the token.
    pub fn name(&self) -> &str {
        self.key.as_deref().unwrap_or("admin")
    }

    /// 403 naming `scope` unless the caller has it.
    // A refusal is answered at once by the handler that asked.
    #[allow(clippy::result_large_err)]
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.has(scope) {
            return Ok(());
        }
        let mut r = Rejection::of(scope.refusal(), "");
        r.detail = Some(format!("scope {} required", scope.name()));
        Err(ApiError::rejected(StatusCode::FORBIDDEN, r))
    }
}

/// The back office's one check: the bearer is the admin token (every scope) or an API key (its
/// scopes), compared as SHA-256 digests in constant time, each of them every time; then the
/// caller must have `scope`. 403 `auth.disabled` when neither is configured, 429 after too many
/// wrong tokens from this address, 401 with the bearer challenge for a wrong one, 403
/// `auth.scope.<scope>` for a key without the scope.
#[allow(clippy::result_large_err)]
pub fn authorize(
    app: &App,
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    scope: Scope,
) -> Result<Caller, ApiError> {
    let config = &app.config;
    if config.admin_token.is_none() && config.api_keys.is_empty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            HttpRule::AdminDisabled,
        ));
    }
    let caller = crate::api::check_bearer(app, peer, headers, |presented| {
        if presented.is_empty() {
            return None;
        }
        let digest = Sha256::digest(presented.as_bytes());
        let mut found: Option<Caller> = None;
        for key in &config.api_keys {
            if bool::from(key.digest.as_slice().ct_eq(digest.as_slice())) {
                found = Some(Caller {
                    key: Some(key.name.clone()),
                    scopes: key.scopes,
                    who: format!("key:{}", key.name),
                });
            }
        }
        if let Some(token) = &config.admin_token {
            if crate::access::same_secret(presented.as_bytes(), token.as_bytes()) {
                found = Some(Caller {
                    key: None,
                    scopes: Scopes::ALL,
                    who: format!("token:{}", crate::access::fingerprint(token)),
                });
            }
        }
        found
    })?;
    caller.require(scope)?;
    Ok(caller)
}

// ------------------------------------------------------------------------------------------
// The search columns

/// The enterprise's identifiers of a consent or request, in clear for the search
/// (migrations/0006): the contract number and USCC in their normalised form when they read as
/// one (as given otherwise), the company's name trimmed; `''` when absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub contract_no: String,
    pub uscc: String,
    pub company: String,
}

#[derive(Deserialize, Default)]
struct FormKeys {
    #[serde(default)]
    contract_no: String,
    #[serde(default)]
    customer: CustomerKeys,
}

#[derive(Deserialize, Default)]
struct CustomerKeys {
    #[serde(default)]
    cert_number: String,
    #[serde(default)]
    group_name: String,
}

#[derive(Deserialize)]
struct PayloadKeys {
    #[serde(default)]
    form: FormKeys,
}

impl Search {
    /// From a consent's payload (JSON, in clear).
    pub fn of_payload(payload: &str) -> Search {
        serde_json::from_str::<PayloadKeys>(payload)
            .map(|p| Search::of_keys(&p.form))
            .unwrap_or_default()
    }

    /// From a request's form (JSON, in clear).
    pub fn of_form(form: &str) -> Search {
        serde_json::from_str::<FormKeys>(form)
            .map(|f| Search::of_keys(&f))
            .unwrap_or_default()
    }

    fn of_keys(f: &FormKeys) -> Search {
        Search {
            contract_no: ContractNo::parse(&f.contract_no)
                .map(|c| c.as_str().to_owned())
                .unwrap_or_else(|_| f.contract_no.trim().to_owned()),
            uscc: Uscc::parse(&f.customer.cert_number)
                .map(|u| u.as_str().to_owned())
                .unwrap_or_else(|_| f.customer.cert_number.trim().to_owned()),
            company: f.customer.group_name.trim().to_owned(),
        }
    }
}

// ------------------------------------------------------------------------------------------
// The query: filters, page size, cursor

/// A list's page size: default and largest.
pub const PAGE_DEFAULT: usize = 50;
pub const PAGE_MAX: usize = 200;
/// Rows of one CSV export at most (more: the next one goes on from `Qianyue-Next-Cursor`).
pub const CSV_MAX: usize = 1000;
/// Evidence PDFs of one bundle at most.
pub const ZIP_MAX: usize = 100;

/// Statuses a filter may name (a consent's is its request's, else `signed`).
const STATUSES: [&str; 5] = ["open", "verified", "signed", "expired", "revoked"];

/// The parameters of a list or an export.
const KNOWN: [&str; 8] = [
    "contract_no",
    "uscc",
    "company",
    "status",
    "signed_from",
    "signed_to",
    "limit",
    "cursor",
];

/// The filters and page of a list or an export.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub contract_no: Option<String>,
    pub uscc: Option<String>,
    pub company: Option<String>,
    pub status: Option<&'static str>,
    pub signed_from: Option<Date>,
    pub signed_to: Option<Date>,
    pub limit: usize,
    /// After this (time, id): the last row of the previous page.
    pub cursor: Option<(String, String)>,
}

fn query_error(param: &str, rule: impl Into<qianyue_domain::error::RuleMessage>) -> ApiError {
    ApiError::rejected(
        StatusCode::UNPROCESSABLE_ENTITY,
        Rejection {
            rule: OfficeRule::Query.into(),
            fields: vec![FieldError {
                path: param.to_owned(),
                rule: rule.into(),
            }],
            detail: None,
        },
    )
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space); `None` when
/// it is not UTF-8 or has a bad escape.
fn decode_component(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The cursor of a row: base64url of the JSON `[time, id]` (opaque to the caller).
pub fn cursor_of(time: &str, id: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    URL_SAFE_NO_PAD.encode(json!([time, id]).to_string())
}

fn cursor_from(s: &str) -> Option<(String, String)> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
    let (time, id): (String, String) = serde_json::from_slice(&bytes).ok()?;
    SignedAt::parse(&time).ok()?;
    qianyue_domain::payload::is_uuid_v4(&id).then_some((time, id))
}

impl Query {
    /// Parses the query string: the filters `contract_no`, `uscc` (each as the domain reads
    /// one), `company` (a part of the name), `status`, `signed_from`/`signed_to` (dates,
    /// inclusive), `limit` (1 to `max`, default `default`) and `cursor`; also `extra`
    /// parameters the caller reads itself. Anything else, twice, or malformed: 422 naming it.
    #[allow(clippy::result_large_err)]
    pub fn parse(
        query: Option<&str>,
        default: usize,
        max: usize,
        extra: &[&str],
    ) -> Result<Query, ApiError> {
        let mut q = Query {
            limit: default,
            ..Query::default()
        };
        let mut seen: Vec<String> = Vec::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode_component(k).ok_or_else(|| query_error(k, OfficeRule::Unknown))?;
            let value = decode_component(v).ok_or_else(|| query_error(&key, OfficeRule::Query))?;
            if seen.contains(&key) {
                return Err(query_error(&key, OfficeRule::Repeated));
            }
            seen.push(key.clone());
            let value = value.trim();
            let date =
                |v: &str| Date::parse_iso(v).map_err(|_| query_error(&key, OfficeRule::DateFormat));
            if !KNOWN.contains(&key.as_str()) && !extra.contains(&key.as_str()) {
                return Err(query_error(&key, OfficeRule::Unknown));
            }
            match key.as_str() {
                // An empty filter is no filter (a form's blank field).
                _ if value.is_empty() && key != "cursor" && !extra.contains(&key.as_str()) => {}
                "contract_no" => {
                    let c = ContractNo::parse(value).map_err(|e| query_error(&key, e))?;
                    q.contract_no = Some(c.as_str().to_owned());
                }
                "uscc" => {
                    let u = Uscc::parse(value).map_err(|e| query_error(&key, e))?;
                    q.uscc = Some(u.as_str().to_owned());
                }
                "company" => {
                    if value.chars().count() > 100 {
                        return Err(query_error(&key, OfficeRule::Company));
                    }
                    q.company = Some(value.to_owned());
                }
                "status" => {
                    let s = STATUSES
                        .iter()
                        .find(|s| **s == value)
                        .ok_or_else(|| query_error(&key, OfficeRule::Status))?;
                    q.status = Some(s);
                }
                "signed_from" => q.signed_from = Some(date(value)?),
                "signed_to" => q.signed_to = Some(date(value)?),
                "limit" => {
                    q.limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=max).contains(n))
                        .ok_or_else(|| query_error(&key, OfficeRule::Limit))?;
                }
                "cursor" => {
                    q.cursor = Some(
                        cursor_from(value).ok_or_else(|| query_error(&key, OfficeRule::Cursor))?,
                    );
                }
                k if extra.contains(&k) => {}
                _ => return Err(query_error(&key, OfficeRule::Unknown)),
            }
        }
        if let (Some(from), Some(to)) = (q.signed_from, q.signed_to) {
            if from > to {
                return Err(query_error("signed_from", OfficeRule::DateOrder));
            }
        }
        Ok(q)
    }

    /// The signing-time bounds: `[from 00:00:00, to+1 00:00:00)` in CST, compared as text
    /// (every `signed_at` is `YYYY-MM-DDTHH:MM:SS+08:00`).
    fn signed_bounds(&self) -> (Option<String>, Option<String>) {
        let start = |d: Date| format!("{d}T00:00:00+08:00");
        (
            self.signed_from.map(start),
            self.signed_to.and_then(|d| d.add_days(1)).map(start),
        )
    }
}

/// A bound value of a built statement.
enum Param {
    Text(String),
    Int(i64),
}

/// A `WHERE` clause built from placeholders, with its values.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    params: Vec<Param>,
}

impl Where {
    /// The next placeholder, bound to `p`.
    fn mark(&mut self, p: Param) -> String {
        self.params.push(p);
        format!("${}", self.params.len())
    }

    fn text(&mut self, s: &str) -> String {
        self.mark(Param::Text(s.to_owned()))
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The filters common to both lists, on the columns of `t`.
    fn common(&mut self, q: &Query, t: &str) {
        if let Some(c) = &q.contract_no {
            let m = self.text(c);
            self.clauses.push(format!("{t}.contract_no = {m}"));
        }
        if let Some(u) = &q.uscc {
            let m = self.text(u);
            self.clauses.push(format!("{t}.uscc = {m}"));
        }
        if let Some(name) = &q.company {
            let escaped: String = name
                .to_ascii_lowercase()
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            let m = self.text(&format!("%{escaped}%"));
            self.clauses
                .push(format!("LOWER({t}.company) LIKE {m} ESCAPE '\\'"));
        }
    }

    /// `time, id` strictly before the cursor (newest first).
    fn after(&mut self, q: &Query, time: &str, id: &str) {
        if let Some((t, i)) = &q.cursor {
            let (a, b, c) = (self.text(t), self.text(t), self.text(i));
            self.clauses
                .push(format!("({time} < {a} OR ({time} = {b} AND {id} < {c}))"));
        }
    }

    fn signed(&mut self, q: &Query, column: &str) {
        let (from, to) = q.signed_bounds();
        if let Some(f) = from {
            let m = self.text(&f);
            self.clauses.push(format!("{column} >= {m}"));
        }
        if let Some(t) = to {
            let m = self.text(&t);
            self.clauses.push(format!("{column} < {m}"));
        }
    }

    async fn fetch(
        &self,
        pool: &sqlx::AnyPool,
        sql: String,
    ) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for p in &self.params {
            q = match p {
                Param::Text(s) => q.bind(s.clone()),
                Param::Int(n) => q.bind(*n),
            };
        }
        q.fetch_all(pool).await
    }
}

// ------------------------------------------------------------------------------------------
// The lists

/// One consent as the lists and exports show it: no ID number, no name, no mobile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConsentItem {
    pub id: String,
    pub status: String,
    pub contract_no: String,
    pub uscc: String,
    pub company: String,
    pub signed_at: String,
    pub received_at: String,
    pub request_id: Option<String>,
    pub agreement_id: String,
    pub agreement_version: String,
    pub payload_sha256: String,
}

/// The consents matching `q`, newest first, at most `q.limit`, and the next page's cursor.
pub async fn find_consents(
    app: &App,
    q: &Query,
) -> Result<(Vec<ConsentItem>, Option<String>), crate::store::StoreError> {
    let mut w = Where::default();
    w.common(q, "c");
    w.signed(q, "c.signed_at");
    if let Some(s) = q.status {
        let m = w.text(s);
        w.clauses
            .push(format!("COALESCE(r.status, 'signed') = {m}"));
    }
    w.after(q, "c.received_at", "c.id");
    let limit = w.mark(Param::Int(i64::try_from(q.limit).unwrap_or(i64::MAX) + 1));
    let sql = format!(
        "SELECT c.id, COALESCE(r.status, 'signed'), c.contract_no, c.uscc, c.company, \
         c.signed_at, c.received_at, c.request_id, c.agreement_id, c.agreement_version, \
         c.payload_sha256 FROM consents c LEFT JOIN requests r ON r.id = c.request_id {} \
         ORDER BY c.received_at DESC, c.id DESC LIMIT {limit}",
        w.sql()
    );
    let rows = w.fetch(app.store.pool(), sql).await?;
    let mut items = rows
        .iter()
        .map(|r| {
            Ok(ConsentItem {
                id: r.try_get(0)?,
                status: r.try_get(1)?,
                contract_no: r.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
                uscc: r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
                company: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
                signed_at: r.try_get(5)?,
                received_at: r.try_get(6)?,
                request_id: r.try_get(7)?,
                agreement_id: r.try_get(8)?,
                agreement_version: r.try_get(9)?,
                payload_sha256: r.try_get(10)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let next = (items.len() > q.limit).then(|| {
        items.truncate(q.limit);
        items
            .last()
            .map(|i| cursor_of(&i.received_at, &i.id))
            .unwrap_or_default()
    });
    Ok((items, next))
}

/// One request as its list shows it: no signer's name or mobile, no form.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestItem {
    pub id: String,
    pub status: String,
    pub contract_no: String,
    pub uscc: String,
    pub company: String,
    pub created_at: String,
    pub created_by: String,
    pub expires_at: String,
    pub consent_id: Option<String>,
    pub signed_at: Option<String>,
}

/// The requests matching `q` at `now`, newest first, and the next page's cursor.
pub async fn find_requests(
    app: &App,
    q: &Query,
    now: i64,
) -> Result<(Vec<RequestItem>, Option<String>), crate::store::StoreError> {
    let mut w = Where::default();
    w.common(q, "q");
    if q.signed_from.is_some() || q.signed_to.is_some() {
        w.signed(q, "c.signed_at");
    }
    match q.status {
        Some(s @ ("open" | "verified")) => {
            let (m, n) = (w.text(s), w.mark(Param::Int(now)));
            w.clauses
                .push(format!("q.status = {m} AND q.expires_unix > {n}"));
        }
        Some("expired") => {
            let n = w.mark(Param::Int(now));
            w.clauses.push(format!(
                "q.status IN ('open', 'verified') AND q.expires_unix <= {n}"
            ));
        }
        Some(s) => {
            let m = w.text(s);
            w.clauses.push(format!("q.status = {m}"));
        }
        None => {}
    }
    w.after(q, "q.created_at", "q.id");
    let limit = w.mark(Param::Int(i64::try_from(q.limit).unwrap_or(i64::MAX) + 1));
    let sql = format!(
        "SELECT q.id, q.status, q.expires_unix, q.contract_no, q.uscc, q.company, q.created_at, \
         q.created_by, q.expires_at, q.consent_id, c.signed_at FROM requests q \
         LEFT JOIN consents c ON c.id = q.consent_id {} \
         ORDER BY q.created_at DESC, q.id DESC LIMIT {limit}",
        w.sql()
    );
    let rows = w.fetch(app.store.pool(), sql).await?;
    let mut items = rows
        .iter()
        .map(|r| {
            let status: String = r.try_get(1)?;
            let expires: i64 = r.try_get(2)?;
            let live = status == crate::requests::OPEN || status == crate::requests::VERIFIED;
            Ok(RequestItem {
                id: r.try_get(0)?,
                status: if live && now >= expires {
                    crate::requests::EXPIRED.to_owned()
                } else {
                    status
                },
                contract_no: r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
                uscc: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
                company: r.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
                created_at: r.try_get(6)?,
                created_by: r.try_get(7)?,
                expires_at: r.try_get(8)?,
                consent_id: r.try_get(9)?,
                signed_at: r.try_get(10)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let next = (items.len() > q.limit).then(|| {
        items.truncate(q.limit);
        items
            .last()
            .map(|i| cursor_of(&i.created_at, &i.id))
            .unwrap_or_default()
    });
    Ok((items, next))
}

fn unavailable(what: &str, e: &dyn std::fmt::Display) -> ApiError {
    eprintln!("qianyue-receiver: {what} failed: {e}");
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, HttpRule::StoreUnavailable).retry_after(1)
}

/// Writes one audit event (no personal data); a log that cannot be written refuses the call.
#[allow(clippy::result_large_err)]
fn audit(app: &App, event: Value) -> Result<(), ApiError> {
    app.guard.audit.write(&event).map_err(|e| {
        eprintln!("qianyue-receiver: {e}");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, HttpRule::AuditUnavailable)
    })
}

fn audit_now() -> Option<String> {
    SignedAt::from_unix_seconds(now_unix()).map(|t| t.to_string())
}

fn page(items: &impl serde::Serialize, next: Option<String>) -> Response {
    json_response(
        StatusCode::OK,
        json!({"items": items, "next_cursor": next}).to_string(),
    )
}

/// `GET /api/consents?…` (scope `read`).
pub async fn list_consents(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    authorize(&app, peer, &headers, Scope::Read)?;
    let q = Query::parse(uri.query(), PAGE_DEFAULT, PAGE_MAX, &[])?;
    let (items, next) = find_consents(&app, &q)
        .await
        .map_err(|e| unavailable("listing consents", &e))?;
    Ok(page(&items, next))
}

/// `GET /api/requests?…` (scope `requests`).
pub async fn list_requests(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    authorize(&app, peer, &headers, Scope::Requests)?;
    let q = Query::parse(uri.query(), PAGE_DEFAULT, PAGE_MAX, &[])?;
    let (items, next) = find_requests(&app, &q, now_unix())
        .await
        .map_err(|e| unavailable("listing requests", &e))?;
    Ok(page(&items, next))
}

// ------------------------------------------------------------------------------------------
// CSV

/// The CSV's columns, in order.
pub const CSV_HEADER: [&str; 11] = [
    "id",
    "status",
    "contract_no",
    "uscc",
    "company",
    "signed_at",
    "received_at",
    "request_id",
    "agreement_id",
    "agreement_version",
    "payload_sha256",
];

/// One CSV cell (RFC 4180): a value starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is prefixed with `'` so that a spreadsheet shows it as text instead of running it
/// as a formula; a value holding `"`, `,`, CR or LF is quoted, its quotes doubled.
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains(['"', ',', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The CSV of `items`: UTF-8 with a byte-order mark (so that Excel reads the Chinese), CRLF
/// line ends, a header line.
pub fn consents_csv(items: &[ConsentItem]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: &[&str]| {
        let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        format!("{}\r\n", cells.join(","))
    };
    out.push_str(&line(&CSV_HEADER));
    for i in items {
        out.push_str(&line(&[
            &i.id,
            &i.status,
            &i.contract_no,
            &i.uscc,
            &i.company,
            &i.signed_at,
            &i.received_at,
            i.request_id.as_deref().unwrap_or(""),
            &i.agreement_id,
            &i.agreement_version,
            &i.payload_sha256,
        ]));
    }
    out.into_bytes()
}

/// The response header naming the next export's cursor when more rows match.
pub const NEXT_CURSOR_HEADER: &str = "qianyue-next-cursor";

fn download(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

fn with_next(mut r: Response, next: Option<String>) -> Response {
    if let Some(v) = next.and_then(|n| HeaderValue::from_str(&n).ok()) {
        r.headers_mut().insert(NEXT_CURSOR_HEADER, v);
    }
    r
}

/// `GET /api/consents/export.csv?…` (scope `read`): at most [`CSV_MAX`] rows (`limit` less),
/// masked as the list.
pub async fn export_csv(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let caller = authorize(&app, peer, &headers, Scope::Read)?;
    let q = Query::parse(uri.query(), CSV_MAX, CSV_MAX, &[])?;
    let (items, next) = find_consents(&app, &q)
        .await
        .map_err(|e| unavailable("exporting consents", &e))?;
    audit(
        &app,
        json!({"at": audit_now(), "event": "consents.export_csv", "who": caller.who,
               "count": items.len()}),
    )?;
    let r = download(
        consents_csv(&items),
        "text/csv; charset=utf-8",
        "qianyue-consents.csv",
    );
    Ok(with_next(r, next))
}

// ------------------------------------------------------------------------------------------
// The bundle of evidence PDFs

/// A bundle could not be written: a PDF's source failed, or a consent has none.
#[derive(Debug)]
pub enum BundleError<E> {
    Source(String, E),
    Missing(String),
}

/// The ZIP of the evidence PDFs of `items` (`qianyue-<id>.pdf` each, from `pdf(id)`) and
/// `index.csv` (the CSV of [`consents_csv`]), in that order. Stored, not compressed (a PDF's
/// streams are compressed already); every entry dated 1980-01-01 00:00 so that one set of
/// PDFs gives one set of bytes. Fails on the first PDF that cannot be had.
pub async fn write_bundle<F, Fut, E>(
    items: &[ConsentItem],
    pdf: F,
) -> Result<Vec<u8>, BundleError<E>>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Option<Vec<u8>>, E>>,
{
    let mut zip = ZipWriter::default();
    for i in items {
        match pdf(i.id.clone()).await {
            Ok(Some(bytes)) => zip.add(&format!("qianyue-{}.pdf", i.id), &bytes),
            Ok(None) => return Err(BundleError::Missing(i.id.clone())),
            Err(e) => return Err(BundleError::Source(i.id.clone(), e)),
        }
    }
    zip.add("index.csv", &consents_csv(items));
    Ok(zip.finish())
}

/// A ZIP archive (PKWARE APPNOTE 6.3, entries stored, no ZIP64: a bundle stays far below
/// 4 GiB and 65,535 entries with [`ZIP_MAX`]).
#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

impl ZipWriter {
    /// 1980-01-01 00:00:00 in MS-DOS form (time 0, date (0 << 9) | (1 << 5) | 1).
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = (1 << 5) | 1;
    /// Bit 11: names are UTF-8.
    const FLAGS: u16 = 1 << 11;

    pub fn add(&mut self, name: &str, data: &[u8]) {
        let crc = crc32fast::hash(data);
        let offset = u32::try_from(self.out.len()).unwrap_or(u32::MAX);
        let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        let o = &mut self.out;
        o.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        o.extend_from_slice(&20u16.to_le_bytes()); // version needed
        o.extend_from_slice(&Self::FLAGS.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes()); // stored
        o.extend_from_slice(&Self::DOS_TIME.to_le_bytes());
        o.extend_from_slice(&Self::DOS_DATE.to_le_bytes());
        o.extend_from_slice(&crc.to_le_bytes());
        o.extend_from_slice(&size.to_le_bytes());
        o.extend_from_slice(&size.to_le_bytes());
        o.extend_from_slice(&name_len.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes()); // extra
        o.extend_from_slice(name.as_bytes());
        o.extend_from_slice(data);
        let c = &mut self.central;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        c.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by: Unix, 2.0
        c.extend_from_slice(&20u16.to_le_bytes());
        c.extend_from_slice(&Self::FLAGS.to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes());
        c.extend_from_slice(&Self::DOS_TIME.to_le_bytes());
        c.extend_from_slice(&Self::DOS_DATE.to_le_bytes());
        c.extend_from_slice(&crc.to_le_bytes());
        c.extend_from_slice(&size.to_le_bytes());
        c.extend_from_slice(&size.to_le_bytes());
        c.extend_from_slice(&name_len.to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes()); // extra
        c.extend_from_slice(&0u16.to_le_bytes()); // comment
        c.extend_from_slice(&0u16.to_le_bytes()); // disk
        c.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        c.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes()); // -rw-r--r--
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        self.entries = self.entries.saturating_add(1);
    }

    pub fn finish(mut self) -> Vec<u8> {
        let offset = u32::try_from(self.out.len()).unwrap_or(u32::MAX);
        let size = u32::try_from(self.central.len()).unwrap_or(u32::MAX);
        self.out.extend_from_slice(&self.central);
        let o = &mut self.out;
        o.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes());
        o.extend_from_slice(&self.entries.to_le_bytes());
        o.extend_from_slice(&self.entries.to_le_bytes());
        o.extend_from_slice(&size.to_le_bytes());
        o.extend_from_slice(&offset.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes());
        self.out
    }
}

/// The evidence PDF of one consent, for the bundle (`crate::evidence`, the same bytes as its
/// download): `Ok(None)` when there is no such consent.
async fn evidence_pdf(app: &App, id: &str) -> Result<Option<Vec<u8>>, String> {
    crate::evidence::evidence_pdf(app, id)
        .await
        .map_err(|e| e.to_string())
}

/// `GET /api/consents/export.zip?…` (scope `unmask`: the PDFs hold the ID numbers in clear):
/// at most [`ZIP_MAX`] consents (`limit` less). Each consent in it is written to the audit log
/// (`consent.evidence`, via `export.zip`) before the bundle is answered.
pub async fn export_zip(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let caller = authorize(&app, peer, &headers, Scope::Unmask)?;
    let q = Query::parse(uri.query(), ZIP_MAX, ZIP_MAX, &[])?;
    let (items, next) = find_consents(&app, &q)
        .await
        .map_err(|e| unavailable("exporting consents", &e))?;
    let app_ref = &*app;
    let bytes =
        match write_bundle(&items, |id| async move { evidence_pdf(app_ref, &id).await }).await {
            Ok(b) => b,
            Err(BundleError::Source(id, e)) => {
                return Err(unavailable(&format!("the evidence PDF of {id}"), &e))
            }
            Err(BundleError::Missing(id)) => {
                eprintln!("qianyue-receiver: the evidence PDF of {id} is missing");
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    OfficeRule::EvidenceMissing,
                )
                .retry_after(1));
            }
        };
    let at = audit_now();
    for i in &items {
        audit(
            &app,
            json!({"at": at, "event": "consent.evidence", "who": caller.who, "id": i.id,
                   "via": "export.zip"}),
        )?;
    }
    let r = download(bytes, "application/zip", "qianyue-evidence.zip");
    Ok(with_next(r, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, company: &str) -> ConsentItem {
        ConsentItem {
            id: id.to_owned(),
            status: "signed".into(),
            contract_no: "75523040460309832023040617".into(),
            uscc: "91440300758613572G".into(),
            company: company.to_owned(),
            signed_at: "2023-04-10T10:00:00+08:00".into(),
            received_at: "2023-04-10T10:00:01+08:00".into(),
            request_id: None,
            agreement_id: "cmgd-cancellation".into(),
            agreement_version: "v2".into(),
            payload_sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn cells_are_quoted_and_formulas_guarded() {
        assert_eq!(
            csv_cell("深圳特发东智科技有限公司"),
            "深圳特发东智科技有限公司"
        );
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("a\nb"), "\"a\nb\"");
        assert_eq!(csv_cell("2023-04-10"), "2023-04-10");
        let csv = consents_csv(&[item("a", "=1+1")]);
        assert!(csv.starts_with("\u{feff}id,status,".as_bytes()));
        assert!(String::from_utf8(csv).unwrap().contains(",'=1+1,"));
    }

    #[test]
    fn the_query_is_parsed_or_refused_naming_its_parameter() {
        let q = Query::parse(
            Some("company=%E6%B7%B1%E5%9C%B3+%E7%89%B9&uscc=91440300758613572g&status=signed&signed_from=2023-04-01&signed_to=2023-04-30&limit=5&contract_no="),
            50,
            200,
            &[],
        )
        .unwrap();
        assert_eq!(q.company.as_deref(), Some("深圳 特"));
        assert_eq!(q.uscc.as_deref(), Some("91440300758613572G"));
        assert_eq!(q.status, Some("signed"));
        assert_eq!(q.limit, 5);
        assert_eq!(q.contract_no, None, "an empty filter is none");
        assert_eq!(
            q.signed_bounds(),
            (
                Some("2023-04-01T00:00:00+08:00".into()),
                Some("2023-05-01T00:00:00+08:00".into())
            )
        );
        let refused = |s: &str| {
            let e = Query::parse(Some(s), 50, 200, &[]).unwrap_err();
            assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY, "{s}");
            (
                e.rejection.fields[0].path.clone(),
                e.rejection.fields[0].rule.code().to_owned(),
            )
        };
        assert_eq!(
            refused("compnay=x"),
            ("compnay".into(), "query.unknown".into())
        );
        assert_eq!(refused("compnay=").1, "query.unknown");
        assert_eq!(
            refused("status=done"),
            ("status".into(), "query.status".into())
        );
        assert_eq!(refused("limit=0").1, "query.limit");
        assert_eq!(refused("limit=201").1, "query.limit");
        assert_eq!(refused("signed_from=2023-4-1").1, "query.date");
        assert_eq!(
            refused("signed_from=2023-05-01&signed_to=2023-04-01").1,
            "query.date_order"
        );
        assert_eq!(refused("cursor=abc").1, "query.cursor");
        assert_eq!(refused("cursor=").1, "query.cursor");
        assert_eq!(refused("uscc=91440300758613572X").0, "uscc");
        assert_eq!(refused("contract_no=123").0, "contract_no");
        assert_eq!(refused("status=open&status=signed").1, "query.repeated");
        let c = cursor_of(
            "2023-04-10T10:00:01+08:00",
            "5f0c7c1e-3f43-4b7a-9d43-0c7b9e2f4a11",
        );
        let q = Query::parse(Some(&format!("cursor={c}")), 50, 200, &[]).unwrap();
        assert_eq!(
            q.cursor,
            Some((
                "2023-04-10T10:00:01+08:00".into(),
                "5f0c7c1e-3f43-4b7a-9d43-0c7b9e2f4a11".into()
            ))
        );
    }

    #[test]
    fn scopes_are_read_from_their_variable() {
        let mut keys =
            crate::config::parse_api_keys("crm=0123456789abcdef,ops=0123456789abcdeg").unwrap();
        assert_eq!(keys[0].scopes, Scopes::DEFAULT);
        apply_scopes(&mut keys, "ops=read+unmask").unwrap();
        assert!(keys[1].scopes.has(Scope::Unmask) && !keys[1].scopes.has(Scope::Requests));
        assert!(keys[0].scopes.has(Scope::Requests) && keys[0].scopes.has(Scope::Read));
        assert!(!keys[0].scopes.has(Scope::Unmask));
        for bad in [
            "ops",
            "ops=write",
            "nobody=read",
            "ops=read,ops=unmask",
            "ops=",
        ] {
            assert!(apply_scopes(&mut keys, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_columns_come_from_the_form() {
        let vector: Value = serde_json::from_str(&qianyue_domain::testing::vector()).unwrap();
        let payload = vector["payload"].to_string();
        let s = Search::of_payload(&payload);
        assert_eq!(s.contract_no, "75523040460309832023040617");
        assert_eq!(s.uscc, "91440300758613572G");
        assert_eq!(s.company, "深圳特发东智科技有限公司");
        assert_eq!(Search::of_payload("not json"), Search::default());
    }

    /// The bundle: each PDF's bytes whole under its name, then index.csv, as `unzip` reads
    /// them; one source's failure fails the bundle.
    #[tokio::test]
    async fn the_bundle_holds_each_pdf_and_an_index() {
        let items = [item("a1", "甲公司"), item("b2", "乙公司")];
        let pdf = |id: String| async move {
            Ok::<_, String>(Some(
                format!("%PDF-1.7 {id} {}", "x".repeat(1000)).into_bytes(),
            ))
        };
        let zip = write_bundle(&items, pdf).await.unwrap();
        let again = write_bundle(&items, pdf).await.unwrap();
        assert_eq!(zip, again, "one set of PDFs, one set of bytes");
        let dir = std::env::temp_dir().join(format!("qianyue-zip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("b.zip");
        std::fs::write(&path, &zip).unwrap();
        if let Ok(out) = std::process::Command::new("unzip")
            .arg("-t")
            .arg(&path)
            .output()
        {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
            let list = std::process::Command::new("unzip")
                .arg("-Z1")
                .arg(&path)
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&list.stdout),
                "qianyue-a1.pdf\nqianyue-b2.pdf\nindex.csv\n"
            );
            let one = std::process::Command::new("unzip")
                .arg("-p")
                .arg(&path)
                .arg("qianyue-b2.pdf")
                .output()
                .unwrap();
            assert!(one.stdout.starts_with(b"%PDF-1.7 b2 xxx"));
            assert_eq!(one.stdout.len(), "%PDF-1.7 b2 ".len() + 1000);
        } else {
            eprintln!("note: unzip is not installed; the bundle was not read back");
        }
        let _ = std::fs::remove_dir_all(&dir);
        let failing = |id: String| async move {
            if id == "b2" {
                Err("broken".to_owned())
            } else {
                Ok(Some(b"%PDF-".to_vec()))
            }
        };
        assert!(matches!(
            write_bundle(&items, failing).await,
            Err(BundleError::Source(id, _)) if id == "b2"
        ));
        let missing = |_id: String| async move { Ok::<_, String>(None) };
        assert!(matches!(
            write_bundle(&items, missing).await,
            Err(BundleError::Missing(_))
        ));
    }
}
