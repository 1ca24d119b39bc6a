//! The root component: title, language switch, and the page's two halves — the agreement text
//! and the signing panel — which share one state (see `state.rs`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::agreement::AgreementView;
use super::loading::{when_present, Deferred, DeferredUntilNear};
use super::locale_switch::LocaleSwitch;
use super::outbox::{OutboxPanel, UpdatePrompt};
use super::signing::SigningPanel;
use crate::deferred::deferred;
use crate::i18n::UiLocale;
use crate::prefill;
use crate::state::{provide_app_state, AppState};
use crate::{draft, outbox, outbox_store, pwa};

/// On the app's own page (not embedded in another site's page, whose storage is not ours): the
/// service worker, its "new version" prompt, and the outbox panel once it is needed — when
/// something waits on this device (counted at start-up), the network is or goes down, or a
/// consent is being sent (`AppState::outbox_wanted`). Until then the outbox's code is not
/// loaded (docs/decisions.md "Build").
#[component]
fn OfflineParts(state: AppState) -> impl IntoView {
    pwa::register();
    let wanted = state.outbox_wanted;
    if !outbox::browser_online() {
        wanted.set(true);
    }
    let on_offline = window_event_listener_untyped("offline", move |_| wanted.set(true));
    on_cleanup(move || on_offline.remove());
    leptos::task::spawn_local(async move {
        // An outbox that cannot be read is shown too (the panel says so).
        if outbox_store::count(outbox_store::ITEMS)
            .await
            .map_or(true, |n| n > 0)
        {
            let _ = wanted.try_set(true);
        }
    });
    let locale = state.locale;
    view! {
        <UpdatePrompt locale=locale />
        <Show when=move || wanted.get()>
            <Deferred locale load=move || outbox_panel(locale) />
        </Show>
    }
}

deferred!(outbox;
    /// The outbox panel (which starts the outbox).
    fn outbox_panel(locale: RwSignal<UiLocale>) -> AnyView {
        view! { <OutboxPanel locale=locale /> }.into_any()
    }
);

/// The way from the top of the page to the form, a dozen screens of agreement below: it loads
/// the signing panel if it is not there yet, brings it into view and puts the focus in its
/// first field.
#[component]
fn ToSigning(locale: RwSignal<UiLocale>, wanted: RwSignal<bool>) -> impl IntoView {
    view! {
        <a
            class="to-signing"
            href="#signing"
            on:click=move |ev| {
                // Not a jump by fragment: the fragment holds the prefill (prefill.rs).
                ev.prevent_default();
                wanted.set(true);
                when_present("signing", |panel| {
                    panel.scroll_into_view();
                    let first = panel.query_selector("form input, form select").ok().flatten();
                    if let Some(field) = first.and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok()) {
                        let _ = field.focus();
                    }
                });
            }
        >
            {move || locale.get().pick("填写并签署 ↓", "Fill in and sign ↓")}
        </a>
    }
}

#[component]
pub fn App() -> impl IntoView {
    // An embedding (embed/) hands its instance's state in; the app's own page makes one, where
    // a saved draft of the same prefill wins over the prefill (see draft.rs).
    let state = use_context::<AppState>()
        .unwrap_or_else(|| AppState::new(draft::initial_form(prefill::from_location())));
    provide_app_state(state);
    // Embedded, the portal opened the instance to have it signed, and hears the form's state
    // (`qianyue-change`) from the start: the form loads at once.
    let signing_wanted = RwSignal::new(state.host.is_embedded());
    let offline = (!state.host.is_embedded()).then(|| view! { <OfflineParts state=state /> });
    if !state.host.is_embedded() {
        prefetch_when_idle(state);
    }
    // The form comes as the reader nears it (or asks for it above): the first screen is the
    // agreement (docs/decisions.md "Build").
    let signing = view! {
        <DeferredUntilNear locale=state.locale wanted=signing_wanted load=signing_panel />
    };
    page(state, signing_wanted, offline, signing)
}

/// The page around its parts: the title, the way to the form, the language switch, the
/// agreement, and after it `signing` (the form's place). The page rendered at build time
/// (src/prerender.rs) is this same markup, with the form's place waiting; nothing else may
/// differ, which tests/e2e/first-screen.spec.ts checks against the running app.
pub fn page(
    state: AppState,
    signing_wanted: RwSignal<bool>,
    offline: impl IntoView + 'static,
    signing: impl IntoView + 'static,
) -> impl IntoView {
    view! {
        <main class="app">
            <header class="app-header">
                <h1>
                    <span lang="zh-CN">"中国移动广东公司产品协议"</span>
                    <span lang="en">"China Mobile Guangdong Product Agreement"</span>
                </h1>
                <ToSigning locale=state.locale wanted=signing_wanted />
                <LocaleSwitch locale=state.locale />
            </header>
            {offline}
            <div class="app-body">
                <AgreementView />
                {signing}
            </div>
        </main>
    }
}

/// Once the first screen is up and the browser idle, the form's and the signing step's code
/// (one file in the release build: scripts/split.mjs) are fetched and compiled (not run), so
/// that following "填写并签署" or focusing the form waits on no network (issue 20). The first
/// load is unchanged; the service worker keeps the same files for offline use. A failed fetch
/// is left to the part's own load, which says so. Then the main thread does ahead what the
/// form's and the step's first renders would otherwise do when the reader asks for them
/// (`prepare_signing_panel`).
fn prefetch_when_idle(state: AppState) {
    // On a staff device, the witness step too (a part of its own: components/signing/mod.rs).
    let witnessed = crate::signing_request::use_request().is_some_and(|r| r.witness.is_some());
    crate::clock::when_idle(move || {
        leptos::task::spawn_local(async move {
            if preload_signing_panel().await.is_ok() {
                // Runs once the step's fetch has started (this task's next await).
                leptos::task::spawn_local(async move {
                    let _ = prepare_signing_panel(state).await;
                });
                let _ = super::signing::preload_signing_step().await;
                if witnessed {
                    let _ = super::signing::preload_witness_step().await;
                }
            }
        })
    });
}

deferred!(form;
    /// The form judged and figured ahead of its first render (`signing::ctx::prepare`), and the
    /// browser's date and e-mail controls set up: a browser does that when a page makes its
    /// first `<input type="date">` (on a phone about 25 ms) or e-mail input (5 ms), paid in the
    /// first render that has one (the signing step's late-payment dates). One of each, made and
    /// dropped here, pays it ahead.
    fn prepare_signing_panel(state: AppState) -> () {
        super::signing::ctx::prepare(state);
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            for kind in ["date", "email"] {
                if let Ok(input) = document.create_element("input") {
                    let _ = input.set_attribute("type", kind);
                }
            }
        }
    }
);

deferred!(form, preload preload_signing_panel;
    /// The signing panel: the form, its previews and progress (the signing step after the
    /// order is a further deferred part, components/signing/mod.rs).
    fn signing_panel() -> AnyView {
        view! { <SigningPanel /> }.into_any()
    }
);
