//! The product lines (业务信息), one block per line as the document has them, with their fee
//! inputs and the line's previews beside them; lines can be added and removed.

use leptos::prelude::*;
use qianyue_domain::clauses::ProductKind;
use qianyue_domain::enums;
use qianyue_domain::form::Order;

use super::ctx::{pick_owned, tr, use_signing};
use super::preview::{Figure, Totals};
use crate::components::field::{control_id, message_id, Field, Kind};

fn product_names() -> &'static [&'static str] {
    static LABELS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| ProductKind::ALL.iter().map(|k| k.label_zh()).collect())
}

/// Moves keyboard focus to the element with `id` once the DOM has caught up.
pub fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(el) = crate::embed::element_by_id(&id) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

#[component]
pub fn OrdersSection() -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let form = ctx.state.form;
    let count = Memo::new(move |_| form.with(|f| f.orders.len()));
    let messages = ctx.messages("orders".to_owned());
    let add = move |_| {
        let index = count.get_untracked();
        form.update(|f| f.orders.push(Order::default()));
        focus_later(control_id(&format!("orders.{index}.sub_order_no")));
    };
    view! {
        <section class="form-section" id="s-orders" aria-labelledby="s-orders-title">
            <h2 id="s-orders-title">{tr("业务信息", "Business information")}</h2>
            <p class="section-note">
                {tr("每条产品线一块。填写月租费、协议期限届满日和销户日期后，即按协议条款算出违约金和末月费用。", "One block per product line. With the monthly fee, the term's last day and the cancellation date, its figures are computed from the agreement's clauses.")}
            </p>
            <p class="message" id=message_id("orders") aria-live="polite">
                {move || messages.with(|m| m.iter().map(|s| s.text(locale.get())).collect::<Vec<_>>().join(" "))}
            </p>
            <For each=move || 0..count.get() key=|i| *i let:index>
                <OrderBlock index=index />
            </For>
            <button type="button" class="add-line" id="add-order" on:click=add disabled=ctx.is_readonly("orders")>
                {tr("＋ 添加业务信息", "+ Add a product line")}
            </button>
            <Totals />
        </section>
    }
}

#[component]
fn OrderBlock(index: usize) -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let p = move |field: &str| format!("orders.{index}.{field}");
    let product = ctx.state.field(p("product_name"));
    let heading_id = format!("order-{index}-title");
    let heading_ref = heading_id.clone();
    let remove = move |_| {
        ctx.remove_order(index);
        let left = ctx.state.form.with_untracked(|f| f.orders.len());
        if left == 0 {
            focus_later("add-order".to_owned());
        } else {
            focus_later(format!("order-{}-title", index.min(left - 1)));
        }
    };
    let readonly = ctx.is_readonly(&p("product_name"));
    let title = move || {
        let l = locale.get();
        let n = index + 1;
        let kind = ProductKind::from_label(&product.get()).ok();
        pick_owned(
            l,
            match kind {
                Some(k) => format!("业务信息{n} — {}", k.label_zh()),
                None => format!("业务信息{n}"),
            },
            match kind {
                Some(k) => format!("Product line {n} — {}", k.label_en()),
                None => format!("Product line {n}"),
            },
        )
    };
    view! {
        <article class="order" aria-labelledby=heading_ref>
            <header class="order-header">
                <h3 id=heading_id tabindex="-1">{title}</h3>
                <button type="button" class="remove-line" on:click=remove disabled=readonly>
                    {move || pick_owned(
                        locale.get(),
                        format!("删除业务信息{}", index + 1),
                        format!("Remove product line {}", index + 1),
                    )}
                </button>
            </header>
            <div class="order-body">
                <div class="fields">
                    <Field path=p("sub_order_no") kind=Kind::Numeric hint=("16位数字", "16 digits") />
                    <Field path=p("product_name") kind=Kind::Select(product_names()) />
                    <Field path=p("product_number") kind=Kind::Numeric hint=("11位数字", "11 digits") />
                    <Field path=p("business_type") kind=Kind::Select(enums::BUSINESS_TYPES.labels) />
                    <Field path=p("reason") kind=Kind::Reason />
                    <Field
                        path=p("channel")
                        kind=Kind::Select(enums::CHANNELS.labels)
                        hint=("移动云可不填", "Optional for Mobile Cloud")
                    />
                    <Field path=p("remarks") optional=true hint=("“/”表示无", "“/” means none") />
                </div>
                <fieldset class="fees">
                    <legend>{tr("费用（用于计算）", "Fees (for the figures)")}</legend>
                    <Field path=p("monthly_fee") kind=Kind::Money optional=true />
                    <Field path=p("term_end") kind=Kind::Date optional=true />
                    <Field path=p("cancel_date") kind=Kind::Date optional=true />
                    <Field path=p("investment") kind=Kind::Money optional=true hint=("设备、施工等不可回收投入", "Equipment, construction and other non-recoverable costs") />
                </fieldset>
                <dl class="figures" aria-label=tr("本条费用预览", "This line's figures")>
                    <Figure key=p("unexecuted_months") />
                    <Figure key=p("current_term_end") />
                    <Figure key=p("penalty") />
                    <Figure key=p("final_month_charge") />
                    <Figure key=p("final_month_vat_net") />
                    <Figure key=p("final_month_vat_tax") />
                    <Figure key=p("final_bill_due") />
                    <Figure key=p("notice_from") />
                </dl>
            </div>
        </article>
    }
}
