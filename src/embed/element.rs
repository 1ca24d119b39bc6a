//! `<qianyue-consent>`: the journey as a custom element of the host page.
//!
//! `glue.js` defines the element class; each element has an open shadow root holding the app's
//! stylesheet and one container, into which [`connect`] mounts an [`App`] with its own
//! [`AppState`] (prefill, read-only fields, language, endpoint from the element; or, with
//! `request="<token>"`, the signing request's journey, whose form and read-only fields come
//! from the receiver, the element's `prefill` and `readonly` then unused) and a sink
//! that dispatches `qianyue-*` CustomEvents from inside the shadow root (`bubbles`,
//! `composed`: they reach the host page through the element). Removing the element drops the
//! mount handle, which unmounts the view and disposes its reactive state.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use super::glue;
use super::{agreement_mismatch, ordered_sink, parse_locale, parse_paths, prefill_error};
use super::{Embedding, Host};
use crate::components::request::RequestJourney;
use crate::config::DEFAULT_ENDPOINT;
use crate::events::AppEvent;
use crate::prefill;
use crate::state::{provide_app_state, AppState};
use crate::App;

/// One mounted element.
struct Instance {
    /// The mount handle (its drop unmounts the view and disposes the instance's owner).
    _mounted: Box<dyn std::any::Any>,
    /// Its app state, for a new `locale` or `endpoint`; `None` when showing an error.
    state: Option<AppState>,
}

thread_local! {
    static INSTANCES: RefCell<HashMap<u32, Instance>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    /// Whether each element (by its container) has announced `qianyue-ready`.
    static READY: RefCell<Vec<(web_sys::Element, Rc<Cell<bool>>)>> = const { RefCell::new(Vec::new()) };
}

/// Defines `<qianyue-consent>` (once; later calls do nothing).
pub fn define() {
    let connect = Closure::<dyn FnMut(HtmlElement, HtmlElement, bool) -> u32>::new(connect);
    let disconnect = Closure::<dyn FnMut(u32)>::new(disconnect);
    let update = Closure::<dyn FnMut(u32, HtmlElement)>::new(update);
    glue::define_element(&connect, &disconnect, &update);
    // The element class calls these for as long as the page lives.
    connect.forget();
    disconnect.forget();
    update.forget();
}

fn attribute(element: &HtmlElement, name: &str) -> Option<String> {
    element.get_attribute(name).filter(|v| !v.trim().is_empty())
}

/// The `ready` flag of the element whose container is `container`: kept across restarts
/// (`fresh == false`), new when the element is (re)connected.
fn ready_flag(container: &web_sys::Element, fresh: bool) -> Rc<Cell<bool>> {
    READY.with(|all| {
        let mut all = all.borrow_mut();
        all.retain(|(c, _)| c.is_connected());
        match all.iter().find(|(c, _)| c == container) {
            Some((_, flag)) if !fresh => Rc::clone(flag),
            _ => {
                let flag = Rc::new(Cell::new(false));
                all.retain(|(c, _)| c != container);
                all.push((container.clone(), Rc::clone(&flag)));
                flag
            }
        }
    })
}

/// Mounts an instance into `container` (inside `element`'s shadow root); returns its id.
fn connect(element: HtmlElement, container: HtmlElement, fresh: bool) -> u32 {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1).max(1));
        id
    });
    let target: web_sys::Element = container.clone().into();
    let ready = ready_flag(&target, fresh);
    let sink = {
        let target = target.clone();
        ordered_sink(ready, move |event| {
            glue::dispatch(&target, event.name(), &event.detail().to_string())
        })
    };
    // Events raised while mounting go out after the host's current task (a listener added
    // right after inserting the element still hears `qianyue-ready`).
    let early: Rc<RefCell<Vec<AppEvent>>> = Rc::default();
    let mismatch = agreement_mismatch(
        attribute(&element, "agreement").as_deref(),
        attribute(&element, "agreement-version").as_deref(),
    );
    let instance = match mismatch {
        Some(error) => {
            let view = error_view(&error);
            early.borrow_mut().push(error);
            Instance {
                _mounted: Box::new(leptos::mount::mount_to(container, move || view)),
                state: None,
            }
        }
        None => {
            let with_request = attribute(&element, "request").is_some();
            let (form, problem) = match glue::prefill_of(&element) {
                _ if with_request => (Default::default(), None),
                None => (Default::default(), None),
                Some(json) => match prefill::parse(&json) {
                    Ok(form) => (form, None),
                    Err(detail) => (Default::default(), Some(prefill_error(&detail))),
                },
            };
            early.borrow_mut().extend(problem);
            let embedding = Embedding {
                endpoint: Some(glue::endpoint_of(&element, DEFAULT_ENDPOINT)),
                readonly: attribute(&element, "readonly")
                    .filter(|_| !with_request)
                    .map(|v| parse_paths(&v))
                    .unwrap_or_default(),
                sink: sink.clone(),
                root: Some(target.clone()),
            };
            let locale = attribute(&element, "locale").and_then(|v| parse_locale(&v));
            // `request="<token>"`: the request's form and read-only paths come from the
            // receiver; `prefill` and `readonly` are then not used.
            let request = attribute(&element, "request").map(|t| t.trim().to_owned());
            let made = Rc::new(Cell::new(None::<AppState>));
            let made_in = Rc::clone(&made);
            let mounted = leptos::mount::mount_to(container, move || {
                let state = AppState::new(form).with_host(Host::embedded(embedding));
                if let Some(locale) = locale {
                    state.locale.set(locale);
                }
                provide_app_state(state);
                made_in.set(Some(state));
                match request {
                    Some(token) => {
                        view! { <RequestJourney state=state token=Some(token) /> }.into_any()
                    }
                    None => view! { <App /> }.into_any(),
                }
            });
            Instance {
                _mounted: Box::new(mounted),
                state: made.take(),
            }
        }
    };
    INSTANCES.with(|all| all.borrow_mut().insert(id, instance));
    wasm_bindgen_futures::spawn_local(async move {
        if target.is_connected() {
            sink.emit(&AppEvent::Ready);
            for event in early.take() {
                sink.emit(&event);
            }
        }
    });
    id
}

/// A refusal to render, in both languages.
fn error_view(error: &AppEvent) -> impl IntoView + use<> {
    let detail = error.detail();
    let text = |key: &str| detail[key].as_str().unwrap_or_default().to_owned();
    let (zh, en) = (text("message_zh"), text("message_en"));
    view! {
        <p class="qy-embed-error" role="alert">
            <span lang="zh-CN">{zh}</span>
            " "
            <span lang="en">{en}</span>
        </p>
    }
}

/// Unmounts instance `id`.
fn disconnect(id: u32) {
    let instance = INSTANCES.with(|all| all.borrow_mut().remove(&id));
    // Dropped outside the borrow: unmounting may run cleanups that reach this module.
    drop(instance);
}

/// Applies the element's current `locale` and `endpoint` to instance `id`.
fn update(id: u32, element: HtmlElement) {
    let Some(state) = INSTANCES.with(|all| all.borrow().get(&id).and_then(|i| i.state)) else {
        return;
    };
    if let Some(locale) = attribute(&element, "locale").and_then(|v| parse_locale(&v)) {
        state.locale.set(locale);
    }
    state
        .host
        .set_endpoint(Some(glue::endpoint_of(&element, DEFAULT_ENDPOINT)));
}
