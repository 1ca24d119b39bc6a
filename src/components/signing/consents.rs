//! The separate consents: four unticked checkboxes (service agreement, privacy policy,
//! authorisation letter, and the PIPL art. 29 consent to process ID numbers, whose wording is
//! its own short notice of why they are needed). The words shown are exactly the payload's
//! consent wordings (`payload::ConsentId::wording`), whose hash the signature covers.
//!
//! Beside the privacy-policy consent: the reply-by date of a correction or deletion request
//! made on the signing date (`privacy.reply_by`, privacy policy 四(二)(三)), with a note in
//! both languages when a year it reaches has no State Council notice yet (provisional).

use leptos::prelude::*;
use qianyue_domain::content::Lang;
use qianyue_domain::holidays::{any_provisional, PROVISIONAL_NOTE_EN, PROVISIONAL_NOTE_ZH};
use qianyue_domain::payload::ConsentId;
use qianyue_domain::preview::{self, REPLY_BY};

use super::ctx::{consent_index, consent_name, tr, use_signing};
use super::preview::Figure;
use crate::components::field::control_id;
use crate::i18n::UiLocale;

/// The message a missing consent shows, (zh, en).
pub const CONSENT_REQUIRED: (&str, &str) =
    ("签署前请勾选此项同意", "Tick this consent before signing");

#[component]
pub fn Consents() -> impl IntoView {
    view! {
        <section class="form-section consents" id="s-consents" aria-labelledby="s-consents-title">
            <h2 id="s-consents-title">{tr("同意", "Consent")}</h2>
            <p class="section-note">
                {tr("以下各项须分别勾选，不会预先勾选，也不会保存在草稿中。", "Each consent is given separately; none is pre-ticked or kept in the draft.")}
            </p>
            {ConsentId::ALL.into_iter().map(|id| view! { <ConsentBox id=id /> }).collect_view()}
        </section>
    }
}

#[component]
fn ConsentBox(id: ConsentId) -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let index = consent_index(id);
    let name = consent_name(id);
    let dom_id = control_id(&name);
    let msg_id = format!("{dom_id}-msg");
    let checked = move || ctx.consents.with(|c| c[index]);
    let missing = move || ctx.submitted.get() && !checked();
    let wording = move || match locale.get() {
        UiLocale::Zh => view! { <span lang="zh-CN">{id.wording(Lang::Zh)}</span> }.into_any(),
        UiLocale::En => view! { <span lang="en">{id.wording(Lang::En)}</span> }.into_any(),
        UiLocale::Both => view! {
            <span lang="zh-CN">{id.wording(Lang::Zh)}</span>
            " "
            <span lang="en" class="secondary">{id.wording(Lang::En)}</span>
        }
        .into_any(),
    };
    view! {
        <div class="consent" class:consent-sensitive=id == ConsentId::SensitivePersonalInfo>
            <input
                type="checkbox"
                id=dom_id.clone()
                name=name
                prop:checked=checked
                aria-invalid=move || missing().to_string()
                aria-describedby=msg_id.clone()
                on:change:target=move |ev| {
                    let on = ev.target().checked();
                    ctx.consents.update(|c| c[index] = on);
                }
            />
            <label for=dom_id>{wording}</label>
            <p class="message" id=msg_id aria-live="polite">
                {move || missing().then(|| locale.get().pick(CONSENT_REQUIRED.0, CONSENT_REQUIRED.1))}
            </p>
            {(id == ConsentId::PrivacyPolicy).then(|| view! { <ReplyBy /> })}
        </div>
    }
}

/// `privacy.reply_by` with its clause, and the provisional note (both languages) when the
/// count reached a year judged on the statutory days only.
#[component]
fn ReplyBy() -> impl IntoView {
    let ctx = use_signing();
    let form = ctx.state.form;
    // Which calendars the figure used: looked up again whenever the figure changes.
    let figure = ctx.figure(REPLY_BY.to_owned());
    let provisional = Memo::new(move |_| {
        figure.get()?.ok()?;
        form.with_untracked(|f| preview::calendars(f).get(REPLY_BY).map(any_provisional))
    });
    view! {
        <dl class="figures reply-by">
            <Figure key=REPLY_BY.to_owned() />
        </dl>
        {move || {
            (provisional.get() == Some(true))
                .then(|| {
                    view! {
                        <p class="figure-note provisional" data-provisional=REPLY_BY>
                            <span lang="zh-CN">{PROVISIONAL_NOTE_ZH}</span>
                            " "
                            <span lang="en">{PROVISIONAL_NOTE_EN}</span>
                        </p>
                    }
                })
        }}
    }
}
