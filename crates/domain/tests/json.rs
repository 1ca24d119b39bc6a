//! The strict JSON reader (`json::parse`) against `serde_json::from_str::<Value>`, which the
//! browser and the receiver read JSON with before: for every text the same value, or an error
//! from both; the one difference is an object with a key twice, which serde_json reads (the
//! last value wins) and this reader refuses.
//!
//! - worked examples of the edges: literals, numbers at the limits of `u64`, `i64` and `f64`,
//!   escapes and surrogates, control characters, nesting at serde_json's limit of 127;
//! - the checked-in fixtures (the payload vectors, the seed forms) read as serde_json reads them;
//! - generated values of every shape, written compact and pretty, read back;
//! - generated token soups near JSON (mostly not JSON), read alike.

use proptest::prelude::*;
use qianyue_domain::json::{parse, JsonErrorKind};
use serde_json::Value;

#[path = "support/json_numbers.rs"]
mod json_numbers;

fn serde_read(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// Both readers agree on `text`, but for a duplicate key, which only this one refuses.
fn agree(text: &str) -> Result<(), TestCaseError> {
    let ours = parse(text);
    let theirs = serde_read(text);
    match (&ours, &theirs) {
        (Err(e), _) if matches!(e.kind, JsonErrorKind::DuplicateKey(_)) => {}
        _ => prop_assert_eq!(ours.as_ref().ok(), theirs.as_ref(), "text: {:?}", text),
    }
    Ok(())
}

fn agrees(text: &str) {
    agree(text).unwrap();
}

#[test]
fn worked_examples_agree_with_serde_json() {
    for n in json_numbers::NUMBERS {
        agrees(n);
        agrees(&format!("[{n}]"));
        agrees(&format!("{{\"n\":{n}}}"));
        agrees(&format!(" {n} "));
    }
    let others = [
        "",
        " ",
        "null",
        "nul",
        "nulll",
        "true",
        "false",
        "True",
        "\"\"",
        "\"a\"",
        "\"a",
        "\"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud800\"",
        "\"\\ud800x\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\uZZZZ\"",
        "\"\\q\"",
        "\"a\u{1}b\"",
        "\"a\tb\"",
        "\"中文\"",
        "[]",
        "[ ]",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{}",
        "{ }",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1}x",
        "{\"a\":1} ",
        "\u{feff}{}",
        "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}",
        "[1]\u{0}",
        "/* c */ 1",
        "NaN",
        "Infinity",
    ];
    for text in others {
        agrees(text);
    }
}

#[test]
fn nesting_stops_at_serde_jsons_limit() {
    for depth in [1, 126, 127, 128, 129, 100_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        agrees(&arrays);
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        agrees(&objects);
    }
    assert!(parse(&format!("{}{}", "[".repeat(127), "]".repeat(127))).is_ok());
    let deep = parse(&"[".repeat(128)).unwrap_err();
    assert_eq!(deep.kind, JsonErrorKind::TooDeep);
}

#[test]
fn a_key_given_twice_is_refused() {
    let e = parse(r#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err();
    assert_eq!(e.kind, JsonErrorKind::DuplicateKey("c".into()));
    assert_eq!(e.to_string(), "duplicate key \"c\" at byte 18");
    // The same key in two objects is not a repeat.
    assert!(parse(r#"[{"c":1},{"c":2}]"#).is_ok());
    // A key is compared as read: `\u0063` is `c`.
    assert_eq!(
        parse(r#"{"\u0063":1,"c":2}"#).unwrap_err().kind,
        JsonErrorKind::DuplicateKey("c".into())
    );
}

#[test]
fn the_fixtures_read_as_serde_json_reads_them() {
    for text in [
        include_str!("fixtures/payload-vector.json"),
        include_str!("fixtures/payload-vector-v1.json"),
        include_str!("fixtures/seed-form.json"),
        include_str!("fixtures/seed-form-with-fees.json"),
    ] {
        let value = parse(text).expect("a fixture is JSON");
        assert_eq!(Some(value), serde_read(text));
    }
}

fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[\\u{0}-\\u{7f}\"\\\\]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\n",
    "\"a\"",
    "\"b\"",
    "\"\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"x\u{1}\"",
    "\"\\q\"",
    "\"",
    "\\",
    "0",
    "1",
    "-",
    "-0",
    "0.5",
    "1e400",
    "-1e-400",
    "01",
    ".",
    "e",
    "18446744073709551616",
    "-9223372036854775809",
    "true",
    "false",
    "null",
    "nul",
    "x",
    "中",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_values_read_back_as_serde_json_reads_them(value in any_value()) {
        for text in [value.to_string(), serde_json::to_string_pretty(&value).unwrap()] {
            // Read as serde_json reads it back, which is the value itself but for floats (without
            // its `float_roundtrip` feature, the last digit of a float may differ).
            let read = parse(&text);
            prop_assert!(read.is_ok(), "text: {:?}", text);
            prop_assert_eq!(read.ok(), serde_read(&text), "text: {:?}", text);
        }
    }

    #[test]
    fn token_soups_read_alike(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..24)) {
        agree(&tokens.concat())?;
    }

    #[test]
    fn cut_and_spliced_texts_read_alike(value in any_value(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let text = value.to_string();
        let bytes = text.as_bytes();
        let at = cut.index(bytes.len() + 1);
        for candidate in [
            bytes[..at].to_vec(),
            [&bytes[..at], &[byte], &bytes[at..]].concat(),
            [&bytes[..at], &bytes[(at + 1).min(bytes.len())..]].concat(),
        ] {
            if let Ok(text) = String::from_utf8(candidate) {
                agree(&text)?;
            }
        }
    }
}
