//! How the outbox's records rest in the `items` store of `qianyue-outbox` (`outbox_store.rs`),
//! keyed by the payload's idempotency id: `{id, meta, iv, data}`.
//!
//! - `meta` is the [`Item`] as a JS object (`record.rs`, which says how records of earlier
//!   releases are read).
//! - `iv` (12 bytes) and `data` are the envelope sealed with the outbox's AES-GCM key
//!   (`crypto::seal`, the item's id as additional data): ID numbers are sensitive personal
//!   information (PIPL art. 28) and never rest in clear. The key is generated once,
//!   non-extractable (`crypto::generate_outbox_key`), and kept in the `keys` store.

use std::cell::RefCell;

use js_sys::{Object, Reflect, Uint8Array};
use qianyue_domain::sorting::sort_stable_by;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CryptoKey;

use super::record::Item;
use crate::crypto;
use crate::outbox_store::{self as store, ITEMS, KEYS};

/// The IndexedDB key of the outbox's AES-GCM key.
const AES_KEY_ID: &str = "outbox-aes-gcm-256";

thread_local! {
    static AES_KEY: RefCell<Option<CryptoKey>> = const { RefCell::new(None) };
}

/// One stored record, as IndexedDB holds it, with its metadata read.
#[derive(Clone)]
pub(super) struct Record {
    raw: JsValue,
    pub item: Item,
}

fn js_object(members: &[(&str, &JsValue)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in members {
        Reflect::set(&o, &(*k).into(), v)?;
    }
    Ok(o)
}

fn meta_of(item: &Item) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&item.to_json())
}

impl Record {
    fn read(raw: JsValue) -> Option<Record> {
        let meta = Reflect::get(&raw, &"meta".into()).ok()?;
        let text = js_sys::JSON::stringify(&meta).ok()?.as_string()?;
        let item = Item::from_meta(&text)?;
        Some(Record { raw, item })
    }

    /// A new record for `item`: `envelope` sealed with the outbox's key.
    pub(super) async fn seal(item: Item, envelope: &str) -> Result<Record, JsValue> {
        let key = aes_key().await?;
        let sealed = crypto::seal(&key, item.id.as_bytes(), envelope.as_bytes()).await?;
        let raw = js_object(&[
            ("id", &item.id.as_str().into()),
            ("meta", &meta_of(&item)?),
            ("iv", &Uint8Array::from(&sealed.iv[..]).into()),
            ("data", &Uint8Array::from(&sealed.data[..]).into()),
        ])?;
        Ok(Record {
            raw: raw.into(),
            item,
        })
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>, JsValue> {
        let value = Reflect::get(&self.raw, &name.into())?;
        Ok(value.dyn_into::<Uint8Array>()?.to_vec())
    }

    /// The envelope, decrypted.
    pub(super) async fn envelope(&self) -> Result<String, JsValue> {
        let key = aes_key().await?;
        let plain = crypto::open(
            &key,
            self.item.id.as_bytes(),
            &self.bytes("iv")?,
            &self.bytes("data")?,
        )
        .await?;
        String::from_utf8(plain).map_err(|_| JsValue::from_str("not UTF-8"))
    }

    /// Writes the record (back) with `self.item` as its metadata; returns once committed.
    pub(super) async fn save(&self) -> Result<(), JsValue> {
        Reflect::set(&self.raw, &"meta".into(), &meta_of(&self.item)?)?;
        store::put(ITEMS, &self.item.id, &self.raw).await
    }
}

/// Every readable record, oldest first.
pub(super) async fn records() -> Result<Vec<Record>, JsValue> {
    let mut list: Vec<Record> = store::all(ITEMS)
        .await?
        .into_iter()
        .filter_map(Record::read)
        .collect();
    sort_stable_by(&mut list, |a, b| {
        a.item.queued_at.total_cmp(&b.item.queued_at)
    });
    Ok(list)
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
            let generated = crypto::generate_outbox_key().await?;
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
