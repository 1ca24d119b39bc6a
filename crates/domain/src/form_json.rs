//! The form's JSON text (contract.md §1) read and written without serde: the prefill
//! (`#prefill=`) and the draft are read when the page opens, and a generic JSON library with the
//! form's derived readers would be in the browser's first load for these two texts alone
//! (docs/bytes.md, "serde_json out of the first load").
//!
//! The format is fixed and versioned, and this reader gives the same [`Form`], or a refusal, for
//! every text exactly as `serde_json::from_str::<Form>` does (the crate's tests compare the two):
//! - strict JSON (RFC 8259): whitespace is space, tab, CR and LF; no comments, no trailing commas;
//!   a `\u` escape of a surrogate must be the first of a pair;
//! - each section is an object of its fields, or a list of them in the declared order (as
//!   serde's derived reader accepts); a field left out is blank; a field the form does not
//!   have, or one given twice, refuses the text;
//! - every field is text, except `customer.employees` ([`IntegerText`]), which also takes a
//!   number, `true`, `false` or `null`; a number is read as serde_json reads it (an integer as its
//!   digits, anything else through the same `f64` arithmetic, its text as `{:?}` writes it).
//!
//! Any length is read, in one pass, with no recursion beyond the form's three levels (form,
//! product lines, a line's fields). [`write`] gives the bytes of `serde_json::to_string`.

use crate::form::{
    float_debug_text, order_field, order_field_mut, Form, Order, HEAD_PATHS, ORDER_FIELDS,
    TAIL_PATHS,
};

crate::rule_errors! {
    /// Why a text is not a form in the contract's JSON shape.
    pub enum FormJsonError {
        Syntax => "form_json.syntax", "不是有效的JSON文本", "Not valid JSON";
        WrongType => "form_json.wrong_type", "某项的类型不符（应为对象、列表或文本）", "A value has the wrong type (an object, a list or text was expected)";
        UnknownField => "form_json.unknown_field", "含有表单没有的字段", "Names a field the form does not have";
        DuplicateField => "form_json.duplicate_field", "同一字段出现了两次", "The same field is given twice";
        TooManyItems => "form_json.too_many_items", "列表中的项多于表单的字段", "A list has more items than the form has fields";
        NumberOutOfRange => "form_json.number_out_of_range", "数字超出范围", "A number is out of range";
        TrailingText => "form_json.trailing_text", "表单之后还有其他内容", "Something follows the form";
    }
}

use FormJsonError::*;

type Read<T> = Result<T, FormJsonError>;

/// The form's own fields, in the declared order.
const FORM_FIELDS: [&str; 8] = [
    "contract_no",
    "customer",
    "contact",
    "admin",
    "orders",
    "agent",
    "signing",
    "late",
];

/// The one field that is not text.
const EMPLOYEES: &str = "customer.employees";

/// The paths of a section's fields (`customer.group_name`, …), in the declared order.
fn section_paths(section: &str) -> Vec<&'static str> {
    HEAD_PATHS
        .iter()
        .chain(TAIL_PATHS.iter())
        .copied()
        .filter(|p| p.split_once('.').is_some_and(|(s, _)| s == section))
        .collect()
}

/// The name a path's field has in its section's object.
fn field_name(path: &str) -> &str {
    path.split_once('.').map_or(path, |(_, field)| field)
}

/// Reads a form from its JSON text.
pub fn read(text: &str) -> Result<Form, FormJsonError> {
    let mut reader = Reader::new(text);
    let mut form = Form::default();
    reader.fields(&FORM_FIELDS, &mut |r, i| match FORM_FIELDS[i] {
        "contract_no" => {
            form.contract_no = r.text()?;
            Ok(())
        }
        "orders" => {
            form.orders = r.orders()?;
            Ok(())
        }
        section => r.section(&mut form, section),
    })?;
    match reader.peek_past_space() {
        None => Ok(form),
        Some(_) => Err(TrailingText),
    }
}

/// JSON's lexical reader: whitespace, literals, strings and numbers as serde_json reads them.
/// Also [`crate::json`]'s, which reads any value with it.
pub(crate) struct Reader<'t> {
    text: &'t str,
    /// The byte offset of the next byte to read.
    pub(crate) at: usize,
}

/// A JSON number as serde_json holds it: a non-negative integer, a negative one, or a float.
pub(crate) enum Number {
    Unsigned(u64),
    Negative(i64),
    Float(f64),
}

