//! One labelled control bound to a form field path (contract.md §3): `name` is the path; when
//! the field's value fails a domain rule and the reader has left the field (or tried to submit)
//! the control has `aria-invalid="true"` and the message, in the reader's language, is in the
//! element its `aria-describedby` names. Once left, the message follows every keystroke. Which
//! messages show where is decided in one place, `signing::ctx`; this file only renders them.
//!
//! Kinds: free text, dates (`<input type="date">`, `YYYY-MM-DD`), selects over the document's
//! labels, and ID numbers, which are masked once the field is left (`4403**********1246`) and
//! revealed on request (the same request shows them whole in the agreement's blanks:
//! `AppState::id_revealed`). A read-only field (named by the opener) cannot be changed; a select is
//! then shown as a read-only text box.

use leptos::prelude::*;
use qianyue_domain::enums::{CANCELLATION_REASONS, OTHER_REASON_PREFIX};
use qianyue_domain::labels::label_en;
use qianyue_domain::normalise::masked_id_number;

use crate::components::signing::ctx::{tr, use_signing, Shown, FILLED_BY_APP};
use crate::components::signing::labels::field_label;
use crate::i18n::UiLocale;

/// The DOM id of the control for a field path (`customer.cert_number` → `f-customer-cert_number`).
pub fn control_id(path: &str) -> String {
    format!("f-{}", path.replace('.', "-"))
}

/// The DOM id of the element holding a control's messages.
pub fn message_id(path: &str) -> String {
    format!("{}-msg", control_id(path))
}

/// The option that stands for `其他：…` in the reason select.
const OTHER: &str = "其他";

/// What kind of control a field is.
#[derive(Clone, Default)]
pub enum Kind {
    #[default]
    Text,
    /// Text typed as digits (`inputmode="numeric"`), e.g. codes and numbers.
    Numeric,
    /// A decimal amount of yuan (`inputmode="decimal"`).
    Money,
    Tel,
    Email,
    Date,
    /// One of the document's labels.
    Select(&'static [&'static str]),
    /// An ID number: masked once left, revealable.
    IdNumber,
    /// The cancellation reason: one of the document's reasons, or `其他：` and the reader's words.
    Reason,
}

/// An option's text: the document's label, with its English where the reader wants English.
pub fn option_text(label: &str, locale: UiLocale) -> String {
    match (locale, label_en(label)) {
        (UiLocale::Zh, _) | (_, None) => label.to_owned(),
        (UiLocale::En, Some(en)) => en.to_owned(),
        (UiLocale::Both, Some(en)) => format!("{label} / {en}"),
    }
}

