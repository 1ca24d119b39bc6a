//! The signing journey: the whole form in the document's order (customer, group contact,
//! product administrator, product lines with their fee inputs and previews, late-payment
//! calculator, authorisation letter, signing), then the separate consents, the signature, and
//! sign-and-send with its result. State beside the form lives in `ctx.rs`; every rule is the
//! domain crate's.

pub mod consents;
pub mod ctx;
pub mod labels;
pub mod orders;
pub mod preview;
pub mod progress;
pub mod sections;
pub mod signature_pad;
pub mod submit;

use leptos::prelude::*;

use self::consents::Consents;
use self::ctx::{provide_signing, Outcome, SigningCtx};
use self::orders::OrdersSection;
use self::preview::LatePayment;
use self::progress::Progress;
use self::sections::{AdminSection, AgentSection, ContactSection, CustomerSection, SigningSection};
use self::signature_pad::SignatureSection;
use self::submit::{Receipt, SubmitArea};
use crate::components::loading::{Deferred, DeferredUntilNear};
use crate::components::outbox::QueuedNotice;
use crate::components::request::identity::IdentityStep;
use crate::components::staff::witness::WitnessStep;
use crate::deferred::deferred;
use crate::draft;
use crate::events::AppEvent;
use crate::i18n::UiLocale;
use crate::signing_request::{use_request, RequestCtx};
use crate::staff::WitnessCtx;
use crate::state::use_app_state;

#[component]
pub fn SigningPanel() -> impl IntoView {
    let state = use_app_state();
    // A signing request's read-only paths (from the receiver), else the opener's.
    let readonly = match use_request() {
        Some(request) => state.form.with_untracked(|f| request.readonly_paths(f)),
        None => state.host.readonly_paths(),
    };
    let ctx = SigningCtx::new(state, readonly);
    provide_signing(ctx);

    // The draft: saved a moment after typing stops (`draft::Debounce`), and when the page is
    // hidden or left.
    let debounce = StoredValue::new(draft::Debounce::default());
    Effect::new(move |first: Option<()>| {
        state.track_settled();
        // Embedded, the host holds the values: no draft (see `Host::keeps_drafts`).
        if first.is_none() || !state.host.keeps_drafts() {
            return;
        }
        draft::Debounce::edited(debounce, move || {
            if ctx.outcome.try_get_untracked() != Some(Outcome::Sending) {
                let _ = state.form.try_with_untracked(draft::save_current);
            }
        });
    });
    let on_leave = window_event_listener_untyped("pagehide", move |_| {
        if state.host.keeps_drafts()
            && !matches!(
                ctx.outcome.try_get_untracked(),
                Some(Outcome::Accepted(_) | Outcome::Queued(_)) | None
            )
        {
            let _ = state.form.try_with_untracked(draft::save_current);
        }
    });
    on_cleanup(move || {
        on_leave.remove();
        draft::Debounce::cancel(debounce);
    });

    // The languages the agreement has been shown in (the payload names their texts).
    Effect::new(move |_| {
        let shown =
            crate::components::agreement::shown_langs(state.locale.get(), state.english.get());
        ctx.langs_shown.update(|langs| {
            for lang in shown {
                if !langs.contains(lang) {
                    langs.push(*lang);
                }
            }
        });
    });

    // The host hears of the receipt, and of each failure to send (a no-op on our own page).
    Effect::new(move |_| match ctx.outcome.get() {
        Outcome::Accepted(receipt) => state.host.emit(AppEvent::Submitted { receipt }),
        Outcome::Failed(shown) => state.host.emit(AppEvent::Error(shown)),
        Outcome::Idle | Outcome::Sending | Outcome::Queued(_) => {}
    });

    // The form stays mounted while sending (a memo: only acceptance swaps it for the receipt,
    // and a consent kept on this device for the "saved, will be sent" notice).
    let result = Memo::new(move |_| match ctx.outcome.get() {
        Outcome::Accepted(receipt) => Some(Ok(receipt)),
        Outcome::Queued(id) => Some(Err(id)),
        _ => None,
    });
    view! {
        <div class="signing-panel" id="signing">
            <Show when=move || result.with(Option::is_some) fallback=|| view! { <SigningForm /> }>
                {move || {
                    result.get().map(|r| {
                        let locale = state.locale;
                        view! { <Deferred locale load=move || result_screen(r.clone(), locale) /> }
                    })
                }}
            </Show>
        </div>
    }
}

#[component]
fn SigningForm() -> impl IntoView {
    view! {
        <form class="signing" novalidate on:submit=|ev| ev.prevent_default() aria-label="签署 / Signing">
            <Progress />
            <CustomerSection />
            <ContactSection />
            <AdminSection />
            <OrdersSection />
            <DeferredUntilNear locale=use_app_state().locale load=signing_step />
        </form>
    }
}

deferred!(signing, preload preload_signing_step;
    /// Everything after the order: the late-payment calculator, the authorisation letter, the
    /// signing details, the consents, the signature and sign-and-send.
    pub(crate) fn signing_step() -> AnyView {
        // A signing request's identity step comes before the signature, which it opens.
        let signature = match use_request() {
            None => view! { <SignatureSection /> }.into_any(),
            // On a staff device: the check in person instead of the SMS code.
            Some(request) if request.witness.is_some() => {
                let witness = request.witness.expect("checked");
                let locale = use_app_state().locale;
                view! {
                    <Deferred locale load=move || witness_step(request, witness) />
                    <fieldset class="signature-step" disabled=move || !request.is_verified()>
                        <SignatureSection />
                    </fieldset>
                }
                .into_any()
            }
            Some(request) => view! {
                <IdentityStep request=request />
                <fieldset class="signature-step" disabled=move || !request.is_verified()>
                    <SignatureSection />
                </fieldset>
            }
            .into_any(),
        };
        view! {
            <LatePayment />
            <AgentSection />
            <SigningSection />
            <Consents />
            {signature}
            <SubmitArea />
        }
        .into_any()
    }
);

deferred!(witness, preload preload_witness_step;
    /// The witness step, only on a staff device (docs/staff.md "The app"): a part of its own,
    /// so that the signing step of every other signer does without it (docs/bytes.md).
    pub(crate) fn witness_step(request: RequestCtx, witness: WitnessCtx) -> AnyView {
        view! { <WitnessStep request=request witness=witness /> }.into_any()
    }
);

deferred!(signing;
    /// The result screen: the receipt page, or "saved on this device, will be sent". It takes
    /// the form's place, and the focus (the button that was pressed is gone).
    fn result_screen(result: Result<serde_json::Value, String>, locale: RwSignal<UiLocale>) -> AnyView {
        self::orders::focus_later("receipt".to_owned());
        match result {
            Ok(receipt) => {
                let form = use_app_state().form.get_untracked();
                view! { <Receipt receipt=receipt form=form /> }.into_any()
            }
            Err(id) => view! { <QueuedNotice locale=locale id=id /> }.into_any(),
        }
    }
);
