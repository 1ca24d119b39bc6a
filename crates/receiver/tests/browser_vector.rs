//! The envelope the browser signed in the end-to-end seed journey (WebCrypto, Chromium),
//! POSTed to the receiver over loopback: accepted, stored, and answered with a receipt that
//! verifies. `tests/e2e/signing.spec.ts` writes the file (`tests/e2e/artifacts/
//! browser-vector.json`, or `QIANYUE_BROWSER_VECTOR`), so this is ignored by default; `cargo
//! xtask test` runs it after the end-to-end step.

mod common;

use common::{Backend, Options, Receiver};
use qianyue_domain::payload::{verify_receipt, ConsentPayload, ReceiverKeys};

#[path = "../../domain/tests/support/browser_vector.rs"]
mod browser_vector_file;

#[test]
#[ignore = "needs the envelope written by the end-to-end seed journey"]
fn the_browser_signed_envelope_is_accepted() {
    let body = browser_vector_file::read();
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let resp = r.post_json(&body);
    assert_eq!(resp.status, 201, "{}", resp.text());
    let keys: ReceiverKeys = serde_json::from_slice(&r.get("/api/keys", &[]).body).unwrap();
    let receipt = verify_receipt(&resp.body, &keys.keys).expect("the receipt verifies");
    let envelope: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let payload: ConsentPayload = serde_json::from_value(envelope["payload"].clone()).unwrap();
    assert!(receipt.is_for(&payload));
    assert_eq!(r.stored_ids(), vec![payload.idempotency_id.clone()]);
    // Sent again (a retry): the same receipt.
    let again = r.post_json(&body);
    assert_eq!((again.status, again.body), (200, resp.body));
    r.assert_no_panic();
}
