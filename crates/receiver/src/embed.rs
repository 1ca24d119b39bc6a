//! What the portal's embedding needs from the receiver (docs/embedding.md), from the one list
//! `QIANYUE_FRAME_ANCESTORS` that also makes the CSP's `frame-ancestors`:
//!
//! - `GET /embed-config.json`: `{"allowed_origins": [...]}`, the list the app's frame mode
//!   (`/?embed=iframe`) accepts messages from and posts to (`["'self'"]` by default).
//! - CORS for the listed origins: a portal page that uses `<qianyue-consent>` loads `embed.js`,
//!   `embed-files.html`, the module, wasm and stylesheets, and POSTs the consent, from its own origin.
//!   A request whose `Origin` is listed gets `Access-Control-Allow-Origin: <that origin>`; its
//!   preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here. Any other
//!   origin gets no CORS header, so the browser keeps the answer from it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::App;

/// `GET /embed-config.json`.
pub async fn config(State(app): State<Arc<App>>) -> Response {
    let list = &app.config.frame_ancestors;
    let origins: Vec<&str> = if list.is_empty() {
        vec!["'self'"]
    } else {
        list.iter().map(String::as_str).collect()
    };
    let mut response = Response::new(Body::from(
        json!({ "allowed_origins": origins }).to_string(),
    ));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Whether `origin` (an `Origin` header) is on `list` (the configured, already checked
/// `frame-ancestors` entries), by the domain's one allow-list rule (`qianyue_domain::origins`):
/// exactly, default port or not, or as a subdomain of a `scheme://*.suffix[:port]` entry.
/// `'self'` and `'none'` name no other origin.
pub fn listed(list: &[String], origin: &str) -> bool {
    qianyue_domain::origins::AllowList::lenient(list.iter().map(String::as_str))
        .allows(origin, None)
}

/// The CORS layer: answers listed origins' preflights, marks listed origins' answers.
pub async fn cors(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| listed(&app.config.frame_ancestors, o))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let Some(origin) = origin else {
        return next.run(request).await;
    };
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        r
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.append(header::VARY, HeaderValue::from_static("origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::listed;

    #[test]
    fn listed_origins() {
        let list: Vec<String> = [
            "'self'",
            "https://portal.example.com",
            "https://*.cmcc.example",
        ]
        .map(String::from)
        .to_vec();
        assert!(listed(&list, "https://portal.example.com"));
        assert!(listed(&list, "HTTPS://Portal.Example.com"));
        assert!(listed(&list, "https://gd.cmcc.example"));
        assert!(listed(&list, "https://a.gd.cmcc.example"));
        assert!(!listed(&list, "https://cmcc.example"));
        assert!(!listed(&list, "https://evilcmcc.example"));
        assert!(!listed(&list, "https://gd.cmcc.example:8443"));
        assert!(!listed(&list, "http://portal.example.com"));
        assert!(!listed(&list, "https://portal.example.com.evil"));
        assert!(!listed(&list, "null"));
        assert!(!listed(&list, "'self'"));
        assert!(!listed(&[], "https://portal.example.com"));
        // The review's case: a default port in the entry or the header is the same origin.
        let with_port = ["https://portal.example.com:443".to_owned()];
        assert!(listed(&with_port, "https://portal.example.com"));
        assert!(listed(&list, "https://portal.example.com:443"));
    }
}
