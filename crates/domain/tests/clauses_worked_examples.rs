//! Worked examples for every clause function, each with its arithmetic written out by hand, and
//! property tests for the invariants the previews rely on. Test names lead with the clause.

use proptest::prelude::*;
use qianyue_domain::clauses::*;
use qianyue_domain::date::Date;
use qianyue_domain::error::RuleError;
use qianyue_domain::holidays::{CalendarBasis, Calendars, HolidayError};
use qianyue_domain::money::Fen;

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn yuan(s: &str) -> Fen {
    Fen::parse_yuan(s).unwrap()
}

const ILL: ProductKind = ProductKind::InternetLeasedLine;
const XB: ProductKind = ProductKind::CrossBorderLine;

// ---------------------------------------------------------------- product kinds (C art. 4 §4, art. 7 §3)

#[test]
fn art4_s4_product_kinds_carry_their_vat_rate_and_renewal() {
    // 互联网专线 6% and 数据专线 9% as written; 跨境专线 9% and 移动云 6% are our readings.
    let expected = [
        ("互联网专线", ProductKind::InternetLeasedLine, 6, 12),
        ("数据专线", ProductKind::DataLine, 9, 12),
        ("跨境专线", ProductKind::CrossBorderLine, 9, 1),
        ("移动云", ProductKind::MobileCloud, 6, 12),
    ];
    for (label, kind, vat, months) in expected {
        assert_eq!(ProductKind::from_label(label), Ok(kind));
        assert_eq!(ProductKind::from_label(&format!(" {label} ")), Ok(kind));
        assert_eq!(kind.label_zh(), label);
        assert_eq!(kind.vat_rate_percent(), vat);
        assert_eq!(kind.renewal_months(), months);
        assert!(!kind.label_en().is_empty());
    }
    assert_eq!(ProductKind::ALL.len(), 4);
    let err = ProductKind::from_label("宽带").unwrap_err();
    assert_eq!(err.code(), "product.unknown");
    assert_eq!(
        serde_json::to_string(&ProductKind::MobileCloud).unwrap(),
        "\"移动云\""
    );
    assert_eq!(
        serde_json::from_str::<ProductKind>("\"互联网专线\"").unwrap(),
        ILL
    );
}

// ---------------------------------------------------------------- term and renewal (C art. 7 §3)

#[test]
fn art7_s3_term_is_unchanged_when_cancelling_inside_it() {
    // term ends 2023-12-31, cancel 2023-04-10 ≤ 2023-12-31 → no renewal.
    assert_eq!(
        current_term_end(d("2023-12-31"), d("2023-04-10"), ILL),
        Ok(d("2023-12-31"))
    );
    // Cancelling on the last day itself is still inside the term.
    assert_eq!(
        current_term_end(d("2023-12-31"), d("2023-12-31"), ILL),
        Ok(d("2023-12-31"))
    );
}

#[test]
fn art7_s3_cancel_past_term_end_renews_by_a_year() {
    // 2024-03-10 > 2023-12-31 → renewed once: 2023-12-31 + 12 months = 2024-12-31.
    assert_eq!(
        current_term_end(d("2023-12-31"), d("2024-03-10"), ILL),
        Ok(d("2024-12-31"))
    );
    // 2025-01-05 > 2024-12-31 too → renewed twice: 2025-12-31.
    assert_eq!(
        current_term_end(d("2023-12-31"), d("2025-01-05"), ILL),
        Ok(d("2025-12-31"))
    );
    // The day after the end is already in the renewed term.
    assert_eq!(
        current_term_end(d("2023-12-31"), d("2024-01-01"), ILL),
        Ok(d("2024-12-31"))
    );
}

#[test]
fn art7_s3_cross_border_line_renews_month_by_month() {
    // term ends 2023-04-30 (month-end); cancel 2023-06-10:
    //   2023-04-30 + 1 month = 2023-05-31 (< 06-10) → + 1 month = 2023-06-30 (≥ 06-10).
    assert_eq!(
        current_term_end(d("2023-04-30"), d("2023-06-10"), XB),
        Ok(d("2023-06-30"))
    );
    // The same dates for an Internet leased line renew by a year: 2024-04-30.
    assert_eq!(
        current_term_end(d("2023-04-30"), d("2023-06-10"), ILL),
        Ok(d("2024-04-30"))
    );
}

