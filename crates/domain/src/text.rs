//! Input normalisation shared by the identifier parsers.
//!
//! People type identifiers on phones with a Chinese input method, paste them from PDFs and
//! spreadsheets, or copy them from a web page. Before any rule is checked, every parser in this
//! crate folds the input with [`fold_width`]; what it then removes depends on the identifier,
//! and each parser's module documentation says exactly which of these helpers it applies:
//!
//! | helper | folds width | trims | removes inside |
//! |---|---|---|---|
//! | [`fold_width`] | yes | no | invisible format characters only |
//! | [`normalise`] | yes | yes | invisible format characters only |
//! | [`without_spaces`] | yes | (everything) | all white space |
//! | [`without_spaces_and_dashes`] | yes | (everything) | all white space and every dash of [`is_dash`] |
//!
//! What "folding" means, precisely:
//!
//! - U+FF01..=U+FF5E (FULLWIDTH EXCLAMATION MARK .. FULLWIDTH TILDE) become the ASCII character
//!   0xFEE0 below them (`１` → `1`, `Ｘ` → `X`, `＠` → `@`, `－` → `-`, `（` → `(`);
//! - U+3000 IDEOGRAPHIC SPACE becomes an ASCII space;
//! - the invisible format characters that pasting drags along, U+200B ZERO WIDTH SPACE,
//!   U+200C ZWNJ, U+200D ZWJ, U+2060 WORD JOINER and U+FEFF (BOM / ZWNBSP), are dropped;
//! - nothing else changes: no case mapping (each parser decides), no Unicode normalisation
//!   form, no other compatibility folding (circled digits, Arabic-Indic digits etc. stay what
//!   they are and are refused by the parsers' character-set checks).
//!
//! "White space" is [`char::is_whitespace`] (ASCII space, tab, line breaks, NO-BREAK SPACE,
//! U+3000, …). Trimming uses the same definition.

/// Folds one character: full-width ASCII to ASCII, ideographic space to a space.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// The zero-width format characters dropped by [`fold_width`].
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// A character that changes how text around it is displayed without being seen: the
/// zero-width characters U+200B–U+200D, the directional marks U+200E–U+200F, the embeddings
/// and overrides U+202A–U+202E, the isolates U+2066–U+2069, U+2060 WORD JOINER and U+FEFF.
/// In a name, an address or a remark they let a value read differently from what it holds
/// (U+202E reverses what follows): free text refuses them (`field.invisible_chars`), while the
/// identifier parsers drop the zero-width ones that pasting drags along ([`is_invisible`]).
pub fn is_format_control(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// A dash a person may type between digit groups: ASCII HYPHEN-MINUS (and, after folding, the
/// full-width one), U+2010 HYPHEN .. U+2015 HORIZONTAL BAR (hyphens, en and em dashes: a Chinese
/// input method types `——` for Shift+minus), and U+2212 MINUS SIGN.
pub fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// [`fold_char`] applied to every character, invisible format characters dropped. Not trimmed.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_invisible(c))
        .map(fold_char)
        .collect()
}

/// [`fold_width`], then leading and trailing white space removed.
pub fn normalise(s: &str) -> String {
    fold_width(s).trim().to_owned()
}

/// [`fold_width`], then every white-space character removed (also inside: `4403 0719…`).
pub fn without_spaces(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_invisible(c))
        .map(fold_char)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// [`fold_width`], then every white-space character and every dash of [`is_dash`] removed.
pub fn without_spaces_and_dashes(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_invisible(c))
        .map(fold_char)
        .filter(|&c| !c.is_whitespace() && !is_dash(c))
        .collect()
}

/// The first `head` and last `tail` characters kept, every other character replaced by `*`.
/// If the string is not longer than `head + tail`, every character is masked.
pub fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let n = s.chars().count();
    if n <= head + tail {
        return "*".repeat(n);
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

/// Text without case, for comparing names: each character lowercased by Unicode's mapping
/// (as `char::to_lowercase`), and the final sigma `ς` folded with `σ`. `str::to_lowercase`
/// chooses between `σ` and `ς` by the letters around a `Σ`; folding both the same is what a
/// comparison wants, and any two texts equal under `str::to_lowercase` stay equal here. The
/// mapping is a table of runs (build.rs) rather than core's 12 KB one, which every wasm
/// module that lowercased would carry.
pub fn fold_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match lowercase(c) {
            Lower::One('ς') => out.push('σ'),
            Lower::One(l) => out.push(l),
            Lower::Many(l) => out.push_str(l),
        }
    }
    out
}

