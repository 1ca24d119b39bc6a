//! The witness step of a request signed on a staff device (docs/staff.md "The app"): in place
//! of the SMS code, the account manager records the identity check done in person — who was
//! checked (the agent or the contact), the document's type, the last four characters of its
//! number — checked with the domain's `Witness::check` as it is typed. The signature opens
//! once the record passes.

use js_sys::Reflect;
use leptos::prelude::*;
use qianyue_domain::error::Message;
use qianyue_domain::other_id::IdType;
use qianyue_domain::staff::{AttachmentKind, Person};
use wasm_bindgen::JsValue;

use crate::clock;
use crate::signing_request::RequestCtx;
use crate::staff::{self, WitnessCtx};
use crate::state::use_app_state;

/// The id of the control for the last four characters (the submit area's problem link).
pub const LAST4_ID: &str = "witness-number-last4";

/// The message shown when the manager tries to sign before the record passes.
pub const NOT_WITNESSED: (&str, &str) = (
    "请先完成现场身份核验记录（证件类型及号码后4位）",
    "First record the identity check in person (document type and last 4 characters)",
);

#[component]
pub fn WitnessStep(request: RequestCtx, witness: WitnessCtx) -> impl IntoView {
    let state = use_app_state();
    let locale = state.locale;
    let signer = request.opened.with_value(|o| o.signer_name.clone());
    let staff = witness.device.with_value(|d| d.staff.name.clone());
    let problems = Memo::new(move |_| {
        let Some(at) = clock::now() else {
            return Vec::new();
        };
        state.form.with(|f| witness.problems(f, at))
    });
    Effect::new(move |_| {
        let ok = problems.with(Vec::is_empty);
        if witness.complete.get_untracked() != ok {
            witness.complete.set(ok);
        }
    });
    let message = move |path: &'static str| {
        move || {
            problems.with(|p| {
                p.iter()
                    .find(|e| e.path == path)
                    .map(|e| e.rule.text(locale.get()))
            })
        }
    };
    let typed = move || witness.input.with(|i| !i.number_last4.is_empty());
    let person_type = move |person: Person| {
        state.form.with_untracked(|f| match person {
            Person::Agent => f.agent.id_type.clone(),
            Person::Contact => f.contact.id_type.clone(),
        })
    };
    view! {
        <fieldset class="witness-step" id="witness" data-witness=move || if witness.complete.get() { "complete" } else { "open" }>
            <legend>{move || locale.get().pick("现场身份核验", "Identity checked in person")}</legend>
            <p>
                {move || locale.get().pick("客户经理", "Account manager")} " " {staff.clone()} " · "
                {move || locale.get().pick("签署人", "Signer")} " " {signer.clone()}
            </p>
            <label for="witness-person">{move || locale.get().pick("核验对象", "Person checked")}</label>
            <select id="witness-person" name="witness.person"
                on:change:target=move |ev| {
                    let person = if ev.target().value() == "contact" { Person::Contact } else { Person::Agent };
                    let kind = person_type(person);
                    witness.input.update(|i| {
                        i.person = person;
                        i.document_type = kind;
                    });
                }>
                <option value="agent" selected=true>{move || locale.get().pick("授权代理人（经办人）", "The authorised agent")}</option>
                <option value="contact">{move || locale.get().pick("联系人", "The contact")}</option>
            </select>
            <label for="witness-document-type">{move || locale.get().pick("证件类型", "Document type")}</label>
            <select id="witness-document-type" name="witness.document_type"
                aria-describedby="witness-document-type-message"
                prop:value=move || witness.input.with(|i| i.document_type.clone())
                on:change:target=move |ev| {
                    let v = ev.target().value();
                    witness.input.update(|i| i.document_type = v);
                }>
                {IdType::ALL
                    .into_iter()
                    .map(|t| view! {
                        <option value=t.label_zh()>{move || locale.get().pick(t.label_zh(), t.label_en())}</option>
                    })
                    .collect_view()}
            </select>
            <p class="field-message" id="witness-document-type-message">{message("witness.document_type")}</p>
            <label for=LAST4_ID>{move || locale.get().pick("证件号码后4位", "Last 4 characters of its number")}</label>
            <input id=LAST4_ID name="witness.number_last4" type="text" maxlength="4"
                autocomplete="off" autocapitalize="characters" spellcheck="false"
                aria-describedby="witness-number-last4-message"
                aria-invalid=move || (typed() && message("witness.number_last4")().is_some()).then_some("true")
                prop:value=move || witness.input.with(|i| i.number_last4.clone())
                on:input:target=move |ev| {
                    let v = ev.target().value();
                    witness.input.update(|i| i.number_last4 = v);
                } />
            <p class="field-message" id="witness-number-last4-message">
                {move || if typed() { message("witness.number_last4")() } else { None }}
            </p>
            {[
                (AttachmentKind::AuthorisationLetter, "authorisation_letter", ("盖章的授权委托书照片（可选）", "Photo of the stamped authorisation letter (optional)")),
                (AttachmentKind::CompanySeal, "company_seal", ("公司印章照片（可选）", "Photo of the company seal (optional)")),
            ]
                .into_iter()
                .map(|(kind, hook, label)| view! { <PhotoInput witness=witness kind=kind hook=hook label=label /> })
                .collect_view()}
        </fieldset>
    }
}