#[test]
fn art7_s3_next_term_end_keeps_month_ends_and_clamps_other_days() {
    // Month-end stays month-end: 2023-02-28 + 12 months → 2024-02-29 (leap year).
    assert_eq!(next_term_end(d("2023-02-28"), ILL), Ok(d("2024-02-29")));
    assert_eq!(next_term_end(d("2024-02-29"), ILL), Ok(d("2025-02-28")));
    // Monthly: 01-31 → 02-28 → 03-31 (not 03-28).
    assert_eq!(next_term_end(d("2023-01-31"), XB), Ok(d("2023-02-28")));
    assert_eq!(next_term_end(d("2023-02-28"), XB), Ok(d("2023-03-31")));
    // Another day keeps its day of the month: 2023-04-15 → 2023-05-15.
    assert_eq!(next_term_end(d("2023-04-15"), XB), Ok(d("2023-05-15")));
    // …clamped where the month is shorter: 2024-01-30 → 2024-02-29 (then a month-end).
    assert_eq!(next_term_end(d("2024-01-30"), XB), Ok(d("2024-02-29")));
    // Out of the calendar's range: an error, not a panic.
    assert_eq!(
        next_term_end(d("9999-06-30"), ILL),
        Err(ClauseError::DateOutOfRange)
    );
}

// ---------------------------------------------------------------- unexecuted months (C art. 2 §17)

#[test]
fn art2_s17_unexecuted_months_count_the_termination_month() {
    // cancel 2023-04-10, term ends 2023-12-31 → Apr May Jun Jul Aug Sep Oct Nov Dec = 9.
    assert_eq!(unexecuted_months(d("2023-04-10"), d("2023-12-31")), Ok(9));
    // cancel 2023-12-20 (last month, not last day) → Dec = 1.
    assert_eq!(unexecuted_months(d("2023-12-20"), d("2023-12-31")), Ok(1));
    // Term ending mid-month counts its last month whole: Apr..Dec 2023 = 9.
    assert_eq!(unexecuted_months(d("2023-04-10"), d("2023-12-15")), Ok(9));
    // Across a year: cancel 2024-03-10, renewed term ends 2024-12-31 → Mar..Dec = 10.
    assert_eq!(unexecuted_months(d("2024-03-10"), d("2024-12-31")), Ok(10));
}

#[test]
fn art2_s17_cancelling_on_the_last_day_of_the_term_is_not_early() {
    // 2023-12-31 = term end: the term ran its course, nothing unexecuted.
    assert_eq!(unexecuted_months(d("2023-12-31"), d("2023-12-31")), Ok(0));
}

#[test]
fn art2_s17_cancel_after_the_term_passed_in_is_an_error() {
    let err = unexecuted_months(d("2024-01-01"), d("2023-12-31")).unwrap_err();
    assert_eq!(err, ClauseError::CancelAfterTermEnd);
    assert_eq!(err.code(), "clause.cancel_after_term_end");
}

// ---------------------------------------------------------------- penalty (C art. 2 §17)

#[test]
fn art2_s17_penalty_counts_termination_month_as_unexecuted() {
    // The seed's line: fee 1000.00, term ends 2023-12-31, cancel 2023-04-10 → 9 months.
    //   50% × 1000.00 × 9 = 4500.00; + investment 2000.00 = 6500.00.
    let months = unexecuted_months(d("2023-04-10"), d("2023-12-31")).unwrap();
    assert_eq!(
        early_termination_penalty(yuan("1000.00"), months, Fen::ZERO),
        Ok(yuan("4500.00"))
    );
    assert_eq!(
        early_termination_penalty(yuan("1000.00"), months, yuan("2000.00")),
        Ok(yuan("6500.00"))
    );
}

#[test]
fn art2_s17_penalty_after_renewal_uses_the_renewed_term() {
    // term ends 2023-12-31, cancel 2024-03-10 → renewed to 2024-12-31 → Mar..Dec = 10 months.
    //   50% × 800.00 × 10 = 4000.00.
    let end = current_term_end(d("2023-12-31"), d("2024-03-10"), ILL).unwrap();
    let months = unexecuted_months(d("2024-03-10"), end).unwrap();
    assert_eq!(months, 10);
    assert_eq!(
        early_termination_penalty(yuan("800.00"), months, Fen::ZERO),
        Ok(yuan("4000.00"))
    );
}

#[test]
fn art2_s17_penalty_for_a_cross_border_line_is_one_month() {
    // term ends 2023-04-30, cancel 2023-06-10 → current term ends 2023-06-30 → June only = 1.
    //   50% × 3000.00 × 1 = 1500.00; + investment 500.00 = 2000.00.
    let end = current_term_end(d("2023-04-30"), d("2023-06-10"), XB).unwrap();
    let months = unexecuted_months(d("2023-06-10"), end).unwrap();
    assert_eq!(months, 1);
    assert_eq!(
        early_termination_penalty(yuan("3000.00"), months, yuan("500.00")),
        Ok(yuan("2000.00"))
    );
}

#[test]
fn art2_s17_penalty_rounds_half_up_once_on_the_total() {
    // 333.33 × 3 = 999.99; × 50% = 499.995 → 500.00 (half up, once).
    // Rounding each month first would give 166.665 → 166.67 × 3 = 500.01: not what we do.
    assert_eq!(
        early_termination_penalty(yuan("333.33"), 3, Fen::ZERO),
        Ok(yuan("500.00"))
    );
    // 0.01 × 1 × 50% = 0.005 → 0.01.
    assert_eq!(
        early_termination_penalty(yuan("0.01"), 1, Fen::ZERO),
        Ok(yuan("0.01"))
    );
}

