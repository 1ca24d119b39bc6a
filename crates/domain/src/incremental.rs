//! [`form::validate`] and [`preview::preview`] again for a form that changes one keystroke at a
//! time: the same results, but a product line is checked and figured only when it changed.
//!
//! With 100 product lines a whole-form `validate` takes most of a millisecond (the lines, and
//! the duplicate checks across them), which the browser would pay on every keystroke in any
//! field. Here the form is taken apart along the lines the rules already follow:
//!
//! - the rules of one product line read only that line, so each line is judged alone (as the
//!   only line of an otherwise blank form, its paths renumbered) and the result is kept until
//!   the line changes or moves;
//! - everything else (customer, contacts, authorisation, signing, late payment, and the
//!   cross-field rules among them) is judged on the form without its lines, and the result
//!   kept while only lines change;
//! - the only rules across lines, a sub-order number or product number appearing twice
//!   ([`CrossFieldRule::DuplicateSubOrder`], [`CrossFieldRule::DuplicateProductNumber`]), are
//!   [`form::duplicate_numbers`], the one implementation `validate` also calls (one pass over
//!   the lines), and counted again only when a line changed, came or went.
//!
//! The pieces are put back in `validate`'s own order, so [`Validator::validate`] returns
//! exactly what [`form::validate`] returns (tests below check this over many forms). Figures
//! work the same way: a line's figures read only that line; totals are summed here only when
//! every line has the figure, as [`preview::preview`] does; the late-payment figures and the
//! reply-by date (from the signing date) come from the form without its lines.

use crate::date::Date;
use crate::error::RuleMessage;
use crate::form::{self, CrossFieldRule, FieldError, Form, Late, Order};
use crate::preview::{self, Preview, PreviewValue};

/// The form without its product lines (cheap: the lines are not copied).
fn without_lines(form: &Form) -> Form {
    Form {
        contract_no: form.contract_no.clone(),
        customer: form.customer.clone(),
        contact: form.contact.clone(),
        admin: form.admin.clone(),
        orders: Vec::new(),
        agent: form.agent.clone(),
        signing: form.signing.clone(),
        late: form.late.clone(),
    }
}

/// A blank form whose only product line is `order`.
fn just_line(order: &Order) -> Form {
    Form {
        orders: vec![order.clone()],
        ..Form::default()
    }
}

/// `orders.0.<field>` → `orders.<index>.<field>`; `None` for any other path.
fn renumber(path: &str, index: usize) -> Option<String> {
    path.strip_prefix("orders.0.")
        .map(|field| format!("orders.{index}.{field}"))
}

/// A line's results, kept with the line they were computed from (in its slot: a line that
/// moves is judged again, since its paths carry its position).
struct Kept<T> {
    order: Order,
    result: T,
}

/// Finds the kept result for line `index`, or computes and keeps it; `true` if computed.
fn kept<'k, T>(
    cache: &'k mut Vec<Kept<T>>,
    index: usize,
    order: &Order,
    compute: impl FnOnce() -> T,
) -> (bool, &'k T) {
    let fresh = if index >= cache.len() {
        cache.push(Kept {
            order: order.clone(),
            result: compute(),
        });
        true
    } else if cache[index].order != *order {
        cache[index] = Kept {
            order: order.clone(),
            result: compute(),
        };
        true
    } else {
        false
    };
    (fresh, &cache[index].result)
}

fn is_line_path(path: &str) -> bool {
    path == "orders" || path.starts_with("orders.")
}

fn is_head_path(path: &str) -> bool {
    matches!(
        path.split('.').next(),
        Some("contract_no" | "customer" | "contact" | "admin")
    )
}

/// [`form::validate`], keeping each product line's result until the line changes.
#[derive(Default)]
pub struct Validator {
    lines: Vec<Kept<Vec<FieldError>>>,
    /// The duplicate-number errors across lines, kept until a line changes, comes or goes.
    duplicates: Option<Vec<FieldError>>,
    /// The form without its lines and the date it was judged on, with the result: kept while
    /// only lines change.
    rest: Option<(Form, Date, Vec<FieldError>)>,
}

impl Validator {
    pub fn new() -> Validator {
        Validator::default()
    }

