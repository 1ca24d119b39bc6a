//! The app's component tests in a real browser (wasm-bindgen-test in headless Chromium, or
//! Firefox with `GECKODRIVER`): one test binary, so that the app is linked once, with the
//! helpers every part uses in `support`. Each test mounts the app, or a part of it, into a
//! container of its own and keeps the mount handle alive.
//!
//! - `agreement`: the reading view (language modes, clause-aligned rows, blanks);
//! - `signing`: the signing journey (messages, previews, masking, the draft, deferred parts);
//! - `outbox`: consents stored encrypted and sent, kept while offline or refused;
//! - `requests`: a signing request's locked fields and identity step.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod agreement;
mod outbox;
mod requests;
mod signing;
mod support;
