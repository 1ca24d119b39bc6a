//! The outbox: every signed consent is kept on this device until the receiver has answered
//! with a receipt whose signature verifies (docs/offline.md).
//!
//! - [`submit`] (the signing journey's send) first **stores** the signed envelope in IndexedDB
//!   (`outbox_store.rs`, a committed, `strict` transaction), then tries to deliver it.
//! - The envelope rests **encrypted** (AES-GCM, `crypto::seal`); only the id, the contract
//!   number, the times and the last outcome are stored readable, for the list on screen
//!   (`record.rs` the types, and how records of earlier releases are read; `stored.rs` the
//!   records in IndexedDB and their key).
//! - [`flush`] sends what waits, oldest first, one at a time: at start-up, on the browser's
//!   `online` event, after each new consent, and on a backoff timer while items wait
//!   (`flush.rs`; the delays are the domain's `delivery::backoff_ms`).
//! - Each attempt (`send.rs`) POSTs through `api::request` and judges the status with the
//!   domain's `delivery::classify`: a 2xx must carry a receipt naming this consent and signed
//!   by a published receiver key (`receipt.rs`); only then does the item leave. A 4xx (except
//!   408 and 429) moves it to "needs attention" with the server's message and field errors,
//!   until the reader retries or removes it. A network failure, a timeout, a 5xx, 408, 429 or
//!   a receipt that does not verify keeps it queued. Re-sending is safe: the receiver answers
//!   the same id with the same bytes with the same receipt, so a consent whose answer was lost
//!   is stored once.
//!
//! The surface: [`outbox`] (the signals the panel shows), [`start`], [`submit`], [`flush`],
//! [`retry`], [`remove`], [`on_settled`] and the records' types.

mod flush;
mod receipt;
mod record;
mod send;
mod stored;

use std::cell::RefCell;

use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub use self::flush::flush;
pub use self::receipt::keys_url;
use self::record::describe;
pub use self::record::{Item, Problem, ProblemKind, State};
use self::send::{attempt, Attempt};
use self::stored::{records, Record};
use crate::api::js_text;
use crate::clock;
use crate::outbox_store::{self as store, ITEMS};

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
    static STARTED: RefCell<bool> = const { RefCell::new(false) };
    static WATCHERS: RefCell<Vec<Watcher>> = const { RefCell::new(Vec::new()) };
}

type Watcher = (String, Box<dyn FnOnce(Delivery)>);

/// The page's outbox state.
pub fn outbox() -> Outbox {
    OUTBOX.with(Clone::clone)
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
        flush::reset_backoff();
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

/// Stores a signed envelope for `endpoint` in the outbox (encrypted, committed); returns its
/// id. The same envelope stored again replaces the first copy (same id, same bytes) and is
/// queued anew.
pub async fn enqueue(envelope: &str, endpoint: &str) -> Result<String, String> {
    let item = describe(envelope, endpoint, clock::now_ms())?;
    let id = item.id.clone();
    let js = |e: JsValue| js_text(&e);
    let record = Record::seal(item, envelope).await.map_err(js)?;
    record.save().await.map_err(js)?;
    refresh().await;
    Ok(id)
}

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
            let id = describe(envelope, endpoint, 0.0)
                .map(|item| item.id)
                .unwrap_or_default();
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

// ------------------------------------------------------------------------------------------
// The reader's actions

/// Queues a "needs attention" item again and sends it.
pub async fn retry(id: &str) {
    if let Ok(list) = records().await {
        if let Some(mut record) = list.into_iter().find(|r| r.item.id == id) {
            record.item.state = State::Queued;
            flush::save(&record).await;
        }
    }
    flush::reset_backoff();
    flush().await;
}

/// Removes an item the reader chose to give up (after confirming).
pub async fn remove(id: &str) {
    if let Err(e) = store::delete(ITEMS, id).await {
        leptos::logging::warn!("outbox: cannot remove: {}", js_text(&e));
    }
    refresh().await;
}
