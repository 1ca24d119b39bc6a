//! Agreement versions over loopback: one receiver accepts a consent signed on the current
//! text (v2) and one signed on the text it replaced (v1, as an outbox may still hold), each
//! checked against its own version's hashes, and refuses a version it never shipped
//! (docs/payload.md §8, crates/domain/content/README.md §5).

mod common;

use common::*;
use qianyue_domain::content::{Lang, PartId, V1};
use qianyue_domain::payload::{verify_receipt, ReceiverKeys, V1_CONSENT_WORDING_SHA256};
use serde_json::{json, Value};

/// A payload value as the app of agreement v1 built it: v1's content hashes and consent
/// wordings (the domain's published constants).
fn as_v1(v: &mut Value) {
    v["agreement"]["version"] = json!("v1");
    for h in v["content_hashes"].as_array_mut().unwrap() {
        let part = PartId::from_hook(h["part"].as_str().unwrap()).unwrap();
        let lang = Lang::from_tag(h["lang"].as_str().unwrap()).unwrap();
        let (_, _, hash) = V1
            .content_hashes
            .iter()
            .find(|(p, l, _)| (*p, *l) == (part, lang))
            .unwrap();
        h["sha256"] = json!(hash);
    }
    for c in v["consents"].as_array_mut().unwrap() {
        let (_, hash) = V1_CONSENT_WORDING_SHA256
            .iter()
            .find(|(id, _)| json!(id) == c["id"])
            .unwrap();
        c["wording_sha256"] = json!(hash);
    }
}

#[track_caller]
fn assert_refused(resp: &HttpResponse, status: u16, code: &str, path: &str) {
    assert_eq!(resp.status, status, "{}", resp.text());
    let v = resp.json();
    assert_eq!(v["code"], code, "{v}");
    assert!(v["message_zh"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(v["message_en"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(
        v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == path && f["code"] == code),
        "{v}"
    );
}

#[test]
fn a_v1_consent_and_a_v2_consent_are_both_accepted_and_unknown_versions_refused() {
    for backend in backends() {
        let r = Receiver::start(Options::new(backend));
        let keys: ReceiverKeys = serde_json::from_slice(&r.get("/api/keys", &[]).body).unwrap();

        // The current version, as the app signs today.
        let v2_id = uuid();
        let v2 = r.post_json(&signed(&v2_id, |v| {
            assert_eq!(v["agreement"]["version"], "v2")
        }));
        assert_eq!(v2.status, 201, "{backend:?} v2: {}", v2.text());
        // The version before, with v1's hashes and wordings.
        let v1_id = uuid();
        let v1 = r.post_json(&signed(&v1_id, as_v1));
        assert_eq!(v1.status, 201, "{backend:?} v1: {}", v1.text());
        // The worked example as the app of v1 signed it (domain fixture, never re-signed).
        let old = std::fs::read_to_string(domain_fixture("payload-vector-v1.json")).unwrap();
        let old = old.trim_end().as_bytes().to_vec();
        let old_resp = r.post_json(&old);
        assert_eq!(old_resp.status, 201, "{backend:?}: {}", old_resp.text());
        let old_envelope: Value = serde_json::from_slice(&old).unwrap();
        let old_id = old_envelope["payload"]["idempotency_id"]
            .as_str()
            .unwrap()
            .to_owned();

        // Each receipt names its consent's version; the stored record keeps it.
        for (resp, id, version) in [
            (&v2, &v2_id, "v2"),
            (&v1, &v1_id, "v1"),
            (&old_resp, &old_id, "v1"),
        ] {
            let receipt = verify_receipt(&resp.body, &keys.keys).expect("receipt verifies");
            assert_eq!(receipt.consent_id, *id);
            assert_eq!(receipt.agreement.version, version);
            let auth = format!("Bearer {TOKEN}");
            let record = r.get(&format!("/api/consents/{id}"), &[("Authorization", &auth)]);
            assert_eq!(record.status, 200, "{}", record.text());
            assert_eq!(record.json()["payload"]["agreement"]["version"], version);
        }

        // Versions it never shipped.
        for unknown in ["v0", "v3", "V2", ""] {
            let resp = r.post_json(&signed(&uuid(), |v| {
                v["agreement"]["version"] = json!(unknown)
            }));
            assert_refused(&resp, 422, "agreement.version_unknown", "agreement.version");
        }
        // A v1 consent naming v2's corrected English of the privacy policy: not v1's text.
        let mixed = signed(&uuid(), |v| {
            let privacy_en = v["content_hashes"][3].clone();
            assert_eq!(
                (&privacy_en["part"], &privacy_en["lang"]),
                (&json!("privacy"), &json!("en"))
            );
            as_v1(v);
            v["content_hashes"][3] = privacy_en;
        });
        assert_refused(
            &r.post_json(&mixed),
            422,
            "content.hash_mismatch",
            "content_hashes.3.sha256",
        );

        let mut stored = r.stored_ids();
        stored.sort();
        let mut expected = vec![v1_id, v2_id, old_id];
        expected.sort();
        assert_eq!(stored, expected, "{backend:?}");
        r.assert_no_panic();
    }
}
