//! A small static file server for `dist/` on 127.0.0.1: what `cargo xtask serve` runs until the
//! receiver serves the app, and what the end-to-end tests load. GET and HEAD only; a path
//! without a file extension that names no file falls back to index.html (a single-page app).
//! A server may also answer some paths itself ([`Handler`]): the demo portal's back end.
//! When a file has a precompressed sibling `<file>.br` and the request accepts `br`, that is
//! sent with `Content-Encoding: br` (what `cargo xtask bench app` writes, so that the bytes a
//! throttled browser receives are those a production server would send). Likewise a wasm file's
//! `<file>.dcb`, brotli with the main module as its dictionary, when the request's
//! `Available-Dictionary` names the dictionary that sibling was made with; and the main module
//! is sent as the receiver sends it, with `Use-As-Dictionary` and a year's freshness, without
//! which a browser keeps no dictionary (`qianyue_dcb`).

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
    let mut accepts_dcb = false;
    let mut available = None;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            } else if name.trim().eq_ignore_ascii_case("accept-encoding") {
                accepts_br = value.split(',').any(|e| e.trim().starts_with("br"));
                accepts_dcb = value.split(',').any(|e| e.trim() == qianyue_dcb::CODING);
            } else if name.trim().eq_ignore_ascii_case("available-dictionary") {
                available = qianyue_dcb::available(value);
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
    let sibling = |ext: &str| {
        let mut name = file.clone().into_os_string();
        name.push(ext);
        PathBuf::from(name)
    };
    let head = method == "HEAD";
    let kind = content_type(&file);
    if accepts_dcb && available.is_some() && qianyue_dcb::uses_dictionary(path) {
        if let Ok(body) = std::fs::read(sibling(".dcb")) {
            if qianyue_dcb::dictionary_of(&body) == available {
                let headers = wasm_headers(Some(qianyue_dcb::CODING), false);
                return write_response(&mut stream, "200 OK", kind, &headers, &body, head);
            }
        }
    }
    let br = accepts_br
        .then(|| std::fs::read(sibling(".br")).ok())
        .flatten();
    let (encoding, body) = match br {
        Some(body) => (Some("br"), body),
        None => match std::fs::read(&file) {
            Ok(body) => (None, body),
            Err(_) => {
                return respond(
                    &mut stream,
                    "404 Not Found",
                    "text/plain",
                    b"not found",
                    head,
                )
            }
        },
    };
    if qianyue_dcb::is_dictionary(path) {
        let headers = wasm_headers(encoding, true);
        return write_response(&mut stream, "200 OK", kind, &headers, &body, head);
    }
    respond_encoded(&mut stream, "200 OK", kind, encoding, &body, head)
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

/// The headers of a wasm file as the receiver sends it: `Vary` naming both headers a dcb
/// answer depends on, and, for the `dictionary`, `Use-As-Dictionary` and a year's freshness
/// (its name carries its content's hash).
fn wasm_headers(encoding: Option<&str>, dictionary: bool) -> String {
    let mut headers = format!("Vary: {}\r\n", qianyue_dcb::VARY);
    if let Some(e) = encoding {
        headers.push_str(&format!("Content-Encoding: {e}\r\n"));
    }
    if dictionary {
        headers.push_str(&format!(
            "Use-As-Dictionary: {}\r\nCache-Control: public, max-age=31536000, immutable\r\n",
            qianyue_dcb::USE_AS_DICTIONARY
        ));
    } else {
        headers.push_str("Cache-Control: no-cache\r\n");
    }
    headers
}

fn respond_encoded(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    encoding: Option<&str>,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    let mut headers = encoding
        .map(|e| format!("Content-Encoding: {e}\r\nVary: Accept-Encoding\r\n"))
        .unwrap_or_default();
    headers.push_str("Cache-Control: no-cache\r\n");
    write_response(stream, status, content_type, &headers, body, head)
}

/// One response: the status, the content type, `headers` (lines ending in CRLF), the body
/// (not for HEAD), and what every response here carries.
fn write_response(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    headers: &str,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    // Any origin may read the files: a portal page on another origin loads embed.js, the app's
    // module, wasm and stylesheets with CORS (docs/embedding.md).
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{headers}Content-Length: {}\r\nX-Content-Type-Options: nosniff\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
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

    /// The head and body of one GET with `headers`.
    fn get(server: &Server, path: &str, headers: &str) -> (String, Vec<u8>) {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n").unwrap();
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        let end = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&all[..end]).to_lowercase();
        (head, all[end + 4..].to_vec())
    }

    #[test]
    fn sends_the_main_module_as_a_dictionary_and_a_dcb_sibling_to_who_holds_it() {
        let dir = std::env::temp_dir().join(format!("qy-static-dcb-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!DOCTYPE html>").unwrap();
        let main: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let journey = main[10_000..40_000].to_vec();
        std::fs::write(dir.join("app-0123_bg.wasm"), &main).unwrap();
        std::fs::write(dir.join("split_journey-0123.wasm"), &journey).unwrap();
        std::fs::write(dir.join("split_journey-0123.wasm.br"), b"br body").unwrap();
        let dcb = qianyue_dcb::compress(&main, &journey);
        std::fs::write(dir.join("split_journey-0123.wasm.dcb"), &dcb).unwrap();
        let server = Server::start(&dir, 0).unwrap();

        let (head, body) = get(&server, "/app-0123_bg.wasm", "Accept-Encoding: gzip\r\n");
        assert!(
            head.contains("\r\nuse-as-dictionary: match=\"/*.wasm\""),
            "{head}"
        );
        assert!(head.contains("max-age=31536000"), "{head}");
        assert_eq!(body, main);

        let hash = qianyue_dcb::hash(&main);
        let held = |h: &[u8]| {
            use base64::Engine as _;
            format!(":{}:", base64::engine::general_purpose::STANDARD.encode(h))
        };
        let asks = format!(
            "Accept-Encoding: br, dcb\r\nAvailable-Dictionary: {}\r\n",
            held(&hash)
        );
        let (head, body) = get(&server, "/split_journey-0123.wasm", &asks);
        assert!(head.contains("content-encoding: dcb"), "{head}");
        assert!(
            head.contains("vary: accept-encoding, available-dictionary"),
            "{head}"
        );
        assert_eq!(
            qianyue_dcb::decompress(&main, &body).as_deref(),
            Some(&journey[..])
        );

        let other = format!(
            "Accept-Encoding: br, dcb\r\nAvailable-Dictionary: {}\r\n",
            held(&[7; 32])
        );
        for asks in [other.as_str(), "Accept-Encoding: br, dcb\r\n"] {
            let (head, body) = get(&server, "/split_journey-0123.wasm", asks);
            assert!(head.contains("content-encoding: br"), "{head}");
            assert_eq!(body, b"br body");
        }
        server.stop();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
