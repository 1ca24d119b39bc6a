//! The agreement as the reader sees it: the four parts (contract.md §3 `data-part`), in Chinese,
//! English or both, with the order's and the letter's blanks showing the form's values.

use leptos::prelude::*;

#[component]
pub fn AgreementView() -> impl IntoView {
    view! { <section class="agreement" aria-label="协议文本 / Agreement text"></section> }
}
