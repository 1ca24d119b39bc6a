//! The app's state, provided as context at the root: the form (one `Form` of the domain crate,
//! addressed by contract.md field paths), the reader's language, and the date the form is
//! judged on. Components read and write fields by path; nothing else holds form values.

use leptos::prelude::*;
use qianyue_domain::date::Date;
use qianyue_domain::form::{Form, HEAD_PATHS, ORDER_FIELDS, TAIL_PATHS};
use qianyue_domain::normalise::masked_id_number;

use crate::clock;
use crate::content::EnglishText;
use crate::embed::Host;
use crate::i18n::UiLocale;
use crate::keyed::Keyed;

#[derive(Clone, Copy)]
pub struct AppState {
    pub form: RwSignal<Form>,
    pub locale: RwSignal<UiLocale>,
    /// Where the agreement's English text is (crate::content): asked for when the reader
    /// first chooses English or both languages.
    pub english: RwSignal<EnglishText>,
    /// Today in China Standard Time, read once at start-up (`clock::today`): the date the
    /// form is judged on and the signing date.
    pub today: Date,
    /// Who hosts this instance (its own page, a portal's element or frame): ask it, not the
    /// page, for the endpoint, read-only fields and drafts, and tell it events.
    pub host: Host,
    /// Whether the outbox (and its panel, a deferred part) is needed: something waits on this
    /// device, the network is down, or a consent is being sent (components/app.rs).
    pub outbox_wanted: RwSignal<bool>,
    /// The ID-number fields the reader asked to see whole ("Show number"): one state per path,
    /// shared by the form's control and the agreement's blanks (see [`AppState::id_revealed`]).
    revealed_ids: RwSignal<Vec<String>>,
    /// The form's values by path, one signal each (see [`AppState::field`]).
    fields: StoredValue<Keyed<String>>,
    /// Flipped a task after the form changed (see [`AppState::track_settled`]); its value
    /// means nothing. (A `bool` signal, as `outbox_wanted`: no new reactive type in the wasm.)
    settled: RwSignal<bool>,
    /// Whether the effect that flips `settled` was started (the same state may be provided
    /// twice: a request's page, then the journey inside it).
    settling: StoredValue<bool>,
}

impl AppState {
    pub fn new(mut form: Form) -> AppState {
        // The signing date is the day of signing (China Standard Time), whatever a prefill or
        // a draft says: the receiver refuses any other (docs/decisions.md).
        let today = clock::today();
        form.signing.date = today.to_string();
        AppState::judged_on(form, today)
    }

    /// The state of the page rendered at build time (src/prerender.rs): the empty form, with
    /// no signing date (the day is not known at build time; the app fills it in as it takes
    /// over). `today` only judges values, and there are none.
    pub fn prerendered() -> AppState {
        let today = qianyue_domain::date::Date::from_days(0).expect("day 0 is 1970-01-01");
        AppState::judged_on(Form::default(), today)
    }

    fn judged_on(form: Form, today: Date) -> AppState {
        let form = RwSignal::new(form);
        AppState {
            form,
            locale: RwSignal::new(UiLocale::Zh),
            english: RwSignal::new(EnglishText::at_start()),
            today,
            host: Host::STANDALONE,
            outbox_wanted: RwSignal::new(false),
            revealed_ids: RwSignal::new(Vec::new()),
            fields: StoredValue::new(Keyed::new()),
            settled: RwSignal::new(false),
            settling: StoredValue::new(false),
        }
    }

    /// The same state, hosted by `host` (an embedding).
    pub fn with_host(self, host: Host) -> AppState {
        AppState { host, ..self }
    }

    /// The text at `path` (tracked): a memo, so a keystroke elsewhere does not re-render it.
    /// It follows the path's own signal, not the whole form: a keystroke wakes the readers of
    /// one field, however many fields there are.
    pub fn field(self, path: impl Into<String>) -> Memo<String> {
        let path = path.into();
        let form = self.form;
        self.fields.with_value(|fields| {
            self.feed_fields(fields);
            fields.memo(&path, || {
                form.with_untracked(|f| f.value(&path).unwrap_or_default().to_owned())
            })
        })
    }

    /// Starts, once, the one reader of the whole form that keeps every field's signal in step
    /// (keyed.rs). It compares the form with what it saw last, so a keystroke costs a few
    /// comparisons per product line, not a look at every field.
    fn feed_fields(self, fields: &Keyed<String>) {
        let form = self.form;
        fields.feed_once(|fields| {
            Effect::new(move |seen: Option<Form>| {
                // A task after the keystroke: the control, the agreement's blanks and the
                // masks follow the form once its message is shown (`track_settled`).
                self.track_settled();
                form.with_untracked(|now| match seen {
                    Some(mut seen) => {
                        for (path, value) in take_changes(&mut seen, now) {
                            fields.set(&path, value);
                        }
                        seen
                    }
                    None => {
                        fields.sync_changed(|path, old| {
                            let value = now.value(path).unwrap_or_default();
                            (old != value).then(|| value.to_owned())
                        });
                        now.clone()
                    }
                })
            });
        });
    }