impl<'t> Reader<'t> {
    pub(crate) fn new(text: &'t str) -> Reader<'t> {
        Reader { text, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        self.at += 1;
        b
    }

    pub(crate) fn peek_past_space(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
        self.peek()
    }

    /// A struct's fields: an object of them by name, or a list of them in order. `field(r, i)`
    /// reads the value of `names[i]`.
    fn fields(
        &mut self,
        names: &[&str],
        field: &mut dyn FnMut(&mut Self, usize) -> Read<()>,
    ) -> Read<()> {
        let (by_name, close) = match self.peek_past_space() {
            Some(b'{') => (true, b'}'),
            Some(b'[') => (false, b']'),
            _ => return Err(WrongType),
        };
        self.at += 1;
        if self.peek_past_space() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        let mut seen = 0u32;
        let mut next_index = 0;
        loop {
            let i = if by_name {
                if self.peek_past_space() != Some(b'"') {
                    return Err(Syntax);
                }
                let key = self.string()?;
                let i = names
                    .iter()
                    .position(|n| field_name(n) == key)
                    .ok_or(UnknownField)?;
                if seen & (1 << i) != 0 {
                    return Err(DuplicateField);
                }
                seen |= 1 << i;
                if self.peek_past_space() != Some(b':') {
                    return Err(Syntax);
                }
                self.at += 1;
                i
            } else {
                if next_index == names.len() {
                    return Err(TooManyItems);
                }
                next_index += 1;
                next_index - 1
            };
            field(self, i)?;
            if !self.more(close)? {
                return Ok(());
            }
        }
    }

    /// After an item of a list or an object: `true` past a `,` (another item follows), `false`
    /// past `close` (the end).
    pub(crate) fn more(&mut self, close: u8) -> Read<bool> {
        match self.peek_past_space() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(Syntax),
        }
    }

    /// One of the form's sections (`customer`, …) into `form`.
    fn section(&mut self, form: &mut Form, section: &str) -> Read<()> {
        let paths = section_paths(section);
        self.fields(&paths, &mut |r, i| {
            let value = if paths[i] == EMPLOYEES {
                r.integer_text()?
            } else {
                r.text()?
            };
            form.set_value(paths[i], value).map_err(|_| UnknownField)
        })
    }

    /// The product lines: a list of them, of any length (the form's rules bound it).
    fn orders(&mut self) -> Read<Vec<Order>> {
        if self.peek_past_space() != Some(b'[') {
            return Err(WrongType);
        }
        self.at += 1;
        let mut orders = Vec::new();
        if self.peek_past_space() == Some(b']') {
            self.at += 1;
            return Ok(orders);
        }
        loop {
            let mut order = Order::default();
            self.fields(ORDER_FIELDS, &mut |r, i| {
                let value = r.text()?;
                if let Some(slot) = order_field_mut(&mut order, ORDER_FIELDS[i]) {
                    *slot = value;
                }
                Ok(())
            })?;
            orders.push(order);
            if !self.more(b']')? {
                return Ok(orders);
            }
        }
    }

    /// A text field's value: a JSON string.
    fn text(&mut self) -> Read<String> {
        match self.peek_past_space() {
            Some(b'"') => self.string(),
            // A value of another type, or none: serde_json refuses it before reading it.
            Some(_) => Err(WrongType),
            None => Err(Syntax),
        }
    }

    /// `customer.employees`: a string, a number, `true`, `false` or `null` (blank).
    fn integer_text(&mut self) -> Read<String> {
        match self.peek_past_space() {
            Some(b'"') => self.string(),
            Some(b'n') => self.word("null").map(|()| String::new()),
            Some(b't') => self.word("true").map(|()| "true".to_owned()),
            Some(b'f') => self.word("false").map(|()| "false".to_owned()),
            Some(b'-') => {
                self.at += 1;
                self.number(false)
            }
            Some(b'0'..=b'9') => self.number(true),
            Some(b'{' | b'[') => Err(WrongType),
            _ => Err(Syntax),
        }
    }

    pub(crate) fn word(&mut self, word: &str) -> Read<()> {
        let end = self.at + word.len();
        if self.text.as_bytes().get(self.at..end) == Some(word.as_bytes()) {
            self.at = end;
            Ok(())
        } else {
            Err(Syntax)
        }
    }

    /// A JSON string's text, escapes resolved; the reader is at its opening quote.
    pub(crate) fn string(&mut self) -> Read<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The run ends before an ASCII byte (or at the end), so on a char boundary.
            out.push_str(&self.text[start..self.at]);
            match self.next() {
                Some(b'"') => return Ok(out),
                Some(b'\\') => out.push(self.escape()?),
                // A control character, or the end of the text.
                _ => return Err(Syntax),
            }
        }
    }

    /// The character of an escape; the reader is past its backslash.
    fn escape(&mut self) -> Read<char> {
        Ok(match self.next() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if self.next() != Some(b'\\') || self.next() != Some(b'u') {
                            return Err(Syntax);
                        }
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(Syntax);
                        }
                        0x1_0000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(Syntax),
                    _ => first,
                };
                char::from_u32(code).ok_or(Syntax)?
            }
            _ => return Err(Syntax),
        })
    }

    fn hex4(&mut self) -> Read<u32> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = self.next().and_then(|b| char::from(b).to_digit(16));
            n = n * 16 + digit.ok_or(Syntax)?;
        }
        Ok(n)
    }

    // ------------------------------------------------------------------------------------
    // Numbers, as serde_json (without its `float_roundtrip` and `arbitrary_precision`
    // features) reads them: the digits into a `u64` while they fit, then an `f64` made with
    // one multiplication or division by a power of ten. Past the minus sign, if any.

    fn number(&mut self, positive: bool) -> Read<String> {
        Ok(match self.number_value(positive)? {
            Number::Unsigned(n) => n.to_string(),
            Number::Negative(n) => n.to_string(),
            Number::Float(f) => float_debug_text(f),
        })
    }

    pub(crate) fn number_value(&mut self, positive: bool) -> Read<Number> {
        let mut significand = match self.next() {
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(Syntax);
                }
                0
            }
            Some(c @ b'1'..=b'9') => u64::from(c - b'0'),
            _ => return Err(Syntax),
        };
        while let Some(c @ b'0'..=b'9') = self.peek() {
            let digit = u64::from(c - b'0');
            if overflows_u64(significand, digit) {
                return self.long_integer(positive, significand).map(Number::Float);
            }
            self.at += 1;
            significand = significand * 10 + digit;
        }
        match self.peek() {
            Some(b'.') => self.decimal(positive, significand, 0).map(Number::Float),
            Some(b'e' | b'E') => self.exponent(positive, significand, 0).map(Number::Float),
            _ if positive => Ok(Number::Unsigned(significand)),
            _ => {
                let negated = (significand as i64).wrapping_neg();
                // `-0` and integers below `i64::MIN` are floats.
                Ok(if negated >= 0 {
                    Number::Float(-(significand as f64))
                } else {
                    Number::Negative(negated)
                })
            }
        }
    }

    /// Digits past those a `u64` holds count as powers of ten.
    fn long_integer(&mut self, positive: bool, significand: u64) -> Read<f64> {
        let mut exponent = 0;
        loop {
            match self.peek() {
                Some(b'0'..=b'9') => {
                    self.at += 1;
                    exponent += 1;
                }
                Some(b'.') => return self.decimal(positive, significand, exponent),
                Some(b'e' | b'E') => return self.exponent(positive, significand, exponent),
                _ => return from_parts(positive, significand, exponent),
            }
        }
    }

    /// The reader is at the decimal point.
    fn decimal(&mut self, positive: bool, mut significand: u64, before_point: i32) -> Read<f64> {
        self.at += 1;
        let mut after_point = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            let digit = u64::from(c - b'0');
            if overflows_u64(significand, digit) {
                // Further digits are dropped.
                while let Some(b'0'..=b'9') = self.peek() {
                    self.at += 1;
                }
                let exponent = before_point + after_point;
                return match self.peek() {
                    Some(b'e' | b'E') => self.exponent(positive, significand, exponent),
                    _ => from_parts(positive, significand, exponent),
                };
            }
            self.at += 1;
            significand = significand * 10 + digit;
            after_point -= 1;
        }
        if after_point == 0 {
            return Err(Syntax);
        }
        let exponent = before_point + after_point;
        match self.peek() {
            Some(b'e' | b'E') => self.exponent(positive, significand, exponent),
            _ => from_parts(positive, significand, exponent),
        }
    }

    /// The reader is at the `e`.
    fn exponent(&mut self, positive: bool, significand: u64, starting: i32) -> Read<f64> {
        self.at += 1;
        let positive_exponent = match self.peek() {
            Some(b'+') => {
                self.at += 1;
                true
            }
            Some(b'-') => {
                self.at += 1;
                false
            }
            _ => true,
        };
        let mut exponent = match self.next() {
            Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
            _ => return Err(Syntax),
        };
        while let Some(c @ b'0'..=b'9') = self.peek() {
            self.at += 1;
            let digit = i32::from(c - b'0');
            if exponent >= i32::MAX / 10 && (exponent > i32::MAX / 10 || digit > i32::MAX % 10) {
                // Beyond any `f64`: zero, or too large.
                if significand != 0 && positive_exponent {
                    return Err(NumberOutOfRange);
                }
                while let Some(b'0'..=b'9') = self.peek() {
                    self.at += 1;
                }
                return Ok(if positive { 0.0 } else { -0.0 });
            }
            exponent = exponent * 10 + digit;
        }
        let exponent = if positive_exponent {
            starting.saturating_add(exponent)
        } else {
            starting.saturating_sub(exponent)
        };
        from_parts(positive, significand, exponent)
    }
}

