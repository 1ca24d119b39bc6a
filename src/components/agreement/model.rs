//! The reading view's model, without any view code: the rows of a part (one per block id,
//! holding the zh and the en block, which the content files keep in the same order), each
//! row's role and indent, the anchors the table of contents links to, and the split of a
//! block's text into literal text and blanks.

use qianyue_domain::content::{
    expand_orders, Block, Kind, Lang, PartId, ProductTemplate, TableRow, NOTICE_ID,
};
use qianyue_domain::form::Form;

/// What a block is on the page, which decides its element (`h2`, `h3`, `h4` or `p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The part's title: `h2`.
    Title,
    /// The translation notice (`notice`): the Chinese text prevails.
    Notice,
    /// An article or section (`a3`, `s2`, `customer.heading`, a product line): `h3`, and an
    /// entry of the table of contents.
    Section,
    /// A heading inside a section (`s1.3` (三)信息的存储): `h4`.
    Subsection,
    Para,
    Item,
    /// A label with a value or a blank (parts A and D).
    Field,
    /// A remark outside the running text (注：, the copy note).
    Note,
}

impl Role {
    fn of(part: PartId, block: &Block) -> Role {
        match block.kind {
            Kind::Title => Role::Title,
            Kind::Note if block.id == NOTICE_ID => Role::Notice,
            Kind::Note => Role::Note,
            Kind::Heading => {
                let base = base_id(&block.id);
                let top = !base.contains('.') || base.ends_with(".heading");
                if top || part == PartId::Order {
                    Role::Section
                } else {
                    Role::Subsection
                }
            }
            Kind::Para => Role::Para,
            Kind::Item => Role::Item,
            Kind::Field => Role::Field,
        }
    }

    /// The class suffix of the row (`row--section`).
    pub fn class(self) -> &'static str {
        match self {
            Role::Title => "title",
            Role::Notice => "notice",
            Role::Section => "section",
            Role::Subsection => "subsection",
            Role::Para => "para",
            Role::Item => "item",
            Role::Field => "field",
            Role::Note => "note",
        }
    }
}

/// A block id without the product-line suffix `#n` of an expanded template.
fn base_id(id: &str) -> &str {
    id.split_once('#').map_or(id, |(base, _)| base)
}

/// One block id of a part, in Chinese and, once it is here, in English (crate::content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub part: PartId,
    pub id: String,
    pub role: Role,
    /// Nesting depth of a clause under its article or section (0 = flush), from the id's
    /// numbering levels (`s1.2.i4.7` is 2 levels under `s1.2`).
    pub indent: u8,
    pub table: TableRow,
    pub zh: Block,
    pub en: Option<Block>,
}

impl Row {
    /// The block in `lang`; the Chinese, which prevails, while the English is not here (the
    /// view shows English only once it is: `shown_langs`).
    pub fn block(&self, lang: Lang) -> &Block {
        match lang {
            Lang::En => self.en.as_ref().unwrap_or(&self.zh),
            Lang::Zh => &self.zh,
        }
    }

    /// The element id of the row, which the table of contents links to.
    pub fn anchor(&self) -> String {
        anchor(self.part, &self.id)
    }

    /// The element id of the row's cell in `lang` (the headings that name a part).
    pub fn cell_id(&self, lang: Lang) -> String {
        format!("{}-{}", self.anchor(), lang.file_suffix())
    }
}

/// `agr-<part>-<block id with . and # as ->`: a valid, CSS-friendly element id.
pub fn anchor(part: PartId, block_id: &str) -> String {
    let id: String = block_id
        .chars()
        .map(|c| if c == '.' || c == '#' { '-' } else { c })
        .collect();
    format!("agr-{}-{id}", part.hook())
}

/// The product-line template of each order (content README 1.7), from its product name. A
/// name that selects none (not chosen yet, or mistyped) takes the leased-line template, which
/// shows every field, product name included. A form without product lines shows one blank
/// leased-line block, as the paper form does.
pub fn order_templates(form: &Form) -> Vec<ProductTemplate> {
    if form.orders.is_empty() {
        return vec![ProductTemplate::LeasedLine];
    }
    form.orders
        .iter()
        .map(|order| template_of(&order.product_name))
        .collect()
}

/// The template a product name selects; the leased line's for one that selects none.
pub fn template_of(product_name: &str) -> ProductTemplate {
    ProductTemplate::for_product_name(product_name.trim()).unwrap_or(ProductTemplate::LeasedLine)
}

/// The rows of a part in reading order: the title, the translation notice, then every other
/// block in file order, with the product-line templates expanded for `templates`; in Chinese,
/// and in English too if `en` is given.
pub fn rows(
    part: PartId,
    zh: &[Block],
    en: Option<&[Block]>,
    templates: &[ProductTemplate],
) -> Vec<Row> {
    let zh = expand_orders(zh, templates);
    let en = en.map(|en| expand_orders(en, templates));
    let mut rows: Vec<Row> = zh
        .into_iter()
        .enumerate()
        .filter_map(|(i, zh)| {
            // The files keep the same ids in the same order; look the id up if not.
            let en = match &en {
                None => None,
                Some(en) => Some(match en.get(i) {
                    Some(b) if b.id == zh.id => b.clone(),
                    _ => en.iter().find(|b| b.id == zh.id)?.clone(),
                }),
            };
            Some(Row {
                part,
                role: Role::of(part, &zh),
                indent: indent(part, &zh),
                table: zh.table_row,
                id: zh.id.clone(),
                zh,
                en,
            })
        })
        .collect();
    // Reading order: the part's heading first, so that the notice belongs to it.
    if let (Some(title), Some(notice)) = (
        rows.iter().position(|r| r.role == Role::Title),
        rows.iter().position(|r| r.role == Role::Notice),
    ) {
        if notice < title {
            let notice_row = rows.remove(notice);
            rows.insert(title, notice_row);
        }
    }
    rows
}

