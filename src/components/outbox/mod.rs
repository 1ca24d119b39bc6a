//! The outbox on screen, and the "new version" prompt.
//!
//! - The prompt (`[data-update="waiting"]`) appears when a new build's service worker waits;
//!   its button switches to it (`pwa::reload_to_update`). Consents waiting in the outbox are
//!   kept across the switch.
//! - The outbox panel (`[data-outbox]`) appears while anything waits, needs attention or the
//!   network is down: how many wait, each one's state (`data-state`: `queued`, `sending`,
//!   `attention`), its attempts and last attempt, the next automatic attempt, and the "needs
//!   attention" list with the receiver's message and field errors, each with Retry and Remove.
//!
//! - [`QueuedNotice`] is the signing journey's result screen for a consent saved on this device
//!   and not yet delivered.
//!
//! Mounting [`OutboxPanel`] starts the outbox (`outbox::start`); the page registers the
//! service worker itself (`pwa::register`, components/app.rs).

use leptos::prelude::*;

mod queued;

pub use queued::QueuedNotice;

use crate::i18n::UiLocale;
use crate::outbox::{self, Item, Problem, State};
use crate::pwa;

/// UI words in the reader's language, as a signal: one rendering path for every reactive text
/// (a closure rendered directly would be compiled into render code of its own).
pub(crate) fn tr(locale: RwSignal<UiLocale>, zh: &'static str, en: &'static str) -> Signal<String> {
    Signal::derive(move || locale.get().pick(zh, en))
}

/// A reactive text (or attribute value) as a signal (see [`tr`]).
pub(crate) fn text(f: impl Fn() -> String + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(f)
}

fn pick(locale: UiLocale, zh: String, en: String) -> String {
    locale.show(&zh, &en)
}

/// A time of day in the reader's language (the browser's own formatting).
fn clock(ms: f64, locale: UiLocale) -> String {
    let tag = if locale == UiLocale::En {
        "en-GB"
    } else {
        "zh-CN"
    };
    js_sys::Date::new(&ms.into())
        .to_locale_time_string(tag)
        .as_string()
        .unwrap_or_default()
}

fn problem_text(p: &Problem, locale: UiLocale) -> String {
    locale.message(&p.message())
}

/// The outbox panel; mounting it starts the outbox. The app's own page mounts it (a deferred
/// part) only when it is needed (components/app.rs); an instance embedded in another site's
/// page never does.
#[component]
pub fn OutboxPanel(locale: RwSignal<UiLocale>) -> impl IntoView {
    outbox::start();
    let o = outbox::outbox();
    let items = o.items.clone();
    let queued = {
        let items = items.clone();
        Memo::new(move |_| items.with(|i| i.iter().filter(|i| i.state == State::Queued).count()))
    };
    let attention = {
        let items = items.clone();
        Memo::new(move |_| items.with(|i| i.iter().filter(|i| i.state == State::Attention).count()))
    };
    let online = o.online.clone();
    let unavailable = o.unavailable.clone();
    let shown = {
        let (online, unavailable) = (online.clone(), unavailable.clone());
        move || queued.get() + attention.get() > 0 || !online.get() || unavailable.get()
    };
    view! {
        <Show when=shown.clone()>
            <section
                class="outbox"
                data-outbox=""
                data-outbox-queued=text(move || queued.get().to_string())
                data-outbox-attention=text(move || attention.get().to_string())
                data-online={
                    let online = online.clone();
                    text(move || online.get().to_string())
                }
                aria-labelledby="outbox-title"
            >
                <h2 id="outbox-title">
                    {tr(locale, "本设备上的签署", "Consents on this device")}
                </h2>
                <Summary locale=locale queued=queued />
                <QueuedList locale=locale />
                <AttentionList locale=locale />
            </section>
        </Show>
    }
}

