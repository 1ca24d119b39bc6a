//! The result screen of a consent that is saved on this device but not delivered yet: what
//! happened, that it will be sent by itself, and a way to start the next one. The signing
//! journey replaces it with the receipt (or the refusal) once the outbox settles the item
//! (`outbox::on_settled`).

use leptos::prelude::*;

use super::{text, tr};
use crate::i18n::UiLocale;
use crate::outbox;

#[component]
pub fn QueuedNotice(locale: RwSignal<UiLocale>, id: String) -> impl IntoView {
    let o = outbox::outbox();
    let label = {
        let id = id.clone();
        let items = o.items.clone();
        text(move || {
            items.with(|items| {
                items
                    .iter()
                    .find(|i| i.id == id)
                    .map(|i| i.label.clone())
                    .unwrap_or_default()
            })
        })
    };
    let online = o.online.clone();
    let shown_id = id.clone();
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
            <dl class="receipt-fields">
                <div><dt>{tr(locale, "合同编号", "Contract number")}</dt><dd>{label}</dd></div>
                <div><dt>consent_id</dt><dd data-receipt-field="consent_id">{shown_id}</dd></div>
            </dl>
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
