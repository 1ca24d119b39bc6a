//! The outbox's IndexedDB database, `qianyue-outbox` (separate from the signing key's `qianyue`
//! database so the two evolve independently):
//!
//! - `items`: one record per signed consent waiting to be delivered (or needing attention),
//!   keyed by its idempotency id (see `outbox/record.rs` for the record's shape);
//! - `keys`: the outbox's AES-GCM key (a non-extractable `CryptoKey`).
//!
//! Every write is its own `readwrite` transaction with `durability: "strict"` and is reported
//! done only when the transaction has **committed** (`complete`), not when the request
//! succeeded: a consent the app calls saved has reached the disk.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction};

use crate::idb::{open_database, settle};

pub const DB_NAME: &str = "qianyue-outbox";
pub const ITEMS: &str = "items";
pub const KEYS: &str = "keys";
const VERSION: u32 = 1;

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
    open_database(DB_NAME, VERSION, &[ITEMS, KEYS]).await
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
    read(store, |s| s.get(&key.into())).await
}

/// Every value in `store`, in key order.
pub async fn all(store: &str) -> Result<Vec<JsValue>, JsValue> {
    let values = read(store, |s| s.get_all()).await?;
    Ok(values.dyn_into::<Array>()?.iter().collect())
}

/// How many values `store` holds (the page asks at start-up whether the outbox is needed).
pub async fn count(store: &str) -> Result<u32, JsValue> {
    let n = read(store, |s| s.count()).await?;
    Ok(n.as_f64().unwrap_or(0.0) as u32)
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

/// The result of one request in a read-only transaction on `store`.
async fn read(
    store: &str,
    op: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<JsValue, JsValue> {
    let db = open().await?;
    let result = async {
        let tx = transaction(&db, store, false)?;
        settle(&op(&tx.object_store(store)?)?).await
    }
    .await;
    db.close();
    result
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