/// "A new version is available": shown when a new build's service worker waits.
#[component]
pub fn UpdatePrompt(locale: RwSignal<UiLocale>) -> impl IntoView {
    let waiting = pwa::update_waiting();
    view! {
        <Show when=move || waiting.get()>
            <div class="update-prompt" role="status" data-update="waiting">
                <p>
                    {tr(locale, "新版本已就绪。重新加载即可使用；本设备上待发送的签署不会丢失。", "A new version is available. Reload to use it; consents waiting on this device are kept.")}
                </p>
                <button type="button" id="reload-to-update" on:click=|_| pwa::reload_to_update()>
                    {tr(locale, "重新加载", "Reload")}
                </button>
            </div>
        </Show>
    }
}

#[component]
fn Summary(locale: RwSignal<UiLocale>, queued: Memo<usize>) -> impl IntoView {
    let o = outbox::outbox();
    let online = o.online.clone();
    let sending = o.sending.clone();
    let next = o.next_attempt.clone();
    let persisted = o.persisted.clone();
    let unavailable = o.unavailable.clone();
    let status = {
        let (online, sending) = (online.clone(), sending.clone());
        text(move || {
            let l = locale.get();
            let n = queued.get();
            let mut lines = Vec::new();
            if !online.get() {
                lines.push(l.pick(
                    "当前无网络：仍可签署，签署内容加密保存在本设备上，联网后自动发送。",
                    "Offline: you can still sign. Consents are kept encrypted on this device and sent when the network is back.",
                ));
            }
            if n > 0 {
                lines.push(pick(
                    l,
                    format!("{n} 份签署等待发送。"),
                    format!(
                        "{n} signed consent{} waiting to be sent.",
                        if n == 1 { "" } else { "s" }
                    ),
                ));
            }
            if sending.get().is_some() {
                lines.push(l.pick("正在发送…", "Sending…"));
            }
            lines.join(" ")
        })
    };
    // Empty lines are hidden (style/outbox.css `p:empty`).
    let next_line = text(move || {
        let l = locale.get();
        next.get()
            .filter(|_| queued.get() > 0)
            .map(|t| {
                pick(
                    l,
                    format!("下次自动发送：{}", clock(t, l)),
                    format!("Next automatic attempt: {}", clock(t, l)),
                )
            })
            .unwrap_or_default()
    });
    let storage_line = text(move || {
        let l = locale.get();
        if unavailable.get() {
            return l.pick(
                "本浏览器无法在本设备上保存签署（IndexedDB 不可用）：签署时需要联网。",
                "This browser cannot keep consents on this device (no IndexedDB): signing needs the network.",
            );
        }
        match persisted.get() {
            Some(false) => l.pick(
                "浏览器未授予持久存储，空间不足时可能清除本地数据：请尽快联网发送。",
                "The browser did not grant persistent storage and may clear local data when space runs low: send them soon.",
            ),
            _ => String::new(),
        }
    });
    view! {
        <p class="outbox-status" role="status" aria-live="polite">{status}</p>
        <p class="outbox-next">{next_line}</p>
        <p class="outbox-storage">{storage_line}</p>
        <Show when=move || { queued.get() > 0 }>
            <button
                type="button"
                class="outbox-send-now"
                id="outbox-send-now"
                on:click=|_| wasm_bindgen_futures::spawn_local(outbox::flush())
            >
                {tr(locale, "立即发送", "Send now")}
            </button>
        </Show>
    }
}

fn item_line(item: &Item, locale: UiLocale) -> String {
    let n = item.attempts;
    let label = if item.label.is_empty() {
        "—".to_owned()
    } else {
        item.label.clone()
    };
    let mut zh = format!("合同编号 {label} · 签署于 {}", item.signed_at);
    let mut en = format!("Contract {label} · signed {}", item.signed_at);
    if let Some(t) = item.last_attempt {
        zh.push_str(&format!(" · 已尝试 {n} 次，最近一次 {}", clock(t, locale)));
        en.push_str(&format!(
            " · {n} attempt{}, last at {}",
            if n == 1 { "" } else { "s" },
            clock(t, locale)
        ));
    }
    pick(locale, zh, en)
}

