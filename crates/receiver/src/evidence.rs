//! The evidence PDF (issue 18 item 1, contract.md §7): the signed copy a person reads and
//! anyone can re-verify from the PDF alone.
//!
//! [`render`] is pure: the stored envelope (the exact signed bytes `qianyue-check verify`
//! accepts), the signed receipt and the receiver key that signed it go in, the PDF's bytes come
//! out. What it shows: a summary (company, contract number, when, the consent number, the
//! payload's SHA-256), the agreement as signed (every part in each language the payload says
//! was shown, the values in their blanks, from the domain's content: no text written here
//! twice), the drawn or typed signature, the consents with their wording, the previews shown,
//! the content hashes, the receipt, and how to check it all yourself in Chinese and English.
//! The envelope is attached as `consent.json` and the receipt as `receipt.json` (PDF/A-3
//! associated files, `/AF` and the `/EmbeddedFiles` name tree, `AFRelationship /Source`).
//!
//! Byte-for-byte reproducible: no wall clock (the dates written are the receipt's
//! `received_at`), no random ids (krilla derives the document id from the payload's SHA-256
//! and the instance id from the content), a fixed producer. Two receivers with the same font
//! file make the same bytes (`tests/evidence.rs`).
//!
//! The text is laid out here glyph by glyph from the font's own advances (skrifa), without
//! shaping: Chinese and Latin need none. krilla embeds the font as a subset (subsetter).
//! Characters the font lacks are shown as `?` rather than as an invisible `.notdef`.
//!
//! [`evidence_pdf`] loads a stored consent, opens its sealed payload and renders; the
//! endpoint is [`get_evidence`] (docs/receiver.md "The evidence PDF").

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use krilla::color::luma;
use krilla::configure::{Archival, ConfigurationBuilder, PdfVersion};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use qianyue_domain::content::{self, Block, Kind, Lang, PartId};
use qianyue_domain::labels::blank_value;
use qianyue_domain::payload::{
    self, ConsentPayload, Receipt, ReceiverKey, ShownValue, SignatureImage, SignedAt, SignedReceipt,
};
use qianyue_domain::preview::PreviewValue;
use serde_json::json;
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider as _;

use crate::api::{now_unix, HttpRule};
use crate::error::ApiError;
use crate::transport::Peer;
use crate::App;

/// The producer written in every evidence PDF (fixed: the output must not depend on the
/// build's date or host).
pub const PRODUCER: &str = "qianyue-receiver evidence/1";

/// Where the default font lives: Debian's `fonts-wqy-zenhei` (`cargo xtask serve` and the
/// tests install it).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

/// What one evidence PDF is made of.
pub struct EvidenceInput<'a> {
    /// The signed envelope exactly as stored and verified: `{"payload":…,"signature":"…"}`
    /// (the bytes `qianyue-check verify` reads on standard input). Attached as `consent.json`.
    pub envelope: &'a [u8],
    /// The signed receipt, `{"receipt":{…},"signature":"…"}`. Attached as `receipt.json`.
    pub receipt: &'a [u8],
    /// The receiver key that signed the receipt, as `GET /api/keys` lists it (`None`: not
    /// among the keys this receiver publishes; the PDF says so).
    pub receiver_key: Option<&'a ReceiverKey>,
}

/// The font of the evidence PDFs (`QIANYUE_PDF_FONT`, a TTF, OTF or the first face of a TTC),
/// read once at start.
pub struct EvidenceFonts {
    data: Arc<Vec<u8>>,
    index: u32,
    font: Font,
}

impl EvidenceFonts {
    /// Reads the font at `path` (`None`: [`DEFAULT_FONT`]) and checks that it draws Chinese.
    ///
    /// # Errors
    ///
    /// A message naming the file and what to do, for a missing or unusable font: the
    /// receiver refuses to start rather than fail each download later.
    pub fn load(path: Option<&Path>) -> Result<EvidenceFonts, String> {
        let (path, configured) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_FONT), false),
        };
        let data = std::fs::read(&path).map_err(|e| {
            if configured {
                format!(
                    "QIANYUE_PDF_FONT: cannot read {}: {e} (a TTF, OTF or TTC font with Chinese glyphs)",
                    path.display()
                )
            } else {
                format!(
                    "the evidence PDF's font {} cannot be read: {e}; install the Debian package fonts-wqy-zenhei, or set QIANYUE_PDF_FONT to a TTF, OTF or TTC font with Chinese glyphs",
                    path.display()
                )
            }
        })?;
        EvidenceFonts::from_bytes(data, 0).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The font in `data` (face `index` of a collection).
    ///
    /// # Errors
    ///
    /// When it is not a font, or has no glyphs for Chinese.
    pub fn from_bytes(data: Vec<u8>, index: u32) -> Result<EvidenceFonts, String> {
        let data = Arc::new(data);
        {
            let f = skrifa::FontRef::from_index(&data, index)
                .map_err(|e| format!("not a TTF, OTF or TTC font ({e})"))?;
            let map = f.charmap();
            if "签约已签署协议".chars().any(|c| map.map(c).is_none())
                || "Agreement".chars().any(|c| map.map(c).is_none())
            {
                return Err("the font has no glyphs for Chinese (or Latin) text; the evidence PDF needs both".into());
            }
        }
        let font = Font::new(krilla::Data::from(data.clone()), index)
            .ok_or("krilla cannot read this font")?;
        Ok(EvidenceFonts { data, index, font })
    }
}

