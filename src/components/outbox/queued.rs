//! The result screen of a consent that is saved on this device but not delivered yet: the
//! receipt page's facts (what was signed, when, its number: components/receipt.rs), that it
//! will be sent by itself, and a way to start the next one. The signing journey replaces it
//! with the receipt page (or the refusal) once the outbox settles the item
//! (`outbox::on_settled`); the download and the technical receipt come with the receipt.

use leptos::prelude::*;

use super::{text, tr};
use crate::components::receipt::{SignedFacts, SignedFactsList};
use crate::i18n::UiLocale;
use crate::outbox;
use crate::state::use_app_state;

#[component]
pub fn QueuedNotice(locale: RwSignal<UiLocale>, id: String) -> impl IntoView {
    let o = outbox::outbox();
    // The company from the form just signed; the contract number and the time as the outbox
    // keeps them (the item may be read a moment after this screen shows).
    let form = use_app_state().form;
    let facts = {
        let id = id.clone();
        let items = o.items.clone();
        Memo::new(move |_| {
            let mut facts = form.with_untracked(|f| SignedFacts::of_form(f, "", &id));
            items.with(|items| {
                if let Some(item) = items.iter().find(|i| i.id == id) {
                    facts.contract_no = item.label.clone();
                    facts.signed_at = item.signed_at.clone();
                }
            });
            facts
        })
    };
    let online = o.online.clone();
    view! {
        <section
            class="receipt receipt-queued"
            id="receipt"
            tabindex="-1"
            aria-labelledby="receipt-title"
            data-receipt="queued"
            data-consent-id=id
        >
            <h2 id="receipt-title">{tr(locale, "已签署，保存在本设备上", "Signed and saved on this device")}</h2>
            <p>
                {tr(locale, "这份签署已加密保存在本设备上，联网后会自动发送，无需再次签署。收到接收方的回执后，回执会显示在这里。", "This signed consent is kept encrypted on this device and will be sent automatically when online; there is no need to sign again. The receiver's receipt will be shown here when it arrives.")}
            </p>
            <p class="receipt-queued-status" aria-live="polite">
                {text(move || {
                    let l = locale.get();
                    if online.get() {
                        l.pick("正在尝试发送…", "Trying to send…")
                    } else {
                        l.pick("当前无网络。", "No network right now.")
                    }
                })}
            </p>
            {move || view! { <SignedFactsList facts=facts.get() field_hook=true /> }}
            <button
                type="button"
                id="sign-another"
                on:click=|_| {
                    let _ = window().location().reload();
                }
            >
                {tr(locale, "签署下一份", "Sign another")}
            </button>
        </section>
    }
}
