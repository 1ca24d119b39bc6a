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
//!
//! The records are read by hand ([`Item::read`]) rather than by serde's derived readers, with
//! the same leniency (the tests below hold the derived readers as the reference): the app
//! reads every stored record with them, and serde's readers were some 9 KB of the signing
//! step's code (docs/bytes.md).

use serde_json::{Map, Value};

use qianyue_domain::error::Message;
use qianyue_domain::form::FieldError;

/// One field the receiver refused, as an outbox item keeps it (the flat, lenient shape the
/// first release stored; read into the domain's `FieldError` by [`Problem::field_errors`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRefusal {
    pub path: String,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

/// Member `key` of `m` as a string: `""` when absent, `None` when it is there but not a string
/// (then the object it is in cannot be read).
fn text_or_empty(m: &Map<String, Value>, key: &str) -> Option<String> {
    match m.get(key) {
        None => Some(String::new()),
        Some(v) => Some(v.as_str()?.to_owned()),
    }
}

/// A JSON object being written: its members one after the other, then `}`.
struct Members<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Members<'o> {
    fn open(out: &'o mut String) -> Members<'o> {
        out.push('{');
        Members { out, first: true }
    }

    /// `"name":`, after a comma unless it is the first; the value is the caller's to write.
    fn name(&mut self, name: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        qianyue_domain::form_json::push_string(self.out, name);
        self.out.push(':');
        self.out
    }

    fn text(&mut self, name: &str, value: &str) {
        qianyue_domain::form_json::push_string(self.name(name), value);
    }

    /// A number as JavaScript writes it (the record is handed to `JSON.parse`), or null: an
    /// integer without a fraction, anything else as serde_json writes it (its `ryu`, whose
    /// shortest form `JSON.parse` reads back exactly).
    fn number(&mut self, name: &str, value: Option<f64>) {
        let out = self.name(name);
        match value {
            Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 => {
                out.push_str(&(v as i64).to_string())
            }
            Some(v) if v.is_finite() => out.push_str(ryu::Buffer::new().format_finite(v)),
            Some(_) => out.push_str("null"),
            None => out.push_str("null"),
        }
    }

    fn close(self) {
        self.out.push('}');
    }
}

impl FieldRefusal {
    /// An object whose four members, each optional, are strings.
    fn read(value: &Value) -> Option<FieldRefusal> {
        let m = value.as_object()?;
        Some(FieldRefusal {
            path: text_or_empty(m, "path")?,
            code: text_or_empty(m, "code")?,
            message_zh: text_or_empty(m, "message_zh")?,
            message_en: text_or_empty(m, "message_en")?,
        })
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting to be sent (again).
    Queued,
    /// Refused by the receiver: the reader must look at it.
    Attention,
}

impl State {
    /// The name it is stored under.
    pub fn name(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Attention => "attention",
        }
    }
}

impl From<&str> for State {
    /// Anything but `attention` is queued: an item the outbox cannot place is sent again.
    fn from(s: &str) -> State {
        match s {
            "attention" => State::Attention,
            _ => State::Queued,
        }
    }
}

/// What kind of failure a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

impl ProblemKind {
    /// The name it is stored under.
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::Network => "network",
            ProblemKind::Server => "server",
            ProblemKind::Refused => "refused",
            ProblemKind::Receipt => "receipt",
            ProblemKind::Local => "local",
        }
    }
}

impl From<&str> for ProblemKind {
    fn from(s: &str) -> ProblemKind {
        match s {
            "network" => ProblemKind::Network,
            "server" => ProblemKind::Server,
            "refused" => ProblemKind::Refused,
            "receipt" => ProblemKind::Receipt,
            _ => ProblemKind::Local,
        }
    }
}

/// Why the last attempt did not deliver an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub status: Option<u16>,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
    pub fields: Vec<FieldRefusal>,
}

