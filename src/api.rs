//! Sending the signed envelope: `POST <endpoint>` with `Content-Type: application/json`.
//!
//! - 2xx: the body (JSON) is the receipt.
//! - 4xx with `{code, message_zh, message_en, fields: [{path, code, message_zh, message_en}]}`
//!   (the receiver's `Rejection`): the refusal, whose fields are mapped back onto the form.
//! - anything else (network down, 5xx, a body that is not JSON): a failure to send; the reader
//!   can try again, nothing typed is lost.

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// One field the server refused.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRefusal {
    pub path: String,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

/// How sending ended, when it did not end with a receipt.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// The server refused the consent (4xx with the documented body).
    Refused {
        status: u16,
        code: String,
        message_zh: String,
        message_en: String,
        fields: Vec<FieldRefusal>,
    },
    /// Not delivered, or no usable answer: try again.
    Failed { status: Option<u16>, detail: String },
}

fn text_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Reads a 4xx body into a refusal; `None` if it is not the documented shape.
pub fn parse_refusal(status: u16, body: &str) -> Option<SendError> {
    let v: Value = serde_json::from_str(body).ok()?;
    let code = v.get("code")?.as_str()?.to_owned();
    let fields = v
        .get("fields")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|f| {
                    Some(FieldRefusal {
                        path: f.get("path")?.as_str()?.to_owned(),
                        code: text_of(f, "code"),
                        message_zh: text_of(f, "message_zh"),
                        message_en: text_of(f, "message_en"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Some(SendError::Refused {
        status,
        code,
        message_zh: text_of(&v, "message_zh"),
        message_en: text_of(&v, "message_en"),
        fields,
    })
}

fn failed(detail: impl Into<String>, status: Option<u16>) -> SendError {
    SendError::Failed {
        status,
        detail: detail.into(),
    }
}

fn js_detail(e: JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "request failed".to_owned())
}

/// POSTs `body` (JSON text) to `endpoint`; the receipt on success.
pub async fn post_json(endpoint: &str, body: &str) -> Result<Value, SendError> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = Headers::new().map_err(|e| failed(js_detail(e), None))?;
    headers
        .set("Content-Type", "application/json")
        .map_err(|e| failed(js_detail(e), None))?;
    init.set_headers(&headers);
    let request =
        Request::new_with_str_and_init(endpoint, &init).map_err(|e| failed(js_detail(e), None))?;
    let window = web_sys::window().ok_or_else(|| failed("no window", None))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| failed(js_detail(e), None))?
        .dyn_into()
        .map_err(|e| failed(js_detail(e), None))?;
    let status = response.status();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if response.ok() {
        return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
    }
    if (400..500).contains(&status) {
        if let Some(refusal) = parse_refusal(status, &text) {
            return Err(refusal);
        }
    }
    Err(failed(format!("HTTP {status}"), Some(status)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_refusal() {
        let body = r#"{"code":"form.invalid","message_zh":"表单未通过校验","message_en":"The form does not pass validation",
            "fields":[{"path":"customer.cert_number","code":"uscc.check_char","message_zh":"校验位不符","message_en":"Check digit does not match"}]}"#;
        let Some(SendError::Refused { code, fields, .. }) = parse_refusal(422, body) else {
            panic!("not read");
        };
        assert_eq!(code, "form.invalid");
        assert_eq!(fields[0].path, "customer.cert_number");
        assert_eq!(fields[0].message_en, "Check digit does not match");
        assert_eq!(parse_refusal(400, "not json"), None);
    }
}
