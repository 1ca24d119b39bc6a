//! A tiny IndexedDB wrapper: one database (`qianyue`), one object store (`keys`), get and put by
//! key, each in its own short transaction. Used to keep the signing key (a non-extractable
//! `CryptoKey` survives structured cloning into IndexedDB and stays non-extractable).
//!
//! Opening a database and turning a request into a future are shared with the outbox's own
//! database (`outbox_store.rs`): [`open_database`] and [`settle`].

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

pub const DB_NAME: &str = "qianyue";
pub const STORE: &str = "keys";
const VERSION: u32 = 1;

/// The request's error, or a generic one.
pub(crate) fn error_of(request: &IdbRequest) -> JsValue {
    request
        .error()
        .ok()
        .flatten()
        .map(JsValue::from)
        .unwrap_or_else(|| JsValue::from_str("IndexedDB request failed"))
}

/// Resolves with the request's result, or rejects with its error. Not `async`: the listeners
/// are in place before the caller awaits anything else.
pub(crate) fn settle(request: &IdbRequest) -> JsFuture {
    let promise = Promise::new(&mut |resolve, reject| {
        let done = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &error_of(&failed));
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// Opens database `name` at `version`, creating the object `stores` it lacks. The connection
/// closes itself when another tab opens a newer version, so that tab is not blocked.
pub(crate) async fn open_database(
    name: &str,
    version: u32,
    stores: &'static [&'static str],
) -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()?
        .ok_or("IndexedDB is not available")?;
    let request: IdbOpenDbRequest = factory.open_with_u32(name, version)?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else {
            return;
        };
        for store in stores {
            if !db.object_store_names().contains(store) {
                let _ = db.create_object_store(store);
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let db: IdbDatabase = settle(&request).await?.dyn_into()?;
    let closing = db.clone();
    let on_version_change = Closure::once_into_js(move |_: web_sys::Event| closing.close());
    db.set_onversionchange(Some(on_version_change.unchecked_ref()));
    Ok(db)
}

async fn open() -> Result<IdbDatabase, JsValue> {
    open_database(DB_NAME, VERSION, &[STORE]).await
}

/// The value stored under `key`, or `undefined`.
pub async fn get(key: &str) -> Result<JsValue, JsValue> {
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readonly)?;
    let request = tx.object_store(STORE)?.get(&JsValue::from_str(key))?;
    let value = settle(&request).await;
    db.close();
    value
}

/// Stores `value` under `key`.
pub async fn put(key: &str, value: &JsValue) -> Result<(), JsValue> {
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
    let request = tx
        .object_store(STORE)?
        .put_with_key(value, &JsValue::from_str(key))?;
    let result = settle(&request).await.map(|_| ());
    db.close();
    result
}
