//! Fixtures shared by the domain's and the receiver's tests, written once: the fixed test key
//! of the checked-in vector, the seed form, signed seed consents, and the vector itself (which
//! `cargo xtask vector` writes, and `tests/payload.rs` checks).
//!
//! Compiled only with the `test-support` feature, which only dev-dependencies enable: never part
//! of the app's or the receiver's build. Uses only the public API of the modules it draws on.

use std::path::PathBuf;

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::Value;

use crate::content::Lang;
use crate::form::Form;
use crate::payload::{
    canonical_bytes, envelope_from_parts, ConsentPayload, Jwk, PayloadParts, SignatureImage,
    SignedAt, FORMAT,
};
use crate::preview::{preview, Preview};

/// When the seed consent is signed: 2023-04-10, the seed form's signing date, in China
/// Standard Time.
pub const SIGNED_AT: &str = "2023-04-10T15:04:05+08:00";

/// The idempotency id of the checked-in vector.
pub const VECTOR_ID: &str = "0f8e2c53-5b1a-4c7e-9d2f-6a3b8c1d4e5f";

/// The fixed test key (private scalar d = 0x01 0x02 … 0x20) that signs the vector. Never used
/// outside tests.
pub fn test_key() -> SigningKey {
    let d: Vec<u8> = (1..=32).collect();
    SigningKey::from_slice(&d).expect("a valid scalar")
}

/// The path of `crates/domain/tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The seed form with its fee inputs (`fixtures/seed-form-with-fees.json`).
pub fn seed_form() -> Form {
    let text = std::fs::read_to_string(fixture("seed-form-with-fees.json"))
        .expect("the seed form is in the fixtures");
    serde_json::from_str(&text).expect("the seed form parses")
}

/// The seed form as the app fills it when signing at `signed_at`: the signing date that day in
/// China Standard Time, and an authorisation running from 2023-04-01 to 2099-12-31 (so that it
/// covers any later signing date).
pub fn seed_form_signed_at(signed_at: SignedAt) -> Form {
    let mut form = seed_form();
    form.signing.date = signed_at.date().to_string();
    form.agent.valid_to = "2099-12-31".into();
    form
}

/// [`SIGNED_AT`] parsed.
pub fn signed_at() -> SignedAt {
    SignedAt::parse(SIGNED_AT).expect("SIGNED_AT parses")
}

/// A drawn signature: two strokes, a rising line and a wave.
pub fn drawn_signature() -> SignatureImage {
    let first: Vec<[u32; 2]> = (0..24).map(|i| [20 + i * 6, 120 - i * 3]).collect();
    let second: Vec<[u32; 2]> = (0..30)
        .map(|i| [40 + i * 7, 90 + [0, 6, 10, 6, 0, 6][i as usize % 6]])
        .collect();
    SignatureImage::Strokes {
        width: 400,
        height: 160,
        strokes: vec![first, second],
    }
}

/// A typed signature: the seed's representative's name.
pub fn typed_signature() -> SignatureImage {
    SignatureImage::Typed {
        text: "刘志强".into(),
    }
}

/// The payload of `form` signed at `signed_at` by `key`'s holder, showing `previews` (the
/// agreement in both languages).
pub fn payload_showing(
    form: Form,
    previews: &Preview,
    signed_at: SignedAt,
    idempotency_id: &str,
    signature_image: SignatureImage,
    key: &SigningKey,
) -> ConsentPayload {
    ConsentPayload::new(PayloadParts {
        form,
        langs: vec![Lang::Zh, Lang::En],
        previews,
        signature_image,
        signed_at,
        idempotency_id: idempotency_id.into(),
        public_key: Jwk::from_verifying_key(key.verifying_key()),
    })
}

/// The payload of `form` signed at `signed_at`, showing the figures of that day.
pub fn payload_at(
    form: Form,
    signed_at: SignedAt,
    idempotency_id: &str,
    signature_image: SignatureImage,
    key: &SigningKey,
) -> ConsentPayload {
    let previews = preview(&form, signed_at.date());
    payload_showing(
        form,
        &previews,
        signed_at,
        idempotency_id,
        signature_image,
        key,
    )
}

/// The payload of `form` signed at [`SIGNED_AT`] with a drawn signature.
pub fn payload_with(form: Form, idempotency_id: &str, key: &SigningKey) -> ConsentPayload {
    payload_at(form, signed_at(), idempotency_id, drawn_signature(), key)
}

