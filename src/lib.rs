//! Qianyue, the browser app: components hold signals and views and call the domain crate for
//! every rule; side effects live each behind one small module.

// tachys's HTML renderer (native builds, src/prerender.rs) nests async types deeper.
#![recursion_limit = "256"]

pub mod api;
pub mod clock;
pub mod components;
pub mod config;
pub mod content;
pub mod crypto;
pub mod deferred;
pub mod draft;
pub mod embed;
pub mod events;
pub mod i18n;
pub mod idb;
pub mod keyed;
pub mod outbox;
pub mod outbox_store;
pub mod page;
pub mod prefill;
#[cfg(not(target_family = "wasm"))]
pub mod prerender;
pub mod signing_request;
pub mod staff;
pub mod staff_store;
pub mod takeover;
pub mod pwa;
pub mod state;

pub use components::app::App;
pub use components::request::Root;
