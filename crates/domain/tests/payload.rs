//! The signed consent payload: RFC 8785 canonical bytes, ES256 verification, the agreement's
//! checks, and the checked-in vector.
//!
//! The vector `fixtures/payload-vector.json` is an envelope signed with the fixed test key
//! (`qianyue_domain::testing`, shared with the receiver's tests). To write it again (after the
//! content of the agreement changed, say): `cargo xtask vector`.

use std::path::PathBuf;

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use qianyue_domain::content::Lang;
use qianyue_domain::date::Date;
use qianyue_domain::error::RuleError;
use qianyue_domain::holidays::{parse_notice, CalendarBasis, Calendars};
use qianyue_domain::payload::*;
use qianyue_domain::preview::preview;
use qianyue_domain::testing::{
    drawn_signature, fixture, payload_showing, payload_with, seed_form, sign, sign_value, test_key,
    vector_envelope, SIGNED_AT, VECTOR_ID,
};
use serde_json::{json, Value};

/// The receiver's clock in these tests: an hour after the signing.
fn now() -> i64 {
    SignedAt::parse(SIGNED_AT).unwrap().unix_seconds() + 3600
}

const ID: &str = "3b241101-e2bb-4255-8caf-4136c566a962";

fn canon(v: Value) -> String {
    String::from_utf8(canonical_bytes(&v).unwrap()).unwrap()
}

// ------------------------------------------------------------------------------------------
// RFC 8785

