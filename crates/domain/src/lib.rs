//! # qianyue-domain
//!
//! Every rule and number of the China Mobile Guangdong product agreement (cancellation order),
//! as pure functions and parse-don't-validate types. Used by the browser app (compiled to
//! wasm32) and by the receiver (native), so that a rule is written exactly once.
//!
//! - [`error`]: typed rule errors with stable codes and zh-CN / en messages.
//! - [`date`]: civil dates.
//! - identifiers: [`resident_id`], [`other_id`], [`uscc`], [`phone`], [`email`], [`numbers`].
//! - [`money`], [`holidays`], [`clauses`]: the agreement's numbers (domain-spec §4).
//! - [`form`]: the form model of contract.md §1, `validate` and `preview`; [`form_json`]: its
//!   JSON text read and written without serde (the browser's first load); [`json`]: any JSON
//!   text read strictly into a `serde_json::Value` with the same reader.
//! - [`normalise`], [`labels`]: values as the form shows them (normalised, ID numbers masked;
//!   English beside the document's labels).
//! - [`incremental`]: `validate` and `preview` for a form edited a keystroke at a time.
//! - [`payload`]: the signed consent payload: RFC 8785 bytes, ES256 verification, checks.
//! - [`origins`]: the portal-origin allow-list (frame mode, CORS, `frame-ancestors`).
//! - [`delivery`]: the outbox's policy: which answers are final, the backoff between passes.
//! - [`request`]: signing requests: read-only paths, expiry, callback URL, masked mobile.
//! - [`identity`]: the signer's one-time SMS code: its rules, and the verification signed.
//! - [`staff`]: staff devices and witnessed signing offline: enrolment codes, the identity
//!   check an account manager records in person, its photos.

pub mod error;
pub mod date;
pub mod money;
pub mod holidays;
pub mod clauses;
pub mod text;
pub mod resident_id;
pub mod other_id;
pub mod uscc;
pub mod phone;
pub mod email;
pub mod numbers;
pub mod enums;
pub mod form;
pub mod form_json;
pub mod json;
pub mod preview;
pub mod normalise;
pub mod labels;
pub mod incremental;
pub mod content;
pub mod base64url;
pub mod payload;
pub mod origins;
pub mod delivery;
pub mod request;
pub mod identity;
pub mod staff;
pub mod sorting;
pub mod key_map;

/// Fixtures the domain's and the receiver's tests share (the test key, signed seed consents,
/// the checked-in vector): only with the `test-support` feature, which only tests enable.
#[cfg(feature = "test-support")]
pub mod testing;
