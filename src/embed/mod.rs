//! Embedding the signing journey in a carrier portal (docs/embedding.md).
//!
//! - [`element`]: `<qianyue-consent>`, a custom element a host page gets by including
//!   `embed.js`; each instance renders in its own shadow root with its own app state, and
//!   reports through DOM `CustomEvent`s.
//! - [`frame`]: the same app as the page `/?embed=iframe` in the portal's frame; prefill and
//!   events travel by `postMessage`, to and from the origins of the deployment's allow-list
//!   ([`origins`]) only, and the frame reports its height.
//! - [`host`]: what an instance asks instead of the page (endpoint, read-only fields, drafts,
//!   where events go), carried by the app state.
//!
//! The JavaScript half is `glue.js` (the element class, events, messages) and `embed.js` (the
//! loader Trunk copies to `dist/embed.js`, the one stable URL a host includes).

#[cfg(feature = "embed")]
pub mod element;
#[cfg(feature = "embed")]
pub mod frame;
#[cfg(feature = "embed")]
mod glue;
pub mod host;
pub mod origins;

use std::cell::Cell;
use std::rc::Rc;

use qianyue_domain::content::{AGREEMENT_ID, AGREEMENT_VERSION};
use qianyue_domain::error::Message;
use qianyue_domain::key_map::KeySet;
use wasm_bindgen::JsCast;

pub use self::host::{Embedding, Host};
use crate::events::{AppEvent, EventSink};
use crate::i18n::UiLocale;

/// How this page was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageMode {
    /// The app's own page.
    Standalone,
    /// A host page that included `embed.js`: define `<qianyue-consent>`, mount nothing.
    Element,
    /// `/?embed=iframe`: the app inside a portal's frame.
    Frame,
}

/// How this page was opened (always standalone in a build without the `embed` feature).
pub fn page_mode() -> PageMode {
    #[cfg(feature = "embed")]
    {
        match glue::page_mode().as_str() {
            "element" => return PageMode::Element,
            "frame" => return PageMode::Frame,
            _ => {}
        }
    }
    PageMode::Standalone
}

/// Starts an embedded mode (the standalone page is mounted by `main`). The embedding's code is
/// a deferred part (src/deferred.rs): the app's own page does not load it.
pub async fn start_embedded(mode: PageMode) {
    if let Err(e) = start_deferred(mode).await {
        leptos::logging::error!("qianyue: the embedding could not be loaded: {e}");
    }
}

crate::deferred::deferred!(embed;
    fn start_deferred(mode: PageMode) -> () {
        match mode {
            #[cfg(feature = "embed")]
            PageMode::Element => element::define(),
            #[cfg(feature = "embed")]
            PageMode::Frame => frame::start(),
            _ => {}
        }
    }
);

/// The element with `id` in the tree the reader is working in: the shadow root of the
/// embedded instance that holds the focus, else the page. Use it instead of
/// `document().get_element_by_id`, which cannot see into an instance's shadow root (where ids
/// repeat from one instance to the next).
pub fn element_by_id(id: &str) -> Option<web_sys::Element> {
    let document = leptos::prelude::document();
    let mut active = document.active_element();
    while let Some(root) = active.as_ref().and_then(web_sys::Element::shadow_root) {
        if let Some(found) = root.get_element_by_id(id) {
            return Some(found);
        }
        active = root.active_element();
    }
    if let Some(found) = document.get_element_by_id(id) {
        return Some(found);
    }
    // No instance has the focus: the first instance that has the id.
    let hosts = document.query_selector_all("qianyue-consent").ok()?;
    (0..hosts.length())
        .filter_map(|i| hosts.item(i)?.dyn_into::<web_sys::Element>().ok())
        .filter_map(|host| host.shadow_root()?.get_element_by_id(id))
        .next()
}

/// The reader's language named by a `locale` attribute or parameter (`zh-CN`, `en`, `both`;
/// `zh` too).
pub fn parse_locale(value: &str) -> Option<UiLocale> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("zh") {
        return Some(UiLocale::Zh);
    }
    UiLocale::ALL
        .into_iter()
        .find(|l| l.hook().eq_ignore_ascii_case(value))
}

