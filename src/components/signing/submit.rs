//! Sign and send: a submit attempt shows every problem (each control's message, and an error
//! summary whose links move focus to the control), moving focus to the first one. When there
//! is none, the consent payload is built with the domain's `payload` module, canonicalised
//! (RFC 8785), signed with the signer's non-extractable P-256 key, and POSTed — on the app's own
//! page through the outbox (`outbox/`, docs/offline.md), which keeps it on the device until a
//! verified receipt comes back. The result is the receipt, "saved on this device, will be sent
//! when online" (then the receipt once it arrives), or the server's field errors mapped back
//! onto the form; nothing typed is lost on failure, and a retry after a failed delivery resends
//! the very same signed envelope (same idempotency id), so a consent that did arrive is not
//! recorded twice.

use leptos::prelude::*;
use qianyue_domain::content::Lang;
use qianyue_domain::form::FieldError;
use qianyue_domain::identity::Identity;

use qianyue_domain::payload::{envelope_from_parts, ConsentId, ConsentPayload, Jwk, PayloadParts};
use qianyue_domain::preview::preview;
use qianyue_domain::sorting::sort_stable_by;
use wasm_bindgen::JsCast;

use super::consents::CONSENT_REQUIRED;
use super::ctx::{
    consent_index, consent_name, pick_owned, tr, use_signing, Outcome, Shown, SigningCtx,
};
use super::labels::summary_label;
use super::orders::focus_later;
use super::signature_pad::{signature_image, signature_problem};
use crate::components::field::control_id;
/// The result screen: the receipt page (components/receipt.rs).
pub use crate::components::receipt::Receipt;
use crate::components::request::identity::{CODE_PATH, NOT_VERIFIED};
use crate::components::staff::witness::{LAST4_ID as WITNESS_LAST4_ID, NOT_WITNESSED};
use crate::i18n::UiLocale;
use crate::outbox::{self, Delivery};
use crate::{clock, crypto, draft};

/// One line of the error summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The id of the control to focus.
    pub target: String,
    pub label_zh: String,
    pub label_en: String,
    pub message: Shown,
}

/// The control a path of a server refusal is shown at (form paths, the signature, consents);
/// `None` for a path no control holds.
fn target_of(path: &str) -> Option<String> {
    if path == "signature_image" || path == "signature" {
        return Some("f-signature".into());
    }
    if let Some(rest) = path.strip_prefix("consents.") {
        let head = rest.split('.').next().unwrap_or(rest);
        let id = match head.parse::<usize>() {
            Ok(i) => ConsentId::ALL.get(i).copied(),
            Err(_) => ConsentId::ALL.into_iter().find(|c| c.as_str() == head),
        }?;
        return Some(control_id(&consent_name(id)));
    }
    let form_path = path.strip_prefix("form.").unwrap_or(path);
    let known = HEADS.iter().any(|h| form_path.starts_with(h));
    known.then(|| control_id(form_path))
}

const HEADS: [&str; 8] = [
    "contract_no",
    "customer.",
    "contact.",
    "admin.",
    "orders.",
    "agent.",
    "signing.",
    "late.",
];

