//! One part of the agreement (`data-part`, contract.md §3) in the shown language(s).

use leptos::prelude::*;
use qianyue_domain::content::{Lang, PartId, ProductTemplate};

use super::block::RowView;
use super::model::{anchor, shown_rows};
use crate::content::EnglishText;

/// The languages the agreement is shown in, in column order (the binding Chinese first): the
/// mode's, but the Chinese alone while the English is not here (crate::content). The signing
/// step names the texts of these languages in the payload.
pub fn shown_langs(mode: crate::i18n::UiLocale, english: EnglishText) -> &'static [Lang] {
    use crate::i18n::UiLocale;
    match (mode, english) {
        (UiLocale::Zh, _) => &[Lang::Zh],
        (_, EnglishText::NotAsked | EnglishText::Loading | EnglishText::Failed) => &[Lang::Zh],
        (UiLocale::En, EnglishText::Here) => &[Lang::En],
        (UiLocale::Both, EnglishText::Here) => &[Lang::Zh, Lang::En],
    }
}

/// A part as an `article` named by its title(s). With one language shown, the rows' wrapper
/// carries that `lang`; side by side, each cell carries its own.
#[component]
pub fn PartView(
    part: PartId,
    langs: &'static [Lang],
    templates: Memo<Vec<ProductTemplate>>,
) -> impl IntoView {
    let title = anchor(part, "title");
    let labelled_by = langs
        .iter()
        .map(|lang| format!("{title}-{}", lang.file_suffix()))
        .collect::<Vec<_>>()
        .join(" ");
    let single = (langs.len() == 1).then(|| langs[0].tag());
    let row_views = move |templates: &[ProductTemplate]| {
        shown_rows(part, langs, templates)
            .into_iter()
            .map(|row| view! { <RowView row langs /> })
            .collect_view()
    };
    // Only part A has product lines: only it follows the orders.
    let body = if part == PartId::Order {
        (move || templates.with(|t| row_views(t))).into_any()
    } else {
        row_views(&[]).into_any()
    };
    view! {
        <article class="part" data-part=part.hook() aria-labelledby=labelled_by>
            <div class="rows" class:both=langs.len() == 2 lang=single>
                {body}
            </div>
        </article>
    }
}