    /// Exactly `form::validate(form, today)`.
    pub fn validate(&mut self, form: &Form, today: Date) -> Vec<FieldError> {
        let head = without_lines(form);
        let rest = match &self.rest {
            Some((kept, on, rest)) if *kept == head && *on == today => rest.clone(),
            _ => {
                let rest = form::validate(&head, today);
                self.rest = Some((head, today, rest.clone()));
                rest
            }
        };
        let is_cross = |e: &FieldError| e.code().starts_with("cross.");
        let category = RuleMessage::of(CrossFieldRule::CertTypeCategory).code;

        let mut out = Vec::with_capacity(rest.len());
        // 1. The head: contract number, customer, contact, administrator.
        out.extend(
            rest.iter()
                .filter(|e| !is_cross(e) && is_head_path(&e.path))
                .cloned(),
        );
        // 2. "At least one line", then each line's own rules.
        if form.orders.is_empty() {
            out.extend(rest.iter().filter(|e| e.path == "orders").cloned());
        } else if form.orders.len() > form::MAX_ORDERS {
            out.push(FieldError {
                path: "orders".into(),
                rule: form::FieldRule::TooManyOrders.into(),
            });
        }
        let mut lines_changed = self.lines.len() != form.orders.len();
        self.lines.truncate(form.orders.len());
        for (i, order) in form.orders.iter().enumerate() {
            let (fresh, errors) = kept(&mut self.lines, i, order, || {
                form::validate(&just_line(order), today)
                    .into_iter()
                    .filter_map(|e| {
                        renumber(&e.path, i).map(|path| FieldError { path, rule: e.rule })
                    })
                    .collect()
            });
            lines_changed |= fresh;
            out.extend(errors.iter().cloned());
        }
        // 3. The authorisation letter, signing and late payment.
        out.extend(
            rest.iter()
                .filter(|e| !is_cross(e) && !is_head_path(&e.path) && !is_line_path(&e.path))
                .cloned(),
        );
        // 4. Cross-field rules, in validate's order: certificate type, duplicates, agent.
        out.extend(
            rest.iter()
                .filter(|e| is_cross(e) && e.code() == category)
                .cloned(),
        );
        if lines_changed || self.duplicates.is_none() {
            self.duplicates = Some(form::duplicate_numbers(form));
        }
        out.extend(self.duplicates.iter().flatten().cloned());
        out.extend(
            rest.iter()
                .filter(|e| is_cross(e) && e.code() != category)
                .cloned(),
        );
        out
    }
}

/// One line's figures and the reasons of those it cannot compute, keys renumbered.
#[derive(Default)]
struct LineFigures {
    values: Vec<(String, PreviewValue)>,
    reasons: Vec<(String, RuleMessage)>,
}

/// [`preview::preview`], keeping each product line's figures until the line changes, and the
/// whole set until anything it depends on changes. [`Previewer::not_computable`] is
/// [`preview::figures`]'s list of figures that cannot be computed, kept the same way.
#[derive(Default)]
pub struct Previewer {
    lines: Vec<Kept<LineFigures>>,
    late: Option<(Late, String, Date)>,
    current: preview::Figures,
}

impl Previewer {
    pub fn new() -> Previewer {
        Previewer::default()
    }

    /// Brings [`Previewer::figures`] up to date with `form`; `true` if they changed.
    pub fn update(&mut self, form: &Form, today: Date) -> bool {
        let mut changed = self.lines.len() != form.orders.len();
        self.lines.truncate(form.orders.len());
        for (i, order) in form.orders.iter().enumerate() {
            let (fresh, _) = kept(&mut self.lines, i, order, || {
                let figures = preview::figures(&just_line(order), today);
                LineFigures {
                    values: figures
                        .preview
                        .into_iter()
                        .filter_map(|(key, value)| renumber(&key, i).map(|key| (key, value)))
                        .collect(),
                    reasons: figures
                        .not_computable
                        .into_iter()
                        .filter_map(|(key, why)| renumber(&key, i).map(|key| (key, why)))
                        .collect(),
                }
            });
            changed |= fresh;
        }
        let same_late = self.late.as_ref().is_some_and(|(late, signed, day)| {
            *late == form.late && *signed == form.signing.date && *day == today
        });
        if !same_late {
            self.late = Some((form.late.clone(), form.signing.date.clone(), today));
            changed = true;
        }
        if changed {
            self.current = self.assemble(form, today);
        }
        changed
    }

    /// The figures as of the last [`Previewer::update`].
    pub fn figures(&self) -> &Preview {
        &self.current.preview
    }

    /// The figures that cannot be computed, with their reasons, as of the last update.
    pub fn not_computable(&self) -> &preview::NotComputable {
        &self.current.not_computable
    }

    /// Exactly `preview::preview(form, today)`.
    pub fn preview(&mut self, form: &Form, today: Date) -> Preview {
        self.update(form, today);
        self.current.preview.clone()
    }

