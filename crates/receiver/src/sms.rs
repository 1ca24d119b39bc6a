//! The SMS gateway: the one place texts leave the receiver (issue 17 item 3; docs/receiver.md
//! "SMS gateway", docs/requests.md "The code step").
//!
//! - `QIANYUE_SMS=dev`: texts are kept in memory (the newest 200) and listed at `GET /dev/sms`,
//!   a development tool that exists only in this mode.
//! - `QIANYUE_SMS=http`: each text is POSTed to `QIANYUE_SMS_URL` as
//!   `{"id": "<uuid>", "to": "13800138000", "text": "…"}` (`Content-Type: application/json`,
//!   HTTP Basic credentials `QIANYUE_SMS_USER` / `QIANYUE_SMS_SECRET` when set). Any 2xx is
//!   sent; a 4xx is a refusal, not retried; a network error, a timeout
//!   (`QIANYUE_SMS_TIMEOUT_MS` per attempt, default 5000) or a 5xx is tried again, twice, after
//!   0.2 s and 0.4 s. `id` is the same on every attempt of one text, so that a gateway can drop
//!   the copy of a text whose first answer was lost.
//! - Unset: `http` when `QIANYUE_SMS_URL` is set, else no gateway (every text fails, and code
//!   requests answer 503 `sms.unavailable`).
//!
//! The mobile number and the text are never written to a log.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{header, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite};

/// Default of `QIANYUE_SMS_TIMEOUT_MS`.
pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;
/// Attempts after the first, on a network error, a timeout or a 5xx.
pub const RETRIES: u32 = 2;
/// Texts kept by the dev gateway.
const DEV_KEEP: usize = 200;

/// How texts are sent (from the environment).
#[derive(Debug, Clone, PartialEq)]
pub enum SmsConfig {
    /// No gateway: sending fails.
    None,
    /// Kept in memory and listed at `GET /dev/sms`.
    Dev,
    /// POSTed to a gateway.
    Http(HttpConfig),
}

/// The HTTP gateway's settings.
#[derive(Clone, PartialEq)]
pub struct HttpConfig {
    pub url: Uri,
    pub user: Option<String>,
    pub secret: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        write!(f, "HttpConfig({}, user {:?})", self.url, self.user)
    }
}

impl SmsConfig {
    /// Reads `QIANYUE_SMS`, `QIANYUE_SMS_URL`, `QIANYUE_SMS_USER`, `QIANYUE_SMS_SECRET` and
    /// `QIANYUE_SMS_TIMEOUT_MS` through `var`.
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<SmsConfig, String> {
        let url = var("QIANYUE_SMS_URL");
        let mode = match var("QIANYUE_SMS").as_deref() {
            Some("dev") => "dev",
            Some("http") => "http",
            None if url.is_some() => "http",
            None => "none",
            Some(other) => return Err(format!("QIANYUE_SMS must be dev or http (got {other:?})")),
        };
        match mode {
            "dev" => Ok(SmsConfig::Dev),
            "none" => Ok(SmsConfig::None),
            _ => {
                let url = url.ok_or("QIANYUE_SMS=http needs QIANYUE_SMS_URL")?;
                let uri: Uri = url
                    .parse()
                    .map_err(|_| format!("QIANYUE_SMS_URL: {url:?} is not a URL"))?;
                let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
                if !scheme_ok || uri.host().is_none() || url.contains('@') {
                    return Err(
                        "QIANYUE_SMS_URL must be an http:// or https:// URL without user \
                         information (credentials go in QIANYUE_SMS_USER and QIANYUE_SMS_SECRET)"
                            .into(),
                    );
                }
                let timeout_ms = match var("QIANYUE_SMS_TIMEOUT_MS") {
                    None => DEFAULT_TIMEOUT_MS,
                    Some(v) => v
                        .trim()
                        .parse::<u64>()
                        .ok()
                        .filter(|n| (50..=60_000).contains(n))
                        .ok_or("QIANYUE_SMS_TIMEOUT_MS must be a number from 50 to 60000")?,
                };
                let user = var("QIANYUE_SMS_USER");
                let secret = var("QIANYUE_SMS_SECRET");
                if user.as_deref().is_some_and(|u| u.contains(':')) {
                    return Err("QIANYUE_SMS_USER must not contain ':'".into());
                }
                if secret.is_some() && user.is_none() {
                    return Err("QIANYUE_SMS_SECRET needs QIANYUE_SMS_USER".into());
                }
                Ok(SmsConfig::Http(HttpConfig {
                    url: uri,
                    user,
                    secret,
                    timeout: Duration::from_millis(timeout_ms),
                }))
            }
        }
    }
}

