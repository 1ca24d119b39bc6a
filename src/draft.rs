//! The typed draft: what the reader has typed survives a reload. Only form values are kept;
//! the signature and the consents never are (they must be given afresh, knowingly).
//!
//! - The form goes to `localStorage` under [`DRAFT_KEY`], **without** the ID numbers
//!   (`contact.id_number`, `agent.id_number`: sensitive personal information, PIPL art. 28),
//!   which go to `sessionStorage` under [`IDS_KEY`]: they survive a reload of the tab but are
//!   gone when the tab is closed.
//! - A draft belongs to the prefill it was started from (its `basis`, the SHA-256 of the
//!   prefilled form's JSON, or of nothing): a draft of another contract is never applied.
//! - Storage may be unavailable (private mode, quota, a sandboxed frame): every failure is
//!   ignored and the app simply has no draft.

use qianyue_domain::content::sha256_hex;
use qianyue_domain::form::Form;
use web_sys::Storage;

pub const DRAFT_KEY: &str = "qianyue.draft.v1";
pub const IDS_KEY: &str = "qianyue.draft.ids.v1";
const ID_PATHS: [&str; 2] = ["contact.id_number", "agent.id_number"];

/// The basis of a draft started from `prefill` (`None`: a blank form).
pub fn basis(prefill: Option<&Form>) -> String {
    let json = prefill
        .and_then(|f| serde_json::to_string(f).ok())
        .unwrap_or_default();
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
    let text = local()?.get_item(DRAFT_KEY).ok()??;
    let stored: serde_json::Value = serde_json::from_str(&text).ok()?;
    if stored.get("basis")?.as_str()? != basis {
        return None;
    }
    let mut form: Form = serde_json::from_value(stored.get("form")?.clone()).ok()?;
    if let Some(ids) = session()
        .and_then(|s| s.get_item(IDS_KEY).ok().flatten())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        for path in ID_PATHS {
            if let Some(v) = ids.get(path).and_then(|v| v.as_str()) {
                let _ = form.set_value(path, v);
            }
        }
    }
    Some(form)
}

/// Saves `form` as the draft for `basis`.
pub fn save(basis: &str, form: &Form) {
    let mut without_ids = form.clone();
    let mut ids = serde_json::Map::new();
    for path in ID_PATHS {
        let value = form.value(path).unwrap_or_default().to_owned();
        let _ = without_ids.set_value(path, "");
        ids.insert(path.to_owned(), value.into());
    }
    let stored = serde_json::json!({ "basis": basis, "form": without_ids });
    if let Some(storage) = local() {
        let _ = storage.set_item(DRAFT_KEY, &stored.to_string());
    }
    if let Some(storage) = session() {
        let _ = storage.set_item(IDS_KEY, &serde_json::Value::Object(ids).to_string());
    }
}

/// Forgets the draft (after the consent was accepted by the server).
pub fn clear() {
    if let Some(storage) = local() {
        let _ = storage.remove_item(DRAFT_KEY);
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
            draft
        }
        (Some(draft), None) => draft,
        (None, prefill) => prefill.unwrap_or_default(),
    }
}

/// Saves `form` as this page's draft.
pub fn save_current(form: &Form) {
    let basis = BASIS.with(|b| b.borrow().clone());
    save(&basis, form);
}
