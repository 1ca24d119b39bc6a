//! The outbox: every signed consent is kept on this device until the receiver has answered
//! with a receipt whose signature verifies (docs/offline.md).
//!
//! - [`submit`] (the signing journey's send) first **stores** the signed envelope in IndexedDB
//!   (`outbox_store.rs`, a committed, `strict` transaction), then tries to deliver it.
//! - The envelope rests **encrypted** (AES-GCM, 256-bit, a fresh 96-bit IV per item, the
//!   item's id as additional data) with a non-extractable key generated once and kept in the
//!   same database: ID numbers are sensitive personal information (PIPL art. 28) and never
//!   appear in the stored records in clear. Only the id, the contract number, the times and
//!   the last outcome are stored readable, for the list on screen.
//! - [`flush`] sends what waits, oldest first, one at a time: at start-up, on the browser's
//!   `online` event, after each new consent, and on a backoff timer (5 s doubling to 5 min,
//!   ±20 %) while items wait. Passes never overlap; a request made during a pass runs one more
//!   pass after it.
//! - A 2xx answer must carry a receipt (`{receipt, signature}`, payload.rs `Receipt`) signed by
//!   one of the receiver's published Ed25519 keys (`GET …/keys` beside the endpoint) and naming
//!   this consent (its id and the SHA-256 of its canonical payload); only then does the item
//!   leave. The signature is checked with WebCrypto's Ed25519 where the browser has it
//!   (Chrome 137+, Firefox 129+, Safari 17+), else with the domain crate's `verify_receipt`
//!   (ed25519-dalek compiled in).
//! - A 4xx (except 408 and 429) moves the item to "needs attention" with the server's message
//!   and field errors; it stays there until the reader retries or removes it. A network
//!   failure, a timeout (30 s), a 5xx, 408, 429 or a receipt that does not verify keeps it
//!   queued. Re-sending is safe: the receiver answers the same id with the same bytes with the
//!   same receipt, so a consent whose answer was lost is stored once.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use qianyue_domain::content::sha256_hex;
use qianyue_domain::payload::{
    canonical_bytes, parse_strict, verify_receipt, Receipt, ReceiverKey, ReceiverKeys,
    RECEIPT_FORMAT,
};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, Headers, Request, RequestInit, Response, SubtleCrypto};

use crate::api::{self, FieldRefusal};
use crate::outbox_store::{self as store, ITEMS, KEYS};

/// The IndexedDB key of the outbox's AES-GCM key.
const AES_KEY_ID: &str = "outbox-aes-gcm-256";
/// How long one request may take before it counts as a network failure.
const TIMEOUT_MS: u32 = 30_000;
const BACKOFF_FIRST_MS: f64 = 5_000.0;
const BACKOFF_MAX_MS: f64 = 300_000.0;

/// Where an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting to be sent (again).
    Queued,
    /// Refused by the receiver: the reader must look at it.
    Attention,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Attention => "attention",
        }
    }
}

/// Why the last attempt did not deliver an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// `network`, `server` (5xx and the like), `refused` (4xx), `receipt` or `local`.
    pub kind: String,
    pub status: Option<u16>,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
    pub fields: Vec<FieldRefusal>,
}

impl Problem {
    fn new(kind: &str, status: Option<u16>, code: &str, zh: &str, en: &str) -> Problem {
        Problem {
            kind: kind.into(),
            status,
            code: code.into(),
            message_zh: zh.into(),
            message_en: en.into(),
            fields: Vec::new(),
        }
    }

    fn network(detail: &str) -> Problem {
        let mut p = Problem::new(
            "network",
            None,
            "client.offline",
            "无法连接接收服务器（无网络或超时）。",
            "Could not reach the receiver (no network or timed out).",
        );
        if !detail.is_empty() {
            p.message_en = format!("{} ({detail})", p.message_en);
        }
        p
    }

    fn to_json(&self) -> Value {
        json!({
            "kind": self.kind,
            "status": self.status,
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "fields": self.fields.iter().map(|f| json!({
                "path": f.path, "code": f.code, "message_zh": f.message_zh, "message_en": f.message_en,
            })).collect::<Vec<_>>(),
        })
    }

