//! The demo portal for `cargo xtask serve` (docs/embedding.md): `demo/` on the next port, opened
//! as `http://localhost:<port + 1>/portal.html`, an origin other than the app's
//! `http://127.0.0.1:<port>`. The receiver serving the app lists that origin in its
//! `QIANYUE_FRAME_ANCESTORS` (see `serve` in main.rs), so its frame-ancestors, CORS and
//! `/embed-config.json` let the demo embed the app both ways.

use std::net::SocketAddr;
use std::path::Path;

use crate::static_server::Server;
use crate::Result;

/// Serves `demo/` beside the app served at `app`.
pub fn start(root: &Path, app: SocketAddr) -> Result<Server> {
    let port = app
        .port()
        .checked_add(1)
        .ok_or("no port above the app's for the demo portal")?;
    let server = Server::start(&root.join("demo"), port)?;
    println!(
        "The demo portal (another origin) embeds it: http://localhost:{port}/portal.html?app=http://{app}"
    );
    Ok(server)
}
