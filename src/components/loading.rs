//! Where a deferred part (src/deferred.rs) appears: a status line while its chunk loads, the
//! part once loaded, or a message with a retry button if the load failed.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::deferred::LoadError;
use crate::i18n::UiLocale;

/// A part's loader with its type erased: the components below are generic over the loader,
/// and each of their instances would otherwise be a copy of their whole code (Suspense, the
/// observer, the retry) in the build; with it, each instance is a small shim.
type Load =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<AnyView, LoadError>>>> + Send + Sync>;

fn erase<F, Fut>(load: F) -> Load
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, LoadError>> + 'static,
{
    Arc::new(move || Box::pin(load()))
}

/// Loads the part at once and shows it when it is there.
#[component]
pub fn Deferred<F, Fut>(locale: RwSignal<UiLocale>, load: F) -> impl IntoView
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, LoadError>> + 'static,
{
    deferred_view(locale, erase(load))
}

/// [`Deferred`]'s view, compiled once.
fn deferred_view(locale: RwSignal<UiLocale>, load: Load) -> AnyView {
    let attempt = RwSignal::new(0u32);
    let loading = move || {
        view! {
            <p class="deferred" role="status" data-deferred="loading">
                {move || locale.get().pick("正在加载…", "Loading…")}
            </p>
        }
    };
    view! {
        <Suspense fallback=loading>
            {move || {
                attempt.track();
                let load = load.clone();
                Suspend::new(SendWrapper::new(async move {
                    match load().await {
                        Ok(part) => part,
                        Err(_) => view! {
                            <div class="deferred" role="alert" data-deferred="failed">
                                <p>
                                    {move || locale.get().pick(
                                        "这部分页面未能加载，请检查网络后重试。",
                                        "This part of the page could not be loaded. Check the connection and retry.",
                                    )}
                                </p>
                                <button type="button" on:click=move |_| attempt.update(|n| *n += 1)>
                                    {move || locale.get().pick("重试", "Retry")}
                                </button>
                            </div>
                        }
                        .into_any(),
                    }
                }))
            }}
        </Suspense>
    }
    .into_any()
}

/// How far below the viewport the part's place may still be when it is loaded (a CSS margin
/// of the viewport, for the IntersectionObserver): one viewport height ahead, so that it is
/// there when the reader scrolls to it.
const AHEAD: &str = "0px 0px 100% 0px";

/// Loads the part once the reader works in the surrounding form (focus or pointer inside it),
/// its place comes within a viewport height of the viewport, or `wanted` turns true (the reader
/// asked for it elsewhere), whichever comes first; until then an empty placeholder holds its
/// place. (An IntersectionObserver rather than measuring on scroll: measuring at mount would
/// force the browser to lay out the page early.)
#[component]
pub fn DeferredUntilNear<F, Fut>(
    locale: RwSignal<UiLocale>,
    load: F,
    #[prop(into, optional)] wanted: Option<Signal<bool>>,
) -> impl IntoView
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, LoadError>> + 'static,
{
    until_near_view(locale, erase(load), wanted)
}

/// [`DeferredUntilNear`]'s view, compiled once.
fn until_near_view(
    locale: RwSignal<UiLocale>,
    load: Load,
    wanted: Option<Signal<bool>>,
) -> AnyView {
    // Wanted from the start (an embedded instance's form): loaded at once, without a placeholder.
    let near = RwSignal::new(wanted.is_some_and(|w| w.get_untracked()));
    if let Some(wanted) = wanted {
        Effect::new(move |_| {
            if wanted.get() {
                near.set(true);
            }
        });
    }
    let anchor = NodeRef::<html::Div>::new();
    let inside_form = move |ev: &web_sys::Event| {
        // The event's first target, not `target()`: inside an embedding's shadow root, the
        // window sees the event retargeted to the host element.
        let first = ev.composed_path().get(0);
        let (Some(el), Some(target)) = (
            anchor.get_untracked(),
            first.dyn_into::<web_sys::Node>().ok(),
        ) else {
            return false;
        };
        let el: &web_sys::Element = &el;
        el.closest("form")
            .ok()
            .flatten()
            .is_some_and(|form| form.contains(Some(&target)))
    };
    let working_in_form = |event: &str| {
        window_event_listener_untyped(event, move |ev| {
            if inside_form(&ev) {
                near.set(true);
            }
        })
    };
    let on_focus = working_in_form("focusin");
    let on_pointer = working_in_form("pointerdown");
    let seen = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let intersecting = entries.iter().any(|entry| {
            entry
                .unchecked_into::<web_sys::IntersectionObserverEntry>()
                .is_intersecting()
        });
        if intersecting {
            let _ = near.try_set(true);
        }
    });
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin(AHEAD);
    let observer =
        web_sys::IntersectionObserver::new_with_options(seen.as_ref().unchecked_ref(), &options)
            .ok();
    let watching = StoredValue::new_local(Some((on_focus, on_pointer, observer, seen)));
    let stop = move || {
        if let Some(Some((on_focus, on_pointer, observer, _seen))) =
            watching.try_update_value(Option::take)
        {
            on_focus.remove();
            on_pointer.remove();
            if let Some(observer) = observer {
                observer.disconnect();
            }
        }
    };
    Effect::new(move |_| {
        if near.get() {
            stop();
        } else if let Some(el) = anchor.get() {
            watching.with_value(|w| {
                if let Some((_, _, Some(observer), _)) = w {
                    observer.observe(&el);
                }
            });
        }
    });
    on_cleanup(stop);
    view! {
        <Show
            when=move || near.get()
            fallback=move || waiting(anchor)
        >
            {deferred_view(locale, load.clone())}
        </Show>
    }
    .into_any()
}

/// The empty place a part holds until it is near (also the build-time page's, src/prerender.rs).
pub fn waiting(anchor: NodeRef<html::Div>) -> impl IntoView {
    view! { <div class="deferred" data-deferred="waiting" node_ref=anchor></div> }
}

/// Runs `f` on the element with `id` (in the tree the reader works in, see
/// `embed::element_by_id`) once it is there: at once, or within a few seconds of polling while
/// a deferred part loads; never if it does not come.
pub fn when_present(id: &'static str, f: impl FnOnce(web_sys::Element) + 'static) {
    const TRIES: u32 = 50;
    fn attempt(id: &'static str, f: Box<dyn FnOnce(web_sys::Element)>, left: u32) {
        match crate::embed::element_by_id(id) {
            Some(el) => f(el),
            None if left > 0 => {
                set_timeout(
                    move || attempt(id, f, left - 1),
                    std::time::Duration::from_millis(100),
                );
            }
            None => {}
        }
    }
    attempt(id, Box::new(f), TRIES);
}
