//! The identity check an account manager records in person (issue 19 item 3), against the
//! seed agreement: the agent 刘志强 showed his 身份证 (number ending 5316) on the signing day,
//! 2023-04-10, before signing at 15:04:05.

use qianyue_domain::staff::{
    Attachment, AttachmentKind, Person, StaffMember, Witness, MAX_ATTACHMENT_BYTES, METHOD_WITNESS,
};
use qianyue_domain::testing::{seed_form, signed_at};

fn witness() -> Witness {
    Witness {
        method: METHOD_WITNESS.into(),
        staff: StaffMember {
            id: "gz-0042".into(),
            name: "陈晓明".into(),
        },
        device: "7d9f2c1e-8a4b-4c3d-9e6f-0a1b2c3d4e5f".into(),
        person: Person::Agent,
        document_type: "身份证".into(),
        number_last4: "5316".into(),
        checked_at: "2023-04-10T14:58:00+08:00".into(),
        attachments: vec![Attachment {
            kind: AttachmentKind::AuthorisationLetter,
            media_type: "image/jpeg".into(),
            bytes: 412_337,
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        }],
    }
}

fn failing(w: &Witness) -> Vec<(String, String)> {
    w.check(&seed_form(), signed_at())
        .into_iter()
        .map(|e| (e.path.clone(), e.code().to_owned()))
        .collect()
}

#[test]
fn the_agents_card_checked_before_signing_passes() {
    assert_eq!(failing(&witness()), vec![]);
    // The contact 张晓梅's card ends 1246.
    let contact = Witness {
        person: Person::Contact,
        number_last4: "1246".into(),
        ..witness()
    };
    assert_eq!(failing(&contact), vec![]);
    // Case and spaces as typed do not matter; 居民身份证 is the card's full name.
    let typed = Witness {
        number_last4: " 5316 ".into(),
        document_type: "居民身份证".into(),
        ..witness()
    };
    assert_eq!(failing(&typed), vec![]);
}

#[test]
fn another_document_or_number_than_the_agreement_names_is_refused() {
    let other_number = Witness {
        number_last4: "1246".into(),
        ..witness()
    };
    assert_eq!(
        failing(&other_number),
        [(
            "witness.number_last4".into(),
            "witness.number_mismatch".into()
        )]
    );
    let passport = Witness {
        document_type: "护照".into(),
        ..witness()
    };
    assert_eq!(
        failing(&passport),
        [(
            "witness.document_type".into(),
            "witness.document_type".into()
        )]
    );
    for typed in ["531", "53166", "53-6", ""] {
        let w = Witness {
            number_last4: typed.into(),
            ..witness()
        };
        assert_eq!(
            failing(&w),
            [("witness.number_last4".into(), "witness.number_last4".into())],
            "{typed:?}"
        );
    }
}

#[test]
fn the_check_is_made_on_the_signing_day_before_the_signature() {
    for at in [
        "2023-04-10T15:04:06+08:00",
        "2023-04-09T23:59:59+08:00",
        "2023-04-10 14:00",
    ] {
        let w = Witness {
            checked_at: at.into(),
            ..witness()
        };
        assert_eq!(
            failing(&w),
            [("witness.checked_at".into(), "witness.checked_at".into())],
            "{at}"
        );
    }
    let same_second = Witness {
        checked_at: "2023-04-10T15:04:05+08:00".into(),
        ..witness()
    };
    assert_eq!(failing(&same_second), vec![]);
}

#[test]
fn photos_are_bounded_in_number_size_and_type_and_named_by_digest() {
    let photo = witness().attachments[0].clone();
    let big = Attachment {
        bytes: MAX_ATTACHMENT_BYTES + 1,
        ..photo.clone()
    };
    let gif = Attachment {
        media_type: "image/gif".into(),
        kind: AttachmentKind::CompanySeal,
        ..photo.clone()
    };
    let bad_hash = Attachment {
        sha256: "9F86D081".into(),
        ..photo.clone()
    };
    let w = Witness {
        attachments: vec![big, gif, bad_hash],
        ..witness()
    };
    assert_eq!(
        failing(&w),
        [
            ("witness.attachments".into(), "witness.attachments".into()),
            (
                "witness.attachments.0.bytes".into(),
                "witness.attachment_size".into()
            ),
            (
                "witness.attachments.1.media_type".into(),
                "witness.attachment_type".into()
            ),
            (
                "witness.attachments.2.sha256".into(),
                "witness.attachment_sha256".into()
            ),
        ]
    );
    let exactly_the_limit = Witness {
        attachments: vec![Attachment {
            bytes: MAX_ATTACHMENT_BYTES,
            ..photo
        }],
        ..witness()
    };
    assert_eq!(failing(&exactly_the_limit), vec![]);
}

#[test]
fn a_record_reads_back_from_its_json_and_refuses_unknown_members() {
    let w = witness();
    let json = serde_json::to_value(&w).unwrap();
    assert_eq!(json["person"], "agent");
    assert_eq!(json["attachments"][0]["kind"], "authorisation_letter");
    assert_eq!(serde_json::from_value::<Witness>(json.clone()).unwrap(), w);
    let mut extra = json;
    extra["photo"] = "data:image/jpeg;base64,…".into();
    assert!(serde_json::from_value::<Witness>(extra).is_err());
}
