//! The signed consent payload: what the browser signs and the receiver verifies.
//!
//! `docs/payload.md` is the full specification (with a worked example) and
//! `docs/payload.schema.json` its JSON Schema; this module is the reference implementation.
//!
//! # The envelope
//!
//! ```text
//! {"payload": { …the consent… }, "signature": "<base64url, no padding, of 64 bytes r‖s>"}
//! ```
//!
//! The signature is ECDSA P-256 with SHA-256 (JWS `ES256`, WebCrypto
//! `{name: "ECDSA", hash: "SHA-256"}`), in the IEEE P1363 form WebCrypto produces (32 bytes `r`
//! then 32 bytes `s`, big-endian; not DER), computed over the **RFC 8785 canonical UTF-8 bytes**
//! of the `payload` value ([`canonical_bytes`]). The key that verifies it travels inside the
//! payload (`public_key`, a JWK), so the signature also covers the key.
//!
//! # Building one (the browser)
//!
//! ```ignore
//! let payload = ConsentPayload::new(PayloadParts {
//!     form: form.clone(),                          // the domain Form being signed
//!     langs: vec![Lang::Zh, Lang::En],             // the languages the agreement was shown in
//!     previews: &preview(&form, today),            // the figures shown
//!     signature_image: SignatureImage::Typed { text: "刘志强".into() },
//!     signed_at: SignedAt::from_unix_seconds(now_ms / 1000).unwrap(),
//!     idempotency_id: crypto_random_uuid,          // crypto.randomUUID()
//!     public_key: Jwk::p256(&x_b64url, &y_b64url), // from exportKey("jwk") of the public key
//! });
//! let bytes = payload.signing_bytes();             // sign these with WebCrypto
//! let body = payload.envelope_json(&signature_64_bytes); // POST this, Content-Type: application/json
//! ```
//!
//! # Checking one (the receiver)
//!
//! [`verify_envelope`] parses the body (rejecting duplicate keys and any non-integer number),
//! canonicalizes the payload exactly as received, and verifies the signature with the embedded
//! key; only then does it read the payload into [`ConsentPayload`]. [`check_payload`] applies
//! every rule of the agreement: the agreement id and version, the content hashes, the consents
//! and their wording, the signature image, `signed_at` (not in the future beyond
//! [`CLOCK_SKEW_SECONDS`]), the idempotency id, the form (re-validated with
//! [`crate::form::validate`], taking the signing date as today) and the shown previews
//! (recomputed with [`crate::preview::preview`]; a working-day figure of a [`FORMAT_1_1`]
//! payload on the holiday calendars its `calendars` member records, so that it still checks
//! after a provisional year's notice is added). Every refusal is a [`Rejection`]: a code, a
//! zh-CN and an en message, and the failing fields by path. A path is a contract.md §1 field
//! path for a value of `payload.form`, otherwise the dotted path of the value inside `payload`
//! (`content_hashes.2.sha256`, `previews.orders.0.penalty`, `signed_at`) or `signature`.

use std::collections::BTreeMap;

use crate::base64url;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::clauses;
use crate::content::{self, Lang, PartId};
use crate::date::Date;
use crate::error::{RuleError, RuleMessage};
use crate::form::{self, FieldError, Form};
use crate::holidays::{Calendars, CalendarsUsed, HolidayError};
use crate::key_map::KeyMap;
use crate::preview::{self, Preview, PreviewValue};

/// The value of `payload.format` this module reads and writes.
pub const FORMAT: &str = "qianyue-consent/1";
/// `payload.format` of a payload with the `calendars` member (a minor revision of
/// [`FORMAT`]: the same members and rules, plus the calendar each working-day figure used;
/// docs/payload.md). Written when a working-day figure is shown.
pub const FORMAT_1_1: &str = "qianyue-consent/1.1";
/// How far `signed_at` may lie after the receiver's clock (seconds).
pub const CLOCK_SKEW_SECONDS: i64 = 300;
/// The largest magnitude an integer may have (I-JSON, RFC 7493: exact in an IEEE double).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

mod error;
mod canonical;
mod parts;
mod verify;
mod check;
mod receipt;
mod signing_time;
mod v2;
mod v3;
mod write;

