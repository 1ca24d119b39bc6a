//! The signer's side of a signing request (docs/requests.md, docs/embedding.md): the token of
//! the link `/s/<token>`, and the receiver's app-internal endpoints read through `api.rs`:
//!
//! - `GET /api/signing` → `{"open_signing": bool}`: whether a page without a request shows the
//!   open journey (anything but a `200` saying `false`, e.g. an older receiver, a static
//!   server, no network: the open journey, whose consents the receiver judges anyway);
//! - `GET /api/signing/{token}` → the request (form, read-only paths, signer, verification),
//!   or that it is signed (its receipt and payload), or a 404/410 refusal;
//! - `POST /api/signing/{token}/code` and `…/verify`: the one-time code (identity step).
//!
//! The form and the read-only paths come from the receiver only, never from the URL.

use std::time::Duration;

use leptos::prelude::*;
use qianyue_domain::error::Message;
use qianyue_domain::form::Form;
use qianyue_domain::key_map::KeySet;
use qianyue_domain::payload::Rejection;
use qianyue_domain::request::is_readonly;
use serde_json::Value;

use crate::api;

/// How long the page waits for the receiver's word on a request or the mode.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The base of the signer's endpoints.
pub const SIGNING_PATH: &str = "/api/signing";

/// The token of a signing link `/s/<token>` (43 base64url characters), from a path.
pub fn token_of_path(path: &str) -> Option<String> {
    let token = path.strip_prefix("/s/")?.trim_end_matches('/');
    is_token(token).then(|| token.to_owned())
}

