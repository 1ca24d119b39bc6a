//! The identity check an account manager records in person (issue 19 item 3), against the
//! seed agreement: the agent 刘志强 showed his 身份证 (number ending 5316) on the signing day,
//! 2023-04-10, before signing at 15:04:05.

use qianyue_domain::payload::{check_payload, verify_envelope, FORMAT_3};
use qianyue_domain::staff::{Attachment, AttachmentKind, Person, Witness, MAX_ATTACHMENT_BYTES};
use qianyue_domain::testing::{
    device_test_key, payload_at, seed_form, sign, sign_value, sign_witnessed, signed_at, test_key,
    typed_signature, witness_record,
};

fn witness() -> Witness {
    witness_record(&device_test_key())
}

fn failing(w: &Witness) -> Vec<(String, String)> {
    w.check(&seed_form(), signed_at())
        .into_iter()
        .map(|e| (e.path.clone(), e.code().to_owned()))
        .collect()
}

#[test]
fn the_agents_card_checked_before_signing_passes() {
    assert_eq!(failing(&witness()), vec![]);
    // The contact 张晓梅's card ends 1246.
    let contact = Witness {
        person: Person::Contact,
        number_last4: "1246".into(),
        ..witness()
    };
    assert_eq!(failing(&contact), vec![]);
    // Case and spaces as typed do not matter; 居民身份证 is the card's full name.
    let typed = Witness {
        number_last4: " 5316 ".into(),
        document_type: "居民身份证".into(),
        ..witness()
    };
    assert_eq!(failing(&typed), vec![]);
}

#[test]
fn another_document_or_number_than_the_agreement_names_is_refused() {
    let other_number = Witness {
        number_last4: "1246".into(),
        ..witness()
    };
    assert_eq!(
        failing(&other_number),
        [(
            "witness.number_last4".into(),
            "witness.number_mismatch".into()
        )]
    );
    let passport = Witness {
        document_type: "护照".into(),
        ..witness()
    };
    assert_eq!(
        failing(&passport),
        [(
            "witness.document_type".into(),
            "witness.document_type".into()
        )]
    );
    for typed in ["531", "53166", "53-6", ""] {
        let w = Witness {
            number_last4: typed.into(),
            ..witness()
        };
        assert_eq!(
            failing(&w),
            [("witness.number_last4".into(), "witness.number_last4".into())],
            "{typed:?}"
        );
    }
}

#[test]
fn the_check_is_made_on_the_signing_day_before_the_signature() {
    for at in [
        "2023-04-10T15:04:06+08:00",
        "2023-04-09T23:59:59+08:00",
        "2023-04-10 14:00",
    ] {
        let w = Witness {
            checked_at: at.into(),
            ..witness()
        };
        assert_eq!(
            failing(&w),
            [("witness.checked_at".into(), "witness.checked_at".into())],
            "{at}"
        );
    }
    let same_second = Witness {
        checked_at: "2023-04-10T15:04:05+08:00".into(),
        ..witness()
    };
    assert_eq!(failing(&same_second), vec![]);
}

#[test]
fn photos_are_bounded_in_number_size_and_type_and_named_by_digest() {
    let photo = witness().attachments[0].clone();
    let big = Attachment {
        bytes: MAX_ATTACHMENT_BYTES + 1,
        ..photo.clone()
    };
    let gif = Attachment {
        media_type: "image/gif".into(),
        kind: AttachmentKind::CompanySeal,
        ..photo.clone()
    };
    let bad_hash = Attachment {
        sha256: "9F86D081".into(),
        ..photo.clone()
    };
    let w = Witness {
        attachments: vec![big, gif, bad_hash],
        ..witness()
    };
    assert_eq!(
        failing(&w),
        [
            ("witness.attachments".into(), "witness.attachments".into()),
            (
                "witness.attachments.0.bytes".into(),
                "witness.attachment_size".into()
            ),
            (
                "witness.attachments.1.media_type".into(),
                "witness.attachment_type".into()
            ),
            (
                "witness.attachments.2.sha256".into(),
                "witness.attachment_sha256".into()
            ),
        ]
    );
    let exactly_the_limit = Witness {
        attachments: vec![Attachment {
            bytes: MAX_ATTACHMENT_BYTES,
            ..photo
        }],
        ..witness()
    };
    assert_eq!(failing(&exactly_the_limit), vec![]);
}

#[test]
fn a_record_reads_back_from_its_json_and_refuses_unknown_members() {
    let w = witness();
    let json = serde_json::to_value(&w).unwrap();
    assert_eq!(json["person"], "agent");
    assert_eq!(json["attachments"][0]["kind"], "authorisation_letter");
    assert_eq!(serde_json::from_value::<Witness>(json.clone()).unwrap(), w);
    let mut extra = json;
    extra["photo"] = "data:image/jpeg;base64,…".into();
    assert!(serde_json::from_value::<Witness>(extra).is_err());
}

const REQUEST: &str = "3b6c1f0e-2d4a-4e8b-9c7d-5a6b7c8d9e0f";
const ID: &str = "5e0c7a2b-1d3f-4a6e-8b9c-0d1e2f3a4b5c";