    /// Tracks the form *settled*: what reads the form through this (the fields' cells and so
    /// the controls' values and the agreement's blanks, the previews, the progress, the draft)
    /// runs in a task of its own after an edit, not in the keystroke's. The keystroke's task
    /// then holds only the form's write, the rules and the field's message, which is what the
    /// reader waits for (docs/decisions.md, "The message first"). Edits in a row are
    /// followed once.
    pub fn track_settled(self) {
        self.settled.track();
    }

    /// Starts, once, the effect that flips `settled` a task after each change of the form,
    /// owned by the first caller (who provides the state: it lives as long as the state is in
    /// use).
    fn start_settling(self) {
        if self.settling.get_value() {
            return;
        }
        self.settling.set_value(true);
        let (form, settled) = (self.form, self.settled);
        let pending = std::rc::Rc::new(std::cell::Cell::new(false));
        Effect::new(move |first: Option<()>| {
            form.track();
            if first.is_some() && !pending.replace(true) {
                let pending = pending.clone();
                // A task of its own (the timer Leptos's helpers already bring, as draft.rs's):
                // after the keystroke's, and after what the browser does between tasks.
                set_timeout(
                    move || {
                        pending.set(false);
                        settled.try_update(|s| *s = !*s);
                    },
                    std::time::Duration::ZERO,
                );
            }
        });
    }

    /// The text at `path` (tracked) straight from its cell, without a memo of its own: for a
    /// derivation that reads many fields at once (the product lines' templates), which then
    /// wakes only when one of those fields changes.
    pub fn field_value(self, path: &str) -> String {
        let form = self.form;
        self.fields.with_value(|fields| {
            self.feed_fields(fields);
            fields
                .cell(path, || {
                    form.with_untracked(|f| f.value(path).unwrap_or_default().to_owned())
                })
                .get()
        })
    }

    /// The ID number at `path` as shown masked (the domain's [`masked_id_number`]), following
    /// only the two fields the mask depends on, not every keystroke of the form. One
    /// derivation for the form's control and the agreement's blanks.
    pub fn masked_id(self, path: &str) -> Memo<String> {
        let raw = self.field(path);
        let id_type = self.field(path.replace("id_number", "id_type"));
        let (form, today, path) = (self.form, self.today, path.to_owned());
        Memo::new(move |_| {
            // Read, not only tracked: a memo nobody has read stays stale and wakes no one.
            raw.with(|_| ());
            id_type.with(|_| ());
            form.with_untracked(|f| masked_id_number(f, &path, today))
        })
    }

    /// Sets the text at `path`. Paths come from the contract's list, so a refusal is a
    /// programming error and is ignored rather than allowed to break the page.
    pub fn set_field(self, path: &str, value: String) {
        self.form.update(|f| {
            let _ = f.set_value(path, value);
        });
    }
}

impl AppState {
    /// Whether the reader asked to see the ID number at `path` whole (tracked). Otherwise it
    /// is shown masked, in the form (once left) and in the agreement's blanks alike.
    pub fn id_revealed(self, path: &str) -> bool {
        self.revealed_ids.with(|r| r.iter().any(|p| p == path))
    }

    /// [`AppState::id_revealed`] without tracking.
    pub fn id_revealed_untracked(self, path: &str) -> bool {
        self.revealed_ids
            .with_untracked(|r| r.iter().any(|p| p == path))
    }

    /// Shows the ID number at `path` whole, or masked again: the form's "Show number" button.
    pub fn toggle_id_revealed(self, path: &str) {
        self.revealed_ids.update(|r| {
            if let Some(i) = r.iter().position(|p| p == path) {
                r.remove(i);
            } else {
                r.push(path.to_owned());
            }
        });
    }
}

/// The paths whose text differs between `seen` and `now`, with their text in `now`; `seen` is
/// brought up to date (only the product lines that changed are copied).
fn take_changes(seen: &mut Form, now: &Form) -> Vec<(String, String)> {
    let mut changes = Vec::new();
    for path in HEAD_PATHS.iter().chain(TAIL_PATHS.iter()) {
        let value = now.value(path).unwrap_or_default();
        if seen.value(path).unwrap_or_default() != value {
            changes.push(((*path).to_owned(), value.to_owned()));
            let _ = seen.set_value(path, value);
        }
    }
    for i in 0..seen.orders.len().max(now.orders.len()) {
        let (before, after) = (seen.orders.get(i), now.orders.get(i));
        if before == after {
            continue;
        }
        for field in ORDER_FIELDS {
            let path = format!("orders.{i}.{field}");
            let value = now.value(&path).unwrap_or_default();
            if seen.value(&path).unwrap_or_default() != value {
                changes.push((path, value.to_owned()));
            }
        }
        if let Some(after) = after {
            if i < seen.orders.len() {
                seen.orders[i] = after.clone();
            } else {
                seen.orders.push(after.clone());
            }
        }
    }
    seen.orders.truncate(now.orders.len());
    changes
}

pub fn provide_app_state(state: AppState) {
    provide_context(state);
    // From the start, so that no edit comes before it (the draft must not see one that was
    // not made: `components::signing`).
    state.start_settling();
}

pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
