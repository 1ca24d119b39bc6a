//! The outbox's IndexedDB database, `qianyue-outbox` (separate from the signing key's `qianyue`
//! database so the two evolve independently):
//!
//! - `items`: one record per signed consent waiting to be delivered (or needing attention),
//!   keyed by its idempotency id (see `outbox.rs` for the record's shape);
//! - `keys`: the outbox's AES-GCM key (a non-extractable `CryptoKey`).
//!
//! Every write is its own `readwrite` transaction with `durability: "strict"` and is reported
//! done only when the transaction has **committed** (`complete`), not when the request
//! succeeded: a consent the app calls saved has reached the disk.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction};

pub const DB_NAME: &str = "qianyue-outbox";
pub const ITEMS: &str = "items";
pub const KEYS: &str = "keys";
const VERSION: u32 = 1;

fn error_of(request: &IdbRequest) -> JsValue {
    request
        .error()
        .ok()
        .flatten()
        .map(JsValue::from)
        .unwrap_or_else(|| JsValue::from_str("IndexedDB request failed"))
}

/// Resolves with the request's result, or rejects with its error (listeners set at once).
fn settle(request: &IdbRequest) -> JsFuture {
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

/// Resolves when the transaction has committed; rejects if it errs or aborts. Not `async`: the
/// listeners must be in place before the caller awaits anything else.
fn committed(tx: &IdbTransaction) -> JsFuture {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = tx.clone();
        let reject_abort = reject.clone();
        let aborted = tx.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = failed.error().map(JsValue::from);
            let _ = reject.call1(
                &JsValue::NULL,
                &error.unwrap_or("transaction failed".into()),
            );
        });
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let error = aborted.error().map(JsValue::from);
            let _ = reject_abort.call1(
                &JsValue::NULL,
                &error.unwrap_or("transaction aborted".into()),
            );
        });
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onerror(Some(on_error.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise)
}

async fn open() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()?
        .ok_or("IndexedDB is not available")?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DB_NAME, VERSION)?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else {
            return;
        };
        for store in [ITEMS, KEYS] {
            if !db.object_store_names().contains(store) {
                let _ = db.create_object_store(store);
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let db: IdbDatabase = settle(&request).await?.dyn_into()?;
    // Another tab opening a newer version must not be blocked by this one.
    let closing = db.clone();
    let on_version_change = Closure::once_into_js(move |_: web_sys::Event| closing.close());
    db.set_onversionchange(Some(on_version_change.unchecked_ref()));
    Ok(db)
}

/// `db.transaction(store, mode, {durability})`: the options argument is not in web-sys's
/// stable bindings, so the method is called through the JS object.
fn transaction(db: &IdbDatabase, store: &str, write: bool) -> Result<IdbTransaction, JsValue> {
    let method: Function = Reflect::get(db, &"transaction".into())?.dyn_into()?;
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &"strict".into())?;
    let mode = if write { "readwrite" } else { "readonly" };
    method
        .call3(db, &store.into(), &mode.into(), &options)?
        .dyn_into()
}

/// The value stored under `key` in `store`, or `undefined`.
pub async fn get(store: &str, key: &str) -> Result<JsValue, JsValue> {
    let db = open().await?;
    let result = async {
        let tx = transaction(&db, store, false)?;
        settle(&tx.object_store(store)?.get(&key.into())?).await
    }
    .await;
    db.close();
    result
}

/// Every value in `store`, in key order.
pub async fn all(store: &str) -> Result<Vec<JsValue>, JsValue> {
    let db = open().await?;
    let result = async {
        let tx = transaction(&db, store, false)?;
        let values = settle(&tx.object_store(store)?.get_all()?).await?;
        Ok(values.dyn_into::<Array>()?.iter().collect())
    }
    .await;
    db.close();
    result
}

/// Stores `value` under `key` (replacing what was there); returns once committed.
pub async fn put(store: &str, key: &str, value: &JsValue) -> Result<(), JsValue> {
    write(store, |s| s.put_with_key(value, &key.into())).await
}

/// Stores `value` under `key` only if the key is free; fails (ConstraintError) otherwise.
pub async fn add(store: &str, key: &str, value: &JsValue) -> Result<(), JsValue> {
    write(store, |s| s.add_with_key(value, &key.into())).await
}

/// Deletes `key`; returns once committed.
pub async fn delete(store: &str, key: &str) -> Result<(), JsValue> {
    write(store, |s| s.delete(&key.into())).await
}

async fn write(
    store: &str,
    op: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<(), JsValue> {
    let db = open().await?;
    let result = async {
        let tx = transaction(&db, store, true)?;
        let done = committed(&tx);
        let request = op(&tx.object_store(store)?)?;
        let outcome = settle(&request).await;
        done.await?;
        outcome.map(|_| ())
    }
    .await;
    db.close();
    result
}
