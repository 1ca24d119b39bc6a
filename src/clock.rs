//! The clock, the one place the app reads the current time.
//!
//! "Today" is the date in China Standard Time (UTC+8), the agreement's zone, whatever zone the
//! browser is set to: a reader in Frankfurt at 20:00 on 9 April signs on 10 April, the date the
//! receiver reads from `signed_at`. The conversion from a moment to that date is the domain's
//! (`payload::SignedAt::date`), the same the receiver and the CLI use. Elapsed times and
//! timestamps (the draft's debounce, the outbox's times and retries) read [`now_ms`].

use std::cell::Cell;

use qianyue_domain::date::Date;
use qianyue_domain::payload::SignedAt;

thread_local! {
    /// A moment the clock answers instead of the browser's ([`set_for_tests`]).
    static PINNED: Cell<Option<i64>> = const { Cell::new(None) };
}

/// Makes [`now`] answer `unix_seconds` (or the browser's clock again with `None`), so that a
/// browser test can see what a reader sees on a given day — the reply-by date reaching a year
/// whose holiday notice is not out yet, say. Nothing in the app calls it.
pub fn set_for_tests(unix_seconds: Option<i64>) {
    PINNED.with(|p| p.set(unix_seconds));
}

/// Now, whole seconds since the epoch, as `signed_at` carries it; `None` only for a clock
/// outside years 1–9999.
pub fn now() -> Option<SignedAt> {
    let seconds = PINNED
        .with(Cell::get)
        .unwrap_or_else(|| (now_ms() / 1000.0).floor() as i64);
    SignedAt::from_unix_seconds(seconds)
}

/// Now, in milliseconds since the epoch, as the browser's clock gives it (never pinned: it
/// measures pauses and orders the outbox's items).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Today's date in China Standard Time.
pub fn today() -> Date {
    now()
        .map(SignedAt::date)
        .unwrap_or_else(|| Date::new(1970, 1, 1).expect("a real date"))
}

/// Runs `f` once the browser is idle (`requestIdleCallback`, within 2 s), or after a short
/// timeout in an engine without it (WebKit): work the reader is not waiting for, done when it
/// delays nothing the reader is waiting for.
pub fn when_idle(f: impl FnOnce() + 'static) {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    let window = web_sys::window().expect("the app runs in a window");
    let callback = Closure::once_into_js(f);
    let idle = js_sys::Reflect::get(&window, &JsValue::from_str("requestIdleCallback"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let scheduled = match idle {
        Some(request) => {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"timeout".into(), &2000.into());
            request.call2(&window, &callback, &options).is_ok()
        }
        None => false,
    };
    if !scheduled {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 200);
    }
}