    fn from_json(v: &Value) -> Option<Problem> {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        Some(Problem {
            kind: v.get("kind")?.as_str()?.to_owned(),
            status: v
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok()),
            code: text(v, "code"),
            message_zh: text(v, "message_zh"),
            message_en: text(v, "message_en"),
            fields: v
                .get("fields")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|f| FieldRefusal {
                            path: text(f, "path"),
                            code: text(f, "code"),
                            message_zh: text(f, "message_zh"),
                            message_en: text(f, "message_en"),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// One item as the list on screen shows it (nothing sensitive: no form values but the
/// contract number).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The payload's idempotency id.
    pub id: String,
    pub state: State,
    /// The contract number the consent is for.
    pub label: String,
    /// Where it is sent (the endpoint of the page that signed it).
    pub endpoint: String,
    pub signed_at: String,
    /// When it went into the outbox (ms since the epoch).
    pub queued_at: f64,
    pub attempts: u32,
    pub last_attempt: Option<f64>,
    pub problem: Option<Problem>,
}

impl Item {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "state": self.state.as_str(),
            "label": self.label,
            "endpoint": self.endpoint,
            "signed_at": self.signed_at,
            "queued_at": self.queued_at,
            "attempts": self.attempts,
            "last_attempt": self.last_attempt,
            "problem": self.problem.as_ref().map(Problem::to_json),
        })
    }

    fn from_json(v: &Value) -> Option<Item> {
        Some(Item {
            id: v.get("id")?.as_str()?.to_owned(),
            state: match v.get("state")?.as_str()? {
                "attention" => State::Attention,
                _ => State::Queued,
            },
            label: v.get("label").and_then(Value::as_str).unwrap_or("").into(),
            endpoint: v
                .get("endpoint")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(crate::config::endpoint),
            signed_at: v
                .get("signed_at")
                .and_then(Value::as_str)
                .unwrap_or("")
                .into(),
            queued_at: v.get("queued_at").and_then(Value::as_f64).unwrap_or(0.0),
            attempts: v
                .get("attempts")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            last_attempt: v.get("last_attempt").and_then(Value::as_f64),
            problem: v.get("problem").and_then(Problem::from_json),
        })
    }
}

/// One stored record: `{id, meta: {…Item…}, iv: Uint8Array(12), data: Uint8Array}`.
#[derive(Clone)]
struct Record {
    raw: JsValue,
    item: Item,
}

