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
use qianyue_domain::content::{try_agreement, PartId};

use self::model::order_templates;
use self::part::{shown_langs, PartView};
use self::toc::Toc;
use crate::state::use_app_state;

#[component]
pub fn AgreementView() -> impl IntoView {
    let state = use_app_state();
    let locale = state.locale;
    let form = state.form;
    let templates = Memo::new(move |_| form.with(order_templates));
    let label = move || locale.get().pick("协议文本", "Agreement text");
    if let Err(error) = try_agreement() {
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
    view! {
        <section class="agreement" aria-label=label data-mode=move || locale.get().hook()>
            <Toc templates />
            {move || {
                let langs = shown_langs(locale.get());
                PartId::ALL
                    .map(|part| view! { <PartView part langs templates /> })
                    .collect_view()
            }}
        </section>
    }
    .into_any()
}
