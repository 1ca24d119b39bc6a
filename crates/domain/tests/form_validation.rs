//! `form::validate` over the seed's form (domain-spec §2, contract.md §1) and one change at a
//! time: each case asserts the field path and the rule code it must report.

use qianyue_domain::date::Date;
use qianyue_domain::form::{validate, FieldError, Form, IntegerText};

const SEED: &str = include_str!("fixtures/seed-form.json");
const SEED_WITH_FEES: &str = include_str!("fixtures/seed-form-with-fees.json");

fn seed() -> Form {
    serde_json::from_str(SEED).expect("the seed fixture is a form")
}

fn day(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

/// The seed was signed on 2023-04-10.
fn signing_day() -> Date {
    day("2023-04-10")
}

fn failures(form: &Form, today: Date) -> Vec<(String, String)> {
    validate(form, today)
        .into_iter()
        .map(|e| (e.path, e.rule.code.into_owned()))
        .collect()
}

fn has(failures: &[(String, String)], path: &str, code: &str) -> bool {
    failures.iter().any(|(p, c)| p == path && *c == code)
}

/// GB 11643 check character, computed independently of the crate for test data.
fn with_check_digit(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

#[test]
fn the_seed_form_validates_clean() {
    assert_eq!(validate(&seed(), signing_day()), Vec::<FieldError>::new());
    // And still does years later: nothing in it depends on being judged on the signing day.
    assert_eq!(
        validate(&seed(), day("2026-11-28")),
        Vec::<FieldError>::new()
    );
}

#[test]
fn the_seed_form_with_fee_inputs_validates_clean() {
    let form: Form = serde_json::from_str(SEED_WITH_FEES).unwrap();
    assert_eq!(validate(&form, day("2023-05-20")), Vec::<FieldError>::new());
}

#[test]
fn json_round_trip_keeps_contract_shape() {
    let form = seed();
    let json = serde_json::to_value(&form).unwrap();
    assert_eq!(json["customer"]["employees"], serde_json::json!(10));
    assert_eq!(json["orders"][1]["product_name"], "移动云");
    let again: Form = serde_json::from_value(json).unwrap();
    assert_eq!(again, form);
}

#[test]
fn unknown_keys_are_refused_rather_than_dropped() {
    let mut json: serde_json::Value = serde_json::from_str(SEED).unwrap();
    json["customer"]["group_nmae"] = "typo".into();
    assert!(serde_json::from_value::<Form>(json).is_err());
}

#[test]
fn an_empty_form_reports_every_required_field() {
    let f = failures(&Form::default(), signing_day());
    for path in [
        "contract_no",
        "customer.group_name",
        "customer.group_code",
        "customer.org_type",
        "customer.office_address",
        "customer.cert_type",
        "customer.cert_number",
        "customer.industry",
        "customer.employees",
        "customer.phone",
        "contact.name",
        "contact.mobile",
        "contact.email",
        "contact.id_type",
        "contact.id_number",
        "admin.name",
        "admin.mobile",
        "admin.email",
        "signing.representative",
        "signing.date",
    ] {
        assert!(
            has(&f, path, "field.required"),
            "{path} should be required: {f:?}"
        );
    }
    assert!(has(&f, "orders", "orders.none"));
    // No agent at all is allowed (the legal representative signs): no agent.* failures.
    assert!(!f.iter().any(|(p, _)| p.starts_with("agent.")), "{f:?}");
}

#[test]
fn a_partly_filled_agent_requires_the_rest() {
    let mut form = seed();
    form.agent.id_number.clear();
    form.agent.valid_to.clear();
    let f = failures(&form, signing_day());
    assert!(has(&f, "agent.id_number", "field.required"));
    assert!(has(&f, "agent.valid_to", "field.required"));
}

#[test]
fn without_an_agent_the_signer_rules_do_not_apply() {
    let mut form = seed();
    form.agent = Default::default();
    form.signing.representative = "王建国".into();
    assert_eq!(failures(&form, signing_day()), vec![]);
}

#[test]
fn spec_3_5_signer_must_be_the_agent_reported_at_both_fields() {
    let mut form = seed();
    form.signing.representative = "王建国".into();
    let f = failures(&form, signing_day());
    assert!(has(&f, "signing.representative", "cross.signer_not_agent"));
    assert!(has(&f, "agent.name", "cross.signer_not_agent"));
    assert_eq!(f.len(), 2, "{f:?}");
}

#[test]
fn spec_3_5_signing_date_must_lie_inside_the_authorisation_period() {
    let mut form = seed();
    form.signing.date = "2024-01-02".into();
    let f = failures(&form, day("2024-02-01"));
    for path in ["signing.date", "agent.valid_from", "agent.valid_to"] {
        assert!(
            has(&f, path, "cross.signing_outside_authorisation"),
            "{path}: {f:?}"
        );
    }
    // The period's first and last days are inside it.
    form.signing.date = "2023-04-01".into();
    assert_eq!(failures(&form, signing_day()), vec![]);
    form.signing.date = "2023-12-31".into();
    assert_eq!(failures(&form, day("2024-01-01")), vec![]);
}

#[test]
fn spec_3_5_valid_from_may_not_follow_valid_to() {
    let mut form = seed();
    form.agent.valid_from = "2024-01-01".into();
    let f = failures(&form, signing_day());
    assert!(has(
        &f,
        "agent.valid_from",
        "cross.authorisation_period_reversed"
    ));
    assert!(has(
        &f,
        "agent.valid_to",
        "cross.authorisation_period_reversed"
    ));
}

#[test]
fn spec_3_5_the_agent_must_be_18_on_the_signing_date() {
    let mut form = seed();
    // Born 2005-04-11: 17 on 2023-04-10, 18 the next day.
    form.agent.id_number = with_check_digit("44030520050411531");
    let f = failures(&form, signing_day());
    assert!(has(&f, "agent.id_number", "cross.agent_under_18"), "{f:?}");
    assert!(has(&f, "signing.date", "cross.agent_under_18"));

    form.agent.id_number = with_check_digit("44030520050410531");
    assert_eq!(
        failures(&form, signing_day()),
        vec![],
        "18 on the day itself"
    );
}

#[test]
fn spec_3_5_certificate_type_must_agree_with_the_uscc_category() {
    let mut form = seed();
    form.customer.cert_type = "事业单位法人证书".into(); // expects category 12; the seed's code is 91
    let f = failures(&form, signing_day());
    assert!(has(&f, "customer.cert_type", "cross.cert_type_category"));
    assert!(has(&f, "customer.cert_number", "cross.cert_type_category"));
}

#[test]
fn spec_3_5_the_id_type_selects_the_id_number_rule() {
    let mut form = seed();
    // A resident ID number is not a passport number.
    form.agent.id_type = "护照".into();
    let f = failures(&form, signing_day());
    assert!(f.iter().any(|(p, _)| p == "agent.id_number"), "{f:?}");
    form.agent.id_type = "驾驶证".into();
    let f = failures(&form, signing_day());
    assert!(has(&f, "agent.id_type", "field.not_in_list"));
}

#[test]
fn the_signing_date_may_not_lie_in_the_future() {
    let f = failures(&seed(), day("2023-04-09"));
    assert!(has(&f, "signing.date", "signing.date_in_future"));
}

#[test]
fn employees_must_be_a_whole_number_of_at_least_one() {
    let mut form = seed();
    form.customer.employees = IntegerText::from("ten");
    assert!(has(
        &failures(&form, signing_day()),
        "customer.employees",
        "field.not_an_integer"
    ));
    form.customer.employees = IntegerText::from("0");
    assert!(has(
        &failures(&form, signing_day()),
        "customer.employees",
        "field.less_than_one"
    ));
    let json = r#"{"customer":{"employees":"12"}}"#;
    assert_eq!(
        serde_json::from_str::<Form>(json)
            .unwrap()
            .customer
            .employees
            .value(),
        Some(12)
    );
}

/// Domain audit 2026-12: full-width digits are folded as in every other field; a JSON float,
/// boolean or text is a field error, never a form that cannot be read.
#[test]
fn employees_fold_full_width_and_report_any_json_value_as_a_field_error() {
    let mut form = seed();
    form.customer.employees = IntegerText::from("１０");
    assert_eq!(form.customer.employees.value(), Some(10));
    assert!(!failures(&form, signing_day())
        .iter()
        .any(|(p, _)| p == "customer.employees"));
    assert_eq!(
        serde_json::to_value(&form).unwrap()["customer"]["employees"],
        10
    );
    for json in [
        r#"{"customer":{"employees":10.5}}"#,
        r#"{"customer":{"employees":10.0}}"#,
        r#"{"customer":{"employees":1e3}}"#,
        r#"{"customer":{"employees":true}}"#,
        r#"{"customer":{"employees":"ten"}}"#,
        r#"{"customer":{"employees":18446744073709551616}}"#,
    ] {
        let form: Form = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert!(
            has(
                &failures(&form, signing_day()),
                "customer.employees",
                "field.not_an_integer"
            ),
            "{json}"
        );
    }
}

/// Security review L4: bidi controls and zero-width characters in names, addresses and
/// remarks are refused with their own code.
#[test]
fn free_text_refuses_bidi_controls_and_zero_width_characters() {
    for c in [
        '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}',
        '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        '\u{FEFF}',
    ] {
        let mut form = seed();
        form.customer.group_name = format!("深圳特发{c}东智科技有限公司");
        form.customer.office_address = format!("深圳市龙岗区{c}宝龙二路3号");
        form.orders[0].remarks = format!("备{c}注");
        form.contact.name = format!("张{c}晓梅");
        form.agent.matter = format!("移动{c}相关业务");
        let f = failures(&form, signing_day());
        for path in [
            "customer.group_name",
            "customer.office_address",
            "orders.0.remarks",
            "contact.name",
            "agent.matter",
        ] {
            assert!(
                has(&f, path, "field.invisible_chars"),
                "{path} U+{:04X}",
                c as u32
            );
        }
    }
    // Markup is text (every view escapes it), and ordinary punctuation stays allowed.
    let mut form = seed();
    form.orders[0].remarks = "<b>见附件</b> — 2023年4月".into();
    assert!(failures(&form, signing_day()).is_empty());
}

#[test]
fn text_lengths_and_control_characters() {
    let mut form = seed();
    form.customer.group_name = "深".into();
    form.customer.office_address = "深圳\u{7}市龙岗区".into();
    form.orders[0].remarks = "备".repeat(201);
    let f = failures(&form, signing_day());
    assert!(has(&f, "customer.group_name", "field.too_short"));
    assert!(has(&f, "customer.office_address", "field.control_chars"));
    assert!(has(&f, "orders.0.remarks", "field.too_long"));
}

#[test]
fn enumerations_take_the_documents_labels() {
    let mut form = seed();
    form.customer.org_type = "企业法人".into(); // the label without its code
    form.customer.industry = "3.9".into();
    form.orders[0].business_type = "cancel".into();
    form.orders[0].product_name = "专线".into();
    let f = failures(&form, signing_day());
    for path in [
        "customer.org_type",
        "customer.industry",
        "orders.0.business_type",
        "orders.0.product_name",
    ] {
        assert!(has(&f, path, "field.not_in_list"), "{path}: {f:?}");
    }
}

#[test]
fn channel_is_required_for_leased_lines_only() {
    let mut form = seed();
    form.orders[0].channel.clear();
    let f = failures(&form, signing_day());
    assert!(has(&f, "orders.0.channel", "field.required"));
    assert!(
        !f.iter().any(|(p, _)| p == "orders.1.channel"),
        "Mobile Cloud has no channel column"
    );
}

#[test]
fn other_reasons_need_words() {
    let mut form = seed();
    form.orders[0].reason = "其他：".into();
    form.orders[1].reason = "其他：公司合并办公".into();
    let f = failures(&form, signing_day());
    assert!(has(&f, "orders.0.reason", "reason.other_text"));
    assert!(!f.iter().any(|(p, _)| p == "orders.1.reason"));
}

#[test]
fn the_same_sub_order_or_product_number_twice_is_refused_at_each_line() {
    let mut form = seed();
    form.orders[1].sub_order_no = form.orders[0].sub_order_no.clone();
    form.orders[1].product_number = form.orders[0].product_number.clone();
    let f = failures(&form, signing_day());
    assert!(has(
        &f,
        "orders.0.sub_order_no",
        "cross.duplicate_sub_order"
    ));
    assert!(has(
        &f,
        "orders.1.sub_order_no",
        "cross.duplicate_sub_order"
    ));
    assert!(has(
        &f,
        "orders.0.product_number",
        "cross.duplicate_product_number"
    ));
    assert!(has(
        &f,
        "orders.1.product_number",
        "cross.duplicate_product_number"
    ));
}

/// Domain audit 2026-12: the duplicate checks are linear in the number of lines, and a form
/// carries at most 200 lines (`orders.too_many`).
#[test]
fn product_lines_are_bounded_and_checked_in_linear_time() {
    use qianyue_domain::form::MAX_ORDERS;
    assert_eq!(MAX_ORDERS, 200);
    let line = seed().orders[0].clone();
    let mut form = seed();
    form.orders = (0..MAX_ORDERS)
        .map(|i| {
            let mut o = line.clone();
            o.sub_order_no = format!("{}", 7_552_304_046_000_000u64 + i as u64);
            o.product_number = format!("{}", 30_221_100_000u64 + i as u64);
            o
        })
        .collect();
    assert!(!failures(&form, signing_day())
        .iter()
        .any(|(p, _)| p == "orders"));
    form.orders.push(line.clone());
    let f = failures(&form, signing_day());
    assert!(has(&f, "orders", "orders.too_many"));
    // 20,000 identical lines (quadratic: 92 s in a debug build before) take a moment now,
    // and every line is reported.
    form.orders = vec![line; 20_000];
    let started = std::time::Instant::now();
    let f = failures(&form, signing_day());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let dup = f
        .iter()
        .filter(|(_, c)| *c == "cross.duplicate_sub_order")
        .count();
    assert_eq!(dup, 20_000);
    assert!(has(&f, "orders", "orders.too_many"));
}

#[test]
fn set_value_refuses_a_line_index_past_the_bound() {
    use qianyue_domain::form::MAX_ORDERS;
    let mut form = Form::default();
    assert!(form.set_value("orders.999999999.remarks", "x").is_err());
    assert!(form
        .set_value(&format!("orders.{MAX_ORDERS}.remarks"), "x")
        .is_err());
    assert!(form.orders.is_empty(), "nothing was allocated");
    let last = MAX_ORDERS - 1;
    form.set_value(&format!("orders.{last}.remarks"), "x")
        .unwrap();
    assert_eq!(form.orders.len(), MAX_ORDERS);
}

#[test]
fn fee_inputs_are_optional_but_must_parse_when_present() {
    let mut form = seed();
    form.orders[0].monthly_fee = "12,00.0.0".into();
    form.orders[0].term_end = "2024-02-30".into();
    form.late.arrears = "100.00".into();
    let f = failures(&form, signing_day());
    assert!(f.iter().any(|(p, _)| p == "orders.0.monthly_fee"), "{f:?}");
    assert!(has(&f, "orders.0.term_end", "date.invalid"));
    assert!(
        has(&f, "late.due_date", "field.required"),
        "arrears need a due date"
    );
}

#[test]
fn every_failure_names_a_contract_path_and_has_both_messages() {
    let mut form = seed();
    form.customer.cert_number = "91440300758613572I".into();
    form.contact.mobile = "2380013800".into();
    form.admin.email = "not-an-email".into();
    form.agent.id_number = "440305199608185317".into();
    let errors = validate(&form, signing_day());
    assert!(errors.len() >= 4, "{errors:?}");
    for e in &errors {
        assert!(!e.rule.zh.is_empty() && !e.rule.en.is_empty(), "{e:?}");
        let json = serde_json::to_value(e).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["code", "message_en", "message_zh", "path"]);
    }
    for path in [
        "customer.cert_number",
        "contact.mobile",
        "admin.email",
        "agent.id_number",
    ] {
        assert!(errors.iter().any(|e| e.path == path), "{path}: {errors:?}");
    }
}

#[test]
fn every_path_reads_and_writes_its_own_field() {
    let mut form = seed();
    for path in form.paths() {
        let before = form
            .value(&path)
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{path} is readable"));
        let marker = format!("{before}✓");
        form.set_value(&path, marker.clone()).unwrap();
        assert_eq!(form.value(&path), Some(marker.as_str()), "{path}");
        // Exactly one field changed: the serialised form differs from the seed's only there.
        let mut other = seed();
        other.set_value(&path, marker).unwrap();
        assert_eq!(other, form, "{path}");
        form = seed();
    }
    assert_eq!(seed().paths().len(), 18 + 2 * 11 + 12);
}

#[test]
fn unknown_paths_are_refused() {
    let mut form = seed();
    for path in [
        "",
        "customer",
        "customer.nope",
        "orders.x.remarks",
        "orders.01.remarks",
        "orders.0.nope",
        "late",
    ] {
        assert_eq!(form.value(path), None, "{path}");
        assert!(form.set_value(path, "x").is_err(), "{path}");
    }
    assert_eq!(form, seed(), "a refused path changes nothing");
    form.set_value("orders.3.product_name", "移动云").unwrap();
    assert_eq!(
        form.orders.len(),
        4,
        "setting line 3 adds empty lines up to it"
    );
}
