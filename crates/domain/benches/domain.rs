//! Benchmark of the domain core: ns per full validation of the seed form and per full preview
//! of the seed form with fee inputs, each beside a baseline measured in the same run (parsing
//! the same form from JSON), since the machines are shared and noisy. Run by `cargo xtask bench`,
//! which passes `--output bench-results/domain.json`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use qianyue_domain::date::Date;
use qianyue_domain::form::{validate, Form};
use qianyue_domain::preview::preview;

const SEED: &str = include_str!("../tests/fixtures/seed-form.json");
const SEED_WITH_FEES: &str = include_str!("../tests/fixtures/seed-form-with-fees.json");

/// Median picoseconds per call over 15 batches of about 20 ms each, after a warm-up. (Integers
/// throughout: this crate keeps no floating point anywhere.)
fn ps_per_call<T>(mut f: impl FnMut() -> T) -> u128 {
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < Duration::from_millis(50) {
        black_box(f());
        calls += 1;
    }
    let per_batch = (calls * 20 / 50).max(1);
    let mut samples: Vec<u128> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_batch {
                black_box(f());
            }
            t.elapsed().as_nanos() * 1000 / u128::from(per_batch)
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let output = args
        .iter()
        .position(|a| a == "--output")
        .and_then(|i| args.get(i + 1))
        .cloned();

    let seed: Form = serde_json::from_str(SEED).expect("the seed fixture is a form");
    let with_fees: Form = serde_json::from_str(SEED_WITH_FEES).expect("the fee fixture is a form");
    let signing_day = Date::new(2023, 4, 10).expect("a real date");
    let as_of = Date::new(2023, 5, 20).expect("a real date");
    assert!(
        validate(&seed, signing_day).is_empty(),
        "the seed form validates clean"
    );

    let parse = ps_per_call(|| serde_json::from_str::<Form>(black_box(SEED)).expect("a form"));
    let validation = ps_per_call(|| validate(black_box(&seed), signing_day));
    let previews = ps_per_call(|| preview(black_box(&with_fees), as_of));
    // A ratio to two decimals, in fixed point.
    let ratio = |x: u128| {
        let hundredths = (x * 100 + parse / 2) / parse;
        format!("{}.{:02}", hundredths / 100, hundredths % 100)
    };

    let report = format!(
        concat!(
            "{{\n",
            "  \"validate_seed_form_ns\": {},\n",
            "  \"preview_seed_form_with_fees_ns\": {},\n",
            "  \"baseline_parse_seed_form_json_ns\": {},\n",
            "  \"validate_vs_parse_ratio\": {},\n",
            "  \"preview_vs_parse_ratio\": {}\n",
            "}}\n"
        ),
        validation / 1000,
        previews / 1000,
        parse / 1000,
        ratio(validation),
        ratio(previews),
    );
    print!("{report}");
    if let Some(path) = output {
        std::fs::write(&path, report).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    }
}
