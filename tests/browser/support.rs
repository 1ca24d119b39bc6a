//! What the browser tests share, written once: mounting the app (or a part of it) into a
//! container of its own, reaching the deferred parts of the page as a reader does, finding
//! controls, acting on them as a reader's browser does, and letting Leptos finish what an event
//! set off.

use leptos::prelude::IntoView;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement};

// ------------------------------------------------------------------------------------------
// Mounting

/// A new empty `<div>` at the end of the page's body.
pub fn container() -> HtmlElement {
    let document = leptos::prelude::document();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    container
}

/// Mounts `view` into a new container; the handle keeps it mounted until dropped.
pub fn mount_view<V: IntoView + 'static>(
    view: impl FnOnce() -> V + 'static,
) -> (HtmlElement, impl Sized) {
    let container = container();
    let handle = leptos::mount::mount_to(container.clone(), view);
    (container, handle)
}

/// Mounts the whole app into a new container, keeping what is stored (as a reload does),
/// without touching it.
pub fn remount_app() -> (HtmlElement, impl Sized) {
    mount_view(qianyue::App)
}

/// Empties localStorage and sessionStorage (an earlier test's typing may have been saved).
pub fn clear_storage() {
    let window = leptos::prelude::window();
    if let Ok(Some(s)) = window.local_storage() {
        let _ = s.clear();
    }
    if let Ok(Some(s)) = window.session_storage() {
        let _ = s.clear();
    }
}

/// Mounts the app into its own container with no saved draft, optionally prefilled (the
/// `#prefill=` URL fragment), without touching it: the first screen only.
pub fn mount_app(prefill: Option<&str>) -> (HtmlElement, impl Sized) {
    clear_storage();
    let window = leptos::prelude::window();
    let hash = prefill
        .map(|json| {
            format!(
                "#prefill={}",
                String::from(js_sys::encode_uri_component(json))
            )
        })
        .unwrap_or_default();
    window.location().set_hash(&hash).unwrap();
    let mounted = remount_app();
    window.location().set_hash("").unwrap();
    mounted
}

// ------------------------------------------------------------------------------------------
// Reaching the deferred parts

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

/// A `focusin` inside the form (what focusing any of its controls fires), then the deferred
/// signing step (src/components/loading.rs) once it has come.
pub async fn reach_signing_step(container: &HtmlElement) {
    let first: HtmlElement = container
        .query_selector("form input")
        .unwrap()
        .expect("the form has controls")
        .unchecked_into();
    let init = EventInit::new();
    init.set_bubbles(true);
    first
        .dispatch_event(&Event::new_with_event_init_dict("focusin", &init).unwrap())
        .unwrap();
    wait_for(
        container,
        "#sign-and-send",
        "the signing step did not come after a focus in the form",
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

// ------------------------------------------------------------------------------------------
// Finding

/// Whether `selector` matches inside `root`.
pub fn has(root: &Element, selector: &str) -> bool {
    root.query_selector(selector).unwrap().is_some()
}

/// Every element `selector` matches inside `root`, in document order.
pub fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

/// The first element `selector` matches inside `root`; panics if none does.
pub fn one(root: &Element, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .unchecked_into()
}

/// The form control named `name` (an `<input>`).
pub fn input(container: &HtmlElement, name: &str) -> HtmlInputElement {
    container
        .query_selector(&format!("[name='{name}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no control named {name}"))
        .unchecked_into()
}

/// The `<select>` named `name`.
pub fn select(container: &HtmlElement, name: &str) -> HtmlSelectElement {
    container
        .query_selector(&format!("select[name='{name}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no select named {name}"))
        .unchecked_into()
}

/// The control's `aria-invalid`.
pub fn invalid(el: &HtmlElement) -> Option<String> {
    el.get_attribute("aria-invalid")
}

/// The text of the first element the control's `aria-describedby` names: its message
/// (contract.md §3).
pub fn message_of(container: &HtmlElement, el: &HtmlElement) -> String {
    let id = el
        .get_attribute("aria-describedby")
        .expect("aria-describedby");
    let first = id.split_whitespace().next().unwrap().to_owned();
    container
        .query_selector(&format!("#{first}"))
        .unwrap()
        .expect("the described-by element exists")
        .text_content()
        .unwrap_or_default()
}

/// The `lang` of the page's root element.
pub fn root_lang() -> Option<String> {
    leptos::prelude::document()
        .document_element()
        .unwrap()
        .get_attribute("lang")
}

/// Whether `text` holds a CJK unified ideograph (Chinese text).
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

// ------------------------------------------------------------------------------------------
// Acting

/// Lets Leptos run what an event set off: memos feed memos feed render effects, one
/// microtask step each; then what follows the form settled, a task later
/// (`AppState::track_settled`), and what that set off.
pub async fn settle() {
    for _ in 0..4 {
        tick().await;
    }
    sleep(0).await;
    for _ in 0..4 {
        tick().await;
    }
}

/// Waits `ms` milliseconds of the browser's clock (timers run meanwhile).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        leptos::prelude::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Sets the control's value and fires `input`, as a keystroke does.
pub async fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    input.dispatch_event(&Event::new("input").unwrap()).unwrap();
    settle().await;
}

/// Fires `blur`, as leaving the control does.
pub async fn leave(el: &HtmlElement) {
    el.dispatch_event(&Event::new("blur").unwrap()).unwrap();
    settle().await;
}

/// Focuses, types `value` into and leaves the control.
pub async fn fill(input: &HtmlInputElement, value: &str) {
    input.dispatch_event(&Event::new("focus").unwrap()).unwrap();
    settle().await;
    type_into(input, value).await;
    leave(input).await;
}

/// Picks `value` in the `<select>` and leaves it.
pub async fn choose(select: &HtmlSelectElement, value: &str) {
    select.set_value(value);
    select
        .dispatch_event(&Event::new("change").unwrap())
        .unwrap();
    settle().await;
    leave(select).await;
}

/// Clicks the first element `selector` matches inside `container`.
pub async fn click(container: &HtmlElement, selector: &str) {
    one(container, selector).click();
    settle().await;
}

/// Clicks the language switch's button for `hook` (`zh-CN`, `en` or `both`).
pub async fn choose_locale(container: &HtmlElement, hook: &str) {
    click(container, &format!("[data-locale='{hook}']")).await;
}
