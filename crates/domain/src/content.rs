//! The agreement's text as data: the parser for `crates/domain/content/`, the embedded
//! agreement, the product-line templates of part A, and the content hashes that go into the
//! signed payload.
//!
//! # The format, in short
//!
//! The full specification is `crates/domain/content/README.md`; [`parse`] implements its
//! section 1. A file (`<part>.<lang>.txt`, UTF-8, LF, final LF, no BOM) is a sequence of blocks:
//!
//! ```text
//! # comments, only before the first header
//!
//! @s2.1.i4.b item~
//! B.第三方商家。我们必需将您的订单信息⏎
//! 与交易有关的…
//! ```
//!
//! - A header `@<id> <kind><modifiers>`: `id` is dotted ASCII (`[A-Za-z0-9_]` segments), `kind`
//!   one of `title heading para item field note` ([`Kind`]), modifiers `+` (continues the
//!   previous block's seed line after a space), `~` (continues it with no separator), `|`
//!   (a `field` that starts a table row) and `|+` (the next cell of that row). See [`Join`] and
//!   [`TableRow`].
//! - One or more text lines, no leading or trailing space or tab, never starting with `@` or
//!   `#`. Several lines record the seed's line breaks; a line ending in `⏎`
//!   ([`PARAGRAPH_BREAK`]) records a paragraph break. Neither is shown: the display text
//!   ([`Block::text`]) is the lines concatenated with no separator, markers removed.
//! - `{path}` placeholders name form values ([`is_contract_path`]); `{` and `}` occur nowhere
//!   else.
//! - Blocks are separated by blank lines; every file starts with a `notice` block (the
//!   translation notice), which is shown but is not seed text.
//! - Part A's blocks `order.line.*` and `order.cloud.*` are templates, expanded once per
//!   product line by [`expand_orders`] / [`Part::expand`] into ids `<id>#<n>` and paths
//!   `orders.<n>.…`.
//!
//! Malformed input never panics: [`parse`] returns a [`ParseError`] with the 1-based line
//! number and a [`ParseErrorKind`].
//!
//! # Canonical text and content hash
//!
//! A signature must name exactly the text that was shown, so each part in each language has a
//! content hash ([`content_hash`]): the SHA-256, as 64 lowercase hex digits, of the part's
//! canonical text ([`canonical_text`]). The canonical text is UTF-8 (no BOM), one line per
//! block in file order, `notice` included (it is shown), each line
//!
//! ```text
//! <id> TAB <kind><modifiers> TAB <display text, escaped> LF
//! ```
//!
//! where the display text is [`Block::text`] with the placeholders left as `{path}`, and the
//! escaping turns `\` into `\\`, TAB into `\t`, LF into `\n` and CR into `\r` (the files
//! contain none of these, so in practice the text is verbatim). Comments, blank lines and the
//! source line breaks inside a block do not count, because none of them is shown; the header
//! modifiers do count, because they are part of the header line that the zh and en files share.
//! The hash names the template text; the values filled into the placeholders travel beside it
//! in the signed payload, together with [`AGREEMENT_ID`], [`AGREEMENT_VERSION`], the part's
//! [`PartId::hook`] and the language's [`Lang::tag`]. `docs/content-hashes.md` gives the same
//! definition with a worked example and the published hashes of every version.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clauses::ProductKind;
use crate::error::Locale;

/// The id of the embedded content instance (`content/<instance>/`).
pub const AGREEMENT_ID: &str = "cmgd-cancellation";
/// The version of the embedded content instance (`content/<instance>/<version>/`): the text the
/// app renders and new consents are signed on.
pub const AGREEMENT_VERSION: &str = "v2";
/// Every version whose signed consents this build accepts, oldest first; the last is
/// [`AGREEMENT_VERSION`]. Only the current version's text is embedded; an earlier version is
/// known by its content hashes ([`EARLIER_VERSIONS`]), which is all a verifier needs. How a
/// version is retired: `crates/domain/content/README.md` §5.
pub const ACCEPTED_VERSIONS: [&str; 2] = ["v1", AGREEMENT_VERSION];
/// U+23CE RETURN SYMBOL: at the end of a text line, the seed has a paragraph break there.
pub const PARAGRAPH_BREAK: char = '\u{23CE}';
/// The id of the translation-notice block that opens every file.
pub const NOTICE_ID: &str = "notice";

// ------------------------------------------------------------------------------------------
// Languages and parts

/// A language of the agreement text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lang {
    /// Chinese, the legally binding original.
    #[serde(rename = "zh-CN")]
    Zh,
    /// English, a translation for reference only.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// BCP-47 tag: `"zh-CN"` or `"en"`.
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The `<lang>` of the file name: `"zh"` or `"en"`.
    pub const fn file_suffix(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// From a BCP-47 tag as produced by [`Lang::tag`].
    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.tag() == tag)
    }
}

impl From<Lang> for Locale {
    fn from(lang: Lang) -> Locale {
        match lang {
            Lang::Zh => Locale::ZhCn,
            Lang::En => Locale::En,
        }
    }
}

