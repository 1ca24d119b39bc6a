//! A small static file server for `dist/` on 127.0.0.1: what `cargo xtask serve` runs until the
//! receiver serves the app, and what the end-to-end tests load. GET and HEAD only; a path
//! without a file extension that names no file falls back to index.html (a single-page app).
//! A server may also answer some paths itself ([`Handler`]): the demo portal's back end.
//! When a file has a precompressed sibling `<file>.br` and the request accepts `br`, that is
//! sent with `Content-Encoding: br` (what `cargo xtask bench app` writes, so that the bytes a
//! throttled browser receives are those a production server would send).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::Result;

/// A call the server answers itself rather than from a file: method, path (with its query),
/// body.
pub struct Call {
    pub method: String,
    pub target: String,
    pub body: Vec<u8>,
}

/// An answer of a [`Handler`]: status line (`"200 OK"`), content type, body.
pub type Answer = (String, &'static str, Vec<u8>);

/// Answers the calls it knows (`Some`), and leaves the others to the files (`None`).
pub type Handler = Arc<dyn Fn(&Call) -> Option<Answer> + Send + Sync>;

/// The largest body a [`Handler`] is given.
const MAX_BODY: usize = 64 * 1024;

pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Server {
    /// Serves `dir` on 127.0.0.1:`port` (0 picks a free port) from a background thread.
    pub fn start(dir: &Path, port: u16) -> Result<Server> {
        Server::start_with(dir, port, None)
    }

    /// As [`Server::start`], with `handler` asked first for every call.
    pub fn start_with(dir: &Path, port: u16, handler: Option<Handler>) -> Result<Server> {
        if !dir.join("index.html").exists() {
            return Err(format!(
                "{} has no index.html: build the app first",
                dir.display()
            ));
        }
        let listener = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let dir = dir.to_path_buf();
        let stop_flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(stream) = stream {
                    let dir = dir.clone();
                    let handler = handler.clone();
                    std::thread::spawn(move || {
                        let _ = handle(stream, &dir, handler.as_ref());
                    });
                }
            }
        });
        Ok(Server { addr, stop, thread })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks until the process is stopped.
    pub fn wait(self) {
        let _ = self.thread.join();
    }

    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        let _ = self.thread.join();
    }
}

fn handle(mut stream: TcpStream, dir: &Path, handler: Option<&Handler>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // The headers: only the body's length and the accepted encodings matter here.
    let mut length = 0usize;
    let mut accepts_br = false;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            } else if name.trim().eq_ignore_ascii_case("accept-encoding") {
                accepts_br = value.split(',').any(|e| e.trim().starts_with("br"));
            }
        }
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if let Some(handler) = handler {
        let mut body = vec![0u8; length.min(MAX_BODY)];
        reader.read_exact(&mut body)?;
        let call = Call {
            method: method.to_owned(),
            target: target.to_owned(),
            body,
        };
        if let Some((status, content_type, body)) = handler(&call) {
            return respond(&mut stream, &status, content_type, &body, false);
        }
    }
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"method not allowed",
            false,
        );
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    // No receiver here: its API answers nothing (204, which the app's open-signing check reads
    // as open, and a browser logs no error for), not the page in its place.
    if path.starts_with("/api/") {
        return respond(&mut stream, "204 No Content", "text/plain", b"", false);
    }
    let Some(file) = resolve(dir, path) else {
        return respond(
            &mut stream,
            "404 Not Found",
            "text/plain",
            b"not found",
            method == "HEAD",
        );
    };
    let mut compressed = file.clone().into_os_string();
    compressed.push(".br");
    let compressed = PathBuf::from(compressed);
    if accepts_br && compressed.is_file() {
        if let Ok(body) = std::fs::read(&compressed) {
            return respond_encoded(
                &mut stream,
                "200 OK",
                content_type(&file),
                Some("br"),
                &body,
                method == "HEAD",
            );
        }
    }
    match std::fs::read(&file) {
        Ok(body) => respond(
            &mut stream,
            "200 OK",
            content_type(&file),
            &body,
            method == "HEAD",
        ),
        Err(_) => respond(
            &mut stream,
            "404 Not Found",
            "text/plain",
            b"not found",
            method == "HEAD",
        ),
    }
}

/// The file a URL path names inside `dir`, refusing anything that would leave it.
fn resolve(dir: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let candidate = dir.join(relative);
    if candidate.is_file() {
        Some(candidate)
    } else if relative.extension().is_none() {
        Some(dir.join("index.html"))
    } else {
        None
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    respond_encoded(stream, status, content_type, None, body, head)
}

fn respond_encoded(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    encoding: Option<&str>,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    let encoding = encoding
        .map(|e| format!("Content-Encoding: {e}\r\nVary: Accept-Encoding\r\n"))
        .unwrap_or_default();
    // Any origin may read the files: a portal page on another origin loads embed.js, the app's
    // module, wasm and stylesheets with CORS (docs/embedding.md).
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{encoding}Content-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_leaves_the_served_folder() {
        let dir = Path::new("/srv/dist");
        assert_eq!(resolve(dir, "/../etc/passwd"), None);
        assert_eq!(resolve(dir, "/a/../../x"), None);
        assert_eq!(resolve(dir, "/sign/step-2"), Some(dir.join("index.html")));
        assert_eq!(resolve(dir, "/missing.js"), None);
    }
}
