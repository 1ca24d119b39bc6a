//! The receipt check: a 2xx answer counts only if it carries a receipt (`{receipt, signature}`,
//! the domain's `payload::Receipt`) that names this consent (its id and the SHA-256 of its
//! canonical payload) and is signed by one of the receiver's published Ed25519 keys
//! (`GET …/keys` beside the endpoint). The signature is checked with WebCrypto's Ed25519 where
//! the browser has it (`crypto::verify_ed25519`), else as the domain's `verify_receipt` checks
//! it (ed25519-dalek), in a deferred part of its own (`verify_in_wasm`): a browser with
//! Ed25519 never fetches it.

use std::time::Duration;

use qianyue_domain::content::sha256_hex;
use qianyue_domain::delivery::REQUEST_TIMEOUT_MS;
use qianyue_domain::payload::{
    canonical_bytes, ed25519_verifies, parse_strict, receipt_public_key, receipt_signature,
    ReceiptError, ReceiverKey, ReceiverKeys, SignedReceipt, RECEIPT_FORMAT,
};
use serde_json::Value;

use super::record::{Problem, ProblemKind};
use crate::{api, crypto};

/// `…/consents` → `…/keys`: the receiver's published keys sit beside its endpoint.
pub fn keys_url(endpoint: &str) -> String {
    match endpoint.rsplit_once('/') {
        Some((base, _)) => format!("{base}/keys"),
        None => "keys".to_owned(),
    }
}

async fn fetch_keys(endpoint: &str) -> Result<Vec<ReceiverKey>, Problem> {
    let unusable = |detail: String| {
        let mut p = Problem::new(
            ProblemKind::Receipt,
            None,
            "receipt.keys_unavailable",
            "无法获取接收服务器的回执公钥，稍后自动重试。",
            "Could not fetch the receiver's receipt keys; it will be retried.",
        );
        p.message_en = format!("{} ({detail})", p.message_en);
        p
    };
    let timeout = Duration::from_millis(REQUEST_TIMEOUT_MS.into());
    let answer = api::request("GET", &keys_url(endpoint), None, Some(timeout))
        .await
        .map_err(unusable)?;
    if answer.status != 200 {
        return Err(unusable(format!("HTTP {}", answer.status)));
    }
    let value = api::read_json(&answer.body).ok_or_else(|| unusable("not JSON".into()))?;
    ReceiverKeys::read(&value)
        .map(|k| k.keys)
        .ok_or_else(|| unusable("not a list of keys".into()))
}

fn refused(rule: ReceiptError) -> Problem {
    Problem::rule(ProblemKind::Receipt, rule)
}

/// Checks a 2xx answer `body` to `envelope` (consent `id`): a receipt for this very consent,
/// signed by a published receiver key. `keys` are fetched once per pass, and again if the
/// receipt names one not (yet) listed. The receipt envelope on success.
pub(super) async fn check(
    id: &str,
    envelope: &str,
    body: &str,
    endpoint: &str,
    keys: &mut Option<Vec<ReceiverKey>>,
) -> Result<Value, Problem> {
    let shape = || refused(ReceiptError::Shape);
    let value = parse_strict(body.as_bytes()).map_err(|_| shape())?;
    let answer = SignedReceipt::read(&value).ok_or_else(shape)?;
    if answer.receipt.format != RECEIPT_FORMAT {
        return Err(shape());
    }
    // It must name this consent: its id and the hash of the bytes that were signed.
    let signed = parse_strict(envelope.as_bytes())
        .ok()
        .and_then(|v| v.get("payload").and_then(|p| canonical_bytes(p).ok()))
        .ok_or_else(shape)?;
    if answer.receipt.consent_id != id || answer.receipt.payload_sha256 != sha256_hex(&signed) {
        return Err(Problem::new(
            ProblemKind::Receipt,
            None,
            "receipt.other_consent",
            "回执不是这份签署的",
            "The receipt names another consent",
        ));
    }
    let known = |keys: &Option<Vec<ReceiverKey>>| {
        keys.as_ref()
            .is_some_and(|k| k.iter().any(|k| k.kid == answer.receipt.receiver_key))
    };
    if !known(keys) {
        *keys = Some(fetch_keys(endpoint).await?);
    }
    if !known(keys) {
        return Err(refused(ReceiptError::UnknownKey));
    }
    let list = keys.as_deref().unwrap_or_default();
    let verified = match signed_parts(&answer, list) {
        None => false,
        Some((public, signature, message)) => {
            match crypto::verify_ed25519(&public, &signature, &message).await {
                Some(ok) => ok,
                // No Ed25519 in this browser's WebCrypto: the domain crate checks it, and as
                // `verify_receipt` does, it takes an envelope of these two members only.
                None => {
                    let only_two = value.as_object().is_some_and(|members| members.len() == 2);
                    only_two
                        && verify_in_wasm(public, signature, message)
                            .await
                            .map_err(|_| {
                                Problem::network("the receipt check could not be loaded")
                            })?
                }
            }
        }
    };
    if verified {
        Ok(value)
    } else {
        Err(refused(ReceiptError::BadSignature))
    }
}

crate::deferred::deferred!(receipt;
    /// The receipt's signature checked by the domain crate (ed25519-dalek, SHA-512), for a
    /// browser whose WebCrypto lacks Ed25519.
    fn verify_in_wasm(public: [u8; 32], signature: [u8; 64], message: Vec<u8>) -> bool {
        ed25519_verifies(&public, &signature, &message)
    }
);

/// The receipt's key (an Ed25519 key of `keys` named by the receipt), signature and signed
/// bytes; `None` when there is no such key or either does not decode: no signature then
/// verifies.
fn signed_parts(
    answer: &SignedReceipt,
    keys: &[ReceiverKey],
) -> Option<([u8; 32], [u8; 64], Vec<u8>)> {
    let receipt = &answer.receipt;
    let public = receipt_public_key(keys, &receipt.receiver_key)?;
    let signature = receipt_signature(&answer.signature)?;
    Some((public, signature, receipt.signing_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sit_beside_the_endpoint() {
        assert_eq!(keys_url("/api/consents"), "/api/keys");
        assert_eq!(
            keys_url("https://r.example.com/api/consents"),
            "https://r.example.com/api/keys"
        );
    }
}