impl From<Locale> for Lang {
    fn from(locale: Locale) -> Lang {
        match locale {
            Locale::ZhCn => Lang::Zh,
            Locale::En => Lang::En,
        }
    }
}

/// The four parts of the agreement (domain-spec §1), in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartId {
    /// Part A, 中国移动广东公司产品协议.
    Order,
    /// Part B, 中国移动广东公司隐私和信息保护政策.
    Privacy,
    /// Part C, 中国移动广东公司互联网专线业务服务协议.
    Service,
    /// Part D, 单位授权委托书.
    Authorization,
}

impl PartId {
    pub const ALL: [PartId; 4] = [
        PartId::Order,
        PartId::Privacy,
        PartId::Service,
        PartId::Authorization,
    ];

    /// The `data-part` value (and the `<part>` of the file name).
    pub const fn hook(self) -> &'static str {
        match self {
            PartId::Order => "order",
            PartId::Privacy => "privacy",
            PartId::Service => "service",
            PartId::Authorization => "authorization",
        }
    }

    /// From a `data-part` value.
    pub fn from_hook(hook: &str) -> Option<PartId> {
        PartId::ALL.into_iter().find(|p| p.hook() == hook)
    }

    /// The part's letter in the specifications: `'A'` … `'D'`.
    pub const fn letter(self) -> char {
        match self {
            PartId::Order => 'A',
            PartId::Privacy => 'B',
            PartId::Service => 'C',
            PartId::Authorization => 'D',
        }
    }

    /// Position in [`PartId::ALL`] and [`Agreement::parts`].
    pub const fn index(self) -> usize {
        match self {
            PartId::Order => 0,
            PartId::Privacy => 1,
            PartId::Service => 2,
            PartId::Authorization => 3,
        }
    }

    /// The part's title, as in its `title` block.
    pub const fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (PartId::Order, Lang::Zh) => "中国移动广东公司产品协议",
            (PartId::Order, Lang::En) => "China Mobile Guangdong Product Agreement",
            (PartId::Privacy, Lang::Zh) => "中国移动广东公司隐私和信息保护政策",
            (PartId::Privacy, Lang::En) => {
                "China Mobile Guangdong Privacy and Information Protection Policy"
            }
            (PartId::Service, Lang::Zh) => "中国移动广东公司互联网专线业务服务协议",
            (PartId::Service, Lang::En) => {
                "China Mobile Guangdong Internet Leased Line Service Agreement"
            }
            (PartId::Authorization, Lang::Zh) => "单位授权委托书",
            (PartId::Authorization, Lang::En) => "Letter of Authorisation",
        }
    }
}

// ------------------------------------------------------------------------------------------
// Blocks

/// What a block is (README 1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Title,
    Heading,
    Para,
    Item,
    Field,
    Note,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Title,
        Kind::Heading,
        Kind::Para,
        Kind::Item,
        Kind::Field,
        Kind::Note,
    ];

    /// The kind's name in a header line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Title => "title",
            Kind::Heading => "heading",
            Kind::Para => "para",
            Kind::Item => "item",
            Kind::Field => "field",
            Kind::Note => "note",
        }
    }

    /// From the name in a header line.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// How a block was attached to the previous (non-`notice`) block in the seed (README 1.3).
/// It describes the seed's layout only: every block is displayed as its own unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Join {
    /// No modifier: a new paragraph. Also the value of every table cell (see [`TableRow`]).
    NewParagraph,
    /// `+`: on the previous block's line, after one space.
    Space,
    /// `~`: on the previous block's line, with no separator.
    NoSeparator,
}

/// A `field`'s place in a table of part A (README 1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableRow {
    /// Not a table cell.
    None,
    /// `field|`: the first cell of a table row.
    Start,
    /// `field|+`: the next cell of the row.
    Continue,
}

/// One block of a content file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    /// The block id (`s2.1.i4.b`; after template expansion `order.line.heading#0`).
    pub id: String,
    pub kind: Kind,
    pub joins: Join,
    pub table_row: TableRow,
    /// The text lines as in the file, a trailing [`PARAGRAPH_BREAK`] included.
    pub lines: Vec<String>,
}

impl Block {
    /// True for the translation-notice block (not seed text; modifiers never refer to it).
    pub fn is_notice(&self) -> bool {
        self.id == NOTICE_ID
    }

