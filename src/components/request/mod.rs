//! Signing requests in the page (docs/requests.md, docs/embedding.md "Signing requests"):
//! which journey a page opens, the request's pages, and the identity step.
//!
//! - With a token (the link `/s/<token>`, `<qianyue-consent request="…">`, the frame
//!   `/s/<token>?embed=iframe`): the request's page ([`RequestJourney`]) reads the request from
//!   the receiver and shows the journey with its read-only values locked, or a page saying it
//!   is expired, revoked, unknown or already signed (with its receipt and signed copy).
//! - Without one ([`Root`], the app's own page): `GET /api/signing` says whether this receiver
//!   takes consents without a request; if not, a page says how to get one, with no form.
//!
//! The first load carries only this choice; the pages are the deferred part `request`, the
//! identity step is part of `signing`.

pub mod identity;
pub mod pages;

use leptos::prelude::*;
use qianyue_domain::form::Form;

use super::loading::Deferred;
use crate::state::AppState;
use crate::{signing_request, App};

/// The app's own page: the request of the link, else the open journey or the page saying how
/// to get a request.
#[component]
pub fn Root() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    if crate::staff::is_staff_path(&path) {
        return view! { <super::staff::StaffRoot /> }.into_any();
    }
    match signing_request::token_from_location() {
        Some(token) => {
            let state = AppState::new(Form::default());
            view! { <RequestJourney state=state token=Some(token) /> }.into_any()
        }
        None => view! { <OpenOrNot /> }.into_any(),
    }
}

/// No token: the open journey, unless the receiver wants a request for every consent. The open
/// journey is shown at once and stays mounted while the receiver is asked, so an open
/// deployment's first screen waits for nothing; only a receiver that answers "closed" replaces
/// it with the page saying how to get a request.
#[component]
fn OpenOrNot() -> impl IntoView {
    let open = RwSignal::new(None::<bool>);
    leptos::task::spawn_local(async move {
        let endpoint = crate::config::endpoint();
        let _ = open.try_set(Some(signing_request::open_signing(&endpoint).await));
    });
    // A memo: the view below is rebuilt only when the answer changes the journey.
    let closed = Memo::new(move |_| open.get() == Some(false));
    move || {
        if closed.get() {
            let state = AppState::new(Form::default());
            view! { <RequestJourney state=state token=None /> }.into_any()
        } else {
            view! { <App /> }.into_any()
        }
    }
}

/// The journey of the request `token`, in `state` (its host, its language); without a token,
/// the page saying how to get one. (One deferred loader for both: each instance of `Deferred`
/// is code of its own in the first load.)
#[component]
pub fn RequestJourney(state: AppState, token: Option<String>) -> impl IntoView {
    let locale = state.locale;
    view! { <Deferred locale load=move || pages::request_page(state, token.clone()) /> }
}