// ------------------------------------------------------------------------------------------
// Layout: pages of positioned items, made before any PDF object.

/// A4 in PostScript points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 56.0;
const MARGIN_TOP: f32 = 60.0;
const MARGIN_BOTTOM: f32 = 64.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

/// Text sizes.
const TITLE: f32 = 17.0;
const H1: f32 = 13.0;
const H2: f32 = 11.0;
const BODY: f32 = 9.5;
const SMALL: f32 = 8.0;

enum Item {
    /// One line of text, its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        gray: u8,
        text: String,
    },
    /// A horizontal rule.
    Rule { y: f32 },
    /// A drawn signature: strokes scaled into the box at (`x`, `y`).
    Strokes {
        x: f32,
        y: f32,
        scale: f32,
        strokes: Vec<Vec<[u32; 2]>>,
    },
}

/// The font's character map and advances (em units), for layout and for the glyphs drawn.
struct Metrics<'f> {
    charmap: skrifa::charmap::Charmap<'f>,
    advances: skrifa::metrics::GlyphMetrics<'f>,
}

impl<'f> Metrics<'f> {
    fn of(fonts: &'f EvidenceFonts) -> Option<Metrics<'f>> {
        let f = skrifa::FontRef::from_index(&fonts.data, fonts.index).ok()?;
        Some(Metrics {
            charmap: f.charmap(),
            advances: f.glyph_metrics(Size::new(1.0), LocationRef::default()),
        })
    }

    /// The glyph and advance (em) of `c`; `None` when the font lacks it.
    fn glyph(&self, c: char) -> Option<(u32, f32)> {
        let gid = self.charmap.map(c)?;
        Some((
            gid.to_u32(),
            self.advances.advance_width(gid).unwrap_or(0.0),
        ))
    }

    /// `text` with what cannot be shown replaced: controls by a space, characters the font
    /// lacks by `?`.
    fn clean(&self, text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if self.glyph(c).is_some() {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.glyph(c).map_or(0.0, |(_, a)| a))
            .sum::<f32>()
            * size
    }

    /// Greedy line breaking: after a space, or beside a wide (CJK) character, except before
    /// closing punctuation; a word longer than the line is cut where it must.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0f32;
        // Byte index in `line` after which a break is allowed.
        let mut last_break: Option<usize> = None;
        let mut prev: Option<char> = None;
        for c in text.chars() {
            let w = self.glyph(c).map_or(0.0, |(_, a)| a) * size;
            let may_break_before = prev.is_some_and(|p| {
                p == ' ' || ((is_wide(p) || is_wide(c)) && !is_closing(c) && !is_opening(p))
            });
            if may_break_before {
                last_break = Some(line.len());
            }
            if line_w + w > width && !line.is_empty() && c != ' ' {
                let cut = last_break.filter(|&b| b > 0).unwrap_or(line.len());
                let rest = line.split_off(cut);
                lines.push(line.trim_end().to_owned());
                line = rest.trim_start().to_owned();
                line_w = self.width(&line, size);
                last_break = None;
            }
            if !(line.is_empty() && c == ' ') {
                line.push(c);
                line_w += w;
            }
            prev = Some(c);
        }
        if !line.trim().is_empty() || lines.is_empty() {
            lines.push(line.trim_end().to_owned());
        }
        lines
    }
}

fn is_wide(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}')
}

fn is_closing(c: char) -> bool {
    "，。、；：！？）》」』”’〕】,.;:!?)]}%".contains(c)
}

fn is_opening(c: char) -> bool {
    "（《「『“‘〔【([{".contains(c)
}

/// Pages being filled, top to bottom.
struct Layout<'f> {
    m: Metrics<'f>,
    pages: Vec<Vec<Item>>,
    /// The next baseline's distance from the top of the page.
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(m: Metrics<'f>) -> Layout<'f> {
        Layout {
            m,
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
        }
    }

    fn page(&mut self) -> &mut Vec<Item> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Room for `height` more points on this page, or a new page.
    fn need(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN_BOTTOM {
            self.new_page();
        }
    }

    fn space(&mut self, points: f32) {
        self.y += points;
    }

    /// A paragraph: `text` wrapped at `indent` from the margin.
    fn para(&mut self, text: &str, size: f32, indent: f32, gray: u8) {
        let text = self.m.clean(text);
        let leading = size * 1.5;
        for line in self.m.wrap(&text, size, TEXT_W - indent) {
            self.need(leading);
            self.y += leading;
            let y = self.y;
            self.page().push(Item::Text {
                x: MARGIN_X + indent,
                y,
                size,
                gray,
                text: line,
            });
        }
    }

    fn heading(&mut self, text: &str, size: f32) {
        // Keep a heading with at least three lines of what follows.
        self.need(size * 2.0 + BODY * 1.5 * 3.0);
        self.space(size * 0.6);
        self.para(text, size, 0.0, 0);
        self.space(size * 0.2);
    }

    /// A label and its value: the label on its line, the value under it, indented.
    fn field(&mut self, label: &str, value: &str) {
        self.need(SMALL * 1.5 + BODY * 1.5);
        self.para(label, SMALL, 0.0, 90);
        self.para(value, BODY, 12.0, 0);
    }

    fn rule(&mut self) {
        self.need(12.0);
        self.y += 6.0;
        let y = self.y;
        self.page().push(Item::Rule { y });
        self.y += 4.0;
    }
}

