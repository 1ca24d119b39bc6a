//! The signature: drawn on a pad (Pointer Events: mouse, pen and touch alike; the page does not
//! scroll while drawing, `touch-action: none`; undo and clear), or typed, which needs nothing
//! but the keyboard. Whether a signature is acceptable is the payload's own rule
//! (`SignatureImage::check`: not empty, not a dot or a short dash); the drawing is kept as
//! integer strokes on a fixed logical canvas of [`PAD_WIDTH`] × [`PAD_HEIGHT`], so resizing or
//! rotating the screen never moves it.

use leptos::html;
use leptos::prelude::*;
use qianyue_domain::error::RuleMessage;
use qianyue_domain::payload::SignatureImage;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};

use super::ctx::{tr, use_signing, Shown, SignatureMode, SigningCtx};
use crate::i18n::UiLocale;

/// The pad's logical size (the payload's canvas units).
pub const PAD_WIDTH: u32 = 600;
pub const PAD_HEIGHT: u32 = 200;
/// Bitmap pixels per logical unit (sharp lines on high-density screens).
const SCALE: f64 = 2.0;

/// The signature as it would be signed now.
pub fn signature_image(ctx: SigningCtx) -> SignatureImage {
    match ctx.signature_mode.get_untracked() {
        SignatureMode::Drawn => SignatureImage::Strokes {
            width: PAD_WIDTH,
            height: PAD_HEIGHT,
            strokes: ctx.strokes.get_untracked(),
        },
        SignatureMode::Typed => SignatureImage::Typed {
            text: ctx.typed_signature.get_untracked().trim().to_owned(),
        },
    }
}

/// What is wrong with the signature now, if anything (tracked).
pub fn signature_problem(ctx: SigningCtx) -> Option<Shown> {
    let image = match ctx.signature_mode.get() {
        SignatureMode::Drawn => SignatureImage::Strokes {
            width: PAD_WIDTH,
            height: PAD_HEIGHT,
            strokes: ctx.strokes.get(),
        },
        SignatureMode::Typed => SignatureImage::Typed {
            text: ctx.typed_signature.get().trim().to_owned(),
        },
    };
    // The domain's rule, as the receiver applies it.
    ctx.state
        .form
        .with(|f| image.check_for(&f.signing.representative))
        .err()
        .map(RuleMessage::of)
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

fn redraw(canvas: &HtmlCanvasElement, strokes: &[Vec<[u32; 2]>]) {
    let Some(c) = context_2d(canvas) else { return };
    let _ = c.set_transform(SCALE, 0.0, 0.0, SCALE, 0.0, 0.0);
    c.clear_rect(0.0, 0.0, f64::from(PAD_WIDTH), f64::from(PAD_HEIGHT));
    c.set_line_width(2.5);
    c.set_line_cap("round");
    c.set_line_join("round");
    c.set_stroke_style_str("#111");
    for stroke in strokes {
        c.begin_path();
        for (i, [x, y]) in stroke.iter().enumerate() {
            let (x, y) = (f64::from(*x), f64::from(*y));
            if i == 0 {
                c.move_to(x, y);
                c.line_to(x + 0.01, y);
            } else {
                c.line_to(x, y);
            }
        }
        c.stroke();
    }
}

/// The pointer's position in logical canvas units, clamped to the pad.
fn logical_point(canvas: &HtmlCanvasElement, ev: &PointerEvent) -> [u32; 2] {
    let rect = canvas.get_bounding_client_rect();
    let scale = |offset: f64, size: f64, logical: u32| -> u32 {
        if size <= 0.0 {
            return 0;
        }
        let v = (offset / size * f64::from(logical)).round();
        v.clamp(0.0, f64::from(logical)) as u32
    };
    [
        scale(
            f64::from(ev.client_x()) - rect.left(),
            rect.width(),
            PAD_WIDTH,
        ),
        scale(
            f64::from(ev.client_y()) - rect.top(),
            rect.height(),
            PAD_HEIGHT,
        ),
    ]
}

#[component]
pub fn SignaturePad() -> impl IntoView {
    let ctx = use_signing();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let drawing = StoredValue::new(None::<i32>);
    let strokes = ctx.strokes;

    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        strokes.with(|s| redraw(&canvas, s));
    });

    let on_down = move |ev: PointerEvent| {
        if ev.pointer_type() == "mouse" && ev.button() != 0 {
            return;
        }
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let _ = canvas.set_pointer_capture(ev.pointer_id());
        drawing.set_value(Some(ev.pointer_id()));
        let point = logical_point(&canvas, &ev);
        strokes.update(|s| s.push(vec![point]));
    };
    let on_move = move |ev: PointerEvent| {
        if drawing.get_value() != Some(ev.pointer_id()) {
            return;
        }
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let point = logical_point(&canvas, &ev);
        let is_new = strokes.with_untracked(|s| s.last().and_then(|l| l.last()) != Some(&point));
        if is_new {
            strokes.update(|s| {
                if let Some(last) = s.last_mut() {
                    last.push(point);
                }
            });
        }
    };
    let on_up = move |ev: PointerEvent| {
        if drawing.get_value() == Some(ev.pointer_id()) {
            drawing.set_value(None);
        }
    };
    let has_strokes = move || strokes.with(|s| !s.is_empty());

    view! {
        <div class="signature-draw">
            <canvas
                node_ref=canvas_ref
                class="signature-pad"
                width=(f64::from(PAD_WIDTH) * SCALE) as u32
                height=(f64::from(PAD_HEIGHT) * SCALE) as u32
                role="img"
                aria-label=tr("签名板：用鼠标、手写笔或手指在此签名", "Signature pad: sign here with a mouse, pen or finger")
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
            ></canvas>
            <div class="pad-actions">
                <button
                    type="button"
                    disabled=move || !has_strokes()
                    on:click=move |_| strokes.update(|s| { s.pop(); })
                >
                    {tr("撤销一笔", "Undo stroke")}
                </button>
                <button type="button" disabled=move || !has_strokes() on:click=move |_| strokes.set(Vec::new())>
                    {tr("清除", "Clear")}
                </button>
            </div>
        </div>
    }
}

