//! Verifying an envelope: parse, canonicalize, check the ES256 signature.

use super::*;

/// A payload whose signature verified.
#[derive(Debug, Clone)]
pub struct VerifiedPayload {
    pub payload: ConsentPayload,
    /// The payload exactly as received (before typed reading): what was canonicalized.
    pub value: Value,
    /// The RFC 8785 bytes the signature covers.
    pub canonical: Vec<u8>,
    /// SHA-256 (lower-case hex) of [`VerifiedPayload::canonical`]: names the signed content.
    pub payload_sha256: String,
    /// The 64-byte r‖s signature.
    pub signature: [u8; 64],
    /// RFC 7638 thumbprint of the signer's key.
    pub key_thumbprint: String,
    /// A witnessed payload ([`FORMAT_3`]): the RFC 7638 thumbprint of the device key whose
    /// `witness_signature` verified too.
    pub witness_key_thumbprint: Option<String>,
}

/// The ES256 primitive: does `signature` (64 bytes r‖s) verify `message` (SHA-256, ECDSA
/// P-256) under the public key `point` (65 bytes, uncompressed SEC1: `04 ‖ x ‖ y`)? Both `s`
/// and `n − s` must verify. [`verify_es256`] is the portable implementation; a server may pass
/// a faster one to [`verify_envelope_with`] (the receiver's tests check that the two agree).
pub type Es256Verifier = fn(point: &[u8; 65], message: &[u8], signature: &[u8; 64]) -> bool;

/// [`Es256Verifier`] with RustCrypto's `p256` (pure Rust; builds for wasm32).
pub fn verify_es256(point: &[u8; 65], message: &[u8], signature: &[u8; 64]) -> bool {
    let (Ok(key), Ok(sig)) = (
        VerifyingKey::from_sec1_bytes(point),
        Signature::from_slice(signature),
    ) else {
        return false;
    };
    key.verify(message, &sig).is_ok()
}

/// Parses an envelope, canonicalizes its payload exactly as received, and verifies the ES256
/// signature with the JWK in `payload.public_key`; then reads the payload's structure.
pub fn verify_envelope(bytes: &[u8]) -> Result<VerifiedPayload, PayloadError> {
    verify_envelope_with(bytes, verify_es256)
}

/// [`verify_envelope`] with another implementation of the ES256 primitive.
pub fn verify_envelope_with(
    bytes: &[u8],
    verify: Es256Verifier,
) -> Result<VerifiedPayload, PayloadError> {
    if let Some(fast) = verify_canonical_envelope(bytes, verify) {
        return fast;
    }
    let value = parse_strict(bytes)?;
    let Value::Object(mut envelope) = value else {
        return Err(PayloadError::new(EnvelopeRule::Shape, ""));
    };
    // A third member only for a witnessed payload: the device's signature.
    let witness_signature = match envelope.remove("witness_signature") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(PayloadError::new(
                EnvelopeRule::SignatureEncoding,
                "witness_signature",
            ))
        }
    };
    if envelope.len() != 2 {
        return Err(PayloadError::new(EnvelopeRule::Shape, ""));
    }
    let (Some(payload), Some(signature)) =
        (envelope.remove("payload"), envelope.remove("signature"))
    else {
        return Err(PayloadError::new(EnvelopeRule::Shape, ""));
    };
    let Value::String(signature) = signature else {
        return Err(PayloadError::new(
            EnvelopeRule::SignatureEncoding,
            "signature",
        ));
    };
    if !payload.is_object() {
        return Err(PayloadError::new(EnvelopeRule::Shape, "payload"));
    }
    let signature: [u8; 64] = base64url::decode_array(signature)
        .ok_or_else(|| PayloadError::new(EnvelopeRule::SignatureEncoding, "signature"))?;
    let canonical = canonical_bytes(&payload).map_err(|e| PayloadError {
        rule: e.rule,
        path: report_path(&e.path),
        detail: None,
    })?;
    let jwk: Jwk = payload
        .get("public_key")
        .ok_or_else(|| PayloadError::new(EnvelopeRule::PublicKey, "public_key"))
        .and_then(|v| {
            Jwk::deserialize(v)
                .map_err(|_| PayloadError::new(EnvelopeRule::PublicKey, "public_key"))
        })?;
    let point = jwk.sec1_point()?;
    if !verify(&point, &canonical, &signature) {
        return Err(PayloadError::new(
            EnvelopeRule::SignatureMismatch,
            "signature",
        ));
    }
    let typed = ConsentPayload::deserialize(&payload).map_err(|e| PayloadError {
        rule: EnvelopeRule::PayloadShape,
        path: String::new(),
        detail: Some(e.to_string()),
    })?;
    let witness_key_thumbprint =
        verify_witness(&typed, witness_signature.as_deref(), &canonical, verify)?;
    Ok(VerifiedPayload {
        witness_key_thumbprint,
        payload: typed,
        payload_sha256: content::sha256_hex(&canonical),
        value: payload,
        canonical,
        signature,
        key_thumbprint: jwk.thumbprint(),
    })
}

