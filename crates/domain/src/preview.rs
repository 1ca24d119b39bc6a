//! The preview figures of contract.md §2, computed from a form's fee inputs with the clause
//! arithmetic of [`crate::clauses`]. A figure appears only when every value it needs is present
//! and valid; nothing is guessed. Totals appear only when every product line has the figure
//! (a sum over some lines would understate what cancelling costs).
//!
//! `privacy.reply_by` is counted in working days from `signing.date` on the shipped holiday
//! calendars; [`calendars`] says which calendar (official or provisional) each year it reached
//! was judged on.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::clauses::{self, ProductKind};
use crate::date::Date;
use crate::form::{Form, Order};
use crate::holidays::{Calendars, CalendarsUsed, Counted};
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
pub type Preview = BTreeMap<String, PreviewValue>;

fn money(value: &str) -> Option<Fen> {
    Fen::parse_yuan(value.trim()).ok()
}

fn date(value: &str) -> Option<Date> {
    Date::parse_iso(value.trim()).ok()
}

/// Every preview figure the form's values allow to compute. `today` stands in for a blank
/// `late.as_of`.
pub fn preview(form: &Form, today: Date) -> Preview {
    let mut out = Preview::new();
    let mut penalties = Vec::new();
    let mut final_charges = Vec::new();
    for (i, order) in form.orders.iter().enumerate() {
        let figures = order_preview(order);
        penalties.push(figures.penalty);
        final_charges.push(figures.final_month_charge);
        for (key, value) in figures.entries() {
            out.insert(format!("orders.{i}.{key}"), value);
        }
    }
    if let Some(total) = sum_of_all(&penalties) {
        out.insert("total.penalty".into(), PreviewValue::Money(total));
    }
    if let Some(total) = sum_of_all(&final_charges) {
        out.insert(
            "total.final_month_charge".into(),
            PreviewValue::Money(total),
        );
    }
    late_payment(form, today, &mut out);
    if let Some(counted) = reply_by(form, Calendars::shipped()) {
        out.insert(REPLY_BY.into(), PreviewValue::Date(counted.date));
    }
    out
}

/// The preview key of the reply-by date of a correction or deletion request made on the
/// signing date (contract.md §2; privacy policy 四(二)(三)).
pub const REPLY_BY: &str = "privacy.reply_by";

/// Preview key of a figure counted in working days → the calendar of each year it reached.
pub type FigureCalendars = BTreeMap<String, CalendarsUsed>;

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

/// The sum, when there is at least one figure and every line has one.
fn sum_of_all(figures: &[Option<Fen>]) -> Option<Fen> {
    if figures.is_empty() {
        return None;
    }
    figures
        .iter()
        .try_fold(Fen::ZERO, |sum, f| sum.checked_add((*f)?))
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
        if let Ok(current_end) = clauses::current_term_end(term_end, cancel, kind) {
            f.current_term_end = Some(current_end);
            f.notice_from = clauses::notice_from(current_end, kind).ok();
            f.unexecuted_months = clauses::unexecuted_months(cancel, current_end).ok();
            if let (Some(fee), Some(investment), Some(months)) =
                (monthly_fee, investment, f.unexecuted_months)
            {
                f.penalty = clauses::early_termination_penalty(fee, months, investment).ok();
            }
        }
    }
    if let (Some(fee), Some(cancel)) = (monthly_fee, cancel_date) {
        f.final_month_charge = clauses::final_month_charge(fee, cancel).ok();
        if let (Some(charge), Some(kind)) = (f.final_month_charge, kind) {
            let split = clauses::vat_split(charge, kind.vat_rate_percent());
            f.final_month_vat = Some((split.net, split.tax));
        }
    }
    if let Some(cancel) = cancel_date {
        f.final_bill_due = Some(clauses::final_bill_due(cancel));
    }
    f
}

fn late_payment(form: &Form, today: Date, out: &mut Preview) {
    let late = &form.late;
    let (Some(arrears), Some(due)) = (money(&late.arrears), date(&late.due_date)) else {
        return;
    };
    let as_of = if late.as_of.trim().is_empty() {
        Some(today)
    } else {
        date(&late.as_of)
    };
    if let Some(as_of) = as_of {
        let days = clauses::days_overdue(due, as_of);
        out.insert("late.days_overdue".into(), PreviewValue::Count(days));
        if let Ok(fee) = clauses::late_fee(arrears, days) {
            out.insert("late.fee".into(), PreviewValue::Money(fee));
        }
    }
    if let Ok(suspension) = clauses::suspension_from(due) {
        out.insert(
            "late.suspension_from".into(),
            PreviewValue::Date(suspension),
        );
        if let Ok(termination) = clauses::termination_from(suspension) {
            out.insert(
                "late.termination_from".into(),
                PreviewValue::Date(termination),
            );
        }
    }
}