pub use canonical::*;
pub use check::*;
pub use error::*;
pub use parts::*;
pub use receipt::*;
pub use signing_time::*;
pub use v2::*;
pub use v3::*;
pub use verify::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_made_of_random_bytes_is_a_uuid_v4() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        for seed in 0..=255u8 {
            let bytes: [u8; 16] =
                core::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8 * 17));
            assert!(is_uuid_v4(&uuid_v4(bytes)), "{bytes:?}");
        }
    }

    #[test]
    fn signed_at_round_trips_in_cst() {
        let t = SignedAt::parse("2023-04-10T15:04:05+08:00").unwrap();
        assert_eq!(t.unix_seconds(), 1_681_110_245);
        assert_eq!(t.to_string(), "2023-04-10T15:04:05+08:00");
        assert_eq!(t.date(), Date::new(2023, 4, 10).unwrap());
        let midnight = SignedAt::parse("2023-04-10T00:00:00+08:00").unwrap();
        assert_eq!(midnight.date(), Date::new(2023, 4, 10).unwrap());
        assert_eq!(
            SignedAt::from_unix_seconds(midnight.unix_seconds() - 1)
                .unwrap()
                .to_string(),
            "2023-04-09T23:59:59+08:00"
        );
        for bad in [
            "2023-04-10T15:04:05Z",
            "2023-04-10T15:04:05+00:00",
            "2023-04-10 15:04:05+08:00",
            "2023-04-10T24:00:00+08:00",
            "2023-02-30T10:00:00+08:00",
            "2023-04-10T15:04:05.123+08:00",
        ] {
            assert_eq!(SignedAt::parse(bad), Err(SignedAtError::Format), "{bad}");
        }
    }

    #[test]
    fn uuid_v4_is_checked_exactly() {
        assert!(is_uuid_v4("3b241101-e2bb-4255-8caf-4136c566a962"));
        assert!(!is_uuid_v4("3B241101-E2BB-4255-8CAF-4136C566A962"));
        assert!(!is_uuid_v4("3b241101-e2bb-1255-8caf-4136c566a962"));
        assert!(!is_uuid_v4("3b241101-e2bb-4255-7caf-4136c566a962"));
        assert!(!is_uuid_v4("3b241101e2bb42558caf4136c566a962"));
    }

    #[test]
    fn consent_wording_hash_covers_both_languages() {
        let text = ConsentId::PrivacyPolicy.wording_text();
        assert!(text.starts_with("zh-CN\t我已阅读"));
        assert!(text.contains("\nen\tI have read"));
        assert!(text.ends_with('\n'));
        let hashes: Vec<String> = ConsentId::ALL.iter().map(|c| c.wording_sha256()).collect();
        for (i, h) in hashes.iter().enumerate() {
            assert_eq!(h.len(), 64);
            assert!(!hashes[..i].contains(h));
        }
    }

    #[test]
    fn strokes_are_checked() {
        let line: Vec<[u32; 2]> = (0..20).map(|i| [10 + i * 5, 40]).collect();
        let ok = SignatureImage::Strokes {
            width: 300,
            height: 100,
            strokes: vec![line.clone()],
        };
        assert_eq!(ok.check(), Ok(()));
        assert!(ok.to_svg().unwrap().starts_with("<svg"));
        let dot = SignatureImage::Strokes {
            width: 300,
            height: 100,
            strokes: vec![vec![[5, 5]; 12]],
        };
        assert_eq!(dot.check(), Err(PayloadRule::SignatureImageTrivial));
        let empty = SignatureImage::Strokes {
            width: 300,
            height: 100,
            strokes: vec![],
        };
        assert_eq!(empty.check(), Err(PayloadRule::SignatureImageEmpty));
        let outside = SignatureImage::Strokes {
            width: 50,
            height: 100,
            strokes: vec![line],
        };
        assert_eq!(outside.check(), Err(PayloadRule::SignatureImageBounds));
        let typed = SignatureImage::Typed {
            text: " 刘志强 ".into(),
        };
        assert_eq!(typed.check(), Ok(()));
        assert!(typed.to_svg().is_none());
    }
}
