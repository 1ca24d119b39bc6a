//! A text box: free text, digits, an amount, a telephone number, an e-mail address or a date,
//! each with the keyboard and autofill that suit it. A select or the reason named read-only by
//! the opener is shown here too, as read-only text.

use leptos::prelude::*;

use super::{ControlProps, Kind};

#[component]
pub(super) fn InputControl(control: ControlProps, kind: Kind) -> impl IntoView {
    let (input_type, inputmode, autocomplete) = match kind {
        Kind::Numeric => ("text", Some("numeric"), "off"),
        Kind::Money => ("text", Some("decimal"), "off"),
        Kind::Tel => ("tel", Some("tel"), "tel"),
        Kind::Email => ("email", Some("email"), "email"),
        Kind::Date => ("date", None, "off"),
        Kind::Text | Kind::Select(_) | Kind::Reason | Kind::IdNumber => ("text", None, "off"),
    };
    let (value, (on_input, on_blur)) = (control.value, control.handlers());
    view! {
        <input
            {..control.named()}
            type=input_type
            inputmode=inputmode
            autocomplete=autocomplete
            spellcheck="false"
            readonly=control.readonly
            prop:value={move || value.get()}
            {..control.described()}
            on:input:target=move |ev| on_input(ev.target().value())
            on:blur=move |_| on_blur()
        />
    }
}
