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

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};

    use super::*;

    /// A receiver stand-in on loopback: answers one call with `answer`, and hands back what it
    /// was sent.
    fn fake_receiver(answer: &'static str) -> (SocketAddr, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let thread = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let reply = format!(
                "HTTP/1.1 201 Created\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            stream.write_all(reply.as_bytes()).unwrap();
            head + &String::from_utf8(body).unwrap()
        });
        (addr, thread)
    }

    fn post(addr: SocketAddr, path: &str, body: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn the_portal_back_end_opens_a_request_with_the_key_and_relays_the_answer() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let answer = r#"{"id":"a","status":"open","token":"t","url":"/s/t"}"#;
        let (receiver, sent) = fake_receiver(answer);
        let portal = Server::start_with(
            &root.join("demo"),
            0,
            Some(back_end(root, receiver, "s3cret")),
        )
        .unwrap();
        let reply = post(portal.addr(), "/portal/requests", r#"{"locale": "en"}"#);
        let sent = sent.join().unwrap();
        portal.stop();
        assert!(reply.starts_with("HTTP/1.1 201"), "{reply}");
        assert!(reply.ends_with(answer), "{reply}");
        // The key goes to the receiver, from the server side.
        assert!(sent.starts_with("POST /api/requests HTTP/1.1"), "{sent}");
        assert!(sent.contains("Authorization: Bearer s3cret\r\n"), "{sent}");
        assert!(sent.contains(r#""locale": "en""#), "{sent}");
        assert!(sent.contains(r#""readonly": ["contract_no", "customer", "orders"]"#));
        assert!(!reply.contains("s3cret"));
    }

    #[test]
    fn other_paths_are_the_portal_s_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let unused: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let portal =
            Server::start_with(&root.join("demo"), 0, Some(back_end(root, unused, "k"))).unwrap();
        let mut s = TcpStream::connect(portal.addr()).unwrap();
        write!(s, "GET /portal.html HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        portal.stop();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("open-request"));
    }
}
