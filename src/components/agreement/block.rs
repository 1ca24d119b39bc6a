//! One block in one language (a cell of a row), and the blanks inside it that show the form's
//! values as they are typed.

use leptos::prelude::*;
use qianyue_domain::content::Lang;
use qianyue_domain::normalise::is_id_number_path;

use super::model::{field_parts, segments, Role, Row, Segment};
use super::values;
use crate::state::{use_app_state, AppState};

/// A placeholder: the form's current value at `path`, formatted for `lang`. Empty, it is a
/// visible blank line (CSS `.blank.empty`), never the raw `{path}`.
///
/// The text and the class read the field's memo directly: a second memo in between would
/// push the update of other controls bound to the same field one executor tick later.
#[component]
pub fn Blank(path: String, lang: Lang) -> impl IntoView {
    let state = use_app_state();
    if is_id_number_path(&path) {
        return id_blank(state, path, lang).into_any();
    }
    let raw = state.field(path.clone());
    let shown = {
        let path = path.clone();
        move || values::display(&path, &raw.read(), lang)
    };
    let empty = {
        let shown = shown.clone();
        move || shown().is_empty()
    };
    view! {
        <span class="blank" class:empty=empty data-field=path>
            {shown}
        </span>
    }
    .into_any()
}

/// The blank of an ID number: masked on screen as the form's control shows it once left (the
/// domain's `masked_id_number`, [`AppState::masked_id`]), whole once the reader asks for it with the form's "Show
/// number" (the same state, [`AppState::id_revealed`]), and whole on the printed copy
/// (`style/agreement.css`: the `.id-whole` copy is shown only in print).
fn id_blank(state: AppState, path: String, lang: Lang) -> impl IntoView {
    let raw = state.field(path.clone());
    let masked = state.masked_id(&path);
    let whole = {
        let path = path.clone();
        move || values::display(&path, &raw.read(), lang)
    };
    let on_screen = {
        let path = path.clone();
        let whole = whole.clone();
        move || {
            if state.id_revealed(&path) {
                whole()
            } else {
                masked.get()
            }
        }
    };
    let empty = move || raw.read().trim().is_empty();
    view! {
        <span class="blank blank--id" class:empty=empty data-field=path>
            <span class="id-shown">{on_screen}</span>
            <span class="id-whole">{whole}</span>
        </span>
    }
}

/// A display text with its blanks.
fn text_view(text: &str, lang: Lang) -> impl IntoView + use<> {
    segments(text)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.into_any(),
            Segment::Blank(path) => view! { <Blank path lang /> }.into_any(),
        })
        .collect_view()
}

/// A field's label (styled), then its value text; other blocks' text as it is.
fn content(row: &Row, lang: Lang) -> AnyView {
    let block = row.block(lang);
    match (row.role, field_parts(block, lang)) {
        (Role::Field, Some((label, separator, value))) => view! {
            <span class="label">{label}</span>
            {separator}
            {text_view(&value, lang)}
        }
        .into_any(),
        (Role::Field, None) => view! { <span class="label">{block.text()}</span> }.into_any(),
        _ => text_view(&block.text(), lang).into_any(),
    }
}

/// One language version of a block: `h2` for the part's title, `h3` for an article or
/// section, `h4` for a heading inside one, `p` otherwise. It carries its `lang`.
#[component]
pub fn Cell(row: Row, lang: Lang) -> impl IntoView {
    let tag = lang.tag();
    let body = content(&row, lang);
    match row.role {
        Role::Title => view! {
            <h2 class="cell" lang=tag id=row.cell_id(lang)>
                {body}
            </h2>
        }
        .into_any(),
        Role::Section => view! {
            <h3 class="cell" lang=tag>
                {body}
            </h3>
        }
        .into_any(),
        Role::Subsection => view! {
            <h4 class="cell" lang=tag>
                {body}
            </h4>
        }
        .into_any(),
        Role::Notice => view! {
            <p class="cell" lang=tag role="note">
                {body}
            </p>
        }
        .into_any(),
        _ => view! {
            <p class="cell" lang=tag>
                {body}
            </p>
        }
        .into_any(),
    }
}

/// A row: every shown language version of one block id, side by side on wide screens in the
/// side-by-side mode (`style/agreement.css`).
#[component]
pub fn RowView(row: Row, langs: &'static [Lang]) -> impl IntoView {
    let class = format!(
        "row row--{}{}",
        row.role.class(),
        match row.table {
            qianyue_domain::content::TableRow::Start => " row--table-start",
            qianyue_domain::content::TableRow::Continue => " row--table",
            qianyue_domain::content::TableRow::None => "",
        }
    );
    // Targets of the table of contents take the focus when their entry is followed.
    let focus_target = matches!(row.role, Role::Title | Role::Section).then_some("-1");
    view! {
        <div
            class=class
            id=row.anchor()
            data-block=row.id.clone()
            data-indent=row.indent
            tabindex=focus_target
        >
            {langs
                .iter()
                .map(|&lang| view! { <Cell row=row.clone() lang /> })
                .collect_view()}
        </div>
    }
}
