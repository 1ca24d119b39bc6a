//! The payload's JSON as the app writes it (`ConsentPayload::to_value`, by hand) against serde's
//! derived writer of the same types, the reference: equal on generated payloads of every format
//! (the figures shown, the working-day calendars of 1.1, the request and identity of 2, the
//! witness of 3), with any text in any member, drawn and typed signatures, and every value the
//! form's fields can hold; so the bytes signed are those serde would have written.

use proptest::prelude::*;
use qianyue_domain::form::Form;
use qianyue_domain::holidays::CalendarBasis;
use qianyue_domain::identity::Identity;
use qianyue_domain::payload::{ConsentPayload, ShownValue, SignatureImage};
use qianyue_domain::staff::{AttachmentKind, Person};
use qianyue_domain::testing::{device_test_key, payload_with, seed_form, test_key, witness_record};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z0-9 ._:+-]{0,10}",
        2 => any::<String>(),
        1 => Just("\"\\\u{0}\u{8}\u{1f}\u{7f}\u{2028}\u{fffd}😀".to_owned()),
        1 => "-?[0-9]{1,20}",
    ]
}

/// The seed form with some of its fields' values replaced (the employee count among them: an
/// integer is written as a JSON number, anything else as text).
fn form() -> impl Strategy<Value = Form> {
    let paths = seed_form().paths();
    proptest::collection::vec((0..paths.len(), text()), 0..12).prop_map(move |changes| {
        let mut form = seed_form();
        for (i, value) in changes {
            form.set_value(&paths[i], value)
                .expect("a path of the form");
        }
        form
    })
}

fn signature() -> impl Strategy<Value = SignatureImage> {
    prop_oneof![
        (
            any::<u32>(),
            any::<u32>(),
            proptest::collection::vec(proptest::collection::vec(any::<[u32; 2]>(), 0..4), 0..4)
        )
            .prop_map(|(width, height, strokes)| SignatureImage::Strokes {
                width,
                height,
                strokes
            }),
        text().prop_map(|text| SignatureImage::Typed { text }),
    ]
}

fn shown() -> impl Strategy<Value = ShownValue> {
    prop_oneof![
        any::<i64>().prop_map(ShownValue::Integer),
        text().prop_map(ShownValue::Text)
    ]
}

fn basis() -> impl Strategy<Value = CalendarBasis> {
    prop_oneof![
        Just(CalendarBasis::Provisional),
        text().prop_map(|notice| CalendarBasis::Official { notice }),
    ]
}

prop_compose! {
    fn payload()(
        form in form(),
        format in text(),
        strings in proptest::collection::vec(text(), 12),
        signature in signature(),
        previews in proptest::collection::btree_map(text(), shown(), 0..5),
        calendars in proptest::collection::btree_map(
            text(),
            proptest::collection::btree_map(any::<i32>(), basis(), 0..3),
            0..3,
        ),
        given in any::<bool>(),
        which in 0..4u8,
        bytes in any::<u64>(),
        agent in any::<bool>(),
    ) -> ConsentPayload {
        let mut p = payload_with(form, &strings[0], &test_key());
        p.format = format;
        p.agreement.version = strings[1].clone();
        p.content_hashes[0].sha256 = strings[2].clone();
        p.consents[1].given = given;
        p.consents[2].wording_sha256 = strings[3].clone();
        p.signature_image = signature;
        p.previews.extend(previews);
        p.calendars = calendars
            .into_iter()
            .map(|(key, years)| (key, years.into_iter().collect()))
            .collect();
        p.signed_at = strings[4].clone();
        p.public_key.x = strings[5].clone();
        if which >= 1 {
            p = p.for_request(&strings[6], Identity {
                method: strings[7].clone(),
                mobile: strings[8].clone(),
                verified_at: strings[9].clone(),
            });
        }
        if which >= 2 {
            let mut w = witness_record(&device_test_key());
            w.staff.name = strings[10].clone();
            w.person = if agent { Person::Agent } else { Person::Contact };
            w.attachments[0].bytes = bytes;
            w.attachments.push(w.attachments[0].clone());
            w.attachments[1].kind = AttachmentKind::CompanySeal;
            w.number_last4 = strings[11].clone();
            if which == 3 {
                p.request = None;
                p.identity = None;
            }
            p.witness = Some(w);
        }
        p
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_payload_is_written_as_serde_s_derived_writer_writes_it(p in payload()) {
        let reference = serde_json::to_value(&p).unwrap();
        prop_assert_eq!(p.to_value(), reference.clone());
        // And what it wrote reads back as a payload that writes the same JSON. (Not always
        // the same payload: an employee count typed `00` is the integer 0 in the JSON, and
        // reads back as `0`.)
        let back: ConsentPayload = serde_json::from_value(p.to_value()).unwrap();
        prop_assert_eq!(back.to_value(), reference);
    }
}

#[test]
fn the_seed_payload_is_written_as_serde_s_derived_writer_writes_it() {
    let p = payload_with(
        seed_form(),
        "3b241101-e2bb-4255-8caf-4136c566a962",
        &test_key(),
    );
    assert_eq!(p.to_value(), serde_json::to_value(&p).unwrap());
}
