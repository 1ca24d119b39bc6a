//! The outbox's stored records and how they rest encrypted.
//!
//! One record per signed consent in the `items` store of `qianyue-outbox` (`outbox_store.rs`),
//! keyed by the payload's idempotency id: `{id, meta, iv, data}`.
//!
//! - `meta` is an [`Item`] as a JS object: what the list on screen shows, nothing sensitive (no
//!   form value but the contract number). Its JSON shape is the one the first release of the
//!   outbox wrote (`{id, state, label, endpoint, signed_at, queued_at, attempts, last_attempt,
//!   problem: null | {kind, status, code, message_zh, message_en, fields: [{path, code,
//!   message_zh, message_en}]}}`) and is read as leniently as it was: a missing member takes its
//!   default, an unknown state counts as queued, a problem that cannot be read is dropped rather
//!   than the item. A record is never made unreadable by a newer release.
//! - `iv` (12 bytes) and `data` are the envelope sealed with the outbox's AES-GCM key
//!   (`crypto::seal`, the item's id as additional data): ID numbers are sensitive personal
//!   information (PIPL art. 28) and never rest in clear. The key is generated once,
//!   non-extractable, and kept in the `keys` store.

use std::cell::RefCell;

use js_sys::{Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CryptoKey;

use crate::api::FieldRefusal;
use crate::crypto;
use crate::outbox_store::{self as store, ITEMS, KEYS};

/// The IndexedDB key of the outbox's AES-GCM key.
const AES_KEY_ID: &str = "outbox-aes-gcm-256";

thread_local! {
    static AES_KEY: RefCell<Option<CryptoKey>> = const { RefCell::new(None) };
}

/// Where an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", from = "String")]
pub enum State {
    /// Waiting to be sent (again).
    Queued,
    /// Refused by the receiver: the reader must look at it.
    Attention,
}

impl From<String> for State {
    /// Anything but `attention` is queued: an item the outbox cannot place is sent again.
    fn from(s: String) -> State {
        match s.as_str() {
            "attention" => State::Attention,
            _ => State::Queued,
        }
    }
}

/// What kind of failure a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", from = "String")]
pub enum ProblemKind {
    /// No answer: no network, or it timed out.
    Network,
    /// An answer that says "not now": 5xx, 408, 429 and the like.
    Server,
    /// A 4xx: the receiver refused this consent.
    Refused,
    /// A 2xx whose receipt does not verify or does not name this consent.
    Receipt,
    /// This device: the stored copy cannot be read.
    Local,
}

impl From<String> for ProblemKind {
    fn from(s: String) -> ProblemKind {
        match s.as_str() {
            "network" => ProblemKind::Network,
            "server" => ProblemKind::Server,
            "refused" => ProblemKind::Refused,
            "receipt" => ProblemKind::Receipt,
            _ => ProblemKind::Local,
        }
    }
}

/// Why the last attempt did not deliver an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: ProblemKind,
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<u16>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message_zh: String,
    #[serde(default)]
    pub message_en: String,
    #[serde(default)]
    pub fields: Vec<FieldRefusal>,
}

impl Problem {
    pub(super) fn new(
        kind: ProblemKind,
        status: Option<u16>,
        code: &str,
        zh: &str,
        en: &str,
    ) -> Problem {
        Problem {
            kind,
            status,
            code: code.into(),
            message_zh: zh.into(),
            message_en: en.into(),
            fields: Vec::new(),
        }
    }

    /// A rule of the domain that was not met (its code and messages).
    pub(super) fn rule(kind: ProblemKind, rule: impl qianyue_domain::error::RuleError) -> Problem {
        Problem::new(
            kind,
            None,
            rule.code(),
            rule.message_zh(),
            rule.message_en(),
        )
    }

    /// No answer from the receiver (`detail`: what the browser said, shown in English).
    pub(super) fn network(detail: &str) -> Problem {
        let mut p = Problem::new(
            ProblemKind::Network,
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
}

/// One item as the list on screen shows it (nothing sensitive: no form values but the
/// contract number); the `meta` of its record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The payload's idempotency id.
    pub id: String,
    pub state: State,
    /// The contract number the consent is for.
    #[serde(default)]
    pub label: String,
    /// Where it is sent (the endpoint of the page that signed it).
    #[serde(default = "crate::config::endpoint")]
    pub endpoint: String,
    #[serde(default)]
    pub signed_at: String,
    /// When it went into the outbox (ms since the epoch).
    #[serde(default)]
    pub queued_at: f64,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub attempts: u32,
    #[serde(default, deserialize_with = "lenient")]
    pub last_attempt: Option<f64>,
    #[serde(default, deserialize_with = "lenient")]
    pub problem: Option<Problem>,
}

/// `Some` if the member reads as a `T`, `None` if it is null or does not.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

fn lenient_or_default<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(lenient(d)?.unwrap_or_default())
}

