//! The staff mode's IndexedDB database, `qianyue-staff` (docs/staff.md "The app"), apart from
//! the signer's key (`qianyue`) and the outbox (`qianyue-outbox`):
//!
//! - `device`: the enrolled device under [`DEVICE_KEY`]: `{id, staff_id, staff_name,
//!   privateKey, publicKey}`, the key pair as `CryptoKey` objects (the private one
//!   non-extractable, never exported);
//! - `requests`: the requests assigned to the device's manager as last downloaded, sealed
//!   (`{iv, data}`, AES-GCM under the key in `keys`, like the outbox's records): they hold ID
//!   numbers;
//! - `photos`: the photos of the witness records signed here, by SHA-256, sealed the same way
//!   (`{iv, data}`), until the outbox has uploaded them (then deleted);
//! - `keys`: that AES-GCM key (a non-extractable `CryptoKey`).

use wasm_bindgen::prelude::*;
use web_sys::{IdbDatabase, IdbTransactionMode};

use crate::idb::{open_database, settle};

pub const DB_NAME: &str = "qianyue-staff";
pub const DEVICE: &str = "device";
pub const REQUESTS: &str = "requests";
pub const KEYS: &str = "keys";
pub const PHOTOS: &str = "photos";
/// The key of the one record in [`DEVICE`].
pub const DEVICE_KEY: &str = "this-device";
const VERSION: u32 = 1;

async fn open() -> Result<IdbDatabase, JsValue> {
    open_database(DB_NAME, VERSION, &[DEVICE, REQUESTS, KEYS, PHOTOS]).await
}

/// The value stored under `key` in `store`, or `undefined`.
pub async fn get(store: &str, key: &str) -> Result<JsValue, JsValue> {
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readonly)?;
        settle(&tx.object_store(store)?.get(&key.into())?).await
    }
    .await;
    db.close();
    result
}

/// Stores `value` under `key` in `store`.
pub async fn put(store: &str, key: &str, value: &JsValue) -> Result<(), JsValue> {
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)?;
        settle(&tx.object_store(store)?.put_with_key(value, &key.into())?)
            .await
            .map(|_| ())
    }
    .await;
    db.close();
    result
}

/// Deletes `key` from `store`.
pub async fn delete(store: &str, key: &str) -> Result<(), JsValue> {
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)?;
        settle(&tx.object_store(store)?.delete(&key.into())?)
            .await
            .map(|_| ())
    }
    .await;
    db.close();
    result
}
