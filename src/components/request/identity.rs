//! The identity step of a signing request (docs/requests.md): before the signature, the signer
//! asks for a one-time code sent by SMS to the request's mobile (`data-action="send-code"`,
//! showing the masked number), types it in `identity.code` and checks it
//! (`data-action="verify-code"`). A new code can be asked for once the receiver's wait
//! (`resend_after`, 60 s) has passed, counted down on the button. Every refusal is the
//! receiver's, shown at the field in the reader's language. Once verified, the signature step
//! opens and the payload carries the verification as the receiver answered it.

use std::time::Duration;

use leptos::prelude::*;
use serde_json::Value;

use crate::clock;
use crate::components::field::{control_id, message_id};
use crate::components::signing::ctx::{tr, use_signing, Shown};
use crate::signing_request::{self, CodeAnswer, RequestCtx};

/// The wait before a new code, the domain's (ms, as the page's clock counts).
const RESEND_AFTER_MS: f64 = qianyue_domain::identity::RESEND_AFTER_SECONDS as f64 * 1000.0;

/// The path of the code's control (contract.md §5).
pub const CODE_PATH: &str = "identity.code";

/// The message shown when the signer tries to sign before verifying.
pub const NOT_VERIFIED: (&str, &str) = (
    "请先获取并输入短信验证码，验证签署人手机号",
    "First get the code sent by SMS and enter it to verify the signer's mobile",
);

fn failed() -> Shown {
    Shown::new(
        "client.send_failed",
        "暂时无法连接服务，请稍后重试。",
        "The service could not be reached. Try again in a moment.",
    )
}

