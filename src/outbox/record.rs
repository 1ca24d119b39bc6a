//! The outbox's records as the app reads and writes them: an [`Item`] (what the list on screen
//! shows, nothing sensitive: no form value but the contract number), its [`State`] and its last
//! [`Problem`]. How they rest in IndexedDB, encrypted, is `stored.rs`.
//!
//! An item is the `meta` of its stored record. Its JSON shape is the one the first release of
//! the outbox wrote (`{id, state, label, endpoint, signed_at, queued_at, attempts, last_attempt,
//! problem: null | {kind, status, code, message_zh, message_en, fields: [{path, code,
//! message_zh, message_en}]}}`) and is read as leniently as it was: a missing member takes its
//! default, an unknown state counts as queued, a member or a problem that cannot be read is
//! dropped rather than the item. A record is never made unreadable by a newer release.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use qianyue_domain::error::Message;
use qianyue_domain::form::FieldError;

/// One field the receiver refused, as an outbox item keeps it (the flat, lenient shape the
/// first release stored; read into the domain's `FieldError` by [`Problem::field_errors`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRefusal {
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message_zh: String,
    #[serde(default)]
    pub message_en: String,
}

impl From<FieldError> for FieldRefusal {
    fn from(f: FieldError) -> FieldRefusal {
        FieldRefusal {
            path: f.path,
            code: f.rule.code.into_owned(),
            message_zh: f.rule.zh.into_owned(),
            message_en: f.rule.en.into_owned(),
        }
    }
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
    /// What went wrong, as the domain's one message type.
    pub fn message(&self) -> Message {
        Message::new(
            self.code.clone(),
            self.message_zh.clone(),
            self.message_en.clone(),
        )
    }

    /// The refused fields, as the domain's field errors.
    pub fn field_errors(&self) -> Vec<FieldError> {
        self.fields
            .iter()
            .map(|f| FieldError {
                path: f.path.clone(),
                rule: Message::new(f.code.clone(), f.message_zh.clone(), f.message_en.clone()),
            })
            .collect()
    }

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
        // Through `Value`, as the lenient members are read: one deserializer for the records.
        serde_json::from_value(crate::api::read_json(text)?).ok()
    }
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
    let value = qianyue_domain::json::parse(envelope).map_err(|e| e.to_string())?;
    let head = serde_json::from_value::<Envelope>(value)
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
