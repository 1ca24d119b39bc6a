//! `qianyue-check` as back-office scripts use it (contract.md §4): the real binary, a form on
//! standard input, JSON on standard output, exit codes 0 / 1 / 2.

use std::io::Write;
use std::process::{Command, Stdio};

const SEED: &str = include_str!("../../domain/tests/fixtures/seed-form.json");
const SEED_WITH_FEES: &str = include_str!("../../domain/tests/fixtures/seed-form-with-fees.json");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qianyue-check"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qianyue-check starts");
    // With unusable arguments the checker exits without reading its input: a closed pipe
    // is then the expected outcome of writing it, not a failure.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            panic!("cannot write the form: {e}")
        }
        _ => {}
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn validate_the_seed_prints_an_empty_array_and_exits_0() {
    let run = check(&["validate", "--today", "2023-04-10"], SEED);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn validate_lists_each_failure_and_exits_1() {
    let mut form: serde_json::Value = serde_json::from_str(SEED).unwrap();
    form["customer"]["cert_number"] = "91440300758613572H".into();
    form["signing"]["representative"] = "王建国".into();
    let run = check(&["validate", "--today", "2023-04-10"], &form.to_string());
    assert_eq!(run.code, 1);
    let errors: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let at = |path: &str| errors.iter().filter(|e| e["path"] == path).count();
    assert_eq!(at("customer.cert_number"), 1);
    assert_eq!(at("signing.representative"), 1);
    assert_eq!(at("agent.name"), 1);
    for e in &errors {
        for key in ["path", "code", "message_zh", "message_en"] {
            assert!(
                e[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} in {e}"
            );
        }
    }
}

#[test]
fn preview_computes_the_clause_figures_in_fen() {
    let run = check(&["preview", "--today", "2023-05-20"], SEED_WITH_FEES);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let p: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // Internet leased line: fee 1200.00/month, term ends 2024-03-31, last day 2023-05-15.
    // Art. 2 §17: May 2023 … Mar 2024 = 11 months unexecuted (termination month included);
    // 50% × 1200.00 × 11 = 6600.00, + investment 3000.00 = 9600.00.
    assert_eq!(p["orders.0.unexecuted_months"], 11);
    assert_eq!(p["orders.0.current_term_end"], "2024-03-31");
    assert_eq!(p["orders.0.penalty"], 960_000);
    // Art. 4 §3: 15 of May's 31 days: 1200.00 × 15 / 31 = 580.645… → 580.65.
    assert_eq!(p["orders.0.final_month_charge"], 58_065);
    // Art. 4 §4, VAT 6% included: 580.65 / 1.06 = 547.783… → 547.78; tax 32.87.
    assert_eq!(p["orders.0.final_month_vat_net"], 54_778);
    assert_eq!(p["orders.0.final_month_vat_tax"], 3_287);
    // Mobile Cloud: 450.00/month to 2023-12-31: May … Dec = 8 months; 50% × 450.00 × 8 = 1800.00.
    assert_eq!(p["orders.1.unexecuted_months"], 8);
    assert_eq!(p["orders.1.penalty"], 180_000);
    // 450.00 × 15 / 31 = 217.741… → 217.74.
    assert_eq!(p["orders.1.final_month_charge"], 21_774);
    assert_eq!(p["total.penalty"], 1_140_000);
    assert_eq!(p["total.final_month_charge"], 79_839);
    // Art. 4 §3 late fee: due 2023-04-15, as of 2023-05-20 = 35 days; 3% × 1200.00 × 35 = 1260.00.
    assert_eq!(p["late.days_overdue"], 35);
    assert_eq!(p["late.fee"], 126_000);
}

#[test]
fn preview_of_the_seed_without_fee_inputs_is_the_reply_by_date_only() {
    let run = check(&["preview", "--today", "2023-04-10"], SEED);
    assert_eq!(run.code, 0);
    // Privacy policy 四(二)(三): a request made on the signing date, Mon 2023-04-10, is answered
    // within 15 working days: 04-11..04-14 (4), 04-17..04-21 (9), Sun 04-23 a make-up day
    // (2023 notice) (10), 04-24..04-28 (15).
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap(),
        serde_json::json!({"privacy.reply_by": "2023-04-28"})
    );
    assert_eq!(run.stderr, "", "an official calendar: no note");
}