    /// The modifiers after the kind: `""`, `"+"`, `"~"`, `"|"` or `"|+"`.
    pub fn modifiers(&self) -> &'static str {
        match (self.table_row, self.joins) {
            (TableRow::Start, _) => "|",
            (TableRow::Continue, _) => "|+",
            (TableRow::None, Join::NewParagraph) => "",
            (TableRow::None, Join::Space) => "+",
            (TableRow::None, Join::NoSeparator) => "~",
        }
    }

    /// The kind with its modifiers, as in the header line: `"field|+"`, `"item~"`, `"para"`.
    pub fn kind_with_modifiers(&self) -> String {
        format!("{}{}", self.kind.as_str(), self.modifiers())
    }

    /// The header line: `"@<id> <kind><modifiers>"`.
    pub fn header(&self) -> String {
        format!("@{} {}", self.id, self.kind_with_modifiers())
    }

    /// The display text (README 1.9): the lines concatenated with no separator, each trailing
    /// [`PARAGRAPH_BREAK`] removed, placeholders left as `{path}`.
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.strip_suffix(PARAGRAPH_BREAK).unwrap_or(l))
            .collect()
    }

    /// The display text with the placeholders filled by `value` (README 1.5): `value(path)`
    /// gives the value as it is to be shown (dates and enumerations already in the display
    /// language); `None` (not yet known) is shown as an empty blank.
    pub fn filled_text(&self, value: impl FnMut(&str) -> Option<String>) -> String {
        fill(&self.text(), value)
    }

    /// The seed text of README §3 step 3 (before filling): the lines joined with `"\n\n"` after
    /// a line ending in [`PARAGRAPH_BREAK`] (marker removed) and `"\n"` after any other line.
    pub fn seed_text(&self) -> String {
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                let prev = &self.lines[i - 1];
                out.push_str(if prev.ends_with(PARAGRAPH_BREAK) {
                    "\n\n"
                } else {
                    "\n"
                });
            }
            out.push_str(line.strip_suffix(PARAGRAPH_BREAK).unwrap_or(line));
        }
        out
    }

    /// The placeholder paths, in order of appearance (with repetitions).
    pub fn placeholders(&self) -> Vec<&str> {
        self.lines
            .iter()
            .flat_map(|l| placeholders(l).into_iter())
            .collect()
    }

    /// A field's label and value (README 1.6): the display text split at the first `：`
    /// (zh) or `: ` (en). `None` if the block is not a `field` or has no separator.
    pub fn label_value(&self, lang: Lang) -> Option<(String, String)> {
        if self.kind != Kind::Field {
            return None;
        }
        let text = self.text();
        let sep = match lang {
            Lang::Zh => "：",
            Lang::En => ": ",
        };
        let (label, value) = text.split_once(sep)?;
        Some((label.to_string(), value.to_string()))
    }
}

