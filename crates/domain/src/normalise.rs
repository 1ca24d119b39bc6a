//! What the form shows once a value is typed: the value as the domain's own parser normalises
//! it, and ID numbers masked. Nothing here decides whether a value is good; each function
//! reuses the parser of its field and only returns a display form when that parser accepts
//! the value (a refused value is left exactly as typed, so the reader can see what to fix).
//!
//! | field | normalised to | by |
//! |---|---|---|
//! | `contract_no`, `customer.group_code`, `orders.N.sub_order_no`, `orders.N.product_number` | digits only (full-width folded, spaces removed) | [`ContractNo`], [`GroupCode`], [`SubOrderNo`], [`ProductNumber`] |
//! | `customer.cert_number` | 18 characters, upper case | [`Uscc`] |
//! | `customer.phone` | `13800138000`, `0755-88888888[-123]`, `4008208820` | [`CompanyPhone::canonical`] |
//! | `*.mobile` | 11 digits, no `+86`, spaces or dashes | [`Mobile`] |
//! | `*.email` | folded, trimmed, domain lower-cased | [`Email`] |
//! | `contact.id_number`, `agent.id_number` | per ID type (e.g. `x` → `X`) | [`parse_id_number`] |
//! | `customer.employees` | a plain integer (full-width digits folded) | [`IntegerText`] |
//! | money (`orders.N.monthly_fee`, `orders.N.investment`, `late.arrears`) | `1200.00` (full-width folded first) | [`Fen::parse_yuan`] |
//! | dates | `YYYY-MM-DD` (full-width folded first) | [`Date::parse_iso`] |
//! | every other text | trimmed | |
//!
//! Money and dates are folded here before parsing: their parsers refuse full-width input with
//! a precise message ("use half-width digits") so that a value arriving from elsewhere is never
//! silently changed, while a person typing in the form with a Chinese input method gets the
//! half-width value shown back, which is what that message asks for.

use crate::date::Date;
use crate::email::Email;
use crate::form::{Form, IntegerText};
use crate::money::Fen;
use crate::numbers::{ContractNo, GroupCode, ProductNumber, SubOrderNo};
use crate::other_id::{parse_id_number, IdType};
use crate::phone::{CompanyPhone, Mobile};
use crate::text;
use crate::uscc::Uscc;

/// The value at `path` in its normalised display form, if it differs from what is held and
/// the field's parser accepts it; `None` when there is nothing to change.
pub fn normalised(form: &Form, path: &str, today: Date) -> Option<String> {
    let held = form.value(path)?;
    let shown = display_form(form, path, held, today)?;
    (shown != held).then_some(shown)
}

