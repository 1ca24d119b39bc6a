//! The receipt page: what a person reads once a consent is signed. "已签署 / Signed", what was
//! signed (the agreement, the contract number, the company), when (`signed_at`, China Standard
//! Time), the consent number; a link to download the signed copy as a PDF (the receiver's
//! evidence PDF, contract.md §7, fetched with the payload's SHA-256 that only the signer holds)
//! and a button to print the page; the technical receipt (every field of the receiver's signed
//! answer, `data-receipt-field`, contract.md §3) folded away in a `<details>`.
//!
//! Three places show it: the signing journey's result screen (components/signing/), the
//! outbox's "saved on this device" screen until the receipt comes ([`SignedFacts`] alone,
//! components/outbox/queued.rs), and the page of a signing request that is already signed
//! (components/request/pages.rs).

use leptos::prelude::*;
use qianyue_domain::content::{Lang, PartId};
use qianyue_domain::form::Form;
use qianyue_domain::payload::{is_uuid_v4, SignedAt, SignedReceipt};

use crate::components::signing::labels::field_label;
use crate::components::signing::preview::format_date;
use crate::i18n::UiLocale;
use crate::page;
use crate::state::use_app_state;

/// What the receipt page says was signed (none of it personal data: the enterprise's contract
/// number and name, the consent's own number and time).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignedFacts {
    /// The agreement's version (`receipt.agreement.version`); empty when not known yet.
    pub version: String,
    pub contract_no: String,
    /// `customer.group_name`.
    pub company: String,
    /// `YYYY-MM-DDTHH:MM:SS+08:00` (the payload's `signed_at`).
    pub signed_at: String,
    /// The payload's idempotency id: the consent's number at the receiver.
    pub consent_id: String,
}

impl SignedFacts {
    /// The facts of `form` signed at `signed_at` as consent `consent_id`.
    pub fn of_form(form: &Form, signed_at: &str, consent_id: &str) -> SignedFacts {
        SignedFacts {
            version: String::new(),
            contract_no: form.contract_no.clone(),
            company: form.customer.group_name.clone(),
            signed_at: signed_at.to_owned(),
            consent_id: consent_id.to_owned(),
        }
    }
}

/// `signed_at` for the reader: `2023年4月10日 10:03（北京时间）` / `10 April 2023, 10:03 (China
/// Standard Time)`; a value that is not a `signed_at` is shown as it is.
pub fn format_signed_at(signed_at: &str, locale: UiLocale) -> String {
    let Ok(at) = SignedAt::parse(signed_at) else {
        return signed_at.to_owned();
    };
    // `parse` accepted `YYYY-MM-DDTHH:MM:SS+08:00`: the time of day is at 11..16.
    let time = &signed_at[11..16];
    let date = at.date();
    let zh = format!("{} {time}（北京时间）", format_date(date, UiLocale::Zh));
    let en = format!(
        "{}, {time} (China Standard Time)",
        format_date(date, UiLocale::En)
    );
    locale.show(&zh, &en)
}

/// Where the signer's own copy of the evidence PDF is: beside the endpoint the consent was
/// POSTed to (`…/consents` → `…/consents/{id}/evidence.pdf?sha256=…`, contract.md §7). `None`
/// unless the id is a UUID v4 and the hash 64 lower-case hex digits, as the receiver makes them
/// (nothing else is put into a URL).
pub fn evidence_url(endpoint: &str, consent_id: &str, payload_sha256: &str) -> Option<String> {
    let hex = payload_sha256.len() == 64
        && payload_sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (is_uuid_v4(consent_id) && hex).then(|| {
        format!(
            "{}/{consent_id}/evidence.pdf?sha256={payload_sha256}",
            endpoint.trim_end_matches('/')
        )
    })
}

/// The PDF's file name, as the receiver names it (`Content-Disposition`).
fn evidence_file_name(consent_id: &str) -> String {
    format!("qianyue-{consent_id}.pdf")
}

/// The facts of a signed consent: what, when, its number. `field_hook` also marks the consent
/// number `data-receipt-field="consent_id"` (where no technical receipt is shown to carry it).
#[component]
pub fn SignedFactsList(facts: SignedFacts, #[prop(optional)] field_hook: bool) -> impl IntoView {
    let locale = use_app_state().locale;
    let label = move |(zh, en): (&'static str, &'static str)| move || locale.get().pick(zh, en);
    let agreement = {
        let version = facts.version.clone();
        move || {
            let zh = PartId::Order.title(Lang::Zh);
            let en = PartId::Order.title(Lang::En);
            if version.is_empty() {
                locale.get().pick(zh, en)
            } else {
                locale.get().show(
                    &format!("{zh}（版本 {version}）"),
                    &format!("{en} (version {version})"),
                )
            }
        }
    };
    let when = {
        let at = facts.signed_at.clone();
        move || format_signed_at(&at, locale.get())
    };
    let dash = |s: String| {
        if s.trim().is_empty() {
            "—".to_owned()
        } else {
            s
        }
    };
    view! {
        <dl class="receipt-summary">
            <div>
                <dt>{label(("签署的协议", "Agreement signed"))}</dt>
                <dd data-receipt-summary="agreement">{agreement}</dd>
            </div>
            <div>
                <dt>{label(field_label("contract_no"))}</dt>
                <dd data-receipt-summary="contract_no">{dash(facts.contract_no)}</dd>
            </div>
            <div>
                <dt>{label(field_label("customer.group_name"))}</dt>
                <dd data-receipt-summary="company">{dash(facts.company)}</dd>
            </div>
            <div>
                <dt>{label(("签署时间", "Signed at"))}</dt>
                <dd data-receipt-summary="signed_at">
                    <time datetime=facts.signed_at.clone()>{when}</time>
                </dd>
            </div>
            <div>
                <dt>{label(("签署编号", "Consent number"))}</dt>
                <dd
                    class="receipt-number"
                    data-receipt-summary="consent_id"
                    data-receipt-field=field_hook.then_some("consent_id")
                >
                    {facts.consent_id}
                </dd>
            </div>
        </dl>
    }
}

