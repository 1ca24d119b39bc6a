//! Sending one envelope: `POST` it to its endpoint (`api::request`, with the domain's timeout),
//! judge the answer with the domain's policy (`delivery::classify`) and, for a 2xx, check the
//! receipt (`receipt.rs`).

use std::time::Duration;

use qianyue_domain::delivery::{classify, Verdict, REQUEST_TIMEOUT_MS};
use qianyue_domain::payload::ReceiverKey;
use serde_json::Value;

use super::receipt;
use super::record::{Problem, ProblemKind};
use crate::api;
use crate::staff::UploadFailure;

/// How one attempt ended.
pub(super) enum Attempt {
    /// The receipt envelope, verified.
    Delivered(Value),
    /// Refused for good (a 4xx, or a copy that cannot be read).
    Refused(Problem),
    /// Try again later.
    Transient(Problem),
}

/// POSTs one envelope to `endpoint` and judges the answer.
pub(super) async fn attempt(
    id: &str,
    envelope: &str,
    endpoint: &str,
    keys: &mut Option<Vec<ReceiverKey>>,
) -> Attempt {
    let timeout = Duration::from_millis(REQUEST_TIMEOUT_MS.into());
    // A consent witnessed on a staff device: its photos first (docs/staff.md).
    match crate::staff::upload_photos(envelope, endpoint).await {
        Ok(()) => {}
        Err(UploadFailure::Transient(detail)) => {
            return Attempt::Transient(Problem::network(&detail))
        }
        Err(UploadFailure::Refused(status, body)) => {
            return Attempt::Refused(refusal(status, &body))
        }
    }
    let answer = match api::request("POST", endpoint, Some(envelope), Some(timeout)).await {
        Ok(answer) => answer,
        Err(detail) => return Attempt::Transient(Problem::network(&detail)),
    };
    let status = answer.status;
    match classify(status) {
        Verdict::Receipt => {
            match receipt::check(id, envelope, &answer.body, endpoint, keys).await {
                Ok(receipt) => Attempt::Delivered(receipt),
                Err(p) => Attempt::Transient(p),
            }
        }
        Verdict::Final => Attempt::Refused(refusal(status, &answer.body)),
        Verdict::Retry => Attempt::Transient(Problem::new(
            ProblemKind::Server,
            Some(status),
            "http.unavailable",
            &format!("接收服务器暂时无法处理（HTTP {status}），稍后自动重试。"),
            &format!("The receiver could not take it now (HTTP {status}); it will be retried."),
        )),
    }
}

/// A final answer as the reader sees it: the receiver's refusal, or the bare status.
fn refusal(status: u16, body: &str) -> Problem {
    match api::read_refusal(body) {
        Some(r) => Problem {
            kind: ProblemKind::Refused,
            status: Some(status),
            code: r.rule.code.into_owned(),
            message_zh: r.rule.zh.into_owned(),
            message_en: r.rule.en.into_owned(),
            fields: r.fields.into_iter().map(Into::into).collect(),
        },
        None => Problem::new(
            ProblemKind::Refused,
            Some(status),
            "http.refused",
            &format!("接收服务器拒绝了这份签署（HTTP {status}）。"),
            &format!("The receiver refused this consent (HTTP {status})."),
        ),
    }
}
