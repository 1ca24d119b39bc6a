//! Receipts: what the receiver signs back.

use super::*;

/// The value of `receipt.format`.
pub const RECEIPT_FORMAT: &str = "qianyue-receipt/1";

/// What the receiver answers for a consent it has stored durably, signed with its Ed25519
/// key: `{"receipt": {…}, "signature": "<base64url of 64 bytes>"}`, the signature over the
/// RFC 8785 bytes of `receipt` (the same canonical form as the payload's).
///
/// Its JSON is written by [`Receipt::to_value`] (`write.rs`, beside the payload's writer) and
/// read by [`Receipt::read`], which serde's `Serialize` and `Deserialize` go through: written
/// out rather than derived, since the app checks every receipt and serde's readers and writers
/// of these shapes were about 14 KB of the signing step's code (docs/bytes.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// [`RECEIPT_FORMAT`].
    pub format: String,
    /// The payload's `idempotency_id`: the consent's name at the receiver.
    pub consent_id: String,
    /// SHA-256 (lower-case hex) of the payload's canonical bytes: what was stored.
    pub payload_sha256: String,
    pub agreement: AgreementRef,
    /// The payload's `signed_at`.
    pub signed_at: String,
    /// RFC 7638 thumbprint of the signer's key (`payload.public_key`).
    pub signer_key: String,
    /// When the receiver stored it, `YYYY-MM-DDTHH:MM:SS+08:00`.
    pub received_at: String,
    /// The `kid` of the receiver key that signed this receipt (see [`ReceiverKey`]).
    pub receiver_key: String,
}

/// The receiver's answer to an accepted consent, `{"receipt": {…}, "signature": "…"}`, as
/// read by the app and the outbox (checked with [`verify_receipt`] before it is believed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedReceipt {
    pub receipt: Receipt,
    /// base64url (no padding) of the 64-byte Ed25519 signature over the receipt's RFC 8785
    /// bytes.
    pub signature: String,
}

impl Receipt {
    /// The receipt for a verified payload, stored at `received_at` by the key `receiver_key`.
    pub fn for_payload(
        verified: &VerifiedPayload,
        received_at: SignedAt,
        receiver_key: &str,
    ) -> Receipt {
        let p = &verified.payload;
        Receipt {
            format: RECEIPT_FORMAT.into(),
            consent_id: p.idempotency_id.clone(),
            payload_sha256: verified.payload_sha256.clone(),
            agreement: p.agreement.clone(),
            signed_at: p.signed_at.clone(),
            signer_key: verified.key_thumbprint.clone(),
            received_at: received_at.to_string(),
            receiver_key: receiver_key.into(),
        }
    }

    /// A receipt read from [`Receipt::to_value`]'s shape: exactly those eight members, each of
    /// its type (`agreement` with exactly `id` and `version`); `None` for anything else.
    pub fn read(value: &Value) -> Option<Receipt> {
        let agreement = value.get("agreement")?;
        if value.as_object()?.len() != 8 || agreement.as_object()?.len() != 2 {
            return None;
        }
        let text = crate::json::string_member;
        Some(Receipt {
            format: text(value, "format")?,
            consent_id: text(value, "consent_id")?,
            payload_sha256: text(value, "payload_sha256")?,
            agreement: AgreementRef {
                id: text(agreement, "id")?,
                version: text(agreement, "version")?,
            },
            signed_at: text(value, "signed_at")?,
            signer_key: text(value, "signer_key")?,
            received_at: text(value, "received_at")?,
            receiver_key: text(value, "receiver_key")?,
        })
    }

    /// The bytes the receiver signs: the RFC 8785 form of the receipt.
    pub fn signing_bytes(&self) -> Vec<u8> {
        canonical_bytes(&self.to_value()).unwrap_or_default()
    }

    /// The receipt envelope, `{"receipt":…,"signature":"…"}`, in canonical form.
    pub fn envelope_json(&self, signature: &[u8; 64]) -> String {
        Receipt::envelope_of(&self.signing_bytes(), signature)
    }

    /// [`Receipt::envelope_json`] from the receipt's [`Receipt::signing_bytes`], when the caller
    /// has them already (it signed them).
    pub fn envelope_of(signing_bytes: &[u8], signature: &[u8; 64]) -> String {
        format!(
            "{{\"receipt\":{},\"signature\":\"{}\"}}",
            String::from_utf8_lossy(signing_bytes),
            base64url::encode(signature)
        )
    }

    /// Whether this receipt names `payload` (its id, and the hash of its canonical bytes).
    pub fn is_for(&self, payload: &ConsentPayload) -> bool {
        payload.signing_bytes().is_ok_and(|bytes| {
            self.consent_id == payload.idempotency_id
                && self.payload_sha256 == content::sha256_hex(&bytes)
        })
    }
}

/// One receiver key as `GET /api/keys` lists it: an Ed25519 public key as a JWK (RFC 8037)
/// with its `kid`, the RFC 7638 thumbprint (`{"crv":"Ed25519","kty":"OKP","x":…}`). Read by
/// [`ReceiverKey::read`], which serde's `Deserialize` goes through (as for [`Receipt`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiverKey {
    pub kty: String,
    pub crv: String,
    /// The 32-byte public key, base64url without padding.
    pub x: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
}

impl ReceiverKey {
    /// The JWK of an Ed25519 public key.
    pub fn ed25519(public_key: &[u8; 32]) -> ReceiverKey {
        let x = base64url::encode(public_key);
        let mut members = serde_json::Map::new();
        members.insert("crv".into(), Value::from("Ed25519"));
        members.insert("kty".into(), Value::from("OKP"));
        members.insert("x".into(), Value::from(x.clone()));
        let kid = {
            use sha2::{Digest, Sha256};
            let bytes = canonical_bytes(&Value::Object(members)).unwrap_or_default();
            base64url::encode(Sha256::digest(bytes))
        };
        ReceiverKey {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x,
            kid,
            alg: "EdDSA".into(),
            use_: "sig".into(),
        }
    }
}

