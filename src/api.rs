//! fetch, the one place the app calls it: [`request`] (a method, a URL, an optional JSON body,
//! a timeout; the status and the body's text) and the consent POST on top of it.
//!
//! Sending the signed envelope: `POST <endpoint>` with `Content-Type: application/json`.
//!
//! - 2xx: the body (JSON) is the receipt.
//! - 4xx with `{code, message_zh, message_en, fields: [{path, code, message_zh, message_en}]}`:
//!   the receiver's refusal, read as the domain's `Rejection` ([`read_refusal`]), whose fields
//!   are mapped back onto the form.
//! - anything else (network down, 5xx, a body that is not JSON): a failure to send; the reader
//!   can try again, nothing typed is lost.

use std::time::Duration;

use js_sys::{Function, Reflect};
use qianyue_domain::payload::Rejection;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// A 4xx body read as the receiver's refusal (the domain's `Rejection::read`, the wire
/// shape); `None` if it is not one.
pub fn read_refusal(body: &str) -> Option<Rejection> {
    Rejection::read(&read_json(body)?)
}

/// A JSON answer's body as a value; `None` if it is not JSON. Read with the domain's reader
/// rather than serde_json's (docs/bytes.md, "JSON read with the form's reader").
pub fn read_json(body: &str) -> Option<serde_json::Value> {
    qianyue_domain::json::parse(body).ok()
}

/// The answer to a [`request`]: its status and its body's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// What a JS error says.
pub fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// `fetch(url, {method, body, cache: "no-store", signal})` with `Accept: application/json`
/// (and `Content-Type: application/json` with a body), aborted after `timeout` where the
/// browser has `AbortSignal.timeout`. Any status is an answer; `Err` says why there is none
/// (network down, aborted, no window).
pub async fn request(
    method: &str,
    url: &str,
    body: Option<&str>,
    timeout: Option<Duration>,
) -> Result<Answer, String> {
    let body = body.map(|b| (JsValue::from_str(b), "application/json"));
    request_with(method, url, body, &[], timeout).await
}

/// [`request`] with a body of any type (`(body, content type)`) and more headers.
async fn request_with(
    method: &str,
    url: &str,
    body: Option<(JsValue, &str)>,
    extra_headers: &[(&str, String)],
    timeout: Option<Duration>,
) -> Result<Answer, String> {
    let js = |e: JsValue| js_text(&e);
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(js)?;
    headers.set("Accept", "application/json").map_err(js)?;
    if let Some((body, content_type)) = body {
        headers.set("Content-Type", content_type).map_err(js)?;
        init.set_body(&body);
    }
    for (name, value) in extra_headers {
        headers.set(name, value).map_err(js)?;
    }
    init.set_headers(&headers);
    let _ = Reflect::set(&init, &"cache".into(), &"no-store".into());
    if let Some(signal) = timeout.and_then(timeout_signal) {
        let _ = Reflect::set(&init, &"signal".into(), &signal);
    }
    let request = Request::new_with_str_and_init(url, &init).map_err(js)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js)?
        .dyn_into()
        .map_err(js)?;
    let body = JsFuture::from(response.text().map_err(js)?)
        .await
        .map_err(js)?
        .as_string()
        .unwrap_or_default();
    Ok(Answer {
        status: response.status(),
        body,
    })
}

/// An enrolled staff device's signed call (docs/staff.md "Device-signed calls"): `url`, whose
/// path with query as the receiver sees it is `path_and_query`, with the headers
/// `Qianyue-Device: <device>` and `Qianyue-Device-Signature: t=<now>,sig=<ES256 r‖s>` over the
/// domain's `staff::device_request_message`; `body`: the bytes and their content type.
pub async fn device_request(
    device: &str,
    key: &crate::crypto::SigningKey,
    method: &str,
    url: &str,
    path_and_query: &str,
    body: Option<(&[u8], &str)>,
    timeout: Option<Duration>,
) -> Result<Answer, String> {
    // The browser's own clock (never the pinned one of tests): the receiver allows 300 s.
    let t = (crate::clock::now_ms() / 1000.0).floor() as i64;
    let message = qianyue_domain::staff::device_request_message(method, path_and_query, t);
    let sig = key
        .sign(message.as_bytes())
        .await
        .map_err(|e| js_text(&e))?;
    let headers = [
        ("Qianyue-Device", device.to_owned()),
        (
            "Qianyue-Device-Signature",
            format!("t={t},sig={}", qianyue_domain::base64url::encode(sig)),
        ),
    ];
    let body = body.map(|(bytes, content_type)| {
        (JsValue::from(js_sys::Uint8Array::from(bytes)), content_type)
    });
    request_with(method, url, body, &headers, timeout).await
}

/// `AbortSignal.timeout(ms)`, where the browser has it.
fn timeout_signal(timeout: Duration) -> Option<JsValue> {
    let ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
    let class = Reflect::get(&js_sys::global(), &"AbortSignal".into()).ok()?;
    let timeout: Function = Reflect::get(&class, &"timeout".into())
        .ok()?
        .dyn_into()
        .ok()?;
    timeout.call1(&class, &ms.into()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_refusal() {
        let body = r#"{"code":"form.invalid","message_zh":"表单未通过校验","message_en":"The form does not pass validation",
            "fields":[{"path":"customer.cert_number","code":"uscc.check_char","message_zh":"校验位不符","message_en":"Check digit does not match"}]}"#;
        let refusal = read_refusal(body).expect("read");
        assert_eq!(refusal.code(), "form.invalid");
        assert_eq!(refusal.fields[0].path, "customer.cert_number");
        assert_eq!(refusal.fields[0].rule.en, "Check digit does not match");
        assert_eq!(read_refusal("not json"), None);
    }
}