/// Whether `n * 10 + digit` overflows a `u64`.
fn overflows_u64(n: u64, digit: u64) -> bool {
    n >= u64::MAX / 10 && (n > u64::MAX / 10 || digit > u64::MAX % 10)
}

/// `significand × 10^exponent`, rounded as serde_json rounds it; too large a value is refused.
fn from_parts(positive: bool, significand: u64, mut exponent: i32) -> Read<f64> {
    let mut f = significand as f64;
    loop {
        match (exponent.unsigned_abs() <= 308).then(|| pow10(exponent.unsigned_abs())) {
            Some(pow) => {
                if exponent >= 0 {
                    f *= pow;
                    if f.is_infinite() {
                        return Err(NumberOutOfRange);
                    }
                } else {
                    f /= pow;
                }
                break;
            }
            None => {
                if f == 0.0 {
                    break;
                }
                if exponent >= 0 {
                    return Err(NumberOutOfRange);
                }
                f /= 1e308;
                exponent += 308;
            }
        }
    }
    Ok(if positive { f } else { -f })
}

/// 10^`k` for `k` ≤ 308, the `f64` nearest to it: the value serde_json keeps in a table of 309,
/// worked out here instead (2.4 KB of the browser's first load for a float in an integer
/// field, rare). 10^k = 5^k × 2^k: 5^k held exactly in 32-bit limbs, rounded to 53 bits half
/// to even, then scaled by 2^k, which is exact.
fn pow10(k: u32) -> f64 {
    debug_assert!(k <= 308);
    // 5^308 < 2^716: 23 limbs, least significant first.
    let mut limbs = [0u32; 23];
    limbs[0] = 1;
    let mut used = 1;
    for _ in 0..k {
        let mut carry = 0u64;
        for limb in &mut limbs[..used] {
            let product = u64::from(*limb) * 5 + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry != 0 {
            limbs[used] = carry as u32;
            used += 1;
        }
    }
    let top = limbs[used - 1];
    let bits = (used as u32 - 1) * 32 + (32 - top.leading_zeros());
    // The 64 most significant bits, and whether any bit below them is set.
    let bit = |i: u32| limbs[(i / 32) as usize] >> (i % 32) & 1 == 1;
    let take = bits.min(64);
    let mut high = 0u64;
    for i in (bits - take..bits).rev() {
        high = high << 1 | u64::from(bit(i));
    }
    let mut sticky = (0..bits - take).any(bit);
    high <<= 64 - take;
    // Round the 64 bits to 53, half to even.
    let mut mantissa = high >> 11;
    let rest = high & 0x7ff;
    sticky |= rest & 0x3ff != 0;
    if rest & 0x400 != 0 && (sticky || mantissa & 1 == 1) {
        mantissa += 1;
    }
    // mantissa × 2^(bits − 53) × 2^k; every factor exact, their product too.
    let scale = bits as i32 - 53 + k as i32;
    mantissa as f64 * f64::from_bits(((1023 + scale) as u64) << 52)
}

// ----------------------------------------------------------------------------------------
// Writing

/// The form's JSON text, compact, fields in the declared order (the bytes of
/// `serde_json::to_string`): the draft, and the basis a draft is kept under.
pub fn write(form: &Form) -> String {
    let mut out = String::with_capacity(1024);
    out.push('{');
    for (n, name) in FORM_FIELDS.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_string(&mut out, name);
        out.push(':');
        match *name {
            "contract_no" => push_string(&mut out, &form.contract_no),
            "orders" => {
                out.push('[');
                for (i, order) in form.orders.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_object(&mut out, ORDER_FIELDS, |field| {
                        Value::Text(order_field(order, field).map_or("", String::as_str))
                    });
                }
                out.push(']');
            }
            section => push_object(&mut out, &section_paths(section), |path| {
                match (path, form.customer.employees.value()) {
                    // An integer as a JSON number, anything else as the text it is.
                    (EMPLOYEES, Some(n)) => Value::Integer(n),
                    _ => Value::Text(form.value(path).unwrap_or_default()),
                }
            }),
        }
    }
    out.push('}');
    out
}

enum Value<'f> {
    Text(&'f str),
    Integer(i64),
}

/// `{"field":value,…}` of `paths`, each value given by `value(path)`.
fn push_object<'f>(out: &mut String, paths: &[&str], value: impl Fn(&str) -> Value<'f>) {
    out.push('{');
    for (n, path) in paths.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_string(out, field_name(path));
        out.push(':');
        match value(path) {
            Value::Text(text) => push_string(out, text),
            Value::Integer(n) => out.push_str(&n.to_string()),
        }
    }
    out.push('}');
}

/// A JSON string: `"` and `\` escaped, control characters as serde_json writes them (also the
/// app's writer of its stored records).
pub fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 0xF]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
