//! The bindings of `glue.js`, the JavaScript half of the embedding.

use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

#[wasm_bindgen(module = "/src/embed/glue.js")]
extern "C" {
    /// `"element"`, `"frame"` or `"standalone"`.
    #[wasm_bindgen(js_name = pageMode)]
    pub fn page_mode() -> String;

    #[wasm_bindgen(js_name = defineElement)]
    pub fn define_element(
        connect: &Closure<dyn FnMut(HtmlElement, HtmlElement, bool) -> u32>,
        disconnect: &Closure<dyn FnMut(u32)>,
        update: &Closure<dyn FnMut(u32, HtmlElement)>,
    );

    #[wasm_bindgen(js_name = prefillOf)]
    pub fn prefill_of(element: &HtmlElement) -> Option<String>;

    #[wasm_bindgen(js_name = endpointOf)]
    pub fn endpoint_of(element: &HtmlElement, fallback: &str) -> String;

    pub fn dispatch(target: &Element, name: &str, detail_json: &str);

    #[wasm_bindgen(js_name = ownOrigin)]
    pub fn own_origin() -> String;

    #[wasm_bindgen(js_name = parentOrigin)]
    pub fn parent_origin() -> Option<String>;

    #[wasm_bindgen(js_name = listenToParent)]
    pub fn listen_to_parent(deliver: &Closure<dyn FnMut(String, String)>);

    #[wasm_bindgen(js_name = postToParent)]
    pub fn post_to_parent(origin: &str, json: &str);

    #[wasm_bindgen(js_name = setThemeProperty)]
    pub fn set_theme_property(name: &str, value: &str);

    #[wasm_bindgen(js_name = observeHeight)]
    pub fn observe_height(report: &Closure<dyn FnMut(f64)>);
}
