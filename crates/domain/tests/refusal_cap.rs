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