#[test]
fn art2_s17_no_unexecuted_month_means_no_penalty_and_no_investment() {
    // Cancelling on the term's last day: 0 months → not early → 0, investment not owed either.
    assert_eq!(
        early_termination_penalty(yuan("1000.00"), 0, yuan("2000.00")),
        Ok(Fen::ZERO)
    );
}

#[test]
fn art2_s17_penalty_refuses_negative_and_overflowing_amounts() {
    assert_eq!(
        early_termination_penalty(Fen(-1), 3, Fen::ZERO),
        Err(ClauseError::NegativeAmount)
    );
    assert_eq!(
        early_termination_penalty(Fen(1), 3, Fen(-1)),
        Err(ClauseError::NegativeAmount)
    );
    assert_eq!(
        early_termination_penalty(Fen(i64::MAX), 3, Fen::ZERO),
        Err(ClauseError::AmountTooLarge)
    );
    assert_eq!(
        early_termination_penalty(Fen(2), 1, Fen(i64::MAX)),
        Err(ClauseError::AmountTooLarge)
    );
}

// ---------------------------------------------------------------- final month (C art. 4 §3)

#[test]
fn art4_s3_final_month_charge_counts_natural_days_including_the_cancel_day() {
    // cancel 2023-04-10: April has 30 days, days used 1..10 = 10.
    //   1000.00 × 10 / 30 = 333.333… → 333.33.
    assert_eq!(
        final_month_charge(yuan("1000.00"), d("2023-04-10")),
        Ok(yuan("333.33"))
    );
    // cancel 2023-04-20: 1000.00 × 20 / 30 = 666.666… → 666.67 (half up).
    assert_eq!(
        final_month_charge(yuan("1000.00"), d("2023-04-20")),
        Ok(yuan("666.67"))
    );
    // cancel 2023-05-31: last day of a 31-day month → the full 1000.00.
    assert_eq!(
        final_month_charge(yuan("1000.00"), d("2023-05-31")),
        Ok(yuan("1000.00"))
    );
    // cancel 2023-05-01: 1000.00 × 1 / 31 = 32.258… → 32.26.
    assert_eq!(
        final_month_charge(yuan("1000.00"), d("2023-05-01")),
        Ok(yuan("32.26"))
    );
}

#[test]
fn art4_s3_final_month_charge_in_a_leap_february() {
    // 2024-02-10: February 2024 has 29 days.
    //   1000.00 × 10 / 29 = 344.827… → 344.83  (29 × 344.82 = 9999.78; remainder 0.22/29 ≥ ½ fen).
    assert_eq!(
        final_month_charge(yuan("1000.00"), d("2024-02-10")),
        Ok(yuan("344.83"))
    );
    // 2023-02-10: 28 days: 1000.00 × 10 / 28 = 357.142… → 357.14.
    assert_eq!(
        final_month_charge(yuan("1000.00"), d("2023-02-10")),
        Ok(yuan("357.14"))
    );
    // 2024-02-29: the last day → the full fee.
    assert_eq!(
        final_month_charge(yuan("1000.00"), d("2024-02-29")),
        Ok(yuan("1000.00"))
    );
}

#[test]
fn art4_s3_final_month_charge_refuses_a_negative_fee() {
    assert_eq!(
        final_month_charge(Fen(-100), d("2023-04-10")),
        Err(ClauseError::NegativeAmount)
    );
}

// ---------------------------------------------------------------- VAT (C art. 4 §4)

#[test]
fn art4_s4_vat_split_of_an_internet_line_charge_at_6_percent() {
    // 333.33 incl. 6% VAT: net = 33333 × 100 / 106 = 31446.22… fen → 314.46;
    //   tax = 333.33 − 314.46 = 18.87.  (Check: 314.46 × 1.06 = 333.3276 ≈ 333.33.)
    let split = vat_split(yuan("333.33"), ILL.vat_rate_percent());
    assert_eq!(
        split,
        VatSplit {
            net: yuan("314.46"),
            tax: yuan("18.87")
        }
    );
}

#[test]
fn art4_s4_vat_split_of_a_data_line_charge_at_9_percent() {
    // 1090.00 incl. 9%: net = 109000 × 100 / 109 = 100000 fen = 1000.00 exactly; tax = 90.00.
    let split = vat_split(yuan("1090.00"), ProductKind::DataLine.vat_rate_percent());
    assert_eq!(
        split,
        VatSplit {
            net: yuan("1000.00"),
            tax: yuan("90.00")
        }
    );
    // 1000.00 incl. 9%: net = 100000 × 100 / 109 = 91743.119… → 917.43; tax = 82.57.
    let split = vat_split(yuan("1000.00"), 9);
    assert_eq!(
        split,
        VatSplit {
            net: yuan("917.43"),
            tax: yuan("82.57")
        }
    );
}