impl Record {
    fn read(raw: JsValue) -> Option<Record> {
        let meta = Reflect::get(&raw, &"meta".into()).ok()?;
        let text = js_sys::JSON::stringify(&meta).ok()?.as_string()?;
        let item = Item::from_json(&serde_json::from_str(&text).ok()?)?;
        Some(Record { raw, item })
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>, JsValue> {
        let value = Reflect::get(&self.raw, &name.into())?;
        Ok(value.dyn_into::<Uint8Array>()?.to_vec())
    }

    /// Writes the record back with `self.item` as its metadata.
    async fn save(&self) -> Result<(), JsValue> {
        let meta = js_sys::JSON::parse(&self.item.to_json().to_string())?;
        Reflect::set(&self.raw, &"meta".into(), &meta)?;
        store::put(ITEMS, &self.item.id, &self.raw).await
    }
}

/// What the app shows about the outbox (one per page).
#[derive(Clone)]
pub struct Outbox {
    /// Every item, oldest first.
    pub items: ArcRwSignal<Vec<Item>>,
    /// Receipts delivered during this visit: (id, receipt envelope).
    pub delivered: ArcRwSignal<Vec<(String, Value)>>,
    /// The id being sent right now.
    pub sending: ArcRwSignal<Option<String>>,
    /// `navigator.onLine`.
    pub online: ArcRwSignal<bool>,
    /// Whether the browser granted persistent storage (`None`: not known yet / no API).
    pub persisted: ArcRwSignal<Option<bool>>,
    /// When the next automatic attempt is due (ms since the epoch).
    pub next_attempt: ArcRwSignal<Option<f64>>,
    /// The outbox could not be opened (no IndexedDB): consents are sent directly.
    pub unavailable: ArcRwSignal<bool>,
}

thread_local! {
    static OUTBOX: Outbox = Outbox {
        items: ArcRwSignal::new(Vec::new()),
        delivered: ArcRwSignal::new(Vec::new()),
        sending: ArcRwSignal::new(None),
        online: ArcRwSignal::new(true),
        persisted: ArcRwSignal::new(None),
        next_attempt: ArcRwSignal::new(None),
        unavailable: ArcRwSignal::new(false),
    };
    static FLUSHER: RefCell<Flusher> = RefCell::new(Flusher::default());
    static AES_KEY: RefCell<Option<CryptoKey>> = const { RefCell::new(None) };
    static STARTED: RefCell<bool> = const { RefCell::new(false) };
    static WATCHERS: RefCell<Vec<Watcher>> = const { RefCell::new(Vec::new()) };
}

type Watcher = (String, Box<dyn FnOnce(Delivery)>);

/// The page's outbox state.
pub fn outbox() -> Outbox {
    OUTBOX.with(Clone::clone)
}

#[derive(Default)]
struct Flusher {
    running: bool,
    requested: bool,
    /// Resolvers of the callers waiting for the next pass to end.
    waiters: Vec<Function>,
    /// Passes in a row that ended with items still waiting after a failure.
    failures: u32,
    timer: Option<i32>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// `navigator.onLine` (true where the browser does not say).
pub fn browser_online() -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"navigator".into()).ok())
        .and_then(|n| Reflect::get(&n, &"onLine".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}

/// Starts the outbox once per page: reads it, asks for persistent storage, follows the
/// network state and sends what waits.
pub fn start() {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    outbox().online.set(browser_online());
    let on_online = Closure::<dyn Fn()>::new(|| {
        outbox().online.set(true);
        FLUSHER.with(|f| f.borrow_mut().failures = 0);
        wasm_bindgen_futures::spawn_local(flush());
    });
    let on_offline = Closure::<dyn Fn()>::new(|| outbox().online.set(false));
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
    on_online.forget();
    on_offline.forget();
    wasm_bindgen_futures::spawn_local(async {
        request_persistence().await;
        refresh().await;
        flush().await;
    });
}

/// `navigator.storage.persist()`, once: best effort, the answer is shown.
async fn request_persistence() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let storage = Reflect::get(&window, &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"storage".into()))
        .unwrap_or(JsValue::UNDEFINED);
    if storage.is_undefined() {
        return;
    }
    let call = |name: &str| -> Option<JsFuture> {
        let f: Function = Reflect::get(&storage, &name.into()).ok()?.dyn_into().ok()?;
        let p: Promise = f.call0(&storage).ok()?.dyn_into().ok()?;
        Some(JsFuture::from(p))
    };
    let already = match call("persisted") {
        Some(p) => p.await.ok().and_then(|v| v.as_bool()).unwrap_or(false),
        None => false,
    };
    let granted = if already {
        true
    } else {
        match call("persist") {
            Some(p) => p.await.ok().and_then(|v| v.as_bool()).unwrap_or(false),
            None => false,
        }
    };
    outbox().persisted.set(Some(granted));
}

async fn records() -> Result<Vec<Record>, JsValue> {
    let mut list: Vec<Record> = store::all(ITEMS)
        .await?
        .into_iter()
        .filter_map(Record::read)
        .collect();
    list.sort_by(|a, b| a.item.queued_at.total_cmp(&b.item.queued_at));
    Ok(list)
}

/// Re-reads the items into [`Outbox::items`].
pub async fn refresh() {
    match records().await {
        Ok(list) => {
            outbox().unavailable.set(false);
            outbox()
                .items
                .set(list.into_iter().map(|r| r.item).collect());
        }
        Err(e) => {
            leptos::logging::warn!("outbox: cannot read: {}", js_text(&e));
            outbox().unavailable.set(true);
        }
    }
}

// ------------------------------------------------------------------------------------------
// Encryption at rest

fn subtle() -> Result<SubtleCrypto, JsValue> {
    Ok(web_sys::window().ok_or("no window")?.crypto()?.subtle())
}

