//! The payload's JSON written by hand: what the browser signs ([`ConsentPayload::signing_bytes`])
//! and what the receiver's fast path compares with the bytes it received; and the receipt's
//! ([`Receipt::signing_bytes`], what the receiver signs and the app checks). serde's derived
//! writer of the same types stays the reference (`tests/payload_writer.rs` compares the two on
//! generated payloads of every format); the app does not use it, since serde's writer of these
//! types into a `Value` was some 11 KB of the signing step's code (docs/bytes.md).

use serde_json::{Map, Value};

use super::*;
use crate::holidays::CalendarBasis;
use crate::identity::Identity;
use crate::staff::{Attachment, AttachmentKind, Person, Witness};

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    object_of(Vec::from(members))
}

/// Member by member, as `collect` would (a repeated name keeps its last value): the one
/// `Map::insert` the reader uses too, where `collect` compiled a sort and a bulk build of the
/// B-tree for each size of object.
fn object_of(members: Vec<(&str, Value)>) -> Value {
    let mut map = serde_json::Map::new();
    for (name, value) in members {
        map.insert(name.to_owned(), value);
    }
    Value::Object(map)
}

fn list<T>(items: &[T], each: impl Fn(&T) -> Value) -> Value {
    Value::Array(items.iter().map(each).collect())
}

impl AgreementRef {
    fn to_value(&self) -> Value {
        object([("id", text(&self.id)), ("version", text(&self.version))])
    }
}

impl Receipt {
    /// The receipt as JSON: an object of its eight members, `agreement` an object of `id` and
    /// `version`, every other member a string.
    pub fn to_value(&self) -> Value {
        object([
            ("format", text(&self.format)),
            ("consent_id", text(&self.consent_id)),
            ("payload_sha256", text(&self.payload_sha256)),
            ("agreement", self.agreement.to_value()),
            ("signed_at", text(&self.signed_at)),
            ("signer_key", text(&self.signer_key)),
            ("received_at", text(&self.received_at)),
            ("receiver_key", text(&self.receiver_key)),
        ])
    }
}

impl Jwk {
    fn to_value(&self) -> Value {
        object([
            ("kty", text(&self.kty)),
            ("crv", text(&self.crv)),
            ("x", text(&self.x)),
            ("y", text(&self.y)),
        ])
    }
}

impl SignatureImage {
    /// The signature as it is written in the payload.
    pub fn to_value(&self) -> Value {
        match self {
            SignatureImage::Strokes {
                width,
                height,
                strokes,
            } => object([
                ("kind", text("strokes")),
                ("width", Value::from(*width)),
                ("height", Value::from(*height)),
                (
                    "strokes",
                    list(strokes, |stroke| {
                        list(stroke, |[x, y]| {
                            Value::Array(vec![Value::from(*x), Value::from(*y)])
                        })
                    }),
                ),
            ]),
            SignatureImage::Typed { text: name } => {
                object([("kind", text("typed")), ("text", text(name))])
            }
        }
    }
}

impl ShownValue {
    fn to_value(&self) -> Value {
        match self {
            ShownValue::Integer(n) => Value::from(*n),
            ShownValue::Text(t) => text(t),
        }
    }
}

fn calendar_basis(basis: &CalendarBasis) -> Value {
    match basis {
        CalendarBasis::Official { notice } => {
            object([("basis", text("official")), ("notice", text(notice))])
        }
        CalendarBasis::Provisional => object([("basis", text("provisional"))]),
    }
}

fn identity(i: &Identity) -> Value {
    object([
        ("method", text(&i.method)),
        ("mobile", text(&i.mobile)),
        ("verified_at", text(&i.verified_at)),
    ])
}

fn attachment(a: &Attachment) -> Value {
    let kind = match a.kind {
        AttachmentKind::AuthorisationLetter => "authorisation_letter",
        AttachmentKind::CompanySeal => "company_seal",
    };
    object([
        ("kind", text(kind)),
        ("media_type", text(&a.media_type)),
        ("bytes", Value::from(a.bytes)),
        ("sha256", text(&a.sha256)),
    ])
}

fn witness(w: &Witness) -> Value {
    let person = match w.person {
        Person::Agent => "agent",
        Person::Contact => "contact",
    };
    object([
        ("method", text(&w.method)),
        (
            "staff",
            object([("id", text(&w.staff.id)), ("name", text(&w.staff.name))]),
        ),
        ("device", text(&w.device)),
        ("device_key", w.device_key.to_value()),
        ("person", text(person)),
        ("document_type", text(&w.document_type)),
        ("number_last4", text(&w.number_last4)),
        ("checked_at", text(&w.checked_at)),
        ("attachments", list(&w.attachments, attachment)),
    ])
}

impl ConsentPayload {
    /// The payload as a JSON value: the members serde's derived writer writes, with the same
    /// values (the form as `form_json` writes it, the same text as serde's).
    pub fn to_value(&self) -> Value {
        let form = crate::json::parse(&crate::form_json::write(&self.form)).unwrap_or(Value::Null);
        let mut members = Map::new();
        let mut put = |name: &str, value: Value| {
            members.insert(name.to_owned(), value);
        };
        put("format", text(&self.format));
        put("agreement", self.agreement.to_value());
        put(
            "content_hashes",
            list(&self.content_hashes, |h| {
                object([
                    ("part", text(h.part.hook())),
                    ("lang", text(h.lang.tag())),
                    ("sha256", text(&h.sha256)),
                ])
            }),
        );
        put("form", form);
        put(
            "consents",
            list(&self.consents, |c| {
                object([
                    ("id", text(c.id.as_str())),
                    ("given", Value::Bool(c.given)),
                    ("wording_sha256", text(&c.wording_sha256)),
                ])
            }),
        );
        put(
            "previews",
            Value::Object(
                self.previews
                    .iter()
                    .map(|(key, shown)| (key.clone(), shown.to_value()))
                    .collect(),
            ),
        );
        if !self.calendars.is_empty() {
            put(
                "calendars",
                Value::Object(
                    self.calendars
                        .iter()
                        .map(|(key, years)| {
                            let years = years
                                .iter()
                                .map(|(year, basis)| (year.to_string(), calendar_basis(basis)))
                                .collect();
                            (key.clone(), Value::Object(years))
                        })
                        .collect(),
                ),
            );
        }
        put("signature_image", self.signature_image.to_value());
        put("signed_at", text(&self.signed_at));
        put("idempotency_id", text(&self.idempotency_id));
        put("public_key", self.public_key.to_value());
        if let Some(request) = &self.request {
            put("request", object([("id", text(&request.id))]));
        }
        if let Some(i) = &self.identity {
            put("identity", identity(i));
        }
        if let Some(w) = &self.witness {
            put("witness", witness(w));
        }
        Value::Object(members)
    }
}
