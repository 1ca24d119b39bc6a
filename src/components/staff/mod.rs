//! The staff mode at `/staff` (contract.md §8, docs/staff.md "The app"): an account manager's
//! enrolled device, the requests assigned to the manager, downloaded for offline signing.
//!
//! The first load carries only [`StaffRoot`]; the pages are the deferred part `staff`, so the
//! signer's page does not pay for them.

pub mod pages;
pub mod witness;

use leptos::prelude::*;
use qianyue_domain::form::Form;

use super::loading::Deferred;
use crate::state::AppState;

/// The staff mode's page.
#[component]
pub fn StaffRoot() -> impl IntoView {
    // The staff mode works offline (the assigned requests are signed where there is no
    // signal): the service worker, as on the signer's page.
    crate::pwa::register();
    let state = AppState::new(Form::default());
    let locale = state.locale;
    view! { <Deferred locale load=move || pages::staff_page(state) /> }
}