fn object(members: &[(&str, &JsValue)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in members {
        Reflect::set(&o, &(*k).into(), v)?;
    }
    Ok(o)
}

/// The outbox's AES-GCM key: read from IndexedDB, or generated (non-extractable) and stored.
async fn aes_key() -> Result<CryptoKey, JsValue> {
    if let Some(key) = AES_KEY.with(|k| k.borrow().clone()) {
        return Ok(key);
    }
    let stored = store::get(KEYS, AES_KEY_ID).await?;
    let key: CryptoKey = match stored.dyn_into::<CryptoKey>() {
        Ok(key) => key,
        Err(_) => {
            let params = object(&[("name", &"AES-GCM".into()), ("length", &256.into())])?;
            let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
            // `false`: the key can never be exported, not even by this app.
            let generated: CryptoKey =
                JsFuture::from(subtle()?.generate_key_with_object(&params, false, &usages)?)
                    .await?
                    .dyn_into()?;
            match store::add(KEYS, AES_KEY_ID, &generated).await {
                Ok(()) => generated,
                // Another tab stored one first: use that one.
                Err(_) => store::get(KEYS, AES_KEY_ID).await?.dyn_into()?,
            }
        }
    };
    AES_KEY.with(|k| *k.borrow_mut() = Some(key.clone()));
    Ok(key)
}

fn gcm_params(iv: &[u8], id: &str) -> Result<Object, JsValue> {
    object(&[
        ("name", &"AES-GCM".into()),
        ("iv", &Uint8Array::from(iv).into()),
        ("additionalData", &Uint8Array::from(id.as_bytes()).into()),
    ])
}

async fn encrypt(id: &str, plain: &str) -> Result<(Uint8Array, Uint8Array), JsValue> {
    let key = aes_key().await?;
    let mut iv = [0u8; 12];
    web_sys::window()
        .ok_or("no window")?
        .crypto()?
        .get_random_values_with_u8_array(&mut iv)?;
    let sealed = JsFuture::from(subtle()?.encrypt_with_object_and_u8_array(
        &gcm_params(&iv, id)?,
        &key,
        plain.as_bytes(),
    )?)
    .await?;
    Ok((Uint8Array::from(&iv[..]), Uint8Array::new(&sealed)))
}

async fn decrypt(record: &Record) -> Result<String, JsValue> {
    let key = aes_key().await?;
    let iv = record.bytes("iv")?;
    let data = record.bytes("data")?;
    let plain = JsFuture::from(subtle()?.decrypt_with_object_and_u8_array(
        &gcm_params(&iv, &record.item.id)?,
        &key,
        &data,
    )?)
    .await?;
    String::from_utf8(Uint8Array::new(&plain).to_vec()).map_err(|_| JsValue::from_str("not UTF-8"))
}

// ------------------------------------------------------------------------------------------
// Putting in

/// What identifies an envelope: (idempotency id, contract number, signed_at).
fn describe(envelope: &str) -> Result<(String, String, String), String> {
    let v: Value = serde_json::from_str(envelope).map_err(|e| e.to_string())?;
    let payload = v.get("payload").ok_or("no payload")?;
    let text = |p: &str| {
        payload
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let id = text("/idempotency_id");
    if id.is_empty() {
        return Err("the payload has no idempotency_id".into());
    }
    Ok((id, text("/form/contract_no"), text("/signed_at")))
}

/// Stores a signed envelope for `endpoint` in the outbox (encrypted, committed); returns its
/// id. The same envelope stored again replaces the first copy (same id, same bytes) and is
/// queued anew.
pub async fn enqueue(envelope: &str, endpoint: &str) -> Result<String, String> {
    let (id, label, signed_at) = describe(envelope)?;
    let js = |e: JsValue| js_text(&e);
    let (iv, data) = encrypt(&id, envelope).await.map_err(js)?;
    let item = Item {
        id: id.clone(),
        state: State::Queued,
        label,
        endpoint: endpoint.to_owned(),
        signed_at,
        queued_at: now(),
        attempts: 0,
        last_attempt: None,
        problem: None,
    };
    let meta = js_sys::JSON::parse(&item.to_json().to_string()).map_err(js)?;
    let raw = object(&[
        ("id", &id.as_str().into()),
        ("meta", &meta),
        ("iv", &iv.into()),
        ("data", &data.into()),
    ])
    .map_err(js)?;
    store::put(ITEMS, &id, &raw).await.map_err(js)?;
    refresh().await;
    Ok(id)
}

// ------------------------------------------------------------------------------------------
// Sending

/// How one consent's send ended, for the signing journey's result screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Stored by the receiver: its receipt envelope (`{receipt, signature}`), verified.
    Delivered(Value),
    /// Refused by the receiver (4xx); the item stays in "needs attention".
    Refused(Problem),
    /// Saved on this device; sent automatically when the network allows.
    Queued(String),
    /// Neither saved on this device (no IndexedDB) nor delivered: nothing was kept.
    Failed(Problem),
}

/// Sends a signed envelope to `endpoint`. With `keep` (the app on its own origin), it is saved
/// in the outbox first and then delivered at once if the network allows; without (an instance
/// embedded in another site's page, whose storage is not ours), or when the outbox cannot be
/// used, it is sent directly and nothing is kept. Either way a receipt counts only if it
/// verifies.
pub async fn submit(envelope: &str, endpoint: &str, keep: bool) -> Delivery {
    let stored = if keep {
        enqueue(envelope, endpoint).await
    } else {
        Err("not kept on this page".to_owned())
    };
    match stored {
        Ok(id) => {
            flush().await;
            fate(&id)
        }
        Err(detail) => {
            if keep {
                leptos::logging::warn!("outbox: cannot store, sending directly: {detail}");
            }
            let id = describe(envelope).map(|d| d.0).unwrap_or_default();
            let mut keys = None;
            match attempt(&id, envelope, endpoint, &mut keys).await {
                Attempt::Delivered(receipt) => Delivery::Delivered(receipt),
                Attempt::Refused(p) => Delivery::Refused(p),
                Attempt::Transient(p) => Delivery::Failed(p),
            }
        }
    }
}

/// Calls `f` once item `id` is settled by a later pass: delivered, or refused.
pub fn on_settled(id: &str, f: impl FnOnce(Delivery) + 'static) {
    WATCHERS.with(|w| w.borrow_mut().push((id.to_owned(), Box::new(f))));
}

fn settled(id: &str, delivery: &Delivery) {
    let ready: Vec<Watcher> = WATCHERS.with(|w| {
        let mut w = w.borrow_mut();
        let (ready, rest) = std::mem::take(&mut *w)
            .into_iter()
            .partition(|(i, _)| i == id);
        *w = rest;
        ready
    });
    for (_, f) in ready {
        f(delivery.clone());
    }
}

/// Where item `id` stands after a pass.
pub fn fate(id: &str) -> Delivery {
    let o = outbox();
    if let Some((_, receipt)) = o
        .delivered
        .with_untracked(|d| d.iter().find(|(i, _)| i == id).cloned())
    {
        return Delivery::Delivered(receipt);
    }
    match o
        .items
        .with_untracked(|items| items.iter().find(|i| i.id == id).cloned())
    {
        Some(Item {
            state: State::Attention,
            problem: Some(p),
            ..
        }) => Delivery::Refused(p),
        _ => Delivery::Queued(id.to_owned()),
    }
}

/// Sends what waits; resolves when a pass that started after this call has ended.
pub async fn flush() {
    let promise = Promise::new(&mut |resolve, _| {
        FLUSHER.with(|f| f.borrow_mut().waiters.push(resolve));
    });
    let start = FLUSHER.with(|f| {
        let mut f = f.borrow_mut();
        f.requested = true;
        !std::mem::replace(&mut f.running, true)
    });
    if start {
        wasm_bindgen_futures::spawn_local(run());
    }
    let _ = JsFuture::from(promise).await;
}

async fn run() {
    loop {
        let waiters = FLUSHER.with(|f| {
            let mut f = f.borrow_mut();
            if !f.requested {
                f.running = false;
                return None;
            }
            f.requested = false;
            Some(std::mem::take(&mut f.waiters))
        });
        let Some(waiters) = waiters else {
            break;
        };
        let waiting = pass().await;
        schedule(waiting);
        for w in waiters {
            let _ = w.call0(&JsValue::NULL);
        }
    }
}

/// After a pass: retry later while items wait (backoff), or rest.
fn schedule(still_waiting: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let delay = FLUSHER.with(|f| {
        let mut f = f.borrow_mut();
        if let Some(timer) = f.timer.take() {
            window.clear_timeout_with_handle(timer);
        }
        if !still_waiting {
            f.failures = 0;
            return None;
        }
        f.failures = f.failures.saturating_add(1);
        let exp = BACKOFF_FIRST_MS * 2f64.powi(f.failures.min(10) as i32 - 1);
        let jitter = 0.8 + 0.4 * js_sys::Math::random();
        Some((exp.min(BACKOFF_MAX_MS) * jitter).round())
    });
    let Some(delay) = delay else {
        outbox().next_attempt.set(None);
        return;
    };
    let callback = Closure::once_into_js(|| {
        FLUSHER.with(|f| f.borrow_mut().timer = None);
        wasm_bindgen_futures::spawn_local(flush());
    });
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            delay as i32,
        )
        .ok();
    FLUSHER.with(|f| f.borrow_mut().timer = timer);
    outbox().next_attempt.set(Some(now() + delay));
}