// ------------------------------------------------------------------------------------------
// What the PDF says

/// Bilingual labels: "中文 / English".
fn both(zh: &str, en: &str) -> String {
    format!("{zh} / {en}")
}

/// The display block of the agreement text (`Block::filled_text`), by kind.
fn block(l: &mut Layout<'_>, b: &Block, lang: Lang, form: &qianyue_domain::form::Form) {
    let text = b.filled_text(|path| Some(blank_value(path, form.value(path).unwrap_or(""), lang)));
    let depth =
        b.id.split('#')
            .next()
            .unwrap_or("")
            .matches('.')
            .count()
            .min(3) as f32;
    match b.kind {
        Kind::Title => l.heading(&text, H1),
        Kind::Heading => l.heading(&text, H2),
        Kind::Note => {
            l.space(2.0);
            l.para(&text, SMALL, 0.0, 90);
        }
        Kind::Item => l.para(&text, BODY, 8.0 + 6.0 * depth, 0),
        Kind::Field => l.para(&text, BODY, 8.0, 0),
        Kind::Para => {
            l.space(2.0);
            l.para(&text, BODY, 0.0, 0);
        }
    }
}

/// The agreement as signed: each part in each language the payload lists, when the payload's
/// content hash is the text this build ships; otherwise that it cannot be shown, and why.
fn agreement(l: &mut Layout<'_>, p: &ConsentPayload) {
    let names: Vec<&str> = p
        .form
        .orders
        .iter()
        .map(|o| o.product_name.as_str())
        .collect();
    for entry in &p.content_hashes {
        // The embedded text is shown when it is the signed one: its hash is the signed hash
        // (whatever the version: an earlier version's unchanged part has the same hash).
        let part = content::agreement().part(entry.part);
        let blocks = if content::content_hash(entry.part, entry.lang) == entry.sha256 {
            part.expand(entry.lang, &names).ok()
        } else {
            None
        };
        l.new_page();
        match blocks {
            Some(blocks) => {
                for b in &blocks {
                    block(l, b, entry.lang, &p.form);
                }
            }
            None => {
                l.heading(entry.part.title(entry.lang), H1);
                l.para(
                    &format!(
                        "本程序不含该版本（{} {}，{}）的文本；其内容摘要见“内容摘要”。",
                        p.agreement.id,
                        p.agreement.version,
                        entry.lang.tag()
                    ),
                    BODY,
                    0.0,
                    0,
                );
                l.para(
                    &format!(
                        "This build does not ship the text of this version ({} {}, {}); its content hash is listed under \"Content hashes\".",
                        p.agreement.id,
                        p.agreement.version,
                        entry.lang.tag()
                    ),
                    BODY,
                    0.0,
                    0,
                );
            }
        }
    }
}

fn signature(l: &mut Layout<'_>, image: &SignatureImage) {
    l.heading(&both("签名", "Signature"), H1);
    match image {
        SignatureImage::Typed { text } => {
            l.para(&both("输入的姓名", "Typed name"), SMALL, 0.0, 90);
            l.space(6.0);
            l.para(text.trim(), 22.0, 12.0, 0);
        }
        SignatureImage::Strokes {
            width,
            height,
            strokes,
        } => {
            l.para(&both("手写签名", "Drawn signature"), SMALL, 0.0, 90);
            let (w, h) = ((*width).max(1) as f32, (*height).max(1) as f32);
            let scale = (260.0 / w).min(110.0 / h);
            let box_h = h * scale;
            l.need(box_h + 10.0);
            l.space(6.0);
            let (x, y) = (MARGIN_X + 12.0, l.y);
            l.page().push(Item::Strokes {
                x,
                y,
                scale,
                strokes: strokes.clone(),
            });
            l.space(box_h + 4.0);
        }
    }
}

