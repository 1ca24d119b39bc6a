//! One labelled control bound to a form field path (contract.md §3): `name` is the path; when
//! the field's value fails a domain rule and the reader has left the field (or tried to submit)
//! the control has `aria-invalid="true"` and the message, in the reader's language, is in the
//! element its `aria-describedby` names. Once left, the message follows every keystroke. Which
//! messages show where is decided in one place, `signing::ctx`; this module only renders them.
//!
//! [`Field`] is the frame: the label, the hint, the message element. It computes the
//! [`ControlProps`] once, and with them the contract's attributes, which every control spreads
//! on: `id` and `name` ([`ControlProps::named`]), `aria-invalid` and `aria-describedby`
//! ([`ControlProps::described`]). One control per kind:
//!
//! - `input.rs`: free text, digits, amounts, telephone numbers, e-mail addresses and dates
//!   (`<input type="date">`, `YYYY-MM-DD`); a read-only select or reason (named read-only by
//!   the opener) is shown as a read-only text box;
//! - `select.rs`: a select over the document's labels;
//! - `reason.rs`: the cancellation reason, a select with `其他：` and the reader's words;
//! - `id_number.rs`: an ID number, masked once the field is left (`4403**********1246`) and
//!   revealed on request (the same request shows it whole in the agreement's blanks:
//!   `AppState::id_revealed`).

mod id_number;
mod input;
mod reason;
mod select;

use std::sync::Arc;

use leptos::attr::Attribute;
use leptos::prelude::*;
use qianyue_domain::labels::label_en;

use self::id_number::IdNumberControl;
use self::input::InputControl;
use self::reason::ReasonControl;
use self::select::SelectControl;
use crate::components::signing::ctx::{tr, use_signing, Shown, SigningCtx, FILLED_BY_APP};
use crate::components::signing::labels::field_label;
use crate::i18n::{UiLocale, LOCKED_BY_REQUEST};

/// The DOM id of the control for a field path (`customer.cert_number` → `f-customer-cert_number`).
pub fn control_id(path: &str) -> String {
    format!("f-{}", path.replace('.', "-"))
}

/// The DOM id of the element holding a control's messages.
pub fn message_id(path: &str) -> String {
    format!("{}-msg", control_id(path))
}

/// What kind of control a field is.
#[derive(Clone, Default)]
pub enum Kind {
    #[default]
    Text,
    /// Text typed as digits (`inputmode="numeric"`), e.g. codes and numbers.
    Numeric,
    /// A decimal amount of yuan (`inputmode="decimal"`).
    Money,
    Tel,
    Email,
    Date,
    /// One of the document's labels.
    Select(&'static [&'static str]),
    /// An ID number: masked once left, revealable.
    IdNumber,
    /// The cancellation reason: one of the document's reasons, or `其他：` and the reader's words.
    Reason,
}

/// An option's text: the document's label, with its English where the reader wants English.
pub fn option_text(label: &str, locale: UiLocale) -> String {
    match label_en(label) {
        None => label.to_owned(),
        Some(en) => locale.show(label, en),
    }
}

/// What a field's control is given, computed once by [`Field`]: the contract.md §3 hooks and
/// the two things a control tells the form.
#[derive(Clone)]
struct ControlProps {
    /// The control's DOM id, which the label's `for` names.
    id: String,
    /// The field path, the control's `name`.
    name: String,
    /// Whether the field has a message to show: `aria-invalid`.
    invalid: Memo<bool>,
    /// The id of the message element (and only it; a hint is part of the label):
    /// `aria-describedby`.
    described_by: String,
    /// The field's text.
    value: Memo<String>,
    /// Named read-only by the opener (or filled in by the app): the value cannot be changed.
    readonly: bool,
    /// The reader changed the value (ignored when read-only: `SigningCtx::edit`).
    on_input: OnInput,
    /// The reader left the control: its messages show from now on.
    on_blur: OnBlur,
}

type OnInput = Arc<dyn Fn(String) + Send + Sync>;
type OnBlur = Arc<dyn Fn() + Send + Sync>;

