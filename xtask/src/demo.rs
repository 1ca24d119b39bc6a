//! The demo portal for `cargo xtask serve` (docs/embedding.md): `demo/` on the next port, opened
//! as `http://localhost:<port + 1>/portal.html`, an origin other than the app's
//! `http://127.0.0.1:<port>`, and the deployment's allow-list naming it
//! (`dist/embed-config.json`), so that the app's frame accepts the demo's messages.

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
    let origin = format!("http://localhost:{port}");
    let config = format!("{{\"allowed_origins\": [\"'self'\", \"{origin}\"]}}\n");
    let path = root.join("dist/embed-config.json");
    std::fs::write(&path, config).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let server = Server::start(&root.join("demo"), port)?;
    println!("The demo portal (another origin) embeds it: {origin}/portal.html?app=http://{app}");
    Ok(server)
}