fn consents(l: &mut Layout<'_>, p: &ConsentPayload) {
    l.heading(&both("同意事项", "Consents"), H1);
    for c in &p.consents {
        // The wording shown is this build's when the signed hash is its hash; an earlier
        // version's other wording is named by its hash only.
        let matches = c.id.wording_sha256() == c.wording_sha256;
        let mark = if c.given {
            both("已同意", "given")
        } else {
            both("未同意", "not given")
        };
        l.need(BODY * 1.5 * 4.0);
        l.para(&format!("{mark} · {}", c.id.as_str()), BODY, 0.0, 0);
        if matches {
            for lang in Lang::ALL {
                l.para(c.id.wording(lang), BODY, 12.0, 0);
            }
        } else {
            l.para(
                "本程序不含该措辞（见下方摘要）。 / This build does not ship this wording (its hash below).",
                BODY,
                12.0,
                0,
            );
        }
        l.para(
            &format!("wording_sha256 {}", c.wording_sha256),
            SMALL,
            12.0,
            90,
        );
    }
}

/// The figures shown, each formatted as its kind (money, date, count) reads, the kind taken
/// from the domain's preview of the same form on the signing date.
fn previews(l: &mut Layout<'_>, p: &ConsentPayload) {
    l.heading(
        &both("签署时显示的计算结果", "Figures shown when signing"),
        H1,
    );
    if p.previews.is_empty() {
        l.para("—", BODY, 0.0, 0);
        return;
    }
    let kinds = SignedAt::parse(&p.signed_at)
        .ok()
        .map(|t| qianyue_domain::preview::preview(&p.form, t.date()))
        .unwrap_or_default();
    for (key, shown) in &p.previews {
        let name = key.rsplit('.').next().unwrap_or_default();
        let text = match (shown, kinds.get(key)) {
            (ShownValue::Integer(n), Some(PreviewValue::Money(_))) => {
                qianyue_domain::money::Fen(*n).format_cny(qianyue_domain::error::Locale::ZhCn)
            }
            (ShownValue::Integer(n), Some(PreviewValue::Count(_))) if name == "days_overdue" => {
                format!("{n} 天 / days")
            }
            (ShownValue::Integer(n), Some(PreviewValue::Count(_))) => format!("{n} 个月 / months"),
            (ShownValue::Integer(n), _) => n.to_string(),
            (ShownValue::Text(s), _) => s.clone(),
        };
        // The figure's words and clause, as the app named it; the product line's number.
        let words = qianyue_domain::labels::figure_words(name);
        let line = key
            .strip_prefix("orders.")
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(n, _)| n.parse::<usize>().ok())
            .map(|n| format!("{} {} · ", both("产品", "Product line"), n + 1))
            .unwrap_or_default();
        l.need(SMALL * 1.5 + BODY * 1.5);
        if words.zh.is_empty() {
            l.para(key, SMALL, 0.0, 90);
        } else {
            l.para(
                &format!(
                    "{line}{} / {} ({} / {}) · {key}",
                    words.zh, words.en, words.clause_zh, words.clause_en
                ),
                SMALL,
                0.0,
                90,
            );
        }
        l.para(&text, BODY, 12.0, 0);
    }
}

fn hashes(l: &mut Layout<'_>, p: &ConsentPayload) {
    l.heading(&both("内容摘要 (SHA-256)", "Content hashes (SHA-256)"), H1);
    for h in &p.content_hashes {
        let shipped = content::version_content_hash(&p.agreement.version, h.part, h.lang)
            == Some(h.sha256.as_str());
        let status = if shipped {
            both("与本程序所含文本一致", "the text this build ships")
        } else {
            both("本程序不含此文本", "not a text this build ships")
        };
        l.para(
            &format!("{} ({}) · {}", h.part.title(h.lang), h.lang.tag(), status),
            BODY,
            0.0,
            0,
        );
        l.para(&h.sha256, SMALL, 12.0, 0);
    }
}

fn receipt(
    l: &mut Layout<'_>,
    r: Option<&SignedReceipt>,
    key: Option<&ReceiverKey>,
    receipt_json: &[u8],
) {
    l.heading(&both("接收回执", "Receipt"), H1);
    let Some(r) = r else {
        l.para(
            &both("回执无法读取", "The receipt cannot be read"),
            BODY,
            0.0,
            0,
        );
        l.para(&String::from_utf8_lossy(receipt_json), SMALL, 0.0, 0);
        return;
    };
    let rc: &Receipt = &r.receipt;
    l.field(
        &both("接收时间 (北京时间)", "Received at (CST)"),
        &rc.received_at,
    );
    l.field(&both("签约编号", "Consent number"), &rc.consent_id);
    l.field(&both("签约数据摘要", "Payload SHA-256"), &rc.payload_sha256);
    l.field(
        &both("接收方密钥 (kid)", "Receiver key (kid)"),
        &rc.receiver_key,
    );
    match key {
        Some(k) => l.field(
            &both(
                "接收方公钥 (Ed25519, JWK x)",
                "Receiver public key (Ed25519, JWK x)",
            ),
            &k.x,
        ),
        None => l.field(
            &both("接收方公钥", "Receiver public key"),
            &both(
                "该密钥不在本接收方公布的密钥中",
                "not among the keys this receiver publishes",
            ),
        ),
    }
    l.field(&both("回执签名", "Receipt signature"), &r.signature);
    l.field(&both("回执格式", "Receipt format"), &rc.format);
}