/// Every problem a submit attempt reports, in the page's order (tracked).
pub fn problems(ctx: SigningCtx) -> Vec<Problem> {
    let mut out = Vec::new();
    let order: Vec<String> = ctx.state.form.with(|f| f.paths());
    let mut shown: Vec<(String, Shown)> = ctx.errors.with(|errors| {
        errors
            .iter()
            .map(|e| (e.path.clone(), e.rule.clone()))
            .collect()
    });
    ctx.server.with(|server| {
        for (path, messages) in server {
            for m in messages {
                if !shown.iter().any(|(p, s)| p == path && s == m) {
                    shown.push((path.clone(), m.clone()));
                }
            }
        }
    });
    let position = |path: &str| order.iter().position(|p| p == path).unwrap_or(usize::MAX);
    sort_stable_by(&mut shown, |(a, _), (b, _)| position(a).cmp(&position(b)));
    for (path, message) in shown {
        let (label_zh, label_en) = summary_label(&path);
        let target = if path == "orders" {
            "add-order".to_owned()
        } else {
            target_of(&path).unwrap_or_else(|| "sign-and-send".to_owned())
        };
        out.push(Problem {
            target,
            label_zh,
            label_en,
            message,
        });
    }
    let consents = ctx.consents.get();
    for id in ConsentId::ALL {
        if !consents[consent_index(id)] {
            out.push(Problem {
                target: control_id(&consent_name(id)),
                label_zh: format!("同意 · {}", consent_short(id).0),
                label_en: format!("Consent · {}", consent_short(id).1),
                message: Shown::new("consent.required", CONSENT_REQUIRED.0, CONSENT_REQUIRED.1),
            });
        }
    }
    // A signing request: the signer's mobile verified first (components/request/identity.rs).
    if let Some(request) = ctx.request.filter(|r| r.witness.is_some()) {
        // On a staff device: the record of the check in person (components/staff/witness.rs).
        if !request.is_verified() {
            out.push(Problem {
                target: WITNESS_LAST4_ID.into(),
                label_zh: "现场身份核验".into(),
                label_en: "Identity checked in person".into(),
                message: Shown::new("witness.required", NOT_WITNESSED.0, NOT_WITNESSED.1),
            });
        }
    } else if let Some(request) = ctx.request {
        if !request.is_verified() {
            out.push(Problem {
                target: control_id(CODE_PATH),
                label_zh: "短信验证码".into(),
                label_en: "Code from the SMS".into(),
                message: Shown::new("identity.required", NOT_VERIFIED.0, NOT_VERIFIED.1),
            });
        }
    }
    if let Some(message) = signature_problem(ctx) {
        out.push(Problem {
            target: "f-signature".into(),
            label_zh: "签名".into(),
            label_en: "Signature".into(),
            message,
        });
    }
    out
}

fn consent_short(id: ConsentId) -> (&'static str, &'static str) {
    match id {
        ConsentId::ServiceAgreement => ("服务协议", "service agreement"),
        ConsentId::PrivacyPolicy => ("隐私政策", "privacy policy"),
        ConsentId::AuthorizationLetter => ("授权委托书", "letter of authorisation"),
        ConsentId::SensitivePersonalInfo => (
            "证件号码（敏感个人信息）",
            "ID numbers (sensitive personal information)",
        ),
    }
}

/// What identifies a consent's content before signing: a retry of exactly this resends the
/// same envelope.
fn fingerprint(ctx: SigningCtx) -> String {
    let form = ctx
        .state
        .form
        .with_untracked(qianyue_domain::form_json::write);
    let image = signature_image(ctx).to_value();
    format!("{form}\n{image}\n{:?}", ctx.consents.get_untracked())
}

fn langs(ctx: SigningCtx) -> Vec<Lang> {
    let mut langs = ctx.langs_shown.get_untracked();
    if langs.is_empty() {
        langs.push(Lang::Zh);
    }
    langs
}

