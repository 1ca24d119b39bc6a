//! Receipts under rotated keys (issue 18, item 5): `GET /api/keys` lists the current key and
//! previous ones; a receipt is checked against the listed key its `receiver_key` (kid) names,
//! wherever it sits in the list, and only against that key.

use ed25519_dalek::Signer as _;
use qianyue_domain::payload::*;
use qianyue_domain::testing::{payload_with, seed_form, sign, test_key};

const ID: &str = "3b241101-e2bb-4255-8caf-4136c566a962";

/// A receipt of the seed consent signed by `signer`, naming the kid `named`.
fn receipt_by(signer: &ed25519_dalek::SigningKey, named: &str) -> String {
    let key = test_key();
    let payload = payload_with(seed_form(), ID, &key);
    let verified = verify_envelope(sign(&payload, &key).as_bytes()).unwrap();
    let received_at = SignedAt::parse("2023-04-10T15:04:06+08:00").unwrap();
    let receipt = Receipt::for_payload(&verified, received_at, named);
    let signature = signer.sign(&receipt.signing_bytes()).to_bytes();
    receipt.envelope_json(&signature)
}

fn jwk(key: &ed25519_dalek::SigningKey) -> ReceiverKey {
    ReceiverKey::ed25519(key.verifying_key().as_bytes())
}

#[test]
fn a_receipt_verifies_by_its_kid_not_by_the_first_key() {
    let current = ed25519_dalek::SigningKey::from_bytes(&[1u8; 32]);
    let previous = ed25519_dalek::SigningKey::from_bytes(&[2u8; 32]);
    let listed = [jwk(&current), jwk(&previous)];

    // Signed by the previous key, which is listed second: verifies.
    let old = receipt_by(&previous, &jwk(&previous).kid);
    let back = verify_receipt(old.as_bytes(), &listed).unwrap();
    assert_eq!(back.receiver_key, jwk(&previous).kid);
    // The order of the list does not matter.
    let reversed = [jwk(&previous), jwk(&current)];
    assert!(verify_receipt(old.as_bytes(), &reversed).is_ok());
    let new = receipt_by(&current, &jwk(&current).kid);
    assert!(verify_receipt(new.as_bytes(), &reversed).is_ok());

    // Signed by one listed key but naming another: the named key is the one checked.
    let misnamed = receipt_by(&previous, &jwk(&current).kid);
    assert_eq!(
        verify_receipt(misnamed.as_bytes(), &listed),
        Err(ReceiptError::BadSignature)
    );
    // The previous key no longer listed: its receipts name an unknown key.
    assert_eq!(
        verify_receipt(old.as_bytes(), &[jwk(&current)]),
        Err(ReceiptError::UnknownKey)
    );
}
