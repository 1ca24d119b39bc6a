//! The app's state, provided as context at the root: the form (one `Form` of the domain crate,
//! addressed by contract.md field paths), the reader's language, and the date the form is
//! judged on. Components read and write fields by path; nothing else holds form values.

use leptos::prelude::*;
use qianyue_domain::date::Date;
use qianyue_domain::form::Form;

use crate::clock;
use crate::embed::Host;
use crate::i18n::UiLocale;
use crate::keyed::Keyed;

#[derive(Clone, Copy)]
pub struct AppState {
    pub form: RwSignal<Form>,
    pub locale: RwSignal<UiLocale>,
    /// The signer's local date, read once at start-up.
    pub today: Date,
    /// Who hosts this instance (its own page, a portal's element or frame): ask it, not the
    /// page, for the endpoint, read-only fields and drafts, and tell it events.
    pub host: Host,
    /// The form's values by path, one signal each (see [`AppState::field`]).
    fields: StoredValue<Keyed<String>>,
}

impl AppState {
    pub fn new(form: Form) -> AppState {
        let form = RwSignal::new(form);
        AppState {
            form,
            locale: RwSignal::new(UiLocale::Zh),
            today: clock::today(),
            host: Host::STANDALONE,
            fields: StoredValue::new(Keyed::new()),
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
            // One reader of the whole form keeps every field's signal in step (keyed.rs).
            fields.feed_once(|fields| {
                Effect::new(move |_| {
                    form.with(|f| {
                        fields.sync_changed(|path, old| {
                            let now = f.value(path).unwrap_or_default();
                            (old != now).then(|| now.to_owned())
                        })
                    })
                });
            });
            fields.memo(&path, || {
                form.with_untracked(|f| f.value(&path).unwrap_or_default().to_owned())
            })
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

pub fn provide_app_state(state: AppState) {
    provide_context(state);
}

pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
