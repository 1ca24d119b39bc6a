//! The signing journey in a real browser: messages appear on leaving a field and clear when
//! fixed, a keystroke's message comes before the agreement follows, previews follow the fee
//! inputs, a cross-field error marks every field involved, the
//! language switch changes the messages and the page's language, ID numbers are masked, values
//! are shown as text, the draft is saved once typing pauses and survives a remount.

use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Event, HtmlElement, HtmlInputElement};

use crate::support::{
    choose, click, fill, has, has_cjk, input, invalid, leave, message_of, mount_app, reach_form,
    reach_signing_step, remount_app, root_lang, select, settle, sleep, type_into,
};

const SEED: &str = include_str!("../../crates/domain/tests/fixtures/seed-form-with-fees.json");

/// Mounts the app into its own container, optionally prefilled (URL fragment), with no draft,
/// and brings in the form and the deferred signing step as a reader does, by working in the
/// form.
async fn mount(prefill: Option<&str>) -> (HtmlElement, impl Sized) {
    let (container, handle) = mount_app(prefill);
    reach_form(&container).await;
    reach_signing_step(&container).await;
    (container, handle)
}

fn preview_value(container: &HtmlElement, key: &str) -> Option<String> {
    container
        .query_selector(&format!("[data-preview='{key}']"))
        .unwrap()
        .and_then(|el| el.get_attribute("data-value"))
}

fn preview_text(container: &HtmlElement, key: &str) -> Option<String> {
    container
        .query_selector(&format!("[data-preview='{key}']"))
        .unwrap()
        .and_then(|el| el.text_content())
}

#[wasm_bindgen_test]
async fn mobile_message_appears_on_leaving_and_clears_when_fixed() {
    let (c, _m) = mount(None).await;
    let mobile = input(&c, "contact.mobile");
    type_into(&mobile, "1380013800").await;
    assert_eq!(
        invalid(&mobile).as_deref(),
        Some("false"),
        "not before leaving"
    );
    leave(&mobile).await;
    assert_eq!(invalid(&mobile).as_deref(), Some("true"));
    assert!(!message_of(&c, &mobile).is_empty());

    // Live once touched; shown normalised once left again.
    type_into(&mobile, "+86 138-0013-8000").await;
    assert_eq!(invalid(&mobile).as_deref(), Some("false"));
    assert_eq!(message_of(&c, &mobile), "");
    leave(&mobile).await;
    assert_eq!(mobile.value(), "13800138000");
}

#[wasm_bindgen_test]
async fn lower_case_uscc_is_accepted_and_shown_upper_case() {
    let (c, _m) = mount(None).await;
    let cert = input(&c, "customer.cert_number");
    type_into(&cert, "91440300758613572g").await;
    leave(&cert).await;
    assert_eq!(invalid(&cert).as_deref(), Some("false"));
    assert_eq!(cert.value(), "91440300758613572G");
}

#[wasm_bindgen_test]
async fn a_keystroke_shows_its_message_before_the_agreement_follows() {
    // The seed's prefilled values count as left: the code's message follows every keystroke.
    let (c, _m) = mount(Some(SEED)).await;
    let cert = input(&c, "customer.cert_number");
    let blank = || {
        c.query_selector(".agreement [data-field='customer.cert_number']")
            .unwrap()
            .expect("the agreement's blank of the code")
            .text_content()
            .unwrap_or_default()
    };
    assert_eq!(blank(), "91440300758613572G");
    assert_eq!(message_of(&c, &cert), "");

    // The keystroke's own task (Leptos's microtask steps, no timer between them): the message
    // and aria-invalid are there; the agreement's blank still shows the value before it.
    cert.set_value("91440300758613572H");
    cert.dispatch_event(&Event::new("input").unwrap()).unwrap();
    for _ in 0..6 {
        tick().await;
    }
    assert_eq!(invalid(&cert).as_deref(), Some("true"));
    assert!(!message_of(&c, &cert).is_empty());
    assert_eq!(blank(), "91440300758613572G");

    // A task later (`AppState::track_settled`) the agreement follows.
    settle().await;
    assert_eq!(blank(), "91440300758613572H");
}

