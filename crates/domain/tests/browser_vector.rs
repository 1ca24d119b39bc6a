//! The envelope the browser signed and POSTed in the end-to-end seed journey
//! (`tests/e2e/signing.spec.ts` writes it to `tests/e2e/artifacts/browser-vector.json`),
//! verified with this crate: the WebCrypto P-256 signature over the RFC 8785 bytes, the form
//! re-validated, the figures shown recomputed, the consents' wording hashes, the content hashes.
//!
//! It needs that file, so it is ignored by default; `cargo xtask test` runs it after the
//! end-to-end step (`cargo test -p qianyue-domain --test browser_vector -- --ignored`).
//! `QIANYUE_BROWSER_VECTOR` names another file.

use qianyue_domain::payload::{verify_and_check, SignatureImage};

#[path = "support/browser_vector.rs"]
mod browser_vector_file;

#[test]
#[ignore = "needs the envelope written by the end-to-end seed journey"]
fn the_browser_signed_envelope_verifies_and_passes_every_rule() {
    let bytes = browser_vector_file::read();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64;
    let (verified, checked) = match verify_and_check(&bytes, now) {
        Ok(ok) => ok,
        Err(rejection) => panic!(
            "the browser's envelope was refused: {} {:?}",
            rejection.code(),
            rejection.fields
        ),
    };
    let payload = &verified.payload;
    assert_eq!(payload.form.customer.cert_number, "91440300758613572G");
    assert_eq!(payload.form.signing.representative, "刘志强");
    assert!(
        matches!(payload.signature_image, SignatureImage::Strokes { .. }),
        "the journey draws its signature"
    );
    // The figures the reader saw are the ones recomputed on the signing date.
    for (key, shown) in &payload.previews {
        let recomputed = checked.previews.get(key).expect("a recomputed figure");
        assert_eq!(
            qianyue_domain::payload::ShownValue::from(*recomputed),
            *shown,
            "{key}"
        );
    }
    assert_eq!(
        payload.previews.get("orders.0.penalty"),
        Some(&qianyue_domain::payload::ShownValue::Integer(960_000))
    );
    // The signature covers exactly the bytes as sent: one byte changed breaks it.
    let text = String::from_utf8(bytes).expect("UTF-8");
    let tampered = text.replacen("刘志强", "刘志刚", 1);
    assert!(verify_and_check(tampered.as_bytes(), now).is_err());
}