fn verification(l: &mut Layout<'_>, sha256: &str) {
    l.heading("自行核验本文件", H1);
    for line in [
        "本文件附有签署人签名的原始数据 consent.json 和接收方签名的回执 receipt.json（PDF 附件）。无需联系我们即可核验：",
        "1. 取出附件：pdfdetach -saveall 本文件.pdf（或在 PDF 阅读器的附件面板中保存）。",
        "2. 核验：qianyue-check verify --file 本文件.pdf --receiver-keys keys.json，其中 keys.json 为接收方 GET /api/keys 的应答。它检查签名（ES256，对 payload 的 RFC 8785 规范化字节）、内容摘要、同意措辞、按签署日期重新校验表单与计算结果，以及回执（Ed25519，按 receiver_key 所指的密钥）。",
        "3. 也可用其他语言自行核验：docs/payload.md 的“Verify with Python”一节用 Python 的 cryptography 库在几行内完成同样的签名与摘要检查。",
    ] {
        l.para(line, BODY, 0.0, 0);
    }
    l.para(
        &format!("consent.json 中 payload 的 SHA-256 应为：{sha256}"),
        BODY,
        0.0,
        0,
    );
    l.heading("How to check this document yourself", H1);
    for line in [
        "This PDF carries the signed envelope as consent.json and the receiver's signed receipt as receipt.json (PDF attachments). You can check it without us:",
        "1. Extract them: pdfdetach -saveall this.pdf (or save them from your PDF reader's attachments panel).",
        "2. Verify: qianyue-check verify --file this.pdf --receiver-keys keys.json, where keys.json is the receiver's answer to GET /api/keys. It checks the signature (ES256 over the RFC 8785 canonical bytes of payload), the content hashes, the consents' wording, the form and the figures re-validated on the signing date, and the receipt (Ed25519, under the key its receiver_key names).",
        "3. Or in another language: docs/payload.md, \"Verify with Python\", does the same signature and hash check in a few lines of Python with the cryptography library.",
    ] {
        l.para(line, BODY, 0.0, 0);
    }
    l.para(
        &format!("The SHA-256 of the payload in consent.json must be: {sha256}"),
        BODY,
        0.0,
        0,
    );
}

/// The pages of a verified payload.
fn layout_consent(
    l: &mut Layout<'_>,
    v: &payload::VerifiedPayload,
    signed: Option<&SignedReceipt>,
    key: Option<&ReceiverKey>,
    receipt_json: &[u8],
) {
    let p = &v.payload;
    l.para(
        &both("签约电子凭证", "Evidence of an electronic signature"),
        TITLE,
        0.0,
        0,
    );
    l.space(4.0);
    l.para(
        &format!(
            "{} · {}",
            PartId::Order.title(Lang::Zh),
            PartId::Order.title(Lang::En)
        ),
        H2,
        0.0,
        0,
    );
    l.space(6.0);
    l.para(&both("已签署", "Signed"), H1, 0.0, 0);
    l.rule();
    let form = &p.form;
    l.field(&both("公司", "Company"), &form.customer.group_name);
    l.field(&both("合同编号", "Contract no."), &form.contract_no);
    l.field(
        &both("证件号码（统一社会信用代码）", "Certificate number (USCC)"),
        &form.customer.cert_number,
    );
    l.field(
        &both("签署时间 (北京时间)", "Signed at (CST)"),
        &p.signed_at,
    );
    if let Some(r) = signed {
        l.field(
            &both("接收时间 (北京时间)", "Received at (CST)"),
            &r.receipt.received_at,
        );
    }
    l.field(&both("签约编号", "Consent number"), &p.idempotency_id);
    l.field(
        &both("协议及版本", "Agreement and version"),
        &format!("{} {}", p.agreement.id, p.agreement.version),
    );
    l.field(
        &both("签约数据摘要 (SHA-256)", "Payload SHA-256"),
        &v.payload_sha256,
    );
    l.field(
        &both(
            "签署人密钥 (RFC 7638 指纹)",
            "Signer's key (RFC 7638 thumbprint)",
        ),
        &v.key_thumbprint,
    );
    if let Some(req) = &p.request {
        l.field(&both("签约请求", "Signing request"), &req.id);
    }
    if let Some(id) = &p.identity {
        l.field(
            &both("身份核验", "Identity verified"),
            &format!("{} {} {}", id.method, id.mobile, id.verified_at),
        );
    }
    l.para(
        &both(
            "本文件由接收方根据签署人签名的数据生成；所附 consent.json 为签署的原始数据。",
            "Made by the receiver from the data the signer signed; the attached consent.json is what was signed.",
        ),
        SMALL,
        0.0,
        90,
    );
    agreement(l, p);
    l.new_page();
    signature(l, &p.signature_image);
    consents(l, p);
    previews(l, p);
    hashes(l, p);
    receipt(l, signed, key, receipt_json);
    verification(l, &v.payload_sha256);
}