/// The body of `GET /api/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiverKeys {
    pub keys: Vec<ReceiverKey>,
}

impl SignedReceipt {
    /// An answer read from its shape: an object with `receipt` ([`Receipt::read`]) and the
    /// string `signature`; other members are passed over (the check that takes the envelope
    /// as the receiver signs it, [`verify_receipt`], allows none). `None` for anything else.
    pub fn read(value: &Value) -> Option<SignedReceipt> {
        Some(SignedReceipt {
            receipt: Receipt::read(value.get("receipt")?)?,
            signature: crate::json::string_member(value, "signature")?,
        })
    }
}

impl ReceiverKey {
    /// A key read from its shape: an object with the strings `kty`, `crv`, `x`, `kid`, `alg`
    /// and `use`; other members are passed over. `None` for anything else.
    pub fn read(value: &Value) -> Option<ReceiverKey> {
        let text = |key: &str| crate::json::string_member(value, key);
        Some(ReceiverKey {
            kty: text("kty")?,
            crv: text("crv")?,
            x: text("x")?,
            kid: text("kid")?,
            alg: text("alg")?,
            use_: text("use")?,
        })
    }
}

impl ReceiverKeys {
    /// The body of `GET /api/keys` read: an object whose `keys` is a list of keys
    /// ([`ReceiverKey::read`], every one of them); other members are passed over.
    pub fn read(value: &Value) -> Option<ReceiverKeys> {
        let keys = value.as_object()?.get("keys")?.as_array()?;
        Some(ReceiverKeys {
            keys: keys.iter().map(ReceiverKey::read).collect::<Option<_>>()?,
        })
    }
}

/// serde's traits through the readers and the writer above: one definition of each shape.
macro_rules! deserialize_with_read {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                let value = Value::deserialize(d)?;
                <$t>::read(&value).ok_or_else(|| serde::de::Error::custom($what))
            }
        }
    )*};
}

deserialize_with_read! {
    Receipt => "not a receipt in the documented shape",
    SignedReceipt => "not a signed receipt in the documented shape",
    ReceiverKey => "not a receiver key in the documented shape",
    ReceiverKeys => "not a list of receiver keys in the documented shape",
}

impl Serialize for Receipt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

crate::rule_errors! {
    /// Why a receipt was not accepted by the app.
    pub enum ReceiptError {
        Shape => "receipt.shape", "回执格式不正确", "The receipt is not in the documented format";
        UnknownKey => "receipt.unknown_key", "回执由未知的密钥签名", "The receipt is signed by an unknown key";
        BadSignature => "receipt.signature", "回执签名无效", "The receipt's signature does not verify";
    }
}

/// Verifies a receipt envelope against the receiver's published keys (`GET /api/keys`):
/// strict JSON, the key named by `receipt.receiver_key`, an Ed25519 signature (RFC 8032,
/// strict verification) over the canonical receipt.
pub fn verify_receipt(body: &[u8], keys: &[ReceiverKey]) -> Result<Receipt, ReceiptError> {
    let Ok(Value::Object(mut envelope)) = parse_strict(body) else {
        return Err(ReceiptError::Shape);
    };
    let receipt = envelope.remove("receipt");
    let signature = envelope.remove("signature");
    let (Some(receipt), Some(Value::String(signature)), true) =
        (receipt, signature, envelope.is_empty())
    else {
        return Err(ReceiptError::Shape);
    };
    let typed = Receipt::read(&receipt).ok_or(ReceiptError::Shape)?;
    if typed.format != RECEIPT_FORMAT {
        return Err(ReceiptError::Shape);
    }
    let public = receipt_public_key(keys, &typed.receiver_key).ok_or(ReceiptError::UnknownKey)?;
    let key =
        ed25519_dalek::VerifyingKey::from_bytes(&public).map_err(|_| ReceiptError::UnknownKey)?;
    let sig = receipt_signature(&signature).ok_or(ReceiptError::BadSignature)?;
    key.verify_strict(
        &typed.signing_bytes(),
        &ed25519_dalek::Signature::from_bytes(&sig),
    )
    .map_err(|_| ReceiptError::BadSignature)?;
    Ok(typed)
}

/// The public key of the receiver's Ed25519 key named `kid` in `keys` (`GET /api/keys`), as a
/// receipt names it in `receipt.receiver_key`; `None` when no such key is listed or its `x` is
/// not 32 bytes of base64url.
pub fn receipt_public_key(keys: &[ReceiverKey], kid: &str) -> Option<[u8; 32]> {
    let key = keys
        .iter()
        .find(|k| k.kid == kid && k.kty == "OKP" && k.crv == "Ed25519")?;
    base64url::decode_array(&key.x)
}

/// A receipt envelope's `signature` (base64url) decoded; `None` unless it is 64 bytes.
pub fn receipt_signature(text: &str) -> Option<[u8; 64]> {
    base64url::decode_array(text)
}

/// Whether `signature` is `public_key`'s Ed25519 signature of `message`, checked as
/// [`verify_receipt`] checks a receipt's (RFC 8032, strict verification): for a caller that
/// has read the receipt and decoded its key and signature itself.
pub fn ed25519_verifies(public_key: &[u8; 32], signature: &[u8; 64], message: &[u8]) -> bool {
    ed25519_dalek::VerifyingKey::from_bytes(public_key).is_ok_and(|key| {
        key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok()
    })
}