/// One pass over the queued items, oldest first; stops at the first failure that is not the
/// item's own (network, server). Returns whether items still wait.
async fn pass() -> bool {
    let list = match records().await {
        Ok(list) => list,
        Err(e) => {
            leptos::logging::warn!("outbox: cannot read: {}", js_text(&e));
            outbox().unavailable.set(true);
            return false;
        }
    };
    let queued: Vec<Record> = list
        .into_iter()
        .filter(|r| r.item.state == State::Queued)
        .collect();
    let mut keys: Option<Vec<ReceiverKey>> = None;
    for mut record in queued {
        outbox().sending.set(Some(record.item.id.clone()));
        let result = match decrypt(&record).await {
            Ok(envelope) => {
                attempt(&record.item.id, &envelope, &record.item.endpoint, &mut keys).await
            }
            Err(e) => Attempt::Refused(Problem::new(
                "local",
                None,
                "outbox.unreadable",
                "本设备上保存的这份签署无法解密。",
                &format!(
                    "The copy kept on this device cannot be decrypted ({}).",
                    js_text(&e)
                ),
            )),
        };
        record.item.attempts += 1;
        record.item.last_attempt = Some(now());
        let stop = match result {
            Attempt::Delivered(receipt) => {
                let id = record.item.id.clone();
                outbox()
                    .delivered
                    .update(|d| d.push((id.clone(), receipt.clone())));
                if let Err(e) = store::delete(ITEMS, &id).await {
                    // Sent again next time; the receiver answers with the same receipt.
                    leptos::logging::warn!("outbox: cannot remove a sent item: {}", js_text(&e));
                }
                refresh().await;
                settled(&id, &Delivery::Delivered(receipt));
                false
            }
            Attempt::Refused(problem) => {
                record.item.state = State::Attention;
                record.item.problem = Some(problem.clone());
                save(&record).await;
                refresh().await;
                settled(&record.item.id, &Delivery::Refused(problem));
                false
            }
            Attempt::Transient(problem) => {
                record.item.problem = Some(problem);
                save(&record).await;
                true
            }
        };
        refresh().await;
        if stop {
            break;
        }
    }
    outbox().sending.set(None);
    refresh().await;
    outbox()
        .items
        .with_untracked(|items| items.iter().any(|i| i.state == State::Queued))
}