/// The one page of an envelope that does not verify (it never should: the stored envelope was
/// verified before it was stored).
fn layout_unverified(l: &mut Layout<'_>, why: &str) {
    l.para(
        &both("签约电子凭证", "Evidence of an electronic signature"),
        TITLE,
        0.0,
        0,
    );
    l.para(
        &both(
            "所附签约数据未能通过核验",
            "The attached envelope does not verify",
        ),
        H1,
        0.0,
        0,
    );
    l.para(why, BODY, 0.0, 0);
}

/// The footer of every page: the consent number and the page count.
fn footers(l: &mut Layout<'_>, id: &str) {
    let n = l.pages.len();
    for (i, page) in l.pages.iter_mut().enumerate() {
        page.push(Item::Text {
            x: MARGIN_X,
            y: PAGE_H - 30.0,
            size: 7.5,
            gray: 110,
            text: format!(
                "签约编号 Consent {id} · 第 {} 页，共 {n} 页 Page {} of {n}",
                i + 1,
                i + 1
            ),
        });
    }
}

// ------------------------------------------------------------------------------------------
// Drawing

fn glyphs(m: &Metrics<'_>, text: &str) -> Vec<KrillaGlyph> {
    text.char_indices()
        .map(|(i, c)| {
            let (gid, advance) = m.glyph(c).unwrap_or((0, 0.0));
            KrillaGlyph {
                glyph_id: GlyphId::new(gid),
                text_range: i..i + c.len_utf8(),
                x_advance: advance,
                x_offset: 0.0,
                y_offset: 0.0,
                y_advance: 0.0,
                location: None,
            }
        })
        .collect()
}

/// A `DateTime` of krilla from a `YYYY-MM-DDTHH:MM:SS+08:00`.
fn pdf_date(t: &str) -> DateTime {
    let t = SignedAt::parse(t)
        .ok()
        .or_else(|| SignedAt::from_unix_seconds(0))
        .map(|t| t.to_string())
        .unwrap_or_default();
    let num = |a: usize, b: usize| t.get(a..b).and_then(|s| s.parse::<u16>().ok()).unwrap_or(0);
    let small = |a: usize, b: usize| u8::try_from(num(a, b)).unwrap_or(0);
    DateTime::new(num(0, 4))
        .month(small(5, 7))
        .day(small(8, 10))
        .hour(small(11, 13))
        .minute(small(14, 16))
        .second(small(17, 19))
        .utc_offset_hour(8)
        .utc_offset_minute(0)
}

fn attachment(path: &str, description: &str, data: &[u8], date: DateTime) -> EmbeddedFile {
    EmbeddedFile {
        path: path.into(),
        mime_type: MimeType::new("application/json"),
        description: Some(description.into()),
        association_kind: AssociationKind::Source,
        data: data.to_vec().into(),
        modification_date: Some(date),
        compress: Some(true),
        location: None,
    }
}

fn draw(
    pages: &[Vec<Item>],
    m: &Metrics<'_>,
    fonts: &EvidenceFonts,
    meta: Metadata,
    files: Vec<EmbeddedFile>,
    archival: bool,
) -> Result<Vec<u8>, String> {
    let configuration = if archival {
        ConfigurationBuilder::new()
            .with_version(PdfVersion::Pdf17)
            .with_archival_validator(Archival::A3_U)
            .finish()
    } else {
        ConfigurationBuilder::new()
            .with_version(PdfVersion::Pdf20)
            .finish()
    }
    .map_err(|e| format!("{e:?}"))?;
    let settings = SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    };
    let mut doc = Document::new_with(settings);
    doc.set_metadata(meta);
    for file in files {
        doc.embed_file(file);
    }
    for items in pages {
        let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?;
        let mut page = doc.start_page_with(size);
        let mut s = page.surface();
        for item in items {
            match item {
                Item::Text {
                    x,
                    y,
                    size,
                    gray,
                    text,
                } => {
                    s.set_fill(Some(Fill {
                        paint: luma::Color::new(*gray).into(),
                        ..Fill::default()
                    }));
                    s.draw_glyphs(
                        Point::from_xy(*x, *y),
                        &glyphs(m, text),
                        fonts.font.clone(),
                        text,
                        *size,
                        false,
                    );
                }
                Item::Rule { y } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(MARGIN_X, *y);
                    pb.line_to(PAGE_W - MARGIN_X, *y);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: luma::Color::new(150).into(),
                            width: 0.6,
                            ..Stroke::default()
                        }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
                Item::Strokes {
                    x,
                    y,
                    scale,
                    strokes,
                } => {
                    let mut pb = PathBuilder::new();
                    for stroke in strokes {
                        let mut points = stroke
                            .iter()
                            .map(|[px, py]| (x + *px as f32 * scale, y + *py as f32 * scale));
                        let Some((x0, y0)) = points.next() else {
                            continue;
                        };
                        pb.move_to(x0, y0);
                        let mut drawn = false;
                        for (px, py) in points {
                            pb.line_to(px, py);
                            drawn = true;
                        }
                        if !drawn {
                            // A dot: a short line, so it shows.
                            pb.line_to(x0 + 0.5, y0);
                        }
                    }
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: luma::Color::new(20).into(),
                            width: 1.4,
                            line_cap: LineCap::Round,
                            line_join: LineJoin::Round,
                            ..Stroke::default()
                        }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("{e:?}"))
}

