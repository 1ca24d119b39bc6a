//! The fee and penalty previews (contract.md §2–3): every figure the domain's `preview` gives
//! for the form, as an element with `data-preview="<key>"` and `data-value="<machine value>"`,
//! its text formatted for the reader (`¥1,234.50`, `2023年5月15日`, `15 May 2023`), beside the
//! clause it comes from. A figure the values do not allow yet shows a dash and no hook.

use leptos::prelude::*;
use qianyue_domain::date::Date;
use qianyue_domain::error::Locale;
use qianyue_domain::preview::PreviewValue;

use super::ctx::{tr, use_signing};
use super::labels::figure_words;
use super::sections::Section;
use crate::components::field::{Field, Kind};
use crate::i18n::UiLocale;

/// A date for the reader: `2023年5月15日` / `15 May 2023`.
pub fn format_date(date: Date, locale: UiLocale) -> String {
    let zh = format!("{}年{}月{}日", date.year(), date.month(), date.day());
    let en = format!("{} {} {}", date.day(), date.month_name_en(), date.year());
    locale.show(&zh, &en)
}

/// A figure's machine value (`data-value`) and its text for the reader; `name` is the key's
/// last segment (a count is of days for `days_overdue`, of months otherwise).
pub fn format_figure(name: &str, value: PreviewValue, locale: UiLocale) -> (String, String) {
    match value {
        PreviewValue::Money(fen) => (
            fen.fen().to_string(),
            fen.format_cny(match locale {
                UiLocale::En => Locale::En,
                _ => Locale::ZhCn,
            }),
        ),
        PreviewValue::Date(date) => (date.to_string(), format_date(date, locale)),
        PreviewValue::Count(n) => {
            let plural = if n == 1 { "" } else { "s" };
            let (zh, en) = if name == "days_overdue" {
                (format!("{n}天"), format!("{n} day{plural}"))
            } else {
                (format!("{n}个月"), format!("{n} month{plural}"))
            };
            (n.to_string(), locale.show(&zh, &en))
        }
    }
}

/// One figure: its name, its clause and its value.
#[component]
pub fn Figure(
    /// The preview key (contract.md §2), e.g. `orders.0.penalty`.
    key: String,
    /// Shown before the figure's name (e.g. `合计` for totals).
    #[prop(optional)]
    prefix: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let name = key.rsplit('.').next().unwrap_or_default().to_owned();
    let words = figure_words(&name);
    let key_for_value = key.clone();
    let value = ctx.figure(key_for_value);
    let name_text = move || {
        let l = locale.get();
        let (pzh, pen) = prefix.unwrap_or(("", ""));
        let zh = format!("{pzh}{}", words.zh);
        let en = if pen.is_empty() {
            words.en.to_owned()
        } else {
            format!("{pen} {}", words.en.to_ascii_lowercase())
        };
        l.show(&zh, &en)
    };
    view! {
        <div class="figure">
            <dt>
                {name_text}
                <span class="clause">{tr(words.clause_zh, words.clause_en)}</span>
            </dt>
            <dd>
                {move || match value.get() {
                    Some(Ok(v)) => {
                        let (machine, text) = format_figure(&name, v, locale.get());
                        view! { <span class="figure-value" data-preview=key.clone() data-value=machine>{text}</span> }.into_any()
                    }
                    // Inputs present, arithmetic out of range: say why instead of a dash.
                    Some(Err(why)) => view! {
                        <span class="figure-not-computable" data-not-computable=key.clone() data-code=why.code.to_string()>
                            {locale.get().message(&why)}
                        </span>
                    }.into_any(),
                    None => view! { <span class="figure-missing">"—"</span> }.into_any(),
                }}
            </dd>
        </div>
    }
}

/// The totals over every product line.
#[component]
pub fn Totals() -> impl IntoView {
    view! {
        <section class="totals" aria-labelledby="totals-title">
            <h3 id="totals-title">{tr("合计", "Totals")}</h3>
            <p class="hint">
                {tr("每条业务信息都可计算时才显示合计。", "A total appears once every product line's figure can be computed.")}
            </p>
            <dl class="figures">
                <Figure key="total.penalty".to_owned() prefix=("合计", "Total") />
                <Figure key="total.final_month_charge".to_owned() prefix=("合计", "Total") />
            </dl>
        </section>
    }
}

/// The late-payment calculator (service agreement art. 4 §3).
#[component]
pub fn LatePayment() -> impl IntoView {
    view! {
        <Section id="s-late" title_zh="逾期付款计算" title_en="Late-payment calculator">
            <p class="section-note">
                {tr("仅供参考：若有欠费，按服务协议第四条第3款计算违约金及暂停、终止服务日期。", "For reference: if a bill is unpaid, the late fee and the suspension and termination dates under art. 4 §3 of the service agreement.")}
            </p>
            <Field path="late.arrears" kind=Kind::Money optional=true />
            <Field path="late.due_date" kind=Kind::Date optional=true />
            <Field path="late.as_of" kind=Kind::Date optional=true hint=("留空即按今天计算", "Blank means today") />
            <dl class="figures">
                <Figure key="late.days_overdue".to_owned() />
                <Figure key="late.fee".to_owned() />
                <Figure key="late.suspension_from".to_owned() />
                <Figure key="late.termination_from".to_owned() />
            </dl>
        </Section>
    }
}
