//! # qianyue-receiver
//!
//! The product's back end: serves the built app with its security headers, and receives
//! signed consents (`POST /api/consents`): verifies the signature, re-checks every rule with the
//! domain crate, stores the consent durably, and answers a receipt signed with its Ed25519 key.
//! `docs/receiver.md` describes the configuration, the API and what survives a crash.
//!
//! - [`config`]: environment variables.
//! - [`api`]: the HTTP handlers.
//! - [`store`]: SQLite or PostgreSQL, group-committed, durable before answering.
//! - [`keys`]: the receipt keys: `QIANYUE_RECEIPT_KEY_FILE`, or one under the data directory.
//! - [`assets`]: the app's files, precompressed, and the CSP.
//! - [`embed`]: the portal's embedding: `/embed-config.json` and CORS for the listed origins.
//! - [`transport`]: the connection loop: timeouts, caps, graceful shutdown with a deadline.
//! - [`access`]: rate limits, load shedding, the back-office token and its audit log.
//! - [`office`]: the back office's API: scoped keys, lists and search, CSV and ZIP exports.
//! - [`files`]: the data files' permissions.
//! - [`seal`]: personal data at rest: AES-256-GCM under the data keys of
//!   `QIANYUE_DATA_KEY_FILE`.
//! - [`requests`]: signing requests: the back office's `/api/requests`, the app's
//!   `/api/signing/{token}`; [`requests::identity`]: the signer's SMS code and the consent of
//!   a request; [`requests::staff`]: staff devices, their enrolment and signed calls, and
//!   consents witnessed in person (issue 19).
//! - [`sms`]: the SMS gateway (`dev` in memory at `/dev/sms`, or an HTTP gateway).
//! - [`webhooks`]: the request events' deliveries to `callback_url`: the durable queue, the
//!   sender, expiry sweeping.

pub mod access;
pub mod api;
pub mod assets;
pub mod config;
pub mod embed;
pub mod error;
pub mod evidence;
pub mod files;
pub mod keys;
pub mod office;
pub mod pg_nodelay;
pub mod requests;
pub mod seal;
pub mod sms;
pub mod store;
pub mod transport;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

use crate::assets::Assets;
use crate::config::Config;
use crate::keys::ReceiptKey;
use crate::store::{Store, Writer};

/// What every handler shares.
pub struct App {
    pub config: Config,
    pub store: Store,
    pub key: ReceiptKey,
    pub assets: Assets,
    /// The Content-Security-Policy header value.
    pub csp: HeaderValue,
    /// Rate limits, the consent-processing cap and the audit log.
    pub guard: access::Guard,
    /// The SMS gateway of the signer's codes.
    pub sms: sms::Gateway,
    /// Per-client limits of code sending and checking.
    pub codes: requests::identity::CodeGuard,
    /// The evidence PDF's font (`QIANYUE_PDF_FONT`), read once at start.
    pub evidence_fonts: Arc<evidence::EvidenceFonts>,
}

