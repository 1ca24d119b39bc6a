//! The agreement's numbers as pure functions (domain-spec §4). "Part C" is the service agreement
//! 《中国移动广东公司互联网专线业务服务协议》, "part B" the privacy policy; clause numbers are the
//! seed's own (`seed/agreement-cancellation-order.zh.txt`).
//!
//! Money is [`Fen`], exact, rounded half up (四舍五入) once per line item. Dates are [`Date`].
//! Functions return `Result` where their inputs can disagree (a cancellation date past the term
//! it is measured against, a negative fee) or where the arithmetic can leave the representable
//! range; the errors are typed ([`ClauseError`]) with a stable code and zh-CN / en messages.
//!
//! # Readings of the contract
//!
//! The agreement is Party B's standard terms (格式条款). Where its words allow two readings, we
//! take the one less favourable to the party that drafted them (民法典 第四百九十八条), and a
//! period counted in days starts on the day after the event that starts it (民法典 第二百零一条:
//! 开始的当日不计入，自下一日开始计算). Each reading below names the function that implements it.
//!
//! 1. **Cancellation date** (domain-spec §4). A product line's cancellation date is its last day
//!    of service: that day is used and charged, and the month it falls in is the termination
//!    month.
//! 2. **Automatic renewal** (C art. 7 §3, "自动延期1年（跨境专线…自动延期1个月），延期期满后依此
//!    类推"). If the cancellation date lies after the term's last day, the agreement has renewed
//!    itself, as many times as needed, each renewal running 12 months (1 month for 跨境专线) from
//!    the previous expiry. A cancellation date *on* the last day lies inside that term. Month
//!    arithmetic on a term's last day: a month-end stays a month-end (2023-02-28 + 12 months =
//!    2024-02-29; 2023-01-31 + 1 month = 2023-02-28, + 1 more = 2023-03-31); any other day
//!    moves to the same day N months later, or to that month's last day if it has no such day
//!    (民法典 第二百零二条). A clamped day that lands on a month-end is treated as a month-end
//!    from then on (2024-01-30 + 1 month = 2024-02-29, + 1 more = 2024-03-31): each renewal
//!    continues from the previous expiry, not from the original one. [`current_term_end`],
//!    [`next_term_end`].
//! 3. **Unexecuted months** (C art. 2 §17, "终止当月计入未执行期间"). The calendar months from
//!    the termination month to the month holding the current term's last day, both inclusive;
//!    a term ending mid-month still counts its last month whole. A cancellation on the current
//!    term's very last day is not an early termination ("在协议期限内…提前终止"): the term ran
//!    its course, so no month is unexecuted (0). A cancellation date after the term passed in is
//!    an error: renew first with [`current_term_end`]. [`unexecuted_months`].
//! 4. **Early-termination penalty** (C art. 2 §17). 50% of the monthly fee × unexecuted months,
//!    computed on the total and rounded half up once (not per month), plus Party B's dedicated
//!    non-recoverable investment as entered (already in fen, not rounded). With 0 unexecuted
//!    months there is no early termination, so neither the 50% nor the investment is owed (0).
//!    The clause is applied to every product line of the order, Mobile Cloud included: the
//!    order's consent names this service agreement only. [`early_termination_penalty`].
//! 5. **Final month's charge** (C art. 4 §3, "业务终止周期不满一个月完整自然月的，按自然日结算").
//!    Days used = the day of the month of the cancellation date (the service is taken to have
//!    run from the 1st of that month; the cancellation day is used and charged); the divisor is
//!    the days in that calendar month (28, 29, 30 or 31). Fee × days ÷ days-in-month, half up.
//!    Cancelling on the month's last day charges the full monthly fee. [`final_month_charge`].
//! 6. **VAT** (C art. 4 §4, "以上费用均为含税价格"). Prices include VAT: net = gross × 100 ÷
//!    (100 + rate), half up; tax = gross − net, so net + tax is always exactly the gross.
//!    Rates: 互联网专线 6% and 数据专线 9% as written; 跨境专线 **9%** is our choice (a cross-border
//!    circuit is bandwidth rental, a basic telecom service like the data line's circuit rental);
//!    移动云 **6%** is our choice (cloud service is a value-added telecom / modern service). "国家
//!    税率发生变化的，从其规定": the rates are constants here and change with a code change.
//!    [`vat_split`], [`ProductKind::vat_rate_percent`].
//! 7. **Due dates** (C art. 4 §3). A full period is payable "于每周期结束后的15日内": day 1 is
//!    the day after the period's last day, so the due date is the period's last day + 15
//!    (April's bill is due 05-15), and paying on that day is on time ([`period_due_date`]).
//!    The final period is lump-sum "在业务终止时一次性缴清" only when it is "不满一个完整自然月":
//!    a cancellation before the month's last day leaves a shorter final month, due on the
//!    termination day, the cancellation date itself; a cancellation on the month's last day
//!    leaves a complete final calendar month, an ordinary period, due 15 days after it ends
//!    (cancel 2023-04-30 → due 2023-05-15) ([`final_bill_due`]; domain audit 2026-12). The
//!    Civil Code's extension of a deadline that falls on a rest day (第二百零三条) is not
//!    applied here: the contract counts natural days, and the preview must not depend on the
//!    holiday table.
//! 8. **Days overdue** (C art. 4 §3, "逾期"). The due day itself is not overdue; the day after it
//!    is day 1: `as_of − due_date`, 0 when `as_of` is on or before the due date.
//!    [`days_overdue`].
//! 9. **Late fee** (C art. 4 §3, "按照所欠费用每日加收3%的违约金"). As written: 3% of the
//!    arrears per day overdue, simple (not compounded), on the arrears only (not on earlier late
//!    fees), without a cap, on the total and rounded half up once. A court may reduce a penalty
//!    that greatly exceeds the loss (民法典 第五百八十五条第二款), and 3% a day is far above usual
//!    rates; the figure is the contract's, not a prediction of what a court would award.
//!    [`late_fee`].
//! 10. **Suspension** (C art. 4 §3, "对超过收费约定期限30日仍不交费用的，乙方有权暂停"). More than
//!     30 days overdue: the first day with [`days_overdue`] > 30, i.e. due date + 31.
//!     [`suspension_from`].
//! 11. **Termination** (C art. 4 §3, "在乙方暂停服务60日内仍未补足…乙方可以终止提供服务"). The 60
//!     days run from the day after suspension begins (S + 1 … S + 60); paying on S + 60 is still
//!     within them, so termination is possible from S + 61. [`termination_from`].
//! 12. **Notice window** (C art. 7 §3, "本协议有效期满前30日内任何一方未书面提出终止合作的"). "The
//!     30 days before expiry" of a term whose last day is E reads either as E − 30 … E − 1
//!     (counting back from E, E excluded) or as E − 29 … E (the 30 days ending with expiry at
//!     24:00 on E); the window here is their union, E − 30 … E, so a notice counts on either
//!     reading. For 跨境专线 the window never starts before the current monthly term's first day
//!     (the day after the previous expiry): a notice before that falls in the previous term's
//!     window and ends the agreement at that earlier expiry. (For an original, not yet renewed,
//!     cross-border term longer than a month this can start the window up to 3 days late; the
//!     original term's start is not an input.) [`notice_from`], [`NOTICE_WINDOW_DAYS`].
//! 13. **Deemed acceptance** (C art. 4 §2, "在收到乙方验收通知之日起七日内仍不验收的，则视为甲方
//!     验收成功，计费时间自甲方应当验收之日开始"). The day of receipt is not counted; the 7th day
//!     after it (receipt + 7) is "应当验收之日", the deemed acceptance and billing start.
//!     [`deemed_acceptance`].
//! 14. **Reply to a correction or deletion request** (B 四 (二)(三), "于15个工作日内处理、答复").
//!     15 working days, PRC public holidays and make-up working days applied, the day of the
//!     request not counted. A year whose State Council notice is not shipped is counted
//!     provisionally on the statutory public holidays, and the figure says so; a year with
//!     neither is an error, not a guess ([`crate::holidays`]). [`reply_by`], [`reply_by_counted`].
//! 15. **Bandwidths** (C art. 1). The nine listed values only; 1G = 1000M (carriers count bandwidth
//!     in powers of ten). Input is case-insensitive, spaces ignored, an optional `bps` suffix
//!     allowed (`"100M"`, `"100 Mbps"`, `"1g"`, `"1000M"`). [`Bandwidth::parse`].
//! 16. **Strong password** (C art. 8 §12, "至少由8位及以上大写字母、小写字母、数字与特殊符号等4类
//!     中3类混合…不能以姓名、电话号码以及出生日期等作为口令或口令的组成部分"). At least 8
//!     characters; at least 3 of: ASCII upper case, ASCII lower case, ASCII digit, ASCII
//!     punctuation (other characters count toward length but belong to no class). It must not
//!     contain: the person's name as given (whitespace and `·` removed, case-insensitive; a
//!     name shorter than 2 characters is not looked for), nor,
//!     for a name written in parts (`Zhang San`, `李·明`), any part of 3 or more characters;
//!     pinyin of a Chinese name is not derived (no romanisation table is shipped); the phone
//!     number (all its digits in a row); the birth date as YYYYMMDD, YYMMDD or MMDD. Phone and
//!     birth date are looked for in the password's digits with everything else removed, so
//!     `1985-05-20` or `138 0013 8000` do not slip through. Checks run in that order and the
//!     first failure is reported. [`check_password`].