/// Field paths from a `readonly` attribute: separated by commas or white space.
pub fn parse_paths(value: &str) -> KeySet {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Why the host's agreement id or version is not the one this build carries, as an error
/// event; `None` when they match (or are not given).
pub fn agreement_mismatch(id: Option<&str>, version: Option<&str>) -> Option<AppEvent> {
    let id_ok = id.is_none_or(|v| v.trim() == AGREEMENT_ID);
    let version_ok = version.is_none_or(|v| v.trim() == AGREEMENT_VERSION);
    if id_ok && version_ok {
        return None;
    }
    Some(AppEvent::Error(Message::new(
        "embed.agreement_unknown",
        format!(
            "本服务提供的协议为 {AGREEMENT_ID} {AGREEMENT_VERSION}，与页面要求的 {} {} 不符。",
            id.unwrap_or(AGREEMENT_ID),
            version.unwrap_or(AGREEMENT_VERSION)
        ),
        format!(
            "This service offers agreement {AGREEMENT_ID} {AGREEMENT_VERSION}, not the {} {} the page asks for.",
            id.unwrap_or(AGREEMENT_ID),
            version.unwrap_or(AGREEMENT_VERSION)
        ),
    )))
}

/// Whether `name: value` may be set as a theme property: a `--qy-*` custom property (lower
/// case, digits, dashes) with a short value that cannot end the declaration.
pub fn is_theme_property(name: &str, value: &str) -> bool {
    name.strip_prefix("--qy-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }) && value.len() <= 200
        && !value.contains([';', '{', '}', '<', '>', '\\'])
}

/// The error event of an unreadable prefill.
pub fn prefill_error(detail: &str) -> AppEvent {
    AppEvent::Error(Message::new(
        "embed.prefill_invalid",
        format!("预填数据不是有效的表单（{detail}），已从空白表单开始。"),
        format!("The prefill is not a form ({detail}); starting from a blank form."),
    ))
}

/// The ordering every embedded sink keeps: `qianyue-ready` first and once for the life of
/// `ready` (a restart with a new prefill does not announce it again, so a host that prefills
/// on ready cannot loop), and `qianyue-submitted` at most once per journey (per sink).
pub fn ordered_sink(ready: Rc<Cell<bool>>, deliver: impl Fn(&AppEvent) + 'static) -> EventSink {
    let submitted = Cell::new(false);
    EventSink::new(move |event| {
        let first = !ready.replace(true);
        match event {
            AppEvent::Ready if !first => return,
            AppEvent::Ready => {}
            _ if first => deliver(&AppEvent::Ready),
            _ => {}
        }
        if matches!(event, AppEvent::Submitted { .. }) && submitted.replace(true) {
            return;
        }
        deliver(event);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn locales_and_paths() {
        assert_eq!(parse_locale("en"), Some(UiLocale::En));
        assert_eq!(parse_locale(" zh-CN "), Some(UiLocale::Zh));
        assert_eq!(parse_locale("zh"), Some(UiLocale::Zh));
        assert_eq!(parse_locale("both"), Some(UiLocale::Both));
        assert_eq!(parse_locale("fr"), None);
        let paths = parse_paths("contract_no, customer.group_name\n customer.cert_number,,");
        assert_eq!(paths.len(), 3);
        assert!(paths.contains("customer.cert_number"));
    }

    #[test]
    fn theme_properties() {
        assert!(is_theme_property("--qy-accent", "#00467f"));
        assert!(is_theme_property(
            "--qy-font",
            "\"PingFang SC\", sans-serif"
        ));
        assert!(!is_theme_property("--qy-", "1px"));
        assert!(!is_theme_property("color", "red"));
        assert!(!is_theme_property("--other", "red"));
        assert!(!is_theme_property("--qy-accent", "red; background: url(x)"));
        assert!(!is_theme_property("--qy-accent", &"x".repeat(201)));
    }

    #[test]
    fn agreement_checks() {
        assert_eq!(agreement_mismatch(None, None), None);
        assert_eq!(
            agreement_mismatch(Some(AGREEMENT_ID), Some(AGREEMENT_VERSION)),
            None
        );
        let e = agreement_mismatch(Some(AGREEMENT_ID), Some("v0")).expect("a mismatch");
        assert_eq!(e.name(), "qianyue-error");
        assert_eq!(e.detail()["code"], "embed.agreement_unknown");
        assert!(agreement_mismatch(Some("other"), None).is_some());
    }

    #[test]
    fn ready_comes_first_and_once_and_a_receipt_once() {
        let seen = Rc::new(RefCell::new(Vec::<&'static str>::new()));
        let ready = Rc::new(Cell::new(false));
        let into = Rc::clone(&seen);
        let sink = ordered_sink(Rc::clone(&ready), move |e| into.borrow_mut().push(e.name()));
        let change = AppEvent::Change {
            valid: false,
            sections_complete: 0,
            sections_total: 8,
        };
        let submitted = AppEvent::Submitted {
            receipt: serde_json::json!({}),
        };
        sink.emit(&change);
        sink.emit(&AppEvent::Ready);
        sink.emit(&submitted);
        sink.emit(&submitted);
        // A restart (new prefill) gets a new sink sharing `ready`.
        let into = Rc::clone(&seen);
        let again = ordered_sink(ready, move |e| into.borrow_mut().push(e.name()));
        again.emit(&AppEvent::Ready);
        again.emit(&submitted);
        assert_eq!(
            *seen.borrow(),
            vec![
                "qianyue-ready",
                "qianyue-change",
                "qianyue-submitted",
                "qianyue-submitted"
            ]
        );
    }
}