    /// Exactly `preview::figures(form, today)`.
    pub fn all_figures(&mut self, form: &Form, today: Date) -> preview::Figures {
        self.update(form, today);
        self.current.clone()
    }

    fn assemble(&self, form: &Form, today: Date) -> preview::Figures {
        let mut out = preview::Figures::default();
        let mut penalties = Vec::with_capacity(self.lines.len());
        let mut charges = Vec::with_capacity(self.lines.len());
        for line in &self.lines {
            let part = |suffix: &str| {
                let value = line
                    .result
                    .values
                    .iter()
                    .find_map(|(key, value)| match value {
                        PreviewValue::Money(fen) if key.ends_with(suffix) => Some(Ok(*fen)),
                        _ => None,
                    });
                value.or_else(|| {
                    line.result
                        .reasons
                        .iter()
                        .find(|(key, _)| key.ends_with(suffix))
                        .map(|(_, why)| Err(why.clone()))
                })
            };
            penalties.push(part(".penalty"));
            charges.push(part(".final_month_charge"));
            out.preview.extend(line.result.values.iter().cloned());
            out.not_computable
                .extend(line.result.reasons.iter().cloned());
        }
        preview::insert_totals(&mut out, &penalties, &charges);
        // The late-payment figures and the reply-by date (from the signing date).
        let late = Form {
            late: form.late.clone(),
            signing: form.signing.clone(),
            ..Form::default()
        };
        let late = preview::figures(&late, today);
        out.preview.extend(late.preview);
        out.not_computable.extend(late.not_computable);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Form {
        serde_json::from_str(include_str!("../tests/fixtures/seed-form-with-fees.json")).unwrap()
    }

    fn today() -> Date {
        Date::new(2023, 5, 20).unwrap()
    }

    fn same(form: &Form, v: &mut Validator, p: &mut Previewer) {
        assert_eq!(v.validate(form, today()), form::validate(form, today()));
        assert_eq!(p.preview(form, today()), preview::preview(form, today()));
        assert_eq!(
            p.all_figures(form, today()),
            preview::figures(form, today())
        );
    }

    /// Small deterministic generator (no dependency for a handful of numbers).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
    }

    #[test]
    fn equals_the_whole_form_rules_as_the_form_changes() {
        let values = [
            "",
            " ",
            "/",
            "7552304046004915",
            "7552304046028604",
            "30221115150",
            "互联网专线",
            "移动云",
            "跨境专线",
            "预约销户",
            "客户倒闭或搬迁",
            "其他：公司合并",
            "其他：",
            "客户经理",
            "1200.00",
            "１２００",
            "-5",
            "92233720368547758.07",
            "9999-12-31",
            "9999-11-30",
            "450",
            "2023-05-15",
            "2024-03-31",
            "2023-12-31",
            "2023-02-30",
            "3000.00",
            "刘志强",
            "张晓梅",
            "44030520100101123X",
            "440305199608185316",
            "91440300758613572G",
            "9144030075861357IG",
            "2023-04-10",
            "2024-01-15",
            "2026-12-11",
            "2027-09-30",
            "1.2 企业法人",
            "营业执照",
            "社会团体法人登记证书",
        ];
        let mut rng = Lcg(7);
        let mut form = seed();
        let (mut v, mut p) = (Validator::new(), Previewer::new());
        same(&form, &mut v, &mut p);
        let mut codes = std::collections::BTreeSet::new();
        let mut reply_by_dates = std::collections::BTreeSet::new();
        for step in 0..3000 {
            match rng.next(20) {
                // Add a line, a copy of one there (duplicates), or a blank one.
                0 => {
                    let line = if form.orders.is_empty() || rng.next(3) == 0 {
                        Order::default()
                    } else {
                        form.orders[rng.next(form.orders.len())].clone()
                    };
                    form.orders.push(line);
                }
                // Remove a line (the rest move up).
                1 if !form.orders.is_empty() => {
                    let i = rng.next(form.orders.len());
                    form.orders.remove(i);
                }
                _ => {
                    let paths = form.paths();
                    let path = &paths[rng.next(paths.len())];
                    let value = values[rng.next(values.len())];
                    form.set_value(path, value).unwrap();
                }
            }
            if form.orders.len() > 12 {
                form.orders.truncate(6);
            }
            same(&form, &mut v, &mut p);
            codes.extend(
                form::validate(&form, today())
                    .into_iter()
                    .map(|e| e.rule.code),
            );
            if let Some(PreviewValue::Date(day)) = p.figures().get(preview::REPLY_BY) {
                reply_by_dates.insert(*day);
            }
            if step % 500 == 0 {
                // A fresh validator agrees too (nothing depends on what was kept).
                same(&form, &mut Validator::new(), &mut Previewer::new());
            }
        }
        // The walk went through the rules that cross lines and sections.
        for code in [
            "orders.none",
            "cross.duplicate_sub_order",
            "cross.duplicate_product_number",
            "cross.signer_not_agent",
            "reason.other_text",
            "money.full_width",
        ] {
            assert!(codes.contains(code), "{code} never seen: {codes:?}");
        }
        // …and through signing dates on official and provisional calendars.
        assert!(reply_by_dates.len() >= 3, "{reply_by_dates:?}");
    }