/// The evidence PDF of one consent (see the module's documentation). Total: an envelope that
/// does not verify still gives a PDF, which says so and carries it.
pub fn render(input: &EvidenceInput<'_>, fonts: &EvidenceFonts) -> Vec<u8> {
    let Some(m) = Metrics::of(fonts) else {
        return Vec::new();
    };
    let verified = payload::verify_envelope_with(input.envelope, crate::api::verify_es256_ring);
    let signed: Option<SignedReceipt> = serde_json::from_slice(input.receipt).ok();
    let mut l = Layout::new(m);
    let (id, sha256, title) = match &verified {
        Ok(v) => {
            layout_consent(
                &mut l,
                v,
                signed.as_ref(),
                input.receiver_key,
                input.receipt,
            );
            (
                v.payload.idempotency_id.clone(),
                v.payload_sha256.clone(),
                format!(
                    "签约电子凭证 {} · {}",
                    v.payload.form.contract_no, v.payload.form.customer.group_name
                ),
            )
        }
        Err(e) => {
            layout_unverified(&mut l, &format!("{}: {e}", e.code()));
            let sha = content::sha256_hex(input.envelope);
            (sha.clone(), sha, "签约电子凭证".to_owned())
        }
    };
    footers(&mut l, &id);
    let Layout { m, pages, .. } = l;
    let date = pdf_date(
        signed
            .as_ref()
            .map_or("", |r| r.receipt.received_at.as_str()),
    );
    let meta = |title: &str| {
        Metadata::new()
            .title(m.clean(title))
            .language("zh-CN".into())
            .producer(PRODUCER.into())
            .creator(PRODUCER.into())
            .creation_date(date)
            .document_id(format!("qianyue-consent:{sha256}"))
    };
    let files = || {
        vec![
            attachment(
                "consent.json",
                "签署的原始数据（签名信封）/ The signed envelope",
                input.envelope,
                date,
            ),
            attachment(
                "receipt.json",
                "接收方签名的回执 / The receiver's signed receipt",
                input.receipt,
                date,
            ),
        ]
    };
    // PDF/A-3u; should a check of the standard ever refuse (it has not), the same content as
    // plain PDF 2.0, which has /AF too: the evidence is still given, and still reproducible.
    draw(&pages, &m, fonts, meta(&title), files(), true)
        .or_else(|e| {
            eprintln!("qianyue-receiver: evidence PDF/A-3 refused ({e}); writing PDF 2.0");
            draw(&pages, &m, fonts, meta(&title), files(), false)
        })
        .unwrap_or_default()
}

// ------------------------------------------------------------------------------------------
// The stored consent, and the endpoint

/// Why an evidence PDF could not be made (not the caller's fault).
#[derive(Debug)]
pub struct EvidenceError(pub String);

impl std::fmt::Display for EvidenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EvidenceError {}

/// The envelope, the receipt and its key of a stored consent (`None`: no such id).
async fn stored(app: &App, id: &str) -> Result<Option<crate::store::Record>, EvidenceError> {
    if !payload::is_uuid_v4(id) {
        return Ok(None);
    }
    app.store
        .get(id)
        .await
        .map_err(|e| EvidenceError(format!("reading {id}: {e}")))
}

/// The evidence PDF of the stored consent `id`: loads it, opens its sealed payload, renders
/// (on a blocking thread). `Ok(None)` when there is no such consent. The back office's bundle
/// export calls this too.
///
/// # Errors
///
/// The store cannot be read, or the stored row does not make an envelope.
pub async fn evidence_pdf(app: &App, id: &str) -> Result<Option<Vec<u8>>, EvidenceError> {
    let Some(record) = stored(app, id).await? else {
        return Ok(None);
    };
    render_record(app, &record).await.map(Some)
}

async fn render_record(app: &App, record: &crate::store::Record) -> Result<Vec<u8>, EvidenceError> {
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(record.signature.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| EvidenceError(format!("consent {}: bad stored signature", record.id)))?;
    let envelope = payload::envelope_from_parts(record.payload.as_bytes(), &signature);
    let receipt = record.receipt.clone();
    let kid = serde_json::from_str::<SignedReceipt>(&receipt)
        .map(|r| r.receipt.receiver_key)
        .unwrap_or_default();
    let key = app.key.published().iter().find(|k| k.kid == kid).cloned();
    let fonts = app.evidence_fonts.clone();
    tokio::task::spawn_blocking(move || {
        render(
            &EvidenceInput {
                envelope: envelope.as_bytes(),
                receipt: receipt.as_bytes(),
                receiver_key: key.as_ref(),
            },
            &fonts,
        )
    })
    .await
    .map_err(|e| EvidenceError(format!("rendering: {e}")))
    .and_then(|pdf| {
        if pdf.is_empty() {
            Err(EvidenceError("rendering gave no bytes".into()))
        } else {
            Ok(pdf)
        }
    })
}