/// A `qianyue-consent/2` payload: `form` signed at `signed_at` (typed signature, the figures
/// of that day) for the request `request_id`, verified as `identity`.
pub fn payload_for_request(
    form: Form,
    signed_at: SignedAt,
    idempotency_id: &str,
    request_id: &str,
    identity: crate::identity::Identity,
    key: &SigningKey,
) -> ConsentPayload {
    payload_at(form, signed_at, idempotency_id, typed_signature(), key)
        .for_request(request_id, identity)
}

/// The envelope of `payload` signed with `key`.
pub fn sign(payload: &ConsentPayload, key: &SigningKey) -> String {
    let bytes = payload
        .signing_bytes()
        .expect("a payload has canonical bytes");
    let sig: Signature = key.sign(&bytes);
    payload
        .envelope_json(&sig.to_bytes().into())
        .expect("a payload has canonical bytes")
}

/// The envelope of a payload value signed with `key`, after any edit (for tampering with it
/// first).
pub fn sign_value(value: &Value, key: &SigningKey) -> String {
    let bytes = canonical_bytes(value).expect("the edited payload has canonical bytes");
    let sig: Signature = key.sign(&bytes);
    envelope_from_parts(&bytes, &sig.to_bytes().into())
}

/// The envelope of the checked-in vector, as `cargo xtask vector` writes it: the seed consent,
/// drawn, signed at [`SIGNED_AT`] with the test key. It stays a `qianyue-consent/1` payload: it
/// shows no working-day figure, so it has no `calendars` member (docs/payload.md's worked
/// example). RFC 6979 signatures are deterministic, so the same inputs give the same bytes.
pub fn vector_envelope() -> String {
    let key = test_key();
    let signed_at = signed_at();
    let mut previews = preview(&seed_form(), signed_at.date());
    previews.remove("privacy.reply_by");
    let p = payload_showing(
        seed_form(),
        &previews,
        signed_at,
        VECTOR_ID,
        drawn_signature(),
        &key,
    );
    assert_eq!(p.format, FORMAT, "the vector is a {FORMAT} payload");
    sign(&p, &key)
}

/// The checked-in vector (`fixtures/payload-vector.json`), without its final newline.
pub fn vector() -> String {
    let text = std::fs::read_to_string(fixture("payload-vector.json"))
        .expect("the vector is in the fixtures");
    text.trim_end().to_owned()
}

/// The fixed test key of a staff device (private scalar d = 0x21 0x22 … 0x40), distinct from
/// [`test_key`]. Never used outside tests.
pub fn device_test_key() -> SigningKey {
    let d: Vec<u8> = (0x21..=0x40).collect();
    SigningKey::from_slice(&d).expect("a valid scalar")
}

/// The seed agreement's identity check in person: the agent 刘志强 showed his 身份证 (ending
/// 5316) to the manager 陈晓明 six minutes before signing, with a photo of the stamped
/// authorisation letter; the device key is `device`'s.
pub fn witness_record(device: &SigningKey) -> crate::staff::Witness {
    use crate::staff::{Attachment, AttachmentKind, Person, StaffMember, Witness, METHOD_WITNESS};
    Witness {
        method: METHOD_WITNESS.into(),
        staff: StaffMember {
            id: "gz-0042".into(),
            name: "陈晓明".into(),
        },
        device: "7d9f2c1e-8a4b-4c3d-9e6f-0a1b2c3d4e5f".into(),
        device_key: Jwk::from_verifying_key(device.verifying_key()),
        person: Person::Agent,
        document_type: "身份证".into(),
        number_last4: "5316".into(),
        checked_at: "2023-04-10T14:58:00+08:00".into(),
        attachments: vec![Attachment {
            kind: AttachmentKind::AuthorisationLetter,
            media_type: "image/jpeg".into(),
            bytes: 412_337,
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        }],
    }
}

/// The envelope of a witnessed payload: signed with `key` (the signer's) and `device` (the
/// staff device's) over the same canonical bytes.
pub fn sign_witnessed(payload: &ConsentPayload, key: &SigningKey, device: &SigningKey) -> String {
    let bytes = payload
        .signing_bytes()
        .expect("a payload has canonical bytes");
    let sig: Signature = key.sign(&bytes);
    let witness: Signature = device.sign(&bytes);
    payload
        .witnessed_envelope_json(&sig.to_bytes().into(), &witness.to_bytes().into())
        .expect("a payload has canonical bytes")
}
