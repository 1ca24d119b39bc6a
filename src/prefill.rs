//! Prefill: a form in exactly the contract.md §1 shape, handed to the app by whoever opens it.
//! Standalone, it comes in the URL fragment as `#prefill=<encodeURIComponent(JSON)>` (a
//! fragment never reaches a server, so ID numbers in it are not logged by any proxy).
//! Not read on a signing request's page, whose form comes from the receiver.
//! An unreadable prefill is reported on the console and ignored: the reader then starts from
//! a blank form rather than a broken page.

use qianyue_domain::error::RuleError;
use qianyue_domain::form::Form;
use qianyue_domain::form_json;

/// Reads a form from a JSON text in the contract's shape (the domain's reader, not serde's:
/// this runs in the first load, docs/bytes.md "serde_json out of the first load").
pub fn parse(json: &str) -> Result<Form, String> {
    form_json::read(json).map_err(|e| format!("prefill is not a form: {} ({e})", e.code()))
}

/// The form in this page's `#prefill=` fragment, if any.
pub fn from_location() -> Option<Form> {
    let hash = leptos::prelude::window().location().hash().ok()?;
    // Further `&name=value` parameters may follow (see `config::readonly_paths`).
    let encoded = hash.strip_prefix("#prefill=")?.split('&').next()?;
    let decoded = js_sys::decode_uri_component(encoded).ok()?.as_string()?;
    match parse(&decoded) {
        Ok(form) => Some(form),
        Err(message) => {
            leptos::logging::warn!("{message}");
            None
        }
    }
}
