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
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("receipt-key") {
        return receipt_key(&args[1..]);
    }
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
    if cfg!(feature = "bench-unsealed") {
        eprintln!(
            "qianyue-receiver: warning: built with the feature bench-unsealed: consents are \
             stored WITHOUT encryption at rest; for the benchmark's baseline only"
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

/// `qianyue-receiver receipt-key <current|next|previous> [seed file]`: prints a line of the
/// receipt keys file (docs/receiver.md, "The receipt keys") for a new key, or for the 32-byte
/// seed in the file given (the development key `receiver-ed25519.key`).
fn receipt_key(args: &[String]) -> ExitCode {
    use qianyue_receiver::keys::{key_line, Role};
    let usage = "usage: qianyue-receiver receipt-key <current|next|previous> [seed file]";
    let (role, seed_file) = match args {
        [role] => (Role::parse(role), None),
        [role, file] => (Role::parse(role), Some(std::path::Path::new(file))),
        _ => (None, None),
    };
    let Some(role) = role else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    match key_line(role, seed_file) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qianyue-receiver: {e}");
            ExitCode::FAILURE
        }
    }
}
