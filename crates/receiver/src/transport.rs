//! The connection loop and what protects it (docs/receiver.md "Transport and access"):
//!
//! - hyper's HTTP/1.1 server with a timer: a request head not received within the header
//!   timeout closes the connection. hyper starts that timer whenever the connection waits for
//!   a head — right after it is accepted and again after each answer on a keep-alive
//!   connection — so the same timeout is the idle keep-alive timeout.
//! - At most `max_connections` open connections: beyond that, new ones wait in the kernel's
//!   accept queue (a semaphore taken before `accept`).
//! - Graceful shutdown with a deadline: on the signal, stop accepting, let each connection
//!   finish the request it is serving, and cut whatever is left at the deadline. A consent is
//!   answered 201 only after its commit, so nothing acknowledged is lost by the cut.
//! - [`Settings`]: these limits and the access ones ([`crate::access`]), from the environment.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The transport and access settings (every one an environment variable with a default).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `QIANYUE_HEADER_TIMEOUT_MS`: a request head must arrive within this time, counted from
    /// the connection's start or its previous answer (so also the keep-alive idle timeout).
    /// Default 10000, at most 10000.
    pub header_timeout: Duration,
    /// `QIANYUE_MAX_CONNECTIONS`: open connections at most. Default 1024.
    pub max_connections: usize,
    /// `QIANYUE_MAX_CONCURRENT_CONSENTS`: consents being verified and stored at once; one more
    /// is answered 503 `server.busy` with `Retry-After`. Default 256.
    pub max_concurrent_consents: usize,
    /// `QIANYUE_SHUTDOWN_DEADLINE_MS`: how long a graceful shutdown waits for the requests in
    /// flight before cutting them. Default 30000.
    pub shutdown_deadline: Duration,
    /// `QIANYUE_CONSENTS_PER_MINUTE`: `POST /api/consents` per client address and minute (a
    /// token bucket holding as many); beyond it 429 `request.rate_limited`. 0: no limit.
    /// Default 60.
    pub consents_per_minute: u32,
    /// `QIANYUE_RATE_LIMIT_LOOPBACK`: `1` also limits clients on 127.0.0.0/8 and ::1, which are
    /// exempt by default (the operator's own machine, the tests and the benchmark).
    pub rate_limit_loopback: bool,
    /// `QIANYUE_ADMIN_FAILURES_PER_MINUTE`: wrong back-office tokens per client address and
    /// minute before it is answered 429. Default 10.
    pub admin_failures_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_concurrent_consents: 256,
            shutdown_deadline: Duration::from_secs(30),
            consents_per_minute: 60,
            rate_limit_loopback: false,
            admin_failures_per_minute: 10,
        }
    }
}

fn number(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                format!(
                    "{name} must be a number from {} to {} (got {v:?})",
                    range.start(),
                    range.end()
                )
            }),
    }
}

impl Settings {
    /// Reads the settings through `var` (the environment, or a test's map).
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let d = Settings::default();
        let ms = |name: &str, range, default: Duration| {
            number(var, name, range, default.as_millis() as u64).map(Duration::from_millis)
        };
        let rate_limit_loopback = match var("QIANYUE_RATE_LIMIT_LOOPBACK").as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(v) => {
                return Err(format!(
                    "QIANYUE_RATE_LIMIT_LOOPBACK must be 0 or 1 (got {v:?})"
                ))
            }
        };
        Ok(Settings {
            header_timeout: ms("QIANYUE_HEADER_TIMEOUT_MS", 100..=10_000, d.header_timeout)?,
            max_connections: number(var, "QIANYUE_MAX_CONNECTIONS", 1..=1_000_000, 1024)? as usize,
            max_concurrent_consents: number(
                var,
                "QIANYUE_MAX_CONCURRENT_CONSENTS",
                1..=65_536,
                256,
            )? as usize,
            shutdown_deadline: ms(
                "QIANYUE_SHUTDOWN_DEADLINE_MS",
                0..=3_600_000,
                d.shutdown_deadline,
            )?,
            consents_per_minute: number(var, "QIANYUE_CONSENTS_PER_MINUTE", 0..=1_000_000, 60)?
                as u32,
            rate_limit_loopback,
            admin_failures_per_minute: number(
                var,
                "QIANYUE_ADMIN_FAILURES_PER_MINUTE",
                1..=10_000,
                10,
            )? as u32,
        })
    }
}

/// Refuses a PostgreSQL URL that reaches another host without asking for TLS
/// (`sslmode=require`, `verify-ca` or `verify-full`); loopback hosts and Unix sockets may go
/// without. `PGSSLMODE` counts when the URL names no mode (sqlx reads it then).
pub fn check_database_tls(url: &str, pgsslmode: Option<&str>) -> Result<(), String> {
    let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    else {
        return Ok(());
    };
    let (authority, query) = match rest.split_once('?') {
        Some((a, q)) => (a, q),
        None => (rest, ""),
    };
    let authority = authority.split('/').next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    let param = |name: &str| {
        query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then_some(v)
        })
    };
    // `?host=/run/postgresql` (a socket directory) overrides the authority's host.
    let host = param("host").unwrap_or(host);
    let local = host.is_empty()
        || host.starts_with('/')
        || host.starts_with("%2F")
        || host.starts_with("%2f")
        || host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let mode = param("sslmode").or(pgsslmode).unwrap_or("prefer");
    let tls = matches!(mode, "require" | "verify-ca" | "verify-full");
    if local || tls {
        Ok(())
    } else {
        Err(format!(
            "DATABASE_URL reaches {host} without TLS (sslmode={mode}): add \
             sslmode=verify-full&sslrootcert=/path/to/ca.pem (docs/receiver.md)"
        ))
    }
}