/// The placeholder paths in `text`, in order of appearance. An unmatched `{` ends the scan.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// Replaces each `{path}` in `template` by `value(path)`, or by nothing when that is `None`.
/// Text after an unmatched `{` is kept as it is.
pub fn fill(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push_str(&rest[..open]);
        if let Some(v) = value(&after[..close]) {
            out.push_str(&v);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------------------------------------
// Contract paths

/// The field names under `customer.`.
pub const CUSTOMER_FIELDS: [&str; 9] = [
    "group_name",
    "group_code",
    "org_type",
    "office_address",
    "cert_type",
    "cert_number",
    "industry",
    "employees",
    "phone",
];
/// The field names under `contact.`.
pub const CONTACT_FIELDS: [&str; 5] = ["name", "mobile", "email", "id_type", "id_number"];
/// The field names under `admin.`.
pub const ADMIN_FIELDS: [&str; 3] = ["name", "mobile", "email"];
/// The field names under `orders.N.`.
pub const ORDER_FIELDS: [&str; 7] = [
    "sub_order_no",
    "product_name",
    "product_number",
    "business_type",
    "reason",
    "channel",
    "remarks",
];
/// The field names under `agent.`.
pub const AGENT_FIELDS: [&str; 7] = [
    "name",
    "id_type",
    "id_number",
    "mobile",
    "matter",
    "valid_from",
    "valid_to",
];
/// The field names under `signing.`.
pub const SIGNING_FIELDS: [&str; 2] = ["representative", "date"];
/// Party B's system signature (README 1.5): not a form field, issued by the carrier system.
pub const PARTY_B_SIGNATURE: &str = "party_b.signature";

/// True if `path` is a placeholder path of the contract (README 1.5): `contract_no`,
/// `customer.*`, `contact.*`, `admin.*`, `orders.N.*` (with `N` literally, as in the
/// templates, or a decimal index without leading zeros, as after expansion), `agent.*`,
/// `signing.*` or `party_b.signature`.
pub fn is_contract_path(path: &str) -> bool {
    if path == "contract_no" || path == PARTY_B_SIGNATURE {
        return true;
    }
    let Some((head, rest)) = path.split_once('.') else {
        return false;
    };
    let fields: &[&str] = match head {
        "customer" => &CUSTOMER_FIELDS,
        "contact" => &CONTACT_FIELDS,
        "admin" => &ADMIN_FIELDS,
        "agent" => &AGENT_FIELDS,
        "signing" => &SIGNING_FIELDS,
        "orders" => {
            let Some((index, field)) = rest.split_once('.') else {
                return false;
            };
            let index_ok = index == "N"
                || (!index.is_empty()
                    && index.bytes().all(|b| b.is_ascii_digit())
                    && (index == "0" || !index.starts_with('0')));
            return index_ok && ORDER_FIELDS.contains(&field);
        }
        _ => return false,
    };
    fields.contains(&rest)
}

// ------------------------------------------------------------------------------------------
// Parser

/// Why a content file was refused, at [`ParseError::line`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The file starts with a byte-order mark.
    ByteOrderMark,
    /// A carriage return (CR) in a line.
    CarriageReturn,
    /// The last line has no LF after it.
    MissingFinalNewline,
    /// The file has no block.
    NoBlocks,
    /// A `#` line after the first header.
    CommentAfterHeader,
    /// A text line that belongs to no block: before the first header, or after a blank line
    /// that ended a block.
    MissingHeader,
    /// A header line that is not `@<id> <kind><modifiers>`.
    MalformedHeader,
    /// The header's id is not dotted `[A-Za-z0-9_]+` segments.
    BadId(String),
    /// The header's kind is not one of `title heading para item field note`.
    UnknownKind(String),
    /// The characters after the kind are not one of ``, `+`, `~`, `|`, `|+`.
    BadModifiers(String),
    /// `|` on a block that is not a `field`.
    TableOnNonField,
    /// `+` or `~` on the first block (after `notice`): there is nothing to continue.
    JoinWithoutPrevious,
    /// `|+` on a block whose previous block is not a table cell.
    TableCellWithoutRow,
    /// A header with no text line under it (reported at the header's line).
    EmptyBlock,
    /// The id was already used at `first_line`.
    DuplicateId { id: String, first_line: usize },
    /// A text line starts or ends with a space or a tab.
    SurroundingWhitespace,
    /// `⏎` elsewhere than at the end of a line that is not the block's last line.
    MisplacedBreak,
    /// A `{` or `}` that is not part of a well-formed `{path}` placeholder.
    BadPlaceholder,
}

/// A refused content file: what is wrong and on which line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub kind: ParseErrorKind,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::ByteOrderMark => {
                f.write_str("byte-order mark at the start of the file")
            }
            ParseErrorKind::CarriageReturn => f.write_str("carriage return (CR) in the line"),
            ParseErrorKind::MissingFinalNewline => f.write_str("no LF after the last line"),
            ParseErrorKind::NoBlocks => f.write_str("the file has no block"),
            ParseErrorKind::CommentAfterHeader => {
                f.write_str("comment line after the first header")
            }
            ParseErrorKind::MissingHeader => {
                f.write_str("text line outside a block (no header above it)")
            }
            ParseErrorKind::MalformedHeader => {
                f.write_str("header is not `@<id> <kind><modifiers>`")
            }
            ParseErrorKind::BadId(id) => write!(f, "bad block id `{id}`"),
            ParseErrorKind::UnknownKind(kind) => write!(f, "unknown block kind `{kind}`"),
            ParseErrorKind::BadModifiers(m) => write!(f, "bad modifiers `{m}` after the kind"),
            ParseErrorKind::TableOnNonField => f.write_str("`|` on a block that is not a field"),
            ParseErrorKind::JoinWithoutPrevious => {
                f.write_str("`+` or `~` on the first block: nothing to continue")
            }
            ParseErrorKind::TableCellWithoutRow => f.write_str("`|+` does not follow a table cell"),
            ParseErrorKind::EmptyBlock => f.write_str("block without text"),
            ParseErrorKind::DuplicateId { id, first_line } => {
                write!(
                    f,
                    "duplicate block id `{id}` (first used on line {first_line})"
                )
            }
            ParseErrorKind::SurroundingWhitespace => {
                f.write_str("text line starts or ends with white space")
            }
            ParseErrorKind::MisplacedBreak => {
                f.write_str("`⏎` must end a line that is not the block's last line")
            }
            ParseErrorKind::BadPlaceholder => f.write_str("malformed `{path}` placeholder"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl std::error::Error for ParseError {}

fn err<T>(line: usize, kind: ParseErrorKind) -> Result<T, ParseError> {
    Err(ParseError { line, kind })
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('.').all(|seg| {
            !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// A placeholder path by the README's expression
/// `[a-z_]+(?:\.(?:[a-z_]+|N|[0-9]+))*`.
fn is_placeholder_path(path: &str) -> bool {
    let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    let mut segs = path.split('.');
    let first_ok = segs.next().is_some_and(lower);
    first_ok
        && segs.all(|s| {
            lower(s) || s == "N" || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Checks that every `{` and `}` of a text line belongs to a well-formed placeholder.
fn placeholders_well_formed(line: &str) -> bool {
    let mut rest = line;
    loop {
        let open = rest.find('{');
        let close = rest.find('}');
        match (open, close) {
            (None, None) => return true,
            (Some(o), Some(c)) if o < c => {
                let inner = &rest[o + 1..c];
                if !is_placeholder_path(inner) {
                    return false;
                }
                rest = &rest[c + 1..];
            }
            _ => return false,
        }
    }
}

struct Open {
    block: Block,
    header_line: usize,
    last_text_line: usize,
}

fn parse_header(line: &str, n: usize) -> Result<(String, Kind, &str), ParseError> {
    let rest = line.strip_prefix('@').unwrap_or(line);
    let Some((id, kind_mods)) = rest.split_once(' ') else {
        return err(n, ParseErrorKind::MalformedHeader);
    };
    if !is_id(id) {
        return err(n, ParseErrorKind::BadId(id.to_string()));
    }
    let split = kind_mods
        .find(|c: char| !c.is_ascii_lowercase())
        .unwrap_or(kind_mods.len());
    let (name, mods) = kind_mods.split_at(split);
    if name.is_empty() {
        return err(n, ParseErrorKind::MalformedHeader);
    }
    let Some(kind) = Kind::from_name(name) else {
        return err(n, ParseErrorKind::UnknownKind(name.to_string()));
    };
    Ok((id.to_string(), kind, mods))
}

/// Parses one content file (README section 1) into its blocks, in file order.
///
/// Checks the encoding rules (no BOM, no CR, final LF), the line classes, the header grammar,
/// the modifiers (`|` only on fields, `+`/`~` and `|+` only after a block they can continue),
/// unique ids, non-empty blocks, text lines without surrounding white space, the place of `⏎`
/// and the placeholder syntax. Content rules that relate files (zh/en pairs, contract paths)
/// are not the parser's: see [`is_contract_path`] and the crate's tests.
pub fn parse(src: &str) -> Result<Vec<Block>, ParseError> {
    if src.starts_with('\u{FEFF}') {
        return err(1, ParseErrorKind::ByteOrderMark);
    }
    let mut blocks: Vec<Block> = Vec::new();
    let mut first_lines: Vec<(String, usize)> = Vec::new();
    let mut open: Option<Open> = None;
    let mut seen_header = false;
    let mut line_count = 0;

    fn close(open: Option<Open>, blocks: &mut Vec<Block>) -> Result<(), ParseError> {
        if let Some(o) = open {
            match o.block.lines.last() {
                None => return err(o.header_line, ParseErrorKind::EmptyBlock),
                Some(last) if last.ends_with(PARAGRAPH_BREAK) => {
                    return err(o.last_text_line, ParseErrorKind::MisplacedBreak)
                }
                Some(_) => blocks.push(o.block),
            }
        }
        Ok(())
    }

    for (i, line) in src.split_terminator('\n').enumerate() {
        let n = i + 1;
        line_count = n;
        if line.contains('\r') {
            return err(n, ParseErrorKind::CarriageReturn);
        }
        if line.is_empty() {
            close(open.take(), &mut blocks)?;
        } else if line.starts_with('#') {
            if seen_header {
                return err(n, ParseErrorKind::CommentAfterHeader);
            }
        } else if line.starts_with('@') {
            close(open.take(), &mut blocks)?;
            seen_header = true;
            let (id, kind, mods) = parse_header(line, n)?;
            let (joins, table_row) = match mods {
                "" => (Join::NewParagraph, TableRow::None),
                "+" => (Join::Space, TableRow::None),
                "~" => (Join::NoSeparator, TableRow::None),
                "|" => (Join::NewParagraph, TableRow::Start),
                "|+" => (Join::NewParagraph, TableRow::Continue),
                other => return err(n, ParseErrorKind::BadModifiers(other.to_string())),
            };
            if table_row != TableRow::None && kind != Kind::Field {
                return err(n, ParseErrorKind::TableOnNonField);
            }
            let previous = blocks.iter().rev().find(|b| !b.is_notice());
            if joins != Join::NewParagraph && previous.is_none() {
                return err(n, ParseErrorKind::JoinWithoutPrevious);
            }
            if table_row == TableRow::Continue
                && previous.is_none_or(|p| p.table_row == TableRow::None)
            {
                return err(n, ParseErrorKind::TableCellWithoutRow);
            }
            if let Some((_, first_line)) = first_lines.iter().find(|(seen, _)| *seen == id) {
                return err(
                    n,
                    ParseErrorKind::DuplicateId {
                        id,
                        first_line: *first_line,
                    },
                );
            }
            first_lines.push((id.clone(), n));
            open = Some(Open {
                block: Block {
                    id,
                    kind,
                    joins,
                    table_row,
                    lines: Vec::new(),
                },
                header_line: n,
                last_text_line: n,
            });
        } else {
            let Some(o) = open.as_mut() else {
                return err(n, ParseErrorKind::MissingHeader);
            };
            if line.starts_with([' ', '\t']) || line.ends_with([' ', '\t']) {
                return err(n, ParseErrorKind::SurroundingWhitespace);
            }
            let body = line.strip_suffix(PARAGRAPH_BREAK).unwrap_or(line);
            if body.contains(PARAGRAPH_BREAK) {
                return err(n, ParseErrorKind::MisplacedBreak);
            }
            if !placeholders_well_formed(body) {
                return err(n, ParseErrorKind::BadPlaceholder);
            }
            o.block.lines.push(line.to_string());
            o.last_text_line = n;
        }
    }
    close(open.take(), &mut blocks)?;
    if blocks.is_empty() {
        return err(line_count.max(1), ParseErrorKind::NoBlocks);
    }
    if !src.ends_with('\n') {
        return err(line_count, ParseErrorKind::MissingFinalNewline);
    }
    Ok(blocks)
}

// ------------------------------------------------------------------------------------------
// Product-line templates (part A)

/// The two product-line templates of part A (README 1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductTemplate {
    /// `order.line.*`: 互联网专线, 数据专线, 跨境专线.
    LeasedLine,
    /// `order.cloud.*`: 移动云.
    MobileCloud,
}

impl ProductTemplate {
    pub const ALL: [ProductTemplate; 2] =
        [ProductTemplate::LeasedLine, ProductTemplate::MobileCloud];

    /// The id prefix of the template's blocks: `"order.line."` or `"order.cloud."`.
    pub const fn id_prefix(self) -> &'static str {
        match self {
            ProductTemplate::LeasedLine => "order.line.",
            ProductTemplate::MobileCloud => "order.cloud.",
        }
    }

    /// The template for a product kind.
    pub const fn for_kind(kind: ProductKind) -> ProductTemplate {
        match kind {
            ProductKind::InternetLeasedLine
            | ProductKind::DataLine
            | ProductKind::CrossBorderLine => ProductTemplate::LeasedLine,
            ProductKind::MobileCloud => ProductTemplate::MobileCloud,
        }
    }

    /// The template for `orders.N.product_name` (the document's label, e.g. `移动云`).
    pub fn for_product_name(name: &str) -> Option<ProductTemplate> {
        ProductKind::from_label(name)
            .ok()
            .map(ProductTemplate::for_kind)
    }

    /// The template a block id belongs to, if any.
    pub fn of_block_id(id: &str) -> Option<ProductTemplate> {
        ProductTemplate::ALL
            .into_iter()
            .find(|t| id.starts_with(t.id_prefix()))
    }
}

/// A product name that selects no template, at `orders.<index>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProduct {
    pub index: usize,
    pub name: String,
}

impl fmt::Display for UnknownProduct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "orders.{}.product_name `{}` selects no product-line template",
            self.index, self.name
        )
    }
}

impl std::error::Error for UnknownProduct {}

/// Expands the product-line templates (README 1.7): the template blocks (`order.line.*`,
/// `order.cloud.*`) are replaced, where the first of them stands, by one copy of the selected
/// template per entry of `orders`, in order. In the copy for order `n`, each id becomes
/// `<id>#<n>` and each `{orders.N.` becomes `{orders.<n>.`. Blocks without templates are
/// returned unchanged; so are all blocks when `blocks` has no template.
pub fn expand_orders(blocks: &[Block], orders: &[ProductTemplate]) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len() + orders.len() * 8);
    let mut expanded = false;
    for block in blocks {
        if ProductTemplate::of_block_id(&block.id).is_none() {
            out.push(block.clone());
            continue;
        }
        if expanded {
            continue;
        }
        expanded = true;
        for (n, template) in orders.iter().enumerate() {
            let from = "{orders.N.";
            let to = format!("{{orders.{n}.");
            out.extend(
                blocks
                    .iter()
                    .filter(|b| b.id.starts_with(template.id_prefix()))
                    .map(|b| Block {
                        id: format!("{}#{n}", b.id),
                        lines: b.lines.iter().map(|l| l.replace(from, &to)).collect(),
                        ..b.clone()
                    }),
            );
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// The embedded agreement

/// One part of the agreement: its blocks in each language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub id: PartId,
    pub zh: Vec<Block>,
    pub en: Vec<Block>,
}

impl Part {
    /// The blocks in `lang`, in file order (templates not expanded).
    pub fn blocks(&self, lang: Lang) -> &[Block] {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// The block with `id` in `lang`.
    pub fn block(&self, lang: Lang, id: &str) -> Option<&Block> {
        self.blocks(lang).iter().find(|b| b.id == id)
    }

    /// The blocks in `lang` with the product-line templates expanded for the orders whose
    /// product names are `product_names` ([`expand_orders`]). Parts other than A have no
    /// templates and come back unchanged.
    pub fn expand(&self, lang: Lang, product_names: &[&str]) -> Result<Vec<Block>, UnknownProduct> {
        let templates = product_names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                ProductTemplate::for_product_name(name).ok_or_else(|| UnknownProduct {
                    index,
                    name: (*name).to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(expand_orders(self.blocks(lang), &templates))
    }
}

/// The agreement: a content instance and version, and its four parts in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub id: &'static str,
    pub version: &'static str,
    pub parts: [Part; 4],
}

impl Agreement {
    pub fn part(&self, id: PartId) -> &Part {
        &self.parts[id.index()]
    }
}

/// The embedded file text of a part in a language (`content/cmgd-cancellation/v2/…`, the
/// [`AGREEMENT_VERSION`]).
pub const fn source(part: PartId, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => source_zh(part),
        Lang::En => source_en(part),
    }
}

macro_rules! file {
    ($name:literal) => {
        include_str!(concat!("../content/cmgd-cancellation/v2/", $name))
    };
}

/// The embedded Chinese file of a part. Apart from [`source_en`] so that a client which
/// fetches the English on demand links only the Chinese into its first load.
pub const fn source_zh(part: PartId) -> &'static str {
    match part {
        PartId::Order => file!("order.zh.txt"),
        PartId::Privacy => file!("privacy.zh.txt"),
        PartId::Service => file!("service.zh.txt"),
        PartId::Authorization => file!("authorization.zh.txt"),
    }
}

/// The embedded English file of a part (see [`source_zh`]).
pub const fn source_en(part: PartId) -> &'static str {
    match part {
        PartId::Order => file!("order.en.txt"),
        PartId::Privacy => file!("privacy.en.txt"),
        PartId::Service => file!("service.en.txt"),
        PartId::Authorization => file!("authorization.en.txt"),
    }
}

