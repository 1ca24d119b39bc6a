//! The reading view in a real browser: language modes, clause-aligned rows, and blanks that
//! follow the form. Each test mounts the language switch and the agreement, with their state
//! provided, into its own container.

use leptos::prelude::*;
use qianyue::components::agreement::AgreementView;
use qianyue::components::locale_switch::LocaleSwitch;
use qianyue::state::{provide_app_state, AppState};
use qianyue_domain::content::{agreement, Lang, PartId};
use qianyue_domain::form::Form;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlElement};

use crate::support::{all, choose_locale, has_cjk, mount_view, one, settle};

fn seed_form() -> Form {
    qianyue::prefill::parse(include_str!(
        "../../crates/domain/tests/fixtures/seed-form.json"
    ))
    .expect("the seed form parses")
}

/// The reading view's own stylesheet, so that layout assertions see the real layout.
fn install_stylesheet() {
    let document = document();
    if document.get_element_by_id("agreement-css").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("agreement-css");
        style.set_text_content(Some(include_str!("../../style/agreement.css")));
        document.head().unwrap().append_child(&style).unwrap();
    }
}

fn mount(form: Form) -> (HtmlElement, AppState, impl Sized) {
    install_stylesheet();
    let state = AppState::new(form);
    let (container, handle) = mount_view(move || {
        provide_app_state(state);
        view! {
            <LocaleSwitch locale=state.locale />
            <AgreementView />
        }
    });
    (container, state, handle)
}

fn part(container: &HtmlElement, part: PartId) -> HtmlElement {
    one(container, &format!("[data-part='{}']", part.hook()))
}

fn langs_of_cells(part: &Element) -> Vec<String> {
    all(part, ".cell")
        .iter()
        .map(|c| c.get_attribute("lang").unwrap_or_default())
        .collect()
}

fn is_empty_blank(blank: &Element) -> bool {
    blank
        .get_attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|c| c == "empty"))
}

#[wasm_bindgen_test]
async fn switching_language_changes_lang_and_the_visible_text() {
    let (container, _state, _mounted) = mount(seed_form());

    choose_locale(&container, "zh-CN").await;
    for id in PartId::ALL {
        let part = part(&container, id);
        assert_eq!(
            one(&part, ".rows").get_attribute("lang").as_deref(),
            Some("zh-CN")
        );
        let langs = langs_of_cells(&part);
        assert!(!langs.is_empty() && langs.iter().all(|l| l == "zh-CN"));
        assert!(part.inner_text().contains(id.title(Lang::Zh)));
    }
    let privacy = part(&container, PartId::Privacy);
    assert!(privacy
        .inner_text()
        .contains("一、我们如何处理您的集团/个人信息"));

    choose_locale(&container, "en").await;
    for id in PartId::ALL {
        let part = part(&container, id);
        assert_eq!(
            one(&part, ".rows").get_attribute("lang").as_deref(),
            Some("en")
        );
        let langs = langs_of_cells(&part);
        assert!(!langs.is_empty() && langs.iter().all(|l| l == "en"));
        assert!(part.inner_text().contains(id.title(Lang::En)));
    }
    let privacy = part(&container, PartId::Privacy);
    let text = privacy.inner_text();
    assert!(text.contains("I. How we process your group/personal information"));
    assert!(!has_cjk(&text), "the English privacy policy shows Chinese");
    // The note that the Chinese text prevails is shown with the English.
    assert!(text.contains("the Chinese text prevails"));
    let root_lang = document().document_element().unwrap().get_attribute("lang");
    assert_eq!(root_lang.as_deref(), Some("en"));

    choose_locale(&container, "both").await;
    let privacy = part(&container, PartId::Privacy);
    assert_eq!(one(&privacy, ".rows").get_attribute("lang"), None);
    let langs = langs_of_cells(&privacy);
    assert_eq!(
        langs.iter().filter(|l| *l == "zh-CN").count(),
        langs.iter().filter(|l| *l == "en").count()
    );
    let text = privacy.inner_text();
    assert!(text.contains("一、我们如何处理") && text.contains("I. How we process"));
}

#[wasm_bindgen_test]
async fn side_by_side_rows_line_up_by_clause_id() {
    let (container, _state, _mounted) = mount(seed_form());
    choose_locale(&container, "both").await;

    for id in [PartId::Privacy, PartId::Service, PartId::Authorization] {
        let content = agreement().part(id);
        let part = part(&container, id);
        let rows = all(&part, ".row");
        assert_eq!(rows.len(), content.zh.len(), "{id:?}: one row per block");
        for row in &rows {
            let block_id = row.get_attribute("data-block").unwrap();
            let cells = all(row, ":scope > .cell");
            let langs: Vec<_> = cells
                .iter()
                .map(|c| c.get_attribute("lang").unwrap_or_default())
                .collect();
            assert_eq!(langs, ["zh-CN", "en"], "{id:?} {block_id}");
            // Both cells are the same clause: the text of that id in each language.
            for (cell, lang) in cells.iter().zip(Lang::ALL) {
                let block = content.block(lang, &block_id).expect("the id exists");
                if block.placeholders().is_empty() {
                    let shown = cell.text_content().unwrap_or_default();
                    assert_eq!(shown, block.text(), "{id:?} {block_id} {lang:?}");
                }
            }
        }
    }

    // A clause and its translation start on the same line on a wide screen.
    let width = window().inner_width().unwrap().as_f64().unwrap();
    assert!(width > 700.0, "the test browser is {width} px wide");
    let row = one(&part(&container, PartId::Service), "[data-block='a2.17']");
    let cells = all(&row, ":scope > .cell");
    let top = |e: &Element| e.unchecked_ref::<HtmlElement>().offset_top();
    assert_eq!(top(&cells[0]), top(&cells[1]));
    assert!(cells[0].text_content().unwrap().starts_with("17."));
    assert!(cells[1].text_content().unwrap().starts_with("17."));
}

