//! The signing journey's state beside the form: which fields were left (touched), whether a
//! submit was attempted, the server's field errors, the read-only fields, the consents and the
//! signature; and the one place that decides which messages are shown where.
//!
//! Every rule message comes from the domain: one memo runs `form::validate(&form, today)` on
//! each change and the messages are grouped by field path. A control shows its path's
//! messages once it was left (then live, on every keystroke) or after a submit attempt. A
//! cross-field message (`cross.*`) is shown at every field involved as soon as any one of them
//! was left, so both sides of a disagreement are marked together. Values prefilled by the
//! opener count as left: a wrong prefilled value is shown at once.

use std::cell::RefCell;

use leptos::prelude::*;
use qianyue_domain::date::Date;
use qianyue_domain::error::RuleMessage;
use qianyue_domain::form::{FieldError, Form};
use qianyue_domain::incremental::{Previewer, Validator};
use qianyue_domain::key_map::{KeyMap, KeySet};
use qianyue_domain::payload::ConsentId;
use qianyue_domain::preview::PreviewValue;

use crate::i18n::UiLocale;
use crate::keyed::Keyed;
use crate::state::AppState;

/// UI words in the reader's language, as a signal. Every reactive text of the form is a
/// `Signal<String>` (see [`text`]): rendered directly, each distinct closure would be compiled
/// into render code of its own, and the form has a great many of them.
pub fn tr(zh: &'static str, en: &'static str) -> Signal<String> {
    let locale = crate::state::use_app_state().locale;
    Signal::derive(move || locale.get().pick(zh, en))
}

/// A reactive text as a signal (see [`tr`]).
pub fn text(f: impl Fn() -> String + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(f)
}

/// A reactive `"true"` / `"false"` attribute value (`aria-invalid`, `aria-pressed`).
pub fn flag(f: impl Fn() -> bool + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(move || f().to_string())
}

/// [`UiLocale::pick`] for words built at run time.
pub fn pick_owned(locale: UiLocale, zh: String, en: String) -> String {
    locale.show(&zh, &en)
}

/// A message shown at a field: a domain rule's, or one the server sent back (the domain's one
/// message type; `crate::i18n::Show` words it in the reader's language).
pub type Shown = qianyue_domain::error::Message;

/// The control name of a consent's checkbox: `consent.<id>` (the payload's consent id).
pub fn consent_name(id: ConsentId) -> String {
    format!("consent.{}", id.as_str())
}

/// The position of a consent in [`ConsentId::ALL`] (and in [`SigningCtx::consents`]).
pub fn consent_index(id: ConsentId) -> usize {
    ConsentId::ALL.iter().position(|c| *c == id).unwrap_or(0)
}

/// How the signer signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureMode {
    Drawn,
    Typed,
}

/// One stroke of the pad: its points in the pad's integer canvas coordinates (origin top left),
/// as the payload's `signature_image` carries them.
pub type Stroke = Vec<[u32; 2]>;

/// Where the submit went.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Idle,
    Sending,
    /// Accepted: the receipt as the server returned it.
    Accepted(serde_json::Value),
    /// Not sent or refused, with what to tell the reader.
    Failed(Shown),
    /// Signed and kept on this device by the outbox (docs/offline.md), not delivered yet: the
    /// payload's idempotency id. Becomes `Accepted` or `Failed` once the outbox settles it.
    Queued(String),
}

#[derive(Clone, Copy)]
pub struct SigningCtx {
    pub state: AppState,
    /// Every failing domain rule of the whole form, in the document's order.
    pub errors: Memo<Vec<FieldError>>,
    /// The preview figures as last computed (see [`SigningCtx::figure`]).
    previewer: StoredValue<Previewer>,
    pub touched: RwSignal<KeySet>,
    pub submitted: RwSignal<bool>,
    /// Field errors the server sent back, by path; a path's are dropped once it is edited.
    pub server: RwSignal<KeyMap<Vec<Shown>>>,
    /// What each field shows now, by path.
    pub visible: Memo<KeyMap<Vec<Shown>>>,
    /// [`SigningCtx::visible`] and the figures by key, one signal each (keyed.rs).
    shown_by_path: StoredValue<Keyed<Vec<Shown>>>,
    figures: StoredValue<Keyed<Option<FigureState>>>,
    pub readonly: StoredValue<KeySet>,
    /// The four separate consents, in [`ConsentId::ALL`] order; never pre-ticked or saved.
    pub consents: RwSignal<[bool; 4]>,
    /// The languages the agreement has been shown in during this visit.
    pub langs_shown: RwSignal<Vec<qianyue_domain::content::Lang>>,
    pub signature_mode: RwSignal<SignatureMode>,
    pub strokes: RwSignal<Vec<Stroke>>,
    pub typed_signature: RwSignal<String>,
    pub outcome: RwSignal<Outcome>,
    /// The signing request of this journey (`None`: the open journey): its read-only paths
    /// are in [`SigningCtx::readonly`]; the signer verifies before signing.
    pub request: Option<crate::signing_request::RequestCtx>,
    /// The last envelope sent and what it was built from (see `submit.rs`): a retry of the
    /// same content resends it unchanged.
    pub last_envelope: StoredValue<Option<(String, String)>>,
}

