//! `cargo xtask bench`: benchmarks, not timed tests. Each writes a JSON results file under
//! `bench-results/` and prints it; every figure is reported beside a baseline measured in the
//! same run (a ratio), since these machines are shared and noisy.

use crate::cmd::run_in;
use crate::{root, Result};

/// The benchmarks, in the order they run; `cargo xtask bench receiver app` runs only those named.
const PARTS: [&str; 5] = ["domain", "content", "app", "embed", "receiver"];

pub fn run(args: &[String]) -> Result {
    if let Some(unknown) = args.iter().find(|a| !PARTS.contains(&a.as_str())) {
        return Err(format!(
            "unknown benchmark {unknown:?}; the benchmarks are {}",
            PARTS.join(", ")
        ));
    }
    let wanted = |part: &str| args.is_empty() || args.iter().any(|a| a == part);
    let root = root();
    let out_dir = root.join("bench-results");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create bench-results/: {e}"))?;

    if wanted("domain") {
        domain(&root, &out_dir)?;
    }
    if wanted("content") {
        crate::bench_content::run(&root, &out_dir)?;
    }
    if wanted("app") {
        crate::bench_app::run(&root, &out_dir)?;
    }
    if wanted("embed") {
        crate::bench_embed::run(&root, &out_dir)?;
    }
    if wanted("receiver") {
        crate::bench_receiver::run(&root, &out_dir)?;
    }
    Ok(())
}

/// Domain core: ns per full validation and per full preview of the seed form.
fn domain(root: &std::path::Path, out_dir: &std::path::Path) -> Result {
    let domain_out = out_dir.join("domain.json");
    let domain_out_arg = domain_out.display().to_string();
    run_in(
        root,
        "cargo",
        &[
            "bench",
            "--quiet",
            "--package",
            "qianyue-domain",
            "--bench",
            "domain",
            "--",
            "--output",
            &domain_out_arg,
        ],
    )?;
    let results =
        std::fs::read_to_string(&domain_out).map_err(|e| format!("no domain results: {e}"))?;
    println!("bench-results/domain.json:\n{results}");
    Ok(())
}
