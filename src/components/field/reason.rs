//! The cancellation reason: one of the document's reasons, or `其他：` followed by the reader's
//! own words, typed in a second box that choosing "其他" (other) opens. The words' box has no
//! `name` of its own (the field's value is the select's and the words together) but shares the
//! field's `aria-invalid` and message.

use leptos::prelude::*;
use qianyue_domain::enums::{CANCELLATION_REASONS, OTHER_REASON_PREFIX};

use super::select::{choose, label_option};
use super::ControlProps;
use crate::components::signing::ctx::tr;

/// The option that stands for `其他：…` in the reason select.
const OTHER: &str = "其他";

#[component]
pub(super) fn ReasonControl(control: ControlProps) -> impl IntoView {
    let (value, (on_input, on_blur)) = (control.value, control.handlers());
    let is_other = Memo::new(move |_| value.with(|v| v.starts_with(OTHER_REASON_PREFIX)));
    let other_id = format!("{}-other", control.id);
    let words = control.clone();
    let selected = move |option: &'static str| {
        move || {
            if option == OTHER {
                is_other.get()
            } else {
                value.with(|v| v == option)
            }
        }
    };
    view! {
        <select
            {..control.named()}
            {..control.described()}
            on:change:target=move |ev| {
                let chosen = ev.target().value();
                on_input(if chosen == OTHER { OTHER_REASON_PREFIX.to_owned() } else { chosen })
            }
            on:blur=move |_| on_blur()
        >
            {choose(value)}
            {CANCELLATION_REASONS
                .labels
                .iter()
                .chain(std::iter::once(&OTHER))
                .map(|&option| label_option(option, selected(option)))
                .collect_view()}
        </select>
        <Show when=move || is_other.get()>
            <label class="sub-label" for=other_id.clone()>
                {tr("其他原因（2至50字）", "Other reason (2 to 50 characters)")}
            </label>
            <input
                id=other_id.clone()
                type="text"
                autocomplete="off"
                {..words.described()}
                prop:value=move || value.with(|v| v.strip_prefix(OTHER_REASON_PREFIX).unwrap_or("").to_owned())
                on:input:target={
                    let on_input = words.on_input.clone();
                    move |ev| on_input(format!("{OTHER_REASON_PREFIX}{}", ev.target().value()))
                }
                on:blur={
                    let on_blur = words.on_blur.clone();
                    move |_| on_blur()
                }
            />
        </Show>
    }
}
