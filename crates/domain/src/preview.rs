//! The preview figures of contract.md §2, computed from a form's fee inputs with the clause
//! arithmetic of [`crate::clauses`]. A figure appears only when every value it needs is present
//! and valid; nothing is guessed. Totals appear only when every product line has the figure
//! (a sum over some lines would understate what cancelling costs).
//!
//! `privacy.reply_by` is counted in working days from `signing.date` on the shipped holiday
//! calendars; [`calendars`] says which calendar (official or provisional) each year it reached
//! was judged on.
//!
//! A figure whose inputs are all present and valid but whose arithmetic leaves the range the
//! domain computes in (an amount past `i64` fen, a date past 9999-12-31) is not silently left
//! out: [`figures`] gives it, apart from the figures, in [`Figures::not_computable`] with the
//! clause's reason (`clause.amount_too_large`, `clause.date_out_of_range`). A figure that
//! depends on one that is not computable (the notice window of a term end past 9999, a total
//! over a line whose penalty overflows) is not computable for the same reason. [`preview`] is
//! the figures alone, as contract.md §2 and the payload carry them.

use serde::{Serialize, Serializer};

use crate::clauses::{self, ClauseError, ProductKind};
use crate::date::Date;
use crate::error::RuleMessage;
use crate::form::{Form, Order};
use crate::holidays::{Calendars, CalendarsUsed, Counted};
use crate::key_map::KeyMap;
use crate::money::Fen;

/// One preview figure: money in fen, a date, or a count (contract.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewValue {
    Money(Fen),
    Date(Date),
    Count(u32),
}

impl Serialize for PreviewValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PreviewValue::Money(fen) => s.serialize_i64(fen.fen()),
            PreviewValue::Date(date) => date.serialize(s),
            PreviewValue::Count(n) => s.serialize_u32(*n),
        }
    }
}

/// Preview key (`orders.0.penalty`, `total.penalty`, `late.fee`, …) → figure.
pub type Preview = KeyMap<PreviewValue>;

fn money(value: &str) -> Option<Fen> {
    Fen::parse_yuan(value.trim()).ok()
}

fn date(value: &str) -> Option<Date> {
    Date::parse_iso(value.trim()).ok()
}

/// Preview key → why that figure, asked for by the form's values, cannot be computed.
pub type NotComputable = KeyMap<RuleMessage>;

/// The figures, and apart from them the ones that cannot be computed, with their reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub preview: Preview,
    pub not_computable: NotComputable,
}

/// Every preview figure the form's values allow to compute. `today` stands in for a blank
/// `late.as_of`.
pub fn preview(form: &Form, today: Date) -> Preview {
    figures(form, today).preview
}

/// [`preview`], with the figures that cannot be computed and why (module docs).
pub fn figures(form: &Form, today: Date) -> Figures {
    let mut out = Figures::default();
    let mut penalties = Vec::new();
    let mut final_charges = Vec::new();
    for (i, order) in form.orders.iter().enumerate() {
        let figures = order_preview(order);
        penalties.push(line_total_part(&figures, "penalty", figures.penalty));
        final_charges.push(line_total_part(
            &figures,
            "final_month_charge",
            figures.final_month_charge,
        ));
        for (key, value) in figures.entries() {
            out.preview.insert(format!("orders.{i}.{key}"), value);
        }
        for (key, reason) in &figures.reasons {
            out.not_computable
                .insert(format!("orders.{i}.{key}"), reason.clone());
        }
    }
    insert_totals(&mut out, &penalties, &final_charges);
    late_payment(form, today, &mut out);
    if let Some(counted) = reply_by(form, Calendars::shipped()) {
        out.preview
            .insert(REPLY_BY.into(), PreviewValue::Date(counted.date));
    }
    out
}

/// The preview key of the reply-by date of a correction or deletion request made on the
/// signing date (contract.md §2; privacy policy 四(二)(三)).
pub const REPLY_BY: &str = "privacy.reply_by";

