//! The zh / en / both switch (`data-locale` hooks, contract.md §3). It also keeps the page root's
//! `lang` in step, so screen readers and fonts follow the reader's choice.

use leptos::prelude::*;

use crate::embed::Host;
use crate::i18n::UiLocale;
use crate::state::AppState;

#[component]
pub fn LocaleSwitch(locale: RwSignal<UiLocale>) -> impl IntoView {
    // The page's <html>, or an embedded instance's root (a host page's `lang` is not ours).
    let host = use_context::<AppState>().map_or(Host::STANDALONE, |s| s.host);
    Effect::new(move |_| {
        let lang = locale.get().html_lang();
        if let Some(root) = host.lang_root() {
            // Setting an attribute on a live element cannot fail.
            let _ = root.set_attribute("lang", lang);
        }
    });
    view! {
        <nav class="locale-switch" aria-label="语言 / Language">
            {UiLocale::ALL
                .into_iter()
                .map(|choice| {
                    view! {
                        <button
                            type="button"
                            data-locale=choice.hook()
                            aria-pressed=move || (locale.get() == choice).to_string()
                            on:click=move |_| locale.set(choice)
                        >
                            {choice.button_label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}