#[test]
fn art4_s4_vat_split_rounds_the_net_half_up() {
    // 0.53 incl. 6%: net = 53 × 100 / 106 = 50.0 fen exactly → 0.50, tax 0.03.
    assert_eq!(
        vat_split(Fen(53), 6),
        VatSplit {
            net: Fen(50),
            tax: Fen(3)
        }
    );
    // 0.01 incl. 6%: net = 100 / 106 = 0.943 fen → 1 fen, tax 0.
    assert_eq!(
        vat_split(Fen(1), 6),
        VatSplit {
            net: Fen(1),
            tax: Fen(0)
        }
    );
    // 0% → all net.
    assert_eq!(
        vat_split(Fen(12_345), 0),
        VatSplit {
            net: Fen(12_345),
            tax: Fen(0)
        }
    );
}

// ---------------------------------------------------------------- due dates (C art. 4 §3)

#[test]
fn art4_s3_a_shorter_final_month_is_due_on_the_termination_day() {
    // "业务终止周期不满一个完整自然月的…在业务终止时一次性缴清": cancel 2023-04-10 (10 of 30
    // days) → due 2023-04-10.
    assert_eq!(final_bill_due(d("2023-04-10")), Ok(d("2023-04-10")));
    // One day short of the month is still short: cancel 2023-04-29 → due 2023-04-29; and
    // 2024-02-28 in a leap year (29 days) → due 2024-02-28.
    assert_eq!(final_bill_due(d("2023-04-29")), Ok(d("2023-04-29")));
    assert_eq!(final_bill_due(d("2024-02-28")), Ok(d("2024-02-28")));
}

#[test]
fn art4_s3_a_complete_final_month_is_due_15_days_after_it_ends() {
    // A cancellation on the month's last day leaves a complete final calendar month: an
    // ordinary period, "于每周期结束后的15日内" (domain audit 2026-12).
    // cancel 2023-04-30 → April ends 04-30 → due 2023-05-15.
    assert_eq!(final_bill_due(d("2023-04-30")), Ok(d("2023-05-15")));
    // cancel 2023-02-28 (February 2023 has 28 days) → due 2023-03-15.
    assert_eq!(final_bill_due(d("2023-02-28")), Ok(d("2023-03-15")));
    // cancel 2023-12-31 → due 2024-01-15 (across the year).
    assert_eq!(final_bill_due(d("2023-12-31")), Ok(d("2024-01-15")));
    // The figure is the same as any full period's.
    assert_eq!(
        final_bill_due(d("2023-04-30")),
        period_due_date(d("2023-04-30"))
    );
    // Past year 9999 there is no date to give: an error, not a missing figure.
    assert_eq!(
        final_bill_due(d("9999-12-31")),
        Err(ClauseError::DateOutOfRange)
    );
}

#[test]
fn art4_s3_period_is_due_15_days_after_it_ends() {
    // April ends 04-30; days 05-01 … 05-15 are the 15 days → due 2023-05-15.
    assert_eq!(period_due_date(d("2023-04-30")), Ok(d("2023-05-15")));
    // December ends 12-31 → 2024-01-15 (across the year).
    assert_eq!(period_due_date(d("2023-12-31")), Ok(d("2024-01-15")));
    // February 2024 ends 02-29 → 03-15.
    assert_eq!(period_due_date(d("2024-02-29")), Ok(d("2024-03-15")));
}

// ---------------------------------------------------------------- late payment (C art. 4 §3)

#[test]
fn art4_s3_the_due_day_itself_is_not_overdue() {
    // due 2023-05-15: as of 05-15 → 0; 05-16 → 1; 05-25 → 10; as of an earlier day → 0.
    assert_eq!(days_overdue(d("2023-05-15"), d("2023-05-15")), 0);
    assert_eq!(days_overdue(d("2023-05-15"), d("2023-05-16")), 1);
    assert_eq!(days_overdue(d("2023-05-15"), d("2023-05-25")), 10);
    assert_eq!(days_overdue(d("2023-05-15"), d("2023-05-01")), 0);
}