impl Problem {
    /// An object with the string `kind`; `status` a `u16` or else none; the three strings and
    /// the list of [`FieldRefusal`]s each optional, but of their type when there.
    fn read(value: &Value) -> Option<Problem> {
        let m = value.as_object()?;
        Some(Problem {
            kind: ProblemKind::from(m.get("kind")?.as_str()?),
            status: m
                .get("status")
                .and_then(|v| u16::try_from(v.as_u64()?).ok()),
            code: text_or_empty(m, "code")?,
            message_zh: text_or_empty(m, "message_zh")?,
            message_en: text_or_empty(m, "message_en")?,
            fields: match m.get("fields") {
                None => Vec::new(),
                Some(list) => list
                    .as_array()?
                    .iter()
                    .map(FieldRefusal::read)
                    .collect::<Option<_>>()?,
            },
        })
    }

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
    /// The item as it is stored, as JSON text (the first release's shape: every member, nulls
    /// written), written directly rather than through a `Value`.
    pub(super) fn to_json(&self) -> String {
        let mut json = String::with_capacity(256);
        let mut object = Members::open(&mut json);
        object.text("id", &self.id);
        object.text("state", self.state.name());
        object.text("label", &self.label);
        object.text("endpoint", &self.endpoint);
        object.text("signed_at", &self.signed_at);
        object.number("queued_at", Some(self.queued_at));
        object.number("attempts", Some(f64::from(self.attempts)));
        object.number("last_attempt", self.last_attempt);
        let at = object.name("problem");
        match &self.problem {
            None => at.push_str("null"),
            Some(p) => {
                let mut problem = Members::open(at);
                problem.text("kind", p.kind.name());
                problem.number("status", p.status.map(f64::from));
                problem.text("code", &p.code);
                problem.text("message_zh", &p.message_zh);
                problem.text("message_en", &p.message_en);
                let at = problem.name("fields");
                at.push('[');
                for (i, f) in p.fields.iter().enumerate() {
                    if i > 0 {
                        at.push(',');
                    }
                    let mut field = Members::open(at);
                    field.text("path", &f.path);
                    field.text("code", &f.code);
                    field.text("message_zh", &f.message_zh);
                    field.text("message_en", &f.message_en);
                    field.close();
                }
                at.push(']');
                problem.close();
            }
        }
        object.close();
        json
    }

    /// Reads a record's `meta` (as JSON text); `None` without an id and a state.
    pub(super) fn from_meta(text: &str) -> Option<Item> {
        Item::read(&crate::api::read_json(text)?)
    }

    /// An object with the strings `id` and `state` (an unknown state is queued); `label`,
    /// `signed_at` (strings), `endpoint` (a string, else this page's) and `queued_at` (a
    /// number) optional, but of their type when there; `attempts` a `u32`, `last_attempt` a
    /// number and `problem` a [`Problem`], each dropped (0 or none) when it is not.
    fn read(value: &Value) -> Option<Item> {
        let m = value.as_object()?;
        Some(Item {
            id: m.get("id")?.as_str()?.to_owned(),
            state: State::from(m.get("state")?.as_str()?),
            label: text_or_empty(m, "label")?,
            endpoint: match m.get("endpoint") {
                None => crate::config::endpoint(),
                Some(v) => v.as_str()?.to_owned(),
            },
            signed_at: text_or_empty(m, "signed_at")?,
            queued_at: match m.get("queued_at") {
                None => 0.0,
                Some(v) => v.as_f64()?,
            },
            attempts: m
                .get("attempts")
                .and_then(|v| u32::try_from(v.as_u64()?).ok())
                .unwrap_or_default(),
            last_attempt: m.get("last_attempt").and_then(Value::as_f64),
            problem: m.get("problem").and_then(Problem::read),
        })
    }
}

