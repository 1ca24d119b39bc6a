//! Entry point of the browser app: mount the root component on <body>.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(qianyue::App);
}
