//! The table of contents: the parts and their articles or sections, linking to their rows.

use leptos::prelude::*;
use qianyue_domain::content::{Lang, PartId, ProductTemplate};
use wasm_bindgen::JsCast;

use super::model::{shown_rows, Role, Row};
use super::part::shown_langs;
use super::values;
use crate::state::use_app_state;

/// Scrolls to the row `id` and moves the focus there (the URL keeps its `#prefill=`). The row
/// is looked up from the agreement that holds the link, which also works inside a shadow root
/// (an embedding), where `document.getElementById` does not see.
fn go_to(link: Option<web_sys::EventTarget>, id: &str) {
    let target = link
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|link| link.closest(".agreement").ok().flatten())
        .and_then(|agreement| agreement.query_selector(&format!("#{id}")).ok().flatten());
    if let Some(target) = target {
        target.scroll_into_view();
        if let Ok(target) = target.dyn_into::<web_sys::HtmlElement>() {
            // Focusing a row with tabindex="-1" cannot fail.
            let _ = target.focus();
        }
    }
}

/// An entry's text in `lang`, blanks filled (product-line headings name the product). It
/// follows only the fields its blanks show (`AppState::field`), not the whole form: a keystroke
/// elsewhere does not re-render the contents, however many product lines they list.
fn entry_text(row: &Row, lang: Lang) -> impl Fn() -> String + use<> {
    let state = use_app_state();
    let block = row.block(lang).clone();
    let fields: Vec<(String, Memo<String>)> = block
        .placeholders()
        .into_iter()
        .map(|path| (path.to_owned(), state.field(path)))
        .collect();
    move || {
        block.filled_text(|path| {
            let value = fields.iter().find(|(p, _)| p == path).map(|(_, v)| v.get());
            Some(values::display(path, value.as_deref().unwrap_or(""), lang))
        })
    }
}

fn entry(row: &Row, langs: &'static [Lang]) -> impl IntoView + use<> {
    let id = row.anchor();
    let href = format!("#{id}");
    let texts = langs
        .iter()
        .map(|&lang| view! { <span lang=lang.tag()>{entry_text(row, lang)}</span> })
        .collect_view();
    view! {
        <a
            href=href
            on:click=move |ev| {
                ev.prevent_default();
                go_to(ev.current_target(), &id);
            }
        >
            {texts}
        </a>
    }
}

fn part_entry(
    part: PartId,
    langs: &'static [Lang],
    templates: &[ProductTemplate],
) -> impl IntoView + use<> {
    let rows = shown_rows(part, langs, templates);
    let title = rows
        .iter()
        .find(|r| r.role == Role::Title)
        .map(|r| entry(r, langs));
    let sections = rows
        .iter()
        .filter(|r| r.role == Role::Section)
        .map(|r| view! { <li>{entry(r, langs)}</li> })
        .collect_view();
    view! {
        <li data-toc-part=part.hook()>
            {title}
            <ol>{sections}</ol>
        </li>
    }
}

/// Open on wide screens; on a phone the contents start closed so that the text comes first.
/// (The page rendered at build time knows no width: it starts closed, and its one inline
/// script opens it on a wide screen before the first paint, index.html.)
fn open_at_start() -> bool {
    #[cfg(target_family = "wasm")]
    {
        window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .is_none_or(|w| w > 700.0)
    }
    #[cfg(not(target_family = "wasm"))]
    false
}

#[component]
pub fn Toc(templates: Memo<Vec<ProductTemplate>>) -> impl IntoView {
    let state = use_app_state();
    let (locale, english) = (state.locale, state.english);
    view! {
        <nav class="toc" aria-label=move || locale.get().pick("目录", "Contents")>
            <details open=open_at_start()>
                <summary>{move || locale.get().pick("目录", "Contents")}</summary>
                {move || {
                    let langs = shown_langs(locale.get(), english.get());
                    templates.with(|t| {
                        view! {
                            <ol class="toc-parts">
                                {PartId::ALL.map(|part| part_entry(part, langs, t)).collect_view()}
                            </ol>
                        }
                    })
                }}
            </details>
        </nav>
    }
}
