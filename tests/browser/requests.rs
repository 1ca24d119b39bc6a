//! A signing request's journey in a real browser (src/components/request/): the request's
//! read-only values are locked in the DOM with the carrier's note, and the identity step's
//! hooks (contract.md §5) are there, the signature closed until the signer is verified.

use leptos::prelude::*;
use qianyue::signing_request::{Opened, RequestCtx};
use qianyue::state::{provide_app_state, AppState};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;

use crate::support::{
    clear_storage, has, input, leave, mount_view, one, reach_form, reach_signing_step, type_into,
};

const SEED: &str = include_str!("../../crates/domain/tests/fixtures/seed-form-with-fees.json");

/// Mounts the journey of an open request for the seed, `customer` and `contract_no` read-only,
/// as the request's page does once the receiver answered, with the signing step brought in.
async fn mount_request(verified: bool) -> (HtmlElement, impl Sized) {
    clear_storage();
    let (container, handle) = mount_view(move || {
        let form = qianyue::prefill::parse(SEED).expect("the seed is a form");
        let state = AppState::new(form.clone());
        provide_app_state(state);
        let verification = verified.then(|| {
            serde_json::json!({"method": "sms", "mobile": "138****8000", "verified_at": "2026-12-02T10:15:00+08:00"})
        });
        provide_context(RequestCtx::new(
            "/api/signing/test-token-0123456789".into(),
            Opened {
                request_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
                form,
                readonly: vec!["customer".into(), "contract_no".into()],
                signer_name: "张晓梅".into(),
                mobile: "138****8000".into(),
                expires_at: "2026-12-08T18:00:00+08:00".into(),
                locale: None,
                verification,
            },
        ));
        view! { <qianyue::App /> }
    });
    reach_form(&container).await;
    reach_signing_step(&container).await;
    (container, handle)
}

#[wasm_bindgen_test]
async fn the_requests_read_only_values_are_locked_with_the_carriers_note() {
    let (container, _mounted) = mount_request(false).await;
    let group = input(&container, "customer.group_name");
    assert!(
        group.read_only(),
        "a read-only path of the request is a readonly control"
    );
    let before = group.value();
    // Even an input event that gets through (a script's) does not change the form: the
    // agreement's blank still shows the request's value.
    type_into(&group, "改").await;
    leave(&group).await;
    let blank = one(&container, ".agreement [data-field='customer.group_name']");
    assert_eq!(blank.text_content().unwrap_or_default().trim(), before);
    assert!(input(&container, "contract_no").read_only());
    // A path the request leaves open stays open.
    assert!(!input(&container, "contact.email").read_only());
    let field = one(&container, "[data-locked='request']");
    assert!(
        field
            .text_content()
            .unwrap_or_default()
            .contains("由中国移动提供；如需更改请联系客户经理"),
        "the note is in the label"
    );
}

#[wasm_bindgen_test]
async fn the_identity_step_has_its_hooks_and_closes_the_signature_until_verified() {
    let (container, _mounted) = mount_request(false).await;
    let send = one(&container, "[data-action='send-code']");
    assert!(send
        .text_content()
        .unwrap_or_default()
        .contains("138****8000"));
    let code = input(&container, "identity.code");
    assert_eq!(
        code.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(code.get_attribute("inputmode").as_deref(), Some("numeric"));
    assert!(code.get_attribute("aria-describedby").is_some());
    assert!(has(&container, "[data-action='verify-code']"));
    assert!(has(&container, "#identity[data-identity='unverified']"));
    assert!(has(&container, "fieldset.signature-step:disabled"));
}

#[wasm_bindgen_test]
async fn a_verified_signer_sees_the_verification_and_the_signature_opens() {
    let (container, _mounted) = mount_request(true).await;
    assert!(has(&container, "#identity[data-identity='verified']"));
    assert!(!has(&container, "[data-action='send-code']"));
    assert!(!has(&container, "fieldset.signature-step:disabled"));
    assert!(one(&container, "#identity")
        .text_content()
        .unwrap_or_default()
        .contains("138****8000"));
}