use crate::date::{days_in_month, Date};
use crate::error::Locale;
use crate::holidays::{add_working_days, Calendars, CalendarsUsed, Counted, HolidayError};
use crate::money::Fen;

crate::rule_errors! {
    /// Why a clause figure could not be computed from its inputs.
    pub enum ClauseError {
        NegativeAmount => "clause.negative_amount", "金额不能为负数", "An amount cannot be negative";
        AmountTooLarge => "clause.amount_too_large", "金额过大，无法计算", "The amount is too large to compute";
        CancelAfterTermEnd => "clause.cancel_after_term_end", "销户日期晚于协议当期届满日，应先计算自动续期后的届满日", "The cancellation date is after the end of the term; compute the renewed term first";
        DateOutOfRange => "clause.date_out_of_range", "日期超出可计算范围", "The date is outside the range that can be computed";
    }
}

crate::rule_errors! {
    /// Why a product name was refused.
    pub enum ProductError {
        Unknown => "product.unknown", "产品名称应为：互联网专线、数据专线、跨境专线或移动云", "The product is one of 互联网专线 (Internet leased line), 数据专线 (data line), 跨境专线 (cross-border line) or 移动云 (Mobile Cloud)";
    }
}

crate::rule_errors! {
    /// Why a bandwidth was refused.
    pub enum BandwidthError {
        Format => "bandwidth.format", "带宽应写作数字加单位，如 100M 或 1G", "Write a bandwidth as a number and unit, e.g. 100M or 1G";
        NotOffered => "bandwidth.not_offered", "带宽应为 2M、4M、6M、8M、10M、100M、155M、622M 或 1G", "The bandwidth is one of 2M, 4M, 6M, 8M, 10M, 100M, 155M, 622M or 1G";
    }
}

