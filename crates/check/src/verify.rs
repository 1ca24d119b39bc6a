//! `qianyue-check verify`: what a third party can check of a signed consent on its own, each
//! check one line of the report (contract.md §7, docs/payload.md §5).
//!
//! Every decision is the domain's, the same functions the receiver calls
//! (`crates/receiver/src/api.rs`): [`payload::verify_envelope_with`] (strict JSON, RFC 8785
//! bytes as received, ES256), [`payload::check_form_canonical`],
//! [`payload::check_signing_date`], [`payload::check_payload`] (agreement version, content
//! hashes, consents' wording, signature image, `signed_at`, idempotency id, the form re-validated
//! and the previews recomputed on the signing date), [`payload::verify_receipt`] and
//! [`Receipt::for_payload`]. This module only sorts their findings into the report's lines.
//! Not checked here, because only the receiver can: its offline allowance (a setting), a
//! `qianyue-consent/2` consent's request and SMS verification (its records).

use qianyue_domain::content;
use qianyue_domain::error::RuleMessage;
use qianyue_domain::form::FieldError;
use qianyue_domain::payload::{
    self, EnvelopeRule, PayloadError, Receipt, ReceiptError, ReceiverKey, Rejection,
    SignatureImage, SignedAt, SignedReceipt, VerifiedPayload,
};
use serde::Serialize;

qianyue_domain::rule_errors! {
    /// The checker's own findings about a receipt (the rest are the domain's codes).
    pub enum VerifyRule {
        ReceiptOtherConsent => "receipt.other_consent",
            "回执与本份签约数据不符",
            "The receipt does not name this consent";
        ReceivedAtFormat => "receipt.received_at",
            "回执的接收时间应为 YYYY-MM-DDTHH:MM:SS+08:00",
            "The receipt's received_at must be written YYYY-MM-DDTHH:MM:SS+08:00";
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Failed,
    /// Not checked, and not counted against the consent: the line says why.
    NotChecked,
}

/// One line of the report: a check, its outcome, what it covered (zh and en) and, when it
/// failed, the reasons by path with the domain's codes and messages.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub check: &'static str,
    pub status: Status,
    pub message_zh: String,
    pub message_en: String,
    pub reasons: Vec<FieldError>,
    /// A technical detail of a refusal (English, not stable), e.g. which member is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The report of one envelope (and its receipt).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Whether every check made passed (a line not checked does not count against it).
    pub verified: bool,
    pub consent_id: Option<String>,
    pub payload_sha256: Option<String>,
    pub signed_at: Option<String>,
    pub checks: Vec<Line>,
}

/// What is checked: the envelope's bytes, the receipt's when there is one, the receiver's
/// published keys (`GET /api/keys`) when given, and the clock (`signed_at` may not lie in the
/// future).
pub struct Inputs<'a> {
    pub envelope: &'a [u8],
    pub receipt: Option<&'a [u8]>,
    pub receiver_keys: Option<&'a [ReceiverKey]>,
    pub now_unix: i64,
}

/// The report, or why the envelope is unusable (not JSON, not an envelope: exit 2).
pub fn verify(inputs: &Inputs<'_>) -> Result<Report, String> {
    let verified = match payload::verify_envelope_with(inputs.envelope, payload::verify_es256) {
        Ok(v) => v,
        Err(e) if matches!(e.rule, EnvelopeRule::NotJson | EnvelopeRule::Shape) => {
            return Err(format!("the input is not a signed envelope: {e}"));
        }
        Err(e) => return Ok(refused_envelope(&e)),
    };
    let mut lines = payload_lines(&verified, inputs.now_unix);
    if let (Some(request), Some(identity)) = (&verified.payload.request, &verified.payload.identity)
    {
        lines.push(Line {
            check: "request",
            status: Status::NotChecked,
            message_zh: format!(
                "签约请求 {}、短信验证 {}（{}）：由接收方按其记录核对，此处无法核对",
                request.id, identity.mobile, identity.verified_at
            ),
            message_en: format!(
                "signing request {}, SMS verification of {} at {}: checked by the receiver \
                 against its records, not checkable here",
                request.id, identity.mobile, identity.verified_at
            ),
            reasons: Vec::new(),
            detail: None,
        });
    }
    lines.push(receipt_line(
        &verified,
        inputs.receipt,
        inputs.receiver_keys,
    ));
    Ok(Report {
        verified: lines.iter().all(|l| l.status != Status::Failed),
        consent_id: Some(verified.payload.idempotency_id.clone()),
        payload_sha256: Some(verified.payload_sha256.clone()),
        signed_at: Some(verified.payload.signed_at.clone()),
        checks: lines,
    })
}