#[test]
fn art4_s3_late_fee_is_3_percent_of_arrears_per_day_as_written() {
    // 1000.00 × 3% × 10 days = 300.00.
    let days = days_overdue(d("2023-05-15"), d("2023-05-25"));
    assert_eq!(late_fee(yuan("1000.00"), days), Ok(yuan("300.00")));
    // 333.33 × 3% × 1 = 9.9999 → 10.00 (half up, once).
    assert_eq!(late_fee(yuan("333.33"), 1), Ok(yuan("10.00")));
    // 0.50 × 3% × 10 = 0.15 on the total; rounding each day first (0.015 → 0.02) would give 0.20.
    assert_eq!(late_fee(yuan("0.50"), 10), Ok(yuan("0.15")));
    // No cap: 1000.00 × 3% × 40 days = 1200.00, more than the arrears.
    assert_eq!(late_fee(yuan("1000.00"), 40), Ok(yuan("1200.00")));
    // Not overdue → no fee.
    assert_eq!(late_fee(yuan("1000.00"), 0), Ok(Fen::ZERO));
    assert_eq!(late_fee(Fen(-1), 1), Err(ClauseError::NegativeAmount));
    assert_eq!(
        late_fee(Fen(i64::MAX), 100),
        Err(ClauseError::AmountTooLarge)
    );
}

#[test]
fn art4_s3_suspension_from_the_31st_day_overdue() {
    // due 2023-05-15 + 31 = 2023-06-15 (05-16..05-31 = 16 days, 06-01..06-15 = 15; 16 + 15 = 31).
    let suspension = suspension_from(d("2023-05-15")).unwrap();
    assert_eq!(suspension, d("2023-06-15"));
    // On 06-14 the bill is exactly 30 days overdue: not yet "more than 30"; on 06-15 it is 31.
    assert_eq!(days_overdue(d("2023-05-15"), d("2023-06-14")), 30);
    assert_eq!(days_overdue(d("2023-05-15"), suspension), 31);
}

#[test]
fn art4_s3_termination_after_60_days_of_suspension() {
    // suspension from 2023-06-15; the 60 days are 06-16 … 08-14
    //   (06-16..06-30 = 15, July = 31, 08-01..08-14 = 14; 15 + 31 + 14 = 60) → from 2023-08-15.
    assert_eq!(termination_from(d("2023-06-15")), Ok(d("2023-08-15")));
    // The whole chain from the final bill of the seed's line (due on the cancel day 2023-04-10):
    //   suspension 04-10 + 31 = 05-11; termination 05-11 + 61 = 07-11.
    let suspension = suspension_from(final_bill_due(d("2023-04-10")).unwrap()).unwrap();
    assert_eq!(suspension, d("2023-05-11"));
    assert_eq!(termination_from(suspension), Ok(d("2023-07-11")));
}

// ---------------------------------------------------------------- notice window (C art. 7 §3)

#[test]
fn art7_s3_notice_window_opens_30_days_before_expiry() {
    // Term ends 2023-12-31: 12-31 − 30 = 2023-12-01; the window is 12-01 … 12-31.
    assert_eq!(notice_from(d("2023-12-31"), ILL), Ok(d("2023-12-01")));
    // Term ends 2024-03-15: 03-15 − 30 = 2024-02-14 (Feb 2024 has 29 days: 15 + 15 = 30).
    assert_eq!(
        notice_from(d("2024-03-15"), ProductKind::DataLine),
        Ok(d("2024-02-14"))
    );
}

#[test]
fn art7_s3_cross_border_notice_window_stays_inside_the_monthly_term() {
    // Term ends 2023-06-30: 06-30 − 30 = 05-31, but the monthly term began 06-01 → 2023-06-01.
    assert_eq!(notice_from(d("2023-06-30"), XB), Ok(d("2023-06-01")));
    // Term ends 2023-07-31: 07-31 − 30 = 07-01 = the term's first day → 2023-07-01.
    assert_eq!(notice_from(d("2023-07-31"), XB), Ok(d("2023-07-01")));
    // Term ends 2023-03-15: previous end 02-15, term began 02-16; 03-15 − 30 = 02-13 → 02-16.
    assert_eq!(notice_from(d("2023-03-15"), XB), Ok(d("2023-02-16")));
}

// ---------------------------------------------------------------- acceptance (C art. 4 §2)

#[test]
fn art4_s2_acceptance_is_deemed_on_the_7th_day_after_the_notice() {
    // Notice received 2023-04-10 (day 0); days 04-11 … 04-17 are the seven → 2023-04-17.
    assert_eq!(deemed_acceptance(d("2023-04-10")), Ok(d("2023-04-17")));
    // Across a month: 2023-04-28 + 7 = 2023-05-05 (holidays do not matter: natural days).
    assert_eq!(deemed_acceptance(d("2023-04-28")), Ok(d("2023-05-05")));
}

// ---------------------------------------------------------------- reply by (B 四 (二)(三))

#[test]
fn privacy_4_reply_by_skips_the_national_day_holiday_2024() {
    // Request Fri 2024-09-27. Working days after it (2024 notice):
    //   1 09-29 (Sun, make-up)  2 09-30   [10-01..10-07 holiday]
    //   3 10-08  4 10-09  5 10-10  6 10-11  7 10-12 (Sat, make-up)
    //   8 10-14  9 10-15  10 10-16  11 10-17  12 10-18  13 10-21  14 10-22  15 10-23.
    assert_eq!(reply_by(d("2024-09-27")), Ok(d("2024-10-23")));
}