/// Preview key of a figure counted in working days → the calendar of each year it reached.
pub type FigureCalendars = KeyMap<CalendarsUsed>;

/// The reply-by date ([`clauses::reply_by_counted`]) of a request made on `signing.date`, on
/// `calendars`; none while the signing date is blank or unreadable, or reaches a year no
/// calendar covers.
pub fn reply_by(form: &Form, calendars: &Calendars) -> Option<Counted> {
    let signed = date(&form.signing.date)?;
    clauses::reply_by_counted(signed, calendars).ok()
}

/// For each figure of [`preview`] counted in working days (today `privacy.reply_by`), the
/// calendar of each year it reached: official (with its notice) or provisional. The app shows
/// the provisional note from it and records it in the signed payload.
pub fn calendars(form: &Form) -> FigureCalendars {
    let mut out = FigureCalendars::new();
    if let Some(counted) = reply_by(form, Calendars::shipped()) {
        out.insert(REPLY_BY.into(), counted.calendars);
    }
    out
}

/// What one line brings to a total: its figure, the reason it has none, or nothing.
pub(crate) type TotalPart = Option<Result<Fen, RuleMessage>>;

fn line_total_part(figures: &OrderFigures, key: &str, value: Option<Fen>) -> TotalPart {
    match value {
        Some(v) => Some(Ok(v)),
        None => figures
            .reasons
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, r)| Err(r.clone())),
    }
}

/// `total.penalty` and `total.final_month_charge` over every line's part ([`total_of`]): the
/// figure, or the reason it cannot be computed, or nothing.
pub(crate) fn insert_totals(out: &mut Figures, penalties: &[TotalPart], charges: &[TotalPart]) {
    for (key, parts) in [
        ("total.penalty", penalties),
        ("total.final_month_charge", charges),
    ] {
        match total_of(parts) {
            Some(Ok(total)) => {
                out.preview.insert(key.into(), PreviewValue::Money(total));
            }
            Some(Err(reason)) => {
                out.not_computable.insert(key.into(), reason);
            }
            None => {}
        }
    }
}

/// A total over every line: `None` when some line has neither the figure nor a reason (or
/// there is no line); the first line's reason, or the overflow of the sum, when not computable.
pub(crate) fn total_of(parts: &[TotalPart]) -> Option<Result<Fen, RuleMessage>> {
    if parts.is_empty() {
        return None;
    }
    let mut sum = Some(Fen::ZERO);
    let mut reason = None;
    for part in parts {
        match part.as_ref()? {
            Ok(v) => sum = sum.and_then(|s| s.checked_add(*v)),
            Err(r) => {
                reason.get_or_insert_with(|| r.clone());
            }
        }
    }
    Some(match (reason, sum) {
        (Some(r), _) => Err(r),
        (None, Some(total)) => Ok(total),
        (None, None) => Err(RuleMessage::of(ClauseError::AmountTooLarge)),
    })
}

#[derive(Default)]
struct OrderFigures {
    unexecuted_months: Option<u32>,
    current_term_end: Option<Date>,
    penalty: Option<Fen>,
    final_month_charge: Option<Fen>,
    final_month_vat: Option<(Fen, Fen)>,
    final_bill_due: Option<Date>,
    notice_from: Option<Date>,
    /// Figures (keys within the line) whose inputs are there but that cannot be computed.
    reasons: Vec<(&'static str, RuleMessage)>,
}

impl OrderFigures {
    /// The value, or the reason recorded under each of `keys` (a figure and those it feeds).
    fn take<T>(&mut self, keys: &[&'static str], result: Result<T, ClauseError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                for key in keys {
                    self.reasons.push((key, RuleMessage::of(e)));
                }
                None
            }
        }
    }
}

