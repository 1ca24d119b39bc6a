//! The signing panel: the form's fields, their live validation, the previews, consents,
//! signature and sending.

use leptos::prelude::*;
use qianyue_domain::error::RuleMessage;
use qianyue_domain::uscc::Uscc;

use crate::components::text_field::TextField;
use crate::state::use_app_state;

fn check_uscc(input: &str) -> Result<String, RuleMessage> {
    Uscc::parse(input)
        .map(|code| code.as_str().to_owned())
        .map_err(RuleMessage::of)
}

#[component]
pub fn SigningPanel() -> impl IntoView {
    let state = use_app_state();
    view! {
        <form class="signing" novalidate on:submit=|ev| ev.prevent_default()>
            <TextField
                name="customer.cert_number"
                label_zh="证件号码（统一社会信用代码）"
                label_en="Certificate number (Unified Social Credit Code)"
                check=check_uscc
                locale=state.locale
            />
        </form>
    }
}