fn messages_text(messages: &[Shown], locale: UiLocale) -> String {
    messages
        .iter()
        .map(|m| m.text(locale))
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn Field(
    /// The field path, e.g. `customer.cert_number`.
    #[prop(into)]
    path: String,
    #[prop(optional)] kind: Kind,
    /// The domain does not require a value (fee inputs, remarks, the late-payment calculator).
    #[prop(optional)]
    optional: bool,
    /// A short hint under the label, (zh, en).
    #[prop(optional)]
    hint: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let (label_zh, label_en_text) = field_label(&path);
    let value = ctx.state.field(path.clone());
    let messages = ctx.messages(path.clone());
    let readonly = ctx.is_readonly(&path);
    let id = control_id(&path);
    let msg_id = message_id(&path);
    // `aria-describedby` names the message element alone (contract.md §3); a hint is part of
    // the label.
    let described_by = msg_id.clone();
    let invalid = move || messages.with(|m| !m.is_empty()).to_string();
    let path_label = path.clone();
    let label_text = move || {
        let l = locale.get();
        let mut text = l.pick(label_zh, label_en_text);
        if optional {
            text.push_str(&l.pick("（选填）", " (optional)"));
        }
        if path_label == FILLED_BY_APP {
            text.push_str(&l.pick(
                "（签署当天，北京时间，自动填写）",
                " (the day of signing, China Standard Time, filled in automatically)",
            ));
        } else if readonly {
            text.push_str(&l.pick("（已由系统填写）", " (filled in by the portal)"));
        }
        text
    };
    let path_input = path.clone();
    let on_input = move |v: String| ctx.edit(&path_input, v);
    let path_blur = path.clone();
    let on_blur = move || ctx.leave(&path_blur);

    let control = match kind {
        Kind::Select(options) if !readonly => view! {
            <select
                id=id.clone()
                name=path.clone()
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                on:change:target=move |ev| on_input(ev.target().value())
                on:blur=move |_| on_blur()
            >
                <option value="" prop:selected=move || value.with(|v| v.is_empty())>
                    {tr("请选择", "Choose…")}
                </option>
                {move || {
                    let current = value.get();
                    let unknown = (!current.is_empty() && !options.contains(&current.as_str()))
                        .then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> });
                    unknown
                }}
                {options
                    .iter()
                    .map(|&option| {
                        view! {
                            <option value=option prop:selected=move || value.with(|v| v == option)>
                                {move || option_text(option, locale.get())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
        Kind::Reason if !readonly => {
            let is_other = Memo::new(move |_| value.with(|v| v.starts_with(OTHER_REASON_PREFIX)));
            let on_words = on_input.clone();
            let on_words_blur = on_blur.clone();
            let other_id = format!("{id}-other");
            view! {
                <select
                    id=id.clone()
                    name=path.clone()
                    aria-invalid=invalid
                    aria-describedby=described_by.clone()
                    on:change:target=move |ev| {
                        let chosen = ev.target().value();
                        on_input(if chosen == OTHER { OTHER_REASON_PREFIX.to_owned() } else { chosen })
                    }
                    on:blur=move |_| on_blur()
                >
                    <option value="" prop:selected=move || value.with(|v| v.is_empty())>
                        {tr("请选择", "Choose…")}
                    </option>
                    {CANCELLATION_REASONS
                        .labels
                        .iter()
                        .chain(std::iter::once(&OTHER))
                        .map(|&option| {
                            let selected = move || {
                                if option == OTHER { is_other.get() } else { value.with(|v| v == option) }
                            };
                            view! {
                                <option value=option prop:selected=selected>
                                    {move || option_text(option, locale.get())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <Show when=move || is_other.get()>
                    <label class="sub-label" for=other_id.clone()>
                        {tr("其他原因（2至50字）", "Other reason (2 to 50 characters)")}
                    </label>
                    <input
                        id=other_id.clone()
                        type="text"
                        autocomplete="off"
                        aria-invalid=invalid
                        aria-describedby=described_by.clone()
                        prop:value=move || value.with(|v| v.strip_prefix(OTHER_REASON_PREFIX).unwrap_or("").to_owned())
                        on:input:target={
                            let on_words = on_words.clone();
                            move |ev| on_words(format!("{OTHER_REASON_PREFIX}{}", ev.target().value()))
                        }
                        on:blur={
                            let on_words_blur = on_words_blur.clone();
                            move |_| on_words_blur()
                        }
                    />
                </Show>
            }
            .into_any()
        }
        Kind::IdNumber => {
            // Not a signal: focus swaps mask and number in the DOM at once (below), and a render
            // on focus would write the value again after the reader (or a script) had already
            // selected it, collapsing the selection.
            let focused = StoredValue::new(false);
            // One reveal state per path, shared with the agreement's blanks (state.rs).
            let state = ctx.state;
            let path_reveal = StoredValue::new(path.clone());
            let revealed = move || path_reveal.with_value(|p| state.id_revealed(p));
            let revealed_untracked =
                move || path_reveal.with_value(|p| state.id_revealed_untracked(p));
            let form = ctx.state.form;
            let today = ctx.state.today;
            let path_mask = path.clone();
            let masked = Memo::new(move |_| form.with(|f| masked_id_number(f, &path_mask, today)));
            let shown = move || {
                if focused.get_value() || revealed() {
                    value.get()
                } else {
                    masked.get()
                }
            };
            let id_for_button = id.clone();
            view! {
                <span class="id-number">
                    <input
                        id=id.clone()
                        name=path.clone()
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        readonly=readonly
                        prop:value=shown
                        aria-invalid=invalid
                        aria-describedby=described_by.clone()
                        on:focus:target=move |ev| {
                            focused.set_value(true);
                            let input = ev.target();
                            input.set_value(&value.get_untracked());
                            // The mask selected becomes the number selected: typing replaces
                            // it, as it would have replaced the mask (a click then places the
                            // caret where it lands).
                            input.select();
                        }
                        on:input:target=move |ev| on_input(ev.target().value())
                        on:blur:target=move |ev| {
                            focused.set_value(false);
                            on_blur();
                            if !revealed_untracked() {
                                ev.target().set_value(&masked.get_untracked());
                            }
                        }
                    />
                    <button
                        type="button"
                        class="reveal"
                        aria-controls=id_for_button
                        aria-pressed=move || revealed().to_string()
                        on:click=move |_| path_reveal.with_value(|p| state.toggle_id_revealed(p))
                    >
                        {move || {
                            let l = locale.get();
                            if revealed() { l.pick("隐藏号码", "Hide number") } else { l.pick("显示号码", "Show number") }
                        }}
                    </button>
                </span>
            }
            .into_any()
        }
        kind => {
            let (input_type, inputmode, autocomplete) = match kind {
                Kind::Numeric => ("text", Some("numeric"), "off"),
                Kind::Money => ("text", Some("decimal"), "off"),
                Kind::Tel => ("tel", Some("tel"), "tel"),
                Kind::Email => ("email", Some("email"), "email"),
                Kind::Date => ("date", None, "off"),
                _ => ("text", None, "off"),
            };
            view! {
                <input
                    id=id.clone()
                    name=path.clone()
                    type=input_type
                    inputmode=inputmode
                    autocomplete=autocomplete
                    spellcheck="false"
                    readonly=readonly
                    prop:value=move || value.get()
                    aria-invalid=invalid
                    aria-describedby=described_by.clone()
                    on:input:target=move |ev| on_input(ev.target().value())
                    on:blur=move |_| on_blur()
                />
            }
            .into_any()
        }
    };

    view! {
        <div class="field" class:field-invalid=move || messages.with(|m| !m.is_empty())>
            <label for=id.clone()>
                {label_text}
                {hint.map(|(zh, en)| view! { <span class="hint">{tr(zh, en)}</span> })}
            </label>
            {control}
            <p class="message" id=msg_id.clone() aria-live="polite">
                {move || messages.with(|m| messages_text(m, locale.get()))}
            </p>
        </div>
    }
}