/// Builds, signs and returns the envelope to POST.
async fn signed_envelope(ctx: SigningCtx) -> Result<String, String> {
    let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let key = crypto::signing_key().await.map_err(js)?;
    let signed_at = clock::now().ok_or("the clock is out of range")?;
    // The signing date is the day of signing in China Standard Time, as the receiver checks
    // it against `signed_at`: a page left open past midnight signs with the new day's date.
    let signing_date = signed_at.date().to_string();
    if ctx
        .state
        .form
        .with_untracked(|f| f.signing.date != signing_date)
    {
        ctx.state.set_field("signing.date", signing_date);
    }
    let form = ctx.state.form.get_untracked();
    // The receiver recomputes the figures on the signing date (China Standard Time).
    let figures = preview(&form, signed_at.date());
    let payload = ConsentPayload::new(PayloadParts {
        form,
        langs: langs(ctx),
        previews: &figures,
        signature_image: signature_image(ctx),
        signed_at,
        idempotency_id: crypto::random_uuid().map_err(js)?,
        public_key: Jwk::p256(&key.x, &key.y),
    });
    // For a signing request, `qianyue-consent/2`: the request and the verification as the
    // receiver answered it.
    let bytes = match ctx.request {
        None => payload.signing_bytes().map_err(|e| e.to_string())?,
        // On a staff device, `qianyue-consent/3`: the record of the check in person, and the
        // device key's signature over the same bytes (docs/payload.md §11).
        Some(request) if request.witness.is_some() => {
            let witness = request.witness.expect("checked");
            let id = request.opened.with_value(|o| o.request_id.clone());
            let sign = crate::staff::witnessed_envelope(payload, id, witness, signed_at, key)
                .await
                .map_err(|_| "the witness step's part could not be loaded".to_owned())?;
            return sign.await;
        }
        Some(request) => {
            let identity = request
                .verification
                .get_untracked()
                .ok_or("the signer's mobile is not verified")?;
            let identity = Identity::read(&identity)
                .ok_or("the receiver's verification is not in the documented shape")?;
            let id = request.opened.with_value(|o| o.request_id.clone());
            payload
                .for_request(&id, identity)
                .signing_bytes()
                .map_err(|e| e.to_string())?
        }
    };
    let signature = key.sign(&bytes).await.map_err(js)?;
    Ok(envelope_from_parts(&bytes, &signature))
}

/// The server's refusal mapped onto the form.
fn apply_refusal(ctx: SigningCtx, fields: Vec<FieldError>) {
    ctx.server.update(|server| {
        server.clear();
        for f in fields {
            let path = f.path.strip_prefix("form.").unwrap_or(&f.path).to_owned();
            server.get_or_insert_with(&path, Vec::new).push(f.rule);
        }
    });
}

fn send(ctx: SigningCtx) {
    // The consent names the texts shown; a page that could not show the binding Chinese text
    // (crate::content: missing, or not the one this version signs for) signs nothing.
    if crate::content::chinese().is_err() {
        ctx.outcome.set(Outcome::Failed(Shown::new(
            "client.text_unavailable",
            "协议文本未能载入，无法签署。请刷新页面后重试。已填写的内容都还在。",
            "The agreement text could not be loaded, so nothing can be signed. Reload the page and try again. Everything you typed is still here.",
        )));
        return;
    }
    let last = ctx.last_envelope;
    ctx.outcome.set(Outcome::Sending);
    leptos::task::spawn_local(async move {
        let print = fingerprint(ctx);
        let reuse = last.with_value(|l| {
            l.as_ref()
                .filter(|(p, _)| *p == print)
                .map(|(_, b)| b.clone())
        });
        let body = match reuse {
            Some(body) => body,
            None => match signed_envelope(ctx).await {
                Ok(body) => body,
                Err(detail) => {
                    leptos::logging::warn!("signing failed: {detail}");
                    ctx.outcome.set(Outcome::Failed(Shown::new(
                        "client.sign_failed",
                        "无法在本浏览器中生成签名（需要 WebCrypto 和 IndexedDB）。已填写的内容都还在。",
                        "This browser could not create the signature (WebCrypto and IndexedDB are needed). Everything you typed is still here.",
                    )));
                    return;
                }
            },
        };
        last.set_value(Some((print, body.clone())));
        // On the app's own page the signed consent is stored in the outbox before it is sent;
        // embedded in another site's page (whose storage is not ours) it is sent directly.
        let keep = !ctx.state.host.is_embedded();
        if keep {
            // The outbox keeps it until delivered: start it, and show its panel.
            outbox::start();
            ctx.state.outbox_wanted.set(true);
        }
        let delivery = outbox::submit(&body, &ctx.state.host.endpoint(), keep).await;
        show(ctx, delivery);
    });
}