/// The blocks of a part's file in a language, parsed from `text` (one of the embedded files,
/// [`source_zh`] or [`source_en`]), or why it does not parse.
pub fn parse_part(part: PartId, lang: Lang, text: &str) -> Result<Vec<Block>, LoadError> {
    parse(text).map_err(|error| LoadError { part, lang, error })
}

/// An embedded file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub part: PartId,
    pub lang: Lang,
    pub error: ParseError,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}.{}.txt {}",
            AGREEMENT_ID,
            AGREEMENT_VERSION,
            self.part.hook(),
            self.lang.file_suffix(),
            self.error
        )
    }
}

impl std::error::Error for LoadError {}

fn load() -> Result<Agreement, LoadError> {
    let part = |id: PartId| -> Result<Part, LoadError> {
        let one = |lang: Lang| parse_part(id, lang, source(id, lang));
        Ok(Part {
            id,
            zh: one(Lang::Zh)?,
            en: one(Lang::En)?,
        })
    };
    Ok(Agreement {
        id: AGREEMENT_ID,
        version: AGREEMENT_VERSION,
        parts: [
            part(PartId::Order)?,
            part(PartId::Privacy)?,
            part(PartId::Service)?,
            part(PartId::Authorization)?,
        ],
    })
}

/// The embedded agreement, parsed on first use, or the first embedded file that does not parse.
pub fn try_agreement() -> Result<&'static Agreement, &'static LoadError> {
    static AGREEMENT: OnceLock<Result<Agreement, LoadError>> = OnceLock::new();
    AGREEMENT.get_or_init(load).as_ref()
}

