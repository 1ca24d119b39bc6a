//! Entry point of the browser app: on its own page, mount the root component on <body>; loaded
//! by a host page's `embed.js`, or as a portal's frame (`/?embed=iframe`): see `embed/`.
use qianyue::embed::{self, PageMode};

fn main() {
    console_error_panic_hook::set_once();
    match embed::page_mode() {
        PageMode::Standalone => leptos::mount::mount_to_body(qianyue::App),
        // (Leptos's executor is not set up before a first mount: the browser's own.)
        mode => wasm_bindgen_futures::spawn_local(embed::start_embedded(mode)),
    }
}