/// Whether `s` has a token's shape: base64url, 16 to 128 characters (the receiver's tokens are
/// 43); anything else is not sent to the receiver.
pub fn is_token(s: &str) -> bool {
    (16..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where the signer's endpoints are: beside the consents' endpoint, on the same receiver, as
/// the receipt keys are (`outbox::receipt::keys_url`): `/api/consents` → `/api/signing`.
pub fn signing_base(endpoint: &str) -> String {
    match endpoint.rsplit_once('/') {
        Some((base, _)) => format!("{base}/signing"),
        None => SIGNING_PATH.to_owned(),
    }
}

/// The URL of the request `token` (`<base>/<token>`), the base of its code endpoints.
pub fn request_url(endpoint: &str, token: &str) -> String {
    format!("{}/{token}", signing_base(endpoint))
}

/// The token in this page's path, if it is a signing link (the app's own page and the frame
/// `/s/<token>?embed=iframe`).
pub fn token_from_location() -> Option<String> {
    token_of_path(&window().location().pathname().ok()?)
}

/// An open request, as the page needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub request_id: String,
    pub form: Form,
    /// The read-only entries: field paths or prefixes of them (`customer`, `orders`).
    pub readonly: Vec<String>,
    pub signer_name: String,
    /// `138****5678`.
    pub mobile: String,
    pub expires_at: String,
    pub locale: Option<String>,
    /// The receiver's record of the signer's verification, verbatim (`{method, mobile,
    /// verified_at}`), when the signer verified before a reload.
    pub verification: Option<Value>,
}

/// What the receiver says about a token.
#[derive(Debug, Clone, PartialEq)]
pub enum Opening {
    Open(Box<Opened>),
    /// Signed: the stored receipt envelope (`{receipt, signature}`) and the signed payload.
    Signed {
        receipt: Value,
        payload: Value,
    },
    /// Refused: expired, revoked, unknown (410 / 404), or any other refusal, with its code.
    Refused(Message),
    /// No answer that can be read (network, 5xx): the page offers to try again.
    Failed(String),
}

/// Reads `GET /api/signing/{token}`'s answer.
pub fn read_opening(status: u16, body: &str) -> Opening {
    let value = api::read_json(body).unwrap_or(Value::Null);
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    if status == 200 {
        if value["status"] == "signed" {
            return Opening::Signed {
                receipt: value["receipt"].clone(),
                payload: value["payload"].clone(),
            };
        }
        // One JSON reader for forms in the bundle (the prefill's).
        let form = crate::prefill::parse(&value["form"].to_string());
        return match form {
            Ok(form) => Opening::Open(Box::new(Opened {
                request_id: text(&value["request_id"]),
                form,
                readonly: value["readonly"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                signer_name: text(&value["signer"]["name"]),
                mobile: text(&value["signer"]["mobile"]),
                expires_at: text(&value["expires_at"]),
                locale: value["locale"].as_str().map(str::to_owned),
                verification: value["verification"]
                    .is_object()
                    .then(|| value["verification"].clone()),
            })),
            Err(detail) => Opening::Failed(detail),
        };
    }
    match (status, api::read_refusal(body)) {
        (400..=499, Some(refusal)) => Opening::Refused(refusal.rule),
        _ => Opening::Failed(format!("HTTP {status}")),
    }
}

/// `GET /api/signing/{token}` (`url`: [`request_url`]).
pub async fn open(url: &str) -> Opening {
    match api::request("GET", url, None, Some(TIMEOUT)).await {
        Ok(answer) => read_opening(answer.status, &answer.body),
        Err(why) => Opening::Failed(why),
    }
}

/// `GET /api/signing`: `false` only when the receiver says it wants a request for every
/// consent (see the module's documentation).
pub async fn open_signing(endpoint: &str) -> bool {
    let url = signing_base(endpoint);
    let Ok(answer) = api::request("GET", &url, None, Some(TIMEOUT)).await else {
        return true;
    };
    !(answer.status == 200 && says_closed(&answer.body))
}

/// Whether `GET /api/signing`'s body is `{"open_signing": false}`: read by its text, not by a
/// JSON reader, which this check would bring into the first load (docs/decisions.md "Signing
/// requests in the app", "Bytes").
pub fn says_closed(body: &str) -> bool {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    compact == r#"{"open_signing":false}"#
}

/// The answer to a code request or a code check: the receiver's JSON, or its refusal.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeAnswer {
    Ok(Value),
    Refused(Rejection),
    Failed(String),
}

fn read_code_answer(answer: Result<api::Answer, String>) -> CodeAnswer {
    match answer {
        Ok(a) if (200..300).contains(&a.status) => {
            CodeAnswer::Ok(api::read_json(&a.body).unwrap_or(Value::Null))
        }
        Ok(a) => match api::read_refusal(&a.body) {
            Some(refusal) if a.status < 600 => CodeAnswer::Refused(refusal),
            _ => CodeAnswer::Failed(format!("HTTP {}", a.status)),
        },
        Err(why) => CodeAnswer::Failed(why),
    }
}

/// `POST /api/signing/{token}/code`: `{sent_to, expires_in, resend_after}`, or
/// `{"status": "verified", …}` when the signer is verified already.
pub async fn send_code(url: &str) -> CodeAnswer {
    let url = format!("{url}/code");
    read_code_answer(api::request("POST", &url, Some("{}"), Some(TIMEOUT)).await)
}

/// `POST /api/signing/{token}/verify` with `{"code"}`: `{status: "verified", verification}`.
pub async fn verify_code(url: &str, code: &str) -> CodeAnswer {
    let url = format!("{url}/verify");
    let mut body = String::from("{\"code\":");
    qianyue_domain::form_json::push_string(&mut body, code);
    body.push('}');
    read_code_answer(api::request("POST", &url, Some(&body), Some(TIMEOUT)).await)
}

/// The open request of this journey, provided as context below the request's page (absent in
/// the open journey): the signing panel locks its read-only paths, the identity step asks for
/// and checks the code, and the payload names the request and the verification.
#[derive(Clone, Copy)]
pub struct RequestCtx {
    /// The request's URL ([`request_url`]).
    pub url: StoredValue<String>,
    pub opened: StoredValue<Opened>,
    /// The verification as the receiver answered it (`verify`, or the GET after a reload).
    pub verification: RwSignal<Option<Value>>,
    /// Signing on an account manager's enrolled device (the staff mode, docs/staff.md): the
    /// identity checked in person instead of the SMS code.
    pub witness: Option<crate::staff::WitnessCtx>,
}

impl RequestCtx {
    pub fn new(url: String, opened: Opened) -> RequestCtx {
        let verification = RwSignal::new(opened.verification.clone());
        RequestCtx {
            url: StoredValue::new(url),
            opened: StoredValue::new(opened),
            verification,
            witness: None,
        }
    }

    /// A request downloaded to a staff device, signed offline with the identity checked in
    /// person (`witness`) instead of the SMS code.
    pub fn witnessed(opened: Opened, witness: crate::staff::WitnessCtx) -> RequestCtx {
        RequestCtx {
            witness: Some(witness),
            ..RequestCtx::new(String::new(), opened)
        }
    }

    /// The concrete paths of `form` the request makes read-only (`orders` too when the product
    /// lines are: none can be added or removed).
    pub fn readonly_paths(self, form: &Form) -> KeySet {
        self.opened.with_value(|o| {
            let mut paths: KeySet = form
                .paths()
                .into_iter()
                .filter(|p| is_readonly(&o.readonly, p))
                .collect();
            if is_readonly(&o.readonly, "orders") {
                paths.insert("orders".to_owned());
            }
            paths
        })
    }

    /// Whether the signer's identity is settled: the SMS code verified, or (witnessed) the
    /// record of the check in person passes the domain's `Witness::check`.
    pub fn is_verified(self) -> bool {
        match self.witness {
            Some(w) => w.complete.get(),
            None => self.verification.with(Option::is_some),
        }
    }
}

pub fn use_request() -> Option<RequestCtx> {
    use_context::<RequestCtx>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_from_the_path_only_when_they_look_like_one() {
        let token = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
        assert_eq!(
            token_of_path(&format!("/s/{token}")).as_deref(),
            Some(token)
        );
        assert_eq!(
            token_of_path(&format!("/s/{token}/")).as_deref(),
            Some(token)
        );
        assert_eq!(token_of_path("/s/short"), None);
        assert_eq!(token_of_path("/s/has%20space0123456789"), None);
        assert_eq!(token_of_path("/"), None);
        assert_eq!(token_of_path(&format!("/x/{token}")), None);
    }

    #[test]
    fn the_endpoints_are_on_the_receiver_of_the_consents() {
        assert_eq!(signing_base("/api/consents"), "/api/signing");
        assert_eq!(
            request_url("https://qy.example.cn:8443/api/consents", "tok"),
            "https://qy.example.cn:8443/api/signing/tok"
        );
    }

    #[test]
    fn the_closed_mode_is_read_from_its_one_answer() {
        assert!(says_closed(r#"{"open_signing":false}"#));
        assert!(says_closed("{ \"open_signing\": false }\n"));
        assert!(!says_closed(r#"{"open_signing":true}"#));
        assert!(!says_closed(r#"{"code":"not_found"}"#));
        assert!(!says_closed(""));
    }

    #[test]
    fn reads_each_answer() {
        let open = r#"{"status":"open","request_id":"r-1","form":{},"readonly":["customer","contract_no"],
            "signer":{"name":"王五","mobile":"138****5678"},"expires_at":"2026-12-08T18:00:00+08:00",
            "locale":"en","verification":null}"#;
        let Opening::Open(o) = read_opening(200, open) else {
            panic!("not open")
        };
        assert_eq!(o.request_id, "r-1");
        assert_eq!(o.readonly, ["customer", "contract_no"]);
        assert_eq!(o.mobile, "138****5678");
        assert_eq!(o.locale.as_deref(), Some("en"));
        assert_eq!(o.verification, None);

        let signed = r#"{"status":"signed","request_id":"r-1","consent_id":"c","receipt":{"receipt":{}},"payload":{"format":"qianyue-consent/2"}}"#;
        assert!(matches!(read_opening(200, signed), Opening::Signed { .. }));

        let gone = r#"{"code":"request.expired","message_zh":"已过期","message_en":"Expired","fields":[]}"#;
        match read_opening(410, gone) {
            Opening::Refused(m) => assert_eq!(m.code, "request.expired"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_opening(502, "bad gateway"),
            Opening::Failed(_)
        ));
    }
}