impl Item {
    /// Reads a record's `meta` (as JSON text); `None` without an id and a state.
    pub(super) fn from_meta(text: &str) -> Option<Item> {
        serde_json::from_str(text).ok()
    }
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
    let text = serde_json::to_string(item).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&text)
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
    list.sort_by(|a, b| a.item.queued_at.total_cmp(&b.item.queued_at));
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

/// What identifies an envelope, read from its payload.
#[derive(Deserialize)]
struct Envelope {
    payload: Head,
}

#[derive(Deserialize)]
struct Head {
    idempotency_id: String,
    #[serde(default)]
    signed_at: String,
    #[serde(default)]
    form: FormHead,
}

#[derive(Default, Deserialize)]
struct FormHead {
    #[serde(default)]
    contract_no: String,
}

/// The item a new envelope for `endpoint` becomes, queued at `now_ms`.
pub(super) fn describe(envelope: &str, endpoint: &str, now_ms: f64) -> Result<Item, String> {
    let head = serde_json::from_str::<Envelope>(envelope)
        .map_err(|e| e.to_string())?
        .payload;
    if head.idempotency_id.is_empty() {
        return Err("the payload has no idempotency_id".into());
    }
    Ok(Item {
        id: head.idempotency_id,
        state: State::Queued,
        label: head.form.contract_no,
        endpoint: endpoint.to_owned(),
        signed_at: head.signed_at,
        queued_at: now_ms,
        attempts: 0,
        last_attempt: None,
        problem: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_item() -> Item {
        Item {
            id: "6f1c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f".into(),
            state: State::Attention,
            label: "GD-2023-0001".into(),
            endpoint: "/api/consents".into(),
            signed_at: "2023-04-10T15:04:05+08:00".into(),
            queued_at: 1_681_110_245_000.0,
            attempts: 3,
            last_attempt: Some(1_681_110_300_000.0),
            problem: Some(Problem {
                kind: ProblemKind::Refused,
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
        }
    }

    /// The metadata exactly as the first release of the outbox wrote it (its `json!`, keys in
    /// alphabetical order, every member present, nulls written).
    const FIRST_RELEASE: &str = r#"{"attempts":3,"endpoint":"/api/consents","id":"6f1c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f","label":"GD-2023-0001","last_attempt":1681110300000.0,"problem":{"code":"agreement.unknown_version","fields":[{"code":"agreement.unknown_version","message_en":"Unknown","message_zh":"未知","path":"agreement.version"}],"kind":"refused","message_en":"Unknown agreement version","message_zh":"未知的协议版本","status":422},"queued_at":1681110245000.0,"signed_at":"2023-04-10T15:04:05+08:00","state":"attention"}"#;

    #[test]
    fn records_of_the_first_release_are_read() {
        assert_eq!(Item::from_meta(FIRST_RELEASE), Some(refused_item()));
        // As JSON.stringify gives it back from IndexedDB: integers without ".0".
        let from_idb = FIRST_RELEASE.replace(".0,", ",");
        assert_eq!(Item::from_meta(&from_idb), Some(refused_item()));
    }

    #[test]
    fn the_stored_shape_is_unchanged() {
        // Same members, same values: only their order differs, which JSON does not see.
        let written: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&refused_item()).unwrap()).unwrap();
        let first: serde_json::Value = serde_json::from_str(FIRST_RELEASE).unwrap();
        assert_eq!(written, first);
    }

    #[test]
    fn a_record_is_read_as_leniently_as_before() {
        let item = Item::from_meta(
            r#"{"id":"x","state":"sending","endpoint":"/e","attempts":-1,"last_attempt":"soon","problem":{"status":200}}"#,
        )
        .expect("read");
        assert_eq!(item.state, State::Queued, "an unknown state is queued");
        assert_eq!((item.attempts, item.last_attempt), (0, None));
        assert_eq!(
            item.problem, None,
            "a problem without a kind is dropped, not the item"
        );
        let item = Item::from_meta(
            r#"{"id":"y","state":"queued","endpoint":"/e","problem":{"kind":"refused","status":70000}}"#,
        )
        .expect("read");
        assert_eq!(item.label, "");
        assert_eq!(item.problem.map(|p| p.status), Some(None));
        assert_eq!(Item::from_meta(r#"{"state":"queued"}"#), None, "no id");
    }

    #[test]
    fn an_envelope_is_described_by_its_payload() {
        let item = describe(
            r#"{"payload":{"idempotency_id":"i","signed_at":"t","form":{"contract_no":"c"}},"signature":"s"}"#,
            "/api/consents",
            5.0,
        )
        .unwrap();
        assert_eq!(
            (
                item.id.as_str(),
                item.label.as_str(),
                item.signed_at.as_str()
            ),
            ("i", "c", "t")
        );
        assert_eq!(
            (item.state, item.queued_at, item.attempts),
            (State::Queued, 5.0, 0)
        );
        assert!(describe(r#"{"payload":{"idempotency_id":""}}"#, "/", 0.0).is_err());
        assert!(describe(r#"{"signature":"s"}"#, "/", 0.0).is_err());
    }
}