#[test]
fn rfc8785_sorts_keys_by_utf16_code_units() {
    // RFC 8785 §3.2.3's own example: U+1F600 (surrogates D83D DE00) sorts before U+FB33,
    // although its code point is larger.
    let v: Value = serde_json::from_str(
        r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#,
    )
    .unwrap();
    let keys_in_order: Vec<&str> = vec!["\r", "1", "\u{80}", "ö", "€", "😀", "\u{fb33}"];
    let out = canon(v);
    let mut at = 0;
    for k in keys_in_order {
        let needle = serde_json::to_string(k).unwrap();
        let pos = out[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{k:?} out of order in {out}"));
        at += pos + needle.len();
    }
    // CJK and a supplementary-plane ideograph: 𠀀 (U+20000, D840 DC00) before the
    // compatibility ideograph U+F900, and both after the BMP ideographs 中 (U+4E2D) and
    // 文 (U+6587); ASCII first. (Code point or UTF-8 order would put U+F900 first.)
    let v = json!({"\u{f900}": 1, "𠀀": 2, "文": 3, "中": 4, "a": 5, "B": 6});
    assert_eq!(
        canon(v),
        "{\"B\":6,\"a\":5,\"中\":4,\"文\":3,\"𠀀\":2,\"\u{f900}\":1}"
    );
    // Nested objects are sorted too; arrays keep their order.
    let v = json!({"b": [3, {"z": 1, "y": 2}, 1], "a": {"d": null, "c": true}});
    assert_eq!(
        canon(v),
        r#"{"a":{"c":true,"d":null},"b":[3,{"y":2,"z":1},1]}"#
    );
}

#[test]
fn rfc8785_escapes_strings_like_json_stringify() {
    // RFC 8785 §3.2.2.2's string example.
    let v: Value =
        serde_json::from_str(r#""\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/""#).unwrap();
    assert_eq!(canon(v), r#""€$\u000f\nA'B\"\\\\\"/""#);
    // Every control character; DEL, U+2028 and non-BMP verbatim.
    let controls: String = (0u8..0x20).map(char::from).collect();
    assert_eq!(
        canon(Value::String(controls)),
        "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\""
    );
    assert_eq!(
        canon(json!("\u{7f}\u{2028}😀签约")),
        "\"\u{7f}\u{2028}😀签约\""
    );
}

proptest::proptest! {
    /// For strings, RFC 8785 is exactly serde_json's (and JSON.stringify's) escaping.
    #[test]
    fn rfc8785_strings_match_serde_json(s in "\\PC*|[\\x00-\\x20\"\\\\\u{7f}\u{2028}😀签]*") {
        let ours = canonical_bytes(&Value::String(s.clone())).unwrap();
        proptest::prop_assert_eq!(ours, serde_json::to_vec(&s).unwrap());
    }
}

#[test]
fn rfc8785_writes_integers_and_refuses_other_numbers() {
    assert_eq!(
        canon(json!([
            0,
            -1,
            1,
            100,
            9007199254740991_i64,
            -9007199254740991_i64
        ])),
        "[0,-1,1,100,9007199254740991,-9007199254740991]"
    );
    assert_eq!(
        canon(json!([null, true, false, "", [], {}])),
        r#"[null,true,false,"",[],{}]"#
    );
    // Whitespace and insignificant formatting disappear.
    let v: Value = serde_json::from_str(" { \"a\" : [ 1 , 2 ] ,\n\t\"b\":\"x\" } ").unwrap();
    assert_eq!(canon(v), r#"{"a":[1,2],"b":"x"}"#);

    for (text, rule) in [
        ("9007199254740992", EnvelopeRule::IntegerRange),
        ("-9007199254740992", EnvelopeRule::IntegerRange),
        ("18446744073709551615", EnvelopeRule::IntegerRange),
        ("1.5", EnvelopeRule::NonInteger),
        ("1.0", EnvelopeRule::NonInteger),
        ("1e2", EnvelopeRule::NonInteger),
        ("-0.0", EnvelopeRule::NonInteger),
        // docs/payload.md §3.5: `-0` is refused, not rewritten (the parser reads it as a float).
        ("-0", EnvelopeRule::NonInteger),
        // Beyond 64 bits the parser reads a float too: 2^64 + 1 and −2^63 − 1 are non-integers,
        // while 2^64 − 1 and −2^63 (above) are out of range.
        ("18446744073709551617", EnvelopeRule::NonInteger),
        ("-9223372036854775809", EnvelopeRule::NonInteger),
        ("-9223372036854775808", EnvelopeRule::IntegerRange),
    ] {
        let v = parse_strict(format!("{{\"n\":[{text}]}}").as_bytes()).unwrap();
        let err = canonical_bytes(&v).unwrap_err();
        assert_eq!(err.rule, rule, "{text}");
        assert_eq!(err.path, "n.0", "{text}");
    }
}

#[test]
fn strict_parsing_refuses_duplicate_keys_and_bad_text() {
    let e = parse_strict(br#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err();
    assert_eq!(e.rule, EnvelopeRule::DuplicateKey);
    for bad in [
        &b"{\"a\":1} x"[..],
        b"{\"a\":\xff}",
        b"\"\\ud800\"",
        b"{\"a\":NaN}",
        b"",
    ] {
        assert_eq!(
            parse_strict(bad).unwrap_err().rule,
            EnvelopeRule::NotJson,
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    // Deep nesting is an error, not a stack overflow.
    let deep = "[".repeat(100_000);
    assert_eq!(
        parse_strict(deep.as_bytes()).unwrap_err().rule,
        EnvelopeRule::NotJson
    );
}

// ------------------------------------------------------------------------------------------
// Signing and verifying

#[test]
fn a_payload_signed_here_verifies_and_passes_the_checks() {
    let key = test_key();
    let payload = payload_with(seed_form(), ID, &key);
    let body = sign(&payload, &key);
    let (verified, checked) = verify_and_check(body.as_bytes(), now()).unwrap();
    assert_eq!(verified.payload, payload);
    assert_eq!(verified.canonical, payload.signing_bytes().unwrap());
    assert_eq!(checked.signing_date, Date::new(2023, 4, 10).unwrap());
    assert_eq!(verified.payload.previews.len(), checked.previews.len());
    // The envelope itself is canonical JSON.
    let reparsed = parse_strict(body.as_bytes()).unwrap();
    assert_eq!(canonical_bytes(&reparsed).unwrap(), body.as_bytes());
    // Money is integer fen in the signed bytes.
    let text = String::from_utf8(verified.canonical).unwrap();
    assert!(text.contains("\"total.penalty\":"), "{text}");
    assert!(!text.contains('.') || !text.contains("\"previews\":{\"late.fee\":1."));
}

#[test]
fn re_serialized_envelopes_verify_the_same() {
    // The signature covers the canonical form, not the transport's spacing or key order.
    let key = test_key();
    let body = sign(&payload_with(seed_form(), ID, &key), &key);
    let value: Value = serde_json::from_str(&body).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert!(verify_envelope(pretty.as_bytes()).is_ok());
}

#[test]
fn a_canonical_envelope_and_a_re_spaced_one_give_the_same_verified_payload() {
    // The canonical bytes are read once, typed (verify_canonical_envelope); any other
    // spelling goes through the general reading. Both must establish the same facts.
    let key = test_key();
    let body = sign(&payload_with(seed_form(), ID, &key), &key);
    let value: Value = serde_json::from_str(&body).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    let (a, b) = (
        verify_envelope(body.as_bytes()).unwrap(),
        verify_envelope(pretty.as_bytes()).unwrap(),
    );
    assert_eq!(a.payload, b.payload);
    assert_eq!(a.value, b.value);
    assert_eq!(a.canonical, b.canonical);
    assert_eq!(a.payload_sha256, b.payload_sha256);
    assert_eq!(a.key_thumbprint, b.key_thumbprint);
    assert_eq!(a.signature, b.signature);
    // A canonical body with a bad signature is refused with the same code on both readings.
    let mut sig_flipped = body.clone().into_bytes();
    let at = body.rfind('"').unwrap() - 3;
    sig_flipped[at] = if sig_flipped[at] == b'A' { b'B' } else { b'A' };
    let pretty_flipped = {
        let v: Value = serde_json::from_slice(&sig_flipped).unwrap();
        serde_json::to_string_pretty(&v).unwrap()
    };
    assert_eq!(
        verify_envelope(&sig_flipped).unwrap_err().code(),
        verify_envelope(pretty_flipped.as_bytes())
            .unwrap_err()
            .code(),
    );
    assert_eq!(
        verify_envelope(&sig_flipped).unwrap_err().code(),
        "signature.mismatch"
    );
}

#[test]
fn high_and_low_s_signatures_both_verify() {
    // WebCrypto does not normalise s; either form must verify.
    let key = test_key();
    let payload = payload_with(seed_form(), ID, &key);
    let bytes = payload.signing_bytes().unwrap();
    let sig: Signature = key.sign(&bytes);
    let (r, s) = sig.split_scalars();
    let twin = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
    assert_ne!(twin, sig);
    for s in [sig, twin] {
        let body = payload.envelope_json(&s.to_bytes().into()).unwrap();
        assert!(verify_envelope(body.as_bytes()).is_ok());
    }
}

#[test]
fn every_single_byte_flip_fails() {
    let key = test_key();
    let body = sign(&payload_with(seed_form(), ID, &key), &key);
    let bytes = body.as_bytes();
    for i in 0..bytes.len() {
        let mut flipped = bytes.to_vec();
        flipped[i] ^= 0x01;
        assert!(
            verify_and_check(&flipped, now()).is_err(),
            "flipping byte {i} ({:?}) still verifies",
            char::from(bytes[i])
        );
    }
}

#[test]
fn envelope_refusals_are_typed() {
    let key = test_key();
    let payload = payload_with(seed_form(), ID, &key);
    let body = sign(&payload, &key);
    let envelope: Value = serde_json::from_str(&body).unwrap();
    let code = |v: &Value| {
        verify_envelope(serde_json::to_string(v).unwrap().as_bytes())
            .unwrap_err()
            .code()
    };

    assert_eq!(code(&json!([1])), "envelope.shape");
    let mut extra = envelope.clone();
    extra["x"] = json!(1);
    assert_eq!(code(&extra), "envelope.shape");
    let mut no_sig = envelope.clone();
    no_sig.as_object_mut().unwrap().remove("signature");
    assert_eq!(code(&no_sig), "envelope.shape");
    for bad in [
        json!(""),
        json!("AAAA"),
        json!(7),
        json!("A".repeat(86) + "="),
    ] {
        let mut e = envelope.clone();
        e["signature"] = bad;
        assert_eq!(code(&e), "signature.encoding");
    }
    // A signature of zeros is refused (r = s = 0 is no signature).
    let mut zeros = envelope.clone();
    zeros["signature"] = json!("A".repeat(86));
    assert_eq!(code(&zeros), "signature.mismatch");
    // Another key's valid signature.
    let other = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let sig: Signature = other.sign(&payload.signing_bytes().unwrap());
    let forged = payload.envelope_json(&sig.to_bytes().into()).unwrap();
    assert_eq!(
        verify_envelope(forged.as_bytes()).unwrap_err().code(),
        "signature.mismatch"
    );
    // A key not on the curve, a wrong curve, an extra JWK member.
    let mut off_curve = envelope.clone();
    off_curve["payload"]["public_key"]["y"] = off_curve["payload"]["public_key"]["x"].clone();
    assert_eq!(code(&off_curve), "public_key.invalid");
    let mut curve = envelope.clone();
    curve["payload"]["public_key"]["crv"] = json!("P-384");
    assert_eq!(code(&curve), "public_key.invalid");
    let mut ext = envelope.clone();
    ext["payload"]["public_key"]["ext"] = json!(true);
    assert_eq!(code(&ext), "public_key.invalid");
    // A float anywhere in the payload, reported at its contract path.
    let text = body.replace("\"employees\":10", "\"employees\":10.0");
    let e = verify_envelope(text.as_bytes()).unwrap_err();
    assert_eq!(
        (e.code(), e.path.as_str()),
        ("payload.non_integer", "customer.employees")
    );
    // A validly signed payload with an unknown member.
    let mut unknown = serde_json::to_value(&payload).unwrap();
    unknown["note"] = json!("x");
    let e = verify_envelope(sign_value(&unknown, &key).as_bytes()).unwrap_err();
    assert_eq!(e.code(), "payload.shape");
    assert!(e.detail.unwrap().contains("note"));
}

// ------------------------------------------------------------------------------------------
// The agreement's checks

/// Signs `edit(payload)` and returns the rejection's code and field paths.
fn rejected(edit: impl FnOnce(&mut Value)) -> (String, Vec<(String, String)>) {
    let key = test_key();
    let mut v = serde_json::to_value(payload_with(seed_form(), ID, &key)).unwrap();
    edit(&mut v);
    let body = sign_value(&v, &key);
    let r = verify_and_check(body.as_bytes(), now()).unwrap_err();
    let fields = r
        .fields
        .iter()
        .map(|f| (f.path.clone(), f.code().to_owned()))
        .collect();
    (r.code().to_owned(), fields)
}

fn has(fields: &[(String, String)], path: &str, code: &str) -> bool {
    fields.iter().any(|(p, c)| p == path && c == code)
}

#[test]
fn agreement_and_content_are_checked() {
    for unknown in ["v0", "v3", "", "V2"] {
        let (code, fields) = rejected(|v| v["agreement"]["version"] = json!(unknown));
        assert_eq!(code, "agreement.version_unknown", "{unknown:?}");
        assert_eq!(
            fields,
            [(
                String::from("agreement.version"),
                String::from("agreement.version_unknown")
            )]
        );
    }
    let (code, _) = rejected(|v| v["agreement"]["id"] = json!("other"));
    assert_eq!(code, "agreement.unknown");
    let (code, _) = rejected(|v| v["format"] = json!("qianyue-consent/2"));
    assert_eq!(code, "payload.format");

    let (code, fields) = rejected(|v| {
        v["content_hashes"][2]["sha256"] = json!("0".repeat(64));
    });
    assert_eq!(code, "content.hash_mismatch");
    assert!(has(
        &fields,
        "content_hashes.2.sha256",
        "content.hash_mismatch"
    ));
    let (code, fields) = rejected(|v| {
        let list = v["content_hashes"].as_array_mut().unwrap();
        list.retain(|h| h["part"] != "authorization");
    });
    assert_eq!(code, "content.hash_mismatch");
    assert!(has(&fields, "content_hashes", "content.part_missing"));
    let (_, fields) = rejected(|v| {
        let first = v["content_hashes"][0].clone();
        v["content_hashes"].as_array_mut().unwrap().push(first);
    });
    assert!(has(&fields, "content_hashes.8", "content.duplicate"));
    // One language only is fine.
    let key = test_key();
    let form = seed_form();
    let signed_at = SignedAt::parse(SIGNED_AT).unwrap();
    let p = ConsentPayload::new(PayloadParts {
        previews: &preview(&form, signed_at.date()),
        form,
        langs: vec![Lang::En],
        signature_image: SignatureImage::Typed {
            text: "刘志强".into(),
        },
        signed_at,
        idempotency_id: ID.into(),
        public_key: Jwk::from_verifying_key(key.verifying_key()),
    });
    assert_eq!(p.content_hashes.len(), 4);
    assert!(verify_and_check(sign(&p, &key).as_bytes(), now()).is_ok());
}

// ------------------------------------------------------------------------------------------
// Agreement versions: v2 is signed now, v1 (still in outboxes) is accepted with its own texts

/// A payload as the app of agreement v1 built it: v1's content hashes and consent wordings.
fn as_v1(v: &mut Value) {
    use qianyue_domain::content::{PartId, V1};
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

#[test]
fn versions_new_payloads_name_v2_and_its_hashes() {
    let p = payload_with(seed_form(), ID, &test_key());
    assert_eq!(p.agreement.version, "v2");
    let privacy_en = p
        .content_hashes
        .iter()
        .find(|h| h.part.hook() == "privacy" && h.lang == Lang::En)
        .unwrap();
    assert_eq!(
        privacy_en.sha256,
        "1f8d2ac88f4e8ddf8419a3b41cc162ebe795bb63a3fb94874fc0ee31880c7ad9"
    );
}

#[test]
fn versions_v1_payload_with_v1_texts_is_accepted() {
    let key = test_key();
    let mut v = serde_json::to_value(payload_with(seed_form(), ID, &key)).unwrap();
    as_v1(&mut v);
    let (verified, _) = verify_and_check(sign_value(&v, &key).as_bytes(), now())
        .unwrap_or_else(|r| panic!("{}: {:?}", r.code(), r.fields));
    assert_eq!(verified.payload.agreement.version, "v1");
    // One language only, as a v1 app in English would have sent.
    let list = v["content_hashes"].as_array_mut().unwrap();
    list.retain(|h| h["lang"] == "en");
    assert!(verify_and_check(sign_value(&v, &key).as_bytes(), now()).is_ok());
}

#[test]
fn versions_a_consent_must_name_the_texts_of_its_own_version() {
    // v1 named with v2's corrected English of part B: refused at that hash.
    let (code, fields) = rejected(|v| {
        let v2_privacy_en = v["content_hashes"][3]["sha256"].clone();
        as_v1(v);
        assert_eq!(v["content_hashes"][3]["part"], "privacy");
        v["content_hashes"][3]["sha256"] = v2_privacy_en;
    });
    assert_eq!(code, "content.hash_mismatch");
    assert_eq!(
        fields,
        [(
            String::from("content_hashes.3.sha256"),
            String::from("content.hash_mismatch")
        )]
    );
    // v2 named with v1's English of part C: refused likewise.
    let (code, fields) = rejected(|v| {
        let mut old = v.clone();
        as_v1(&mut old);
        assert_eq!(v["content_hashes"][5]["part"], "service");
        v["content_hashes"][5]["sha256"] = old["content_hashes"][5]["sha256"].clone();
    });
    assert_eq!(code, "content.hash_mismatch");
    assert!(has(
        &fields,
        "content_hashes.5.sha256",
        "content.hash_mismatch"
    ));
}

#[test]
fn versions_v1_wording_hashes_are_the_ones_v1_signed() {
    // The wordings did not change in v2; v1 keeps its own constants whatever later versions do.
    for (id, hash) in V1_CONSENT_WORDING_SHA256 {
        assert_eq!(id.wording_sha256_in("v1").as_deref(), Some(hash));
        assert_eq!(id.wording_sha256_in("v2"), Some(id.wording_sha256()));
        assert_eq!(id.wording_sha256_in("v3"), None);
    }
    let ids: Vec<ConsentId> = V1_CONSENT_WORDING_SHA256
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(ids, ConsentId::ALL);
    // The v1 vector, signed by the app of v1, carries exactly these hashes.
    let text = std::fs::read_to_string(fixture("payload-vector-v1.json")).unwrap();
    let envelope: Value = serde_json::from_str(&text).unwrap();
    for (i, (_, hash)) in V1_CONSENT_WORDING_SHA256.iter().enumerate() {
        assert_eq!(envelope["payload"]["consents"][i]["wording_sha256"], *hash);
    }
}

/// `fixtures/payload-vector-v1.json`: the worked example as it was signed on agreement v1
/// (docs/payload.md before v2), kept as a consent an outbox may still hold. It never changes.
#[test]
fn versions_the_v1_vector_still_verifies_and_passes() {
    let text = std::fs::read_to_string(fixture("payload-vector-v1.json")).unwrap();
    let verified = verify_envelope(text.trim_end().as_bytes()).expect("the v1 vector's signature");
    assert_eq!(verified.payload.agreement.version, "v1");
    assert_eq!(
        verified.payload_sha256,
        "53a03ee7548469b668b500ac41f70fb48c808a50f7e5782814e3393508a1869a"
    );
    if let Err(r) = check_payload(&verified.payload, now()) {
        panic!("the v1 vector is refused: {}: {:?}", r.code(), r.fields);
    }
}

#[test]
fn consents_are_checked() {
    let (code, fields) = rejected(|v| v["consents"][3]["given"] = json!(false));
    assert_eq!(code, "consent.missing");
    assert!(has(&fields, "consents.3.given", "consent.not_given"));
    let (_, fields) = rejected(|v| v["consents"][1]["wording_sha256"] = json!("ab".repeat(32)));
    assert!(has(
        &fields,
        "consents.1.wording_sha256",
        "consent.wording_mismatch"
    ));
    let (_, fields) = rejected(|v| {
        v["consents"].as_array_mut().unwrap().remove(3);
    });
    assert!(has(
        &fields,
        "consents.sensitive_personal_info",
        "consent.missing"
    ));
}

#[test]
fn signing_time_signature_image_and_id_are_checked() {
    let (code, _) = rejected(|v| v["signed_at"] = json!("2023-04-10T07:04:05Z"));
    assert_eq!(code, "signed_at.format");
    let (code, _) = rejected(|v| v["signed_at"] = json!("2023-04-10T16:10:05+08:00"));
    assert_eq!(code, "signed_at.future");
    // Within the clock skew is fine.
    let key = test_key();
    let mut v = serde_json::to_value(payload_with(seed_form(), ID, &key)).unwrap();
    v["signed_at"] = json!("2023-04-10T16:08:05+08:00");
    assert!(verify_and_check(sign_value(&v, &key).as_bytes(), now()).is_ok());

    let (code, _) = rejected(|v| v["idempotency_id"] = json!("not-a-uuid"));
    assert_eq!(code, "idempotency_id.format");
    let (code, _) = rejected(|v| {
        v["signature_image"] =
            json!({"kind": "strokes", "width": 400, "height": 160, "strokes": []})
    });
    assert_eq!(code, "signature_image.empty");
    let (code, _) = rejected(|v| v["signature_image"] = json!({"kind": "typed", "text": "王建国"}));
    assert_eq!(code, "signature_image.typed_name");
    let (code, _) = rejected(|v| v["signature_image"] = json!({"kind": "png", "data": ""}));
    assert_eq!(code, "payload.shape");
}

#[test]
fn a_typed_signature_is_the_representatives_name_in_any_case_and_spacing() {
    let typed = |text: &str| SignatureImage::Typed { text: text.into() };
    assert_eq!(typed("李 明").check_for("李 明"), Ok(()));
    assert_eq!(typed("  li   MING ").check_for("Li Ming"), Ok(()));
    assert_eq!(
        typed("王建国").check_for("李明"),
        Err(PayloadRule::TypedSignatureName)
    );
    // The image's own rules come first: one character is not a name.
    assert_eq!(
        typed("李").check_for("李"),
        Err(PayloadRule::TypedSignatureName)
    );
    let dot = SignatureImage::Strokes {
        width: 400,
        height: 160,
        strokes: vec![vec![[10, 10]]],
    };
    assert_eq!(
        dot.check_for("李明"),
        Err(PayloadRule::SignatureImageTrivial)
    );
}

#[test]
fn the_form_is_re_validated_on_the_signing_date() {
    // A wrong USCC check character.
    let (code, fields) = rejected(|v| {
        v["form"]["customer"]["cert_number"] = json!("91440300758613572H");
    });
    assert_eq!(code, "form.invalid");
    assert!(fields.iter().any(|(p, _)| p == "customer.cert_number"));
    // A signing date after the day of signing: not the day of signing (security review M1).
    let (code, fields) = rejected(|v| v["form"]["signing"]["date"] = json!("2023-04-11"));
    assert_eq!(code, "signing.date_not_signing_day");
    assert_eq!(
        fields,
        [("signing.date".into(), "signing.date_not_signing_day".into())]
    );
    // A form not in the model's serialized shape (a member left out).
    let (code, _) = rejected(|v| {
        v["form"].as_object_mut().unwrap().remove("late");
    });
    assert_eq!(code, "form.not_canonical");
}

/// Security review M1: the signing date is the day of signing, so an authorisation that has
/// ended cannot be signed under by writing an earlier date.
#[test]
fn the_signing_date_is_the_day_of_signing() {
    // Back-dated by a day (signed_at is 2023-04-10T15:04:05+08:00).
    let (code, fields) = rejected(|v| v["form"]["signing"]["date"] = json!("2023-04-09"));
    assert_eq!(code, "signing.date_not_signing_day");
    assert!(has(&fields, "signing.date", "signing.date_not_signing_day"));
    // An authorisation that ended before the day of signing: written honestly, the form is
    // refused on that day; back-dated into the period, the date is refused.
    let (code, fields) = rejected(|v| {
        v["form"]["agent"]["valid_from"] = json!("2023-01-01");
        v["form"]["agent"]["valid_to"] = json!("2023-03-31");
    });
    assert_eq!(code, "form.invalid");
    assert!(has(
        &fields,
        "signing.date",
        "cross.signing_outside_authorisation"
    ));
    let (code, _) = rejected(|v| {
        v["form"]["agent"]["valid_from"] = json!("2023-01-01");
        v["form"]["agent"]["valid_to"] = json!("2023-03-31");
        v["form"]["signing"]["date"] = json!("2023-03-31");
    });
    assert_eq!(code, "signing.date_not_signing_day");
    // The day in China Standard Time: 2023-04-10T00:00:00+08:00 is still 04-09 in UTC.
    let key = test_key();
    let mut v = serde_json::to_value(payload_with(seed_form(), ID, &key)).unwrap();
    v["signed_at"] = json!("2023-04-10T00:00:00+08:00");
    assert!(verify_and_check(sign_value(&v, &key).as_bytes(), now()).is_ok());
    v["signed_at"] = json!("2023-04-09T23:59:59+08:00");
    let r = verify_and_check(sign_value(&v, &key).as_bytes(), now()).unwrap_err();
    assert_eq!(r.code(), "signing.date_not_signing_day");
}

/// The receiver's offline allowance: `signed_at` at most that many days before its clock.
#[test]
fn a_signed_at_older_than_the_offline_allowance_is_refused() {
    let key = test_key();
    let payload = payload_with(seed_form(), ID, &key);
    let signed = SignedAt::parse(SIGNED_AT).unwrap().unix_seconds();
    let day = 86_400;
    let days = DEFAULT_OFFLINE_ALLOWANCE_DAYS;
    assert_eq!(days, 30);
    // Exactly 30 days after signing: still accepted; one second more: refused.
    let edge = signed + i64::from(days) * day;
    assert!(check_signing_time(&payload, edge, days).is_ok());
    let r = check_signing_time(&payload, edge + 1, days).unwrap_err();
    assert_eq!(r.code(), "signed_at.too_old");
    assert_eq!(r.fields[0].path, "signed_at");
    // Another allowance is another bound.
    assert!(check_offline_allowance(&payload, signed + 7 * day, 7).is_ok());
    assert!(check_offline_allowance(&payload, signed + 8 * day, 7).is_err());
    // Signed later than the receiver's clock is check_payload's (signed_at.future), not this.
    assert!(check_offline_allowance(&payload, signed - day, 7).is_ok());
}

#[test]
fn shown_previews_must_be_the_recomputed_ones() {
    let (code, fields) = rejected(|v| {
        let p = &mut v["previews"]["orders.0.penalty"];
        *p = json!(p.as_i64().unwrap() - 1);
    });
    assert_eq!(code, "preview.mismatch");
    assert!(has(
        &fields,
        "previews.orders.0.penalty",
        "preview.mismatch"
    ));
    let (_, fields) = rejected(|v| v["previews"]["orders.5.penalty"] = json!(1));
    assert!(has(
        &fields,
        "previews.orders.5.penalty",
        "preview.not_computable"
    ));
    let (_, fields) = rejected(|v| v["previews"]["orders.0.final_bill_due"] = json!("2023-06-16"));
    assert!(has(
        &fields,
        "previews.orders.0.final_bill_due",
        "preview.mismatch"
    ));
    // Showing fewer figures is allowed: the payload names what was shown.
    let key = test_key();
    let mut v = serde_json::to_value(payload_with(seed_form(), ID, &key)).unwrap();
    v["previews"].as_object_mut().unwrap().remove("late.fee");
    assert!(verify_and_check(sign_value(&v, &key).as_bytes(), now()).is_ok());
}

#[test]
fn every_rule_has_a_code_and_two_messages() {
    let mut codes = Vec::new();
    for r in EnvelopeRule::ALL {
        codes.push(r.code());
        assert!(!r.message_zh().is_empty() && !r.message_en().is_empty());
    }
    for r in PayloadRule::ALL {
        codes.push(r.code());
        assert!(!r.message_zh().is_empty() && !r.message_en().is_empty());
    }
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), codes.len());
}

// ------------------------------------------------------------------------------------------
// The checked-in vector (written by `cargo xtask vector`)

/// `4600` → `"4,600"`, as the docs write byte counts.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_checked_in_vector_verifies() {
    let text = std::fs::read_to_string(fixture("payload-vector.json")).unwrap();
    let verified = verify_envelope(text.trim_end().as_bytes()).expect("the vector's signature");
    assert_eq!(verified.payload.idempotency_id, VECTOR_ID);
    assert_eq!(
        verified.payload.public_key,
        Jwk::from_verifying_key(test_key().verifying_key())
    );
    if let Err(r) = check_payload(&verified.payload, now()) {
        panic!(
            "the vector no longer passes the checks ({}: {:?}); if the agreement's content \
             changed, write it again (see this file's header)",
            r.code(),
            r.fields
        );
    }
    // RFC 6979 signatures are deterministic: the file is what `cargo xtask vector` writes.
    assert_eq!(text.trim_end(), vector_envelope());
    // docs/payload.md's worked example quotes the vector's signature and payload hash.
    let docs = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/payload.md"),
    )
    .unwrap();
    let signature: Value = serde_json::from_str(&text).unwrap();
    for fact in [
        signature["signature"].as_str().unwrap().to_owned(),
        verified.payload_sha256.clone(),
        format!("{} bytes", thousands(verified.canonical.len())),
    ] {
        assert!(
            docs.contains(&fact),
            "docs/payload.md does not quote {fact}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// Receipts

#[test]
fn receipts_verify_with_the_published_key_only() {
    use ed25519_dalek::Signer as _;
    let key = test_key();
    let payload = payload_with(seed_form(), ID, &key);
    let verified = verify_envelope(sign(&payload, &key).as_bytes()).unwrap();
    let receiver = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let published = ReceiverKey::ed25519(receiver.verifying_key().as_bytes());
    let received_at = SignedAt::parse("2023-04-10T15:04:06+08:00").unwrap();
    let receipt = Receipt::for_payload(&verified, received_at, &published.kid);
    let signature = receiver.sign(&receipt.signing_bytes()).to_bytes();
    let body = receipt.envelope_json(&signature);

    let keys = [published.clone()];
    let back = verify_receipt(body.as_bytes(), &keys).unwrap();
    assert_eq!(back, receipt);
    assert!(back.is_for(&payload));
    assert_eq!(back.payload_sha256, verified.payload_sha256);
    // The body is canonical JSON and the kid is the RFC 7638 thumbprint (43 characters).
    let v = parse_strict(body.as_bytes()).unwrap();
    assert_eq!(canonical_bytes(&v).unwrap(), body.as_bytes());
    assert_eq!(published.kid.len(), 43);

    // Another payload, a changed byte, another key: refused.
    let other = payload_with(seed_form(), "8a0c1f36-2d4b-4e8a-9f1c-3b5d7e9a1c2e", &key);
    assert!(!back.is_for(&other));
    let tampered = body.replace("15:04:06", "15:04:07");
    assert_eq!(
        verify_receipt(tampered.as_bytes(), &keys),
        Err(ReceiptError::BadSignature)
    );
    // The signature alone, as the app checks it where WebCrypto lacks Ed25519.
    let public = receiver.verifying_key().to_bytes();
    let bytes = receipt.signing_bytes();
    assert!(ed25519_verifies(&public, &signature, &bytes));
    let mut changed = bytes.clone();
    changed[10] ^= 1;
    assert!(!ed25519_verifies(&public, &signature, &changed));
    let other_key = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]).verifying_key();
    assert!(!ed25519_verifies(&other_key.to_bytes(), &signature, &bytes));
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
    let stranger_key = ReceiverKey::ed25519(stranger.verifying_key().as_bytes());
    assert_eq!(
        verify_receipt(body.as_bytes(), &[stranger_key]),
        Err(ReceiptError::UnknownKey)
    );
    assert_eq!(
        verify_receipt(b"{\"receipt\":{}}", &keys),
        Err(ReceiptError::Shape)
    );
}

// ------------------------------------------------------------------------------------------
// Working-day figures and the calendar they used (qianyue-consent/1.1)

/// Signed on 2026-12-11: the reply-by date (15 working days, privacy policy 四(二)(三)) reaches
/// into 2027, which has no State Council notice here, so it is counted provisionally.
const SIGNED_DEC: &str = "2026-12-11T10:00:00+08:00";

fn december_payload(key: &SigningKey) -> ConsentPayload {
    let mut form = seed_form();
    form.signing.date = "2026-12-11".into();
    form.agent.valid_from = "2026-12-01".into();
    form.agent.valid_to = "2027-06-30".into();
    let signed_at = SignedAt::parse(SIGNED_DEC).unwrap();
    let previews = preview(&form, signed_at.date());
    payload_showing(form, &previews, signed_at, ID, drawn_signature(), key)
}

fn december_now() -> i64 {
    SignedAt::parse(SIGNED_DEC).unwrap().unix_seconds() + 3600
}

/// The 2027 notice as it might come: New Year 01-01..01-04 (Friday to Monday) and Saturday
/// 01-09 a working day, which moves the reply-by date of a request made on 2026-12-11.
const OFFICIAL_2027: &str = "year 2027\nnotice 国办发明电〔2026〕1号\ndated 2026-12-20\n\
    holiday 元旦 2027-01-01 2027-01-04\nworkday 2027-01-09\n";

fn with_official_2027() -> Calendars {
    Calendars::shipped()
        .clone()
        .with_notice(parse_notice("2027.txt", OFFICIAL_2027).unwrap())
        .unwrap()
}

#[test]
fn a_provisional_reply_by_still_verifies_after_the_official_calendar_is_added() {
    let key = test_key();
    let payload = december_payload(&key);
    // 2026-12-11 (Fri) + 15 working days: 12-14..18 (5), 21..25 (10), 28..31 (14),
    // 2027-01-01 元旦 (provisional), 01-04 (15).
    assert_eq!(
        payload.previews.get("privacy.reply_by"),
        Some(&ShownValue::Text("2027-01-04".into()))
    );
    assert_eq!(payload.format, FORMAT_1_1);
    let recorded = serde_json::to_value(&payload.calendars).unwrap();
    assert_eq!(
        recorded,
        json!({"privacy.reply_by": {
            "2026": {"basis": "official", "notice": "国办发明电〔2025〕7号"},
            "2027": {"basis": "provisional"}
        }})
    );
    let body = sign(&payload, &key);
    let (verified, checked) = verify_and_check(body.as_bytes(), december_now())
        .unwrap_or_else(|r| panic!("{}: {:?}", r.code(), r.fields));
    assert_eq!(
        checked.previews.get("privacy.reply_by"),
        Some(&qianyue_domain::preview::PreviewValue::Date(
            Date::parse_iso("2027-01-04").unwrap()
        ))
    );

    // The receiver gets the 2027 notice: on it the date would be 01-05 (01-04 a holiday) …
    let updated = with_official_2027();
    let now_official =
        qianyue_domain::clauses::reply_by_counted(Date::parse_iso("2026-12-11").unwrap(), &updated)
            .unwrap();
    assert_eq!(now_official.date, Date::parse_iso("2027-01-05").unwrap());
    // … yet the payload is judged on the calendar it recorded, and still passes.
    assert_eq!(
        check_working_day_figures(&verified.payload, &updated),
        vec![]
    );
    // Judged on today's calendar instead, it would not (this is what the record prevents).
    let mut unrecorded = verified.payload.clone();
    unrecorded
        .calendars
        .get_mut("privacy.reply_by")
        .unwrap()
        .insert(
            2027,
            CalendarBasis::Official {
                notice: "国办发明电〔2026〕1号".into(),
            },
        );
    let errors = check_working_day_figures(&unrecorded, &updated);
    let codes: Vec<&str> = errors.iter().map(|e| e.code()).collect();
    assert_eq!(codes, ["preview.mismatch"]);
}

#[test]
fn official_claimed_for_a_year_without_a_notice_is_refused_with_its_own_code() {
    let key = test_key();
    let payload = december_payload(&key);
    let mut v = serde_json::to_value(&payload).unwrap();
    v["calendars"]["privacy.reply_by"]["2027"] =
        json!({"basis": "official", "notice": "国办发明电〔2026〕1号"});
    let body = sign_value(&v, &key);
    let r = verify_and_check(body.as_bytes(), december_now()).unwrap_err();
    assert_eq!(r.code(), "calendar.notice_unknown");
    assert!(r
        .fields
        .iter()
        .any(|f| f.path == "calendars.privacy.reply_by" && f.code() == "calendar.notice_unknown"));
    // A receiver that has that notice accepts the same claim (date 01-05 on it).
    let mut claimed: ConsentPayload = serde_json::from_value(v).unwrap();
    claimed.previews.insert(
        "privacy.reply_by".into(),
        ShownValue::Text("2027-01-05".into()),
    );
    assert_eq!(
        check_working_day_figures(&claimed, &with_official_2027()),
        vec![]
    );
    // Another document number for 2026 than the shipped notice's: refused the same way.
    let mut v = serde_json::to_value(&payload).unwrap();
    v["calendars"]["privacy.reply_by"]["2026"]["notice"] = json!("国办发明电〔2025〕8号");
    let r = verify_and_check(sign_value(&v, &key).as_bytes(), december_now()).unwrap_err();
    assert_eq!(r.code(), "calendar.notice_unknown");
}

#[test]
fn the_recorded_calendars_must_match_the_figure() {
    let key = test_key();
    let check = |edit: &dyn Fn(&mut Value)| {
        let mut v = serde_json::to_value(december_payload(&key)).unwrap();
        edit(&mut v);
        verify_and_check(sign_value(&v, &key).as_bytes(), december_now())
            .map(|_| ())
            .map_err(|r| r.code().to_owned())
    };
    assert_eq!(check(&|_| {}), Ok(()));
    // A year the count reaches left out; a year it never reaches added.
    let left_out = |v: &mut Value| {
        v["calendars"]["privacy.reply_by"]
            .as_object_mut()
            .unwrap()
            .remove("2027");
    };
    assert_eq!(check(&left_out), Err("calendar.mismatch".into()));
    let added = |v: &mut Value| {
        v["calendars"]["privacy.reply_by"]["2028"] = json!({"basis": "provisional"})
    };
    assert_eq!(check(&added), Err("calendar.mismatch".into()));
    // A provisional year this receiver has no table for.
    let far = |v: &mut Value| {
        v["calendars"]["privacy.reply_by"]["2026"] = json!({"basis": "provisional"})
    };
    assert_eq!(check(&far), Err("calendar.provisional_unknown".into()));
    // No record for a figure shown in a 1.1 payload; a record for a figure not counted in
    // working days.
    let none = |v: &mut Value| {
        v["calendars"]
            .as_object_mut()
            .unwrap()
            .remove("privacy.reply_by");
        v["calendars"]["orders.0.penalty"] = json!({"2026": {"basis": "provisional"}});
    };
    assert_eq!(check(&none), Err("calendar.mismatch".into()));
    // The figure left out of the previews, its record kept: allowed, as leaving a figure out is.
    let left = |v: &mut Value| {
        v["previews"]
            .as_object_mut()
            .unwrap()
            .remove("privacy.reply_by");
    };
    assert_eq!(check(&left), Ok(()));
    // The old format carries no calendars; with them it is not the old format.
    let old_with = |v: &mut Value| v["format"] = json!("qianyue-consent/1");
    assert_eq!(check(&old_with), Err("payload.format".into()));
    // The old format without them: judged on today's calendars, exactly as before.
    let old = |v: &mut Value| {
        v["format"] = json!("qianyue-consent/1");
        v.as_object_mut().unwrap().remove("calendars");
    };
    assert_eq!(check(&old), Ok(()));
}

// ------------------------------------------------------------------------------------------
// qianyue-consent/2 (issue 17): a consent for a signing request

const REQUEST_ID: &str = "9c5b94b1-35ad-49bb-b118-8e8fc24663ab";

fn identity() -> qianyue_domain::identity::Identity {
    qianyue_domain::identity::Identity::sms(
        "138****8000",
        SignedAt::parse("2023-04-10T15:00:00+08:00").unwrap(),
    )
}

/// docs/payload.md "Version 2": 1.1's members plus `request` and `identity`, both signed.
#[test]
fn a_v2_payload_names_its_request_and_identity_and_passes_the_checks() {
    let key = test_key();
    let payload = payload_with(seed_form(), ID, &key).for_request(REQUEST_ID, identity());
    assert_eq!(payload.format, FORMAT_2);
    let body = sign(&payload, &key);
    assert!(body.contains(
        "\"identity\":{\"method\":\"sms\",\"mobile\":\"138****8000\",\
         \"verified_at\":\"2023-04-10T15:00:00+08:00\"}"
    ));
    assert!(body.contains(&format!("\"request\":{{\"id\":\"{REQUEST_ID}\"}}")));
    let (verified, _) = verify_and_check(body.as_bytes(), now()).unwrap();
    assert_eq!(verified.payload, payload);
    assert!(verified.payload.is_for_request());
}

/// `/2` requires both members of their shape; `/1` and `/1.1` carry neither.
#[test]
fn v2_members_belong_to_v2_only() {
    let v2 = |edit: fn(&mut Value)| {
        move |v: &mut Value| {
            v["format"] = json!(FORMAT_2);
            v["request"] = json!({"id": REQUEST_ID});
            v["identity"] = serde_json::to_value(identity()).unwrap();
            edit(v);
        }
    };
    let (code, fields) = rejected(v2(|v| {
        v.as_object_mut().unwrap().remove("identity");
    }));
    assert_eq!(code, "payload.format");
    assert!(has(&fields, "identity", "payload.format"), "{fields:?}");
    let (_, fields) = rejected(v2(|v| v["request"]["id"] = json!("not-a-uuid")));
    assert!(has(&fields, "request.id", "payload.format"), "{fields:?}");
    let (_, fields) = rejected(v2(|v| {
        v["identity"]["mobile"] = json!("13800138000");
        v["identity"]["method"] = json!("password");
    }));
    assert!(
        has(&fields, "identity.mobile", "payload.format"),
        "{fields:?}"
    );
    assert!(
        has(&fields, "identity.method", "payload.format"),
        "{fields:?}"
    );
    let (code, fields) = rejected(|v| v["request"] = json!({"id": REQUEST_ID}));
    assert_eq!(code, "payload.format");
    assert!(has(&fields, "request", "payload.format"), "{fields:?}");
    // An unknown member inside them is not read at all.
    let key = test_key();
    let mut v = serde_json::to_value(payload_with(seed_form(), ID, &key)).unwrap();
    v2(|v| v["identity"]["extra"] = json!(1))(&mut v);
    assert!(verify_envelope(sign_value(&v, &key).as_bytes()).is_err());
}
