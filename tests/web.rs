//! Component tests in a real browser (wasm-bindgen-test in headless Chromium).
//! Each test mounts the app into its own container and keeps the mount handle alive.
#![cfg(target_arch = "wasm32")]

use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Event, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

mod support;

/// Mounts the app and brings in its form as a reader does (support.rs).
async fn mount_app() -> (HtmlElement, impl Sized) {
    // Start without a saved draft (an earlier test's typing may have been saved).
    if let Ok(Some(storage)) = leptos::prelude::window().local_storage() {
        let _ = storage.clear();
    }
    let document = leptos::prelude::document();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone(), qianyue::App);
    support::reach_form(&container).await;
    (container, handle)
}

fn control(container: &HtmlElement, name: &str) -> HtmlInputElement {
    container
        .query_selector(&format!("[name='{name}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no control named {name}"))
        .unchecked_into()
}

/// The text of the element the control's aria-describedby names (contract.md §3).
fn described_by_text(container: &HtmlElement, input: &HtmlInputElement) -> String {
    let id = input
        .get_attribute("aria-describedby")
        .expect("aria-describedby is set");
    container
        .query_selector(&format!("#{id}"))
        .unwrap()
        .expect("the described-by element exists")
        .text_content()
        .unwrap_or_default()
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Lets Leptos finish what an event set off (memo → memo → render effect, a microtask each).
async fn settle() {
    for _ in 0..4 {
        tick().await;
    }
}

async fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    input.dispatch_event(&Event::new("input").unwrap()).unwrap();
    settle().await;
}

async fn leave(input: &HtmlInputElement) {
    input.dispatch_event(&Event::new("blur").unwrap()).unwrap();
    settle().await;
}

async fn click_locale(container: &HtmlElement, hook: &str) {
    let button: HtmlElement = container
        .query_selector(&format!("[data-locale='{hook}']"))
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    tick().await;
}

#[wasm_bindgen_test]
async fn uscc_message_appears_after_leaving_and_clears_when_fixed() {
    let (container, _mounted) = mount_app().await;
    let input = control(&container, "customer.cert_number");

    // The seed's code with its check character changed (G → H): refused, but only once left.
    type_into(&input, "91440300758613572H").await;
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    leave(&input).await;
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(!described_by_text(&container, &input).is_empty());

    // Once touched, the message follows every keystroke.
    type_into(&input, "91440300758613572G").await;
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert_eq!(described_by_text(&container, &input), "");
}

#[wasm_bindgen_test]
async fn lower_case_uscc_is_accepted_and_shown_upper_case() {
    let (container, _mounted) = mount_app().await;
    let input = control(&container, "customer.cert_number");
    type_into(&input, "91440300758613572g").await;
    leave(&input).await;
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert_eq!(input.value(), "91440300758613572G");
}

#[wasm_bindgen_test]
async fn locale_switch_changes_message_language_and_root_lang() {
    let (container, _mounted) = mount_app().await;
    let input = control(&container, "customer.cert_number");
    type_into(&input, "91440300758613572I").await;
    leave(&input).await;

    click_locale(&container, "zh-CN").await;
    let zh = described_by_text(&container, &input);
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "zh message: {zh}"
    );
    let root_lang = leptos::prelude::document()
        .document_element()
        .unwrap()
        .get_attribute("lang");
    assert_eq!(root_lang.as_deref(), Some("zh-CN"));

    click_locale(&container, "en").await;
    let en = described_by_text(&container, &input);
    assert!(
        !en.is_empty() && !en.chars().any(is_cjk),
        "en message: {en}"
    );
    assert_ne!(zh, en);
    let root_lang = leptos::prelude::document()
        .document_element()
        .unwrap()
        .get_attribute("lang");
    assert_eq!(root_lang.as_deref(), Some("en"));
}
