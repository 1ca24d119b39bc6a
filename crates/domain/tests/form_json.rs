//! The form's hand-written JSON reader and writer (`form_json`) against serde_json, which read
//! and wrote the prefill and the draft before: for every text, the same form or a refusal by
//! both; for every form, the same bytes.
//!
//! - the fixtures, compact and pretty;
//! - generated forms (any text in any field, escapes and control characters, up to four product
//!   lines, `customer.employees` as an integer or as text), written by serde_json and by `write`;
//! - generated texts near the format: sections as objects or lists, fields missing, repeated or
//!   unknown, values of every JSON type, numbers of every shape in `customer.employees`;
//! - those texts cut, with bytes inserted or dropped;
//! - worked examples of the edges (surrogates, numbers at the limits of `u64`, `i64` and `f64`).

use proptest::prelude::*;
use qianyue_domain::form::{Agent, Contact, Customer, Form, IntegerText, Late, Order, Signing};
use qianyue_domain::form_json::{read, write};

#[path = "support/json_numbers.rs"]
mod json_numbers;

fn serde_read(text: &str) -> Option<Form> {
    serde_json::from_str(text).ok()
}

/// Both readers agree on `text`.
fn agree(text: &str) -> Result<(), TestCaseError> {
    let ours = read(text);
    let theirs = serde_read(text);
    prop_assert_eq!(ours.as_ref().ok(), theirs.as_ref(), "text: {:?}", text);
    Ok(())
}

const FIXTURES: [&str; 2] = [
    include_str!("fixtures/seed-form.json"),
    include_str!("fixtures/seed-form-with-fees.json"),
];

#[test]
fn the_fixtures_read_and_write_as_serde_json_reads_and_writes_them() {
    for fixture in FIXTURES {
        let form = read(fixture).expect("a fixture is a form");
        assert_eq!(Some(&form), serde_read(fixture).as_ref());
        assert_eq!(write(&form), serde_json::to_string(&form).unwrap());
        assert_eq!(read(&write(&form)).as_ref(), Ok(&form));
    }
}

