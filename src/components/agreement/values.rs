//! How a form value is shown in a blank of the agreement (content README 1.5): dates in the
//! cell's language, enumerated values in English in the English text, everything else as
//! entered. A value not known yet is the empty string (the blank stays a visible line).

use qianyue_domain::content::{Lang, PARTY_B_SIGNATURE};
use qianyue_domain::date::Date;

use super::labels;

/// The placeholders that hold a date (`YYYY-MM-DD` in the form).
const DATE_PATHS: [&str; 3] = ["signing.date", "agent.valid_from", "agent.valid_to"];

/// A date as the agreement writes it: `2023年04月01日` (zero-padded, as in the seed) or
/// `1 April 2023`.
pub fn format_date(date: Date, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "{:04}年{:02}月{:02}日",
            date.year(),
            date.month(),
            date.day()
        ),
        Lang::En => format!("{} {} {}", date.day(), date.month_name_en(), date.year()),
    }
}

/// The text shown for the placeholder `path` whose form value is `raw`, in `lang`.
///
/// `party_b.signature` is issued by Party B's system when the carrier countersigns; the
/// customer's copy does not know it yet, so it is always shown as a blank.
pub fn display(path: &str, raw: &str, lang: Lang) -> String {
    let value = raw.trim();
    if value.is_empty() || path == PARTY_B_SIGNATURE {
        return String::new();
    }
    if DATE_PATHS.contains(&path) {
        // A date still being typed is shown as typed.
        return match Date::parse_iso(value) {
            Ok(date) => format_date(date, lang),
            Err(_) => value.to_owned(),
        };
    }
    match lang {
        Lang::Zh => value.to_owned(),
        Lang::En => labels::english(value).unwrap_or_else(|| value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_language() {
        assert_eq!(
            display("agent.valid_from", "2023-04-01", Lang::Zh),
            "2023年04月01日"
        );
        assert_eq!(
            display("agent.valid_from", "2023-04-01", Lang::En),
            "1 April 2023"
        );
        assert_eq!(
            display("signing.date", "2023-12-31", Lang::En),
            "31 December 2023"
        );
        assert_eq!(display("signing.date", "2023-1", Lang::Zh), "2023-1");
    }

    #[test]
    fn labels_are_translated_only_in_english() {
        assert_eq!(
            display("orders.0.reason", "客户倒闭或搬迁", Lang::Zh),
            "客户倒闭或搬迁"
        );
        assert_eq!(
            display("orders.0.reason", "客户倒闭或搬迁", Lang::En),
            "customer closed down or relocated"
        );
        assert_eq!(display("contact.name", " 张晓梅 ", Lang::En), "张晓梅");
    }

    #[test]
    fn unknown_values_are_blank() {
        assert_eq!(display("customer.group_name", "  ", Lang::Zh), "");
        assert_eq!(display(PARTY_B_SIGNATURE, "x", Lang::Zh), "");
    }
}
