//! Running commands with the project's PATH (one-line commands split on whitespace), piping
//! data through a compressor, and timing named steps.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

/// PATH with the project's own tools first: npm's binaryen (wasm-opt) and Playwright, then
/// cargo-installed tools (Trunk, wasm-bindgen).
pub fn path_env() -> String {
    let node_bin = crate::root().join("node_modules/.bin");
    let cargo_bin = match std::env::var_os("CARGO_HOME") {
        Some(home) => Path::new(&home).join("bin"),
        None => Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin"),
    };
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{}:{rest}", node_bin.display(), cargo_bin.display())
}

pub fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .env("PATH", path_env())
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    command
}

/// A command from one line split on whitespace, the program then its arguments: for the many
/// commands whose arguments hold no spaces (`line("cargo fmt --all --check")`).
pub fn line(line: &str) -> Command {
    let mut words = line.split_whitespace();
    let program = words.next().unwrap_or_default();
    command(program, &words.collect::<Vec<_>>())
}

/// Runs `line` (split on whitespace, as [`line`]) in `dir`: Ok if it succeeds.
pub fn sh(dir: &Path, line: &str) -> Result {
    sh_env(dir, line, &[])
}

/// Runs `line` (split on whitespace, as [`line`]) in `dir` with `env` set: Ok if it succeeds.
pub fn sh_env(dir: &Path, line: &str, env: &[(&str, &str)]) -> Result {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (program, args) = words.split_first().ok_or("an empty command line")?;
    run_env_in(dir, program, args, env)
}

pub fn run_in(dir: &Path, program: &str, args: &[&str]) -> Result {
    run_env_in(dir, program, args, &[])
}

pub fn run_env_in(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result {
    let mut command = command(program, args);
    command.current_dir(dir);
    for (key, value) in env {
        command.env(key, value);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// A command's standard output, if it runs and succeeds.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = command(program, args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The length of `data` piped through `program args`, a compressor writing to its standard
/// output (`gzip -9 -c -n`, `brotli -c -q 11`).
pub fn compressed_len(program: &str, args: &[&str], data: &[u8]) -> Result<usize> {
    let mut child = command(program, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{program}: {e}"))?;
    writer
        .join()
        .map_err(|_| format!("{program}: writer panicked"))?
        .map_err(|e| format!("{program}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{program} failed ({})", out.status));
    }
    Ok(out.stdout.len())
}

/// Named steps with their durations, printed as they finish and once more at the end.
#[derive(Default)]
pub struct Steps {
    done: Vec<(String, Duration)>,
    /// Parts of a step, each after the step count it followed.
    parts: Vec<(usize, String, Duration)>,
}

impl Steps {
    pub fn run(&mut self, name: &str, step: impl FnOnce() -> Result) -> Result {
        println!("\n==> {name}");
        let start = Instant::now();
        let result = step();
        let took = start.elapsed();
        match &result {
            Ok(()) => println!("<== {name}: ok in {:.1} s", took.as_secs_f64()),
            Err(e) => println!("<== {name}: FAILED after {:.1} s: {e}", took.as_secs_f64()),
        }
        self.done.push((name.to_owned(), took));
        result
    }

    /// A part of the step before it, timed by that step (parts run side by side): listed,
    /// not added to the total.
    pub fn record(&mut self, name: &str, took: Duration) {
        self.parts.push((self.done.len(), name.to_owned(), took));
    }

    pub fn summary(&self) {
        println!("\nStep times:");
        let mut total = Duration::ZERO;
        for (i, (name, took)) in self.done.iter().enumerate() {
            println!("  {:>7.1} s  {name}", took.as_secs_f64());
            total += *took;
            for (_, part, took) in self.parts.iter().filter(|(after, ..)| *after == i + 1) {
                println!("  {:>7.1} s  {part}", took.as_secs_f64());
            }
        }
        println!("  {:>7.1} s  total", total.as_secs_f64());
    }
}
