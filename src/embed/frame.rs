//! The frame mode: the app as `/?embed=iframe` inside a portal's `<iframe>`.
//!
//! - Messages are `{type, detail}` objects. The frame posts its events (`qianyue-ready`,
//!   `qianyue-change`, `qianyue-submitted`, `qianyue-error`, and `qianyue-resize` with its
//!   content height) to the parent's origin only, never to `*`; the parent's origin is the one
//!   the browser reports (`location.ancestorOrigins`, else the referrer) if it is on the
//!   allow-list; when the browser does not say, the list's only origin, else the origin of the
//!   parent's first accepted message. Until it is known, messages wait.
//! - It accepts a message only from its parent window, and only when the message's origin is
//!   on the allow-list (`/embed-config.json`, see [`super::origins`]); messages arriving before
//!   the list is read wait for it. It understands `qianyue-prefill` (`{form, readonly, locale}`:
//!   restarts the journey with that form), `qianyue-locale` (`{locale}`) and `qianyue-theme`
//!   (`{"--qy-accent": "#00467f", …}`: the documented custom properties).
//! - The prefill may also come in the frame's URL fragment, as on the app's own page
//!   (`#prefill=…&readonly=…`), and the language in its query (`&locale=en`).
//! - A signing request's frame is `/s/<token>?embed=iframe`: the token is in the path, as on
//!   the signer's own link; the form and read-only fields come from the receiver, and neither
//!   the fragment's prefill nor `qianyue-prefill` sets or locks anything.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use qianyue_domain::form::Form;
use qianyue_domain::key_map::KeySet;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use super::glue;
use super::origins::{AllowList, CONFIG_PATH};
use super::prefill_error;
use super::{agreement_mismatch, is_theme_property, ordered_sink, parse_locale, parse_paths};
use super::{Embedding, Host};
use crate::components::request::RequestJourney;
use crate::events::AppEvent;
use crate::i18n::UiLocale;
use crate::state::{provide_app_state, AppState};
use crate::{config, prefill, App};

#[derive(Default)]
struct Frame {
    /// The allow-list, once read.
    allow: RefCell<Option<AllowList>>,
    /// The parent's origin, once known and allowed.
    parent: RefCell<Option<String>>,
    /// Messages to the parent waiting for its origin.
    outbox: RefCell<Vec<Value>>,
    /// Messages from the parent waiting for the allow-list.
    inbox: RefCell<Vec<(String, String)>>,
    /// Whether `qianyue-ready` went out (once for the frame's life).
    ready: Rc<Cell<bool>>,
    /// The mounted journey (dropping it unmounts it) and its state.
    mounted: RefCell<Option<Box<dyn std::any::Any>>>,
    state: Cell<Option<AppState>>,
    /// The host asked for an agreement this build does not carry.
    mismatch: Option<AppEvent>,
    /// The signing request's token, when the frame is `/s/<token>?embed=iframe`: its form and
    /// read-only fields come from the receiver, and `qianyue-prefill` is ignored.
    request: Option<String>,
}

/// Starts the frame: mounts the journey at once, then reads the allow-list and opens the
/// conversation with the parent.
pub fn start() {
    let query = |name: &str| {
        web_sys::UrlSearchParams::new_with_str(&window().location().search().unwrap_or_default())
            .ok()
            .and_then(|q| q.get(name))
            .filter(|v| !v.trim().is_empty())
    };
    let frame = Rc::new(Frame {
        mismatch: agreement_mismatch(
            query("agreement").as_deref(),
            query("agreement-version").as_deref(),
        ),
        request: crate::signing_request::token_from_location(),
        ..Frame::default()
    });
    let locale = query("locale").and_then(|v| parse_locale(&v));
    if frame.request.is_some() {
        mount(&frame, Form::default(), KeySet::new(), locale);
    } else {
        let form = prefill::from_location().unwrap_or_default();
        mount(&frame, form, config::readonly_paths(), locale);
    }

    // The listener lives as long as the page, and keeps the frame's state alive with it.
    let kept = Rc::clone(&frame);
    let listener =
        Closure::<dyn FnMut(String, String)>::new(move |origin: String, json: String| {
            receive(&kept, origin, json);
        });
    glue::listen_to_parent(&listener);
    listener.forget();

    let weak = Rc::downgrade(&frame);
    let report = Closure::<dyn FnMut(f64)>::new(move |height: f64| {
        if let Some(frame) = weak.upgrade() {
            post(
                &frame,
                json!({ "type": "qianyue-resize", "detail": { "height": height } }),
            );
        }
    });
    glue::observe_height(&report);
    report.forget();

    wasm_bindgen_futures::spawn_local(async move {
        // Any answer but a 2xx (or none) is no list: the frame then allows no parent.
        let text = crate::api::request("GET", CONFIG_PATH, None, None)
            .await
            .ok()
            .filter(|a| (200..300).contains(&a.status))
            .map(|a| a.body);
        let allow = AllowList::from_config(text.as_deref(), &glue::own_origin());
        // The browser's word on the parent wins; without it, a one-origin list names it.
        let parent = match glue::parent_origin() {
            Some(origin) => allow.allows(&origin).then_some(origin),
            None => allow.only_origin(),
        };
        *frame.allow.borrow_mut() = Some(allow);
        if let Some(parent) = parent {
            learn_parent(&frame, parent);
        }
        let waiting = frame.inbox.take();
        for (origin, json) in waiting {
            receive(&frame, origin, json);
        }
    });
}

