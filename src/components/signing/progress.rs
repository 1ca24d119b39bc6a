//! Progress: how many of the journey's sections are complete (no domain rule fails in them; all
//! consents ticked; an acceptable signature), with a link to each section.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::ctx::{tr, use_signing, SigningCtx};
use super::signature_pad::signature_problem;
use crate::components::loading::when_present;
use crate::events::AppEvent;

/// (DOM id, path prefixes, zh, en) of each section that counts.
const SECTIONS: [(&str, &[&str], &str, &str); 8] = [
    (
        "s-customer",
        &["contract_no", "customer."],
        "客户信息",
        "Customer",
    ),
    ("s-contact", &["contact."], "集团联系人", "Group contact"),
    ("s-admin", &["admin."], "产品管理员", "Administrator"),
    ("s-orders", &["orders"], "业务信息", "Product lines"),
    ("s-agent", &["agent."], "授权委托书", "Authorisation"),
    ("s-signing", &["signing."], "签署", "Signing"),
    ("s-consents", &[], "同意", "Consent"),
    ("s-signature", &[], "签名", "Signature"),
];

fn complete(ctx: SigningCtx, index: usize) -> bool {
    let (id, prefixes, _, _) = SECTIONS[index];
    match id {
        "s-consents" => ctx.consents.with(|c| c.iter().all(|v| *v)),
        "s-signature" => signature_problem(ctx).is_none(),
        // Untracked: the caller follows the form settled (`AppState::track_settled`).
        _ => ctx.errors.with_untracked(|errors| {
            !errors
                .iter()
                .any(|e| prefixes.iter().any(|p| e.path.starts_with(p)))
        }),
    }
}

#[component]
pub fn Progress() -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    // A task after a keystroke, not in it: the field's message comes first.
    let done = Memo::new(move |_| {
        ctx.state.track_settled();
        (0..SECTIONS.len())
            .map(|i| complete(ctx, i))
            .collect::<Vec<_>>()
    });
    let count = move || done.with(|d| d.iter().filter(|v| **v).count());
    let total = SECTIONS.len();
    // The host hears of validity and progress when either changes (a no-op on our own page).
    let summary = Memo::new(move |_| {
        ctx.state.track_settled();
        (ctx.errors.with_untracked(Vec::is_empty), count())
    });
    let host = ctx.state.host;
    Effect::new(move |_| {
        let (valid, sections_complete) = summary.get();
        host.emit(AppEvent::Change {
            valid,
            sections_complete,
            sections_total: total,
        })
    });
    view! {
        <nav class="progress" aria-labelledby="progress-title">
            <h2 id="progress-title" class="progress-title">
                {move || {
                    let n = count();
                    crate::components::signing::ctx::pick_owned(
                        locale.get(),
                        format!("已完成 {n} / {total} 部分"),
                        format!("{n} of {total} sections complete"),
                    )
                }}
            </h2>
            <progress max=total value=count aria-labelledby="progress-title"></progress>
            <ol>
                {SECTIONS
                    .iter()
                    .enumerate()
                    .map(|(i, (id, _, zh, en))| {
                        let is_done = move || done.with(|d| d[i]);
                        let target: &'static str = id;
                        view! {
                            <li class:done=is_done>
                                <a
                                    href=format!("#{id}")
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        // A section of the deferred signing step may still be
                                        // loading (the click inside the form started it).
                                        when_present(target, |el| {
                                            el.scroll_into_view();
                                            if let Some(h) = el.query_selector("h2").ok().flatten() {
                                                if let Ok(h) = h.dyn_into::<web_sys::HtmlElement>() {
                                                    let _ = h.set_attribute("tabindex", "-1");
                                                    let _ = h.focus();
                                                }
                                            }
                                        });
                                    }
                                >
                                    <span class="mark" aria-hidden="true">{move || if is_done() { "✓" } else { "○" }}</span>
                                    {tr(zh, en)}
                                    <span class="visually-hidden">
                                        {move || if is_done() { locale.get().pick("（已完成）", " (complete)") } else { locale.get().pick("（未完成）", " (incomplete)") }}
                                    </span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