/// A figure, or the reason it cannot be computed (an amount or a date past the range the domain
/// computes in: `preview::figures`).
pub type FigureState = Result<PreviewValue, RuleMessage>;

fn figure_state(p: &Previewer, key: &str) -> Option<FigureState> {
    match p.figures().get(key) {
        Some(v) => Some(Ok(*v)),
        None => p.not_computable().get(key).map(|why| Err(why.clone())),
    }
}

thread_local! {
    /// A validator and a previewer that have already judged the form, and the day they judged
    /// it on ([`prepare`]).
    static PREPARED: RefCell<Option<(Date, Validator, Previewer)>> = const { RefCell::new(None) };
}

/// Judges the form and works out its figures ahead of the form's first render, in idle time
/// before the reader asks for the form (components/app.rs): that render then only reads them
/// (on a phone, about a sixth of it). Both are incremental and exact for whatever form they are
/// given next, judging again only what changed, so an edit made meanwhile cannot make them
/// wrong.
pub fn prepare(state: AppState) {
    let (mut validator, mut previewer) = (Validator::new(), Previewer::new());
    state.form.with_untracked(|f| {
        validator.validate(f, state.today);
        previewer.update(f, state.today);
    });
    PREPARED.with(|p| *p.borrow_mut() = Some((state.today, validator, previewer)));
}

/// The prepared validator and previewer, if they judged on `today`; else new ones.
fn prepared(today: Date) -> (Validator, Previewer) {
    match PREPARED.with(|p| p.borrow_mut().take()) {
        Some((on, validator, previewer)) if on == today => (validator, previewer),
        _ => (Validator::new(), Previewer::new()),
    }
}

/// The field the app fills in itself: the signing date, the day of signing in China Standard
/// Time (`AppState::new`, and again when the consent is signed).
pub const FILLED_BY_APP: &str = "signing.date";

/// The paths that hold a value in `form`: they count as left from the start.
fn filled_paths(form: &Form) -> KeySet {
    form.paths()
        .into_iter()
        .filter(|p| form.value(p).is_some_and(|v| !v.trim().is_empty()))
        .collect()
}

impl SigningCtx {
    pub fn new(state: AppState, mut readonly: KeySet) -> SigningCtx {
        // The signing date is filled in by the app (the day of signing), never typed.
        readonly.insert(FILLED_BY_APP.to_owned());
        let today = state.today;
        let form = state.form;
        // Incremental: a keystroke re-judges only the product line it changed (incremental.rs),
        // with exactly `validate`'s and `preview`'s results.
        let (validator, mut first) = prepared(today);
        let validator = StoredValue::new(validator);
        let errors = Memo::new(move |_| {
            form.with(|f| validator.try_update_value(|v| v.validate(f, today)))
                .unwrap_or_default()
        });
        form.with_untracked(|f| first.update(f, today));
        let previewer = StoredValue::new(first);
        let touched = RwSignal::new(form.with_untracked(filled_paths));
        let submitted = RwSignal::new(false);
        let server = RwSignal::new(KeyMap::<Vec<Shown>>::new());
        let visible = Memo::new(move |_| {
            let submitted = submitted.get();
            let mut out: KeyMap<Vec<Shown>> = KeyMap::new();
            touched.with(|touched| {
                errors.with(|errors| {
                    let live_cross: Vec<&str> = errors
                        .iter()
                        .filter(|e| e.code().starts_with("cross.") && touched.contains(&e.path))
                        .map(|e| e.code())
                        .collect();
                    for e in errors {
                        let shown = submitted
                            || touched.contains(&e.path)
                            || live_cross.contains(&e.code());
                        if shown {
                            out.get_or_insert_with(&e.path, Vec::new)
                                .push(e.rule.clone());
                        }
                    }
                })
            });
            server.with(|server| {
                for (path, messages) in server {
                    let list = out.get_or_insert_with(path, Vec::new);
                    for m in messages {
                        if !list.contains(m) {
                            list.push(m.clone());
                        }
                    }
                }
            });
            out
        });
        // One reader each of the messages and of the figures keeps their keyed signals in step.
        let shown_by_path = Keyed::<Vec<Shown>>::new();
        let following = shown_by_path.clone();
        // Compared with the messages shown last: a keystroke touches the paths whose messages
        // changed, not every path.
        Effect::new(move |seen: Option<KeyMap<Vec<Shown>>>| {
            visible.with(|now| {
                match &seen {
                    Some(seen) => {
                        for path in seen.keys().chain(now.keys()) {
                            if seen.get(path) != now.get(path) {
                                following.set(path, now.get(path).cloned().unwrap_or_default());
                            }
                        }
                    }
                    None => following.sync(|path| now.get(path).cloned().unwrap_or_default()),
                }
                now.clone()
            })
        });
        let figures = Keyed::<Option<FigureState>>::new();
        let following = figures.clone();
        Effect::new(move |_| {
            state.track_settled();
            form.with_untracked(|f| {
                previewer.try_update_value(|p| {
                    if p.update(f, today) {
                        following.sync(|key| figure_state(p, key));
                    }
                })
            });
        });
        SigningCtx {
            state,
            shown_by_path: StoredValue::new(shown_by_path),
            figures: StoredValue::new(figures),
            errors,
            previewer,
            touched,
            submitted,
            server,
            visible,
            readonly: StoredValue::new(readonly),
            consents: RwSignal::new([false; 4]),
            langs_shown: RwSignal::new(Vec::new()),
            signature_mode: RwSignal::new(SignatureMode::Drawn),
            strokes: RwSignal::new(Vec::new()),
            typed_signature: RwSignal::new(String::new()),
            outcome: RwSignal::new(Outcome::Idle),
            last_envelope: StoredValue::new(None),
            request: crate::signing_request::use_request(),
        }
    }

