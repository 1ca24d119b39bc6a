//! What the app tells whoever hosts it: ready, a change of validity or progress, the receipt of
//! a submitted consent, an error. Components emit [`AppEvent`]s through the [`EventSink`] of
//! their app state (`AppState::host`); on its own page the sink does nothing, inside a host
//! page's `<qianyue-consent>` it dispatches DOM `CustomEvent`s, inside a frame it posts messages
//! to the parent (see `embed/` and docs/embedding.md, which lists the names and details below).

use std::rc::Rc;

use qianyue_domain::content::{AGREEMENT_ID, AGREEMENT_VERSION};
use qianyue_domain::error::Message;
use serde_json::{json, Value};

/// One thing the host may want to know.
#[derive(Debug, Clone, PartialEq)]
pub enum AppEvent {
    /// The journey is rendered and listening.
    Ready,
    /// Validity or progress changed: `valid` when every value of the form passes every rule;
    /// `sections_complete` of `sections_total` sections of the journey are complete (the
    /// form's sections, the consents and the signature).
    Change {
        valid: bool,
        sections_complete: usize,
        sections_total: usize,
    },
    /// The receiver accepted the signed consent; `receipt` is its answer as it returned it.
    Submitted { receipt: Value },
    /// Something the host should know went wrong (the reader is told on the page as well):
    /// the domain's one message type, whose serde is the detail `{code, message_zh, message_en}`.
    Error(Message),
}

impl AppEvent {
    /// The DOM event name, which is also the message `type`.
    pub fn name(&self) -> &'static str {
        match self {
            AppEvent::Ready => "qianyue-ready",
            AppEvent::Change { .. } => "qianyue-change",
            AppEvent::Submitted { .. } => "qianyue-submitted",
            AppEvent::Error(_) => "qianyue-error",
        }
    }

    /// The event's `detail` (and the message's `detail`).
    pub fn detail(&self) -> Value {
        match self {
            AppEvent::Ready => json!({
                "agreement": { "id": AGREEMENT_ID, "version": AGREEMENT_VERSION }
            }),
            AppEvent::Change {
                valid,
                sections_complete,
                sections_total,
            } => json!({
                "valid": valid,
                "sections_complete": sections_complete,
                "sections_total": sections_total,
            }),
            AppEvent::Submitted { receipt } => json!({ "receipt": receipt }),
            AppEvent::Error(message) => serde_json::to_value(message).unwrap_or(Value::Null),
        }
    }

    /// An error event from static texts.
    pub fn error(code: &str, message_zh: &str, message_en: &str) -> AppEvent {
        AppEvent::Error(Message::new(
            code.to_owned(),
            message_zh.to_owned(),
            message_en.to_owned(),
        ))
    }
}

type Deliver = Rc<dyn Fn(&AppEvent)>;

/// Where events go. The default sink drops them (the app on its own page).
#[derive(Clone, Default)]
pub struct EventSink(Option<Deliver>);

impl EventSink {
    pub fn new(deliver: impl Fn(&AppEvent) + 'static) -> EventSink {
        EventSink(Some(Rc::new(deliver)))
    }

    pub fn emit(&self, event: &AppEvent) {
        if let Some(deliver) = &self.0 {
            deliver(event);
        }
    }

    /// Whether events go anywhere.
    pub fn is_connected(&self) -> bool {
        self.0.is_some()
    }
}

/// Emits `event` through the sink of the app state in context, if there is one.
pub fn emit(event: AppEvent) {
    if let Some(state) = leptos::prelude::use_context::<crate::state::AppState>() {
        state.host.emit(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn names_and_details_are_the_documented_ones() {
        let change = AppEvent::Change {
            valid: false,
            sections_complete: 3,
            sections_total: 8,
        };
        assert_eq!(change.name(), "qianyue-change");
        assert_eq!(
            change.detail(),
            json!({"valid": false, "sections_complete": 3, "sections_total": 8})
        );
        let receipt = json!({"consent_id": "c-1", "received_at": "2026-11-28T10:00:00Z"});
        let submitted = AppEvent::Submitted {
            receipt: receipt.clone(),
        };
        assert_eq!(submitted.name(), "qianyue-submitted");
        assert_eq!(submitted.detail(), json!({ "receipt": receipt }));
        let error = AppEvent::error("client.send_failed", "发送失败", "Sending failed");
        assert_eq!(error.name(), "qianyue-error");
        assert_eq!(
            error.detail(),
            json!({"code": "client.send_failed", "message_zh": "发送失败", "message_en": "Sending failed"})
        );
        assert_eq!(AppEvent::Ready.name(), "qianyue-ready");
        assert_eq!(
            AppEvent::Ready.detail()["agreement"]["id"],
            json!(AGREEMENT_ID)
        );
    }

    #[test]
    fn the_default_sink_drops_events_and_a_sink_delivers_them() {
        let none = EventSink::default();
        assert!(!none.is_connected());
        none.emit(&AppEvent::Ready);
        let seen = Rc::new(RefCell::new(Vec::new()));
        let into = Rc::clone(&seen);
        let sink = EventSink::new(move |e| into.borrow_mut().push(e.name()));
        sink.emit(&AppEvent::Ready);
        sink.clone().emit(&AppEvent::Ready);
        assert_eq!(*seen.borrow(), vec!["qianyue-ready", "qianyue-ready"]);
    }
}