impl ControlProps {
    fn new(ctx: SigningCtx, path: &str, invalid: Memo<bool>) -> Self {
        let (edited, left) = (path.to_owned(), path.to_owned());
        Self {
            id: control_id(path),
            name: path.to_owned(),
            invalid,
            described_by: message_id(path),
            value: ctx.state.field(path),
            readonly: ctx.is_readonly(path),
            on_input: Arc::new(move |value| ctx.edit(&edited, value)),
            on_blur: Arc::new(move || ctx.leave(&left)),
        }
    }

    /// `on_input` and `on_blur`, for a control's event listeners.
    fn handlers(&self) -> (OnInput, OnBlur) {
        (self.on_input.clone(), self.on_blur.clone())
    }

    /// `id` (the label's target) and `name`, the field path (contract.md §3).
    fn named(&self) -> impl Attribute {
        let (id, name) = (self.id.clone(), self.name.clone());
        view! { <{..} id=id name=name /> }
    }

    /// `aria-invalid` and `aria-describedby`, naming the message element (contract.md §3).
    fn described(&self) -> impl Attribute {
        let invalid = self.invalid;
        let described_by = self.described_by.clone();
        view! { <{..} aria-invalid=move || invalid.get().to_string() aria-describedby=described_by /> }
    }
}

#[component]
pub fn Field(
    /// The field path, e.g. `customer.cert_number`.
    #[prop(into)]
    path: String,
    #[prop(optional)] kind: Kind,
    /// The domain does not require a value (fee inputs, remarks, the late-payment calculator).
    #[prop(optional)]
    optional: bool,
    /// A short hint under the label, (zh, en).
    #[prop(optional)]
    hint: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let messages = ctx.messages(path.clone());
    let invalid = Memo::new(move |_| messages.with(|m| !m.is_empty()));
    let control = ControlProps::new(ctx, &path, invalid);
    let (id, msg_id) = (control.id.clone(), control.described_by.clone());
    let readonly = control.readonly;
    let (label, path_label) = (field_label(&path), path.clone());
    // Locked by a signing request: the carrier's values, with the carrier's note.
    let by_request =
        readonly && path != FILLED_BY_APP && crate::signing_request::use_request().is_some();
    let lock = match (readonly, by_request) {
        (false, _) => Lock::Open,
        (true, false) => Lock::Opener,
        (true, true) => Lock::Request,
    };
    let label = move || label_text(label, &path_label, optional, lock, locale.get());
    let control = match kind {
        Kind::Select(options) if !readonly => {
            view! { <SelectControl control options /> }.into_any()
        }
        Kind::Reason if !readonly => view! { <ReasonControl control /> }.into_any(),
        Kind::IdNumber => view! { <IdNumberControl control /> }.into_any(),
        kind => view! { <InputControl control kind /> }.into_any(),
    };
    view! {
        <div class="field" class:field-invalid=move || invalid.get() data-locked=by_request.then_some("request")>
            <label for=id>
                {label}
                {hint.map(|(zh, en)| view! { <span class="hint">{tr(zh, en)}</span> })}
            </label>
            {control}
            <p class="message" id=msg_id aria-live="polite">
                {move || messages.with(|m| messages_text(m, locale.get()))}
            </p>
        </div>
    }
}

/// Who made a field read-only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lock {
    Open,
    /// The opener (`#readonly=`, an embedding's `readonly`).
    Opener,
    /// A signing request: the carrier's value.
    Request,
}

/// The label: the field's name, and whether it is optional, filled in by the app or read-only.
fn label_text(
    (zh, en): (&'static str, &'static str),
    path: &str,
    optional: bool,
    lock: Lock,
    l: UiLocale,
) -> String {
    let mut text = l.pick(zh, en);
    if optional {
        text.push_str(&l.pick("（选填）", " (optional)"));
    }
    if path == FILLED_BY_APP {
        text.push_str(&l.pick(
            "（签署当天，北京时间，自动填写）",
            " (the day of signing, China Standard Time, filled in automatically)",
        ));
    } else if lock == Lock::Opener {
        text.push_str(&l.pick("（已由系统填写）", " (filled in by the portal)"));
    } else if lock == Lock::Request {
        text.push_str(&l.pick(LOCKED_BY_REQUEST.0, LOCKED_BY_REQUEST.1));
    }
    text
}

fn messages_text(messages: &[Shown], locale: UiLocale) -> String {
    messages
        .iter()
        .map(|m| m.text(locale))
        .collect::<Vec<_>>()
        .join(" ")
}
