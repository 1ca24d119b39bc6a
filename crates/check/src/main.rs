//! `qianyue-check`: reads one form (contract.md §1) as JSON on standard input.
//!
//! - `qianyue-check validate [--today YYYY-MM-DD]`: a JSON array of
//!   `{"path", "code", "message_zh", "message_en"}`, one per failing rule; exit 0 when empty,
//!   1 when not.
//! - `qianyue-check preview [--today YYYY-MM-DD]`: a JSON object of every preview key
//!   (contract.md §2) the form's values allow to compute. A figure counted in working days
//!   (`privacy.reply_by`) that reached a year without a State Council notice is computed
//!   provisionally; standard output stays the one JSON object of contract.md §4, and one line
//!   on standard error says which figure and years, in Chinese and English:
//!   `qianyue-check: provisional privacy.reply_by (2027): 按法定节假日暂估，… / Estimated …`.
//!   A figure whose inputs are there but that cannot be computed (an amount past the range, a
//!   date past 9999) is not in the object; its reason is a line on standard error,
//!   `qianyue-check: not computable: <key>: <code>: <zh> / <en>`, and the exit status stays 0.
//!
//! - `qianyue-check verify [--file F] [--receiver-keys K] [--receipt R] [--json]`
//!   (contract.md §7): checks a signed envelope (docs/payload.md), read from standard input or
//!   from `--file`, a JSON envelope or an evidence PDF (its attached `consent.json`, and
//!   `receipt.json` when attached). One line per check in Chinese and English on standard
//!   output (`--json`: one JSON object instead); exit 0 when everything verifies and
//!   re-validates, 1 when not, with the reasons. `--receiver-keys` is a file holding the
//!   answer of the receiver's `GET /api/keys`, without which a receipt's signature is not
//!   checked; `--receipt` a file holding a signed receipt `{"receipt", "signature"}` (it takes
//!   the place of a PDF's `receipt.json`). See README.md "The command-line checker".
//!
//! Exit 2, with a message on standard error, when the arguments or the input are unusable.
//! `--today` defaults to the current date in China Standard Time (UTC+8), the agreement's zone.

mod pdf;
mod report;
mod verify;

use std::io::Read;
use std::process::ExitCode;

use qianyue_domain::date::Date;
use qianyue_domain::form::{validate, Form};
use qianyue_domain::holidays::{CalendarBasis, PROVISIONAL_NOTE_EN, PROVISIONAL_NOTE_ZH};
use qianyue_domain::payload::SignedAt;
use qianyue_domain::preview::{calendars, figures};

pub(crate) const USAGE: &str =
    "usage: qianyue-check <validate|preview> [--today YYYY-MM-DD] < form.json\n       \
     qianyue-check verify [--file envelope.json|evidence.pdf] [--receiver-keys keys.json] \
     [--receipt receipt.json] [--json] [< envelope.json]";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("qianyue-check: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("verify") {
        return report::run(&args[1..]);
    }
    let (command, today) = parse_args(&args)?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let form: Form =
        serde_json::from_str(&input).map_err(|e| format!("the input is not a form: {e}"))?;
    match command {
        Command::Validate => {
            let errors = validate(&form, today);
            println!("{}", to_json(&errors)?);
            Ok(if errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Preview => {
            let figures = figures(&form, today);
            println!("{}", to_json(&figures.preview)?);
            for (key, why) in &figures.not_computable {
                eprintln!(
                    "qianyue-check: not computable: {key}: {}: {} / {}",
                    why.code, why.zh, why.en
                );
            }
            for (key, used) in calendars(&form) {
                let provisional: Vec<String> = used
                    .iter()
                    .filter(|(_, basis)| **basis == CalendarBasis::Provisional)
                    .map(|(year, _)| year.to_string())
                    .collect();
                if figures.preview.contains_key(&key) && !provisional.is_empty() {
                    eprintln!(
                        "qianyue-check: provisional {key} ({}): {PROVISIONAL_NOTE_ZH} / {PROVISIONAL_NOTE_EN}",
                        provisional.join(", ")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

enum Command {
    Validate,
    Preview,
}

fn parse_args(args: &[String]) -> Result<(Command, Date), String> {
    let command = match args.first().map(String::as_str) {
        Some("validate") => Command::Validate,
        Some("preview") => Command::Preview,
        _ => return Err(USAGE.to_owned()),
    };
    let today = match &args[1..] {
        [] => today_in_china(),
        [flag, value] if flag == "--today" => {
            Date::parse_iso(value).map_err(|e| format!("--today {value}: {e}"))?
        }
        _ => return Err(USAGE.to_owned()),
    };
    Ok((command, today))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| format!("cannot write JSON: {e}"))
}

/// Today's date in China Standard Time (UTC+8, no daylight saving): the domain's conversion
/// of a moment to the agreement's date (`SignedAt::date`), as the app and the receiver use it.
fn today_in_china() -> Date {
    SignedAt::from_unix_seconds(now_unix())
        .map(SignedAt::date)
        .unwrap_or_else(|| Date::new(1970, 1, 1).expect("a real date"))
}

/// The clock: seconds since the Unix epoch.
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
