//! `cargo xtask bench app`, the signing app: what its first load transfers, how long a keystroke
//! takes to show its message (at 1 and at 100 product lines), how soon the form is interactive,
//! and the reader's whole journey on a phone and on a desktop beside a static copy of the same
//! rendered page, in the same run and served the same way. Writes `bench-results/app.json`; the
//! measuring is `tests/bench/app.mjs` (Chromium via Playwright).
//!
//! The files of `dist/` are served brotli-compressed (quality 11, as a production server would
//! send them): each gets a `<file>.br` sibling for the run, removed afterwards, and so does the
//! static copy of the page the script writes (`dist/bench-app-static.html`). Each wasm file but
//! the main module also gets a `<file>.dcb`, compressed with the main module as its dictionary
//! (`qianyue_dcb`), which the server sends as the receiver does to a browser that holds it.
//!
//! Budgets (issues 4 and 20): first-load wasm + JS + CSS at most 200 000 bytes brotli; desktop
//! keystroke to message p95 at most 4 ms at both sizes; on the phone profile first contentful
//! paint at most 1.1× the static page's, tap → usable form at most 150 ms, focus → signing step
//! at most 100 ms, keystroke p95 at most 8 ms at 100 lines; the whole journey at most 300 KB.
//! The JSON says whether each is met; a miss is reported, not an error (these are
//! measurements on shared machines, not tests).
//!
//! `QIANYUE_BENCH_RUNS` (default 15): loads of the desktop profile; `QIANYUE_BENCH_MOBILE_RUNS`
//! (default 5): journeys of the phone profile (each app and static page, alternated).

use std::path::Path;
use std::process::Stdio;

use crate::cmd::command;
use crate::static_server::Server;
use crate::Result;

const SCRIPT: &str = "tests/bench/app.mjs";
/// The static copy of the app's first screen that the script writes into `dist/`.
const STATIC_PAGE: &str = "bench-app-static.html";
/// What gets a precompressed sibling: the text and wasm files a browser fetches.
const COMPRESSED: [&str; 7] = ["html", "js", "wasm", "css", "json", "webmanifest", "svg"];

pub fn run(root: &Path, out_dir: &Path) -> Result {
    crate::tools::ensure_build_tools()?;
    crate::tools::ensure_test_tools()?;
    crate::build_app()?;
    let runs = std::env::var("QIANYUE_BENCH_RUNS").unwrap_or_else(|_| "15".to_owned());
    let mobile_runs = std::env::var("QIANYUE_BENCH_MOBILE_RUNS").unwrap_or_else(|_| "5".to_owned());
    // The static page's time to complete text, from the content benchmark run just before.
    let content = out_dir.join("content.json").display().to_string();
    let dist = root.join("dist");
    let compressed = precompress(&dist)?;
    let server = Server::start(&dist, 0)?;
    let base = format!("http://{}", server.addr());
    let output = command(
        "node",
        &[SCRIPT, &base, &runs, &content, &mobile_runs, STATIC_PAGE],
    )
    .current_dir(root)
    .stderr(Stdio::inherit())
    .output();
    server.stop();
    for file in compressed {
        let _ = std::fs::remove_file(file);
    }
    let _ = std::fs::remove_file(dist.join(STATIC_PAGE));
    let _ = std::fs::remove_file(dist.join(format!("{STATIC_PAGE}.br")));
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

/// Writes `<file>.br` (brotli -q 11) beside every file of `dir` and its folders that a browser
/// fetches; returns the files written.
fn precompress(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries =
            std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !COMPRESSED.contains(&ext) {
                continue;
            }
            let file = path.display().to_string();
            let status = command("brotli", &["-k", "-f", "-q", "11", &file])
                .status()
                .map_err(|e| format!("cannot run brotli: {e}"))?;
            if !status.success() {
                return Err(format!("brotli failed on {file}"));
            }
            let mut br = path.into_os_string();
            br.push(".br");
            written.push(br.into());
        }
    }
    written.extend(with_dictionary(dir)?);
    Ok(written)
}

/// Writes `<file>.dcb` beside every wasm file of `dir` but the main module, which is their
/// dictionary (`qianyue_dcb`); returns the files written.
fn with_dictionary(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut wasm = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".wasm") {
            wasm.push((format!("/{name}"), path));
        }
    }
    let Some((_, main)) = qianyue_dcb::the_dictionary(&wasm, |(url, _)| url) else {
        return Err(format!(
            "{} has not one main module (*_bg.wasm)",
            dir.display()
        ));
    };
    let dictionary = std::fs::read(main).map_err(|e| format!("{}: {e}", main.display()))?;
    let dictionary = &dictionary;
    std::thread::scope(|scope| {
        let jobs: Vec<_> = wasm
            .iter()
            .filter(|(url, _)| qianyue_dcb::uses_dictionary(url))
            .map(|(_, path)| {
                scope.spawn(move || -> Result<Option<std::path::PathBuf>> {
                    let data =
                        std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
                    let mut dcb = path.clone().into_os_string();
                    dcb.push(".dcb");
                    let dcb = std::path::PathBuf::from(dcb);
                    // Kept only where it is smaller than brotli alone, as the receiver does.
                    let body = qianyue_dcb::compress(dictionary, &data);
                    let mut br = path.clone().into_os_string();
                    br.push(".br");
                    if std::fs::metadata(&br).is_ok_and(|m| m.len() <= body.len() as u64) {
                        return Ok(None);
                    }
                    std::fs::write(&dcb, body).map_err(|e| format!("{}: {e}", dcb.display()))?;
                    Ok(Some(dcb))
                })
            })
            .collect();
        let written: Result<Vec<_>> = jobs
            .into_iter()
            .map(|job| {
                job.join()
                    .unwrap_or_else(|_| Err("compressing failed".into()))
            })
            .collect();
        Ok(written?.into_iter().flatten().collect())
    })
}