    #[test]
    fn equals_on_the_seed_a_blank_form_and_each_cross_field_rule() {
        let variants: [&[(&str, &str)]; 7] = [
            &[],
            &[("customer.cert_type", "社会团体法人登记证书")],
            &[("signing.date", "2024-01-15")],
            &[("agent.id_number", "44030520100101123X")],
            &[("agent.valid_from", "2024-01-01")],
            &[("orders.1.sub_order_no", "7552304046004915")],
            &[
                ("agent.name", ""),
                ("agent.id_type", ""),
                ("agent.id_number", ""),
                ("agent.mobile", ""),
                ("agent.matter", ""),
                ("agent.valid_from", ""),
                ("agent.valid_to", ""),
            ],
        ];
        let mut codes = std::collections::BTreeSet::new();
        for changes in variants {
            let mut form = seed();
            for (path, value) in changes {
                form.set_value(path, *value).unwrap();
            }
            same(&form, &mut Validator::new(), &mut Previewer::new());
            codes.extend(
                form::validate(&form, today())
                    .into_iter()
                    .map(|e| e.rule.code),
            );
        }
        for code in [
            "cross.cert_type_category",
            "cross.signing_outside_authorisation",
            "cross.agent_under_18",
            "cross.authorisation_period_reversed",
            "cross.duplicate_sub_order",
        ] {
            assert!(codes.contains(code), "{code} never seen: {codes:?}");
        }
        same(
            &Form::default(),
            &mut Validator::new(),
            &mut Previewer::new(),
        );
    }

    #[test]
    fn figures_change_only_when_their_inputs_do() {
        let mut form = seed();
        let mut p = Previewer::new();
        assert!(p.update(&form, today()));
        form.customer.cert_number = "x".into();
        assert!(
            !p.update(&form, today()),
            "a customer field feeds no figure"
        );
        form.orders[0].monthly_fee = "1000".into();
        assert!(p.update(&form, today()));
        assert_eq!(*p.figures(), preview::preview(&form, today()));
        form.late.as_of = String::new();
        assert!(p.update(&form, today()));
        assert!(
            p.update(&form, Date::new(2023, 5, 21).unwrap()),
            "a blank as-of date is today"
        );
    }

    #[test]
    fn a_line_is_judged_again_only_when_it_changes() {
        let mut form = seed();
        let mut v = Validator::new();
        v.validate(&form, today());
        form.orders[1].monthly_fee = "x".into();
        let errors = v.validate(&form, today());
        assert!(errors.iter().any(|e| e.path == "orders.1.monthly_fee"));
        assert_eq!(errors, form::validate(&form, today()));
    }

    #[test]
    fn what_is_kept_is_judged_again_on_another_date() {
        // The form without its lines is kept while only lines change; another date must not
        // reuse it, since rules read the date (a signing date may not lie after it).
        let mut form = seed();
        let earlier = Date::new(2000, 1, 1).unwrap();
        assert_ne!(
            form::validate(&form, today()),
            form::validate(&form, earlier),
            "judged on 2000-01-01, the seed's signing date lies in the future"
        );
        let mut v = Validator::new();
        assert_eq!(v.validate(&form, today()), form::validate(&form, today()));
        form.orders[0].monthly_fee = "1000".into();
        assert_eq!(v.validate(&form, today()), form::validate(&form, today()));
        assert_eq!(v.validate(&form, earlier), form::validate(&form, earlier));
        form.orders.push(form.orders[0].clone());
        assert_eq!(v.validate(&form, earlier), form::validate(&form, earlier));
        assert!(v
            .validate(&form, earlier)
            .iter()
            .any(|e| e.code() == "cross.duplicate_sub_order"));
    }
}