crate::rule_errors! {
    /// Why a password is not strong (C art. 8 §12).
    pub enum PasswordError {
        TooShort => "password.too_short", "密码至少8位", "A password has at least 8 characters";
        TooFewClasses => "password.classes", "密码需包含大写字母、小写字母、数字、特殊符号中的至少3类", "A password mixes at least 3 of: upper-case letters, lower-case letters, digits, symbols";
        ContainsName => "password.contains_name", "密码不能包含姓名", "A password must not contain the person's name";
        ContainsPhone => "password.contains_phone", "密码不能包含电话号码", "A password must not contain the phone number";
        ContainsBirthDate => "password.contains_birth_date", "密码不能包含出生日期", "A password must not contain the birth date";
    }
}

/// C art. 2 §17: the penalty is this percentage of the unexecuted months' fees.
pub const PENALTY_PERCENT: i64 = 50;
/// C art. 4 §3: late fee per day overdue, in percent of the arrears.
pub const LATE_FEE_PERCENT_PER_DAY: i64 = 3;
/// C art. 4 §3: a period's fees are payable within this many days after it ends.
pub const PAYMENT_DAYS: i64 = 15;
/// C art. 4 §3: service may be suspended when more than this many days overdue.
pub const SUSPENSION_AFTER_DAYS_OVERDUE: i64 = 30;
/// C art. 4 §3: service may be terminated when still unpaid this many days into a suspension.
pub const TERMINATION_AFTER_SUSPENSION_DAYS: i64 = 60;
/// C art. 7 §3: written notice of non-renewal within this many days before expiry.
pub const NOTICE_WINDOW_DAYS: i64 = 30;
/// C art. 4 §2: acceptance is deemed this many days after the acceptance notice is received.
pub const ACCEPTANCE_DAYS: i64 = 7;
/// B 四 (二)(三): correction and deletion requests are answered within this many working days.
pub const REPLY_WORKING_DAYS: u32 = 15;
/// C art. 8 §12: a strong password has at least this many characters.
pub const PASSWORD_MIN_CHARS: usize = 8;