/// The router: the API, the app's files, JSON refusals, security headers on every response.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/api/consents",
            // The handler applies the limit itself (so that a refusal is JSON).
            post(api::post_consent)
                .layer(DefaultBodyLimit::disable())
                .get(office::list_consents),
        )
        .route("/api/consents/export.csv", get(office::export_csv))
        .route("/api/consents/export.zip", get(office::export_zip))
        .route("/api/consents/{id}", get(api::get_consent))
        .route(
            "/api/consents/{id}/evidence.pdf",
            get(evidence::get_evidence),
        )
        .route("/api/keys", get(api::get_keys))
        .route(
            "/api/requests",
            post(requests::create)
                .layer(DefaultBodyLimit::disable())
                .get(office::list_requests),
        )
        .route(
            "/api/requests/{id}",
            get(requests::get).delete(requests::delete),
        )
        .route("/api/signing/{token}", get(requests::signing))
        .route("/api/signing", get(requests::identity::open_signing))
        .route(
            "/api/signing/{token}/code",
            post(requests::identity::send_code),
        )
        .route(
            "/api/signing/{token}/verify",
            post(requests::identity::verify_code).layer(DefaultBodyLimit::disable()),
        )
        .route("/dev/sms", get(requests::identity::dev_sms))
        // Staff devices and witnessed consents (issue 19, docs/staff.md).
        .route(
            "/api/devices",
            post(requests::staff::create_device)
                .get(requests::staff::list_devices)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/devices/{id}",
            axum::routing::delete(requests::staff::revoke_device),
        )
        .route(
            "/api/devices/enrol",
            post(requests::staff::enrol).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/staff/requests",
            get(requests::staff::assigned_requests),
        )
        .route(
            "/api/attachments/{sha256}",
            axum::routing::put(requests::staff::put_attachment).layer(DefaultBodyLimit::disable()),
        )
        .route("/healthz", get(api::healthz))
        .route("/embed-config.json", get(embed::config))
        .fallback(api::fallback)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            embed::cors,
        ))
        .layer(axum::middleware::map_response_with_state(
            app.clone(),
            security_headers,
        ))
        .with_state(app)
}

async fn security_headers(State(app): State<Arc<App>>, mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, app.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    response
}

/// A receiver that is listening.
pub struct Running {
    pub addr: SocketAddr,
    pub store: Store,
    server: tokio::task::JoinHandle<()>,
    writer: Writer,
    webhooks: webhooks::Sender,
    stop: tokio::sync::oneshot::Sender<()>,
}

/// Opens the store, loads the key and the app's files, and starts listening.
pub async fn start(config: Config) -> Result<Running, String> {
    let assets = match &config.dist {
        Some(dist) => Assets::load(dist)?,
        None => Assets::default(),
    };
    let csp = assets::csp(&assets.script_hashes, &config.frame_ancestors);
    let csp = HeaderValue::from_str(&csp).map_err(|e| format!("bad CSP: {e}"))?;
    files::prepare(&config.data_dir, &config.database_url)?;
    let key = ReceiptKey::load(config.receipt_key_file.as_deref(), &config.data_dir)?;
    // Without its font the receiver does not start (rather than fail each download later).
    let evidence_fonts = Arc::new(evidence::EvidenceFonts::load(config.pdf_font.as_deref())?);
    let guard = access::Guard::new(&config.transport, &config.data_dir)?;
    let key_source = seal::KeySource::of(config.data_key_file.as_deref(), &config.data_dir);
    let (store, writer) = Store::open(&config.database_url, key_source)
        .await
        .map_err(|e| format!("cannot open the store {}: {e}", config.database_display()))?;
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = transport::local_addr(&listener)?;
    let settings = config.transport.clone();
    let sms = sms::Gateway::new(config.sms.clone());
    let codes =
        requests::identity::CodeGuard::new(config.code_limits, settings.rate_limit_loopback);
    let webhooks = webhooks::Sender::start(store.clone(), config.webhooks.clone());
    let app = Arc::new(App {
        config,
        store: store.clone(),
        key,
        assets,
        csp,
        guard,
        sms,
        codes,
        evidence_fonts,
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(transport::serve(listener, router(app), settings, async {
        let _ = stopped.await;
    }));
    Ok(Running {
        addr,
        store,
        server,
        writer,
        webhooks,
        stop,
    })
}

impl Running {
    /// Stops accepting connections, lets the requests in flight finish (each answered only
    /// after its consent is stored) until the shutdown deadline, cuts what is left (nothing it
    /// was sent has been acknowledged), then closes the store.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
        // The webhooks' sender hands back a delivery it was sending (sent again later).
        self.webhooks.stop().await;
        // Every handler has answered; the queue is empty. Close the pool, then wait for the
        // writer (bounded: it ends when its queue has no sender left).
        self.store.close().await;
        drop(self.store);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.writer.finish()).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