#[component]
pub fn IdentityStep(request: RequestCtx) -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let (name, mobile) = request
        .opened
        .with_value(|o| (o.signer_name.clone(), o.mobile.clone()));
    let token = request.url.get_value();
    let code = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Shown>);
    let sent_to = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // When a new code may be asked for (ms), and the time now, ticking each second.
    let resend_at = RwSignal::new(0.0f64);
    let now = RwSignal::new(clock::now_ms());
    let tick = set_interval_with_handle(
        move || {
            let _ = now.try_set(clock::now_ms());
        },
        Duration::from_secs(1),
    )
    .ok();
    on_cleanup(move || {
        if let Some(tick) = tick {
            tick.clear();
        }
    });
    let wait = Memo::new(move |_| ((resend_at.get() - now.get()) / 1000.0).ceil().max(0.0) as u32);
    let form_valid = Memo::new(move |_| ctx.errors.with(Vec::is_empty));
    let verified = Memo::new(move |_| request.is_verified());

    let take_verification = move |answer: &Value| {
        if answer["verification"].is_object() {
            request
                .verification
                .set(Some(answer["verification"].clone()));
            message.set(None);
        }
    };
    let send = {
        let token = token.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            let token = token.clone();
            leptos::task::spawn_local(async move {
                let answer = signing_request::send_code(&token).await;
                let _ = busy.try_set(false);
                match answer {
                    CodeAnswer::Ok(v) if v["status"] == "verified" => {
                        take_verification(&v);
                        if !request.is_verified() {
                            // Verified before (another tab): the receiver's record says how.
                            if let signing_request::Opening::Open(o) =
                                signing_request::open(&token).await
                            {
                                let _ = request.verification.try_set(o.verification);
                            }
                        }
                    }
                    CodeAnswer::Ok(v) => {
                        let after = v["resend_after"]
                            .as_f64()
                            .unwrap_or(RESEND_AFTER_MS / 1000.0);
                        resend_at.set(clock::now_ms() + after * 1000.0);
                        now.set(clock::now_ms());
                        sent_to.set(Some(v["sent_to"].as_str().unwrap_or_default().to_owned()));
                        message.set(None);
                        crate::components::signing::orders::focus_later(control_id(CODE_PATH));
                    }
                    CodeAnswer::Refused(r) => {
                        if r.code() == "code.resend_wait"
                            && resend_at.get_untracked() <= clock::now_ms()
                        {
                            resend_at.set(clock::now_ms() + RESEND_AFTER_MS);
                        }
                        let _ = message.try_set(Some(r.rule));
                    }
                    CodeAnswer::Failed(why) => {
                        leptos::logging::warn!("asking for a code failed: {why}");
                        let _ = message.try_set(Some(failed()));
                    }
                }
            });
        }
    };
    let verify = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let token = token.clone();
        let typed = code.get_untracked().trim().to_owned();
        leptos::task::spawn_local(async move {
            let answer = signing_request::verify_code(&token, &typed).await;
            let _ = busy.try_set(false);
            match answer {
                CodeAnswer::Ok(v) => take_verification(&v),
                CodeAnswer::Refused(r) => {
                    let _ = message.try_set(Some(r.rule));
                }
                CodeAnswer::Failed(why) => {
                    leptos::logging::warn!("checking the code failed: {why}");
                    let _ = message.try_set(Some(failed()));
                }
            }
        });
    };
    let send_label = {
        let mobile = mobile.clone();
        move || {
            let l = locale.get();
            match (wait.get(), sent_to.with(Option::is_some)) {
                (0, false) => l.show(
                    &format!("发送验证码至 {mobile}"),
                    &format!("Send a code to {mobile}"),
                ),
                (0, true) => l.show(
                    &format!("重新发送验证码至 {mobile}"),
                    &format!("Send a new code to {mobile}"),
                ),
                (s, _) => l.show(
                    &format!("{s} 秒后可重新发送"),
                    &format!("New code in {s} s"),
                ),
            }
        }
    };
    let status = move || {
        let l = locale.get();
        if let Some(v) = request.verification.get() {
            let at = v["verified_at"].as_str().unwrap_or_default().to_owned();
            let to = v["mobile"].as_str().unwrap_or_default().to_owned();
            return l.show(
                &format!("已验证手机号 {to}（{at}）"),
                &format!("Mobile {to} verified ({at})"),
            );
        }
        match sent_to.get() {
            Some(to) => l.show(
                &format!("验证码已发送至 {to}，5 分钟内有效。"),
                &format!("A code was sent to {to}; it is valid for 5 minutes."),
            ),
            None if !form_valid.get() => l.pick(
                "请先完整填写并检查上面的表单，再获取验证码。",
                "Complete the form above first, then ask for a code.",
            ),
            None => String::new(),
        }
    };
    let invalid = Memo::new(move |_| message.with(Option::is_some));
    view! {
        <section
            class="identity"
            id="identity"
            aria-labelledby="identity-title"
            data-identity=move || if verified.get() { "verified" } else { "unverified" }
        >
            <h3 id="identity-title">{tr("验证签署人手机号", "Verify the signer's mobile")}</h3>
            <p>
                {move || locale.get().show(
                    &format!("签署前，请验证签署人 {name} 的手机号 {mobile}：我们将发送 6 位短信验证码。"),
                    &format!("Before signing, verify the mobile {mobile} of the signer, {name}: we send a 6-digit code by SMS."),
                )}
            </p>
            <p class="identity-status" role="status">{status}</p>
            <Show when=move || !verified.get()>
                <button
                    type="button"
                    data-action="send-code"
                    disabled=move || !form_valid.get() || busy.get() || (wait.get() > 0)
                    on:click=send.clone()
                >
                    {send_label.clone()}
                </button>
                <div class="field" class:field-invalid=move || invalid.get()>
                    <label for=control_id(CODE_PATH)>{tr("短信验证码", "Code from the SMS")}</label>
                    <input
                        id=control_id(CODE_PATH)
                        name=CODE_PATH
                        type="text"
                        autocomplete="one-time-code"
                        inputmode="numeric"
                        maxlength="6"
                        aria-invalid=move || invalid.get().to_string()
                        aria-describedby=message_id(CODE_PATH)
                        prop:value=move || code.get()
                        on:input=move |ev| {
                            code.set(event_target_value(&ev));
                            message.set(None);
                        }
                    />
                    <p class="message" id=message_id(CODE_PATH) aria-live="polite">
                        {move || message.get().map(|m| m.text(locale.get()))}
                    </p>
                </div>
                <button
                    type="button"
                    data-action="verify-code"
                    disabled=move || busy.get() || sent_to.with(Option::is_none) && code.with(String::is_empty)
                    on:click=verify.clone()
                >
                    {tr("验证", "Verify")}
                </button>
            </Show>
        </section>
    }
}
