//! A refusal lists at most `MAX_REFUSAL_FIELDS` field errors and counts the rest (security
//! review I8: a consent of 900 identical product lines gave a 293 KB refusal).

use qianyue_domain::error::RuleMessage;
use qianyue_domain::form::{FieldError, FieldRule};
use qianyue_domain::payload::{Rejection, MAX_REFUSAL_FIELDS};
use serde_json::Value;

fn rejection(n: usize) -> Value {
    let rule = RuleMessage::of(FieldRule::Required);
    let fields = (0..n)
        .map(|i| FieldError {
            path: format!("orders.{i}.product_name"),
            rule: rule.clone(),
        })
        .collect();
    serde_json::to_value(Rejection {
        rule,
        fields,
        detail: None,
    })
    .unwrap()
}

#[test]
fn the_field_list_is_capped_and_the_rest_counted() {
    assert_eq!(MAX_REFUSAL_FIELDS, 200);
    let v = rejection(900);
    let fields = v["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 200);
    assert_eq!(fields[199]["path"], "orders.199.product_name");
    assert_eq!(v["fields_omitted"], 700);
    assert!(serde_json::to_string(&v).unwrap().len() < 40_000);

    // At the cap or under it, nothing is omitted and the member is absent.
    let v = rejection(200);
    assert_eq!(v["fields"].as_array().unwrap().len(), 200);
    assert!(v.get("fields_omitted").is_none());
    assert!(rejection(0).get("fields_omitted").is_none());
}

#[test]
fn a_refusal_reads_back_as_the_type_that_wrote_it() {
    // The wire shape is the type's serde: what the receiver writes, the app reads (typed).
    let written = Rejection {
        detail: Some("member `form` missing".into()),
        ..Rejection::of(FieldRule::Required, "customer.name")
    };
    let text = serde_json::to_string(&written).unwrap();
    assert_eq!(
        text,
        "{\"code\":\"field.required\",\"message_zh\":\"此项必填\",\"message_en\":\"This field is required\",\
         \"fields\":[{\"path\":\"customer.name\",\"code\":\"field.required\",\"message_zh\":\"此项必填\",\
         \"message_en\":\"This field is required\"}],\"detail\":\"member `form` missing\"}"
    );
    let read: Rejection = serde_json::from_str(&text).unwrap();
    assert_eq!(read, written);
    // A capped list reads back as the fields written.
    let read: Rejection = serde_json::from_value(rejection(900)).unwrap();
    assert_eq!(read.fields.len(), MAX_REFUSAL_FIELDS);
    assert_eq!(read.code(), "field.required");
}

#[test]
fn a_refusal_is_read_in_its_documented_shape_and_nothing_else() {
    let read = |text: &str| Rejection::read(&serde_json::from_str::<Value>(text).unwrap());
    let head = r#""code":"form.invalid","message_zh":"表单未通过校验","message_en":"The form does not pass validation""#;
    let field = r#"{"path":"customer.name","code":"field.required","message_zh":"此项必填","message_en":"This field is required"}"#;
    // Without fields, with a null detail, with members it does not know (`fields_omitted`).
    let bare = read(&format!("{{{head}}}")).expect("bare");
    assert_eq!(
        (bare.code(), bare.fields.len(), &bare.detail),
        ("form.invalid", 0, &None)
    );
    let full = read(&format!(
        r#"{{{head},"fields":[{field}],"fields_omitted":3,"detail":null,"extra":{{}}}}"#
    ))
    .expect("full");
    assert_eq!(full.fields[0].path, "customer.name");
    assert_eq!(full.fields[0].code(), "field.required");
    assert_eq!(full.rule.zh, "表单未通过校验");
    // Anything else is not a refusal: a message member missing or not text, fields not a list
    // or a field without its path, a detail that is not text.
    for bad in [
        r#"{"code":"x","message_zh":"y"}"#.to_owned(),
        r#"{"code":1,"message_zh":"y","message_en":"z"}"#.to_owned(),
        format!(r#"{{{head},"fields":null}}"#),
        format!(r#"{{{head},"fields":{field}}}"#),
        format!(r#"{{{head},"fields":[{{"code":"a","message_zh":"b","message_en":"c"}}]}}"#),
        format!(r#"{{{head},"detail":7}}"#),
        r#"["form.invalid","表单未通过校验","The form does not pass validation"]"#.to_owned(),
    ] {
        assert_eq!(read(&bad), None, "{bad}");
        assert!(serde_json::from_str::<Rejection>(&bad).is_err(), "{bad}");
    }
}
