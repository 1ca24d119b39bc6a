//! English forms of the enumerated values the form stores as the document's Chinese labels
//! (content README 1.5: in the en text they are shown in English, docs/glossary.md §3). The
//! lists' English is the domain crate's (`qianyue_domain::labels`); this adds the two values of
//! the glossary that are not list labels: the seed's matter of the authorisation letter, and a
//! reason outside the list written as `其他：` + the customer's own words.

use qianyue_domain::enums::OTHER_REASON_PREFIX;
use qianyue_domain::labels::label_en;

/// `agent.matter` in the seed, with its English from docs/glossary.md §3.
const SEED_MATTER: (&str, &str) = ("移动相关业务", "China Mobile-related services");

/// The English form of a stored label, or `None` if the value is not a known label (then it
/// is shown as entered: a name, a number, free text).
pub fn english(value: &str) -> Option<String> {
    if let Some(en) = label_en(value) {
        return Some(en.to_owned());
    }
    if value == SEED_MATTER.0 {
        return Some(SEED_MATTER.1.to_owned());
    }
    let words = value.strip_prefix(OTHER_REASON_PREFIX)?;
    let other = label_en("其他").unwrap_or("other");
    Some(format!("{other}: {words}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_labels_have_english_forms() {
        for (zh, en) in [
            ("1.2 企业法人", "1.2 enterprise legal person"),
            (
                "企业法人营业执照",
                "Business Licence of Enterprise Legal Person",
            ),
            (
                "3.9 电气机械及器材制造业",
                "3.9 manufacture of electrical machinery and equipment",
            ),
            ("互联网专线", "Internet leased line"),
            ("移动云", "Mobile Cloud"),
            ("预约销户", "scheduled cancellation"),
            ("客户倒闭或搬迁", "customer closed down or relocated"),
            ("客户经理", "account manager"),
            ("移动相关业务", "China Mobile-related services"),
            ("其他：不再需要", "other: 不再需要"),
        ] {
            assert_eq!(english(zh).as_deref(), Some(en), "{zh}");
        }
        assert!(english("身份证").is_some_and(|en| !en.is_empty() && en.is_ascii()));
    }

    #[test]
    fn free_text_has_no_english_form() {
        assert_eq!(english("深圳特发东智科技有限公司"), None);
        assert_eq!(english("/"), None);
        assert_eq!(english(""), None);
    }
}