/// The embedded agreement, parsed on first use.
///
/// # Panics
///
/// If an embedded file does not parse. The files are compiled in and the crate's tests parse
/// every one of them, so this cannot happen in a tested build; [`try_agreement`] is the
/// non-panicking form.
pub fn agreement() -> &'static Agreement {
    match try_agreement() {
        Ok(a) => a,
        Err(e) => panic!("embedded agreement content does not parse: {e}"),
    }
}

// ------------------------------------------------------------------------------------------
// Canonical text and hashes

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A block's canonical line, LF included: `<id>\t<kind><modifiers>\t<escaped display text>\n`.
pub fn canonical_line(block: &Block) -> String {
    let mut out = String::new();
    push_escaped(&mut out, &block.id);
    out.push('\t');
    out.push_str(&block.kind_with_modifiers());
    out.push('\t');
    push_escaped(&mut out, &block.text());
    out.push('\n');
    out
}

/// The canonical text of a block sequence: the [`canonical_line`]s in order (see the module
/// docs and `docs/content-hashes.md`).
pub fn canonical_text(blocks: &[Block]) -> String {
    blocks.iter().map(canonical_line).collect()
}

/// SHA-256 of `data` as 64 lowercase hex digits.
pub fn sha256_hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// SHA-256 (lowercase hex) of the canonical text of a block sequence.
pub fn canonical_hash(blocks: &[Block]) -> String {
    sha256_hex(canonical_text(blocks).as_bytes())
}