/// The kind of a product line, which decides its VAT rate (C art. 4 §4) and its renewal period
/// (C art. 7 §3). Parsed from the document's product name (`orders.N.product_name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductKind {
    /// 互联网专线: VAT 6% (C art. 4 §4), renews by 12 months.
    InternetLeasedLine,
    /// 数据专线 (电路租用 or IP VPN, C art. 1): VAT 9% (C art. 4 §4), renews by 12 months.
    DataLine,
    /// 跨境专线: renews by 1 month (C art. 7 §3); VAT 9% by our reading (see module docs).
    CrossBorderLine,
    /// 移动云: VAT 6% by our reading (see module docs), renews by 12 months.
    MobileCloud,
}

impl ProductKind {
    pub const ALL: [ProductKind; 4] = [
        ProductKind::InternetLeasedLine,
        ProductKind::DataLine,
        ProductKind::CrossBorderLine,
        ProductKind::MobileCloud,
    ];

    /// From the document's label (`互联网专线`, `数据专线`, `跨境专线`, `移动云`), trimmed.
    pub fn from_label(label: &str) -> Result<ProductKind, ProductError> {
        let label = label.trim();
        ProductKind::ALL
            .into_iter()
            .find(|k| k.label_zh() == label)
            .ok_or(ProductError::Unknown)
    }

    /// The document's own label.
    pub fn label_zh(self) -> &'static str {
        match self {
            ProductKind::InternetLeasedLine => "互联网专线",
            ProductKind::DataLine => "数据专线",
            ProductKind::CrossBorderLine => "跨境专线",
            ProductKind::MobileCloud => "移动云",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ProductKind::InternetLeasedLine => "Internet leased line",
            ProductKind::DataLine => "Data line",
            ProductKind::CrossBorderLine => "Cross-border line",
            ProductKind::MobileCloud => "Mobile Cloud",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.label_zh(),
            Locale::En => self.label_en(),
        }
    }

    /// VAT rate in percent, included in every price (C art. 4 §4; see the module docs for the
    /// two rates the agreement does not state).
    pub fn vat_rate_percent(self) -> u32 {
        match self {
            ProductKind::InternetLeasedLine | ProductKind::MobileCloud => 6,
            ProductKind::DataLine | ProductKind::CrossBorderLine => 9,
        }
    }

    /// Length of an automatic renewal in months (C art. 7 §3): 12, or 1 for 跨境专线.
    pub fn renewal_months(self) -> u32 {
        match self {
            ProductKind::CrossBorderLine => 1,
            _ => 12,
        }
    }
}

impl serde::Serialize for ProductKind {
    /// As the document's label, like the form carries it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label_zh())
    }
}

impl<'de> serde::Deserialize<'de> for ProductKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ProductKind, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ProductKind::from_label(&s).map_err(serde::de::Error::custom)
    }
}

/// A term's last day moved by `months` (reading 2): a month-end stays a month-end, any other day
/// keeps its day of the month, clamped to the month's last day.
fn shift_term_end(end: Date, months: i32) -> Result<Date, ClauseError> {
    let moved = end.add_months(months).ok_or(ClauseError::DateOutOfRange)?;
    Ok(if end == end.last_of_month() {
        moved.last_of_month()
    } else {
        moved
    })
}

fn add_days(date: Date, days: i64) -> Result<Date, ClauseError> {
    date.add_days(days).ok_or(ClauseError::DateOutOfRange)
}

fn non_negative(amount: Fen) -> Result<Fen, ClauseError> {
    if amount.0 < 0 {
        Err(ClauseError::NegativeAmount)
    } else {
        Ok(amount)
    }
}