#[wasm_bindgen_test]
async fn preview_follows_the_fee_inputs() {
    let (c, _m) = mount(Some(SEED)).await;
    assert_eq!(
        preview_value(&c, "orders.0.penalty").as_deref(),
        Some("960000")
    );
    assert_eq!(
        preview_text(&c, "orders.0.penalty").as_deref(),
        Some("¥9,600.00")
    );
    let fee = input(&c, "orders.0.monthly_fee");
    fill(&fee, "1000").await;
    assert_eq!(fee.value(), "1000.00", "shown normalised");
    // 0.5 × 1000 × 11 months + 3000 investment.
    assert_eq!(
        preview_value(&c, "orders.0.penalty").as_deref(),
        Some("850000")
    );
    // The Mobile Cloud line: 0.5 × 450 × 8 months.
    assert_eq!(
        preview_value(&c, "total.penalty").as_deref(),
        Some("1030000")
    );
    // A fee that does not parse removes the figure (and its hook).
    type_into(&fee, "abc").await;
    assert_eq!(preview_value(&c, "orders.0.penalty"), None);
    assert_eq!(invalid(&fee).as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn cross_field_error_marks_both_fields() {
    let (c, _m) = mount(Some(SEED)).await;
    let signer = input(&c, "signing.representative");
    let agent = input(&c, "agent.name");
    assert_eq!(invalid(&signer).as_deref(), Some("false"));
    fill(&signer, "张晓梅").await;
    assert_eq!(invalid(&signer).as_deref(), Some("true"));
    assert_eq!(
        invalid(&agent).as_deref(),
        Some("true"),
        "the agent is marked too"
    );
    let at_signer = message_of(&c, &signer);
    assert!(!at_signer.is_empty());
    assert_eq!(
        message_of(&c, &agent),
        at_signer,
        "the same message at both"
    );

    fill(&signer, "刘志强").await;
    assert_eq!(invalid(&signer).as_deref(), Some("false"));
    assert_eq!(invalid(&agent).as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn locale_switch_changes_messages() {
    let (c, _m) = mount(None).await;
    let email = input(&c, "admin.email");
    fill(&email, "wang@").await;
    click(&c, "[data-locale='zh-CN']").await;
    let zh = message_of(&c, &email);
    assert!(has_cjk(&zh), "zh: {zh}");
    assert_eq!(root_lang().as_deref(), Some("zh-CN"));
    click(&c, "[data-locale='en']").await;
    let en = message_of(&c, &email);
    assert!(!en.is_empty() && !has_cjk(&en), "en: {en}");
    assert_eq!(root_lang().as_deref(), Some("en"));
    click(&c, "[data-locale='both']").await;
    let both = message_of(&c, &email);
    assert!(both.contains(&zh) && both.contains(&en), "both: {both}");
    click(&c, "[data-locale='zh-CN']").await;
}

#[wasm_bindgen_test]
async fn id_numbers_are_masked_after_leaving_and_revealable() {
    let (c, _m) = mount(Some(SEED)).await;
    settle().await;
    let id = input(&c, "contact.id_number");
    assert_eq!(id.value(), "4403**********1246", "prefilled: masked");
    // The focus handler swaps mask and number at once; not settled here, since a synthetic
    // focus is followed by a blur once the browser runs its next task.
    id.dispatch_event(&Event::new("focus").unwrap()).unwrap();
    assert_eq!(id.value(), "440307198505201246", "focused: shown");
    leave(&id).await;
    assert_eq!(id.value(), "4403**********1246");
    // The agreement's blanks show it masked too, and the same button reveals them.
    let blank_text = |path: &str| -> Vec<String> {
        let list = c
            .query_selector_all(&format!(".agreement [data-field='{path}'] .id-shown"))
            .unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
            .collect()
    };
    assert!(!blank_text("contact.id_number").is_empty());
    for shown in blank_text("contact.id_number") {
        assert_eq!(shown, "4403**********1246", "blank before reveal");
    }
    click(&c, "#f-contact-id_number ~ .reveal").await;
    assert_eq!(id.value(), "440307198505201246", "revealed on request");
    for shown in blank_text("contact.id_number") {
        assert_eq!(
            shown, "440307198505201246",
            "blank revealed by the form's button"
        );
    }
    for shown in blank_text("agent.id_number") {
        assert_eq!(shown, "4403**********5316", "the other number stays masked");
    }
    click(&c, "#f-contact-id_number ~ .reveal").await;
    assert_eq!(id.value(), "4403**********1246", "hidden again");
    for shown in blank_text("contact.id_number") {
        assert_eq!(shown, "4403**********1246", "blank hidden again");
    }
}

#[wasm_bindgen_test]
async fn wrong_check_digit_is_named_precisely() {
    let (c, _m) = mount(Some(SEED)).await;
    click(&c, "[data-locale='en']").await;
    let id = input(&c, "agent.id_number");
    fill(&id, "440305199608185317").await;
    assert_eq!(invalid(&id).as_deref(), Some("true"));
    assert!(
        message_of(&c, &id).contains("Check digit"),
        "{}",
        message_of(&c, &id)
    );
    click(&c, "[data-locale='zh-CN']").await;
    assert!(message_of(&c, &id).contains("校验位"));
}

#[wasm_bindgen_test]
async fn html_in_values_is_shown_as_text() {
    let (c, _m) = mount(None).await;
    let name = input(&c, "customer.group_name");
    fill(&name, "<img src=x onerror=alert(1)><script>x()</script>").await;
    assert!(c.query_selector("img[src='x']").unwrap().is_none());
    assert_eq!(
        name.value(),
        "<img src=x onerror=alert(1)><script>x()</script>"
    );
}

#[wasm_bindgen_test]
async fn product_lines_can_be_added_and_removed() {
    let (c, _m) = mount(None).await;
    assert!(c
        .query_selector("[name='orders.0.sub_order_no']")
        .unwrap()
        .is_none());
    click(&c, "#add-order").await;
    click(&c, "#add-order").await;
    let second = input(&c, "orders.1.sub_order_no");
    fill(&second, "7552304046028604").await;
    choose(&select(&c, "orders.1.product_name"), "移动云").await;
    click(&c, "#order-0-title ~ .remove-line").await;
    assert!(c
        .query_selector("[name='orders.1.sub_order_no']")
        .unwrap()
        .is_none());
    assert_eq!(
        input(&c, "orders.0.sub_order_no").value(),
        "7552304046028604"
    );
    assert_eq!(select(&c, "orders.0.product_name").value(), "移动云");
}

#[wasm_bindgen_test]
async fn other_reason_takes_the_readers_words() {
    let (c, _m) = mount(None).await;
    click(&c, "#add-order").await;
    let reason = select(&c, "orders.0.reason");
    choose(&reason, "其他").await;
    assert_eq!(
        invalid(&reason).as_deref(),
        Some("true"),
        "words still missing"
    );
    let other: HtmlInputElement = c
        .query_selector("#f-orders-0-reason-other")
        .unwrap()
        .unwrap()
        .unchecked_into();
    fill(&other, "公司合并").await;
    assert_eq!(invalid(&reason).as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn submit_attempt_lists_problems_and_focuses_the_first() {
    let (c, _m) = mount(None).await;
    click(&c, "#sign-and-send").await;
    let summary = c
        .query_selector("#error-summary")
        .unwrap()
        .expect("an error summary");
    assert!(summary.query_selector_all("a").unwrap().length() > 10);
    assert_eq!(
        invalid(&input(&c, "contract_no")).as_deref(),
        Some("true"),
        "untouched fields are marked after a submit attempt"
    );
    // Focus moves on the next frame.
    let (tx, rx) = futures_channel();
    leptos::prelude::request_animation_frame(tx);
    rx.await;
    let active = leptos::prelude::document().active_element().unwrap();
    assert_eq!(active.id(), "f-contract_no");
}

#[wasm_bindgen_test]
async fn the_draft_survives_a_remount_but_consents_do_not() {
    let (c, m) = mount(None).await;
    let name = input(&c, "customer.group_name");
    fill(&name, "深圳特发东智科技有限公司").await;
    let id = input(&c, "contact.id_number");
    fill(&id, "440307198505201246").await;
    click(&c, "[name='consent.privacy_policy']").await;
    // Leaving the page saves at once.
    leptos::prelude::window()
        .dispatch_event(&Event::new("pagehide").unwrap())
        .unwrap();
    drop(m);
    let (c2, _m2) = remount_app();
    settle().await;
    reach_form(&c2).await;
    reach_signing_step(&c2).await;
    assert_eq!(
        input(&c2, "customer.group_name").value(),
        "深圳特发东智科技有限公司"
    );
    let stored = leptos::prelude::window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(qianyue::draft::DRAFT_KEY)
        .unwrap()
        .unwrap();
    assert!(
        !stored.contains("440307198505201246"),
        "ID numbers are not in localStorage"
    );
    let id2 = input(&c2, "contact.id_number");
    id2.dispatch_event(&Event::new("focus").unwrap()).unwrap();
    settle().await;
    assert_eq!(id2.value(), "440307198505201246", "kept for this tab");
    assert!(!input(&c2, "consent.privacy_policy").checked());
}

/// A one-shot signal from a callback to a test.
fn futures_channel() -> (impl FnOnce(), impl std::future::Future<Output = ()>) {
    let (resolve_tx, promise) = {
        let mut resolve = None;
        let promise = js_sys::Promise::new(&mut |res, _| resolve = Some(res));
        (resolve.unwrap(), promise)
    };
    let send = move || {
        let _ = resolve_tx.call0(&wasm_bindgen::JsValue::NULL);
    };
    let wait = async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    };
    (send, wait)
}

#[wasm_bindgen_test]
async fn the_form_then_the_signing_step_come_as_the_reader_reaches_them() {
    let (c, _m) = mount_app(None);
    settle().await;
    // The first screen: the agreement, and a placeholder where the form will be.
    assert!(has(&c, ".agreement [data-part='order']"));
    assert!(!has(&c, "form"), "the form is not part of the first load");
    assert!(has(&c, "[data-deferred='waiting']"));
    reach_form(&c).await;
    assert!(
        !has(&c, "#sign-and-send"),
        "the signing step comes later still"
    );
    assert!(has(&c, "[data-deferred='waiting']"));
    // The order's fields are there and work before it comes.
    let mobile = input(&c, "admin.mobile");
    fill(&mobile, "1380013800").await;
    assert_eq!(invalid(&mobile).as_deref(), Some("true"));
    reach_signing_step(&c).await;
    assert!(!has(&c, "[data-deferred='waiting']"));
    assert!(has(&c, "[name='signing.representative']"));
    assert!(has(&c, "[name='consent.privacy_policy']"));
}

fn stored_draft() -> String {
    leptos::prelude::window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(qianyue::draft::DRAFT_KEY)
        .unwrap()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_draft_is_saved_once_typing_pauses() {
    let (c, _m) = mount(None).await;
    let name = input(&c, "customer.group_name");
    let now = js_sys::Date::now;
    // The pause before saving (DRAFT_DELAY, src/components/signing/mod.rs).
    let pause = 400.0;
    // Typing, a keystroke every 100 ms: longer than the pause in all, but never a pause that
    // long. A draft is saved only once typing has paused: whenever one holds the name, some gap
    // between keystrokes, or since the last one, reached the pause. On a machine that keeps the
    // pace that means nothing is saved while typing; a stall would have been a pause.
    let mut longest_gap = 0.0f64;
    let mut last: Option<f64> = None;
    for n in 1..=6 {
        let t = now();
        if let Some(last) = last {
            longest_gap = longest_gap.max(t - last);
        }
        last = Some(t);
        type_into(&name, &format!("深圳特发东智科技有限公司{n}")).await;
        sleep(100).await;
        let gap = longest_gap.max(now() - t);
        assert!(
            gap >= pause || !stored_draft().contains("深圳特发东智科技有限公司"),
            "saved while typing, with no pause of {pause} ms (the longest gap: {gap} ms)"
        );
    }
    // Then typing stops: saved with the last value once the pause has passed. Awaited, with a
    // deadline far beyond the pause for a slow machine.
    let stopped = last.unwrap();
    let deadline = stopped + 10_000.0;
    loop {
        let t = now();
        if stored_draft().contains("深圳特发东智科技有限公司6") {
            assert!(
                t - stopped >= pause,
                "saved {} ms after the last keystroke, before the pause",
                t - stopped
            );
            break;
        }
        assert!(
            t < deadline,
            "not saved within 10 s of the last keystroke, with the last value"
        );
        sleep(20).await;
    }
}

#[wasm_bindgen_test]
async fn reply_by_is_shown_beside_the_privacy_consent_and_marked_when_provisional() {
    let (c, _m) = mount(Some(SEED)).await;
    // Privacy policy 四(二)(三): a request made on the signing date, which the app fills with
    // today in China Standard Time, is answered within 15 working days: the figure is the
    // domain's count from that day, with the note only when it reached a provisional year.
    let today = qianyue_domain::payload::SignedAt::from_unix_seconds(
        (js_sys::Date::now() / 1000.0).floor() as i64,
    )
    .unwrap()
    .date();
    let counted = qianyue_domain::clauses::reply_by_counted(
        today,
        qianyue_domain::holidays::Calendars::shipped(),
    )
    .unwrap();
    assert!(has(
        &c,
        "#s-consents .consent [data-preview='privacy.reply_by']"
    ));
    assert_eq!(
        preview_value(&c, "privacy.reply_by"),
        Some(counted.date.to_string())
    );
    assert_eq!(
        has(&c, "[data-provisional='privacy.reply_by']"),
        counted.is_provisional()
    );
    let clause = c
        .query_selector("#s-consents .reply-by .clause")
        .unwrap()
        .and_then(|el| el.text_content())
        .unwrap_or_default();
    assert!(
        clause.contains("四(二)(三)") || clause.contains("IV (b)(c)"),
        "{clause}"
    );

    // Signed on 2026-12-11 (10:00 in China) the count reaches 2027, which has no notice:
    // provisional. The app fills the signing date from its clock, pinned here to that day.
    drop(_m);
    drop(c);
    qianyue::clock::set_for_tests(Some(1_796_954_400));
    let (c, _m) = mount(Some(SEED)).await;
    qianyue::clock::set_for_tests(None);
    assert_eq!(
        preview_value(&c, "privacy.reply_by").as_deref(),
        Some("2027-01-04")
    );
    let note = c
        .query_selector("[data-provisional='privacy.reply_by']")
        .unwrap()
        .and_then(|el| el.text_content())
        .unwrap_or_else(|| {
            let html = c
                .query_selector("#s-consents")
                .unwrap()
                .map(|el| el.inner_html())
                .unwrap_or_default();
            panic!("no provisional note in {html}")
        });
    assert!(
        note.contains("按法定节假日暂估，国务院通知发布后以通知为准"),
        "{note}"
    );
    assert!(
        note.contains("Estimated from the statutory public holidays; the State Council's notice, once published, prevails"),
        "{note}"
    );
    // The figure in the reader's language; the note stays in both.
    click(&c, "[data-locale='en']").await;
    assert_eq!(
        preview_text(&c, "privacy.reply_by").as_deref(),
        Some("4 January 2027")
    );
    click(&c, "[data-locale='zh-CN']").await;
    assert_eq!(
        preview_text(&c, "privacy.reply_by").as_deref(),
        Some("2027年1月4日")
    );
    assert!(has(&c, "[data-provisional='privacy.reply_by']"));

    // Back to an official year, signed on 2026-09-30: the note goes.
    drop(_m);
    drop(c);
    qianyue::clock::set_for_tests(Some(1_790_733_600));
    let (c, _m) = mount(Some(SEED)).await;
    qianyue::clock::set_for_tests(None);
    assert_eq!(
        preview_value(&c, "privacy.reply_by").as_deref(),
        Some("2026-10-27")
    );
    assert!(!has(&c, "[data-provisional='privacy.reply_by']"));
}

/// Security review M1: the signing date is the day of signing in China Standard Time, filled
/// in by the app over the prefill's (the seed says 2023-04-10), and not editable.
#[wasm_bindgen_test]
async fn the_signing_date_is_today_in_china_and_read_only() {
    let (c, _m) = mount(Some(SEED)).await;
    let date = input(&c, "signing.date");
    assert!(date.read_only(), "the signing date is not typed");
    // Today at UTC+8, computed here from the browser's clock, not the app's: the agreement's
    // blank shows it (2026年12月02日).
    let iso = js_sys::Date::new(&(js_sys::Date::now() + 8.0 * 3600.0 * 1000.0).into())
        .to_iso_string()
        .as_string()
        .unwrap();
    let zh = format!("{}年{}月{}日", &iso[..4], &iso[5..7], &iso[8..10]);
    let blanks: Vec<String> = {
        let list = c.query_selector_all("[data-field='signing.date']").unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i).and_then(|n| n.text_content()))
            .collect()
    };
    assert!(blanks.contains(&zh), "{blanks:?} lacks {zh}");
    // Judged on that day, the seed's authorisation (2023) no longer covers it.
    let message = c
        .query_selector("#f-signing-date-msg")
        .unwrap()
        .and_then(|m| m.text_content())
        .unwrap_or_default();
    assert_eq!(message, "签名日期不在委托期限内");
}