/// The `sha256` of the query (`?sha256=<payload_sha256>`), when given.
fn query_sha256(uri: &Uri) -> Option<&str> {
    uri.query()?
        .split('&')
        .find_map(|p| p.strip_prefix("sha256="))
}

/// Who may download a consent's evidence with a bearer (it holds the ID numbers in clear): a
/// key with the `unmask` scope, or the admin token (`crate::office::authorize`). Answers who
/// it was, for the audit log.
#[allow(clippy::result_large_err)]
pub fn authorize_evidence(
    app: &App,
    peer: std::net::IpAddr,
    headers: &HeaderMap,
) -> Result<String, ApiError> {
    crate::office::authorize(app, peer, headers, crate::office::Scope::Unmask).map(|c| c.who)
}

/// `GET /api/consents/{id}/evidence.pdf`: with `?sha256=<payload_sha256>` the signer's own
/// copy (no bearer; 404 for a wrong id or hash alike, compared in constant time; rate-limited
/// like the other public reads); otherwise the back office's ([`authorize_evidence`]), each
/// download written to the audit log as `consent.evidence`.
pub async fn get_evidence(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    uri: Uri,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, HttpRule::NotFound);
    let unavailable = |e: EvidenceError| {
        eprintln!("qianyue-receiver: evidence of {id}: {e}");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, HttpRule::StoreUnavailable)
    };
    let record = if let Some(sha) = query_sha256(&uri) {
        app.guard.signing_rate(peer).map_err(|wait| {
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, HttpRule::RateLimited).retry_after(wait)
        })?;
        let record = stored(&app, &id)
            .await
            .map_err(unavailable)?
            .ok_or_else(not_found)?;
        if !crate::access::same_secret(sha.as_bytes(), record.payload_sha256.as_bytes()) {
            return Err(not_found());
        }
        record
    } else {
        let who = authorize_evidence(&app, peer, &headers)?;
        if !payload::is_uuid_v4(&id) {
            return Err(not_found());
        }
        let found = stored(&app, &id).await.map_err(unavailable)?;
        // Recorded before it is answered: when, who (a fingerprint), which id. No personal data.
        let event = json!({
            "at": SignedAt::from_unix_seconds(now_unix()).map(|t| t.to_string()),
            "event": "consent.evidence",
            "who": who,
            "id": id,
            "found": found.is_some(),
        });
        if let Err(e) = app.guard.audit.write(&event) {
            eprintln!("qianyue-receiver: {e}");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                HttpRule::AuditUnavailable,
            ));
        }
        found.ok_or_else(not_found)?
    };
    let pdf = render_record(&app, &record).await.map_err(unavailable)?;
    let mut r = (StatusCode::OK, pdf).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"qianyue-{id}.pdf\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> EvidenceFonts {
        EvidenceFonts::load(None).expect("fonts-wqy-zenhei (cargo xtask test installs it)")
    }

    #[test]
    fn lines_fit_and_closing_punctuation_stays_on_its_line() {
        let f = fonts();
        let m = Metrics::of(&f).unwrap();
        let text = "我单独同意中国移动广东公司处理本表填写的身份证件号码（敏感个人信息）。处理这些号码是为核验经办人和被委托人的身份及授权，为办理本业务所必需。 I separately consent to China Mobile Guangdong processing the identity document numbers.";
        for width in [60.0, 120.0, TEXT_W] {
            let lines = m.wrap(text, BODY, width);
            assert!(lines.len() > 1);
            for line in &lines {
                // One character may overhang: a closing mark kept with its word.
                assert!(m.width(line, BODY) <= width + BODY, "{line:?} at {width}");
                assert!(!line.starts_with(['，', '。', '）']), "{line:?}");
                assert!(!line.ends_with('（'), "{line:?}");
            }
            // Nothing lost but the spaces at the breaks.
            let joined: String = lines.concat();
            let squeeze = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
            assert_eq!(squeeze(&joined), squeeze(text));
            // Latin words are not cut.
            assert!(lines.iter().all(|l| !l.ends_with("Guang")));
        }
    }

    #[test]
    fn what_the_font_lacks_is_a_question_mark() {
        let f = fonts();
        let m = Metrics::of(&f).unwrap();
        assert_eq!(m.clean("签\u{7}约\u{10FFFD}"), "签 约?");
    }

    #[test]
    fn a_font_without_chinese_is_refused() {
        let latin = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        if let Ok(bytes) = latin {
            let e = EvidenceFonts::from_bytes(bytes, 0).err().unwrap();
            assert!(e.contains("no glyphs for Chinese"), "{e}");
        }
        assert!(EvidenceFonts::from_bytes(b"not a font".to_vec(), 0).is_err());
    }

    #[test]
    fn an_envelope_that_does_not_verify_still_gives_a_pdf_that_says_so() {
        let f = fonts();
        let pdf = render(
            &EvidenceInput {
                envelope: b"{\"payload\":{},\"signature\":\"x\"}",
                receipt: b"{}",
                receiver_key: None,
            },
            &f,
        );
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.windows(12).any(|w| w == b"consent.json"));
    }
}