/// C art. 7 §3: the last day of the term that follows a term ending on `current_term_end`,
/// renewed by [`ProductKind::renewal_months`] (reading 2).
pub fn next_term_end(current_term_end: Date, kind: ProductKind) -> Result<Date, ClauseError> {
    shift_term_end(current_term_end, kind.renewal_months() as i32)
}

/// C art. 7 §3 (with C art. 2 §17): the last day of the term in force on `cancel_date`. That is
/// `term_end` unless the cancellation date lies after it; then the agreement has renewed itself,
/// as many times as needed, and the renewed term containing the cancellation date is current
/// (reading 2).
pub fn current_term_end(
    term_end: Date,
    cancel_date: Date,
    kind: ProductKind,
) -> Result<Date, ClauseError> {
    let mut end = term_end;
    while end < cancel_date {
        end = next_term_end(end, kind)?;
    }
    Ok(end)
}

/// C art. 2 §17 ("终止当月计入未执行期间"): calendar months from the termination month to the
/// month of the current term's last day, both inclusive; 0 when the cancellation date is the
/// term's last day (reading 3). `current_term_end` must come from [`current_term_end`].
pub fn unexecuted_months(cancel_date: Date, current_term_end: Date) -> Result<u32, ClauseError> {
    if cancel_date > current_term_end {
        return Err(ClauseError::CancelAfterTermEnd);
    }
    if cancel_date == current_term_end {
        return Ok(0);
    }
    let index = |d: Date| i64::from(d.year()) * 12 + i64::from(d.month());
    u32::try_from(index(current_term_end) - index(cancel_date) + 1)
        .map_err(|_| ClauseError::DateOutOfRange)
}

/// C art. 2 §17: 50% × monthly fee × unexecuted months (half up, once) + the dedicated
/// investment; 0 when no month is unexecuted (reading 4).
pub fn early_termination_penalty(
    monthly_fee: Fen,
    unexecuted_months: u32,
    investment: Fen,
) -> Result<Fen, ClauseError> {
    non_negative(monthly_fee)?;
    non_negative(investment)?;
    if unexecuted_months == 0 {
        return Ok(Fen::ZERO);
    }
    monthly_fee
        .mul_ratio_half_up(i64::from(unexecuted_months) * PENALTY_PERCENT, 100)
        .and_then(|half| half.checked_add(investment))
        .ok_or(ClauseError::AmountTooLarge)
}

/// C art. 4 §3: the cancellation month's fee by natural days: monthly fee × (day of month of the
/// cancellation date) ÷ (days in that month), half up (reading 5). Never more than the fee.
pub fn final_month_charge(monthly_fee: Fen, cancel_date: Date) -> Result<Fen, ClauseError> {
    non_negative(monthly_fee)?;
    let days_in = days_in_month(cancel_date.year(), cancel_date.month());
    monthly_fee
        .mul_ratio_half_up(i64::from(cancel_date.day()), i64::from(days_in))
        .ok_or(ClauseError::AmountTooLarge)
}

/// A VAT-inclusive amount split into its net amount and its VAT; `net + tax == gross`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct VatSplit {
    pub net: Fen,
    pub tax: Fen,
}

/// C art. 4 §4 ("以上费用均为含税价格"): net = gross ÷ (1 + rate), half up; tax = gross − net
/// (reading 6). Total for every amount and rate.
pub fn vat_split(gross: Fen, rate_percent: u32) -> VatSplit {
    let den = 100 + i64::from(rate_percent);
    // |gross × 100 / den| ≤ |gross|, so the quotient always fits and `tax` cannot overflow.
    let net = gross.mul_ratio_half_up(100, den).unwrap_or(gross);
    VatSplit {
        net,
        tax: Fen(gross.0 - net.0),
    }
}

/// C art. 4 §3: the due date of the last bill (reading 7). A final month shorter than a
/// complete calendar month ("业务终止周期不满一个完整自然月…在业务终止时一次性缴清") is due on the
/// termination day, the cancellation date itself; a complete final month (cancellation on the
/// month's last day) is an ordinary period, due [`period_due_date`] (+15 days).
pub fn final_bill_due(cancel_date: Date) -> Result<Date, ClauseError> {
    if cancel_date == cancel_date.last_of_month() {
        period_due_date(cancel_date)
    } else {
        Ok(cancel_date)
    }
}

