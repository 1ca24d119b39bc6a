//! Installing what the build and the tests need, each step skipped when the pinned version is
//! already there (a second run costs seconds). Sources: the Rust toolchain's own targets,
//! crates.io (Trunk, wasm-bindgen CLI, geckodriver), npm (binaryen's wasm-opt, Playwright,
//! selenium-webdriver), Debian (Chromium, chromedriver, Firefox ESR, WebKitGTK's WebDriver, Xvfb,
//! a CJK font). Nothing is downloaded from anywhere else.

use std::path::Path;

use crate::cmd::{output, run_env_in, run_in};
use crate::{root, Result};

pub const TRUNK_VERSION: &str = "0.21.14";
/// `wasm-split-cli`, which cuts the deferred chunks out of the release wasm (scripts/split.mjs);
/// its format must match the `wasm_split_helpers` that leptos links (Cargo.lock).
pub const WASM_SPLIT_VERSION: &str = "0.2.4";
/// The release wasm's standard library, rebuilt for it: optimised for size, and with panics that
/// abort at once, without the formatting and messages that nobody on a phone reads (a panic
/// aborts the app either way). These are unstable options of the pinned stable compiler, hence
/// `RUSTC_BOOTSTRAP`; they apply to the Trunk build only (scripts/prerender.mjs removes them for
/// its native build). Needs the `rust-src` component. With them, Leptos's views type-erased
/// (`erase_components`: one `AnyView` per component instead of a type per view tree). Both in
/// docs/decisions.md "Build".
pub const WASM_STD_ENV: &[(&str, &str)] = &[
    ("RUSTC_BOOTSTRAP", "1"),
    ("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort"),
    ("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size"),
    (
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
        "-Zunstable-options -Cpanic=immediate-abort --cfg erase_components",
    ),
];
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// geckodriver (Firefox's WebDriver server), from crates.io: Debian ships none.
pub const GECKODRIVER_VERSION: &str = "0.37.1";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// WebKitGTK's WebDriver server and the browser it drives (docs/engines.md).
pub const WEBKITWEBDRIVER: &str = "/usr/bin/WebKitWebDriver";
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
pub const XVFB: &str = "/usr/bin/Xvfb";
/// Debian packages the browser tests need: the browser, its driver, and a CJK font so that
/// Chinese renders as glyphs in screenshots; and brotli, for the content benchmark's sizes;
/// PostgreSQL, for the receiver's store tests; Firefox ESR, WebKitGTK's WebDriver (with its
/// MiniBrowser) and the X server it needs, for the journeys in every engine (tests/engines/);
/// poppler-utils, whose pdftotext, pdfdetach and pdftoppm check the receiver's evidence PDF
/// (crates/receiver/tests/evidence.rs).
const TEST_DEBS: &[&str] = &[
    "chromium",
    "chromium-driver",
    "fonts-wqy-zenhei",
    "brotli",
    "postgresql-15",
    "firefox-esr",
    "webkit2gtk-driver",
    "xvfb",
    "poppler-utils",
];

/// Debian packages the receiver needs to run: the evidence PDF's default font (a receiver
/// without it does not start, unless `QIANYUE_PDF_FONT` names another; docs/receiver.md).
const SERVE_DEBS: &[&str] = &["fonts-wqy-zenhei"];

/// Installs [`SERVE_DEBS`] that are missing (`cargo xtask serve`), unless `QIANYUE_PDF_FONT`
/// names the font to use.
pub fn ensure_serve_debs() -> Result {
    if std::env::var_os("QIANYUE_PDF_FONT").is_some() {
        return Ok(());
    }
    install_missing_debs(SERVE_DEBS)
}

