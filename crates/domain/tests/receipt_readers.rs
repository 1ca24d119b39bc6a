//! The receipt, the receiver's keys and the signer's verification are read (and the receipt
//! written) by hand, not by serde's derived code (docs/bytes.md): here serde's derived readers
//! and writer of the same shapes, as they were, are the reference, member by member over values
//! of every JSON type and over generated receipts.

use proptest::prelude::*;
use qianyue_domain::identity::Identity;
use qianyue_domain::payload::{
    AgreementRef, Receipt, ReceiverKey, ReceiverKeys, SignedReceipt, RECEIPT_FORMAT,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The derived shapes, as they were declared before.
mod derived {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AgreementRef {
        pub id: String,
        pub version: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Receipt {
        pub format: String,
        pub consent_id: String,
        pub payload_sha256: String,
        pub agreement: AgreementRef,
        pub signed_at: String,
        pub signer_key: String,
        pub received_at: String,
        pub receiver_key: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    pub struct SignedReceipt {
        pub receipt: Receipt,
        pub signature: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    pub struct ReceiverKey {
        pub kty: String,
        pub crv: String,
        pub x: String,
        pub kid: String,
        pub alg: String,
        #[serde(rename = "use")]
        pub use_: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    pub struct ReceiverKeys {
        pub keys: Vec<ReceiverKey>,
    }
}

fn from_derived(r: derived::Receipt) -> Receipt {
    Receipt {
        format: r.format,
        consent_id: r.consent_id,
        payload_sha256: r.payload_sha256,
        agreement: AgreementRef {
            id: r.agreement.id,
            version: r.agreement.version,
        },
        signed_at: r.signed_at,
        signer_key: r.signer_key,
        received_at: r.received_at,
        receiver_key: r.receiver_key,
    }
}

fn key_from_derived(k: derived::ReceiverKey) -> ReceiverKey {
    ReceiverKey {
        kty: k.kty,
        crv: k.crv,
        x: k.x,
        kid: k.kid,
        alg: k.alg,
        use_: k.use_,
    }
}

/// Values of every JSON type. (serde's derived readers also take a struct written as an array
/// of its members; nothing writes one, and the hand-written readers take objects only: arrays
/// are not put where a struct goes.)
fn samples() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(2.5),
        json!(""),
        json!("x"),
        json!({}),
        json!({"id": "a", "version": "v1"}),
        json!({"id": "a"}),
        json!({"id": "a", "version": "v1", "extra": 1}),
        json!({"id": 1, "version": "v1"}),
    ]
}

fn signed() -> Value {
    json!({
        "receipt": {
            "format": RECEIPT_FORMAT,
            "consent_id": "6f1c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f",
            "payload_sha256": "ab".repeat(32),
            "agreement": {"id": "cmcc-gd-product-agreement", "version": "v2"},
            "signed_at": "2026-12-03T10:00:00+08:00",
            "signer_key": "k",
            "received_at": "2026-12-03T10:00:01+08:00",
            "receiver_key": "r"
        },
        "signature": "s",
        "more": [1]
    })
}

/// `value` with the member at `path` set to `to` (`None`: removed).
fn with(value: &Value, path: &[&str], to: Option<&Value>) -> Value {
    let mut v = value.clone();
    let (last, parents) = path.split_last().unwrap();
    let parent = parents.iter().fold(&mut v, |v, k| &mut v[*k]);
    match to {
        Some(to) => parent[*last] = to.clone(),
        None => {
            parent.as_object_mut().unwrap().remove(*last);
        }
    }
    v
}

fn same_receipt_reading(v: &Value) {
    let derived = serde_json::from_value::<derived::SignedReceipt>(v.clone())
        .ok()
        .map(|s| SignedReceipt {
            receipt: from_derived(s.receipt),
            signature: s.signature,
        });
    assert_eq!(SignedReceipt::read(v), derived, "{v}");
    // serde's traits go through the hand-written reader.
    assert_eq!(
        serde_json::from_value::<SignedReceipt>(v.clone()).ok(),
        derived,
        "{v}"
    );
}

#[test]
fn receipts_are_read_as_serde_s_derived_reader_read_them() {
    let base = signed();
    same_receipt_reading(&base);
    let members = [
        "format",
        "consent_id",
        "payload_sha256",
        "agreement",
        "signed_at",
        "signer_key",
        "received_at",
        "receiver_key",
    ];
    let mut paths: Vec<Vec<&str>> = vec![vec!["receipt"], vec!["signature"]];
    paths.extend(members.iter().map(|m| vec!["receipt", m]));
    paths.push(vec!["receipt", "agreement", "id"]);
    paths.push(vec!["receipt", "agreement", "version"]);
    paths.push(vec!["receipt", "unknown"]);
    paths.push(vec!["receipt", "agreement", "unknown"]);
    for path in &paths {
        same_receipt_reading(&with(&base, path, None));
        for sample in samples() {
            same_receipt_reading(&with(&base, path, Some(&sample)));
        }
    }
    for sample in samples() {
        same_receipt_reading(&sample);
    }
}

#[test]
fn keys_are_read_as_serde_s_derived_reader_read_them() {
    let key = json!({"kty": "OKP", "crv": "Ed25519", "x": "x", "kid": "k", "alg": "EdDSA", "use": "sig", "other": 1});
    let base = json!({"keys": [key.clone(), key], "next": null});
    let same = |v: &Value| {
        let derived = serde_json::from_value::<derived::ReceiverKeys>(v.clone())
            .ok()
            .map(|k| ReceiverKeys {
                keys: k.keys.into_iter().map(key_from_derived).collect(),
            });
        assert_eq!(ReceiverKeys::read(v), derived, "{v}");
        assert_eq!(
            serde_json::from_value::<ReceiverKeys>(v.clone()).ok(),
            derived,
            "{v}"
        );
    };
    same(&base);
    same(&json!({"keys": []}));
    let mut paths: Vec<Vec<&str>> = vec![vec!["keys"]];
    for member in ["kty", "crv", "x", "kid", "alg", "use", "use_"] {
        paths.push(vec!["keys", "1", member]);
    }
    for path in &paths {
        let at = |v: &Value, to: Option<&Value>| {
            // `keys.1.member`: the second key's member.
            if path.len() == 3 {
                let mut v = v.clone();
                let second = &mut v["keys"][1];
                match to {
                    Some(to) => second[path[2]] = to.clone(),
                    None => {
                        second.as_object_mut().unwrap().remove(path[2]);
                    }
                }
                v
            } else {
                with(v, path, to)
            }
        };
        same(&at(&base, None));
        for sample in samples() {
            same(&at(&base, Some(&sample)));
        }
    }
    for sample in samples() {
        same(&sample);
        same(&json!({ "keys": [sample] }));
    }
}

#[test]
fn verifications_are_read_as_serde_s_derived_reader_reads_them() {
    let base = json!({"method": "sms", "mobile": "138****5678", "verified_at": "2026-12-03T10:00:00+08:00"});
    let same = |v: &Value| {
        let derived = serde_json::from_value::<Identity>(v.clone()).ok();
        assert_eq!(Identity::read(v), derived, "{v}");
    };
    same(&base);
    for member in ["method", "mobile", "verified_at", "other"] {
        same(&with(&base, &[member], None));
        for sample in samples() {
            same(&with(&base, &[member], Some(&sample)));
        }
    }
    for sample in samples() {
        same(&sample);
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9:+-]{0,12}",
        any::<String>(),
        Just("\"\\\u{0}\u{1f}\u{7f}\u{2028}😀".to_owned()),
    ]
}

proptest! {
    /// The receipt's JSON, and so the bytes the receiver signs, as serde's derived writer made
    /// them; and read back.
    #[test]
    fn receipts_are_written_as_serde_s_derived_writer_wrote_them(
        t in proptest::collection::vec(text(), 9)
    ) {
        let derived = derived::Receipt {
            format: t[0].clone(),
            consent_id: t[1].clone(),
            payload_sha256: t[2].clone(),
            agreement: derived::AgreementRef { id: t[3].clone(), version: t[4].clone() },
            signed_at: t[5].clone(),
            signer_key: t[6].clone(),
            received_at: t[7].clone(),
            receiver_key: t[8].clone(),
        };
        let written = serde_json::to_value(&derived).unwrap();
        let receipt = from_derived(derived);
        prop_assert_eq!(receipt.to_value(), written.clone());
        prop_assert_eq!(serde_json::to_value(&receipt).unwrap(), written.clone());
        prop_assert_eq!(Receipt::read(&written), Some(receipt));
    }
}