/// C art. 4 §3 ("于每周期结束后的15日内"): the last day on which a period ending on `period_end`
/// is paid on time: `period_end` + 15 (reading 7).
pub fn period_due_date(period_end: Date) -> Result<Date, ClauseError> {
    add_days(period_end, PAYMENT_DAYS)
}

/// C art. 4 §3 ("逾期"): whole days `as_of` lies after `due_date`; the due day itself is not
/// overdue (reading 8).
pub fn days_overdue(due_date: Date, as_of: Date) -> u32 {
    u32::try_from(due_date.days_until(as_of).max(0)).unwrap_or(u32::MAX)
}

/// C art. 4 §3 ("按照所欠费用每日加收3%的违约金"): arrears × 3% × days overdue, simple, half up
/// once; as written, see reading 9 on what a court may do with it.
pub fn late_fee(arrears: Fen, days_overdue: u32) -> Result<Fen, ClauseError> {
    non_negative(arrears)?;
    arrears
        .mul_ratio_half_up(i64::from(days_overdue) * LATE_FEE_PERCENT_PER_DAY, 100)
        .ok_or(ClauseError::AmountTooLarge)
}

/// C art. 4 §3 ("超过收费约定期限30日仍不交费用的，乙方有权暂停"): the first day on which the bill
/// is more than 30 days overdue, `due_date` + 31 (reading 10).
pub fn suspension_from(due_date: Date) -> Result<Date, ClauseError> {
    add_days(due_date, SUSPENSION_AFTER_DAYS_OVERDUE + 1)
}

/// C art. 4 §3 ("在乙方暂停服务60日内仍未补足…乙方可以终止提供服务"): the first day after the 60
/// days that follow the day suspension begins, `suspension_from` + 61 (reading 11).
pub fn termination_from(suspension_from: Date) -> Result<Date, ClauseError> {
    add_days(suspension_from, TERMINATION_AFTER_SUSPENSION_DAYS + 1)
}

/// C art. 7 §3 ("有效期满前30日内…书面提出终止"): the first day of the written-notice window
/// before a term ending on `current_term_end`; the window runs through `current_term_end`
/// inclusive (reading 12).
pub fn notice_from(current_term_end: Date, kind: ProductKind) -> Result<Date, ClauseError> {
    let thirty_before = add_days(current_term_end, -NOTICE_WINDOW_DAYS)?;
    if kind.renewal_months() >= 12 {
        return Ok(thirty_before);
    }
    let previous_end = shift_term_end(current_term_end, -(kind.renewal_months() as i32))?;
    let term_start = add_days(previous_end, 1)?;
    Ok(thirty_before.max(term_start))
}

/// C art. 4 §2 ("收到乙方验收通知之日起七日内仍不验收的，则视为甲方验收成功"): the day acceptance
/// is deemed and billing starts, 7 days after the notice was received (reading 13).
pub fn deemed_acceptance(acceptance_notice_received: Date) -> Result<Date, ClauseError> {
    add_days(acceptance_notice_received, ACCEPTANCE_DAYS)
}

/// B 四 (二)(三) ("于15个工作日内处理、答复"): the last day for Party B's answer to a correction or
/// deletion request made on `request_date`: the 15th PRC working day after it (reading 14).
pub fn reply_by(request_date: Date) -> Result<Date, HolidayError> {
    add_working_days(request_date, REPLY_WORKING_DAYS)
}

/// [`reply_by`] on the given calendars, with the calendar each year it reached used (official
/// or provisional).
pub fn reply_by_counted(
    request_date: Date,
    calendars: &Calendars,
) -> Result<Counted, HolidayError> {
    calendars.add_working_days(request_date, REPLY_WORKING_DAYS)
}

/// [`reply_by`] computed again on the calendars recorded when it was first computed (the
/// receiver's check of a signed figure, [`Calendars::add_working_days_as`]).
pub fn reply_by_as(
    request_date: Date,
    calendars: &Calendars,
    recorded: &CalendarsUsed,
) -> Result<Counted, HolidayError> {
    calendars.add_working_days_as(request_date, REPLY_WORKING_DAYS, recorded)
}

