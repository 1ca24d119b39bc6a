//! An ID number: masked once the field is left (`4403**********1246`), whole while the control
//! has focus or once revealed. The reveal state is one per path, shared with the agreement's
//! blanks (`AppState::id_revealed`, state.rs). A read-only number can still be revealed.

use leptos::prelude::*;

use super::ControlProps;
use crate::components::signing::ctx::use_signing;

#[component]
pub(super) fn IdNumberControl(control: ControlProps) -> impl IntoView {
    let (value, (on_input, on_blur)) = (control.value, control.handlers());
    let state = use_signing().state;
    // Not a signal: focus swaps mask and number in the DOM at once (below), and a render on
    // focus would write the value again after the reader (or a script) had already selected
    // it, collapsing the selection.
    let focused = StoredValue::new(false);
    let path = StoredValue::new(control.name.clone());
    let revealed = move || path.with_value(|p| state.id_revealed(p));
    let revealed_untracked = move || path.with_value(|p| state.id_revealed_untracked(p));
    // Follows the number and its type only, not every keystroke of the form.
    let masked = state.masked_id(&control.name);
    let shown = move || {
        if focused.get_value() || revealed() {
            value.get()
        } else {
            masked.get()
        }
    };
    view! {
        <span class="id-number">
            <input
                {..control.named()}
                type="text"
                autocomplete="off"
                spellcheck="false"
                readonly=control.readonly
                prop:value={shown}
                {..control.described()}
                on:focus:target=move |ev| {
                    focused.set_value(true);
                    let input = ev.target();
                    input.set_value(&value.get_untracked());
                    // The mask selected becomes the number selected: typing replaces it, as it
                    // would have replaced the mask (a click then places the caret where it lands).
                    input.select();
                }
                on:input:target=move |ev| on_input(ev.target().value())
                on:blur:target=move |ev| {
                    focused.set_value(false);
                    on_blur();
                    if !revealed_untracked() {
                        ev.target().set_value(&masked.get_untracked());
                    }
                }
            />
            <RevealButton path controls=control.id.clone() />
        </span>
    }
}

/// Shows or hides the number, here and in the agreement's blanks.
#[component]
fn RevealButton(path: StoredValue<String>, controls: String) -> impl IntoView {
    let state = use_signing().state;
    let locale = state.locale;
    let revealed = move || path.with_value(|p| state.id_revealed(p));
    view! {
        <button
            type="button"
            class="reveal"
            aria-controls=controls
            aria-pressed=move || revealed().to_string()
            on:click=move |_| path.with_value(|p| state.toggle_id_revealed(p))
        >
            {move || {
                let l = locale.get();
                if revealed() { l.pick("隐藏号码", "Hide number") } else { l.pick("显示号码", "Show number") }
            }}
        </button>
    }
}