#[component]
fn QueuedList(locale: RwSignal<UiLocale>) -> impl IntoView {
    let o = outbox::outbox();
    let items = o.items.clone();
    let sending = o.sending.clone();
    let rows = move || {
        let l = locale.get();
        let now_sending = sending.get();
        items
            .get()
            .into_iter()
            .filter(|i| i.state == State::Queued)
            .map(|item| {
                let is_sending = now_sending.as_deref() == Some(item.id.as_str());
                let state = if is_sending { "sending" } else { "queued" };
                let badge = if is_sending {
                    l.pick("正在发送", "Sending")
                } else {
                    l.pick("等待发送", "Waiting")
                };
                let problem = item.problem.as_ref().map(|p| problem_text(p, l));
                view! {
                    <li data-outbox-item=item.id.clone() data-state=state data-attempts=item.attempts.to_string()>
                        <span class="outbox-badge">{badge}</span>
                        " "
                        <span class="outbox-line">{item_line(&item, l)}</span>
                        {problem.map(|p| view! { <span class="outbox-last-problem">{p}</span> })}
                    </li>
                }
            })
            .collect_view()
    };
    view! { <ul class="outbox-items">{rows}</ul> }
}

#[component]
fn AttentionList(locale: RwSignal<UiLocale>) -> impl IntoView {
    let items = outbox::outbox().items.clone();
    let list = Memo::new(move |_| {
        items.with(|i| {
            i.iter()
                .filter(|i| i.state == State::Attention)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || list.with(|l| !l.is_empty())>
            <section class="outbox-attention" data-outbox-attention-list="" aria-labelledby="outbox-attention-title">
                <h3 id="outbox-attention-title">{tr(locale, "需要处理", "Needs attention")}</h3>
                <p>
                    {tr(locale, "接收服务器拒绝了以下签署。它们会一直保留在这里，直到您重试或删除。", "The receiver refused these consents. They stay here until you retry or remove them.")}
                </p>
                <ul>
                    {move || {
                        let l = locale.get();
                        list.get().into_iter().map(|item| attention_row(item, l)).collect_view()
                    }}
                </ul>
            </section>
        </Show>
    }
}

fn attention_row(item: Item, l: UiLocale) -> impl IntoView {
    let message = item
        .problem
        .as_ref()
        .map(|p| problem_text(p, l))
        .unwrap_or_default();
    let code = item
        .problem
        .as_ref()
        .map(|p| p.code.clone())
        .unwrap_or_default();
    let fields: Vec<String> = item
        .problem
        .as_ref()
        .map(|p| {
            p.field_errors()
                .iter()
                .map(|f| format!("{}: {}", f.path, l.message(&f.rule)))
                .collect()
        })
        .unwrap_or_default();
    let (retry_id, remove_id) = (item.id.clone(), item.id.clone());
    let confirm_text = l.pick(
        "确定删除这份已签署但未被接收的签署吗？删除后无法恢复。",
        "Remove this signed consent that the receiver did not accept? This cannot be undone.",
    );
    view! {
        <li data-outbox-item=item.id.clone() data-state="attention" data-attempts=item.attempts.to_string()>
            <span class="outbox-line">{item_line(&item, l)}</span>
            <p class="outbox-problem" data-code=code>{message}</p>
            <ul class="outbox-problem-fields">
                {fields.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
            </ul>
            <button
                type="button"
                class="outbox-retry"
                on:click=move |_| {
                    let id = retry_id.clone();
                    wasm_bindgen_futures::spawn_local(async move { outbox::retry(&id).await });
                }
            >
                {l.pick("重试", "Retry")}
            </button>
            " "
            <button
                type="button"
                class="outbox-remove"
                on:click=move |_| {
                    let sure = window().confirm_with_message(&confirm_text).unwrap_or(false);
                    if sure {
                        let id = remove_id.clone();
                        wasm_bindgen_futures::spawn_local(async move { outbox::remove(&id).await });
                    }
                }
            >
                {l.pick("删除", "Remove")}
            </button>
        </li>
    }
}
