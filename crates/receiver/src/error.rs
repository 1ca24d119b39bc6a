//! The receiver's one error type: an HTTP status and the domain's [`Rejection`], which is the
//! JSON body (`{code, message_zh, message_en, fields, …}`, the shape the app reads back with
//! the same type), plus the headers some refusals carry. Handlers return
//! `Result<Response, ApiError>` and refuse with `?`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use qianyue_domain::error::RuleMessage;
use qianyue_domain::payload::{PayloadError, Rejection};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub rejection: Rejection,
    /// `Retry-After` in seconds (429, 503).
    retry_after: Option<u64>,
    /// `WWW-Authenticate: Bearer` (401).
    challenge: bool,
}

impl ApiError {
    /// A refusal of the whole request by one rule.
    pub fn new(status: StatusCode, rule: impl Into<RuleMessage>) -> ApiError {
        ApiError::rejected(status, Rejection::of(rule, ""))
    }

    /// A refusal with its fields (the payload's checks).
    pub fn rejected(status: StatusCode, rejection: Rejection) -> ApiError {
        ApiError {
            status,
            rejection,
            retry_after: None,
            challenge: false,
        }
    }

    /// To be retried after `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// With the bearer challenge of a 401.
    pub fn challenge(mut self) -> ApiError {
        self.challenge = true;
        self
    }
}

/// A body that is not a verified envelope: 400.
impl From<PayloadError> for ApiError {
    fn from(e: PayloadError) -> ApiError {
        ApiError::rejected(StatusCode::BAD_REQUEST, e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&self.rejection).unwrap_or_else(|_| "{}".into());
        let mut r = crate::api::json_response(self.status, body);
        let h = r.headers_mut();
        if let Some(seconds) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.challenge {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"qianyue\""),
            );
        }
        r
    }
}