/// The rows of `part` in the app's text (crate::content), with the English if `langs` shows it.
pub fn shown_rows(part: PartId, langs: &[Lang], templates: &[ProductTemplate]) -> Vec<Row> {
    let Some(zh) = crate::content::blocks(part, Lang::Zh) else {
        return Vec::new();
    };
    let en = if langs.contains(&Lang::En) {
        crate::content::blocks(part, Lang::En)
    } else {
        None
    };
    rows(part, zh, en, templates)
}

fn indent(part: PartId, block: &Block) -> u8 {
    if !matches!(part, PartId::Privacy | PartId::Service) {
        return 0;
    }
    match block.kind {
        Kind::Para | Kind::Item | Kind::Note => {
            let levels = base_id(&block.id).split('.').count();
            u8::try_from(levels.saturating_sub(2).min(3)).unwrap_or(3)
        }
        _ => 0,
    }
}

/// A piece of a block's display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    /// A `{path}` placeholder: the form's value at `path` goes here.
    Blank(String),
}

/// Splits a display text (`Block::text`) into literal text and placeholders.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Segment::Text(rest[..open].to_owned()));
        }
        out.push(Segment::Blank(rest[open + 1..open + len].to_owned()));
        rest = &rest[open + len + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest.to_owned()));
    }
    out
}

/// A field's label, separator and value text (content README 1.6), or `None` for a block
/// that is not a field or has no separator (`甲方（公章）`).
pub fn field_parts(block: &Block, lang: Lang) -> Option<(String, &'static str, String)> {
    let (label, value) = block.label_value(lang)?;
    let separator = match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    };
    Some((label, separator, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use qianyue_domain::content::agreement;

    fn seed_templates() -> Vec<ProductTemplate> {
        vec![ProductTemplate::LeasedLine, ProductTemplate::MobileCloud]
    }

    #[test]
    fn every_part_pairs_each_zh_block_with_its_en_block() {
        for part in &agreement().parts {
            let shown = rows(part.id, &part.zh, Some(&part.en), &seed_templates());
            // The seed's two product lines use each template once: as many rows as blocks.
            assert_eq!(shown.len(), part.zh.len());
            for row in &shown {
                let en = row.en.as_ref().expect("every row has its English");
                assert_eq!(row.zh.id, en.id);
                assert_eq!(row.zh.kind, en.kind);
            }
            // Without the English the same rows, each showing its Chinese in either language.
            let chinese = rows(part.id, &part.zh, None, &seed_templates());
            assert_eq!(chinese.len(), part.zh.len());
            for row in &chinese {
                assert!(row.en.is_none());
                assert_eq!(row.block(Lang::En), &row.zh);
            }
            assert_eq!(shown[0].role, Role::Title, "{:?}", part.id);
            assert_eq!(shown[1].role, Role::Notice, "{:?}", part.id);
        }
    }

    #[test]
    fn product_lines_follow_the_orders() {
        let order = agreement().part(PartId::Order);
        let shown = rows(order.id, &order.zh, Some(&order.en), &seed_templates());
        let sections: Vec<&str> = shown
            .iter()
            .filter(|r| r.role == Role::Section)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(
            sections,
            [
                "customer.heading",
                "contact.heading",
                "admin.heading",
                "order.line.heading#0",
                "order.cloud.heading#1"
            ]
        );
        let cloud_number = shown
            .iter()
            .find(|r| r.id == "order.cloud.product_number#1")
            .expect("the cloud block is expanded for orders.1");
        assert!(cloud_number.zh.text().contains("{orders.1.product_number}"));
        assert_eq!(cloud_number.table, TableRow::Start);
    }

    #[test]
    fn a_form_without_orders_shows_one_blank_line_block() {
        assert_eq!(
            order_templates(&Form::default()),
            [ProductTemplate::LeasedLine]
        );
        let mut form = Form::default();
        form.set_value("orders.1.product_name", "移动云").unwrap();
        assert_eq!(
            order_templates(&form),
            [ProductTemplate::LeasedLine, ProductTemplate::MobileCloud]
        );
    }

    #[test]
    fn headings_and_indents_follow_the_numbering() {
        let privacy = shown_rows(PartId::Privacy, &[Lang::Zh], &[]);
        let find = |id: &str| privacy.iter().find(|r| r.id == id).unwrap();
        assert_eq!(find("s1").role, Role::Section);
        assert_eq!(find("s1.3").role, Role::Subsection);
        assert_eq!(find("s1.2").indent, 0);
        assert_eq!(find("s1.2.i4").indent, 1);
        assert_eq!(find("s1.2.i4.7").indent, 2);
        let service = shown_rows(PartId::Service, &[Lang::Zh], &[]);
        let sections = service.iter().filter(|r| r.role == Role::Section).count();
        assert_eq!(sections, 8);
    }

    #[test]
    fn anchors_are_plain_ids() {
        assert_eq!(
            anchor(PartId::Order, "order.line.heading#0"),
            "agr-order-order-line-heading-0"
        );
    }

    #[test]
    fn segments_split_text_and_blanks() {
        assert_eq!(
            segments("委托期限： {agent.valid_from} 至 {agent.valid_to}"),
            [
                Segment::Text("委托期限： ".into()),
                Segment::Blank("agent.valid_from".into()),
                Segment::Text(" 至 ".into()),
                Segment::Blank("agent.valid_to".into()),
            ]
        );
        assert_eq!(segments("特此授权。"), [Segment::Text("特此授权。".into())]);
        assert_eq!(
            segments("{contract_no}"),
            [Segment::Blank("contract_no".into())]
        );
    }
}