#[test]
fn privacy_4_reply_by_skips_the_national_day_holiday_2023() {
    // Request Thu 2023-09-28; 09-29..10-06 holiday; 10-07 Sat and 10-08 Sun are make-up days:
    //   1 10-07  2 10-08  3 10-09  4 10-10  5 10-11  6 10-12  7 10-13
    //   8 10-16  9 10-17  10 10-18  11 10-19  12 10-20  13 10-23  14 10-24  15 10-25.
    assert_eq!(reply_by(d("2023-09-28")), Ok(d("2023-10-25")));
}

#[test]
fn privacy_4_reply_by_counts_a_make_up_sunday_on_the_seed_date() {
    // Request Mon 2023-04-10 (the seed's signing date):
    //   1 04-11  2 04-12  3 04-13  4 04-14  5 04-17  6 04-18  7 04-19  8 04-20  9 04-21
    //   10 04-23 (Sun, make-up)  11 04-24  12 04-25  13 04-26  14 04-27  15 04-28.
    assert_eq!(reply_by(d("2023-04-10")), Ok(d("2023-04-28")));
}

#[test]
fn privacy_4_reply_by_refuses_a_year_without_any_calendar() {
    assert_eq!(reply_by(d("2021-06-01")), Err(HolidayError::YearNotCovered));
    // The provisional table ends with 2035: a count that runs past it is an error, not a guess.
    assert_eq!(reply_by(d("2035-12-20")), Err(HolidayError::YearNotCovered));
}

/// The reply-by date on the shipped calendars, and whether any year it reached was provisional.
fn reply(request: &str) -> (Date, bool) {
    let counted = reply_by_counted(d(request), Calendars::shipped()).unwrap();
    (counted.date, counted.is_provisional())
}

#[test]
fn privacy_4_reply_by_across_the_2026_spring_festival_official() {
    // Request Fri 2026-02-13 (2026 notice: 02-15..02-23 holiday; Sat 02-14 and Sat 02-28 work):
    //   1 02-14 (Sat, make-up)   [02-15..02-23]   2 02-24  3 02-25  4 02-26  5 02-27
    //   6 02-28 (Sat, make-up)  7 03-02  8 03-03  9 03-04  10 03-05  11 03-06
    //   12 03-09  13 03-10  14 03-11  15 03-12.
    assert_eq!(reply("2026-02-13"), (d("2026-03-12"), false));
}

#[test]
fn privacy_4_reply_by_across_the_2026_national_day_official() {
    // Request Wed 2026-09-30 (2026 notice: 10-01..10-07 holiday; Sat 10-10 works):
    //   1 10-08  2 10-09  3 10-10 (Sat, make-up)  4 10-12  5 10-13  6 10-14  7 10-15
    //   8 10-16  9 10-19  10 10-20  11 10-21  12 10-22  13 10-23  14 10-26  15 10-27.
    assert_eq!(reply("2026-09-30"), (d("2026-10-27"), false));
}

#[test]
fn privacy_4_reply_by_from_2026_12_11_reaches_a_provisional_january_2027() {
    // Request Fri 2026-12-11: 1..5 12-14..12-18, 6..10 12-21..12-25, 11..14 12-28..12-31;
    // 2027-01-01 (Fri) 元旦 on the statutory days (no 2027 notice yet); 15 Mon 2027-01-04.
    let counted = reply_by_counted(d("2026-12-11"), Calendars::shipped()).unwrap();
    assert_eq!(counted.date, d("2027-01-04"));
    assert!(counted.is_provisional());
    assert_eq!(
        counted.calendars.get(&2026),
        Some(&CalendarBasis::Official {
            notice: "国办发明电〔2025〕7号".into()
        })
    );
    assert_eq!(
        counted.calendars.get(&2027),
        Some(&CalendarBasis::Provisional)
    );
    assert_eq!(reply_by(d("2026-12-11")), Ok(d("2027-01-04")));
}

#[test]
fn privacy_4_reply_by_across_the_2027_spring_festival_provisional() {
    // 2027 provisional: 春节 4 days from 除夕 Fri 02-05 → 02-05, 02-06 (Sat), 02-07 (Sun),
    // 02-08 (Mon); the two on the weekend give Tue 02-09 and Wed 02-10 off (补假, 办法 第六条);
    // no make-up day. Request Wed 2027-02-03:
    //   1 02-04   [02-05..02-10]   2 02-11  3 02-12  4 02-15  5 02-16  6 02-17  7 02-18
    //   8 02-19  9 02-22  10 02-23  11 02-24  12 02-25  13 02-26  14 03-01  15 03-02.
    assert_eq!(reply("2027-02-03"), (d("2027-03-02"), true));
}

