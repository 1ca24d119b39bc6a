//! `cargo xtask bench`, the signing app: what its first load transfers, how long a keystroke
//! takes to show its message (at 1 and at 100 product lines), and how soon the form is
//! interactive beside the static page of the content benchmark. Writes
//! `bench-results/app.json`; the measuring is `tests/bench/app.mjs` (Chromium via Playwright).
//!
//! Budgets (issue 4): first-load wasm + JS + CSS at most 200 000 bytes brotli; keystroke to
//! message p95 at most 4 ms at both sizes. The JSON says whether each is met; a miss is
//! reported, not an error (these are measurements on shared machines, not tests).

use std::path::Path;
use std::process::Stdio;

use crate::cmd::command;
use crate::static_server::Server;
use crate::Result;

const SCRIPT: &str = "tests/bench/app.mjs";

pub fn run(root: &Path, out_dir: &Path) -> Result {
    crate::tools::ensure_build_tools()?;
    crate::tools::ensure_test_tools()?;
    crate::build_app()?;
    let runs = std::env::var("QIANYUE_BENCH_RUNS").unwrap_or_else(|_| "15".to_owned());
    // The static page's time to complete text, from the content benchmark run just before.
    let content = out_dir.join("content.json").display().to_string();
    let server = Server::start(&root.join("dist"), 0)?;
    let base = format!("http://{}", server.addr());
    let output = command("node", &[SCRIPT, &base, &runs, &content])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output();
    server.stop();
    let output = output.map_err(|e| format!("cannot start node: {e}"))?;
    if !output.status.success() {
        return Err(format!("{SCRIPT} failed ({})", output.status));
    }
    let json = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let out = out_dir.join("app.json");
    std::fs::write(&out, format!("{json}\n"))
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("bench-results/app.json:\n{json}");
    Ok(())
}
