//! The demo portal for `cargo xtask serve` (docs/embedding.md): `demo/` on the next port, opened
//! as `http://localhost:<port + 1>/portal.html`, an origin other than the app's
//! `http://127.0.0.1:<port>`. The receiver serving the app lists that origin in its
//! `QIANYUE_FRAME_ANCESTORS` (see `serve` in main.rs), so its frame-ancestors, CORS and
//! `/embed-config.json` let the demo embed the app both ways.
//!
//! The portal's own back end is here too, as a carrier's would be: `POST /portal/requests`
//! opens a signing request at the receiver with the back office's API key and answers the
//! receiver's `{id, status, token, url, expires_at}` to the page; `GET /portal/requests/<id>`
//! answers its status and events. The key never reaches the browser.

use std::net::SocketAddr;
use std::path::Path;

use std::sync::Arc;

use crate::demo_request;
use crate::static_server::{Answer, Call, Handler, Server};
use crate::Result;

/// Serves `demo/` beside the app served at `app`, with the portal's back end calling the
/// receiver with the API key `secret`.
pub fn start(root: &Path, app: SocketAddr, secret: &str) -> Result<Server> {
    let port = app
        .port()
        .checked_add(1)
        .ok_or("no port above the app's for the demo portal")?;
    let server = Server::start_with(&root.join("demo"), port, Some(back_end(root, app, secret)))?;
    println!(
        "The demo portal (another origin) embeds it: http://localhost:{port}/portal.html?app=http://{app}"
    );
    Ok(server)
}

/// The portal's back end (see the module's comment).
pub fn back_end(root: &Path, app: SocketAddr, secret: &str) -> Handler {
    let root = root.to_path_buf();
    let secret = secret.to_owned();
    Arc::new(move |call: &Call| {
        let path = call.target.split(['?', '#']).next().unwrap_or("/");
        let json = |status: &str, body: String| -> Answer {
            (status.to_owned(), "application/json", body.into_bytes())
        };
        let failed = |e: String| {
            json(
                "502 Bad Gateway",
                format!("{{\"error\": {:?}}}", e.replace('"', "'")),
            )
        };
        match (call.method.as_str(), path) {
            ("POST", "/portal/requests") => {
                let body = String::from_utf8_lossy(&call.body);
                let locale = ["zh-CN", "en"]
                    .into_iter()
                    .find(|l| body.contains(&format!("\"{l}\"")))
                    .unwrap_or("both");
                Some(match demo_request::open(&root, app, &secret, locale) {
                    Ok(answer) => json("201 Created", answer),
                    Err(e) => failed(e),
                })
            }
            ("GET", p) if p.starts_with("/portal/requests/") => {
                let id = &p["/portal/requests/".len()..];
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
                    return Some(json("404 Not Found", "{}".into()));
                }
                let path = format!("/api/requests/{id}");
                Some(match demo_request::call(app, &secret, "GET", &path, None) {
                    Ok((200, answer)) => json("200 OK", answer),
                    Ok((status, answer)) => json(&format!("{status} Refused"), answer),
                    Err(e) => failed(e),
                })
            }
            _ => None,
        }
    })
}