#[wasm_bindgen_test]
async fn a_blank_shows_the_form_value_and_follows_it() {
    let (container, state, _mounted) = mount(Form::default());
    choose_locale(&container, "both").await;
    let order = part(&container, PartId::Order);
    let blanks = || all(&order, "[data-field='customer.group_name']");

    // Not known yet: a visible blank, never the raw placeholder.
    assert_eq!(blanks().len(), 2);
    for blank in blanks() {
        assert_eq!(blank.text_content().unwrap_or_default(), "");
        assert!(is_empty_blank(&blank));
    }
    assert!(!order.inner_text().contains('{'));

    state.set_field("customer.group_name", "深圳特发东智科技有限公司".into());
    settle().await;
    for blank in blanks() {
        assert_eq!(blank.text_content().unwrap(), "深圳特发东智科技有限公司");
        assert!(!is_empty_blank(&blank));
    }

    state.set_field("customer.group_name", "深圳特发东智".into());
    settle().await;
    for blank in blanks() {
        assert_eq!(blank.text_content().unwrap(), "深圳特发东智");
    }

    // Dates in each cell's language; enumerated values in English in the English cell.
    state.set_field("signing.date", "2023-04-10".into());
    state.set_field("orders.0.reason", "客户倒闭或搬迁".into());
    settle().await;
    let shown = |path: &str| -> Vec<String> {
        all(&order, &format!("[data-field='{path}']"))
            .iter()
            .map(|e| e.text_content().unwrap_or_default())
            .collect()
    };
    assert_eq!(shown("signing.date"), ["2023年04月10日", "10 April 2023"]);
    assert_eq!(
        shown("orders.0.reason"),
        ["客户倒闭或搬迁", "customer closed down or relocated"]
    );
}

/// What the screen shows of an ID number's blank (`innerText` follows the stylesheet).
fn visible(blank: &Element) -> String {
    blank.unchecked_ref::<HtmlElement>().inner_text()
}

#[wasm_bindgen_test]
async fn id_numbers_in_the_blanks_are_masked_until_revealed() {
    let (container, state, _mounted) = mount(seed_form());
    choose_locale(&container, "both").await;
    let contact = || all(&container, "[data-field='contact.id_number']");
    let agent = || all(&container, "[data-field='agent.id_number']");
    assert_eq!(contact().len(), 2, "part A, zh and en");
    assert!(!agent().is_empty(), "part D");

    // Masked as the form's control shows it once left (normalise::masked_id_number).
    for blank in contact() {
        assert_eq!(visible(&blank), "4403**********1246");
        assert_eq!(
            one(&blank, ".id-shown").text_content().unwrap(),
            "4403**********1246"
        );
    }
    for blank in agent() {
        assert_eq!(visible(&blank), "4403**********5316");
    }
    assert!(!part(&container, PartId::Order)
        .inner_text()
        .contains("440307198505201246"));
    // The whole number is there for the printed copy only (style/agreement.css).
    let whole = one(&contact()[0], ".id-whole");
    assert_eq!(whole.text_content().unwrap(), "440307198505201246");
    let style = window().get_computed_style(&whole).unwrap().unwrap();
    assert_eq!(style.get_property_value("display").unwrap(), "none");

    // The form's "Show number" (the same state): that number whole, the other still masked.
    state.toggle_id_revealed("contact.id_number");
    settle().await;
    for blank in contact() {
        assert_eq!(visible(&blank), "440307198505201246");
    }
    for blank in agent() {
        assert_eq!(visible(&blank), "4403**********5316");
    }
    // Hidden again; an edited number is masked as typed, valid or not.
    state.toggle_id_revealed("contact.id_number");
    state.set_field("contact.id_number", "440307198505201247".into());
    settle().await;
    for blank in contact() {
        assert_eq!(visible(&blank), "4403**********1247");
    }
    state.set_field("contact.id_number", "".into());
    settle().await;
    for blank in contact() {
        assert_eq!(visible(&blank), "");
        assert!(is_empty_blank(&blank));
    }
}

#[wasm_bindgen_test]
async fn product_lines_follow_the_orders() {
    let (container, state, _mounted) = mount(seed_form());
    let order = part(&container, PartId::Order);
    assert!(order
        .query_selector("[data-block='order.line.heading#0']")
        .unwrap()
        .is_some());
    let cloud = one(&order, "[data-block='order.cloud.heading#1']");
    assert!(cloud
        .inner_text()
        .contains("移动云【50255013641】-预约销户-业务信息"));

    // The second line becomes a leased line: its block follows the leased-line template.
    state.set_field("orders.1.product_name", "数据专线".into());
    settle().await;
    let order = part(&container, PartId::Order);
    assert!(order
        .query_selector("[data-block='order.cloud.heading#1']")
        .unwrap()
        .is_none());
    let line = one(&order, "[data-block='order.line.heading#1']");
    assert!(line.inner_text().contains("数据专线【50255013641】"));

    // The table of contents names the product lines too.
    let toc = one(&container, "nav.toc");
    assert!(toc
        .text_content()
        .unwrap()
        .contains("数据专线【50255013641】"));
    // Its entries follow the fields their blanks show (each entry reads only those fields).
    let number = state
        .form
        .with_untracked(|f| f.value("orders.1.product_number").unwrap().to_owned());
    assert_eq!(number, "50255013641");
    state.set_field("orders.1.product_number", "50255013642".into());
    settle().await;
    assert!(toc
        .text_content()
        .unwrap()
        .contains("数据专线【50255013642】"));
}