/// One text kept by the dev gateway, as `GET /dev/sms` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DevText {
    pub to: String,
    pub text: String,
    pub sent_at: String,
}

/// Why a text was not sent.
#[derive(Debug)]
pub struct SmsError(pub String);

impl std::fmt::Display for SmsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The gateway.
pub struct Gateway {
    config: SmsConfig,
    dev: Mutex<VecDeque<DevText>>,
}

impl Gateway {
    pub fn new(config: SmsConfig) -> Gateway {
        Gateway {
            config,
            dev: Mutex::new(VecDeque::new()),
        }
    }

    /// Whether this is the dev gateway (and `GET /dev/sms` exists).
    pub fn is_dev(&self) -> bool {
        self.config == SmsConfig::Dev
    }

    /// Sends `text` to `to` (11 digits); `id` names this text on every attempt. Returns once
    /// the gateway accepted it, or with the last failure.
    pub async fn send(&self, id: &str, to: &str, text: &str) -> Result<(), SmsError> {
        match &self.config {
            SmsConfig::None => Err(SmsError("no SMS gateway is configured".into())),
            SmsConfig::Dev => {
                let sent_at =
                    qianyue_domain::payload::SignedAt::from_unix_seconds(crate::api::now_unix())
                        .map(|t| t.to_string())
                        .unwrap_or_default();
                let mut list = self.dev.lock().unwrap_or_else(|p| p.into_inner());
                if list.len() >= DEV_KEEP {
                    list.pop_front();
                }
                list.push_back(DevText {
                    to: to.to_owned(),
                    text: text.to_owned(),
                    sent_at,
                });
                Ok(())
            }
            SmsConfig::Http(config) => send_http(config, id, to, text).await,
        }
    }

    /// The texts kept by the dev gateway, oldest first (`None`: not the dev gateway).
    pub fn dev_texts(&self) -> Option<Vec<DevText>> {
        self.is_dev().then(|| {
            let list = self.dev.lock().unwrap_or_else(|p| p.into_inner());
            list.iter().cloned().collect()
        })
    }
}

#[derive(Serialize)]
struct GatewayBody<'a> {
    id: &'a str,
    to: &'a str,
    text: &'a str,
}

/// What one attempt gave.
enum Attempt {
    Sent,
    /// Worth another try (network, timeout, 5xx).
    Retry(String),
    /// Not worth another (a 4xx, a bad URL).
    Final(String),
}

async fn send_http(config: &HttpConfig, id: &str, to: &str, text: &str) -> Result<(), SmsError> {
    let body = serde_json::to_vec(&GatewayBody { id, to, text })
        .map_err(|e| SmsError(format!("encoding the text: {e}")))?;
    let mut last = String::new();
    for attempt in 0..=RETRIES {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 << (attempt - 1))).await;
        }
        let outcome = match tokio::time::timeout(config.timeout, post_once(config, &body)).await {
            Ok(outcome) => outcome,
            Err(_) => Attempt::Retry(format!("no answer within {:?}", config.timeout)),
        };
        match outcome {
            Attempt::Sent => return Ok(()),
            Attempt::Final(e) => return Err(SmsError(e)),
            Attempt::Retry(e) => last = e,
        }
    }
    Err(SmsError(format!(
        "the gateway failed {} times; last: {last}",
        RETRIES + 1
    )))
}

/// One POST on a new connection (HTTP/1.1, TLS for `https`).
async fn post_once(config: &HttpConfig, body: &[u8]) -> Attempt {
    let url = &config.url;
    let Some(host) = url.host() else {
        return Attempt::Final("the URL has no host".into());
    };
    let https = url.scheme_str() == Some("https");
    let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let tcp = match tokio::net::TcpStream::connect((bare_host, port)).await {
        Ok(s) => s,
        Err(e) => return Attempt::Retry(format!("connecting: {e}")),
    };
    let _ = tcp.set_nodelay(true);
    if https {
        let name = match tokio_rustls::rustls::pki_types::ServerName::try_from(bare_host.to_owned())
        {
            Ok(n) => n,
            Err(_) => return Attempt::Final(format!("{host} is not a TLS server name")),
        };
        let Some(connector) = tls_connector() else {
            return Attempt::Final("no TLS configuration".into());
        };
        match connector.connect(name, tcp).await {
            Ok(tls) => exchange(config, tls, body).await,
            Err(e) => Attempt::Retry(format!("TLS: {e}")),
        }
    } else {
        exchange(config, tcp, body).await
    }
}

