//! The form model of contract.md §1 and its validation.
//!
//! A [`Form`] holds what was typed (or prefilled), as text: it must be able to hold a wrong
//! value so that [`validate`] can say what is wrong with it. Parsing into the domain's types
//! happens in `validate` and in [`crate::preview`]; nothing else decides whether a value is good.
//!
//! Readings decided here (see also docs/decisions.md):
//! - The agent (part D) is optional as a whole: when every `agent.*` field is blank the form has
//!   no agent, and the representative who signs is taken to be the legal representative (whose
//!   name the order does not carry), so the signer-is-agent rule does not apply. As soon as one
//!   `agent.*` field is filled, all of them are required.
//! - `orders.N.channel` (业务受理渠道) is required for the leased-line products and optional for
//!   Mobile Cloud, whose block in the seed has no such column.
//! - `orders.N.remarks`: optional, at most 200 characters; `/` (as in the seed) means none.
//! - At most [`MAX_ORDERS`] (200) product lines (`orders.too_many`): every rule is linear in the
//!   number of lines, and the bound keeps a form's work and size within what a browser and the
//!   receiver handle at keystroke speed.
//! - Fee inputs (`monthly_fee`, `term_end`, `cancel_date`, `investment`) and the late-payment
//!   calculator's inputs (`late.*`) are optional; when present they must parse. `late.as_of`
//!   defaults to today; `late.arrears` and `late.due_date` go together.
//! - The signing date may not lie after `today`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::clauses::ProductKind;
use crate::date::Date;
use crate::email::Email;
use crate::enums;
use crate::error::{RuleError, RuleMessage};
use crate::money::Fen;
use crate::numbers::{ContractNo, GroupCode, ProductNumber, SubOrderNo};
use crate::other_id::{parse_id_number, IdNumber, IdType};
use crate::phone::{CompanyPhone, Mobile};
use crate::uscc::Uscc;

/// One form: the order (part A) with its product lines, the authorisation letter (part D),
/// the signing block and the late-payment calculator's inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Form {
    pub contract_no: String,
    pub customer: Customer,
    pub contact: Contact,
    pub admin: Admin,
    pub orders: Vec<Order>,
    pub agent: Agent,
    pub signing: Signing,
    pub late: Late,
}

/// 客户信息.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Customer {
    pub group_name: String,
    pub group_code: String,
    pub org_type: String,
    pub office_address: String,
    pub cert_type: String,
    pub cert_number: String,
    pub industry: String,
    pub employees: IntegerText,
    pub phone: String,
}

/// 集团联系人.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub mobile: String,
    pub email: String,
    pub id_type: String,
    pub id_number: String,
}

/// 集团产品管理员.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Admin {
    pub name: String,
    pub mobile: String,
    pub email: String,
}

/// One product line's business-info block (…-预约销户-业务信息) with its fee inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Order {
    pub sub_order_no: String,
    pub product_name: String,
    pub product_number: String,
    pub business_type: String,
    pub reason: String,
    pub channel: String,
    pub remarks: String,
    pub monthly_fee: String,
    pub term_end: String,
    pub cancel_date: String,
    pub investment: String,
}

/// 单位授权委托书: the agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Agent {
    pub name: String,
    pub id_type: String,
    pub id_number: String,
    pub mobile: String,
    pub matter: String,
    pub valid_from: String,
    pub valid_to: String,
}