impl OrderFigures {
    fn entries(&self) -> Vec<(&'static str, PreviewValue)> {
        let mut v = Vec::new();
        if let Some(n) = self.unexecuted_months {
            v.push(("unexecuted_months", PreviewValue::Count(n)));
        }
        if let Some(d) = self.current_term_end {
            v.push(("current_term_end", PreviewValue::Date(d)));
        }
        if let Some(f) = self.penalty {
            v.push(("penalty", PreviewValue::Money(f)));
        }
        if let Some(f) = self.final_month_charge {
            v.push(("final_month_charge", PreviewValue::Money(f)));
        }
        if let Some((net, tax)) = self.final_month_vat {
            v.push(("final_month_vat_net", PreviewValue::Money(net)));
            v.push(("final_month_vat_tax", PreviewValue::Money(tax)));
        }
        if let Some(d) = self.final_bill_due {
            v.push(("final_bill_due", PreviewValue::Date(d)));
        }
        if let Some(d) = self.notice_from {
            v.push(("notice_from", PreviewValue::Date(d)));
        }
        v
    }
}

fn order_preview(order: &Order) -> OrderFigures {
    let kind = ProductKind::from_label(&order.product_name).ok();
    let monthly_fee = money(&order.monthly_fee);
    let term_end = date(&order.term_end);
    let cancel_date = date(&order.cancel_date);
    // A blank investment is none; a present but unreadable one blocks the penalty.
    let investment = if order.investment.trim().is_empty() {
        Some(Fen::ZERO)
    } else {
        money(&order.investment)
    };

    let mut f = OrderFigures::default();
    if let (Some(kind), Some(term_end), Some(cancel)) = (kind, term_end, cancel_date) {
        let mut fed_by_term: Vec<&'static str> =
            vec!["current_term_end", "notice_from", "unexecuted_months"];
        if monthly_fee.is_some() && investment.is_some() {
            fed_by_term.push("penalty");
        }
        let current_end = clauses::current_term_end(term_end, cancel, kind);
        if let Some(current_end) = f.take(&fed_by_term, current_end) {
            f.current_term_end = Some(current_end);
            f.notice_from = f.take(&["notice_from"], clauses::notice_from(current_end, kind));
            let months = clauses::unexecuted_months(cancel, current_end);
            f.unexecuted_months = f.take(&fed_by_term[2..], months);
            if let (Some(fee), Some(investment), Some(months)) =
                (monthly_fee, investment, f.unexecuted_months)
            {
                let penalty = clauses::early_termination_penalty(fee, months, investment);
                f.penalty = f.take(&["penalty"], penalty);
            }
        }
    }
    if let (Some(fee), Some(cancel)) = (monthly_fee, cancel_date) {
        let fed: &[&'static str] = if kind.is_some() {
            &[
                "final_month_charge",
                "final_month_vat_net",
                "final_month_vat_tax",
            ]
        } else {
            &["final_month_charge"]
        };
        f.final_month_charge = f.take(fed, clauses::final_month_charge(fee, cancel));
        if let (Some(charge), Some(kind)) = (f.final_month_charge, kind) {
            let split = clauses::vat_split(charge, kind.vat_rate_percent());
            f.final_month_vat = Some((split.net, split.tax));
        }
    }
    if let Some(cancel) = cancel_date {
        f.final_bill_due = f.take(&["final_bill_due"], clauses::final_bill_due(cancel));
    }
    f
}

