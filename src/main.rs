//! Entry point of the browser app: on its own page, mount the root component on <body> (a
//! signing request's journey at `/s/<token>`, components/request/); loaded
//! by a host page's `embed.js`, or as a portal's frame (`/?embed=iframe`): see `embed/`.
use qianyue::embed::{self, PageMode};
use qianyue::takeover;

fn main() {
    console_error_panic_hook::set_once();
    match embed::page_mode() {
        // The request of a link `/s/<token>`, else the open journey or "how to get a request".
        // Into a holder of its own beside the page rendered at build time, which it then
        // replaces (takeover.rs); straight into <body> where the page has none.
        PageMode::Standalone => match takeover::app_holder() {
            Some(holder) => {
                leptos::mount::mount_to(holder.clone(), qianyue::Root).forget();
                takeover::take_over(&holder);
            }
            None => leptos::mount::mount_to_body(qianyue::Root),
        },
        // (Leptos's executor is not set up before a first mount: the browser's own.)
        mode => {
            takeover::discard();
            wasm_bindgen_futures::spawn_local(embed::start_embedded(mode))
        }
    }
}