impl Agent {
    fn is_blank(&self) -> bool {
        [
            &self.name,
            &self.id_type,
            &self.id_number,
            &self.mobile,
            &self.matter,
            &self.valid_from,
            &self.valid_to,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// 甲方代表签名 and 日期.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Signing {
    pub representative: String,
    pub date: String,
}

/// The late-payment calculator's inputs (art. 4 §3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Late {
    pub arrears: String,
    pub due_date: String,
    pub as_of: String,
}

/// An integer field as typed. JSON carries it as an integer (`"employees": 10`); a string is
/// accepted too, so that a value that is not an integer can be held and reported. So are a
/// JSON number with a fraction or exponent and a boolean: held as their text (`10.5`, `10.0`,
/// `true`) and reported by `validate` as `field.not_an_integer`, never a form that cannot be
/// read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegerText(pub String);

impl IntegerText {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value, if the text is a plain decimal integer (after trimming and folding full-width
    /// digits, `１０` → 10, as every identifier is folded).
    pub fn value(&self) -> Option<i64> {
        let folded = crate::text::normalise(&self.0);
        let t = folded.as_str();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    }
}

impl From<&str> for IntegerText {
    fn from(s: &str) -> IntegerText {
        IntegerText(s.to_owned())
    }
}

impl Serialize for IntegerText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value() {
            Some(n) => s.serialize_i64(n),
            None => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for IntegerText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IntegerText, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = IntegerText;
            fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
                f.write_str("an integer or a string")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<IntegerText, E> {
                Ok(IntegerText(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<IntegerText, E> {
                Ok(IntegerText(v.to_string()))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IntegerText, E> {
                Ok(IntegerText(v.to_owned()))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<IntegerText, E> {
                Ok(IntegerText::default())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<IntegerText, E> {
                // As `{:?}` writes it, keeping the fraction (`10.0`, not `10`): a float is
                // never an integer.
                Ok(IntegerText(float_debug_text(v)))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<IntegerText, E> {
                Ok(IntegerText(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// `format!("{v:?}")`, through `ryu` (its small tables) rather than core's float formatting,
/// which the browser's first load would otherwise carry for this one use: the same shortest
/// digits, laid out as `Debug` lays them out (exponential below 1e-4 and from 1e16 on).
pub fn float_debug_text(v: f64) -> String {
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format(v);
    if !v.is_finite() || v == 0.0 {
        // `NaN`, `inf`, `-inf`, `0.0`, `-0.0`: written alike.
        return text.to_owned();
    }
    let unsigned = text.trim_start_matches('-');
    let (mantissa, exponent) = match unsigned.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The value is 0.DIGITS × 10^point.
    let mut point = whole.len() as i32 + exponent;
    let mut digits: String = whole.chars().chain(fraction.chars()).collect();
    let leading = digits.len() - digits.trim_start_matches('0').len();
    point -= leading as i32;
    digits = digits.trim_matches('0').to_owned();
    // Where `v` lies exactly halfway between two shortest candidates, ryu takes the even one
    // and core the upper one.
    if let Ok(lower) = digits.parse::<u64>() {
        let unit = point - digits.len() as i32;
        if exactly_halfway(v.abs(), lower, unit) {
            let upper = (lower + 1).to_string();
            point = unit + upper.len() as i32;
            digits = upper.trim_end_matches('0').to_owned();
        }
    }
    let mut out = String::new();
    if v.is_sign_negative() {
        out.push('-');
    }
    let abs = v.abs();
    if !(1e-4..1e16).contains(&abs) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push_str(&(point - 1).to_string());
    } else if point <= 0 {
        out.push_str("0.");
        out.extend(core::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(core::iter::repeat_n('0', point as usize - digits.len()));
        out.push_str(".0");
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

/// Whether `v` (positive, finite) is exactly (`lower` + ½) × 10^`unit`.
fn exactly_halfway(v: f64, lower: u64, unit: i32) -> bool {
    // v = m × 2^e, m odd; the halfway point is h × 10^q with h = 10 lower + 5, odd.
    let bits = v.to_bits();
    let (fraction, biased) = (bits & ((1 << 52) - 1), (bits >> 52) as i32);
    let (mut m, mut e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return false;
    }
    e += m.trailing_zeros() as i32;
    m >>= m.trailing_zeros();
    let Some(h) = lower.checked_mul(10).and_then(|x| x.checked_add(5)) else {
        return false;
    };
    let q = unit - 1;
    // Both odd parts and both powers of two must agree: e = q, and m = h × 5^q (or
    // m × 5^-q = h).
    let five = |p: i32| 5u128.checked_pow(p.unsigned_abs());
    e == q
        && if q >= 0 {
            five(q).and_then(|f| f.checked_mul(u128::from(h))) == Some(u128::from(m))
        } else {
            five(q).and_then(|f| f.checked_mul(u128::from(m))) == Some(u128::from(h))
        }
}

crate::rule_errors! {
    /// Rules that any text field may carry: presence, length, list membership.
    pub enum FieldRule {
        Required => "field.required", "此项必填", "This field is required";
        TooShort => "field.too_short", "内容过短", "Too short";
        TooLong => "field.too_long", "内容过长", "Too long";
        ControlChars => "field.control_chars", "含有不可见的控制字符", "Contains invisible control characters";
        InvisibleChars => "field.invisible_chars", "含有零宽字符或文字方向控制符，请删除后重新输入", "Contains zero-width or text-direction characters; delete them and type the text again";
        NotInList => "field.not_in_list", "不是可选的值之一", "Not one of the allowed values";
        NotAnInteger => "field.not_an_integer", "应为整数", "Must be a whole number";
        LessThanOne => "field.less_than_one", "应不小于1", "Must be at least 1";
        NameChars => "name.chars", "姓名只能包含文字、空格和间隔号（·）", "A name may contain only letters, spaces and the name separator (·)";
        OtherReasonText => "reason.other_text", "请在“其他：”后用2至50个字写明原因", "After “其他：” give the reason in 2 to 50 characters";
        NoOrders => "orders.none", "至少需要一条业务信息", "At least one product line is required";
        TooManyOrders => "orders.too_many", "业务信息最多200条，请分成多份签署", "At most 200 product lines; split the order into several to sign";
        SigningDateInFuture => "signing.date_in_future", "签名日期不能晚于今天", "The signing date cannot be later than today";
    }
}

crate::rule_errors! {
    /// Rules across fields (domain-spec §3.5). Reported at every field involved.
    pub enum CrossFieldRule {
        SignerNotAgent => "cross.signer_not_agent", "签名的甲方代表应为授权委托书中的被委托人", "The representative who signs must be the agent named in the authorisation letter";
        SigningOutsideAuthorisation => "cross.signing_outside_authorisation", "签名日期不在委托期限内", "The signing date lies outside the authorisation period";
        AuthorisationPeriodReversed => "cross.authorisation_period_reversed", "委托期限的开始日期晚于结束日期", "The authorisation period starts after it ends";
        AgentUnder18 => "cross.agent_under_18", "签名日被委托人未满18周岁", "The agent is under 18 on the signing date";
        CertTypeCategory => "cross.cert_type_category", "证件类型与统一社会信用代码的机构类别不符", "The certificate type does not match the organisation category in the code";
        DuplicateSubOrder => "cross.duplicate_sub_order", "子受理单号重复", "The same sub-order number appears twice";
        DuplicateProductNumber => "cross.duplicate_product_number", "产品号码重复", "The same product number appears twice";
    }
}

/// The most product lines a form may carry (`orders.too_many` beyond; [`Form::set_value`]
/// refuses an index past it, so a path cannot make a form allocate without bound).
pub const MAX_ORDERS: usize = 200;

/// One failing rule at one field path; on the wire `{"path", "code", "message_zh",
/// "message_en"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldError {
    /// The field path (contract.md §1), e.g. `orders.0.product_number`.
    pub path: String,
    #[serde(flatten)]
    pub rule: RuleMessage,
}

impl FieldError {
    pub fn code(&self) -> &str {
        &self.rule.code
    }
}

/// Collects the failures of one validation run.
struct Report {
    errors: Vec<FieldError>,
}

impl Report {
    fn fail(&mut self, path: &str, rule: impl Into<RuleMessage>) {
        self.errors.push(FieldError {
            path: path.to_owned(),
            rule: rule.into(),
        });
    }

    /// The parsed value, or the failure recorded at `path`.
    fn parsed<T, E: RuleError>(&mut self, path: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.fail(path, e)).ok()
    }

    /// `Some(trimmed)` when filled; records `Required` when blank.
    fn required<'v>(&mut self, path: &str, value: &'v str) -> Option<&'v str> {
        let v = value.trim();
        if v.is_empty() {
            self.fail(path, FieldRule::Required);
            None
        } else {
            Some(v)
        }
    }

    /// A required free text of `min..=max` characters without control characters.
    fn text(&mut self, path: &str, value: &str, min: usize, max: usize) -> Option<String> {
        let v = self.required(path, value)?;
        check_text(v, min, max)
            .map_err(|e| self.fail(path, e))
            .ok()?;
        Some(v.to_owned())
    }

    fn one_of(&mut self, path: &str, value: &str, list: &enums::LabelList) -> Option<String> {
        let v = self.required(path, value)?;
        if list.contains(v) {
            Some(v.to_owned())
        } else {
            self.fail(path, FieldRule::NotInList);
            None
        }
    }

    fn person_name(&mut self, path: &str, value: &str) -> Option<String> {
        let v = self.required(path, value)?;
        check_person_name(v).map_err(|e| self.fail(path, e)).ok()?;
        Some(v.to_owned())
    }

    fn mobile(&mut self, path: &str, value: &str) -> Option<Mobile> {
        let v = self.required(path, value)?;
        self.parsed(path, Mobile::parse(v))
    }

    fn email(&mut self, path: &str, value: &str) -> Option<Email> {
        let v = self.required(path, value)?;
        self.parsed(path, Email::parse(v))
    }

    fn date(&mut self, path: &str, value: &str) -> Option<Date> {
        let v = self.required(path, value)?;
        self.parsed(path, Date::parse_iso(v))
    }

    fn optional_date(&mut self, path: &str, value: &str) -> Option<Date> {
        let v = value.trim();
        if v.is_empty() {
            None
        } else {
            self.parsed(path, Date::parse_iso(v))
        }
    }

    fn optional_money(&mut self, path: &str, value: &str) -> Option<Fen> {
        let v = value.trim();
        if v.is_empty() {
            None
        } else {
            self.parsed(path, Fen::parse_yuan(v))
        }
    }

    /// ID type and number: the type decides the number's rule (domain-spec §3.5).
    fn id_document(
        &mut self,
        prefix: &str,
        id_type: &str,
        id_number: &str,
        today: Date,
    ) -> Option<IdNumber> {
        let type_path = format!("{prefix}.id_type");
        let number_path = format!("{prefix}.id_number");
        let kind = self
            .required(&type_path, id_type)
            .and_then(|t| match IdType::from_label(t) {
                Some(kind) => Some(kind),
                None => {
                    self.fail(&type_path, FieldRule::NotInList);
                    None
                }
            });
        let number = self.required(&number_path, id_number)?;
        let kind = kind?;
        self.parsed(&number_path, parse_id_number(kind, number, today))
    }
}

/// Free text: `min..=max` characters (Unicode scalar values), no control characters, no
/// zero-width or text-direction characters ([`crate::text::is_format_control`]: a company name
/// holding U+202E would read otherwise than it is stored, in the agreement and downstream).
pub fn check_text(value: &str, min: usize, max: usize) -> Result<(), FieldRule> {
    if value.chars().any(char::is_control) {
        return Err(FieldRule::ControlChars);
    }
    if value.chars().any(crate::text::is_format_control) {
        return Err(FieldRule::InvisibleChars);
    }
    let n = value.chars().count();
    if n < min {
        Err(FieldRule::TooShort)
    } else if n > max {
        Err(FieldRule::TooLong)
    } else {
        Ok(())
    }
}

/// A person's name: 2–50 characters; letters of any script, spaces, and the separators used
/// in transcribed names (`·` U+00B7, `•`, `.`, `-`, `'`); no digits.
pub fn check_person_name(value: &str) -> Result<(), FieldRule> {
    check_text(value, 2, 50)?;
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '·' | '•' | '.' | '-' | '\'');
    if value.chars().all(allowed) {
        Ok(())
    } else {
        Err(FieldRule::NameChars)
    }
}

/// A person's name as names compare: without surrounding or repeated spaces and without case
/// (for Latin, Greek or Cyrillic names: `text::fold_case`). The form's check that the
/// representative is the agent and the typed signature's check that it is the
/// representative's name both use it.
pub(crate) fn fold_person_name(s: &str) -> String {
    crate::text::fold_case(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn same_person_name(a: &str, b: &str) -> bool {
    fold_person_name(a) == fold_person_name(b)
}

/// Every failing rule of `form`, by field path, in the document's order; cross-field failures
/// follow, reported at each field involved. `today` is the date the form is judged on (the
/// browser's local date, or the signing date when the receiver re-validates a payload).
pub fn validate(form: &Form, today: Date) -> Vec<FieldError> {
    // The sections in the form's order, then the rules across them (domain-spec §3.5); the
    // errors come out in this order.
    let mut r = Report { errors: Vec::new() };
    if let Some(v) = r.required("contract_no", &form.contract_no) {
        r.parsed("contract_no", ContractNo::parse(v));
    }
    let customer = validate_customer(&mut r, &form.customer);
    validate_people(&mut r, form, today);
    validate_orders(&mut r, &form.orders);
    let agent = validate_agent(&mut r, &form.agent, today);
    let signing = validate_signing(&mut r, &form.signing, today);
    validate_late(&mut r, &form.late);
    cross_field_rules(&mut r, form, &customer, agent.as_ref(), &signing);
    r.errors
}

/// What the cross-field rules need of the customer: the categories its certificate type
/// allows, and its credit code.
struct CustomerFacts {
    cert_categories: Option<&'static [&'static str]>,
    uscc: Option<Uscc>,
}

/// What they need of a filled-in authorisation letter (part D).
struct AgentFacts {
    name: Option<String>,
    id: Option<IdNumber>,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
}

/// What they need of the signing block.
struct SigningFacts {
    representative: Option<String>,
    date: Option<Date>,
}

/// Customer (客户信息).
fn validate_customer(r: &mut Report, c: &Customer) -> CustomerFacts {
    r.text("customer.group_name", &c.group_name, 2, 100);
    if let Some(v) = r.required("customer.group_code", &c.group_code) {
        r.parsed("customer.group_code", GroupCode::parse(v));
    }
    r.one_of("customer.org_type", &c.org_type, &enums::ORG_TYPES);
    r.text("customer.office_address", &c.office_address, 5, 200);
    let cert_categories = r
        .required("customer.cert_type", &c.cert_type)
        .and_then(|t| {
            let categories = enums::cert_type_categories(t);
            if categories.is_none() {
                r.fail("customer.cert_type", FieldRule::NotInList);
            }
            categories
        });
    let uscc = r
        .required("customer.cert_number", &c.cert_number)
        .and_then(|v| r.parsed("customer.cert_number", Uscc::parse(v)));
    r.one_of("customer.industry", &c.industry, &enums::INDUSTRIES);
    if r.required("customer.employees", c.employees.as_str())
        .is_some()
    {
        match c.employees.value() {
            None => r.fail("customer.employees", FieldRule::NotAnInteger),
            Some(n) if n < 1 => r.fail("customer.employees", FieldRule::LessThanOne),
            Some(_) => {}
        }
    }
    if let Some(v) = r.required("customer.phone", &c.phone) {
        r.parsed("customer.phone", CompanyPhone::parse(v));
    }
    CustomerFacts {
        cert_categories,
        uscc,
    }
}

/// The group contact and the product administrator.
fn validate_people(r: &mut Report, form: &Form, today: Date) {
    let contact = &form.contact;
    r.person_name("contact.name", &contact.name);
    r.mobile("contact.mobile", &contact.mobile);
    r.email("contact.email", &contact.email);
    r.id_document("contact", &contact.id_type, &contact.id_number, today);
    let admin = &form.admin;
    r.person_name("admin.name", &admin.name);
    r.mobile("admin.mobile", &admin.mobile);
    r.email("admin.email", &admin.email);
}

/// The product lines: at least one, at most [`MAX_ORDERS`], each by [`validate_order`].
fn validate_orders(r: &mut Report, orders: &[Order]) {
    if orders.is_empty() {
        r.fail("orders", FieldRule::NoOrders);
    } else if orders.len() > MAX_ORDERS {
        r.fail("orders", FieldRule::TooManyOrders);
    }
    for (i, o) in orders.iter().enumerate() {
        validate_order(r, i, o);
    }
}

/// The authorisation letter (part D), when any of it is filled in.
fn validate_agent(r: &mut Report, agent: &Agent, today: Date) -> Option<AgentFacts> {
    if agent.is_blank() {
        return None;
    }
    let name = r.person_name("agent.name", &agent.name);
    let id = r.id_document("agent", &agent.id_type, &agent.id_number, today);
    r.mobile("agent.mobile", &agent.mobile);
    r.text("agent.matter", &agent.matter, 2, 50);
    let valid_from = r.date("agent.valid_from", &agent.valid_from);
    let valid_to = r.date("agent.valid_to", &agent.valid_to);
    Some(AgentFacts {
        name,
        id,
        valid_from,
        valid_to,
    })
}

/// The signing block: the representative and a signing date not after today.
fn validate_signing(r: &mut Report, signing: &Signing, today: Date) -> SigningFacts {
    let representative = r.person_name("signing.representative", &signing.representative);
    let date = r.date("signing.date", &signing.date);
    if date.is_some_and(|d| d > today) {
        r.fail("signing.date", FieldRule::SigningDateInFuture);
    }
    SigningFacts {
        representative,
        date,
    }
}

/// The late-payment calculator: optional; arrears and due date go together.
fn validate_late(r: &mut Report, l: &Late) {
    r.optional_money("late.arrears", &l.arrears);
    r.optional_date("late.due_date", &l.due_date);
    if !l.arrears.trim().is_empty() && l.due_date.trim().is_empty() {
        r.fail("late.due_date", FieldRule::Required);
    }
    if !l.due_date.trim().is_empty() && l.arrears.trim().is_empty() {
        r.fail("late.arrears", FieldRule::Required);
    }
    r.optional_date("late.as_of", &l.as_of);
}

/// The rules across sections (domain-spec §3.5).
fn cross_field_rules(
    r: &mut Report,
    form: &Form,
    customer: &CustomerFacts,
    agent: Option<&AgentFacts>,
    signing: &SigningFacts,
) {
    if let (Some(categories), Some(code)) = (customer.cert_categories, &customer.uscc) {
        if !categories.contains(&code.category()) {
            r.fail("customer.cert_type", CrossFieldRule::CertTypeCategory);
            r.fail("customer.cert_number", CrossFieldRule::CertTypeCategory);
        }
    }
    r.errors.extend(duplicate_numbers(form));
    let Some(agent) = agent else {
        return;
    };
    if let (Some(name), Some(signer)) = (&agent.name, &signing.representative) {
        if !same_person_name(name, signer) {
            r.fail("signing.representative", CrossFieldRule::SignerNotAgent);
            r.fail("agent.name", CrossFieldRule::SignerNotAgent);
        }
    }
    if let (Some(from), Some(to)) = (agent.valid_from, agent.valid_to) {
        if from > to {
            r.fail(
                "agent.valid_from",
                CrossFieldRule::AuthorisationPeriodReversed,
            );
            r.fail(
                "agent.valid_to",
                CrossFieldRule::AuthorisationPeriodReversed,
            );
        } else if let Some(date) = signing.date {
            if date < from || date > to {
                r.fail("signing.date", CrossFieldRule::SigningOutsideAuthorisation);
                r.fail(
                    "agent.valid_from",
                    CrossFieldRule::SigningOutsideAuthorisation,
                );
                r.fail(
                    "agent.valid_to",
                    CrossFieldRule::SigningOutsideAuthorisation,
                );
            }
        }
    }
    let birth = agent.id.as_ref().and_then(IdNumber::birth_date);
    if let (Some(birth), Some(date)) = (birth, signing.date) {
        if birth.age_on(date) < 18 {
            r.fail("agent.id_number", CrossFieldRule::AgentUnder18);
            r.fail("signing.date", CrossFieldRule::AgentUnder18);
        }
    }
}

fn validate_order(r: &mut Report, i: usize, o: &Order) {
    let path = |field: &str| format!("orders.{i}.{field}");
    if let Some(v) = r.required(&path("sub_order_no"), &o.sub_order_no) {
        r.parsed(&path("sub_order_no"), SubOrderNo::parse(v));
    }
    let kind = r
        .required(&path("product_name"), &o.product_name)
        .and_then(|v| {
            let kind = ProductKind::from_label(v).ok();
            if kind.is_none() {
                r.fail(&path("product_name"), FieldRule::NotInList);
            }
            kind
        });
    if let Some(v) = r.required(&path("product_number"), &o.product_number) {
        r.parsed(&path("product_number"), ProductNumber::parse(v));
    }
    r.one_of(
        &path("business_type"),
        &o.business_type,
        &enums::BUSINESS_TYPES,
    );
    if let Some(v) = r.required(&path("reason"), &o.reason) {
        if let Some(own_words) = v.strip_prefix(enums::OTHER_REASON_PREFIX) {
            if check_text(own_words.trim(), 2, 50).is_err() {
                r.fail(&path("reason"), FieldRule::OtherReasonText);
            }
        } else if !enums::CANCELLATION_REASONS.contains(v) {
            r.fail(&path("reason"), FieldRule::NotInList);
        }
    }
    let channel = o.channel.trim();
    let channel_optional = kind == Some(ProductKind::MobileCloud);
    if channel.is_empty() || channel == "/" {
        if !channel_optional {
            r.fail(&path("channel"), FieldRule::Required);
        }
    } else if !enums::CHANNELS.contains(channel) {
        r.fail(&path("channel"), FieldRule::NotInList);
    }
    let remarks = o.remarks.trim();
    if !remarks.is_empty() {
        if let Err(e) = check_text(remarks, 1, 200) {
            r.fail(&path("remarks"), e);
        }
    }
    r.optional_money(&path("monthly_fee"), &o.monthly_fee);
    r.optional_date(&path("term_end"), &o.term_end);
    r.optional_date(&path("cancel_date"), &o.cancel_date);
    r.optional_money(&path("investment"), &o.investment);
}

/// The duplicate-number rules across product lines ([`CrossFieldRule::DuplicateSubOrder`], then
/// [`CrossFieldRule::DuplicateProductNumber`]): a value (trimmed, non-blank) that appears in
/// more than one line, reported at each line it appears in, in line order. One pass to count,
/// one to report: linear in the number of lines. The one implementation, also used by
/// [`crate::incremental::Validator`].
pub fn duplicate_numbers(form: &Form) -> Vec<FieldError> {
    let mut out = Vec::new();
    duplicates(
        &mut out,
        form,
        |o| &o.sub_order_no,
        "sub_order_no",
        CrossFieldRule::DuplicateSubOrder,
    );
    duplicates(
        &mut out,
        form,
        |o| &o.product_number,
        "product_number",
        CrossFieldRule::DuplicateProductNumber,
    );
    out
}

fn duplicates(
    out: &mut Vec<FieldError>,
    form: &Form,
    field: fn(&Order) -> &String,
    name: &str,
    rule: CrossFieldRule,
) {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for o in &form.orders {
        let v = field(o).trim();
        if !v.is_empty() {
            *seen.entry(v).or_default() += 1;
        }
    }
    for (i, o) in form.orders.iter().enumerate() {
        let v = field(o).trim();
        if !v.is_empty() && seen.get(v).copied().unwrap_or(0) > 1 {
            out.push(FieldError {
                path: format!("orders.{i}.{name}"),
                rule: rule.into(),
            });
        }
    }
}

/// Why a field path names no field (contract.md §1 lists the paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPath(pub String);

impl core::fmt::Display for UnknownPath {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "no form field is named {:?}", self.0)
    }
}

impl std::error::Error for UnknownPath {}

/// Field paths before the product lines, in the document's order (part A).
pub const HEAD_PATHS: [&str; 18] = [
    "contract_no",
    "customer.group_name",
    "customer.group_code",
    "customer.org_type",
    "customer.office_address",
    "customer.cert_type",
    "customer.cert_number",
    "customer.industry",
    "customer.employees",
    "customer.phone",
    "contact.name",
    "contact.mobile",
    "contact.email",
    "contact.id_type",
    "contact.id_number",
    "admin.name",
    "admin.mobile",
    "admin.email",
];

/// Field paths after the product lines: the authorisation letter, signing, late payment.
pub const TAIL_PATHS: [&str; 12] = [
    "agent.name",
    "agent.id_type",
    "agent.id_number",
    "agent.mobile",
    "agent.matter",
    "agent.valid_from",
    "agent.valid_to",
    "signing.representative",
    "signing.date",
    "late.arrears",
    "late.due_date",
    "late.as_of",
];

/// One table of names for both accessors of the text fields of the sections.
macro_rules! section_fields {
    ($( $section:ident . $field:ident ),* $(,)?) => {
        fn section_field<'f>(form: &'f Form, section: &str, field: &str) -> Option<&'f String> {
            match (section, field) {
                $( (stringify!($section), stringify!($field)) => Some(&form.$section.$field), )*
                _ => None,
            }
        }
        fn section_field_mut<'f>(form: &'f mut Form, section: &str, field: &str) -> Option<&'f mut String> {
            match (section, field) {
                $( (stringify!($section), stringify!($field)) => Some(&mut form.$section.$field), )*
                _ => None,
            }
        }
    };
}

section_fields! {
    customer.group_name, customer.group_code, customer.org_type, customer.office_address,
    customer.cert_type, customer.cert_number, customer.industry, customer.phone,
    contact.name, contact.mobile, contact.email, contact.id_type, contact.id_number,
    admin.name, admin.mobile, admin.email,
    agent.name, agent.id_type, agent.id_number, agent.mobile, agent.matter, agent.valid_from, agent.valid_to,
    signing.representative, signing.date,
    late.arrears, late.due_date, late.as_of,
}

/// The same for the fields of a product line.
macro_rules! order_fields {
    ($( $field:ident ),* $(,)?) => {
        /// The fields of one product line, in the document's order.
        pub const ORDER_FIELDS: &[&str] = &[$( stringify!($field) ),*];
        pub(crate) fn order_field<'o>(order: &'o Order, field: &str) -> Option<&'o String> {
            match field { $( stringify!($field) => Some(&order.$field), )* _ => None }
        }
        pub(crate) fn order_field_mut<'o>(order: &'o mut Order, field: &str) -> Option<&'o mut String> {
            match field { $( stringify!($field) => Some(&mut order.$field), )* _ => None }
        }
    };
}

order_fields! {
    sub_order_no, product_name, product_number, business_type, reason, channel, remarks,
    monthly_fee, term_end, cancel_date, investment,
}

/// A list index as written in a path: decimal digits, no sign, no leading zero.
fn parse_index(s: &str) -> Option<usize> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical {
        s.parse().ok()
    } else {
        None
    }
}

