//! What the browser tests share: reaching the deferred parts of the page as a reader does.

use leptos::task::tick;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Clicks the header's "Fill in and sign" link (components/app.rs `ToSigning`) and waits for
/// the signing panel's form, which is not part of the first screen (src/deferred.rs).
pub async fn reach_form(container: &HtmlElement) {
    let link: HtmlElement = container
        .query_selector("a.to-signing")
        .unwrap()
        .expect("the header links to the form")
        .unchecked_into();
    link.click();
    wait_for(
        container,
        "form input",
        "the form did not come after the link to it was followed",
    )
    .await;
}

/// Waits (a few dozen turns of the task queue) until `selector` matches inside `container`, as a
/// deferred part loads; panics with `failure` if it does not come.
pub async fn wait_for(container: &HtmlElement, selector: &str, failure: &str) {
    for _ in 0..50 {
        if container.query_selector(selector).unwrap().is_some() {
            return;
        }
        tick().await;
    }
    panic!("{failure}");
}