enum Lower {
    One(char),
    Many(&'static str),
}

fn lowercase(c: char) -> Lower {
    if c.is_ascii() {
        return Lower::One(c.to_ascii_lowercase());
    }
    let code = u32::from(c);
    let runs = lowercase_table::LOWERCASE_RUNS;
    // The last run starting at or before `c`.
    let i = runs.partition_point(|&(packed, _)| packed & 0x1F_FFFF <= code);
    if let Some(&(packed, delta)) = i.checked_sub(1).and_then(|i| runs.get(i)) {
        let (first, stride, count) = (
            packed & 0x1F_FFFF,
            (packed >> 21 & 1) + 1,
            (packed >> 22) + 1,
        );
        let offset = code - first;
        if offset % stride == 0 && offset / stride < count {
            let lower = code.wrapping_add_signed(delta);
            return Lower::One(char::from_u32(lower).unwrap_or(c));
        }
    }
    match lowercase_table::LOWERCASE_MULTI
        .iter()
        .find(|(m, _)| *m == c)
    {
        Some((_, lower)) => Lower::Many(lower),
        None => Lower::One(c),
    }
}

mod lowercase_table {
    include!(concat!(env!("OUT_DIR"), "/lowercase.rs"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_case_lowercases_every_character_as_the_standard_library_does() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let std: String = c
                .to_lowercase()
                .map(|l| if l == 'ς' { 'σ' } else { l })
                .collect();
            assert_eq!(fold_case(&c.to_string()), std, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn fold_case_keeps_texts_equal_that_str_to_lowercase_makes_equal() {
        // The sigma: `str::to_lowercase` ends a word with ς, a reader may type σ or ς.
        assert_eq!(fold_case("ΟΔΥΣΣΕΑΣ"), fold_case("οδυσσεας"));
        assert_eq!(
            fold_case("ΟΔΥΣΣΕΑΣ"),
            fold_case("οδυσσεαζ".replace('ζ', "ς").as_str())
        );
        assert_eq!(fold_case("José ÅSTRÖM"), "josé åström");
        assert_eq!(fold_case("İlker"), "i\u{307}lker");
        assert_eq!(fold_case("张伟 Zhang"), "张伟 zhang");
    }

    proptest::proptest! {
        #[test]
        fn fold_case_is_str_to_lowercase_with_one_sigma(s in "\\PC{0,24}") {
            proptest::prop_assert_eq!(fold_case(&s), s.to_lowercase().replace('ς', "σ"));
        }
    }

    #[test]
    fn folds_the_whole_fullwidth_block_and_nothing_else() {
        assert_eq!(fold_char('\u{FF01}'), '!');
        assert_eq!(fold_char('\u{FF5E}'), '~');
        assert_eq!(fold_char('１'), '1');
        assert_eq!(fold_char('ｘ'), 'x');
        assert_eq!(fold_char('＠'), '@');
        assert_eq!(fold_char('\u{3000}'), ' ');
        assert_eq!(fold_char('\u{FF00}'), '\u{FF00}');
        assert_eq!(fold_char('\u{FF5F}'), '\u{FF5F}');
        assert_eq!(fold_char('中'), '中');
        assert_eq!(fold_char('①'), '①');
        for c in '\u{FF01}'..='\u{FF5E}' {
            let folded = fold_char(c);
            assert!(folded.is_ascii_graphic(), "{c:?} folded to {folded:?}");
        }
    }

    #[test]
    fn normalise_trims_after_folding() {
        assert_eq!(normalise("\u{3000} １３８\u{200B} "), "138");
        assert_eq!(normalise("a b"), "a b");
        assert_eq!(normalise(""), "");
    }

    #[test]
    fn removes_spaces_and_dashes_where_asked() {
        assert_eq!(
            without_spaces("4403 0719\t8505\u{3000}201246"),
            "440307198505201246"
        );
        assert_eq!(without_spaces("0755-8888"), "0755-8888");
        assert_eq!(without_spaces_and_dashes("138-0013 8000"), "13800138000");
        assert_eq!(without_spaces_and_dashes("138——0013－8000"), "13800138000");
        assert_eq!(
            without_spaces_and_dashes("138\u{2212}0013\u{2013}8000"),
            "13800138000"
        );
        assert_eq!(without_spaces_and_dashes("\u{FEFF}138_0013"), "138_0013");
    }

    #[test]
    fn format_controls_are_the_listed_ranges() {
        let listed: Vec<u32> = (0x200B..=0x200F)
            .chain(0x202A..=0x202E)
            .chain([0x2060])
            .chain(0x2066..=0x2069)
            .chain([0xFEFF])
            .collect();
        for u in 0..=0x10FFFF_u32 {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(is_format_control(c), listed.contains(&u), "U+{u:04X}");
            }
        }
        // Everything dropped silently from identifiers is refused in free text.
        for c in ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'] {
            assert!(is_invisible(c) && is_format_control(c));
        }
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(
            mask_middle("440307198505201246", 4, 4),
            "4403**********1246"
        );
        assert_eq!(mask_middle("H12345678", 2, 2), "H1*****78");
        assert_eq!(mask_middle("abc", 2, 2), "***");
        assert_eq!(mask_middle("", 1, 1), "");
    }
}