/// Every power of ten the reader multiplies or divides by (it works them out rather than
/// keeping serde_json's table of 309): each exponent with significands whose products round
/// differently.
#[test]
fn every_power_of_ten_reads_as_with_serde_json() {
    let employees = |v: &str| format!(r#"{{"customer":{{"employees":{v}}}}}"#);
    for k in 0..=310 {
        for significand in ["1", "3", "7", "123456789", "18446744073709551615"] {
            agree(&employees(&format!("{significand}e{k}"))).unwrap();
            agree(&employees(&format!("{significand}e-{k}"))).unwrap();
        }
    }
}

#[test]
fn worked_examples_agree_with_serde_json() {
    let employees = |v: &str| format!(r#"{{"customer":{{"employees":{v}}}}}"#);
    let others = [
        "true",
        "false",
        "null",
        "nul",
        "nullx",
        "\"12\"",
        "\"１０\"",
        "[]",
        "{}",
        "\"\"",
    ];
    for n in json_numbers::NUMBERS.iter().chain(&others) {
        agree(&employees(n)).unwrap();
    }
    let texts = [
        "",
        " ",
        "{}",
        "[]",
        "null",
        "1",
        "\"x\"",
        "{} ",
        " {}\n",
        "{}x",
        "{},",
        "{\"x\":1}",
        r#"{"contract_no":"a","contract_no":"b"}"#,
        r#"{"contract_no":null}"#,
        r#"{"contract_no":1}"#,
        r#"{"contract_no":"a",}"#,
        r#"{"contract_no" "a"}"#,
        r#"{'contract_no':"a"}"#,
        r#"{"contract\u005fno":"a"}"#,
        r#"{"contract_no":"\ud83d\ude00"}"#,
        r#"{"contract_no":"\ud83d"}"#,
        r#"{"contract_no":"\ud83dx"}"#,
        r#"{"contract_no":"\ud83d\u0041"}"#,
        r#"{"contract_no":"\ude00"}"#,
        r#"{"contract_no":"\u00e9\/\b\f\n\r\t\"\\"}"#,
        r#"{"contract_no":"\x"}"#,
        r#"{"contract_no":"\u12"}"#,
        "{\"contract_no\":\"a\u{1}b\"}",
        "{\"contract_no\":\"a\u{7f}b\"}",
        "{\"contract_no\":\"中文\"}",
        r#"{"orders":[]}"#,
        r#"{"orders":[{}]}"#,
        r#"{"orders":[{},]}"#,
        r#"{"orders":[[]]}"#,
        r#"{"orders":[["a","b"]]}"#,
        r#"{"orders":{}}"#,
        r#"{"orders":null}"#,
        r#"{"orders":[{"remarks":"x","foo":1}]}"#,
        r#"["c", {"group_name": "g"}, ["n"], [], [{}], {}, ["r", "2023-01-01"], []]"#,
        r#"["c", {}, {}, {}, [], {}, {}, {}, 1]"#,
        r#"["c",]"#,
        r#"[,]"#,
        r#"{"customer":[]}"#,
        r#"{"customer":["a","b","c","d","e","f","g",12,"i","j"]}"#,
        r#"{"customer":["a","b","c","d","e","f","g",12,"i"]}"#,
        r#"{"customer":null}"#,
        r#"{"late":{"as_of":"x"},"late":{}}"#,
        "\u{feff}{}",
        "{}\u{0}",
        "{\u{b}}",
    ];
    for text in texts {
        agree(text).unwrap();
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9 ]{0,12}",
        "[\\u{0}-\\u{7f}]{0,12}",
        any::<String>(),
        "[张晓梅０-９\"\\\\/]{0,8}",
    ]
}

fn employees() -> impl Strategy<Value = IntegerText> {
    prop_oneof![
        any::<i64>().prop_map(|n| IntegerText(n.to_string())),
        (0u32..1000).prop_map(|n| IntegerText(format!(" {n} "))),
        Just(IntegerText("１０".to_owned())),
        Just(IntegerText("-0".to_owned())),
        text().prop_map(IntegerText),
    ]
}

fn order() -> impl Strategy<Value = Order> {
    proptest::collection::vec(text(), 11).prop_map(|v| {
        let mut o = Order::default();
        let slots = [
            &mut o.sub_order_no,
            &mut o.product_name,
            &mut o.product_number,
            &mut o.business_type,
            &mut o.reason,
            &mut o.channel,
            &mut o.remarks,
            &mut o.monthly_fee,
            &mut o.term_end,
            &mut o.cancel_date,
            &mut o.investment,
        ];
        for (slot, value) in slots.into_iter().zip(v) {
            *slot = value;
        }
        o
    })
}

fn form() -> impl Strategy<Value = Form> {
    (
        proptest::collection::vec(text(), 30),
        employees(),
        proptest::collection::vec(order(), 0..4),
    )
        .prop_map(|(t, employees, orders)| {
            let mut t = t.into_iter();
            let mut next = || t.next().unwrap_or_default();
            Form {
                contract_no: next(),
                customer: Customer {
                    group_name: next(),
                    group_code: next(),
                    org_type: next(),
                    office_address: next(),
                    cert_type: next(),
                    cert_number: next(),
                    industry: next(),
                    employees,
                    phone: next(),
                },
                contact: Contact {
                    name: next(),
                    mobile: next(),
                    email: next(),
                    id_type: next(),
                    id_number: next(),
                },
                admin: qianyue_domain::form::Admin {
                    name: next(),
                    mobile: next(),
                    email: next(),
                },
                orders,
                agent: Agent {
                    name: next(),
                    id_type: next(),
                    id_number: next(),
                    mobile: next(),
                    matter: next(),
                    valid_from: next(),
                    valid_to: next(),
                },
                signing: Signing {
                    representative: next(),
                    date: next(),
                },
                late: Late {
                    arrears: next(),
                    due_date: next(),
                    as_of: next(),
                },
            }
        })
}

/// A JSON number of any shape, some of them not JSON.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,4})?",
        "-?[0-9]{0,22}\\.?[0-9]{0,3}[eE]?[+-]?[0-9]{0,12}",
        any::<f64>().prop_map(|f| format!("{f:e}")),
        any::<f64>().prop_map(|f| format!("{f}")),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
    ]
}

/// A JSON value of a type no text field takes (or not JSON at all).
fn other_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("[\"a\"]".to_owned()),
        Just("nul".to_owned()),
        number(),
    ]
}

/// A text field's value: mostly a JSON string.
fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => text().prop_map(|t| serde_json::to_string(&t).unwrap()),
        1 => other_value(),
    ]
}

/// `customer.employees`' value: any type.
fn employees_value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => number(),
        1 => text().prop_map(|t| serde_json::to_string(&t).unwrap()),
        1 => other_value(),
    ]
}

