//! `qianyue-receiver`: serve the app and receive consents (configuration: docs/receiver.md).

use std::process::ExitCode;

use qianyue_receiver::config::Config;

/// mimalloc rather than the system allocator: see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // Every file made from here on (the database, its WAL, the key, the audit log) is the
    // owner's only (src/files.rs).
    qianyue_receiver::files::owner_only_umask();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("qianyue-receiver: {e}");
            return ExitCode::from(2);
        }
    };
    for origin in qianyue_receiver::transport::insecure_origins(
        std::env::var("QIANYUE_FRAME_ANCESTORS").ok().as_deref(),
    ) {
        eprintln!(
            "qianyue-receiver: warning: QIANYUE_FRAME_ANCESTORS lists {origin}, plain http \
             outside localhost: a portal served that way can be impersonated on the network"
        );
    }
    if config.sms == qianyue_receiver::sms::SmsConfig::Dev {
        eprintln!(
            "qianyue-receiver: warning: QIANYUE_SMS=dev: one-time codes are not sent but listed \
             at /dev/sms to anyone who asks; for development only"
        );
    }
    let store = config.database_display();
    let app = match &config.dist {
        Some(d) => format!("the app from {}", d.display()),
        None => "no app (API only)".to_owned(),
    };
    let running = match qianyue_receiver::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("qianyue-receiver: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The first line is read by scripts and tests: keep its shape. A closed stdout must not
    // stop the server, so write errors are ignored (println! would panic).
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on http://{}/", running.addr);
        let _ = writeln!(
            out,
            "serving {app}; consents stored in {store}; Ctrl-C stops"
        );
        let _ = out.flush();
    }
    qianyue_receiver::shutdown_signal().await;
    eprintln!("qianyue-receiver: stopping (finishing requests in flight)");
    running.shutdown().await;
    ExitCode::SUCCESS
}
