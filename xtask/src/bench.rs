//! `cargo xtask bench`: benchmarks, not timed tests. Each writes a JSON results file under
//! `bench-results/` and prints it; every figure is reported beside a baseline measured in the
//! same run (a ratio), since these machines are shared and noisy.

use crate::cmd::run_in;
use crate::{root, Result};

pub fn run() -> Result {
    let root = root();
    let out_dir = root.join("bench-results");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create bench-results/: {e}"))?;

    // Domain core: ns per full validation and per full preview of the seed form.
    let domain_out = out_dir.join("domain.json");
    let domain_out_arg = domain_out.display().to_string();
    run_in(
        &root,
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
    crate::bench_content::run(&root, &out_dir)?;
    crate::bench_app::run(&root, &out_dir)?;
    crate::bench_embed::run(&root, &out_dir)?;
    crate::bench_receiver::run(&root, &out_dir)?;
    Ok(())
}
