//! `qianyue-consent/3` (issue 19): a consent signed for a signing request offline, on an
//! account manager's enrolled device, the signer's identity checked in person. `/2`'s members
//! with `witness` ([`crate::staff::Witness`]) in place of `identity` (no SMS code can be checked
//! without a network), and a second signature in the envelope:
//!
//! ```text
//! {"payload": {…}, "signature": "<signer, ES256>", "witness_signature": "<device, ES256>"}
//! ```
//!
//! Both signatures are over the same RFC 8785 bytes of the payload; the signer's key is
//! `payload.public_key` as always, the device's is `payload.witness.device_key`, so that anyone
//! can check both from the envelope alone; the receiver also checks that the device key is the
//! one it enrolled (docs/payload.md).

use super::*;
use crate::staff::Witness;

/// `payload.format` of a consent witnessed in person by an account manager's device.
pub const FORMAT_3: &str = "qianyue-consent/3";

impl ConsentPayload {
    /// This payload as a consent to the request `request_id`, witnessed as `witness`: format
    /// [`FORMAT_3`], no `identity`.
    pub fn witnessed(mut self, request_id: &str, witness: Witness) -> ConsentPayload {
        self.format = FORMAT_3.into();
        self.request = Some(RequestRef {
            id: request_id.into(),
        });
        self.identity = None;
        self.witness = Some(witness);
        self
    }

    /// Whether this payload is witnessed by a device (format [`FORMAT_3`]).
    pub fn is_witnessed(&self) -> bool {
        self.format == FORMAT_3
    }

    /// The envelope of a witnessed payload: the signer's and the device's signatures over the
    /// same canonical bytes (itself canonical: members in RFC 8785 order).
    pub fn witnessed_envelope_json(
        &self,
        signature: &[u8; 64],
        witness_signature: &[u8; 64],
    ) -> Result<String, CanonicalError> {
        let payload = self.signing_bytes()?;
        Ok(witnessed_envelope_from_parts(
            &payload,
            signature,
            witness_signature,
        ))
    }
}

/// The envelope of a witnessed payload from its canonical bytes and both signatures.
pub fn witnessed_envelope_from_parts(
    canonical_payload: &[u8],
    signature: &[u8; 64],
    witness_signature: &[u8; 64],
) -> String {
    format!(
        "{{\"payload\":{},\"signature\":\"{}\",\"witness_signature\":\"{}\"}}",
        String::from_utf8_lossy(canonical_payload),
        base64url::encode(signature),
        base64url::encode(witness_signature)
    )
}

/// The `witness` member against the format: present in [`FORMAT_3`] (with `request`, without
/// `identity`), absent in every other. The paths that fail.
pub(super) fn witness_member_paths(payload: &ConsentPayload) -> Vec<String> {
    let mut out = Vec::new();
    if payload.format != FORMAT_3 {
        if payload.witness.is_some() {
            out.push("witness".to_owned());
        }
        return out;
    }
    match &payload.request {
        None => out.push("request".to_owned()),
        Some(r) if !is_uuid_v4(&r.id) => out.push("request.id".to_owned()),
        Some(_) => {}
    }
    if payload.identity.is_some() {
        out.push("identity".to_owned());
    }
    if payload.witness.is_none() {
        out.push("witness".to_owned());
    }
    out
}

/// The witness record's rules ([`Witness::check`]) for a `/3` payload signed at `signed_at`:
/// every failing path, under the code of the first.
pub fn check_witness(payload: &ConsentPayload, signed_at: SignedAt) -> Result<(), Rejection> {
    let Some(witness) = payload.witness.as_ref().filter(|_| payload.is_witnessed()) else {
        return Ok(());
    };
    let fields = witness.check(&payload.form, signed_at);
    match fields.first() {
        None => Ok(()),
        Some(first) => Err(Rejection {
            rule: first.rule.clone(),
            fields,
            detail: None,
        }),
    }
}