#[test]
fn privacy_4_reply_by_across_the_2027_national_day_provisional() {
    // 2027 provisional: 国庆 10-01 (Fri), 10-02 (Sat), 10-03 (Sun); the weekend's two give Mon
    // 10-04 and Tue 10-05 off (补假). Request Tue 2027-09-28:
    //   1 09-29  2 09-30   [10-01..10-05]   3 10-06  4 10-07  5 10-08  6 10-11  7 10-12
    //   8 10-13  9 10-14  10 10-15  11 10-18  12 10-19  13 10-20  14 10-21  15 10-22.
    assert_eq!(reply("2027-09-28"), (d("2027-10-22"), true));
}

#[test]
fn privacy_4_reply_by_across_the_2028_spring_festival_provisional() {
    // 2028 provisional: 除夕 Tue 01-25 → 01-25..01-28 (Tue–Fri). Request Mon 2028-01-24:
    //   [01-25..01-28, then the weekend]   1 01-31  2 02-01  3 02-02  4 02-03  5 02-04
    //   6 02-07  7 02-08  8 02-09  9 02-10  10 02-11  11 02-14  12 02-15  13 02-16  14 02-17
    //   15 02-18.
    assert_eq!(reply("2028-01-24"), (d("2028-02-18"), true));
}

#[test]
fn privacy_4_reply_by_across_the_2028_national_day_provisional() {
    // 2028 provisional: 国庆 10-01 (Sun), 10-02 (Mon), 10-03 (Tue), and 中秋 falls on 10-03 too.
    // 10-01 on a Sunday and 10-03 taken by 中秋 each give a day off after 国庆 (补假): Wed 10-04
    // and Thu 10-05. Request Fri 2028-09-29:
    //   [09-30 Sat, 10-01..10-05]   1 10-06  2 10-09  3 10-10  4 10-11  5 10-12  6 10-13
    //   7 10-16  8 10-17  9 10-18  10 10-19  11 10-20  12 10-23  13 10-24  14 10-25  15 10-26.
    assert_eq!(reply("2028-09-29"), (d("2028-10-26"), true));
}

// ---------------------------------------------------------------- bandwidth (C art. 1)

#[test]
fn art1_bandwidths_are_the_nine_listed() {
    let labels: Vec<String> = BANDWIDTHS.iter().map(|b| b.label()).collect();
    assert_eq!(
        labels,
        ["2M", "4M", "6M", "8M", "10M", "100M", "155M", "622M", "1G"]
    );
    for b in BANDWIDTHS {
        assert_eq!(Bandwidth::parse(&b.label()), Ok(b));
    }
    assert_eq!(parse_bandwidth("100 Mbps").map(Bandwidth::mbps), Ok(100));
    assert_eq!(parse_bandwidth("1g").map(Bandwidth::mbps), Ok(1000));
    assert_eq!(
        parse_bandwidth("1000M").map(|b| b.label()),
        Ok("1G".to_string())
    );
    assert_eq!(parse_bandwidth("20M"), Err(BandwidthError::NotOffered));
    assert_eq!(parse_bandwidth("2G"), Err(BandwidthError::NotOffered));
    for bad in ["", "M", "100", "100K", "1.5G", "-2M", "99999999999M"] {
        assert_eq!(parse_bandwidth(bad), Err(BandwidthError::Format), "{bad}");
    }
}

// ---------------------------------------------------------------- password (C art. 8 §12)

#[test]
fn art8_s12_strong_password_needs_8_chars_and_3_classes() {
    assert_eq!(
        check_password("Ab1!", "", "", None),
        Err(PasswordError::TooShort)
    );
    // 8 chars but two classes (lower + digit).
    assert_eq!(
        check_password("abcd1234", "", "", None),
        Err(PasswordError::TooFewClasses)
    );
    // Lower + digit + symbol; upper + lower + digit; all four.
    assert_eq!(check_password("abcd123!", "", "", None), Ok(()));
    assert_eq!(check_password("Abcd1234", "", "", None), Ok(()));
    assert_eq!(check_password("Ab1!Ab1!", "", "", None), Ok(()));
    // Chinese characters count toward length but are no class: 4 Han + "a1" = 2 classes.
    assert_eq!(
        check_password("密码密码aa11", "", "", None),
        Err(PasswordError::TooFewClasses)
    );
}

