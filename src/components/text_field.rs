//! One labelled text control bound to a form field path (contract.md §3): `name` is the path;
//! after the reader leaves the field (or a submit attempt) a failing value gets
//! `aria-invalid="true"` and its message, in the reader's language, sits in the element that
//! `aria-describedby` names. Once touched, the message follows every keystroke.

use leptos::prelude::*;
use qianyue_domain::error::RuleMessage;

use crate::i18n::UiLocale;
use crate::state::use_app_state;

/// A field's rule: the normalised value to show, or why the value fails.
pub type FieldCheck = fn(&str) -> Result<String, RuleMessage>;

/// The DOM id of the control for a field path (`customer.cert_number` → `f-customer-cert_number`).
pub fn control_id(path: &str) -> String {
    format!("f-{}", path.replace('.', "-"))
}

#[component]
pub fn TextField(
    /// The field path, e.g. `customer.cert_number`.
    name: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    check: FieldCheck,
    locale: RwSignal<UiLocale>,
    /// Set by a submit attempt: show errors even on untouched fields.
    #[prop(optional)]
    force_errors: Option<Signal<bool>>,
) -> impl IntoView {
    let state = use_app_state();
    let value = state.field(name);
    let touched = RwSignal::new(false);
    let error = Memo::new(move |_| check(&value.get()).err());
    let shown_error = move || {
        let visible = touched.get() || force_errors.is_some_and(|forced| forced.get());
        if visible {
            error.get()
        } else {
            None
        }
    };
    let id = control_id(name);
    let message_id = format!("{id}-msg");
    view! {
        <div class="field">
            <label for=id.clone()>{move || locale.get().pick(label_zh, label_en)}</label>
            <input
                id=id
                name=name
                type="text"
                autocomplete="off"
                spellcheck="false"
                prop:value=move || value.get()
                aria-invalid=move || shown_error().is_some().to_string()
                aria-describedby=message_id.clone()
                on:input:target=move |ev| state.set_field(name, ev.target().value())
                on:blur=move |_| {
                    touched.set(true);
                    // Show the value as the rule normalises it (e.g. a USCC in upper case).
                    if let Ok(normalised) = check(&value.get_untracked()) {
                        if normalised != value.get_untracked() {
                            state.set_field(name, normalised);
                        }
                    }
                }
            />
            <p class="message" id=message_id aria-live="polite">
                {move || shown_error().map(|m| locale.get().message(&m))}
            </p>
        </div>
    }
}