/// An envelope read but refused before its payload could be trusted: the signature line says
/// why (or, for a verified signature over a payload of the wrong structure, the format line),
/// the rest are not checked.
fn refused_envelope(e: &PayloadError) -> Report {
    let reason = Rejection::from(e.clone());
    let mut reasons = reason.fields;
    if reasons.is_empty() {
        reasons.push(FieldError {
            path: String::new(),
            rule: reason.rule,
        });
    }
    let signature_ok = e.rule == EnvelopeRule::PayloadShape;
    let mut checks = vec![Line {
        check: "signature",
        status: if signature_ok {
            Status::Ok
        } else {
            Status::Failed
        },
        message_zh: "ES256 签名（P-256，SHA-256）覆盖签约数据的 RFC 8785 规范化字节".into(),
        message_en: "ES256 signature (P-256, SHA-256) over the payload's RFC 8785 bytes".into(),
        reasons: if signature_ok {
            Vec::new()
        } else {
            reasons.clone()
        },
        detail: if signature_ok { None } else { e.detail.clone() },
    }];
    for check in &payload::CHECKS[1..] {
        let (status, zh, en, reasons) = if signature_ok && *check == "format" {
            (
                Status::Failed,
                "签约数据的结构",
                "the payload's structure",
                reasons.clone(),
            )
        } else if signature_ok {
            (
                Status::NotChecked,
                "未核对：签约数据的结构不符合格式说明",
                "not checked: the payload does not have the documented structure",
                Vec::new(),
            )
        } else {
            (
                Status::NotChecked,
                "未核对：签名未通过，签约数据不可信",
                "not checked: the signature did not verify, so the payload cannot be trusted",
                Vec::new(),
            )
        };
        checks.push(Line {
            check,
            status,
            message_zh: zh.into(),
            message_en: en.into(),
            detail: if reasons.is_empty() {
                None
            } else {
                e.detail.clone()
            },
            reasons,
        });
    }
    checks.push(not_checked(
        "receipt",
        "未核对：签约数据未通过核验",
        "not checked: the consent did not verify",
    ));
    Report {
        verified: false,
        consent_id: None,
        payload_sha256: None,
        signed_at: None,
        checks,
    }
}

fn not_checked(check: &'static str, zh: &str, en: &str) -> Line {
    Line {
        check,
        status: Status::NotChecked,
        message_zh: zh.into(),
        message_en: en.into(),
        reasons: Vec::new(),
        detail: None,
    }
}

/// The line a check's failure belongs to: a rule of [`payload::check_payload`] by its code's
/// family (docs/receiver.md lists them), the form's own rules under `form`.
fn line_of(code: &str) -> &'static str {
    let family = code.split('.').next().unwrap_or("");
    match family {
        "payload" => "format",
        "agreement" => "agreement",
        "content" => "content_hashes",
        "consent" => "consents",
        "signature_image" => "signature_image",
        "signed_at" => "signed_at",
        "idempotency_id" => "idempotency_id",
        "preview" | "calendar" => "previews",
        _ => "form",
    }
}