#[test]
fn art8_s12_password_must_not_contain_name_phone_or_birth_date() {
    let birth = Some(d("1996-08-18"));
    // The seed's agent 刘志强, mobile 15012345678, born 1996-08-18 (from his ID number).
    let check = |pw: &str| check_password(pw, "刘志强", "150 1234 5678", birth);
    assert_eq!(check("刘志强Ab12!"), Err(PasswordError::ContainsName));
    assert_eq!(check("Tel15012345678!"), Err(PasswordError::ContainsPhone));
    assert_eq!(
        check("Tel150-1234-5678!"),
        Err(PasswordError::ContainsPhone)
    );
    assert_eq!(
        check("Born19960818!"),
        Err(PasswordError::ContainsBirthDate)
    );
    assert_eq!(check("Born960818!x"), Err(PasswordError::ContainsBirthDate));
    assert_eq!(check("Xy!z0818ab"), Err(PasswordError::ContainsBirthDate));
    assert_eq!(
        check("Born1996-08-18!"),
        Err(PasswordError::ContainsBirthDate)
    );
    assert_eq!(check("Qx7!mR2#pL"), Ok(()));
    // A Latin name, case-insensitive, whole or by parts of 3+ letters.
    let latin = |pw: &str| check_password(pw, "Zhang San", "", None);
    assert_eq!(latin("zhangsan#2023"), Err(PasswordError::ContainsName));
    assert_eq!(latin("ZHANG!2023x"), Err(PasswordError::ContainsName));
    assert_eq!(latin("Sanya!2023x"), Err(PasswordError::ContainsName));
    assert_eq!(latin("Qx7!mR2#pL"), Ok(()));
}

// ---------------------------------------------------------------- error tables

#[test]
fn every_clause_error_has_a_code_and_both_messages() {
    let codes: Vec<(&str, &str, &str)> = ClauseError::ALL
        .iter()
        .map(|e| (e.code(), e.message_zh(), e.message_en()))
        .chain(
            ProductError::ALL
                .iter()
                .map(|e| (e.code(), e.message_zh(), e.message_en())),
        )
        .chain(
            BandwidthError::ALL
                .iter()
                .map(|e| (e.code(), e.message_zh(), e.message_en())),
        )
        .chain(
            PasswordError::ALL
                .iter()
                .map(|e| (e.code(), e.message_zh(), e.message_en())),
        )
        .collect();
    for (code, zh, en) in &codes {
        assert!(
            code.contains('.') && !zh.is_empty() && !en.is_empty(),
            "{code}"
        );
    }
    let mut unique: Vec<&str> = codes.iter().map(|c| c.0).collect();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), codes.len());
}

// ---------------------------------------------------------------- properties

fn any_date() -> impl Strategy<Value = Date> {
    (2000i32..2100, 1u8..=12, 1u8..=31).prop_map(|(y, m, day)| {
        Date::new(y, m, day).unwrap_or_else(|| Date::new(y, m, 28).unwrap())
    })
}

proptest! {
    #[test]
    fn art2_s17_penalty_is_monotone_in_months(
        fee in 0i64..10_000_000_000, investment in 0i64..10_000_000_000, months in 0u32..600,
    ) {
        let a = early_termination_penalty(Fen(fee), months, Fen(investment)).unwrap();
        let b = early_termination_penalty(Fen(fee), months + 1, Fen(investment)).unwrap();
        prop_assert!(a <= b);
    }

    #[test]
    fn art4_s4_vat_net_plus_tax_is_the_gross(gross in any::<i64>(), rate in 0u32..=100) {
        let split = vat_split(Fen(gross), rate);
        prop_assert_eq!(i128::from(split.net.0) + i128::from(split.tax.0), i128::from(gross));
        // For a charge, both parts are charges and the tax never exceeds the rate's share.
        if gross >= 0 {
            prop_assert!(split.net.0 >= 0 && split.tax.0 >= 0);
        }
    }

    #[test]
    fn art4_s3_final_month_charge_never_exceeds_the_fee(fee in 0i64..i64::MAX, date in any_date()) {
        let charge = final_month_charge(Fen(fee), date).unwrap();
        prop_assert!(Fen::ZERO <= charge && charge <= Fen(fee));
        if date == date.last_of_month() {
            prop_assert_eq!(charge, Fen(fee));
        }
    }

    #[test]
    fn art7_s3_current_term_contains_the_cancel_date(
        term_end in any_date(), cancel in any_date(), cross_border in any::<bool>(),
    ) {
        let kind = if cross_border { XB } else { ILL };
        let end = current_term_end(term_end, cancel, kind).unwrap();
        prop_assert!(end >= cancel && end >= term_end);
        if end != term_end {
            // It is the first renewal reaching the cancel date: one renewal less falls short.
            let mut previous = term_end;
            while next_term_end(previous, kind).unwrap() < end {
                previous = next_term_end(previous, kind).unwrap();
            }
            prop_assert!(previous < cancel);
        }
        // A renewed term touches at most renewal_months + 1 calendar months (a mid-month end).
        let months = unexecuted_months(cancel, end).unwrap();
        if end != term_end {
            prop_assert!(months <= kind.renewal_months() + 1);
        }
    }

    #[test]
    fn art4_s3_late_payment_dates_are_ordered(due in any_date()) {
        let suspension = suspension_from(due).unwrap();
        let termination = termination_from(suspension).unwrap();
        prop_assert_eq!(days_overdue(due, suspension), 31);
        prop_assert_eq!(suspension.days_until(termination), 61);
    }
}