impl Form {
    /// Every field path of this form (contract.md §1), product lines included, in the
    /// document's order.
    pub fn paths(&self) -> Vec<String> {
        let mut out: Vec<String> = HEAD_PATHS.iter().map(|p| (*p).to_owned()).collect();
        for i in 0..self.orders.len() {
            out.extend(ORDER_FIELDS.iter().map(|f| format!("orders.{i}.{f}")));
        }
        out.extend(TAIL_PATHS.iter().map(|p| (*p).to_owned()));
        out
    }

    /// The text of the field at `path`, or `None` if the path names no field of this form.
    pub fn value(&self, path: &str) -> Option<&str> {
        match path {
            "contract_no" => Some(&self.contract_no),
            "customer.employees" => Some(self.customer.employees.as_str()),
            _ => {
                let (section, field) = path.split_once('.')?;
                if section == "orders" {
                    let (index, field) = field.split_once('.')?;
                    order_field(self.orders.get(parse_index(index)?)?, field).map(String::as_str)
                } else {
                    section_field(self, section, field).map(String::as_str)
                }
            }
        }
    }

    /// Sets the field at `path`, adding empty product lines up to its index if needed; a line
    /// index of [`MAX_ORDERS`] or more names no field (`orders.999999999.x` allocates nothing).
    pub fn set_value(&mut self, path: &str, value: impl Into<String>) -> Result<(), UnknownPath> {
        let unknown = || UnknownPath(path.to_owned());
        let value = value.into();
        match path {
            "contract_no" => self.contract_no = value,
            "customer.employees" => self.customer.employees = IntegerText(value),
            _ => {
                let (section, field) = path.split_once('.').ok_or_else(unknown)?;
                if section == "orders" {
                    let (index, field) = field.split_once('.').ok_or_else(unknown)?;
                    let index = parse_index(index)
                        .filter(|&i| i < MAX_ORDERS)
                        .ok_or_else(unknown)?;
                    if !ORDER_FIELDS.contains(&field) {
                        return Err(unknown());
                    }
                    if self.orders.len() <= index {
                        self.orders.resize_with(index + 1, Order::default);
                    }
                    *order_field_mut(&mut self.orders[index], field).ok_or_else(unknown)? = value;
                } else {
                    *section_field_mut(self, section, field).ok_or_else(unknown)? = value;
                }
            }
        }
        Ok(())
    }
}