/// Shows how sending ended: the receipt; the refusal, on the form; "saved on this device"
/// (then the receipt or the refusal once the outbox settles it); or a failure to send.
fn show(ctx: SigningCtx, delivery: Delivery) {
    let last = ctx.last_envelope;
    // The journey may be gone (unmounted) by the time the outbox settles an item.
    if ctx.outcome.try_get_untracked().is_none() {
        return;
    }
    match delivery {
        Delivery::Delivered(receipt) => {
            last.set_value(None);
            if ctx.state.host.keeps_drafts() {
                draft::clear();
            }
            ctx.outcome.set(Outcome::Accepted(receipt));
        }
        Delivery::Refused(problem) => {
            last.set_value(None);
            apply_refusal(ctx, problem.field_errors());
            ctx.outcome.set(Outcome::Failed(problem.message()));
            focus_first_problem(ctx);
        }
        Delivery::Queued(id) => {
            // Safe on this device: the draft is no longer needed, nor a resend from here.
            last.set_value(None);
            if ctx.state.host.keeps_drafts() {
                draft::clear();
            }
            ctx.outcome.set(Outcome::Queued(id.clone()));
            outbox::on_settled(&id, move |delivery| show(ctx, delivery));
        }
        Delivery::Failed(problem) => {
            leptos::logging::warn!("sending failed: {}", problem.message_en);
            ctx.outcome.set(Outcome::Failed(Shown::new(
                "client.send_failed",
                "发送失败，请检查网络后重试。已填写的内容和签名都还在，重试时发送的是同一份签署数据。",
                "Sending failed: check the connection and try again. Everything you typed and your signature are still here; a retry sends the same signed consent.",
            )));
            focus_later("send-status".to_owned());
        }
    }
}

fn focus_first_problem(ctx: SigningCtx) {
    let first = problems(ctx).into_iter().next();
    match first {
        Some(p) => focus_later(p.target),
        None => focus_later("send-status".to_owned()),
    }
}

/// The error summary and the sign-and-send button.
#[component]
pub fn SubmitArea() -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let list = Memo::new(move |_| {
        if ctx.submitted.get() {
            problems(ctx)
        } else {
            Vec::new()
        }
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        ctx.submitted.set(true);
        if ctx.outcome.get_untracked() == Outcome::Sending {
            return;
        }
        if problems(ctx).is_empty() {
            send(ctx);
        } else {
            ctx.outcome.set(Outcome::Idle);
            focus_first_problem(ctx);
        }
    };
    let status = move || match ctx.outcome.get() {
        Outcome::Sending => Some(locale.get().pick("正在签署并发送…", "Signing and sending…")),
        Outcome::Failed(m) => Some(m.text(locale.get())),
        _ => None,
    };
    view! {
        <div class="submit-area">
            <Show when=move || list.with(|l| !l.is_empty())>
                <div class="error-summary" id="error-summary" role="alert" aria-labelledby="error-summary-title">
                    <h2 id="error-summary-title">
                        {move || {
                            let n = list.with(Vec::len);
                            pick_owned(locale.get(), format!("还有{n}处需要修改"), format!("{n} thing{} to fix", if n == 1 { "" } else { "s" }))
                        }}
                    </h2>
                    <ul>
                        {move || {
                            list.get()
                                .into_iter()
                                .map(|p| {
                                    let target = p.target.clone();
                                    let href = format!("#{}", p.target);
                                    let l = locale.get();
                                    let text = format!(
                                        "{}：{}",
                                        pick_owned(l, p.label_zh.clone(), p.label_en.clone()),
                                        p.message.text(l)
                                    );
                                    let text = if l == UiLocale::En { text.replacen('：', ": ", 1) } else { text };
                                    view! {
                                        <li>
                                            <a
                                                href=href
                                                on:click=move |ev| {
                                                    // Focus the control without touching the URL
                                                    // fragment (it carries the prefill).
                                                    ev.prevent_default();
                                                    if let Some(el) = crate::embed::element_by_id(&target) {
                                                        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                                                            let _ = el.focus();
                                                        }
                                                    }
                                                }
                                            >
                                                {text}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                </div>
            </Show>
            <p class="send-status" id="send-status" tabindex="-1" aria-live="polite">{status}</p>
            <button
                type="submit"
                id="sign-and-send"
                class="sign-and-send"
                aria-disabled=move || (ctx.outcome.get() == Outcome::Sending).to_string()
                on:click=on_click
            >
                {tr("签署并发送", "Sign and send")}
            </button>
        </div>
    }
}