fn witnessed_payload() -> qianyue_domain::payload::ConsentPayload {
    payload_at(seed_form(), signed_at(), ID, typed_signature(), &test_key())
        .witnessed(REQUEST, witness())
}

/// `qianyue-consent/3` (docs/payload.md): the signer's and the device's signatures over the
/// same canonical bytes; both verify, the record is checked with the agreement's rules.
#[test]
fn a_witnessed_consent_verifies_with_both_signatures_and_passes_every_check() {
    let payload = witnessed_payload();
    assert_eq!(payload.format, FORMAT_3);
    assert!(payload.is_for_request() && payload.is_witnessed());
    let envelope = sign_witnessed(&payload, &test_key(), &device_test_key());
    let verified = verify_envelope(envelope.as_bytes()).unwrap();
    assert_eq!(
        verified.witness_key_thumbprint.as_deref(),
        Some(witness().device_key.thumbprint().as_str())
    );
    assert_ne!(
        verified.witness_key_thumbprint,
        Some(verified.key_thumbprint.clone())
    );
    check_payload(&verified.payload, signed_at().unix_seconds()).unwrap();
    // The same bytes re-ordered and spaced take the general path: same answer.
    let value: serde_json::Value = serde_json::from_str(&envelope).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    let again = verify_envelope(&pretty).unwrap();
    assert_eq!(
        again.witness_key_thumbprint,
        verified.witness_key_thumbprint
    );
    assert_eq!(again.payload_sha256, verified.payload_sha256);
}

#[test]
fn the_device_signature_is_required_checked_and_only_for_a_witnessed_consent() {
    let payload = witnessed_payload();
    let code = |body: &[u8]| {
        let e = verify_envelope(body).unwrap_err();
        (e.code().to_owned(), e.path.clone())
    };
    // Signed by the signer only.
    assert_eq!(
        code(sign(&payload, &test_key()).as_bytes()),
        ("signature.encoding".into(), "witness_signature".into())
    );
    // Co-signed by another key than the record names.
    let wrong = sign_witnessed(&payload, &test_key(), &test_key());
    assert_eq!(
        code(wrong.as_bytes()),
        ("signature.mismatch".into(), "witness_signature".into())
    );
    // A device signature on a consent that is not witnessed.
    let plain = payload_at(seed_form(), signed_at(), ID, typed_signature(), &test_key());
    let mut value: serde_json::Value = serde_json::from_str(&sign(&plain, &test_key())).unwrap();
    value["witness_signature"] = value["signature"].clone();
    assert_eq!(
        code(value.to_string().as_bytes()),
        ("envelope.shape".into(), "".into())
    );
    // The record edited after both signed: the signer's signature no longer verifies.
    let mut value: serde_json::Value =
        serde_json::from_str(&sign_witnessed(&payload, &test_key(), &device_test_key())).unwrap();
    value["payload"]["witness"]["number_last4"] = "0000".into();
    assert_eq!(
        code(value.to_string().as_bytes()),
        ("signature.mismatch".into(), "signature".into())
    );
}

#[test]
fn the_members_of_each_format_are_its_own() {
    let payload = witnessed_payload();
    // `/3` without its witness, or with an SMS identity beside it.
    let mut v = payload.to_value();
    v.as_object_mut().unwrap().remove("witness");
    let verified = verify_envelope(sign_value(&v, &test_key()).as_bytes()).unwrap();
    let r = check_payload(&verified.payload, signed_at().unix_seconds()).unwrap_err();
    assert_eq!(r.rule.code(), "payload.format");
    assert_eq!(r.fields[0].path, "witness");
    // A witness in a `/2`: refused as misplaced, whatever the signatures.
    let mut v = payload.to_value();
    v["format"] = "qianyue-consent/2".into();
    v["identity"] = serde_json::json!({"method": "sms", "mobile": "150****5678", "verified_at": "2023-04-10T15:00:00+08:00"});
    let body = sign_value(&v, &test_key());
    let verified = verify_envelope(body.as_bytes());
    // The device signature is absent and the payload is not `/3`: the envelope is fine…
    let verified = verified.unwrap();
    // …the format check names the witness.
    let r = check_payload(&verified.payload, signed_at().unix_seconds()).unwrap_err();
    assert_eq!(r.rule.code(), "payload.format");
    assert!(r.fields.iter().any(|f| f.path == "witness"), "{r:?}");
}

#[test]
fn a_witness_record_that_does_not_match_the_agreement_refuses_the_consent() {
    let mut record = witness();
    record.number_last4 = "1246".into();
    let payload = payload_at(seed_form(), signed_at(), ID, typed_signature(), &test_key())
        .witnessed(REQUEST, record);
    let envelope = sign_witnessed(&payload, &test_key(), &device_test_key());
    let verified = verify_envelope(envelope.as_bytes()).unwrap();
    let r = check_payload(&verified.payload, signed_at().unix_seconds()).unwrap_err();
    assert_eq!(r.rule.code(), "witness.number_mismatch");
    assert_eq!(r.fields[0].path, "witness.number_last4");
}