/// The item a new envelope for `endpoint` becomes, queued at `now_ms`: its payload's
/// `idempotency_id` (a string, not empty), `signed_at` and `form.contract_no` (strings, each
/// optional).
pub(super) fn describe(envelope: &str, endpoint: &str, now_ms: f64) -> Result<Item, String> {
    let value = qianyue_domain::json::parse(envelope).map_err(|e| e.to_string())?;
    let unreadable = || "the envelope's payload is not in the documented shape".to_owned();
    let payload = value
        .as_object()
        .and_then(|m| m.get("payload")?.as_object())
        .ok_or_else(unreadable)?;
    let id = payload
        .get("idempotency_id")
        .and_then(Value::as_str)
        .ok_or_else(unreadable)?;
    let signed_at = text_or_empty(payload, "signed_at").ok_or_else(unreadable)?;
    let label = match payload.get("form") {
        None => String::new(),
        Some(form) => text_or_empty(form.as_object().ok_or_else(unreadable)?, "contract_no")
            .ok_or_else(unreadable)?,
    };
    if id.is_empty() {
        return Err("the payload has no idempotency_id".into());
    }
    Ok(Item {
        id: id.to_owned(),
        state: State::Queued,
        label,
        endpoint: endpoint.to_owned(),
        signed_at,
        queued_at: now_ms,
        attempts: 0,
        last_attempt: None,
        problem: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The readers serde derived for these records before they were written out by hand: the
    /// reference the hand-written ones are compared with (`the_readers_agree_with_serde_s`).
    mod derived {
        use serde::de::DeserializeOwned;
        use serde::{Deserialize, Deserializer};

        #[derive(Debug, PartialEq, Deserialize)]
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

        #[derive(Debug, PartialEq, Deserialize)]
        pub struct Problem {
            pub kind: String,
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

        #[derive(Debug, PartialEq, Deserialize)]
        pub struct Item {
            pub id: String,
            pub state: String,
            #[serde(default)]
            pub label: String,
            #[serde(default = "crate::config::endpoint")]
            pub endpoint: String,
            #[serde(default)]
            pub signed_at: String,
            #[serde(default)]
            pub queued_at: f64,
            #[serde(default, deserialize_with = "lenient_or_default")]
            pub attempts: u32,
            #[serde(default, deserialize_with = "lenient")]
            pub last_attempt: Option<f64>,
            #[serde(default, deserialize_with = "lenient")]
            pub problem: Option<Problem>,
        }

        #[derive(Deserialize)]
        pub struct Envelope {
            pub payload: Head,
        }

        #[derive(Deserialize)]
        pub struct Head {
            pub idempotency_id: String,
            #[serde(default)]
            pub signed_at: String,
            #[serde(default)]
            pub form: FormHead,
        }

        #[derive(Default, Deserialize)]
        pub struct FormHead {
            #[serde(default)]
            pub contract_no: String,
        }

        fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(
            d: D,
        ) -> Result<Option<T>, D::Error> {
            let value = Option::<serde_json::Value>::deserialize(d)?;
            Ok(value.and_then(|v| serde_json::from_value(v).ok()))
        }

        fn lenient_or_default<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
            d: D,
        ) -> Result<T, D::Error> {
            Ok(lenient(d)?.unwrap_or_default())
        }
    }

    fn from_derived(item: derived::Item) -> Item {
        Item {
            id: item.id,
            state: State::from(item.state.as_str()),
            label: item.label,
            endpoint: item.endpoint,
            signed_at: item.signed_at,
            queued_at: item.queued_at,
            attempts: item.attempts,
            last_attempt: item.last_attempt,
            problem: item.problem.map(|p| Problem {
                kind: ProblemKind::from(p.kind.as_str()),
                status: p.status,
                code: p.code,
                message_zh: p.message_zh,
                message_en: p.message_en,
                fields: p
                    .fields
                    .into_iter()
                    .map(|f| FieldRefusal {
                        path: f.path,
                        code: f.code,
                        message_zh: f.message_zh,
                        message_en: f.message_en,
                    })
                    .collect(),
            }),
        }
    }

    /// Values of every JSON type, a few of each, for any member.
    fn samples() -> Vec<Value> {
        let texts = [
            "null",
            "true",
            "false",
            "0",
            "1",
            "422",
            "65535",
            "65536",
            "4294967295",
            "4294967296",
            "-1",
            "3.0",
            "2.5",
            "1681110245000",
            "1681110245000.0",
            r#""""#,
            r#""queued""#,
            r#""attention""#,
            r#""refused""#,
            r#""receipt""#,
            r#""x""#,
            "[]",
            r#"["a"]"#,
            "{}",
            r#"{"kind":"refused"}"#,
            r#"{"kind":"server","status":503}"#,
            r#"{"kind":1}"#,
            r#"{"kind":"refused","fields":[{"path":"a"}]}"#,
            r#"{"kind":"refused","fields":[{"path":1}]}"#,
            r#"{"kind":"refused","fields":{}}"#,
            r#"{"kind":"refused","code":null}"#,
            r#"{"contract_no":"c"}"#,
            r#"{"contract_no":7}"#,
        ];
        texts
            .iter()
            .map(|t| serde_json::from_str(t).expect(t))
            .collect()
    }

    #[test]
    fn the_readers_agree_with_serde_s() {
        let base: Value = serde_json::from_str(
            r#"{"id":"i","state":"attention","label":"l","endpoint":"/e","signed_at":"t","queued_at":1,"attempts":2,"last_attempt":3,"problem":{"kind":"refused","status":422,"code":"c","message_zh":"z","message_en":"e","fields":[{"path":"p","code":"c","message_zh":"z","message_en":"e"}]}}"#,
        )
        .unwrap();
        let item_members = [
            "id",
            "state",
            "label",
            "endpoint",
            "signed_at",
            "queued_at",
            "attempts",
            "last_attempt",
            "problem",
        ];
        let problem_members = [
            "kind",
            "status",
            "code",
            "message_zh",
            "message_en",
            "fields",
        ];
        let mut checked = 0;
        let mut compare = |value: &Value| {
            let serde = serde_json::from_value::<derived::Item>(value.clone()).ok();
            assert_eq!(Item::read(value), serde.map(from_derived), "{value}");
            checked += 1;
        };
        compare(&base);
        for sample in samples() {
            // serde's derived readers also take a struct written as an array of its members in
            // order; nothing ever wrote one, and the hand-written readers take objects only.
            let as_struct = !sample.is_array();
            for member in item_members {
                let mut v = base.clone();
                if member != "problem" || as_struct {
                    v[member] = sample.clone();
                    compare(&v);
                }
                // Without an endpoint both take this page's, which needs a browser.
                if member != "endpoint" {
                    v.as_object_mut().unwrap().remove(member);
                    compare(&v);
                }
            }
            for member in problem_members {
                let mut v = base.clone();
                v["problem"][member] = sample.clone();
                compare(&v);
                v["problem"].as_object_mut().unwrap().remove(member);
                compare(&v);
            }
            let mut v = base.clone();
            v["problem"]["fields"][0]["path"] = sample.clone();
            compare(&v);
            if as_struct {
                v["problem"]["fields"][0] = sample.clone();
                compare(&v);
                // Not an item (no id): both refuse it before any default is taken.
                assert!(sample.get("id").is_none());
                compare(&sample);
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn envelopes_are_described_as_serde_s_reader_described_them() {
        let base: Value = serde_json::from_str(
            r#"{"payload":{"idempotency_id":"i","signed_at":"t","form":{"contract_no":"c"}},"signature":"s"}"#,
        )
        .unwrap();
        let derived = |v: &Value| {
            serde_json::from_value::<derived::Envelope>(v.clone())
                .ok()
                .filter(|e| !e.payload.idempotency_id.is_empty())
                .map(|e| {
                    let h = e.payload;
                    (h.idempotency_id, h.signed_at, h.form.contract_no)
                })
        };
        let hand = |v: &Value| {
            describe(&v.to_string(), "/e", 1.0)
                .ok()
                .map(|i| (i.id, i.signed_at, i.label))
        };
        let paths: [&[&str]; 5] = [
            &["payload"],
            &["payload", "idempotency_id"],
            &["payload", "signed_at"],
            &["payload", "form"],
            &["payload", "form", "contract_no"],
        ];
        for sample in samples() {
            for path in paths {
                let (last, parents) = path.split_last().unwrap();
                let mut v = base.clone();
                let parent = parents.iter().fold(&mut v, |v, k| &mut v[*k]);
                parent[*last] = sample.clone();
                // A struct as an array (above): only serde's readers take it.
                if !(sample.is_array() && matches!(*last, "payload" | "form")) {
                    assert_eq!(hand(&v), derived(&v), "{v}");
                }
                let mut v = base.clone();
                let parent = parents.iter().fold(&mut v, |v, k| &mut v[*k]);
                parent.as_object_mut().unwrap().remove(*last);
                assert_eq!(hand(&v), derived(&v), "{v}");
            }
        }
    }

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
        // Same members, same values: only their order differs, which JSON does not see; and
        // integers are written without ".0", as JSON.stringify gives them back.
        let first = FIRST_RELEASE.replace(".0,", ",");
        let written: serde_json::Value = serde_json::from_str(&refused_item().to_json()).unwrap();
        let first: serde_json::Value = serde_json::from_str(&first).unwrap();
        assert_eq!(written, first);
    }

    #[test]
    fn what_is_stored_reads_back() {
        let mut item = refused_item();
        let read = |item: &Item| Item::from_meta(&item.to_json());
        assert_eq!(read(&item), Some(item.clone()));
        item.problem = None;
        item.last_attempt = None;
        item.state = State::Queued;
        assert_eq!(read(&item), Some(item.clone()));
        // Fractions, non-finite numbers (as null, as serde_json wrote them) and text to escape.
        item.queued_at = 0.5;
        item.last_attempt = Some(f64::NAN);
        item.label = "\"\\\u{1}合同".into();
        let back = read(&item).expect("read");
        assert_eq!((back.queued_at, back.last_attempt), (0.5, None));
        assert_eq!(back.label, item.label);
        for state in [State::Queued, State::Attention] {
            assert_eq!(State::from(state.name()), state);
        }
        for kind in [
            ProblemKind::Network,
            ProblemKind::Server,
            ProblemKind::Refused,
            ProblemKind::Receipt,
            ProblemKind::Local,
        ] {
            assert_eq!(ProblemKind::from(kind.name()), kind);
        }
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