/// A section as an object (fields in any order, some left out, sometimes one repeated or
/// unknown) or as a list of up to one item more than it has fields.
fn section(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    let n = names.len();
    (
        proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 0..=n).prop_shuffle(),
        proptest::collection::vec(field_value(), n + 1),
        employees_value(),
        prop_oneof![8 => Just(0), 1 => Just(1), 1 => Just(2)],
        any::<bool>(),
        0..=n + 1,
    )
        .prop_map(move |(order, values, employees, extra, as_list, len)| {
            let value = |i: usize| {
                if names.get(i) == Some(&"employees") {
                    employees.clone()
                } else {
                    values[i].clone()
                }
            };
            if as_list {
                let items: Vec<String> = (0..len).map(value).collect();
                return format!("[{}]", items.join(", "));
            }
            let mut fields: Vec<String> = order
                .iter()
                .map(|&i| format!("\"{}\": {}", names[i], value(i)))
                .collect();
            match (extra, order.first()) {
                (1, Some(&i)) => fields.push(format!("\"{}\":{}", names[i], value(i))),
                (2, _) => fields.push("\"unknown\":\"\"".to_owned()),
                _ => {}
            }
            format!("{{{}}}", fields.join(","))
        })
}

// The contract's field lists (contract.md §1), as the content's placeholders name them.
const CUSTOMER: &[&str] = &qianyue_domain::content::CUSTOMER_FIELDS;
const CONTACT: &[&str] = &qianyue_domain::content::CONTACT_FIELDS;
const ORDER: &[&str] = qianyue_domain::form::ORDER_FIELDS;
const LATE: &[&str] = &["arrears", "due_date", "as_of"];

/// A whole text near the format.
fn near_form() -> impl Strategy<Value = String> {
    (
        field_value(),
        section(CUSTOMER),
        section(CONTACT),
        proptest::collection::vec(section(ORDER), 0..3),
        section(LATE),
        any::<bool>(),
    )
        .prop_map(|(contract_no, customer, contact, orders, late, as_list)| {
            let orders = format!("[{}]", orders.join(","));
            if as_list {
                format!("[{contract_no},{customer},{contact},{{}},{orders},{{}},{{}},{late}]")
            } else {
                format!(
                    "{{\"contract_no\":{contract_no},\"customer\":{customer},\"contact\":{contact},\
                     \"orders\":{orders},\"late\":{late}}}"
                )
            }
        })
}

/// `text` with a byte range cut out, or a snippet put in, at char boundaries.
fn mutated(text: String, at: usize, len: usize, snippet: &str, cut: bool) -> String {
    let bounds: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    let from = bounds[at % bounds.len()];
    let to = bounds[(at % bounds.len() + len).min(bounds.len() - 1)];
    if cut {
        format!("{}{}", &text[..from], &text[to..])
    } else {
        format!("{}{snippet}{}", &text[..from], &text[from..])
    }
}

const SNIPPETS: &[&str] = &[
    ",",
    ":",
    "\"",
    "{",
    "}",
    "[",
    "]",
    " ",
    "\\",
    "\\u",
    "1",
    "-",
    "e",
    ".",
    "null",
    "\u{1}",
    ",\"x\":1",
    "\"contract_no\":\"\",",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_forms_read_and_write_as_with_serde_json(form in form()) {
        let compact = serde_json::to_string(&form).unwrap();
        prop_assert_eq!(write(&form), compact.clone());
        let expected = serde_read(&compact).unwrap();
        prop_assert_eq!(read(&compact), Ok(expected.clone()));
        let pretty = serde_json::to_string_pretty(&form).unwrap();
        prop_assert_eq!(read(&pretty), Ok(expected));
        let as_list = serde_json::to_string(&serde_json::json!([
            form.contract_no, form.customer, form.contact, form.admin, form.orders, form.agent,
            form.signing, form.late,
        ])).unwrap();
        agree(&as_list)?;
    }

    #[test]
    fn texts_near_the_format_read_as_with_serde_json(text in near_form()) {
        agree(&text)?;
    }

    #[test]
    fn broken_texts_are_refused_as_by_serde_json(
        text in prop_oneof![near_form(), form().prop_map(|f| serde_json::to_string_pretty(&f).unwrap())],
        at in any::<usize>(),
        len in 1usize..6,
        snippet in proptest::sample::select(SNIPPETS),
        cut in any::<bool>(),
    ) {
        agree(&mutated(text, at, len, snippet, cut))?;
    }

    #[test]
    fn numbers_in_the_integer_field_read_as_with_serde_json(n in number()) {
        agree(&format!("{{\"customer\":{{\"employees\":{n}}}}}"))?;
        agree(&format!("{{\"customer\":{{\"employees\": {n} }}}}"))?;
    }
}