#[component]
pub fn TypedSignature() -> impl IntoView {
    let typed = use_signing().typed_signature;
    view! {
        <div class="signature-type">
            <label for="f-signature-typed">
                {tr("键入甲方代表姓名作为签名", "Type the representative's name as your signature")}
            </label>
            <input
                id="f-signature-typed"
                name="signature.typed"
                type="text"
                autocomplete="name"
                spellcheck="false"
                aria-describedby="f-signature-msg"
                prop:value=move || typed.get()
                on:input:target=move |ev| typed.set(ev.target().value())
            />
            <p class="typed-preview" aria-hidden="true">{move || typed.get()}</p>
        </div>
    }
}

#[component]
pub fn SignatureSection() -> impl IntoView {
    let ctx = use_signing();
    let locale = ctx.locale();
    let mode = ctx.signature_mode;
    let problem = Memo::new(move |_| signature_problem(ctx));
    let shown = move || {
        if ctx.submitted.get() {
            problem.get()
        } else {
            None
        }
    };
    let radio =
        move |value: SignatureMode, id: &'static str, zh: &'static str, en: &'static str| {
            view! {
                <label class="mode" for=id>
                    <input
                        type="radio"
                        id=id
                        name="signature.mode"
                        prop:checked=move || mode.get() == value
                        aria-invalid=move || (shown().is_some() && mode.get() == value).to_string()
                        aria-describedby="f-signature-msg"
                        on:change=move |_| mode.set(value)
                    />
                    {tr(zh, en)}
                </label>
            }
        };
    view! {
        <section class="form-section signature" id="s-signature" aria-labelledby="s-signature-title">
            <h2 id="s-signature-title">{tr("甲方代表签名", "Signature of Party A's representative")}</h2>
            <fieldset class="signature-mode">
                <legend>{tr("签名方式", "How to sign")}</legend>
                {radio(SignatureMode::Drawn, "f-signature", "手写签名", "Draw")}
                {radio(SignatureMode::Typed, "f-signature-mode-typed", "键入姓名", "Type")}
            </fieldset>
            <Show when=move || mode.get() == SignatureMode::Drawn fallback=|| view! { <TypedSignature /> }>
                <SignaturePad />
            </Show>
            <p class="message" id="f-signature-msg" aria-live="polite">
                {move || shown().map(|m| m.text(locale.get()))}
            </p>
        </section>
    }
}

/// The signature's message for the error summary, if the signature would be refused.
pub fn signature_summary(ctx: SigningCtx, locale: UiLocale) -> Option<String> {
    signature_problem(ctx).map(|m| m.text(locale))
}
