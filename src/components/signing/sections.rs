//! The form's sections in the document's order: customer (with the contract number), group
//! contact, product administrator, the authorisation letter and the signing block. Product
//! lines are in `orders.rs`, the late-payment calculator in `preview.rs`.

use leptos::prelude::*;
use qianyue_domain::enums::{self, CERT_TYPES};
use qianyue_domain::other_id::IdType;

use super::ctx::tr;
use crate::components::field::{Field, Kind};

/// A titled group of fields.
#[component]
pub fn Section(
    /// The section's DOM id (`s-customer`).
    id: &'static str,
    title_zh: &'static str,
    title_en: &'static str,
    children: Children,
) -> impl IntoView {
    let heading = format!("{id}-title");
    let heading_ref = heading.clone();
    view! {
        <section class="form-section" id=id aria-labelledby=heading_ref>
            <h2 id=heading>{tr(title_zh, title_en)}</h2>
            <div class="fields">{children()}</div>
        </section>
    }
}

fn cert_types() -> &'static [&'static str] {
    static LABELS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| CERT_TYPES.iter().map(|(label, _)| *label).collect())
}

/// The ID document types a person may use, by the labels the form prints.
pub fn id_types() -> &'static [&'static str] {
    static LABELS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| IdType::ALL.iter().map(|t| t.label_zh()).collect())
}

#[component]
pub fn CustomerSection() -> impl IntoView {
    view! {
        <Section id="s-customer" title_zh="客户信息" title_en="Customer information">
            <Field path="contract_no" kind=Kind::Numeric hint=("26位数字", "26 digits") />
            <Field path="customer.group_name" />
            <Field path="customer.group_code" kind=Kind::Numeric hint=("10位数字", "10 digits") />
            <Field path="customer.org_type" kind=Kind::Select(enums::ORG_TYPES.labels) />
            <Field path="customer.office_address" />
            <Field path="customer.cert_type" kind=Kind::Select(cert_types()) />
            <Field path="customer.cert_number" hint=("18位，字母不区分大小写", "18 characters, letters in any case") />
            <Field path="customer.industry" kind=Kind::Select(enums::INDUSTRIES.labels) />
            <Field path="customer.employees" kind=Kind::Numeric />
            <Field
                path="customer.phone"
                kind=Kind::Tel
                hint=("手机、固话（区号-号码）或400/800号码", "Mobile, landline (area code-number) or 400/800 number")
            />
        </Section>
    }
}

#[component]
pub fn ContactSection() -> impl IntoView {
    view! {
        <Section id="s-contact" title_zh="集团联系人" title_en="Group contact">
            <Field path="contact.name" />
            <Field path="contact.mobile" kind=Kind::Tel />
            <Field path="contact.email" kind=Kind::Email />
            <Field path="contact.id_type" kind=Kind::Select(id_types()) />
            <Field path="contact.id_number" kind=Kind::IdNumber />
        </Section>
    }
}

#[component]
pub fn AdminSection() -> impl IntoView {
    view! {
        <Section id="s-admin" title_zh="集团产品管理员" title_en="Group product administrator">
            <Field path="admin.name" />
            <Field path="admin.mobile" kind=Kind::Tel />
            <Field path="admin.email" kind=Kind::Email />
        </Section>
    }
}

#[component]
pub fn AgentSection() -> impl IntoView {
    view! {
        <Section id="s-agent" title_zh="单位授权委托书" title_en="Letter of Authorisation">
            <p class="section-note">
                {tr("由被委托人代为签署时填写；法定代表人本人签署时全部留空。", "Fill in when an authorised agent signs; leave all blank when the legal representative signs in person.")}
            </p>
            <Field path="agent.name" />
            <Field path="agent.id_type" kind=Kind::Select(id_types()) />
            <Field path="agent.id_number" kind=Kind::IdNumber />
            <Field path="agent.mobile" kind=Kind::Tel />
            <Field path="agent.matter" />
            <Field path="agent.valid_from" kind=Kind::Date />
            <Field path="agent.valid_to" kind=Kind::Date />
        </Section>
    }
}

#[component]
pub fn SigningSection() -> impl IntoView {
    view! {
        <Section id="s-signing" title_zh="签署" title_en="Signing">
            <Field
                path="signing.representative"
                hint=("须为授权委托书中的被委托人", "Must be the agent named in the letter of authorisation")
            />
            <Field path="signing.date" kind=Kind::Date />
        </Section>
    }
}
