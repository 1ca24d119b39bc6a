//! The app's components. Each holds signals and views and asks the domain crate for every rule.

pub mod agreement;
pub mod app;
pub mod field;
pub mod loading;
pub mod locale_switch;
pub mod outbox;
pub mod receipt;
pub mod request;
pub mod signing;
pub mod staff;