/// Mounts a journey with `form` on the page's body, replacing the one there.
fn mount(frame: &Rc<Frame>, form: Form, readonly: KeySet, locale: Option<UiLocale>) {
    // Unmount the previous journey first: its nodes leave the body.
    drop(frame.mounted.take());
    frame.state.set(None);
    let weak: Weak<Frame> = Rc::downgrade(frame);
    let sink = ordered_sink(Rc::clone(&frame.ready), move |event| {
        if let Some(frame) = weak.upgrade() {
            post(
                &frame,
                json!({ "type": event.name(), "detail": event.detail() }),
            );
        }
    });
    let body = document().body().expect("a page has a body");
    if let Some(error) = &frame.mismatch {
        let detail = error.detail();
        let text = |key: &str| detail[key].as_str().unwrap_or_default().to_owned();
        let (zh, en) = (text("message_zh"), text("message_en"));
        let mounted = leptos::mount::mount_to(body, move || {
            view! {
                <p class="qy-embed-error" role="alert">
                    <span lang="zh-CN">{zh}</span>
                    " "
                    <span lang="en">{en}</span>
                </p>
            }
        });
        *frame.mounted.borrow_mut() = Some(Box::new(mounted));
        sink.emit(error);
        return;
    }
    let embedding = Embedding {
        endpoint: None,
        readonly,
        sink: sink.clone(),
        root: None,
    };
    let made = Rc::new(Cell::new(None::<AppState>));
    let made_in = Rc::clone(&made);
    let request = frame.request.clone();
    let mounted = leptos::mount::mount_to(body, move || {
        let state = AppState::new(form).with_host(Host::embedded(embedding));
        if let Some(locale) = locale {
            state.locale.set(locale);
        }
        provide_app_state(state);
        made_in.set(Some(state));
        match request {
            Some(token) => view! { <RequestJourney state=state token=Some(token) /> }.into_any(),
            None => view! { <App /> }.into_any(),
        }
    });
    *frame.mounted.borrow_mut() = Some(Box::new(mounted));
    frame.state.set(made.take());
    sink.emit(&AppEvent::Ready);
}

/// The parent's origin is known (and allowed): send what waited.
fn learn_parent(frame: &Frame, origin: String) {
    *frame.parent.borrow_mut() = Some(origin);
    let waiting = frame.outbox.take();
    for message in waiting {
        post(frame, message);
    }
}

/// Posts `message` to the parent's origin, or keeps it until that is known.
fn post(frame: &Frame, message: Value) {
    let parent = frame.parent.borrow().clone();
    match parent {
        Some(origin) => glue::post_to_parent(&origin, &message.to_string()),
        None => {
            let mut outbox = frame.outbox.borrow_mut();
            // Only the latest height matters.
            if message["type"] == "qianyue-resize" {
                outbox.retain(|m| m["type"] != "qianyue-resize");
            }
            outbox.push(message);
        }
    }
}

/// One message from the parent window.
fn receive(frame: &Rc<Frame>, origin: String, json: String) {
    let allowed = frame
        .allow
        .borrow()
        .as_ref()
        .map(|allow| allow.allows(&origin));
    let message = crate::api::read_json(&json).unwrap_or(Value::Null);
    let kind = message["type"].as_str().unwrap_or_default().to_owned();
    match allowed {
        None => {
            frame.inbox.borrow_mut().push((origin, json));
            return;
        }
        Some(false) => {
            if kind.starts_with("qianyue-") {
                leptos::logging::warn!(
                    "qianyue: ignored a {kind} message from {origin}: that origin is not on the allow-list"
                );
            }
            return;
        }
        Some(true) => {}
    }
    if frame.parent.borrow().is_none() {
        learn_parent(frame, origin);
    }
    let detail = &message["detail"];
    let locale = detail["locale"].as_str().and_then(parse_locale);
    match kind.as_str() {
        "qianyue-prefill" if frame.request.is_some() => {
            leptos::logging::warn!(
                "qianyue: ignored qianyue-prefill: this frame shows a signing request, whose values come from the receiver"
            );
        }
        "qianyue-prefill" if frame.mismatch.is_none() => {
            let form = match &detail["form"] {
                Value::Null => Ok(Form::default()),
                Value::String(text) => prefill::parse(text),
                other => prefill::parse(&other.to_string()),
            };
            let readonly = match &detail["readonly"] {
                Value::Array(paths) => paths
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                Value::String(paths) => parse_paths(paths),
                _ => KeySet::new(),
            };
            let current = frame.state.get().map(|s| s.locale.get_untracked());
            match form {
                Ok(form) => mount(frame, form, readonly, locale.or(current)),
                Err(problem) => {
                    if let Some(state) = frame.state.get() {
                        state.host.emit(prefill_error(&problem));
                    }
                }
            }
        }
        "qianyue-theme" => {
            if let Value::Object(properties) = detail {
                for (name, value) in properties {
                    match value.as_str() {
                        Some(value) if is_theme_property(name, value) => {
                            glue::set_theme_property(name, value)
                        }
                        _ => leptos::logging::warn!("qianyue: ignored theme property {name}"),
                    }
                }
            }
        }
        "qianyue-locale" => {
            if let (Some(state), Some(locale)) = (frame.state.get(), locale) {
                state.locale.set(locale);
            }
        }
        _ => {}
    }
}