/// The envelope as the app sends it, cut apart without parsing: `{"payload":P,"signature":"S"}`,
/// or with `,"witness_signature":"W"` after it (the canonical member order), as `(P, S, W)`;
/// `None` for any other layout. Neither signature can hold a quote (base64url), and inside P the
/// text `,"signature":"` could only be a member of a nested object, so the last one is the
/// envelope's. What P, S and W are is checked by the caller.
fn cut_canonical_envelope(text: &str) -> Option<(&str, &str, Option<&str>)> {
    const SIGNATURE: &str = ",\"signature\":\"";
    let rest = text.strip_prefix("{\"payload\":")?.strip_suffix("\"}")?;
    let at = rest.rfind(SIGNATURE)?;
    let (payload, tail) = (&rest[..at], &rest[at + SIGNATURE.len()..]);
    Some(match tail.split_once("\",\"witness_signature\":\"") {
        Some((signature, witness)) => (payload, signature, Some(witness)),
        None => (payload, tail, None),
    })
}

/// The common case, read once: a payload sent in its canonical form (as the app and
/// [`ConsentPayload::envelope_json`] send it) is read straight into [`ConsentPayload`] and
/// written back canonically; if that gives the received bytes again, they are what was signed.
/// `None` when the bytes are anything else (another member order, spacing, escapes, unknown
/// members, a duplicate key, bad JSON, in the envelope or in the payload): the general path then
/// decides, with its own codes.
/// What is accepted is the same either way; only the work differs.
fn verify_canonical_envelope(
    bytes: &[u8],
    verify: Es256Verifier,
) -> Option<Result<VerifiedPayload, PayloadError>> {
    let text = core::str::from_utf8(bytes).ok()?;
    let (received, signature, witness_signature) = cut_canonical_envelope(text)?;
    let typed: ConsentPayload = serde_json::from_str(received).ok()?;
    let received = received.as_bytes();
    let value = typed.to_value();
    let canonical = canonical_bytes(&value).ok()?;
    if canonical != received {
        return None;
    }
    let signature: [u8; 64] = base64url::decode_array(signature)?;
    let point = match typed.public_key.sec1_point() {
        Ok(p) => p,
        Err(_) => return None,
    };
    if !verify(&point, &canonical, &signature) {
        return Some(Err(PayloadError::new(
            EnvelopeRule::SignatureMismatch,
            "signature",
        )));
    }
    let witness_key_thumbprint = match verify_witness(&typed, witness_signature, &canonical, verify)
    {
        Ok(t) => t,
        Err(e) => return Some(Err(e)),
    };
    Some(Ok(VerifiedPayload {
        witness_key_thumbprint,
        payload_sha256: content::sha256_hex(&canonical),
        key_thumbprint: typed.public_key.thumbprint(),
        payload: typed,
        value,
        canonical,
        signature,
    }))
}

/// The device's signature of a witnessed payload ([`FORMAT_3`]): required there, verified
/// over the same canonical bytes with `payload.witness.device_key`; refused on any other
/// payload. The device key's thumbprint when it verified.
fn verify_witness(
    payload: &ConsentPayload,
    witness_signature: Option<&str>,
    canonical: &[u8],
    verify: Es256Verifier,
) -> Result<Option<String>, PayloadError> {
    let witness = payload.witness.as_ref().filter(|_| payload.is_witnessed());
    let (witness, signature) = match (witness, witness_signature) {
        (None, None) => return Ok(None),
        (None, Some(_)) => return Err(PayloadError::new(EnvelopeRule::Shape, "")),
        (Some(_), None) => {
            return Err(PayloadError::new(
                EnvelopeRule::SignatureEncoding,
                "witness_signature",
            ))
        }
        (Some(w), Some(s)) => (w, s),
    };
    let signature: [u8; 64] = base64url::decode_array(signature)
        .ok_or_else(|| PayloadError::new(EnvelopeRule::SignatureEncoding, "witness_signature"))?;
    let point = witness
        .device_key
        .sec1_point()
        .map_err(|_| PayloadError::new(EnvelopeRule::PublicKey, "witness.device_key"))?;
    if !verify(&point, canonical, &signature) {
        return Err(PayloadError::new(
            EnvelopeRule::SignatureMismatch,
            "witness_signature",
        ));
    }
    Ok(Some(witness.device_key.thumbprint()))
}

#[cfg(test)]
mod tests {
    use super::cut_canonical_envelope;

    #[test]
    fn the_apps_envelopes_are_cut_and_any_other_layout_is_left_to_the_general_path() {
        let payload = r#"{"a":{"signature":"x"},"b":",\"signature\":\""}"#;
        let plain = format!(r#"{{"payload":{payload},"signature":"AAA"}}"#);
        assert_eq!(cut_canonical_envelope(&plain), Some((payload, "AAA", None)));
        let witnessed =
            format!(r#"{{"payload":{payload},"signature":"AAA","witness_signature":"BBB"}}"#);
        assert_eq!(
            cut_canonical_envelope(&witnessed),
            Some((payload, "AAA", Some("BBB")))
        );
        for other in [
            format!(r#"{{"signature":"AAA","payload":{payload}}}"#),
            format!(r#"{{ "payload":{payload},"signature":"AAA"}}"#),
            format!(r#"{{"payload":{payload},"signature":"AAA"}} "#),
            format!(r#"{{"payload":{payload}}}"#),
        ] {
            assert_eq!(cut_canonical_envelope(&other), None, "{other}");
        }
    }
}
