//! Qianyue's task runner: `cargo xtask <task>`.
//!
//! - `serve [--port N]`: install what the build needs, build the app in release mode, and run the
//!   receiver (crates/receiver) serving it and receiving consents (SQLite under `./data`).
//! - `test`: install what the tests need, then run every check (format, lint, native tests, the
//!   domain's wasm32 build, browser tests, end-to-end tests), printing each step's time.
//! - `bench`: run the benchmarks and write `bench-results/*.json`.
//! - `bytes`: where the app's bytes go: each wasm module and chunk of `dist/` (built already),
//!   raw and brotli, which deferred parts load it, and the journey's sums (docs/bytes.md).
//! - `postgres`: start the tests' throwaway PostgreSQL (TLS, loopback), print its URL for
//!   `QIANYUE_TEST_POSTGRES_URL`, and stop it when stdin ends or a line is entered.
//! - `static-serve [--port N]`: serve `dist/` (built already) as the end-to-end tests see it.
//! - `vector`: write the checked-in payload vector again (`crates/domain/examples/write_vector.rs`),
//!   after the content of the agreement changed; the domain's tests check that it verifies.
//!
//! Only the standard library: this runs first on a fresh machine, before anything is cached.

mod bench;
mod bench_app;
mod bench_content;
mod bench_embed;
mod bench_receiver;
mod bytes;
mod cmd;
mod demo;
mod demo_request;
mod engines;
mod postgres;
mod static_server;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench::run(&args[1..]),
        Some("build") => tools::ensure_build_tools().and_then(|()| build_app()),
        Some("bytes") => bytes::run(&root()),
        Some("static-serve") => static_serve(&args[1..]),
        Some("postgres") => postgres_for_tests(),
        Some("vector") => cmd::sh(
            &root(),
            "cargo run --quiet --package qianyue-domain --features test-support --example write_vector",
        ),
        // The journeys in every engine against dist/ (built already), as `test` runs them.
        Some("engines") => engines::journeys(&root(), &root().join("dist"), &mut Vec::new()),
        _ => {
            eprintln!(
                "usage: cargo xtask <serve [--port N] | test | bench [part…] | build | bytes | \
                 static-serve [--port N] | engines | postgres | vector>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    // `cargo run` (the `cargo xtask` alias) says where xtask is at run time; the path baked in
    // at compile time would be stale in a target directory moved from another checkout.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, else `target/` in the workspace).
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn port_arg(args: &[String], default: u16) -> Result<u16> {
    match args.iter().position(|a| a == "--port") {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| "--port takes a port number".to_owned()),
    }
}

/// The release build, split into its first load and deferred chunks (src/deferred.rs,
/// scripts/split.mjs).
fn build_app() -> Result {
    cmd::sh_env(
        &root(),
        "trunk build --release --features split",
        tools::WASM_STD_ENV,
    )
}

/// The receiver's binary as built for `profile` (`dev`, or `receiver` for `serve` and `bench`),
/// built first (a no-op when it is up to date).
pub fn receiver_binary(root: &Path, profile: &str) -> Result<PathBuf> {
    cmd::sh(
        root,
        &format!(
            "cargo build --profile {profile} --package qianyue-receiver --bin qianyue-receiver"
        ),
    )?;
    let dir = if profile == "dev" { "debug" } else { profile };
    Ok(target_dir(root)
        .join(dir)
        .join(format!("qianyue-receiver{}", std::env::consts::EXE_SUFFIX)))
}

/// A command that runs the receiver as built for `profile` (built first, as
/// [`receiver_binary`]), in the workspace root.
pub fn receiver_command(root: &Path, profile: &str) -> Result<Command> {
    let mut command = Command::new(receiver_binary(root, profile)?);
    command.current_dir(root);
    Ok(command)
}

fn serve(args: &[String]) -> Result {
    let port = port_arg(args, 8080)?;
    tools::ensure_build_tools()?;
    tools::ensure_serve_debs()?;
    build_app()?;
    // The receiver serves dist/ and receives consents (docs/receiver.md); it prints its URL, and
    // Ctrl-C stops it once the requests in flight are answered. The demo portal's origin is on
    // its frame-ancestors and CORS list, unless QIANYUE_FRAME_ANCESTORS says otherwise.
    let root = root();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    // Built first, in the open (cargo's own progress shows), then run directly: the URL is
    // printed only once the receiver answers.
    println!("Building the receiver (--profile receiver; the first build takes minutes)…");
    let mut receiver = receiver_command(&root, "receiver")?;
    receiver
        .env("QIANYUE_ADDR", addr.to_string())
        .env("QIANYUE_DIST", root.join("dist"));
    if std::env::var_os("QIANYUE_FRAME_ANCESTORS").is_none() {
        let demo = port.saturating_add(1);
        receiver.env(
            "QIANYUE_FRAME_ANCESTORS",
            format!("'self' http://localhost:{demo}"),
        );
    }
    // Codes are listed at /dev/sms rather than sent, unless a gateway is configured.
    let dev_sms =
        std::env::var_os("QIANYUE_SMS").is_none() && std::env::var_os("QIANYUE_SMS_URL").is_none();
    if dev_sms {
        receiver.env("QIANYUE_SMS", "dev");
    }
    // The back office's key: the configured one, or a development key made now.
    let (api_secret, dev_keys) = demo_request::api_key()?;
    if let Some(list) = &dev_keys {
        receiver.env("QIANYUE_API_KEYS", list);
    }
    // Webhooks are signed with QIANYUE_WEBHOOK_SECRET: a development one when none is set.
    let dev_webhook_secret = match std::env::var_os("QIANYUE_WEBHOOK_SECRET") {
        Some(_) => None,
        None => Some(demo_request::random_hex()?),
    };
    if let Some(secret) = &dev_webhook_secret {
        receiver.env("QIANYUE_WEBHOOK_SECRET", secret);
    }
    println!("Starting the receiver…");
    let mut child = receiver
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", receiver.get_program().display()))?;
    if let Err(e) = wait_until_healthy(addr, &mut child, std::time::Duration::from_secs(120)) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    println!("Qianyue is served at http://{addr}/ by the receiver (Ctrl-C stops it)");
    if dev_keys.is_some() {
        println!("Development API key (QIANYUE_API_KEYS=dev=…): {api_secret}");
    }
    if let Some(secret) = &dev_webhook_secret {
        println!("Development webhook secret (QIANYUE_WEBHOOK_SECRET): {secret}");
    }
    match demo_request::create(&root, addr, &api_secret) {
        Ok(link) => println!("A demo signing request (docs/requests.md): {link}"),
        Err(e) => eprintln!("warning: no demo signing request: {e}"),
    }
    if dev_sms {
        println!(
            "The texts with the signers' codes (QIANYUE_SMS=dev; nothing is sent): http://{addr}/dev/sms"
        );
    }
    let _demo = demo::start(&root, addr, &api_secret)?;
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the receiver stopped: {status}"))
    }
}