/// Installs those of `debs` that are not installed (one `apt-get update` first, only then).
fn install_missing_debs(debs: &[&str]) -> Result {
    let missing: Vec<&str> = debs
        .iter()
        .copied()
        .filter(|deb| !deb_installed(deb))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root = root();
    run_in(&root, "apt-get", &["update"])?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend(&missing);
    run_env_in(
        &root,
        "apt-get",
        &args,
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}

pub fn ensure_build_tools() -> Result {
    let root = root();
    let installed_targets =
        output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed_targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        run_in(
            &root,
            "rustup",
            &["target", "add", "wasm32-unknown-unknown"],
        )?;
    }

    let bindgen = wasm_bindgen_version_in_lockfile(&root)?;
    let have_bindgen = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have_bindgen.split_whitespace().nth(1) != Some(bindgen.as_str()) {
        // Not --locked: the CLI's lockfile names a webpki-roots version the registry lacks.
        run_in(
            &root,
            "cargo",
            &[
                "install",
                "wasm-bindgen-cli",
                "--version",
                &format!("={bindgen}"),
            ],
        )?;
    }

    let have_trunk = output("trunk", &["--version"]).unwrap_or_default();
    if have_trunk.split_whitespace().nth(1) != Some(TRUNK_VERSION) {
        run_in(
            &root,
            "cargo",
            &[
                "install",
                "--locked",
                "trunk",
                "--version",
                &format!("={TRUNK_VERSION}"),
            ],
        )?;
    }

    // The release build's post-build step (scripts/split.mjs) cuts the deferred chunks out.
    // (It has no --version: cargo's list of installed packages says which one is there.)
    let installed = output("cargo", &["install", "--list"]).unwrap_or_default();
    let pinned = format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:");
    if !installed.lines().any(|l| l == pinned) || output("wasm-split-cli", &["--help"]).is_none() {
        run_in(
            &root,
            "cargo",
            &[
                "install",
                "--locked",
                "wasm_split_cli_support",
                "--features",
                "build-binary",
                "--version",
                &format!("={WASM_SPLIT_VERSION}"),
            ],
        )?;
    }

    let components = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if !components.lines().any(|c| c.trim().starts_with("rust-src")) {
        run_in(&root, "rustup", &["component", "add", "rust-src"])?;
    }

    ensure_node_packages(&root)?;
    // Trunk runs with `offline = true`: have every crate in the local registry first, the
    // standard library's own dependencies among them (WASM_STD_ENV).
    run_in(&root, "cargo", &["fetch"])?;
    run_env_in(
        &root,
        "cargo",
        &["fetch", "--target", "wasm32-unknown-unknown"],
        WASM_STD_ENV,
    )
}

pub fn ensure_test_tools() -> Result {
    install_missing_debs(TEST_DEBS)?;
    for binary in [
        CHROMIUM,
        CHROMEDRIVER,
        FIREFOX,
        WEBKITWEBDRIVER,
        MINIBROWSER,
        XVFB,
    ] {
        if !Path::new(binary).exists() {
            return Err(format!(
                "{binary} is missing after installing {TEST_DEBS:?}"
            ));
        }
    }
    ensure_geckodriver()
}

/// geckodriver at the pinned version (it prints `geckodriver 0.37.1 (…)`).
fn ensure_geckodriver() -> Result {
    let have = output("geckodriver", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(GECKODRIVER_VERSION) {
        return Ok(());
    }
    run_in(
        &root(),
        "cargo",
        &[
            "install",
            "--locked",
            "geckodriver",
            "--version",
            &format!("={GECKODRIVER_VERSION}"),
        ],
    )
}

/// Where `geckodriver` is: the cargo-installed one (cmd::path_env puts `~/.cargo/bin` first).
pub fn geckodriver() -> String {
    crate::cmd::path_env()
        .split(':')
        .map(|dir| Path::new(dir).join("geckodriver"))
        .find(|p| p.is_file())
        .map_or_else(|| "geckodriver".to_owned(), |p| p.display().to_string())
}

fn deb_installed(package: &str) -> bool {
    output("dpkg-query", &["-W", "-f=${Status}", package])
        .is_some_and(|status| status.contains("install ok installed"))
}

/// `npm ci` when node_modules is missing or older than the lockfile. A node_modules that is a
/// symbolic link (a worktree sharing another checkout's packages) is left alone: `npm ci` would
/// empty the directory it points to.
fn ensure_node_packages(root: &Path) -> Result {
    let modules = root.join("node_modules");
    if std::fs::symlink_metadata(&modules).is_ok_and(|m| m.file_type().is_symlink()) {
        return if modules.join(".bin/wasm-opt").exists() {
            Ok(())
        } else {
            Err(format!(
                "{} links to packages without wasm-opt: run `npm ci` where it points",
                modules.display()
            ))
        };
    }
    let lock = root.join("package-lock.json");
    let marker = root.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&marker), modified(&lock)), (Some(m), Some(l)) if m >= l);
    if fresh && root.join("node_modules/.bin/wasm-opt").exists() {
        return Ok(());
    }
    run_env_in(
        root,
        "npm",
        &["ci", "--no-audit", "--no-fund"],
        // Playwright drives Debian's Chromium; it must not fetch a browser build of its own.
        &[("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")],
    )
}

/// The `wasm-bindgen` version Cargo.lock pins (the CLI must be exactly that version).
pub fn wasm_bindgen_version_in_lockfile(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen package".to_owned())
}