async fn save(record: &Record) {
    if let Err(e) = record.save().await {
        leptos::logging::warn!("outbox: cannot update an item: {}", js_text(&e));
    }
}

enum Attempt {
    Delivered(Value),
    Refused(Problem),
    Transient(Problem),
}

/// POSTs one envelope to `endpoint` and judges the answer.
async fn attempt(
    id: &str,
    envelope: &str,
    endpoint: &str,
    keys: &mut Option<Vec<ReceiverKey>>,
) -> Attempt {
    let (status, body) = match http("POST", endpoint, Some(envelope)).await {
        Ok(answer) => answer,
        Err(detail) => return Attempt::Transient(Problem::network(&detail)),
    };
    if (200..300).contains(&status) {
        return match check_receipt(id, envelope, &body, endpoint, keys).await {
            Ok(receipt) => Attempt::Delivered(receipt),
            Err(p) => Attempt::Transient(p),
        };
    }
    if (400..500).contains(&status) && status != 408 && status != 429 {
        return Attempt::Refused(match api::parse_refusal(status, &body) {
            Some(api::SendError::Refused {
                code,
                message_zh,
                message_en,
                fields,
                ..
            }) => Problem {
                kind: "refused".into(),
                status: Some(status),
                code,
                message_zh,
                message_en,
                fields,
            },
            _ => Problem::new(
                "refused",
                Some(status),
                "http.refused",
                &format!("接收服务器拒绝了这份签署（HTTP {status}）。"),
                &format!("The receiver refused this consent (HTTP {status})."),
            ),
        });
    }
    Attempt::Transient(Problem::new(
        "server",
        Some(status),
        "http.unavailable",
        &format!("接收服务器暂时无法处理（HTTP {status}），稍后自动重试。"),
        &format!("The receiver could not take it now (HTTP {status}); it will be retried."),
    ))
}