fn late_payment(form: &Form, today: Date, out: &mut Figures) {
    let late = &form.late;
    let (Some(arrears), Some(due)) = (money(&late.arrears), date(&late.due_date)) else {
        return;
    };
    let as_of = if late.as_of.trim().is_empty() {
        Some(today)
    } else {
        date(&late.as_of)
    };
    let mut not_computable = |keys: &[&str], e: ClauseError| {
        for key in keys {
            out.not_computable.insert((*key).into(), RuleMessage::of(e));
        }
    };
    let mut figures = Preview::new();
    if let Some(as_of) = as_of {
        let days = clauses::days_overdue(due, as_of);
        figures.insert("late.days_overdue".into(), PreviewValue::Count(days));
        match clauses::late_fee(arrears, days) {
            Ok(fee) => {
                figures.insert("late.fee".into(), PreviewValue::Money(fee));
            }
            Err(e) => not_computable(&["late.fee"], e),
        }
    }
    match clauses::suspension_from(due) {
        Ok(suspension) => {
            figures.insert(
                "late.suspension_from".into(),
                PreviewValue::Date(suspension),
            );
            match clauses::termination_from(suspension) {
                Ok(termination) => {
                    figures.insert(
                        "late.termination_from".into(),
                        PreviewValue::Date(termination),
                    );
                }
                Err(e) => not_computable(&["late.termination_from"], e),
            }
        }
        Err(e) => not_computable(&["late.suspension_from", "late.termination_from"], e),
    }
    out.preview.extend(figures);
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

    fn reason<'f>(f: &'f Figures, key: &str) -> Option<&'f str> {
        f.not_computable.get(key).map(|r| r.code())
    }

    #[test]
    fn the_seed_has_every_figure_and_nothing_not_computable() {
        let f = figures(&seed(), today());
        assert_eq!(f.preview, preview(&seed(), today()));
        assert!(f.not_computable.is_empty(), "{:?}", f.not_computable);
    }

    /// Domain audit 2026-12: a figure past year 9999 or past `i64` fen is given with a reason
    /// instead of missing silently; the figures it feeds carry the same reason.
    #[test]
    fn figures_past_the_range_are_reported_with_their_reason() {
        let mut form = seed();
        // A renewal past 9999: the term end and what follows from it.
        form.orders[0].term_end = "9999-06-30".into();
        form.orders[0].cancel_date = "9999-12-01".into();
        // A cancellation on 9999-12-31: a complete final month, due past 9999.
        form.orders[1].cancel_date = "9999-12-31".into();
        form.orders[1].term_end = "9999-12-31".into();
        let f = figures(&form, today());
        for key in [
            "orders.0.current_term_end",
            "orders.0.notice_from",
            "orders.0.unexecuted_months",
            "orders.0.penalty",
            "orders.1.final_bill_due",
            "total.penalty",
        ] {
            assert_eq!(reason(&f, key), Some("clause.date_out_of_range"), "{key}");
            assert!(!f.preview.contains_key(key), "{key}");
        }
        // What can be computed still is.
        assert!(f.preview.contains_key("orders.0.final_month_charge"));
        assert!(f.preview.contains_key("orders.0.final_bill_due"));
        assert!(f.preview.contains_key("orders.1.penalty"));
        assert!(f.preview.contains_key("total.final_month_charge"));
        assert_eq!(f.preview, preview(&form, today()));

        // An amount past i64 fen.
        let mut form = seed();
        form.orders[0].monthly_fee = "92233720368547758.07".into();
        // 35 days overdue: 105% of the arrears.
        form.late.arrears = "92233720368547758.07".into();
        let f = figures(&form, today());
        for key in ["orders.0.penalty", "total.penalty", "late.fee"] {
            assert_eq!(reason(&f, key), Some("clause.amount_too_large"), "{key}");
        }
        form.late.due_date = "9999-12-10".into();
        form.late.as_of = "9999-12-30".into();
        let f = figures(&form, today());
        for key in ["late.suspension_from", "late.termination_from"] {
            assert_eq!(reason(&f, key), Some("clause.date_out_of_range"), "{key}");
        }
        // A sum that overflows although each line's figure fits.
        let mut form = seed();
        form.orders[0].monthly_fee = "92233720368547758.07".into();
        form.orders[1].monthly_fee = "92233720368547758.07".into();
        form.orders[0].cancel_date = "2023-05-31".into();
        form.orders[1].cancel_date = "2023-05-31".into();
        let f = figures(&form, today());
        assert!(f.preview.contains_key("orders.0.final_month_charge"));
        assert_eq!(
            reason(&f, "total.final_month_charge"),
            Some("clause.amount_too_large")
        );
        // Blank inputs are not asked for: no reason.
        let f = figures(&Form::default(), today());
        assert!(f.not_computable.is_empty() && f.preview.is_empty());
    }
}