    pub fn locale(self) -> RwSignal<UiLocale> {
        self.state.locale
    }

    /// The messages shown at `path` now (tracked; changes only when they change).
    pub fn messages(self, path: String) -> Memo<Vec<Shown>> {
        let visible = self.visible;
        self.shown_by_path.with_value(|keyed| {
            keyed.memo(&path, || {
                visible.with_untracked(|v| v.get(&path).cloned().unwrap_or_default())
            })
        })
    }

    /// The preview figure at `key` now, or why it cannot be computed (tracked; woken only when
    /// that figure changes).
    pub fn figure(self, key: String) -> Memo<Option<FigureState>> {
        let previewer = self.previewer;
        self.figures.with_value(|keyed| {
            keyed.memo(&key, || previewer.with_value(|p| figure_state(p, &key)))
        })
    }

    pub fn is_readonly(self, path: &str) -> bool {
        self.readonly.with_value(|r| r.contains(path))
    }

    /// The reader typed `value` at `path`.
    pub fn edit(self, path: &str, value: String) {
        if self.is_readonly(path) {
            return;
        }
        self.state.set_field(path, value);
        if self.server.with_untracked(|s| s.contains_key(path)) {
            self.server.update(|s| {
                s.remove(path);
            });
        }
    }

    /// The reader left the field at `path`: from now on its messages are shown, and its value
    /// is shown as the domain normalises it.
    pub fn leave(self, path: &str) {
        if !self.touched.with_untracked(|t| t.contains(path)) {
            self.touched.update(|t| {
                t.insert(path.to_owned());
            });
        }
        if self.is_readonly(path) {
            return;
        }
        let today = self.state.today;
        let normalised = self
            .state
            .form
            .with_untracked(|f| qianyue_domain::normalise::normalised(f, path, today));
        if let Some(value) = normalised {
            self.state.set_field(path, value);
        }
    }

    /// Removes product line `index`; the touched marks and server errors of the lines after it
    /// move up with them.
    pub fn remove_order(self, index: usize) {
        self.state.form.update(|f| {
            if index < f.orders.len() {
                f.orders.remove(index);
            }
        });
        let shift = |path: &str| -> Option<String> {
            let rest = path.strip_prefix("orders.")?;
            let (n, field) = rest.split_once('.')?;
            let n: usize = n.parse().ok()?;
            match n.cmp(&index) {
                std::cmp::Ordering::Less => Some(path.to_owned()),
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => Some(format!("orders.{}.{field}", n - 1)),
            }
        };
        let moved = |path: &String| -> Option<String> {
            if path.starts_with("orders.") {
                shift(path)
            } else {
                Some(path.clone())
            }
        };
        self.touched
            .update(|t| *t = t.iter().filter_map(moved).collect());
        self.server.update(|s| {
            *s = std::mem::take(s)
                .into_iter()
                .filter_map(|(p, m)| moved(&p).map(|p| (p, m)))
                .collect();
        });
    }
}

pub fn provide_signing(ctx: SigningCtx) {
    provide_context(ctx);
}

pub fn use_signing() -> SigningCtx {
    expect_context::<SigningCtx>()
}