/// `fetch` with a timeout; the status and the body's text, or why there is none.
async fn http(method: &str, url: &str, body: Option<&str>) -> Result<(u16, String), String> {
    let js = |e: JsValue| js_text(&e);
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(js)?;
    headers.set("Accept", "application/json").map_err(js)?;
    if let Some(body) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(js)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let _ = Reflect::set(&init, &"cache".into(), &"no-store".into());
    if let Some(signal) = timeout_signal(TIMEOUT_MS) {
        let _ = Reflect::set(&init, &"signal".into(), &signal);
    }
    let request = Request::new_with_str_and_init(url, &init).map_err(js)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js)?
        .dyn_into()
        .map_err(js)?;
    let text = JsFuture::from(response.text().map_err(js)?)
        .await
        .map_err(js)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// `AbortSignal.timeout(ms)`, where the browser has it.
fn timeout_signal(ms: u32) -> Option<JsValue> {
    let class = Reflect::get(&js_sys::global(), &"AbortSignal".into()).ok()?;
    let timeout: Function = Reflect::get(&class, &"timeout".into())
        .ok()?
        .dyn_into()
        .ok()?;
    timeout.call1(&class, &ms.into()).ok()
}

/// `…/consents` → `…/keys`: the receiver's published keys sit beside its endpoint.
pub fn keys_url(endpoint: &str) -> String {
    match endpoint.rsplit_once('/') {
        Some((base, _)) => format!("{base}/keys"),
        None => "keys".to_owned(),
    }
}

async fn fetch_keys(endpoint: &str) -> Result<Vec<ReceiverKey>, Problem> {
    let unusable = |detail: String| {
        let mut p = Problem::new(
            "receipt",
            None,
            "receipt.keys_unavailable",
            "无法获取接收服务器的回执公钥，稍后自动重试。",
            "Could not fetch the receiver's receipt keys; it will be retried.",
        );
        p.message_en = format!("{} ({detail})", p.message_en);
        p
    };
    let (status, body) = http("GET", &keys_url(endpoint), None)
        .await
        .map_err(unusable)?;
    if status != 200 {
        return Err(unusable(format!("HTTP {status}")));
    }
    serde_json::from_str::<ReceiverKeys>(&body)
        .map(|k| k.keys)
        .map_err(|e| unusable(e.to_string()))
}

fn receipt_problem(code: &str, zh: &str, en: &str) -> Problem {
    Problem::new("receipt", None, code, zh, en)
}

/// Checks a 2xx answer: a receipt for this very consent, signed by a published receiver key.
async fn check_receipt(
    id: &str,
    envelope: &str,
    body: &str,
    endpoint: &str,
    keys: &mut Option<Vec<ReceiverKey>>,
) -> Result<Value, Problem> {
    let shape = || {
        receipt_problem(
            "receipt.shape",
            "回执格式不正确",
            "The receipt is not in the documented format",
        )
    };
    let answer = parse_strict(body.as_bytes()).map_err(|_| shape())?;
    let receipt: Receipt = answer
        .get("receipt")
        .cloned()
        .and_then(|r| serde_json::from_value(r).ok())
        .filter(|r: &Receipt| r.format == RECEIPT_FORMAT)
        .ok_or_else(shape)?;
    // It must name this consent: its id and the hash of the bytes that were signed.
    let signed = parse_strict(envelope.as_bytes())
        .ok()
        .and_then(|v| v.get("payload").and_then(|p| canonical_bytes(p).ok()))
        .ok_or_else(shape)?;
    if receipt.consent_id != id || receipt.payload_sha256 != sha256_hex(&signed) {
        return Err(receipt_problem(
            "receipt.other_consent",
            "回执不是这份签署的",
            "The receipt names another consent",
        ));
    }
    // The key: fetched once per pass, fetched again if the receipt names one not (yet) listed.
    let known = |keys: &Option<Vec<ReceiverKey>>| {
        keys.as_ref()
            .is_some_and(|k| k.iter().any(|k| k.kid == receipt.receiver_key))
    };
    if !known(keys) {
        *keys = Some(fetch_keys(endpoint).await?);
    }
    if !known(keys) {
        return Err(receipt_problem(
            "receipt.unknown_key",
            "回执由未知的密钥签名",
            "The receipt is signed by an unknown key",
        ));
    }
    let list = keys.as_deref().unwrap_or_default();
    let verified = match verify_with_webcrypto(&answer, &receipt, list).await {
        Some(ok) => ok,
        // No Ed25519 in this browser's WebCrypto: the domain crate checks it.
        None => verify_receipt(body.as_bytes(), list).is_ok(),
    };
    if verified {
        Ok(answer)
    } else {
        Err(receipt_problem(
            "receipt.signature",
            "回执签名无效",
            "The receipt's signature does not verify",
        ))
    }
}