#[test]
fn a_provisional_reply_by_is_printed_with_a_note_on_standard_error() {
    // Privacy policy 四(二)(三), signed Fri 2026-12-11: 12-14..12-31 are 14 working days
    // (2026 notice), 2027-01-01 is 元旦 on the statutory days (no 2027 notice), the 15th is
    // Mon 2027-01-04.
    let form = SEED.replace("\"2023-04-10\"", "\"2026-12-11\"");
    assert_ne!(form, SEED, "the seed's signing date");
    let run = check(&["preview", "--today", "2026-12-11"], &form);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Standard output stays one object of preview keys (contract.md §4).
    let p: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(p, serde_json::json!({"privacy.reply_by": "2027-01-04"}));
    assert_eq!(
        run.stderr.trim_end(),
        "qianyue-check: provisional privacy.reply_by (2027): 按法定节假日暂估，国务院通知发布后以通知为准 / \
         Estimated from the statutory public holidays; the State Council's notice, once published, prevails"
    );
}

/// Domain audit 2026-12: a float, boolean or text employee count is a field error (exit 1),
/// not an unreadable form (exit 2); full-width digits are an integer.
#[test]
fn employees_of_any_json_type_are_a_field_error() {
    for value in ["1.5", "10.0", "true", "\"ten\""] {
        let form = SEED.replacen("\"employees\": 10", &format!("\"employees\": {value}"), 1);
        assert_ne!(form, SEED, "the seed carries \"employees\": 10");
        let run = check(&["validate", "--today", "2023-04-10"], &form);
        assert_eq!(run.code, 1, "{value}: {}", run.stderr);
        let errors: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(errors[0]["path"], "customer.employees", "{value}");
        assert_eq!(errors[0]["code"], "field.not_an_integer", "{value}");
    }
    let form = SEED.replacen("\"employees\": 10", "\"employees\": \"１０\"", 1);
    let run = check(&["validate", "--today", "2023-04-10"], &form);
    assert_eq!((run.code, run.stdout.trim()), (0, "[]"), "{}", run.stderr);
}

/// A figure that cannot be computed is left out of standard output (contract.md §4's shape)
/// and its reason written on standard error.
#[test]
fn preview_gives_the_reason_of_a_figure_it_cannot_compute() {
    let form = SEED_WITH_FEES.replacen("\"2024-03-31\"", "\"9999-06-30\"", 1);
    let form = form.replacen("\"2023-05-15\"", "\"9999-12-01\"", 1);
    let run = check(&["preview", "--today", "2023-05-20"], &form);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let figures: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(figures.get("orders.0.current_term_end").is_none());
    assert!(figures.get("orders.0.final_month_charge").is_some());
    assert!(
        run.stderr.contains(
            "qianyue-check: not computable: orders.0.current_term_end: clause.date_out_of_range: "
        ),
        "{}",
        run.stderr
    );
    let seed = check(&["preview", "--today", "2023-05-20"], SEED_WITH_FEES);
    assert_eq!(seed.stderr, "", "nothing to report for the seed");
}

#[test]
fn unusable_input_or_arguments_exit_2_with_a_message() {
    for (args, stdin) in [
        (vec!["validate"], "not json"),
        (vec!["validate"], "[1, 2]"),
        (vec!["validate"], r#"{"unknown": 1}"#),
        (vec!["preview"], ""),
        (vec!["validate", "--today", "2023-02-30"], SEED),
        (vec!["validate", "--today"], SEED),
        (vec!["sign"], SEED),
        (vec![], SEED),
    ] {
        let run = check(&args, stdin);
        assert_eq!(run.code, 2, "{args:?} with {stdin:?}: {}", run.stdout);
        assert!(run.stderr.starts_with("qianyue-check: "), "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}