/// The lines of a payload whose signature verified: signature, then [`payload::CHECKS`]'s
/// checks of the agreement's rules.
fn payload_lines(verified: &VerifiedPayload, now_unix: i64) -> Vec<Line> {
    let p = &verified.payload;
    let mut failures: Vec<(&'static str, FieldError)> = Vec::new();
    if let Err(r) = payload::check_form_canonical(verified) {
        failures.extend(reasons_of(r).into_iter().map(|f| ("form", f)));
    }
    if let Err(r) = payload::check_signing_date(p) {
        failures.extend(reasons_of(r).into_iter().map(|f| ("signed_at", f)));
    }
    // An unknown format, agreement or version stops the domain's check at once: the rules
    // the rest would be judged by are not known.
    let mut stopped = false;
    let mut judged_on = None;
    match payload::check_payload(p, now_unix) {
        Ok(checked) => judged_on = Some(checked.signing_date),
        Err(r) => {
            stopped = matches!(line_of(r.code()), "format" | "agreement");
            for f in reasons_of(r) {
                failures.push((line_of(f.code()), f));
            }
        }
    }
    let signing_date = judged_on
        .map(|d| d.to_string())
        .or_else(|| {
            SignedAt::parse(&p.signed_at)
                .ok()
                .map(|t| t.date().to_string())
        })
        .unwrap_or_else(|| p.form.signing.date.clone());
    let version = &p.agreement.version;
    let mut lines = vec![Line {
        check: "signature",
        status: Status::Ok,
        message_zh: format!(
            "ES256 签名（P-256，SHA-256）覆盖签约数据的 RFC 8785 规范化字节（{} 字节），签署人公钥指纹 {}",
            verified.canonical.len(),
            verified.key_thumbprint
        ),
        message_en: format!(
            "ES256 signature (P-256, SHA-256) over the payload's RFC 8785 bytes ({} bytes), signer key thumbprint {}",
            verified.canonical.len(),
            verified.key_thumbprint
        ),
        reasons: Vec::new(),
        detail: None,
    }];
    let shown: Vec<String> = p
        .content_hashes
        .iter()
        .map(|h| format!("{} {}", h.part.hook(), h.lang.tag()))
        .collect();
    let image = match &p.signature_image {
        SignatureImage::Strokes { strokes, .. } => (
            format!("手写签名，{} 笔", strokes.len()),
            format!("drawn, {} strokes", strokes.len()),
        ),
        SignatureImage::Typed { text } => (
            format!("输入的姓名“{text}”"),
            format!("typed name “{text}”"),
        ),
    };
    let shipped = content::ACCEPTED_VERSIONS.join(", ");
    let shipped_zh = content::ACCEPTED_VERSIONS.join("、");
    for check in &payload::CHECKS[1..] {
        let (zh, en) = match *check {
            "format" => (format!("格式 {}", p.format), format!("format {}", p.format)),
            "agreement" => (
                format!("协议 {} 版本 {version}：须为本程序所附版本之一（{shipped_zh}）", p.agreement.id),
                format!(
                    "agreement {} version {version}: one of the versions this build ships ({shipped})",
                    p.agreement.id
                ),
            ),
            "content_hashes" => (
                format!("内容哈希：与本程序所附 {version} 版协议文本比对（{}）", shown.join("、")),
                format!(
                    "content hashes: compared with the {version} text this build ships ({})",
                    shown.join(", ")
                ),
            ),
            "consents" => (
                format!("四项单独同意：须均已勾选，条款文字哈希与 {version} 版比对"),
                format!("the four separate consents: each given, its wording's hash compared with {version}'s"),
            ),
            "signature_image" => (
                format!("签名图像（{}）", image.0),
                format!("signature image ({})", image.1),
            ),
            "signed_at" => (
                format!("签名时间 {}：不得晚于当前时间；签名日期须为其北京时间日期", p.signed_at),
                format!(
                    "signed at {}: not in the future; the signing date must be its date in China Standard Time",
                    p.signed_at
                ),
            ),
            "idempotency_id" => (
                format!("签约编号 {}：须为小写 UUID v4", p.idempotency_id),
                format!("consent id {}: a lower-case UUID v4", p.idempotency_id),
            ),
            "form" => (
                format!("表单按签署日 {signing_date} 重新校验"),
                format!("the form re-validated as on the signing date {signing_date}"),
            ),
            "previews" => (
                format!(
                    "显示的 {} 项金额和日期：与按签署日 {signing_date} 重新计算的结果比对",
                    p.previews.len()
                ),
                format!(
                    "the {} figures shown: compared with those recomputed for the signing date {signing_date}",
                    p.previews.len()
                ),
            ),
            _ => (check.to_string(), check.to_string()),
        };
        let reasons: Vec<FieldError> = failures
            .iter()
            .filter(|(line, _)| line == check)
            .map(|(_, f)| f.clone())
            .collect();
        let status = if !reasons.is_empty() {
            Status::Failed
        } else if stopped && !matches!(*check, "format" | "agreement") {
            Status::NotChecked
        } else {
            Status::Ok
        };
        let (zh, en) = if status == Status::NotChecked {
            (
                format!("未核对：格式或协议版本未知，无从按其规则核对（{zh}）"),
                format!("not checked: the format or agreement version is unknown here ({en})"),
            )
        } else {
            (zh, en)
        };
        lines.push(Line {
            check,
            status,
            message_zh: zh,
            message_en: en,
            reasons,
            detail: None,
        });
    }
    lines
}

/// A refusal's failing fields; a refusal naming none gives one reason without a path.
fn reasons_of(r: Rejection) -> Vec<FieldError> {
    if r.fields.is_empty() {
        vec![FieldError {
            path: String::new(),
            rule: r.rule,
        }]
    } else {
        r.fields
    }
}

/// The receipt: it names this consent (the receipt the receiver would make for it,
/// [`Receipt::for_payload`], member for member), and its Ed25519 signature checks under the
/// listed key its `receiver_key` names ([`payload::verify_receipt`]).
fn receipt_line(
    verified: &VerifiedPayload,
    receipt: Option<&[u8]>,
    keys: Option<&[ReceiverKey]>,
) -> Line {
    let Some(body) = receipt else {
        return not_checked(
            "receipt",
            "未核对：没有回执（--receipt，或 PDF 所附 receipt.json）",
            "not checked: no receipt (--receipt, or receipt.json attached to the PDF)",
        );
    };
    let mut reasons = Vec::new();
    let typed = serde_json::from_slice::<SignedReceipt>(body).ok();
    let fail = |reasons: &mut Vec<FieldError>, path: &str, rule: RuleMessage| {
        reasons.push(FieldError {
            path: path.to_owned(),
            rule,
        })
    };
    match &typed {
        None => fail(
            &mut reasons,
            "receipt",
            RuleMessage::of(ReceiptError::Shape),
        ),
        Some(r) => {
            for path in mismatches(&r.receipt, verified) {
                fail(
                    &mut reasons,
                    &path,
                    RuleMessage::of(VerifyRule::ReceiptOtherConsent),
                );
            }
            if SignedAt::parse(&r.receipt.received_at).is_err() {
                fail(
                    &mut reasons,
                    "receipt.received_at",
                    RuleMessage::of(VerifyRule::ReceivedAtFormat),
                );
            }
        }
    }
    let signature_checked = match keys {
        Some(keys) => {
            if let Err(e) = payload::verify_receipt(body, keys) {
                // A receipt that does not parse is reported once.
                if typed.is_some() || e != ReceiptError::Shape {
                    let path = match e {
                        ReceiptError::UnknownKey => "receipt.receiver_key",
                        ReceiptError::BadSignature => "signature",
                        ReceiptError::Shape => "receipt",
                    };
                    fail(&mut reasons, path, RuleMessage::of(e));
                }
            }
            true
        }
        None => false,
    };
    let (kid, received_at) = typed
        .as_ref()
        .map(|r| {
            (
                r.receipt.receiver_key.as_str(),
                r.receipt.received_at.as_str(),
            )
        })
        .unwrap_or(("?", "?"));
    let status = if !reasons.is_empty() {
        Status::Failed
    } else if signature_checked {
        Status::Ok
    } else {
        Status::NotChecked
    };
    let (zh, en) = match status {
        Status::NotChecked => (
            format!(
                "回执指向本份签约数据（接收时间 {received_at}），但未给出接收方公钥（--receiver-keys，即 GET /api/keys 的应答），其签名未核对"
            ),
            format!(
                "the receipt names this consent (received at {received_at}), but its signature is \
                 not checked without the receiver's keys (--receiver-keys, the answer of GET /api/keys)"
            ),
        ),
        Status::Ok => (
            format!(
                "回执指向本份签约数据，接收时间 {received_at}，由接收方密钥 {kid} 签名（Ed25519）"
            ),
            format!(
                "the receipt names this consent, received at {received_at}, signed by receiver key {kid} (Ed25519)"
            ),
        ),
        Status::Failed => (
            format!(
                "回执（接收时间 {received_at}）应指向本份签约数据，并由所列接收方密钥 {kid} 签名（Ed25519）"
            ),
            format!(
                "the receipt (received at {received_at}) must name this consent and be signed by the listed receiver key {kid} (Ed25519)"
            ),
        ),
    };
    Line {
        check: "receipt",
        status,
        message_zh: zh,
        message_en: en,
        reasons,
        detail: None,
    }
}

/// The members of `receipt` that differ from the receipt the receiver makes for this payload,
/// by path (`receipt.consent_id`, `receipt.payload_sha256`, …).
fn mismatches(receipt: &Receipt, verified: &VerifiedPayload) -> Vec<String> {
    // Received when and by which key are the receipt's own facts; the rest follow from the
    // payload.
    let any_time = SignedAt::from_unix_seconds(0).expect("the epoch is a moment");
    let expected = Receipt::for_payload(verified, any_time, &receipt.receiver_key);
    [
        ("format", expected.format == receipt.format),
        ("consent_id", expected.consent_id == receipt.consent_id),
        (
            "payload_sha256",
            expected.payload_sha256 == receipt.payload_sha256,
        ),
        ("agreement", expected.agreement == receipt.agreement),
        ("signed_at", expected.signed_at == receipt.signed_at),
        ("signer_key", expected.signer_key == receipt.signer_key),
    ]
    .into_iter()
    .filter(|(_, same)| !same)
    .map(|(member, _)| format!("receipt.{member}"))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use qianyue_domain::error::RuleError;

    /// The checker's own codes are stable and unique, each with a Chinese and an English
    /// message, and none is one of the domain's receipt codes.
    #[test]
    fn the_checkers_codes_have_both_messages() {
        let mut codes: Vec<&str> = VerifyRule::ALL.iter().map(|r| r.code()).collect();
        for rule in VerifyRule::ALL {
            assert!(rule.code().starts_with("receipt."), "{}", rule.code());
            assert!(!rule.message_zh().is_empty() && !rule.message_en().is_empty());
            assert!(
                rule.message_zh().chars().any(|c| c > '\u{2e80}'),
                "{rule:?}"
            );
        }
        codes.extend(ReceiptError::ALL.iter().map(|r| r.code()));
        let before = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), before, "{codes:?}");
    }

    /// Each code family of `check_payload` lands on the line of its check.
    #[test]
    fn findings_land_on_their_checks_line() {
        for (code, line) in [
            ("payload.format", "format"),
            ("agreement.version_unknown", "agreement"),
            ("content.hash_mismatch", "content_hashes"),
            ("consent.wording_mismatch", "consents"),
            ("signature_image.trivial", "signature_image"),
            ("signed_at.future", "signed_at"),
            ("idempotency_id.format", "idempotency_id"),
            ("preview.mismatch", "previews"),
            ("calendar.mismatch", "previews"),
            ("uscc.check_char", "form"),
            ("signing.date_in_future", "form"),
        ] {
            assert_eq!(line_of(code), line, "{code}");
            assert!(
                payload::CHECKS.contains(&line),
                "{line} is one of the receiver's checks"
            );
        }
    }
}