/// Origins of `QIANYUE_FRAME_ANCESTORS` served over plain `http:` to a host other than
/// localhost: a portal there can be impersonated on the network. Warned about at start-up.
pub fn insecure_origins(list: Option<&str>) -> Vec<String> {
    list.unwrap_or("")
        .split_whitespace()
        .filter(|o| {
            let Some(host) = o.strip_prefix("http://") else {
                return false;
            };
            let host = host.split('/').next().unwrap_or("");
            let name = if let Some(v6) = host.strip_prefix('[') {
                v6.split(']').next().unwrap_or("")
            } else {
                host.split(':').next().unwrap_or("")
            };
            !(name.eq_ignore_ascii_case("localhost")
                || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()))
        })
        .map(str::to_owned)
        .collect()
}

/// The client's address, as the connection loop recorded it (unspecified when a router is
/// driven without it, as in a unit test).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Peer, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Peer>()
            .copied()
            .unwrap_or(Peer(IpAddr::from([0, 0, 0, 0]))))
    }
}

/// Accepts connections and serves `router` on each until `stop` resolves, then shuts down
/// gracefully within `settings.shutdown_deadline`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: Settings,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        // Reap the connections that have ended.
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => match s {
                Ok(s) => s,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (tcp, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Answers are small and written at once: do not let Nagle hold their last segment back.
        let _ = tcp.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            // An IPv4 client of a dual-stack listener is seen as ::ffff:a.b.c.d.
            request
                .extensions_mut()
                .insert(Peer(peer.ip().to_canonical()));
            let mut router = router.clone();
            tower_service::Service::call(&mut router, request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
        connections.spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(settings.shutdown_deadline, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "qianyue-receiver: shutdown deadline ({} ms) reached; cutting {} connection(s) \
             (nothing they were sent was acknowledged)",
            settings.shutdown_deadline.as_millis(),
            connections.len()
        );
    }
    connections.shutdown().await;
}

/// An accept error: a connection that failed before it was accepted is skipped; anything
/// else (out of file descriptors) is waited out rather than spun on.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    eprintln!("qianyue-receiver: accept failed: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// The address a listener got (for `Running`).
pub fn local_addr(listener: &TcpListener) -> Result<SocketAddr, String> {
    listener.local_addr().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn defaults_bounds_and_refusals() {
        assert_eq!(settings(&[]).unwrap(), Settings::default());
        assert_eq!(
            settings(&[("QIANYUE_HEADER_TIMEOUT_MS", "1500")])
                .unwrap()
                .header_timeout,
            Duration::from_millis(1500)
        );
        // The header timeout is at most 10 s.
        assert!(settings(&[("QIANYUE_HEADER_TIMEOUT_MS", "10001")]).is_err());
        assert!(settings(&[("QIANYUE_MAX_CONNECTIONS", "0")]).is_err());
        assert!(settings(&[("QIANYUE_MAX_CONCURRENT_CONSENTS", "x")]).is_err());
        assert!(settings(&[("QIANYUE_RATE_LIMIT_LOOPBACK", "yes")]).is_err());
        let s = settings(&[
            ("QIANYUE_CONSENTS_PER_MINUTE", "0"),
            ("QIANYUE_RATE_LIMIT_LOOPBACK", "1"),
        ])
        .unwrap();
        assert_eq!((s.consents_per_minute, s.rate_limit_loopback), (0, true));
    }

    #[test]
    fn a_remote_database_must_ask_for_tls() {
        let ok = |u: &str| check_database_tls(u, None).is_ok();
        assert!(ok("postgres://q@127.0.0.1:5432/q"));
        assert!(ok("postgres://q@localhost/q"));
        assert!(ok("postgres://q@[::1]:5432/q"));
        assert!(ok("postgres:///q?host=/run/postgresql"));
        assert!(ok("sqlite:///tmp/x?mode=rwc"));
        assert!(ok(
            "postgres://q:pw@db.internal:5432/q?sslmode=verify-full&sslrootcert=/ca.pem"
        ));
        assert!(ok("postgresql://q@10.0.0.5/q?sslmode=require"));
        let e = check_database_tls("postgres://q:pw@db.internal:5432/q", None).unwrap_err();
        assert!(
            e.contains("db.internal") && e.contains("sslmode=prefer"),
            "{e}"
        );
        assert!(!ok("postgres://q@10.0.0.5/q?sslmode=disable"));
        assert!(!ok("postgres://q@10.0.0.5/q?sslmode=prefer"));
        // The environment's mode counts when the URL names none, not over it.
        assert!(check_database_tls("postgres://q@10.0.0.5/q", Some("verify-full")).is_ok());
        assert!(
            check_database_tls("postgres://q@10.0.0.5/q?sslmode=allow", Some("require")).is_err()
        );
    }

    #[test]
    fn plain_http_origins_off_loopback_are_flagged() {
        assert_eq!(
            insecure_origins(Some(
                "'self' http://localhost:8081 http://127.0.0.1 https://portal.example.com \
                 http://portal.example.com:8080"
            )),
            vec!["http://portal.example.com:8080".to_owned()]
        );
        assert!(insecure_origins(None).is_empty());
    }
}
