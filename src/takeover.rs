//! The app's own page takes over the markup rendered at build time (src/prerender.rs): the DOM
//! work is `takeover.js`'s, in one small module.
//!
//! The served `index.html` holds the first screen in `#qianyue-prerendered`, so the agreement
//! paints before any wasm arrives. The app mounts into a hidden holder of its own beside it;
//! once the app's page is there (its `<main>`: at once on the app's own page, after the request
//! is read on a signing request's), the old markup is swapped for the new in one task, before
//! the next frame, and what the reader sees stays where it was: the scroll position, the
//! selected text, the focus, the contents opened or closed. The two are the same markup
//! (tests/e2e/first-screen.spec.ts compares them), so only the values the app fills in appear.
//!
//! Until then the old markup cannot act, but a reader may already tap it: `takeover.js` is
//! loaded with the app's JavaScript, well before the wasm, and from then on keeps those taps
//! (the way to the form, a language) for the app to carry out, and follows the contents' links
//! in place (a jump by fragment would overwrite a `#prefill=` in the address).

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

    /// The agreement's Chinese file of the part `hook` as the served page carries it
    /// (`served_texts` in src/prerender.rs), or as embed.js read it from
    /// `embed-files.html`; empty when neither has it. crate::content checks it.
    #[wasm_bindgen(js_name = servedText)]
    pub fn served_text(hook: &str) -> String;
}