/// base64url without padding (RFC 4648 §5).
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

/// Ed25519 through WebCrypto: `Some(valid)`, or `None` when the browser lacks it.
async fn verify_with_webcrypto(
    answer: &Value,
    receipt: &Receipt,
    keys: &[ReceiverKey],
) -> Option<bool> {
    let key = keys
        .iter()
        .find(|k| k.kid == receipt.receiver_key && k.kty == "OKP" && k.crv == "Ed25519")?;
    let public = base64url(&key.x).filter(|b| b.len() == 32);
    let signature = answer
        .get("signature")
        .and_then(Value::as_str)
        .and_then(base64url)
        .filter(|b| b.len() == 64);
    let (Some(public), Some(signature)) = (public, signature) else {
        return Some(false);
    };
    let subtle = subtle().ok()?;
    let algorithm = object(&[("name", &"Ed25519".into())]).ok()?;
    let usages = Array::of1(&"verify".into());
    let import = subtle
        .import_key_with_object(
            "raw",
            &Uint8Array::from(&public[..]),
            &algorithm,
            false,
            &usages,
        )
        .ok()?;
    let key: CryptoKey = JsFuture::from(import).await.ok()?.dyn_into().ok()?;
    let check = subtle
        .verify_with_object_and_u8_array_and_u8_array(
            &algorithm,
            &key,
            &signature,
            &receipt.signing_bytes(),
        )
        .ok()?;
    Some(JsFuture::from(check).await.ok()?.as_bool() == Some(true))
}

// ------------------------------------------------------------------------------------------
// The reader's actions

/// Queues a "needs attention" item again and sends it.
pub async fn retry(id: &str) {
    if let Ok(list) = records().await {
        if let Some(mut record) = list.into_iter().find(|r| r.item.id == id) {
            record.item.state = State::Queued;
            save(&record).await;
        }
    }
    FLUSHER.with(|f| f.borrow_mut().failures = 0);
    flush().await;
}

/// Removes an item the reader chose to give up (after confirming).
pub async fn remove(id: &str) {
    if let Err(e) = store::delete(ITEMS, id).await {
        leptos::logging::warn!("outbox: cannot remove: {}", js_text(&e));
    }
    refresh().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64url() {
        assert_eq!(base64url("").unwrap(), b"");
        assert_eq!(base64url("Zg").unwrap(), b"f");
        assert_eq!(base64url("Zm9vYmFy").unwrap(), b"foobar");
        assert_eq!(base64url("_-8").unwrap(), [0xff, 0xef]);
        assert!(base64url("Zh").is_none(), "non-zero trailing bits");
        assert!(base64url("Zm9v=").is_none());
    }

    #[test]
    fn keys_sit_beside_the_endpoint() {
        assert_eq!(keys_url("/api/consents"), "/api/keys");
        assert_eq!(
            keys_url("https://r.example.com/api/consents"),
            "https://r.example.com/api/keys"
        );
    }

    #[test]
    fn items_round_trip_through_json() {
        let item = Item {
            id: "6f1c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f".into(),
            state: State::Attention,
            label: "GD-2023-0001".into(),
            endpoint: "/api/consents".into(),
            signed_at: "2023-04-10T15:04:05+08:00".into(),
            queued_at: 1_681_110_245_000.0,
            attempts: 3,
            last_attempt: Some(1_681_110_300_000.0),
            problem: Some(Problem {
                kind: "refused".into(),
                status: Some(422),
                code: "agreement.unknown_version".into(),
                message_zh: "未知的协议版本".into(),
                message_en: "Unknown agreement version".into(),
                fields: vec![FieldRefusal {
                    path: "agreement.version".into(),
                    code: "agreement.unknown_version".into(),
                    message_zh: "未知".into(),
                    message_en: "Unknown".into(),
                }],
            }),
        };
        assert_eq!(Item::from_json(&item.to_json()), Some(item));
    }
}
