//! The root component: title, language switch, and the page's two halves — the agreement text
//! and the signing panel — which share one state (see `state.rs`).

use leptos::prelude::*;

use super::agreement::AgreementView;
use super::locale_switch::LocaleSwitch;
use super::outbox::OutboxPanel;
use super::signing::SigningPanel;
use crate::draft;
use crate::prefill;
use crate::state::{provide_app_state, AppState};

#[component]
pub fn App() -> impl IntoView {
    // An embedding (embed/) hands its instance's state in; the app's own page makes one, where
    // a saved draft of the same prefill wins over the prefill (see draft.rs).
    let state = use_context::<AppState>()
        .unwrap_or_else(|| AppState::new(draft::initial_form(prefill::from_location())));
    provide_app_state(state);
    view! {
        <main class="app">
            <header class="app-header">
                <h1>
                    <span lang="zh-CN">"中国移动广东公司产品协议"</span>
                    <span lang="en">"China Mobile Guangdong Product Agreement"</span>
                </h1>
                <LocaleSwitch locale=state.locale />
            </header>
            <OutboxPanel locale=state.locale enabled=!state.host.is_embedded() />
            <div class="app-body">
                <AgreementView />
                <SigningPanel />
            </div>
        </main>
    }
}
