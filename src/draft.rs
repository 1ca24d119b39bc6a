//! The typed draft: what the reader has typed survives a reload. Only form values are kept;
//! the signature and the consents never are (they must be given afresh, knowingly).
//!
//! - The form goes to `localStorage` under [`DRAFT_KEY`] (its basis under [`BASIS_KEY`]),
//!   **without** the ID numbers
//!   (`contact.id_number`, `agent.id_number`: sensitive personal information, PIPL art. 28),
//!   which go to `sessionStorage` under [`IDS_KEY`]: they survive a reload of the tab but are
//!   gone when the tab is closed.
//! - A draft belongs to the prefill it was started from (its `basis`, the SHA-256 of the
//!   prefilled form's JSON, or of nothing): a draft of another contract is never applied.
//! - Storage may be unavailable (private mode, quota, a sandboxed frame): every failure is
//!   ignored and the app simply has no draft.
//! - It is saved a moment ([`DELAY`]) after typing pauses ([`Debounce`]): a keystroke only notes
//!   its time; one timer at a time checks, when it fires, whether typing has paused long enough
//!   (re-arming a browser timer on every keystroke costs more than the rest of the draft's work).

use std::time::Duration;

use leptos::prelude::{
    set_timeout_with_handle, StoredValue, TimeoutHandle, UpdateValue, WithValue,
};
use qianyue_domain::content::sha256_hex;
use qianyue_domain::form::Form;
use qianyue_domain::form_json;
use web_sys::Storage;

use crate::clock;

/// The draft form (contract.md §1 JSON, ID numbers blank).
pub const DRAFT_KEY: &str = "qianyue.draft.v1";
/// The basis of the stored draft.
pub const BASIS_KEY: &str = "qianyue.draft.v1.basis";
/// The ID numbers, one a line, in [`ID_PATHS`] order (sessionStorage).
pub const IDS_KEY: &str = "qianyue.draft.ids.v1";
pub const ID_PATHS: [&str; 2] = ["contact.id_number", "agent.id_number"];

/// The basis of a draft started from `prefill` (`None`: a blank form).
pub fn basis(prefill: Option<&Form>) -> String {
    let json = prefill.map(form_json::write).unwrap_or_default();
    sha256_hex(json.as_bytes())
}

fn local() -> Option<Storage> {
    leptos::prelude::window().local_storage().ok().flatten()
}

fn session() -> Option<Storage> {
    leptos::prelude::window().session_storage().ok().flatten()
}

/// The saved draft for `basis`, if any.
pub fn load(basis: &str) -> Option<Form> {
    let storage = local()?;
    if storage.get_item(BASIS_KEY).ok()?? != basis {
        return None;
    }
    // Read as the prefill is, by the domain's reader: no serde in the first load.
    let mut form = form_json::read(&storage.get_item(DRAFT_KEY).ok()??).ok()?;
    let ids = session().and_then(|s| s.get_item(IDS_KEY).ok().flatten());
    for (path, value) in ID_PATHS
        .iter()
        .zip(ids.as_deref().unwrap_or("").split('\n'))
    {
        if !value.is_empty() {
            let _ = form.set_value(path, value);
        }
    }
    Some(form)
}

/// Saves `form` as the draft for `basis`.
pub fn save(basis: &str, form: &Form) {
    let mut without_ids = form.clone();
    let mut ids = Vec::new();
    for path in ID_PATHS {
        // An ID number holds no line break once it is valid; one typed is dropped here.
        ids.push(form.value(path).unwrap_or_default().replace('\n', ""));
        let _ = without_ids.set_value(path, "");
    }
    if let Some(storage) = local() {
        let _ = storage.set_item(BASIS_KEY, basis);
        let _ = storage.set_item(DRAFT_KEY, &form_json::write(&without_ids));
    }
    if let Some(storage) = session() {
        let _ = storage.set_item(IDS_KEY, &ids.join("\n"));
    }
}

/// Forgets the draft (after the consent was accepted by the server).
pub fn clear() {
    if let Some(storage) = local() {
        let _ = storage.remove_item(DRAFT_KEY);
        let _ = storage.remove_item(BASIS_KEY);
    }
    if let Some(storage) = session() {
        let _ = storage.remove_item(IDS_KEY);
    }
}