/// A bandwidth offered by C art. 1 (电路租用: "2M、4M、6M、8M、10M、100M、155M、622M、1G等带宽").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bandwidth {
    mbps: u32,
}

/// The bandwidths of C art. 1, in the document's order.
pub const BANDWIDTHS: [Bandwidth; 9] = [
    Bandwidth { mbps: 2 },
    Bandwidth { mbps: 4 },
    Bandwidth { mbps: 6 },
    Bandwidth { mbps: 8 },
    Bandwidth { mbps: 10 },
    Bandwidth { mbps: 100 },
    Bandwidth { mbps: 155 },
    Bandwidth { mbps: 622 },
    Bandwidth { mbps: 1000 },
];

impl Bandwidth {
    /// Megabits per second (1G = 1000).
    pub fn mbps(self) -> u32 {
        self.mbps
    }

    /// The document's label: `"2M"` … `"622M"`, `"1G"`.
    pub fn label(self) -> String {
        if self.mbps.is_multiple_of(1000) {
            format!("{}G", self.mbps / 1000)
        } else {
            format!("{}M", self.mbps)
        }
    }

    /// Parses `"100M"`, `"100 Mbps"`, `"1G"`, `"1g"`, `"1000M"` (reading 15); only the values of
    /// [`BANDWIDTHS`] are accepted.
    pub fn parse(s: &str) -> Result<Bandwidth, BandwidthError> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let unit_part = compact.strip_suffix("BPS").unwrap_or(&compact);
        let (number, per_unit) = if let Some(n) = unit_part.strip_suffix('G') {
            (n, 1000)
        } else if let Some(n) = unit_part.strip_suffix('M') {
            (n, 1)
        } else {
            return Err(BandwidthError::Format);
        };
        if number.is_empty() || number.len() > 6 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BandwidthError::Format);
        }
        let mbps = number.parse::<u32>().map_err(|_| BandwidthError::Format)? * per_unit;
        BANDWIDTHS
            .into_iter()
            .find(|b| b.mbps == mbps)
            .ok_or(BandwidthError::NotOffered)
    }
}

impl core::fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.label())
    }
}

/// Same as [`Bandwidth::parse`].
pub fn parse_bandwidth(s: &str) -> Result<Bandwidth, BandwidthError> {
    Bandwidth::parse(s)
}

/// C art. 8 §12: whether `password` is strong for a person named `person_name` with phone number
/// `phone_digits` (non-digits are ignored) and, if known, born on `birth_date` (reading 16).
/// An empty phone skips its check, and so does a name shorter than 2 characters.
pub fn check_password(
    password: &str,
    person_name: &str,
    phone_digits: &str,
    birth_date: Option<Date>,
) -> Result<(), PasswordError> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| c.is_ascii_punctuation()),
    ];
    if classes.into_iter().filter(|&has| has).count() < 3 {
        return Err(PasswordError::TooFewClasses);
    }

    let is_separator = |c: char| c.is_whitespace() || c == '·' || c == '•';
    let squeeze = |s: &str| {
        crate::text::fold_case(&s.chars().filter(|&c| !is_separator(c)).collect::<String>())
    };
    let password_text = squeeze(password);
    let whole_name = squeeze(person_name);
    let long_parts = person_name
        .split(is_separator)
        .filter(|part| part.chars().count() >= 3)
        .map(crate::text::fold_case);
    let name_found = (whole_name.chars().count() >= 2 && password_text.contains(&whole_name))
        || long_parts
            .into_iter()
            .any(|part| password_text.contains(&part));
    if name_found {
        return Err(PasswordError::ContainsName);
    }

    let digits_of = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let password_digits = digits_of(password);
    let phone = digits_of(phone_digits);
    if !phone.is_empty() && password_digits.contains(&phone) {
        return Err(PasswordError::ContainsPhone);
    }

    if let Some(birth) = birth_date {
        // MMDD is inside YYMMDD and YYYYMMDD, so finding it covers all three forms.
        let mmdd = format!("{:02}{:02}", birth.month(), birth.day());
        if password_digits.contains(&mmdd) {
            return Err(PasswordError::ContainsBirthDate);
        }
    }
    Ok(())
}