/// The receipt page for the receiver's answer `receipt` (`{receipt: {…}, signature}`, verified
/// before it came here) to the consent that signed `form`.
#[component]
pub fn Receipt(receipt: serde_json::Value, form: Form) -> impl IntoView {
    let state = use_app_state();
    let locale = state.locale;
    let tr = move |zh: &'static str, en: &'static str| move || locale.get().pick(zh, en);
    let answer = SignedReceipt::read(&receipt);
    let (facts, href, rows) = match answer {
        Some(SignedReceipt {
            receipt: r,
            signature,
        }) => {
            let facts = SignedFacts {
                version: r.agreement.version.clone(),
                ..SignedFacts::of_form(&form, &r.signed_at, &r.consent_id)
            };
            let href = evidence_url(&state.host.endpoint(), &r.consent_id, &r.payload_sha256);
            // Every field by name (contract.md §3 `data-receipt-field`), the agreement excepted.
            let rows: Vec<(&'static str, String)> = vec![
                ("consent_id", r.consent_id),
                ("format", r.format),
                ("payload_sha256", r.payload_sha256),
                ("received_at", r.received_at),
                ("receiver_key", r.receiver_key),
                ("signature", signature),
                ("signed_at", r.signed_at),
                ("signer_key", r.signer_key),
            ];
            (facts, href, rows)
        }
        None => (SignedFacts::of_form(&form, "", ""), None, Vec::new()),
    };
    let file_name = evidence_file_name(&facts.consent_id);
    // Printing prints the page: only where the page is this instance's own (not inside
    // another site's page).
    let printable = state.host.is_whole_page();
    view! {
        <section class="receipt" id="receipt" tabindex="-1" aria-labelledby="receipt-title" data-receipt="accepted">
            <h2 id="receipt-title">{tr("已签署", "Signed")}</h2>
            <p class="receipt-lead">
                {tr(
                    "您的签署已送达接收方并已保存。请下载签署件（PDF）或打印本页留存。",
                    "Your signed consent was received and stored. Download the signed copy (PDF) or print this page for your records.",
                )}
            </p>
            <SignedFactsList facts=facts />
            <div class="receipt-actions">
                {href.map(|href| view! {
                    <a class="receipt-download" data-action="download-evidence" href=href download=file_name type="application/pdf">
                        {tr("下载签署件（PDF）", "Download the signed copy (PDF)")}
                    </a>
                })}
                {printable.then(|| view! {
                    <button type="button" class="receipt-print" data-action="print" on:click=|_| page::print()>
                        {tr("打印", "Print")}
                    </button>
                })}
            </div>
            <details class="receipt-technical">
                <summary>{tr("技术回执（供核验）", "Technical receipt (for verification)")}</summary>
                <p>
                    {tr(
                        "接收方用其密钥（receiver_key，见 /api/keys）对以下回执签名；payload_sha256 是您所签数据的 SHA-256。PDF 中附有签署数据（consent.json），任何人都可以自行核验。",
                        "The receiver signed this receipt with its key (receiver_key, listed at /api/keys); payload_sha256 is the SHA-256 of the data you signed. The PDF carries the signed data (consent.json), so anyone can verify it on their own.",
                    )}
                </p>
                <dl class="receipt-fields">
                    {rows
                        .into_iter()
                        .map(|(k, v)| view! { <div><dt>{k}</dt><dd data-receipt-field=k>{v}</dd></div> })
                        .collect_view()}
                </dl>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3b241101-e2bb-4255-8caf-4136c566a962";
    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn the_evidence_link_sits_beside_the_endpoint() {
        assert_eq!(
            evidence_url("/api/consents", ID, SHA).as_deref(),
            Some(format!("/api/consents/{ID}/evidence.pdf?sha256={SHA}").as_str())
        );
        assert_eq!(
            evidence_url("https://r.example.com/api/consents/", ID, SHA).as_deref(),
            Some(
                format!("https://r.example.com/api/consents/{ID}/evidence.pdf?sha256={SHA}")
                    .as_str()
            )
        );
    }

    #[test]
    fn nothing_but_a_uuid_and_a_hash_goes_into_the_link() {
        assert_eq!(evidence_url("/api/consents", "../keys", SHA), None);
        assert_eq!(evidence_url("/api/consents", ID, &SHA.to_uppercase()), None);
        assert_eq!(evidence_url("/api/consents", ID, &SHA[1..]), None);
        assert_eq!(
            evidence_url("/api/consents", ID, &format!("{}&x", &SHA[2..])),
            None
        );
    }

    #[test]
    fn signed_at_is_shown_in_china_standard_time() {
        let at = "2023-04-10T09:05:07+08:00";
        assert_eq!(
            format_signed_at(at, UiLocale::Zh),
            "2023年4月10日 09:05（北京时间）"
        );
        assert_eq!(
            format_signed_at(at, UiLocale::En),
            "10 April 2023, 09:05 (China Standard Time)"
        );
        assert_eq!(format_signed_at("soon", UiLocale::Zh), "soon");
    }
}
