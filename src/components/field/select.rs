//! A select over the document's labels; the value is the label itself (contract.md §1). A value
//! that is not one of them (a prefill's, say) stays shown and selected as it is, for the rules to
//! refuse.

use leptos::prelude::*;

use super::{option_text, ControlProps};
use crate::components::signing::ctx::{tr, use_signing};

#[component]
pub(super) fn SelectControl(
    control: ControlProps,
    options: &'static [&'static str],
) -> impl IntoView {
    let (value, (on_input, on_blur)) = (control.value, control.handlers());
    view! {
        <select
            {..control.named()}
            {..control.described()}
            on:change:target=move |ev| on_input(ev.target().value())
            on:blur=move |_| on_blur()
        >
            {choose(value)}
            {move || {
                let current = value.get();
                (!current.is_empty() && !options.contains(&current.as_str()))
                    .then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> })
            }}
            {options
                .iter()
                .map(|&option| label_option(option, move || value.with(|v| v == option)))
                .collect_view()}
        </select>
    }
}

/// The first option, "Choose…", selected while the field is empty.
pub(super) fn choose(value: Memo<String>) -> impl IntoView {
    view! {
        <option value="" prop:selected=move || value.with(|v| v.is_empty())>
            {tr("请选择", "Choose…")}
        </option>
    }
}

/// The option of one of the document's labels, in the reader's language, selected while
/// `selected` says so.
pub(super) fn label_option(
    option: &'static str,
    selected: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let locale = use_signing().locale();
    view! {
        <option value=option prop:selected=selected>
            {move || option_text(option, locale.get())}
        </option>
    }
}
