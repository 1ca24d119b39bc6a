//! The app's configuration: where signed consents are sent, and which fields the opener has
//! made read-only. Read once at start-up.
//!
//! - Endpoint: `<meta name="qianyue-endpoint" content="…">` in the host page, else
//!   [`DEFAULT_ENDPOINT`]. It is deliberately not taken from the URL: a link must not be able to
//!   send someone's signed consent elsewhere.
//! - Read-only fields: `readonly=<path>,<path>,…` in the URL fragment, beside the prefill
//!   (`#prefill=<json>&readonly=customer.group_name,contract_no`): the portal fixes the values
//!   it already knows; the reader checks them but cannot change them. Only in the open
//!   journey: a signing request's page ignores the fragment (its values and read-only fields
//!   come from the receiver, `signing_request.rs`).

use qianyue_domain::key_map::KeySet;

/// Where the signed payload is POSTed when the host page names no endpoint.
pub const DEFAULT_ENDPOINT: &str = "/api/consents";

/// The endpoint the signed payload is POSTed to.
pub fn endpoint() -> String {
    leptos::prelude::document()
        .query_selector("meta[name='qianyue-endpoint']")
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned())
}

/// The value of `name=` in the URL fragment's `&`-separated parameters, still encoded.
pub fn fragment_param(name: &str) -> Option<String> {
    let hash = leptos::prelude::window().location().hash().ok()?;
    fragment_param_of(&hash, name).map(str::to_owned)
}

fn fragment_param_of<'h>(hash: &'h str, name: &str) -> Option<&'h str> {
    hash.strip_prefix('#')
        .unwrap_or(hash)
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// The field paths the opener made read-only.
pub fn readonly_paths() -> KeySet {
    let Some(raw) = fragment_param("readonly") else {
        return KeySet::new();
    };
    let decoded = js_sys::decode_uri_component(&raw)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or(raw);
    decoded
        .split(',')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fragment_param_of;

    #[test]
    fn finds_parameters_in_the_fragment() {
        let hash = "#prefill=%7B%7D&readonly=contract_no,customer.group_name";
        assert_eq!(fragment_param_of(hash, "prefill"), Some("%7B%7D"));
        assert_eq!(
            fragment_param_of(hash, "readonly"),
            Some("contract_no,customer.group_name")
        );
        assert_eq!(fragment_param_of(hash, "nothing"), None);
        assert_eq!(fragment_param_of("", "prefill"), None);
    }
}
