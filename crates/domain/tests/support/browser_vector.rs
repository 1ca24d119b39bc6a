//! The envelope the end-to-end seed journey signed in Chromium (`tests/e2e/signing.spec.ts`
//! writes `tests/e2e/artifacts/browser-vector.json`; `QIANYUE_BROWSER_VECTOR` names another
//! file). Shared by this crate's `browser_vector` test and the receiver's, which include it by
//! path; both crates sit two levels under the workspace root.

use std::path::PathBuf;

/// The envelope's bytes; panics with the path and what to run when the file is missing.
pub fn read() -> Vec<u8> {
    let path = match std::env::var_os("QIANYUE_BROWSER_VECTOR") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/e2e/artifacts/browser-vector.json"),
    };
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (run the e2e tests first)",
            path.display()
        )
    })
}
