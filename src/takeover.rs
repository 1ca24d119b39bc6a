//! The app's own page takes over the markup rendered at build time (src/prerender.rs): the DOM
//! work — the hidden holder, the swap that keeps scroll, selection and focus, the taps made
//! before the app ran — is `takeover.js`'s, in one small module.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/takeover.js")]
extern "C" {
    /// The hidden element to mount the app into, beside the prerendered markup; `None` when
    /// the page has none.
    #[wasm_bindgen(js_name = appHolder)]
    pub fn app_holder() -> Option<web_sys::HtmlElement>;

    /// Swaps the prerendered markup for the app's page as soon as the page is in `holder`.
    #[wasm_bindgen(js_name = takeOver)]
    pub fn take_over(holder: &web_sys::HtmlElement);

    /// Removes the prerendered markup: the frame mode shows its own page.
    pub fn discard();
}
