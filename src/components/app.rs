//! The root component. For now: the agreement's title in both languages, the language switch,
//! and the customer's certificate number (a Unified Social Credit Code) checked live.

use leptos::prelude::*;
use qianyue_domain::error::RuleMessage;
use qianyue_domain::uscc::Uscc;

use super::locale_switch::LocaleSwitch;
use super::text_field::TextField;
use crate::i18n::UiLocale;

fn check_uscc(input: &str) -> Result<String, RuleMessage> {
    Uscc::parse(input)
        .map(|code| code.as_str().to_owned())
        .map_err(RuleMessage::of)
}

#[component]
pub fn App() -> impl IntoView {
    let locale = RwSignal::new(UiLocale::Zh);
    let cert_number = RwSignal::new(String::new());
    view! {
        <main>
            <h1>
                <span lang="zh-CN">"中国移动广东公司产品协议"</span>
                <span lang="en">"China Mobile Guangdong Product Agreement"</span>
            </h1>
            <LocaleSwitch locale=locale />
            <form novalidate on:submit=|ev| ev.prevent_default()>
                <TextField
                    name="customer.cert_number"
                    label_zh="证件号码（统一社会信用代码）"
                    label_en="Certificate number (Unified Social Credit Code)"
                    check=check_uscc
                    value=cert_number
                    locale=locale
                />
            </form>
        </main>
    }
}
