//! The zh / en / both switch (`data-locale` hooks, contract.md §3). It also keeps the page root's
//! `lang` in step, so screen readers and fonts follow the reader's choice.

use leptos::prelude::*;

use crate::i18n::UiLocale;

#[component]
pub fn LocaleSwitch(locale: RwSignal<UiLocale>) -> impl IntoView {
    Effect::new(move |_| {
        let lang = locale.get().html_lang();
        if let Some(root) = document().document_element() {
            // Setting an attribute on <html> cannot fail in a live document.
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