/// The content hash of a part in a language: SHA-256 (lowercase hex) of the canonical text of
/// its blocks as in the file (templates not expanded, placeholders as `{path}`).
pub fn content_hash(part: PartId, lang: Lang) -> String {
    canonical_hash(agreement().part(part).blocks(lang))
}

/// The content hash of every part in every language: parts in document order, zh before en.
pub fn content_hashes() -> Vec<(PartId, Lang, String)> {
    PartId::ALL
        .into_iter()
        .flat_map(|part| Lang::ALL.into_iter().map(move |lang| (part, lang)))
        .map(|(part, lang)| (part, lang, content_hash(part, lang)))
        .collect()
}

// ------------------------------------------------------------------------------------------
// Versions

/// An earlier version of the agreement whose consents are still accepted: its text is not
/// embedded (the app renders the current one only), its content hashes are, as constants.
/// `crates/domain/tests/content.rs` recomputes them from the version's files, which stay in
/// `content/<instance>/<version>/` byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlierVersion {
    pub version: &'static str,
    /// The content hash of every part in every language: parts in document order, zh before
    /// en (the order of [`content_hashes`]).
    pub content_hashes: [(PartId, Lang, &'static str); 8],
}

/// `cmgd-cancellation/v1`: the first published text. Its English was corrected in
/// v2 (the Chinese is the same); `docs/content-hashes.md` §5 lists these hashes.
pub const V1: EarlierVersion = EarlierVersion {
    version: "v1",
    content_hashes: [
        (
            PartId::Order,
            Lang::Zh,
            "92923709e48a475ed1d99ac88d10b282c61cf51438521c8a9f93ebd3ab00a9f1",
        ),
        (
            PartId::Order,
            Lang::En,
            "cc6e2fc731b1abcddd542eb704eba3750093d0f40f0e716c8d667eca0004c039",
        ),
        (
            PartId::Privacy,
            Lang::Zh,
            "1bc63b8dd41dc652b0255eaf7329ffcead793398a513a42d401b4a6c9b9963e1",
        ),
        (
            PartId::Privacy,
            Lang::En,
            "1ffc132c3a27e8d38b2a9bb84676818222c3f8a29cb4b3fca664781b4f299c33",
        ),
        (
            PartId::Service,
            Lang::Zh,
            "ee45efacbcfb799d59d8671c49411926df4a7071c209c2972e0b09c4837b9ed1",
        ),
        (
            PartId::Service,
            Lang::En,
            "52ba627cfd35da7b2c2121bcef0b2f05988dfc9a0cf48d8e789ca1268b34c276",
        ),
        (
            PartId::Authorization,
            Lang::Zh,
            "530c8ea14b846eb8081801dcfb3976d9ae05c99f1607da2268917cbdc27e2d6f",
        ),
        (
            PartId::Authorization,
            Lang::En,
            "172b638d6a29cdfbf5bd2157cbe63fc5868e38df64e458bb8001fbc51a7d1d13",
        ),
    ],
};

/// The earlier versions still accepted, oldest first (every entry of [`ACCEPTED_VERSIONS`] but
/// the last).
pub const EARLIER_VERSIONS: [EarlierVersion; 1] = [V1];

/// Whether consents signed on `version` are accepted by this build ([`ACCEPTED_VERSIONS`]).
pub fn is_accepted_version(version: &str) -> bool {
    ACCEPTED_VERSIONS.contains(&version)
}

/// The content hash of every part in every language of [`AGREEMENT_VERSION`], parts in
/// document order, zh before en (the order of [`content_hashes`]), as published in
/// `docs/content-hashes.md`. Constants rather than computed at first use, so that a client
/// need not carry both languages' text to sign either; `crates/domain/tests/content.rs`
/// recomputes them from the embedded files.
pub const CURRENT_CONTENT_HASHES: [(PartId, Lang, &str); 8] = [
    (
        PartId::Order,
        Lang::Zh,
        "92923709e48a475ed1d99ac88d10b282c61cf51438521c8a9f93ebd3ab00a9f1",
    ),
    (
        PartId::Order,
        Lang::En,
        "cc6e2fc731b1abcddd542eb704eba3750093d0f40f0e716c8d667eca0004c039",
    ),
    (
        PartId::Privacy,
        Lang::Zh,
        "1bc63b8dd41dc652b0255eaf7329ffcead793398a513a42d401b4a6c9b9963e1",
    ),
    (
        PartId::Privacy,
        Lang::En,
        "1f8d2ac88f4e8ddf8419a3b41cc162ebe795bb63a3fb94874fc0ee31880c7ad9",
    ),
    (
        PartId::Service,
        Lang::Zh,
        "ee45efacbcfb799d59d8671c49411926df4a7071c209c2972e0b09c4837b9ed1",
    ),
    (
        PartId::Service,
        Lang::En,
        "cff2325ed17f5ae763fb92f63253f4d48e9b68ebbf4af345c2b099462de44186",
    ),
    (
        PartId::Authorization,
        Lang::Zh,
        "530c8ea14b846eb8081801dcfb3976d9ae05c99f1607da2268917cbdc27e2d6f",
    ),
    (
        PartId::Authorization,
        Lang::En,
        "172b638d6a29cdfbf5bd2157cbe63fc5868e38df64e458bb8001fbc51a7d1d13",
    ),
];

/// The content hash of a part in a language of an accepted `version`: the published constant
/// ([`CURRENT_CONTENT_HASHES`], [`EarlierVersion::content_hashes`]);
/// `None` for a version this build does not accept.
pub fn version_content_hash(version: &str, part: PartId, lang: Lang) -> Option<&'static str> {
    let hashes: &[(PartId, Lang, &'static str)] = if version == AGREEMENT_VERSION {
        &CURRENT_CONTENT_HASHES
    } else {
        &EARLIER_VERSIONS
            .iter()
            .find(|v| v.version == version)?
            .content_hashes
    };
    hashes
        .iter()
        .find(|(p, l, _)| *p == part && *l == lang)
        .map(|(_, _, h)| *h)
}
