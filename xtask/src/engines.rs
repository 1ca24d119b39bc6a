//! The signer's journeys in every browser engine (tests/engines/, docs/engines.md): Chromium,
//! Firefox ESR and WebKitGTK through WebDriver, one `node --test` run per engine, run side by
//! side, each with its own browser, driver and servers: the real receiver (the debug binary,
//! built here if it is not, passed as QIANYUE_RECEIVER_BIN as to Playwright) with a data
//! directory of its own, behind a loopback proxy that plays the network. Each engine's output
//! goes to a log file, printed whole once the engine is done, then a line per engine with its
//! passed count and time.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::{self, Steps};
use crate::{tools, Result};

pub const ENGINES: &[&str] = &["chromium", "firefox", "webkit"];

struct Run {
    engine: &'static str,
    child: Child,
    log: PathBuf,
    start: Instant,
}

/// What one engine's run came to.
pub struct Outcome {
    pub engine: &'static str,
    pub passed: u32,
    pub failed: u32,
    /// Tests run as known engine failures (named in tests/engines/journeys.test.mjs).
    pub todo: u32,
    pub took: Duration,
    pub ok: bool,
}

fn start(
    root: &Path,
    dist: &Path,
    receiver: &Path,
    logs: &Path,
    engine: &'static str,
) -> Result<Run> {
    let log = logs.join(format!("{engine}.log"));
    let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let geckodriver = tools::geckodriver();
    let child = cmd::command(
        "node",
        &[
            "--test",
            "--test-reporter=spec",
            "tests/engines/journeys.test.mjs",
        ],
    )
    .current_dir(root)
    .env("QIANYUE_ENGINE", engine)
    .env("QIANYUE_DIST", dist)
    .env("QIANYUE_RECEIVER_BIN", receiver)
    // The receiver server.mjs starts keeps the open mode for the journeys without a request.
    .env("QIANYUE_OPEN_SIGNING", "1")
    .env("CHROMEDRIVER", tools::CHROMEDRIVER)
    .env("GECKODRIVER", geckodriver)
    .env("WEBKITWEBDRIVER", tools::WEBKITWEBDRIVER)
    // The spec reporter without colours: the log reads the same in CI.
    .env("NO_COLOR", "1")
    .stdin(Stdio::null())
    .stdout(file)
    .stderr(err)
    .spawn()
    .map_err(|e| format!("cannot start node for {engine}: {e}"))?;
    Ok(Run {
        engine,
        child,
        log,
        start: Instant::now(),
    })
}

/// `pass N` / `fail N` from the runner's summary (`ℹ pass 8` in the spec reporter, `# pass 8`
/// in TAP).
fn count(log: &str, what: &str) -> u32 {
    log.lines()
        .rev()
        .filter_map(|l| {
            let l = l.trim_start_matches(['ℹ', '#', ' ']);
            l.strip_prefix(what)?.trim().parse().ok()
        })
        .next()
        .unwrap_or(0)
}

/// Runs the journeys in every engine, at most `jobs` at once (QIANYUE_ENGINE_JOBS, default
/// all three: the browsers mostly wait on their pages, measured in docs/engines.md), into
/// `outcomes`, printing a line per engine with its passed count and time.
pub fn journeys(root: &Path, dist: &Path, outcomes: &mut Vec<Outcome>) -> Result {
    let receiver = crate::receiver_binary(root, "dev")?;
    let logs = crate::target_dir(root).join("engines");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let jobs = std::env::var("QIANYUE_ENGINE_JOBS")
        .ok()
        .and_then(|j| j.parse::<usize>().ok())
        .unwrap_or(ENGINES.len())
        .max(1);
    let mut waiting: Vec<&'static str> = ENGINES.iter().rev().copied().collect();
    let mut running: Vec<Run> = Vec::new();
    while !waiting.is_empty() || !running.is_empty() {
        while running.len() < jobs {
            let Some(engine) = waiting.pop() else { break };
            println!("    started the journeys in {engine}");
            running.push(start(root, dist, &receiver, &logs, engine)?);
        }
        std::thread::sleep(Duration::from_millis(200));
        let mut i = 0;
        while i < running.len() {
            let status = running[i].child.try_wait().map_err(|e| e.to_string())?;
            let Some(status) = status else {
                i += 1;
                continue;
            };
            let run = running.swap_remove(i);
            let took = run.start.elapsed();
            let log = std::fs::read_to_string(&run.log).unwrap_or_default();
            println!(
                "\n---- journeys in {} ({}) ----",
                run.engine,
                run.log.display()
            );
            print!("{log}");
            outcomes.push(Outcome {
                engine: run.engine,
                passed: count(&log, "pass"),
                failed: count(&log, "fail"),
                todo: count(&log, "todo"),
                took,
                ok: status.success(),
            });
        }
    }
    outcomes.sort_by_key(|o| ENGINES.iter().position(|e| *e == o.engine));
    println!();
    for o in outcomes.iter() {
        println!(
            "  {:<8} {:>2} passed, {} failed, {} known engine failure(s) in {:.1} s{}",
            o.engine,
            o.passed,
            o.failed,
            o.todo,
            o.took.as_secs_f64(),
            if o.ok { "" } else { "  FAILED" }
        );
    }
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.ok)
        .map(|o| o.engine)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("the journeys failed in {}", failed.join(", ")))
    }
}

/// Each engine's time, among the steps (they ran side by side within the journeys' step).
pub fn record(steps: &mut Steps, outcomes: &[Outcome]) {
    for o in outcomes {
        steps.record(
            &format!(
                "  of which journeys in {}: {} passed{}",
                o.engine,
                o.passed,
                if o.ok { "" } else { ", FAILED" }
            ),
            o.took,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_from_either_reporter() {
        let spec = "✔ a (1ms)\nℹ tests 9\nℹ pass 8\nℹ fail 1\nℹ todo 0\nℹ duration_ms 10\n";
        assert_eq!((count(spec, "pass"), count(spec, "fail")), (8, 1));
        assert_eq!(count(spec, "todo"), 0);
        let tap = "ok 1 - a\n# tests 3\n# pass 3\n# fail 0\n";
        assert_eq!((count(tap, "pass"), count(tap, "fail")), (3, 0));
        assert_eq!(count("nothing", "pass"), 0);
    }
}