/// The last segment of a path (`orders.3.monthly_fee` → `monthly_fee`).
fn field_name(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn display_form(form: &Form, path: &str, held: &str, today: Date) -> Option<String> {
    let ok = |s: String| Some(s);
    match path {
        "contract_no" => ContractNo::parse(held).ok().map(|v| v.as_str().to_owned()),
        "customer.group_code" => GroupCode::parse(held).ok().map(|v| v.as_str().to_owned()),
        "customer.cert_number" => Uscc::parse(held).ok().map(|v| v.as_str().to_owned()),
        "customer.phone" => CompanyPhone::parse(held).ok().map(|v| v.canonical()),
        "customer.employees" => {
            let folded = text::normalise(held);
            IntegerText(folded).value().map(|n| n.to_string())
        }
        "contact.id_number" | "agent.id_number" => {
            let type_path = path.replace("id_number", "id_type");
            let kind = IdType::from_label(form.value(&type_path)?)?;
            parse_id_number(kind, held, today)
                .ok()
                .map(|v| v.as_str().to_owned())
        }
        _ => match field_name(path) {
            "mobile" => Mobile::parse(held).ok().map(|v| v.as_str().to_owned()),
            "email" => Email::parse(held).ok().map(|v| v.as_str().to_owned()),
            "sub_order_no" => SubOrderNo::parse(held).ok().map(|v| v.as_str().to_owned()),
            "product_number" => ProductNumber::parse(held)
                .ok()
                .map(|v| v.as_str().to_owned()),
            "monthly_fee" | "investment" | "arrears" => {
                if held.trim().is_empty() {
                    return None;
                }
                Fen::parse_yuan(&text::normalise(held))
                    .ok()
                    .map(Fen::to_yuan_string)
            }
            "term_end" | "cancel_date" | "valid_from" | "valid_to" | "date" | "due_date"
            | "as_of" => {
                if held.trim().is_empty() {
                    return None;
                }
                Date::parse_iso(&text::normalise(held))
                    .ok()
                    .map(|d| d.to_string())
            }
            _ => ok(held.trim().to_owned()),
        },
    }
}

/// The fields that hold an ID number (sensitive personal information): shown masked on screen
/// wherever they appear, the form's controls and the agreement's blanks alike
/// ([`masked_id_number`]), and whole only on request or on paper.
pub const ID_NUMBER_PATHS: [&str; 2] = ["contact.id_number", "agent.id_number"];

/// Whether `path` holds an ID number ([`ID_NUMBER_PATHS`]).
pub fn is_id_number_path(path: &str) -> bool {
    ID_NUMBER_PATHS.contains(&path)
}

/// An ID number as the screen shows it once the field is left: the middle masked. A number the
/// ID type's rule accepts is masked by [`crate::other_id::IdNumber::masked`]; any other value
/// (not yet valid, or no ID type chosen) is masked by its length the same way (18 characters:
/// first 4 and last 4 shown; 9–17: first 2 and last 2; shorter: first and last), so a wrong
/// number is not shown in full either.
pub fn masked_id_number(form: &Form, path: &str, today: Date) -> String {
    let held = form.value(path).unwrap_or_default();
    let type_path = path.replace("id_number", "id_type");
    let parsed = form
        .value(&type_path)
        .and_then(IdType::from_label)
        .and_then(|kind| parse_id_number(kind, held, today).ok());
    match parsed {
        Some(id) => id.masked(),
        None => mask_by_length(&text::without_spaces(held)),
    }
}

fn mask_by_length(s: &str) -> String {
    let n = s.chars().count();
    match n {
        0 => String::new(),
        18.. => text::mask_middle(s, 4, 4),
        9..=17 => text::mask_middle(s, 2, 2),
        _ => text::mask_middle(s, 1, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2023, 4, 10).unwrap()
    }

    fn with(path: &str, value: &str) -> Form {
        let mut form = Form::default();
        form.set_value(path, value).unwrap();
        form
    }

    fn shown(form: &Form, path: &str) -> Option<String> {
        normalised(form, path, today())
    }

    #[test]
    fn uscc_is_upper_cased_and_folded() {
        let f = with("customer.cert_number", "９１440300758613572g");
        assert_eq!(
            shown(&f, "customer.cert_number").as_deref(),
            Some("91440300758613572G")
        );
    }

    #[test]
    fn refused_values_are_left_as_typed() {
        let f = with("customer.cert_number", "9144030075861357IG");
        assert_eq!(shown(&f, "customer.cert_number"), None);
        let f = with("contact.mobile", "1380013800");
        assert_eq!(shown(&f, "contact.mobile"), None);
    }

    #[test]
    fn mobile_numbers_lose_prefix_spaces_and_dashes() {
        for typed in [
            "+86 138-0013-8000",
            "１３８ ００１３ ８０００",
            "0086 13800138000",
        ] {
            let f = with("agent.mobile", typed);
            assert_eq!(
                shown(&f, "agent.mobile").as_deref(),
                Some("13800138000"),
                "{typed}"
            );
        }
        let f = with("agent.mobile", "13800138000");
        assert_eq!(shown(&f, "agent.mobile"), None, "already normalised");
    }

    #[test]
    fn digit_numbers_and_company_phone() {
        let f = with("orders.1.sub_order_no", "7552 3040 4600 4915");
        assert_eq!(
            shown(&f, "orders.1.sub_order_no").as_deref(),
            Some("7552304046004915")
        );
        let f = with("orders.0.product_number", "３０２２１１１５１５０");
        assert_eq!(
            shown(&f, "orders.0.product_number").as_deref(),
            Some("30221115150")
        );
        let f = with("customer.phone", "(0755) 8888 8888");
        assert_eq!(
            shown(&f, "customer.phone").as_deref(),
            Some("0755-88888888")
        );
        let f = with("customer.group_code", "２００２６９２００４");
        assert_eq!(
            shown(&f, "customer.group_code").as_deref(),
            Some("2002692004")
        );
    }

    #[test]
    fn id_numbers_follow_their_type() {
        let mut f = with("contact.id_number", "11010519491231002x");
        assert_eq!(shown(&f, "contact.id_number"), None, "no type chosen yet");
        f.set_value("contact.id_type", "身份证").unwrap();
        assert_eq!(
            shown(&f, "contact.id_number").as_deref(),
            Some("11010519491231002X")
        );
    }

    #[test]
    fn money_dates_and_integers_are_folded_then_parsed() {
        let f = with("orders.0.monthly_fee", "１２００");
        assert_eq!(
            shown(&f, "orders.0.monthly_fee").as_deref(),
            Some("1200.00")
        );
        let f = with("late.arrears", "1200.5");
        assert_eq!(shown(&f, "late.arrears").as_deref(), Some("1200.50"));
        let f = with("late.arrears", "1,200");
        assert_eq!(shown(&f, "late.arrears"), None);
        let f = with("signing.date", "２０２３-０４-１０");
        assert_eq!(shown(&f, "signing.date").as_deref(), Some("2023-04-10"));
        let f = with("customer.employees", " １０ ");
        assert_eq!(shown(&f, "customer.employees").as_deref(), Some("10"));
        let f = with("orders.0.investment", "");
        assert_eq!(shown(&f, "orders.0.investment"), None);
    }

    #[test]
    fn free_text_is_trimmed_only() {
        let f = with("customer.office_address", "  深圳市（龙岗区）  ");
        assert_eq!(
            shown(&f, "customer.office_address").as_deref(),
            Some("深圳市（龙岗区）")
        );
        let f = with("contact.email", " Li@Example.COM ");
        assert_eq!(
            shown(&f, "contact.email").as_deref(),
            Some("Li@example.com")
        );
    }

    #[test]
    fn unknown_paths_are_none() {
        assert_eq!(shown(&Form::default(), "customer.nothing"), None);
    }

    #[test]
    fn id_number_paths_are_the_two_id_fields() {
        assert!(is_id_number_path("contact.id_number"));
        assert!(is_id_number_path("agent.id_number"));
        for other in [
            "contact.id_type",
            "customer.cert_number",
            "agent.name",
            "id_number",
        ] {
            assert!(!is_id_number_path(other), "{other}");
        }
    }

    #[test]
    fn id_numbers_are_masked_valid_or_not() {
        let mut f = with("contact.id_number", "440307198505201246");
        f.set_value("contact.id_type", "身份证").unwrap();
        assert_eq!(
            masked_id_number(&f, "contact.id_number", today()),
            "4403**********1246"
        );
        let f = with("agent.id_number", "440307198505201247");
        assert_eq!(
            masked_id_number(&f, "agent.id_number", today()),
            "4403**********1247"
        );
        let f = with("agent.id_number", "H1234567");
        assert_eq!(masked_id_number(&f, "agent.id_number", today()), "H******7");
        let f = with("agent.id_number", "");
        assert_eq!(masked_id_number(&f, "agent.id_number", today()), "");
    }
}
