//! Who hosts this instance of the app: its own page, a host page's `<qianyue-consent>`, or a
//! frame. The app state carries a [`Host`] (`AppState::host`), so components and the code they
//! spawn ask it, not the page, for what differs between instances: where consents are sent,
//! which fields are read-only, whether drafts are kept, where `lang` goes and where events go.

use leptos::prelude::*;
use qianyue_domain::key_map::KeySet;

use crate::config;
use crate::events::{AppEvent, EventSink};

/// What an embedding layer decides for one instance.
#[derive(Clone, Default)]
pub struct Embedding {
    /// Where the signed consent is POSTed; `None`: as on the app's own page.
    pub endpoint: Option<String>,
    /// The fields the host made read-only.
    pub readonly: KeySet,
    /// Where events go.
    pub sink: EventSink,
    /// The element whose `lang` follows the reader's language (the instance's root); `None`:
    /// the page's `<html>`.
    pub root: Option<web_sys::Element>,
}

/// The host of one instance: `Copy`, readable from event handlers and spawned futures. A host
/// whose instance was unmounted answers like an empty embedding and drops events.
#[derive(Clone, Copy)]
pub struct Host(Option<StoredValue<Embedding, LocalStorage>>);

impl Host {
    /// The app on its own page: configuration from the page, drafts kept, events dropped.
    pub const STANDALONE: Host = Host(None);

    /// An embedded instance; owned by the current reactive owner (disposed with it).
    pub fn embedded(embedding: Embedding) -> Host {
        Host(Some(StoredValue::new_local(embedding)))
    }

    pub fn is_embedded(self) -> bool {
        self.0.is_some()
    }

    fn with<R>(self, f: impl FnOnce(&Embedding) -> R) -> Option<R> {
        self.0.and_then(|v| v.try_with_value(f))
    }

    /// Where the signed consent is POSTed.
    pub fn endpoint(self) -> String {
        match self.0 {
            None => config::endpoint(),
            Some(_) => self
                .with(|e| e.endpoint.clone())
                .flatten()
                .unwrap_or_else(config::endpoint),
        }
    }

    /// Changes where the signed consent is POSTed (an embedded instance only).
    pub fn set_endpoint(self, endpoint: Option<String>) {
        if let Some(v) = self.0 {
            v.try_update_value(|e| e.endpoint = endpoint);
        }
    }

    /// The field paths that cannot be edited.
    pub fn readonly_paths(self) -> KeySet {
        match self.0 {
            None => config::readonly_paths(),
            Some(_) => self.with(|e| e.readonly.clone()).unwrap_or_default(),
        }
    }

    /// Whether typed values are kept as a draft in the browser's storage. Only on the app's
    /// own page: a host page's storage is not ours, several instances would share one draft,
    /// and the host holds the values it prefills.
    pub fn keeps_drafts(self) -> bool {
        !self.is_embedded()
    }

    /// Tells the host (nothing on the app's own page).
    pub fn emit(self, event: AppEvent) {
        if let Some(sink) = self.with(|e| e.sink.clone()) {
            sink.emit(&event);
        }
    }

    /// Whether this instance is the whole page (its own page, or a frame) rather than an
    /// element inside another site's page: what printing the page prints.
    pub fn is_whole_page(self) -> bool {
        self.with(|e| e.root.is_none()).unwrap_or(true)
    }

    /// The element whose `lang` follows the reader's language.
    pub fn lang_root(self) -> Option<web_sys::Element> {
        match self.with(|e| e.root.clone()).flatten() {
            Some(root) => Some(root),
            None => document().document_element(),
        }
    }
}
