//! `qianyue-check verify`'s shell: its arguments, the files it reads, the report it prints and
//! its exit status. The checks are `verify.rs`'s (the domain's); the PDF's attachments
//! `pdf.rs`'s.

use std::io::Read;
use std::process::ExitCode;

use qianyue_domain::payload::{ReceiverKey, ReceiverKeys};

use crate::pdf;
use crate::verify::{self, Inputs, Report, Status};

/// What `verify` was asked.
#[derive(Default)]
struct Args {
    file: Option<String>,
    receiver_keys: Option<String>,
    receipt: Option<String>,
    json: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut out = Args::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let mut value = |name: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a file\n{}", crate::USAGE))
        };
        let slot = match flag.as_str() {
            "--json" => {
                out.json = true;
                continue;
            }
            "--file" => &mut out.file,
            "--receiver-keys" => &mut out.receiver_keys,
            "--receipt" => &mut out.receipt,
            _ => return Err(format!("unknown argument {flag:?}\n{}", crate::USAGE)),
        };
        if slot.is_some() {
            return Err(format!("{flag} given twice"));
        }
        *slot = Some(value(flag)?);
    }
    Ok(out)
}

fn read_file(path: &str, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {what} {path}: {e}"))
}

/// `qianyue-check verify …`: exit 0 verified, 1 not (the report says why), `Err` (exit 2)
/// when the arguments or the input are unusable.
pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let args = parse(args)?;
    let (input, source) = match &args.file {
        Some(path) => (read_file(path, "the file")?, path.clone()),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            (bytes, "standard input".to_owned())
        }
    };
    let keys: Option<Vec<ReceiverKey>> = match &args.receiver_keys {
        None => None,
        Some(path) => {
            let bytes = read_file(path, "the receiver keys")?;
            let keys: ReceiverKeys = serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "--receiver-keys {path} is not the answer of GET /api/keys \
                     ({{\"keys\": [{{\"kty\", \"crv\", \"x\", \"kid\", \"alg\", \"use\"}}, …]}}): {e}"
                )
            })?;
            Some(keys.keys)
        }
    };
    let given_receipt = match &args.receipt {
        None => None,
        Some(path) => Some(read_file(path, "the receipt")?),
    };
    let (envelope, attached_receipt, heading) = if pdf::is_pdf(&input) {
        let evidence = pdf::evidence(&input).map_err(|e| format!("{source}: {e}"))?;
        let heading = format!(
            "{} / {source} (PDF; 附件 attached: {})",
            pdf::CONSENT_JSON,
            evidence.names.join(", ")
        );
        (evidence.consent, evidence.receipt, heading)
    } else {
        (input, None, source.clone())
    };
    let receipt = given_receipt.or(attached_receipt);
    let report = verify::verify(&Inputs {
        envelope: &envelope,
        receipt: receipt.as_deref(),
        receiver_keys: keys.as_deref(),
        now_unix: crate::now_unix(),
    })
    .map_err(|e| format!("{source}: {e}"))?;
    if args.json {
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| format!("cannot write JSON: {e}"))?;
        println!("{json}");
    } else {
        print!("{}", human(&report, &heading));
    }
    Ok(if report.verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The report as a person reads it: each check on a line in Chinese, then in English, its
/// reasons below it, the verdict last.
fn human(report: &Report, heading: &str) -> String {
    let mut out = format!("qianyue-check verify: {heading}\n");
    let facts = [
        ("签约编号 consent id", &report.consent_id),
        ("签约数据 SHA-256 payload sha256", &report.payload_sha256),
        ("签名时间 signed at", &report.signed_at),
    ];
    for (label, value) in facts {
        if let Some(value) = value {
            out.push_str(&format!("  {label}: {value}\n"));
        }
    }
    out.push('\n');
    for line in &report.checks {
        let status = match line.status {
            Status::Ok => "通过 ok",
            Status::Failed => "不通过 FAILED",
            Status::NotChecked => "未核对 not checked",
        };
        out.push_str(&format!(
            "[{status}] {}: {}\n    {}\n",
            line.check, line.message_zh, line.message_en
        ));
        for r in &line.reasons {
            let at = if r.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", r.path)
            };
            out.push_str(&format!(
                "    - {at}{}: {} / {}\n",
                r.rule.code, r.rule.zh, r.rule.en
            ));
        }
        if let Some(detail) = &line.detail {
            out.push_str(&format!("      ({detail})\n"));
        }
    }
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|l| l.status == Status::Failed)
        .map(|l| l.check)
        .collect();
    out.push('\n');
    if failed.is_empty() {
        out.push_str(
            "结果：通过。签名有效，按签署日重新校验无误。\nResult: VERIFIED. The signature holds and the consent re-validates as on its signing date.\n",
        );
    } else {
        out.push_str(&format!(
            "结果：未通过（{}）。\nResult: NOT VERIFIED ({}).\n",
            failed.join("、"),
            failed.join(", ")
        ));
    }
    out
}