/// The test command's PostgreSQL, for running one test binary against it by hand.
fn postgres_for_tests() -> Result {
    let pg = postgres::Postgres::start()?;
    println!("QIANYUE_TEST_POSTGRES_URL={}", pg.url);
    println!("(press Enter, or close stdin, to stop it)");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    drop(pg);
    Ok(())
}

/// Polls `GET /healthz` until it answers 200, the receiver exits, or `limit` passes.
fn wait_until_healthy(
    addr: std::net::SocketAddr,
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> Result {
    let started = std::time::Instant::now();
    loop {
        if health_ok(addr) {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the receiver stopped before it answered: {status}"));
        }
        if started.elapsed() > limit {
            return Err(format!(
                "the receiver did not answer http://{addr}/healthz within {} s",
                limit.as_secs()
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// One `GET /healthz` over a plain TCP stream: whether it answered 200.
fn health_ok(addr: std::net::SocketAddr) -> bool {
    use std::io::{Read, Write};
    let timeout = std::time::Duration::from_secs(2);
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&addr, timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

fn static_serve(args: &[String]) -> Result {
    let port = port_arg(args, 8080)?;
    let server = static_server::Server::start(&root().join("dist"), port)?;
    println!("http://{}/", server.addr());
    server.wait();
    Ok(())
}

/// The app's browser tests (tests/browser/, one binary) and its unit tests, for wasm32: the
/// runner (wasm-bindgen-test-runner, .cargo/config.toml) drives the browser whose driver the
/// environment names (`CHROMEDRIVER` or `GECKODRIVER`).
const BROWSER_TESTS: &str = "cargo test --package qianyue --target wasm32-unknown-unknown";

fn test() -> Result {
    let mut steps = cmd::Steps::default();
    steps.run("install build tools", tools::ensure_build_tools)?;
    steps.run("install test tools", tools::ensure_test_tools)?;
    let root = root();
    let sh = |line: &str| cmd::sh(&root, line);
    steps.run("format", || sh("cargo fmt --all --check"))?;
    // The JavaScript the app ships beside the wasm (the embedding glue, the service worker).
    steps.run("JavaScript unit tests (node --test tests/js/)", || {
        sh("node --test tests/js/")
    })?;
    steps.run("clippy (native)", || {
        sh("cargo clippy --workspace --all-targets -- -D warnings")
    })?;
    steps.run("clippy (wasm32 app and browser tests)", || {
        sh("cargo clippy --package qianyue --all-targets --target wasm32-unknown-unknown -- -D warnings")
    })?;
    steps.run("native tests (with PostgreSQL on loopback)", || {
        // The receiver's tests run against SQLite and this server; it stops when dropped.
        let pg = postgres::Postgres::start()?;
        cmd::sh_env(
            &root,
            "cargo test --workspace",
            &[
                ("QIANYUE_TEST_POSTGRES_URL", pg.url.as_str()),
                ("QIANYUE_TEST_REQUIRE_POSTGRES", "1"),
            ],
        )
    })?;
    steps.run("domain crate for wasm32", || {
        sh("cargo build --package qianyue-domain --target wasm32-unknown-unknown")
    })?;
    // One binary, tests/browser/ (its parts: agreement, signing, outbox).
    steps.run(
        "browser tests (wasm-bindgen-test, headless Chromium)",
        || {
            cmd::sh_env(
                &root,
                BROWSER_TESTS,
                &[("CHROMEDRIVER", tools::CHROMEDRIVER)],
            )
        },
    )?;
    steps.run("release build (trunk)", build_app)?;
    steps.run("end-to-end tests (Playwright, headless Chromium)", || {
        // The offline test (tests/e2e/offline.spec.ts) starts and restarts the real receiver
        // itself: the debug binary, already built for the receiver's own tests.
        let receiver = receiver_binary(&root, "dev")?;
        let receiver = receiver.to_string_lossy().into_owned();
        let server = static_server::Server::start(&root.join("dist"), 0)?;
        let base_url = format!("http://{}", server.addr());
        let result = cmd::run_env_in(
            &root,
            "npx",
            &["playwright", "test"],
            &[
                ("QIANYUE_BASE_URL", base_url.as_str()),
                ("QIANYUE_RECEIVER_BIN", receiver.as_str()),
                // The journeys without a request run on a receiver in the open mode;
                // requests.spec.ts starts its own in the closed mode.
                ("QIANYUE_OPEN_SIGNING", "1"),
            ],
        );
        server.stop();
        result
    })?;
    // The envelope the seed journey signed in Chromium, verified with the domain crate and
    // POSTed to the receiver.
    steps.run("browser-signed envelope verified and accepted", || {
        for package in ["qianyue-domain", "qianyue-receiver"] {
            sh(&format!(
                "cargo test --package {package} --test browser_vector -- --ignored"
            ))?;
        }
        Ok(())
    })?;
    // Every engine signers use (docs/engines.md): wasm-bindgen-test in Firefox too, and the
    // journeys through WebDriver in Chromium, Firefox ESR and WebKitGTK, side by side.
    steps.run(
        "browser tests (wasm-bindgen-test, headless Firefox)",
        || {
            let geckodriver = tools::geckodriver();
            let mut test = cmd::line(BROWSER_TESTS);
            test.current_dir(&root)
                .env("GECKODRIVER", geckodriver)
                .env_remove("CHROMEDRIVER");
            let status = test
                .status()
                .map_err(|e| format!("cannot start cargo: {e}"))?;
            if status.success() {
                Ok(())
            } else {
                Err(format!("wasm-bindgen-test in Firefox failed ({status})"))
            }
        },
    )?;
    let mut outcomes = Vec::new();
    let journeys = steps.run(
        "journeys in Chromium, Firefox and WebKitGTK (WebDriver, side by side)",
        || engines::journeys(&root, &root.join("dist"), &mut outcomes),
    );
    engines::record(&mut steps, &outcomes);
    journeys?;
    steps.summary();
    Ok(())
}
