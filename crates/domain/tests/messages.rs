//! Every rule error the crate declares has a stable, unique code, a Chinese message and an
//! English message (issue: "every error code has a zh-CN and an en message"). The list below
//! is checked against the sources, so a new `rule_errors!` enum cannot be left out of it.

use std::collections::BTreeMap;

use qianyue_domain::error::{RuleError, RuleMessage};

fn all<E: RuleError + 'static>(
    name: &'static str,
    variants: &'static [E],
) -> (&'static str, Vec<RuleMessage>) {
    (name, variants.iter().map(|v| RuleMessage::of(*v)).collect())
}

fn catalogue() -> Vec<(&'static str, Vec<RuleMessage>)> {
    use qianyue_domain::*;
    vec![
        all("DateError", date::DateError::ALL),
        all("ResidentIdError", resident_id::ResidentIdError::ALL),
        all("IdFormatError", other_id::IdFormatError::ALL),
        all("UsccError", uscc::UsccError::ALL),
        all("MobileError", phone::MobileError::ALL),
        all("CompanyPhoneError", phone::CompanyPhoneError::ALL),
        all("EmailError", email::EmailError::ALL),
        all("GroupCodeError", numbers::GroupCodeError::ALL),
        all("ProductNumberError", numbers::ProductNumberError::ALL),
        all("SubOrderNoError", numbers::SubOrderNoError::ALL),
        all("ContractNoError", numbers::ContractNoError::ALL),
        all("PartyBSignatureError", numbers::PartyBSignatureError::ALL),
        all("MoneyError", money::MoneyError::ALL),
        all("HolidayError", holidays::HolidayError::ALL),
        all("ClauseError", clauses::ClauseError::ALL),
        all("ProductError", clauses::ProductError::ALL),
        all("BandwidthError", clauses::BandwidthError::ALL),
        all("PasswordError", clauses::PasswordError::ALL),
        all("FieldRule", form::FieldRule::ALL),
        all("CrossFieldRule", form::CrossFieldRule::ALL),
        all("FormJsonError", form_json::FormJsonError::ALL),
        all("OriginError", origins::OriginError::ALL),
        all("RequestRule", request::RequestRule::ALL),
        all("IdentityRule", identity::IdentityRule::ALL),
        all("SigningTimeRule", payload::SigningTimeRule::ALL),
        all("WebhookRule", delivery::webhook::WebhookRule::ALL),
        all("StaffRule", staff::StaffRule::ALL),
    ]
}

/// The names of the enums declared with `rule_errors!` in the crate's sources.
fn declared_rule_enums() -> Vec<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut names = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices("rule_errors! {") {
            let after = &text[i..];
            let name = after
                .split("pub enum ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next());
            if let Some(name) = name {
                names.push(name.to_owned());
            }
        }
    }
    names
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn every_declared_rule_enum_is_in_the_catalogue() {
    let listed: Vec<_> = catalogue()
        .into_iter()
        .map(|(name, _)| name.to_owned())
        .collect();
    // Enums of modules whose messages are checked by their own tests are listed here too.
    let elsewhere = [
        "EnvelopeRule",
        "PayloadRule",
        "SignedAtError",
        "ReceiptError",
    ];
    for name in declared_rule_enums() {
        assert!(
            listed.contains(&name) || elsewhere.contains(&name.as_str()),
            "{name} is declared with rule_errors! but missing from this catalogue"
        );
    }
}

#[test]
fn codes_are_unique_and_every_code_has_both_messages() {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut count = 0;
    for (name, messages) in catalogue() {
        assert!(!messages.is_empty(), "{name} has no variants");
        for m in messages {
            count += 1;
            if let Some(other) = seen.insert(m.code.to_string(), name) {
                // The ID rules deliberately pass resident-ID codes through; nothing else repeats.
                panic!("code {} is used by both {other} and {name}", m.code);
            }
            let (rule, check) = m
                .code
                .split_once('.')
                .unwrap_or_else(|| panic!("{} is not rule.check", m.code));
            assert!(!rule.is_empty() && !check.is_empty(), "{}", m.code);
            assert!(
                m.code.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'_'
                    || b == b'.'),
                "{}",
                m.code
            );
            assert!(
                m.zh.chars().any(is_cjk),
                "{}: zh message {:?} is not Chinese",
                m.code,
                m.zh
            );
            // English may quote the document's Chinese labels (the values a field accepts), but
            // it is written in English: mostly Latin letters, and never the Chinese text again.
            let latin = m.en.chars().filter(char::is_ascii_alphabetic).count();
            let cjk = m.en.chars().filter(|c| is_cjk(*c)).count();
            assert!(
                latin > 0 && cjk < latin,
                "{}: en message {:?} is not English",
                m.code,
                m.en
            );
            assert_ne!(m.en, m.zh, "{}", m.code);
        }
    }
    assert!(
        count > 100,
        "only {count} codes: the catalogue lost some enums"
    );
}
