//! The agreement as the reader sees it: the four parts (contract.md §3 `data-part`), in Chinese,
//! English or both side by side (`AppState::locale`), with a table of contents, and with the
//! order's and the letter's blanks showing the form's values as they are typed.
//!
//! Every word of the agreement comes from the domain crate's content (`qianyue_domain::content`);
//! the components only decide elements and order. Decisions: docs/reading-view.md.

mod block;
pub mod model;
mod part;
mod toc;
pub mod values;

use leptos::prelude::*;
use qianyue_domain::content::PartId;

use self::model::{order_templates, template_of};
pub use self::part::shown_langs;
use self::part::PartView;
use self::toc::Toc;
use crate::content::{ask_for_english, EnglishText};
use crate::i18n::UiLocale;
use crate::state::use_app_state;

#[component]
pub fn AgreementView() -> impl IntoView {
    let state = use_app_state();
    let locale = state.locale;
    let form = state.form;
    // The same as `order_templates` of the form, but following the number of product lines
    // and their names only: a keystroke elsewhere does not walk every line.
    let lines = Memo::new(move |_| form.with(|f| f.orders.len()));
    let templates = Memo::new(move |_| match lines.get() {
        0 => order_templates(&Default::default()),
        n => (0..n)
            .map(|i| template_of(&state.field_value(&format!("orders.{i}.product_name"))))
            .collect(),
    });
    let label = move || locale.get().pick("协议文本", "Agreement text");
    let english = state.english;
    if let Err(error) = crate::content::chinese() {
        // Cannot happen in a tested build (the domain crate's tests parse every file).
        return view! {
            <section class="agreement" aria-label=label>
                <p role="alert">
                    {format!("协议文本无法载入 / The agreement text could not be loaded: {error}")}
                </p>
            </section>
        }
        .into_any();
    }
    // The English comes with its own part, asked for the first time a reader chooses it.
    Effect::new(move |_| {
        if locale.get() != UiLocale::Zh {
            ask_for_english(english);
        }
    });
    view! {
        <section class="agreement" aria-label=label data-mode=move || locale.get().hook()>
            <Toc templates />
            {move || english_status(locale.get(), english.get())}
            {move || {
                let langs = shown_langs(locale.get(), english.get());
                PartId::ALL
                    .map(|part| view! { <PartView part langs templates /> })
                    .collect_view()
            }}
        </section>
    }
    .into_any()
}

/// What the reader who chose English sees while it is not here: the Chinese, which prevails, is
/// shown meanwhile.
fn english_status(locale: UiLocale, english: EnglishText) -> Option<AnyView> {
    if locale == UiLocale::Zh {
        return None;
    }
    let (zh, en) = match english {
        EnglishText::Here => return None,
        EnglishText::NotAsked | EnglishText::Loading => (
            "英文文本载入中，先显示中文文本。",
            "Loading the English text; the Chinese text is shown meanwhile.",
        ),
        EnglishText::Failed => (
            "英文文本未能载入（请检查网络后重新选择语言），现显示中文文本，以中文为准。",
            "The English text could not be loaded (check the network and choose the language again); the Chinese text, which prevails, is shown.",
        ),
    };
    Some(
        view! {
            <p class="english-status" role="status" data-english=english.hook()>
                {locale.pick(zh, en)}
            </p>
        }
        .into_any(),
    )
}