fn tls_connector() -> Option<tokio_rustls::TlsConnector> {
    use std::sync::{Arc, OnceLock};
    use tokio_rustls::rustls;
    static CONFIG: OnceLock<Option<Arc<rustls::ClientConfig>>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .ok()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Some(Arc::new(config))
    });
    config.clone().map(tokio_rustls::TlsConnector::from)
}

async fn exchange<S>(config: &HttpConfig, stream: S, body: &[u8]) -> Attempt
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    {
        Ok(pair) => pair,
        Err(e) => return Attempt::Retry(format!("handshake: {e}")),
    };
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let url = &config.url;
    let path = url.path_and_query().map_or("/", |p| p.as_str());
    let authority = url.authority().map_or("", |a| a.as_str());
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, authority)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json");
    if let Some(user) = &config.user {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine as _;
        let secret = config.secret.as_deref().unwrap_or("");
        let value = format!("Basic {}", STANDARD.encode(format!("{user}:{secret}")));
        if let Ok(v) = HeaderValue::from_str(&value) {
            request = request.header(header::AUTHORIZATION, v);
        }
    }
    let request = match request.body(Full::new(Bytes::copy_from_slice(body))) {
        Ok(r) => r,
        Err(e) => return Attempt::Final(format!("building the request: {e}")),
    };
    let outcome = match sender.send_request(request).await {
        Err(e) => Attempt::Retry(format!("sending: {e}")),
        Ok(response) => {
            let status = response.status();
            // The body is read (and dropped) so the exchange completes.
            let _ = response.into_body().collect().await;
            classify(status)
        }
    };
    driver.abort();
    outcome
}

fn classify(status: StatusCode) -> Attempt {
    if status.is_success() {
        Attempt::Sent
    } else if status.is_server_error() {
        Attempt::Retry(format!("the gateway answered {status}"))
    } else {
        Attempt::Final(format!("the gateway answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<SmsConfig, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        SmsConfig::from_lookup(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn the_mode_follows_the_variables() {
        assert_eq!(config(&[]), Ok(SmsConfig::None));
        assert_eq!(config(&[("QIANYUE_SMS", "dev")]), Ok(SmsConfig::Dev));
        let Ok(SmsConfig::Http(h)) = config(&[("QIANYUE_SMS_URL", "https://sms.example.com/send")])
        else {
            panic!("a URL alone means http");
        };
        assert_eq!(h.timeout, Duration::from_millis(DEFAULT_TIMEOUT_MS));
        assert!(config(&[("QIANYUE_SMS", "http")]).is_err());
        assert!(config(&[("QIANYUE_SMS", "carrier-pigeon")]).is_err());
        assert!(config(&[("QIANYUE_SMS_URL", "ftp://sms.example.com/")]).is_err());
        assert!(config(&[("QIANYUE_SMS_URL", "https://u:p@sms.example.com/")]).is_err());
        assert!(config(&[
            ("QIANYUE_SMS_URL", "http://127.0.0.1:9/"),
            ("QIANYUE_SMS_TIMEOUT_MS", "10")
        ])
        .is_err());
        assert!(config(&[
            ("QIANYUE_SMS_URL", "http://127.0.0.1:9/"),
            ("QIANYUE_SMS_SECRET", "s")
        ])
        .is_err());
        let debug = format!(
            "{:?}",
            config(&[
                ("QIANYUE_SMS_URL", "http://127.0.0.1:9/"),
                ("QIANYUE_SMS_USER", "qianyue"),
                ("QIANYUE_SMS_SECRET", "very-secret-value"),
            ])
        );
        assert!(!debug.contains("very-secret-value"), "{debug}");
    }

    #[tokio::test]
    async fn the_dev_gateway_keeps_texts_and_no_gateway_fails() {
        let dev = Gateway::new(SmsConfig::Dev);
        dev.send("a", "13800138000", "one").await.unwrap();
        dev.send("b", "13800138001", "two").await.unwrap();
        let texts = dev.dev_texts().unwrap();
        assert_eq!(texts.len(), 2);
        assert_eq!(texts[1].to, "13800138001");
        assert_eq!(texts[1].text, "two");
        let none = Gateway::new(SmsConfig::None);
        assert!(none.send("c", "13800138000", "x").await.is_err());
        assert!(none.dev_texts().is_none());
    }
}