/// One photo of the record: taken or picked, bounded (re-encoded smaller, else refused) and
/// hashed by `staff::read_photo`; replacing the photo of its kind.
#[component]
fn PhotoInput(
    witness: WitnessCtx,
    kind: AttachmentKind,
    hook: &'static str,
    label: (&'static str, &'static str),
) -> impl IntoView {
    let locale = use_app_state().locale;
    let error = RwSignal::new(None::<Message>);
    let attached = move || {
        witness.photos.with(|p| {
            p.iter()
                .find(|p| p.attachment.kind == kind)
                .map(|p| p.attachment.bytes)
        })
    };
    let id = format!("witness-photo-{hook}");
    let message_id = format!("witness-photo-{hook}-message");
    let on_change = move |ev: leptos::ev::Event| {
        let Some(target) = ev.target() else {
            return;
        };
        let file = Reflect::get(&target, &"files".into())
            .and_then(|files| Reflect::get(&files, &0.into()))
            .unwrap_or(JsValue::UNDEFINED);
        if file.is_undefined() || file.is_null() {
            return;
        }
        leptos::task::spawn_local(async move {
            match staff::read_photo(file, kind).await {
                Ok(photo) => {
                    let _ = error.try_set(None);
                    witness.photos.update(|list| {
                        list.retain(|p| p.attachment.kind != kind);
                        list.push(photo);
                    });
                }
                Err(message) => {
                    let _ = error.try_set(Some(message));
                    witness
                        .photos
                        .update(|list| list.retain(|p| p.attachment.kind != kind));
                }
            }
        });
    };
    view! {
        <div class="witness-photo" data-photo=hook
            data-photo-state=move || if error.with(Option::is_some) { "refused" } else if attached().is_some() { "attached" } else { "none" }>
            <label for=id.clone()>{move || locale.get().pick(label.0, label.1)}</label>
            <input type="file" accept="image/*" capture=true id=id name=format!("witness.photo.{hook}")
                aria-describedby=message_id.clone()
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                on:change=on_change />
            <p class="field-message" id=message_id
                data-photo-error=move || error.get().map(|m| m.code.to_string())>
                {move || match (error.get(), attached()) {
                    (Some(m), _) => Some(m.text(locale.get())),
                    (None, Some(bytes)) => Some(format!(
                        "{} {} KB",
                        locale.get().pick("已附照片", "Photo attached,"),
                        bytes.div_ceil(1024)
                    )),
                    _ => None,
                }}
            </p>
        </div>
    }
}
