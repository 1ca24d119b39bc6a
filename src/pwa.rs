//! The service worker, seen from the page: register `sw.js`, notice when a new build's worker
//! has installed and is waiting, and let the reader choose when to switch to it
//! ([`reload_to_update`]). The worker itself is `sw.js` at the repository root (docs/offline.md).
//!
//! The worker is registered only by a page that declares the web app manifest
//! (`<link rel="manifest">`, in our `index.html`): a host page that embeds the app does not get
//! a worker of ours on its origin. `sw.js` is resolved against the manifest's URL, so a build
//! served under a sub-path registers its own worker.
//!
//! Updates are looked for when the page starts (the browser does this on registration), when
//! the network comes back, when the page becomes visible again, and every 30 minutes.

use std::cell::Cell;

use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const UPDATE_EVERY_MS: i32 = 30 * 60 * 1000;

thread_local! {
    static WAITING: ArcRwSignal<bool> = ArcRwSignal::new(false);
    static REGISTRATION: std::cell::RefCell<Option<JsValue>> = const { std::cell::RefCell::new(None) };
    static RELOADING: Cell<bool> = const { Cell::new(false) };
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// Whether a new version is installed and waiting for the reader to reload.
pub fn update_waiting() -> ArcRwSignal<bool> {
    WAITING.with(Clone::clone)
}

fn get(target: &JsValue, name: &str) -> JsValue {
    Reflect::get(target, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn present(v: &JsValue) -> bool {
    !v.is_undefined() && !v.is_null()
}

fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Option<JsValue> {
    let f: Function = get(target, name).dyn_into().ok()?;
    let args: js_sys::Array = args.iter().collect();
    f.apply(target, &args).ok()
}

fn container() -> Option<JsValue> {
    let window = web_sys::window()?;
    let sw = get(&get(&window, "navigator"), "serviceWorker");
    present(&sw).then_some(sw)
}

fn listen(target: &JsValue, event: &str, f: impl Fn() + 'static) {
    let closure = Closure::<dyn Fn()>::new(f);
    call(
        target,
        "addEventListener",
        &[event.into(), closure.as_ref().clone()],
    );
    closure.forget();
}

/// The URL of `sw.js`, beside the manifest; `None` when the page declares no manifest.
fn worker_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let link = document.query_selector("link[rel='manifest']").ok()??;
    let href = get(&link, "href").as_string()?;
    let url_class: Function = get(&js_sys::global(), "URL").dyn_into().ok()?;
    let args = js_sys::Array::of2(&"sw.js".into(), &href.into());
    let url = Reflect::construct(&url_class, &args).ok()?;
    get(&url, "href").as_string()
}

/// Registers the service worker (once per page) and follows its updates.
pub fn register() {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    let (Some(sw), Some(url)) = (container(), worker_url()) else {
        return;
    };
    // Reload once the waiting worker has taken over — but only when the reader asked for it
    // (the very first worker also takes control, and that must not reload the page).
    listen(&sw, "controllerchange", || {
        if RELOADING.with(Cell::get) {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"updateViaCache".into(), &"none".into());
    let Some(promise) = call(&sw, "register", &[url.into(), options.into()]) else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(promise) = promise.dyn_into::<Promise>() else {
            return;
        };
        let registration = match JsFuture::from(promise).await {
            Ok(r) => r,
            Err(e) => {
                leptos::logging::warn!("service worker not registered: {e:?}");
                return;
            }
        };
        REGISTRATION.with(|r| *r.borrow_mut() = Some(registration.clone()));
        follow(&sw, &registration);
        schedule_checks();
    });
}

/// Marks an update as waiting when a new worker has installed while another one controls the
/// page.
fn follow(sw: &JsValue, registration: &JsValue) {
    let has_controller = {
        let sw = sw.clone();
        move || present(&get(&sw, "controller"))
    };
    if present(&get(registration, "waiting")) && has_controller() {
        update_waiting().set(true);
    }
    let reg = registration.clone();
    listen(registration, "updatefound", move || {
        let installing = get(&reg, "installing");
        if !present(&installing) {
            return;
        }
        let worker = installing.clone();
        let has_controller = has_controller.clone();
        listen(&installing, "statechange", move || {
            if get(&worker, "state").as_string().as_deref() == Some("installed") && has_controller()
            {
                update_waiting().set(true);
            }
        });
    });
}

/// Asks the browser to look for a new `sw.js` now (resolves when it has looked).
pub async fn check_for_update() {
    let Some(registration) = REGISTRATION.with(|r| r.borrow().clone()) else {
        return;
    };
    if let Some(p) = call(&registration, "update", &[]).and_then(|p| p.dyn_into::<Promise>().ok()) {
        // Offline, the check fails; the next one will do.
        let _ = JsFuture::from(p).await;
    }
}

fn schedule_checks() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let w: JsValue = window.clone().into();
    listen(&w, "online", || {
        wasm_bindgen_futures::spawn_local(check_for_update())
    });
    let doc: JsValue = window
        .document()
        .map(Into::into)
        .unwrap_or(JsValue::UNDEFINED);
    let visible_doc = doc.clone();
    listen(&doc, "visibilitychange", move || {
        if get(&visible_doc, "visibilityState").as_string().as_deref() == Some("visible") {
            wasm_bindgen_futures::spawn_local(check_for_update());
        }
    });
    let tick = Closure::<dyn Fn()>::new(|| wasm_bindgen_futures::spawn_local(check_for_update()));
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        UPDATE_EVERY_MS,
    );
    tick.forget();
}

/// Switches to the waiting version: the waiting worker takes over, then the page reloads.
/// Nothing is lost: the outbox and the typed draft live outside the worker's caches.
pub fn reload_to_update() {
    let waiting = REGISTRATION
        .with(|r| r.borrow().clone())
        .map(|r| get(&r, "waiting"))
        .filter(present);
    let Some(window) = web_sys::window() else {
        return;
    };
    match waiting {
        Some(worker) => {
            RELOADING.with(|r| r.set(true));
            let message = Object::new();
            let _ = Reflect::set(&message, &"type".into(), &"SKIP_WAITING".into());
            call(&worker, "postMessage", &[message.into()]);
        }
        // Already active (another tab switched): a reload is enough.
        None => {
            let _ = window.location().reload();
        }
    }
}
