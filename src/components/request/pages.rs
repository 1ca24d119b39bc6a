//! The request's pages (the deferred part `request`): loading, the journey of an open request,
//! and the pages of a request that cannot be signed (expired, revoked, unknown), of a signed
//! one (its receipt and signed copy), and of a page without a request in closed mode.

use leptos::prelude::*;
use qianyue_domain::error::Message;
use qianyue_domain::form::Form;
use qianyue_domain::request::is_readonly;
use serde_json::Value;

use crate::components::locale_switch::LocaleSwitch;
use crate::components::signing::submit::Receipt;
use crate::deferred::deferred;
use crate::embed::parse_locale;
use crate::signing_request::{self, Opened, Opening, RequestCtx};
use crate::state::{provide_app_state, AppState};
use crate::{draft, App};

deferred!(request;
    /// The page of the request `token`; without one, the page saying how to get a request
    /// (the receiver takes no consent without one).
    pub fn request_page(state: AppState, token: Option<String>) -> AnyView {
        match token {
            Some(token) => view! { <RequestPage state=state token=token /> }.into_any(),
            None => {
                provide_app_state(state);
                view! { <NoRequest /> }.into_any()
            }
        }
    }
);

#[component]
fn RequestPage(state: AppState, token: String) -> impl IntoView {
    provide_app_state(state);
    let token = signing_request::request_url(&state.host.endpoint(), &token);
    let opening = RwSignal::new(None::<Opening>);
    let load = {
        let token = token.clone();
        move || {
            let token = token.clone();
            opening.set(None);
            leptos::task::spawn_local(async move {
                let answer = signing_request::open(&token).await;
                let _ = opening.try_set(Some(answer));
            });
        }
    };
    load();
    let retry = load.clone();
    let locale = state.locale;
    move || match opening.get() {
        None => view! {
            <p class="deferred" role="status" data-deferred="loading">
                {move || locale.get().pick("正在打开签署请求…", "Opening the signing request…")}
            </p>
        }
        .into_any(),
        Some(Opening::Open(opened)) => journey(state, token.clone(), *opened).into_any(),
        Some(Opening::Signed { receipt, payload }) => {
            view! { <Signed receipt=receipt payload=payload /> }.into_any()
        }
        Some(Opening::Refused(message)) => view! { <Refused message=message /> }.into_any(),
        Some(Opening::Failed(why)) => {
            leptos::logging::warn!("the signing request could not be read: {why}");
            let retry = retry.clone();
            view! {
                <Frame status="failed">
                    <p role="alert">
                        {move || locale.get().pick(
                            "暂时无法读取签署请求，请检查网络后重试。",
                            "The signing request could not be read. Check the connection and retry.",
                        )}
                    </p>
                    <button type="button" on:click=move |_| retry()>
                        {move || locale.get().pick("重试", "Retry")}
                    </button>
                </Frame>
            }
            .into_any()
        }
    }
}

/// The journey of an open request: the request's form (with the draft's typed values where the
/// request leaves them open, on the app's own page), its language, and the request as context.
fn journey(state: AppState, token: String, opened: Opened) -> impl IntoView {
    let mut form = opened.form.clone();
    if state.host.keeps_drafts() {
        form = draft::initial_form_locked(form, |path| is_readonly(&opened.readonly, path));
    }
    form.signing.date = state.today.to_string();
    state.form.set(form);
    if let Some(locale) = opened.locale.as_deref().and_then(parse_locale) {
        state.locale.set(locale);
    }
    provide_context(RequestCtx::new(token, opened));
    view! { <App /> }
}

/// The page around a status: the title, the language switch, and `children`.
#[component]
fn Frame(status: &'static str, children: Children) -> impl IntoView {
    let locale = crate::state::use_app_state().locale;
    view! {
        <main class="app request-page" data-request-page=status>
            <header class="app-header">
                <h1>
                    <span lang="zh-CN">"中国移动广东公司产品协议"</span>
                    <span lang="en">"China Mobile Guangdong Product Agreement"</span>
                </h1>
                <LocaleSwitch locale=locale />
            </header>
            <section class="request-status" aria-live="polite">{children()}</section>
        </main>
    }
}

/// Expired, revoked, unknown (or any other refusal of the link): what happened and what to do.
#[component]
fn Refused(message: Message) -> impl IntoView {
    let locale = crate::state::use_app_state().locale;
    let (status, title): (&'static str, (&'static str, &'static str)) = match &*message.code {
        "request.expired" => (
            "expired",
            ("此签署请求已过期", "This signing request has expired"),
        ),
        "request.revoked" => (
            "revoked",
            ("此签署请求已撤销", "This signing request was withdrawn"),
        ),
        "request.unknown" => (
            "unknown",
            ("找不到此签署请求", "This signing link is not valid"),
        ),
        "request.signed" => (
            "signed",
            ("此签署请求已签署", "This request is already signed"),
        ),
        _ => (
            "refused",
            (
                "无法打开此签署请求",
                "This signing request cannot be opened",
            ),
        ),
    };
    view! {
        <Frame status=status>
            <h2 data-request-code=message.code.to_string()>{move || locale.get().pick(title.0, title.1)}</h2>
            <p>{move || message.text(locale.get())}</p>
            <p>
                {move || locale.get().pick(
                    "如需签署，请联系您的客户经理获取新的签署链接。",
                    "To sign, ask your account manager for a new signing link.",
                )}
            </p>
        </Frame>
    }
}

/// Already signed: the receipt page (the receipt screen's own view, with the download of the
/// signed copy as a PDF) and the data signed, folded away.
#[component]
fn Signed(receipt: Value, payload: Value) -> impl IntoView {
    let locale = crate::state::use_app_state().locale;
    // The payload as the receiver shows it (the mobile masked): its form names what was signed.
    let form = serde_json::from_value::<Form>(payload["form"].clone()).unwrap_or_default();
    let copy = serde_json::to_string_pretty(&payload).unwrap_or_default();
    view! {
        <Frame status="signed">
            <p class="request-signed-note">
                {move || locale.get().pick(
                    "此签署请求已签署，无需再次签署。",
                    "This request is already signed; there is nothing more to sign.",
                )}
            </p>
            <Receipt receipt=receipt form=form />
            <details class="signed-copy">
                <summary>{move || locale.get().pick("签署的数据（JSON）", "The data signed (JSON)")}</summary>
                <pre data-signed-copy="payload">{copy}</pre>
            </details>
        </Frame>
    }
}

/// Closed mode, no request: how to get one.
#[component]
fn NoRequest() -> impl IntoView {
    let locale = crate::state::use_app_state().locale;
    view! {
        <Frame status="none">
            <h2>{move || locale.get().pick("请使用签署链接", "Please use your signing link")}</h2>
            <p>
                {move || locale.get().pick(
                    "本服务只受理中国移动发起的签署请求。请打开客户经理通过短信或邮件发给您的签署链接，或登录中国移动政企客户门户，在待办事项中打开签署请求。",
                    "This service takes only the signing requests China Mobile sends. Open the signing link your account manager sent you by SMS or e-mail, or sign in to China Mobile's enterprise customer portal and open the request from your to-do list.",
                )}
            </p>
            <p>
                {move || locale.get().pick(
                    "如果没有收到签署链接，请联系您的客户经理。",
                    "If you have not received a link, contact your account manager.",
                )}
            </p>
        </Frame>
    }
}