thread_local! {
    /// The basis of this page's draft, set by [`initial_form`].
    static BASIS: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The form to start from: the saved draft of this prefill if there is one (with the opener's
/// read-only fields taken from the prefill, never from the draft), else the prefill, else a
/// blank form.
pub fn initial_form(prefill: Option<Form>) -> Form {
    let basis = basis(prefill.as_ref());
    let draft = load(&basis);
    BASIS.with(|b| *b.borrow_mut() = basis);
    match (draft, prefill) {
        (Some(mut draft), Some(prefill)) => {
            for path in crate::config::readonly_paths() {
                if let Some(v) = prefill.value(&path) {
                    let _ = draft.set_value(&path, v);
                }
            }
            // An ID number the draft lacks (sessionStorage not there, or not yet: Firefox may
            // show the new page a sessionStorage without the last page's final writes) comes
            // from the prefill the draft was started from (docs/engines.md).
            for path in ID_PATHS {
                if draft.value(path).unwrap_or_default().is_empty() {
                    if let Some(v) = prefill.value(path).filter(|v| !v.is_empty()) {
                        let _ = draft.set_value(path, v);
                    }
                }
            }
            draft
        }
        (Some(draft), None) => draft,
        (None, prefill) => prefill.unwrap_or_default(),
    }
}

/// The form to start a signing request's journey from: the saved draft of this request's form
/// if there is one, with every path `locked` (the request's read-only ones) taken from the
/// request, never from the draft; else the request's form. (The request's values win over
/// a draft as over a URL's prefill: docs/decisions.md "Signing requests in the app".)
pub fn initial_form_locked(request: Form, locked: impl Fn(&str) -> bool) -> Form {
    let basis = basis(Some(&request));
    let draft = load(&basis);
    BASIS.with(|b| *b.borrow_mut() = basis);
    let Some(mut draft) = draft else {
        return request;
    };
    // Product lines with a locked field cannot be added or removed: their count is the request's.
    let lines_locked = request
        .paths()
        .iter()
        .any(|p| p.starts_with("orders.") && locked(p));
    if locked("orders") || (lines_locked && draft.orders.len() != request.orders.len()) {
        draft.orders = request.orders.clone();
    }
    for path in request.paths() {
        if locked(&path) {
            let _ = draft.set_value(&path, request.value(&path).unwrap_or_default());
        }
    }
    draft
}

/// Saves `form` as this page's draft.
pub fn save_current(form: &Form) {
    let basis = BASIS.with(|b| b.borrow().clone());
    save(&basis, form);
}

// ------------------------------------------------------------------------------------------
// Saving once typing pauses

/// How long typing pauses before the draft is saved.
pub const DELAY: Duration = Duration::from_millis(400);

/// When the draft was last edited, and the timer waiting to save it, if one is. Kept in a
/// `StoredValue` owned by the view that edits the form: when the view is gone, nothing fires.
#[derive(Default)]
pub struct Debounce {
    last_edit_ms: f64,
    timer: Option<TimeoutHandle>,
}

impl Debounce {
    /// Notes an edit now; arms the timer that calls `save` once typing has paused for
    /// [`DELAY`], unless one is waiting already.
    pub fn edited(this: StoredValue<Debounce>, save: impl Fn() + 'static) {
        let waiting = this.try_update_value(|d| {
            d.last_edit_ms = clock::now_ms();
            d.timer.is_some()
        });
        if waiting == Some(false) {
            arm(this, DELAY, save);
        }
    }

    /// Stops the waiting timer, if any (the view is going away).
    pub fn cancel(this: StoredValue<Debounce>) {
        if let Some(Some(handle)) = this.try_update_value(|d| d.timer.take()) {
            handle.clear();
        }
    }
}

/// Saves (`save`) once `delay` has passed since the last edit: when the timer fires early (an
/// edit came meanwhile), it waits again for the rest of the pause.
fn arm(this: StoredValue<Debounce>, delay: Duration, save: impl Fn() + 'static) {
    let handle = set_timeout_with_handle(
        move || {
            // The view may be gone by now (unmounted): then there is nothing to save.
            let Some(since) = this.try_with_value(|d| clock::now_ms() - d.last_edit_ms) else {
                return;
            };
            let pause = DELAY.as_secs_f64() * 1000.0;
            if since < pause {
                let rest = Duration::from_secs_f64((pause - since).max(1.0) / 1000.0);
                arm(this, rest, save);
            } else {
                let _ = this.try_update_value(|d| d.timer = None);
                save();
            }
        },
        delay,
    )
    .ok();
    let _ = this.try_update_value(|d| d.timer = handle);
}
