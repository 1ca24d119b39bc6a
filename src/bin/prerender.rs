//! `qianyue-prerender`: prints the first screen's HTML (src/prerender.rs) for
//! `scripts/prerender.mjs` to put into the built `index.html`.

#[cfg(not(target_family = "wasm"))]
fn main() {
    print!("{}", qianyue::prerender::first_screen());
}

#[cfg(target_family = "wasm")]
fn main() {}
