//! `qianyue-prerender`: prints the first screen's HTML (src/prerender.rs), then the
//! agreement's Chinese files the release wasm reads from the page, for `scripts/prerender.mjs`
//! to put into the built `index.html`.

#[cfg(not(target_family = "wasm"))]
fn main() {
    print!("{}", qianyue::prerender::first_screen());
    print!("{}", qianyue::prerender::served_texts());
}

#[cfg(target_family = "wasm")]
fn main() {}
