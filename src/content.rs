//! The agreement's text as the app has it. The Chinese — the binding text, and the one the
//! first screen shows — comes with the served page: `index.html` carries each part's file
//! verbatim beside the markup rendered at build time (src/prerender.rs), where it costs about
//! 2 KB brotli against 13 KB inside the wasm, since the markup holds the same words
//! (docs/bytes.md "The Chinese text once"). The app reads it from there (`takeover.js`, or
//! embed.js's copy from `embed-files.html` on a portal's page) and accepts it only if its
//! content hash is the one this build signs for (`CURRENT_CONTENT_HASHES`): what the reader
//! is shown is what the consent names. The English is a deferred part of its own
//! (`english`), fetched the first time a reader asks for English or both languages: 13 KB
//! brotli that a Chinese reader's journey does not download. Signing needs neither text: the
//! content hashes a consent names are the domain's constants.
//!
//! In a build without the split (tests, `trunk serve`, the build-time render) both languages
//! are in the binary and parsed at first use, so [`chinese`] and [`english`] always have them.

use std::fmt;
use std::sync::OnceLock;

use qianyue_domain::content::{parse_part, source_en, Block, Lang, LoadError, PartId};

use crate::deferred::deferred;

/// The blocks of the four parts in one language, in document order ([`PartId::index`]).
pub type Texts = [Vec<Block>; 4];

fn parse_texts<'a>(lang: Lang, file: impl Fn(PartId) -> &'a str) -> Result<Texts, LoadError> {
    let [a, b, c, d] = PartId::ALL.map(|part| parse_part(part, lang, file(part)));
    Ok([a?, b?, c?, d?])
}

/// Why the Chinese text is not there: a build that passed its tests never shows this, but a
/// page served with another build's text (a stale cache, an edited copy) would.
#[derive(Debug)]
pub enum TextError {
    /// The served page does not carry the part's file.
    Missing(PartId),
    /// A file that does not parse.
    Unparsed(LoadError),
    /// The part's text is not the one whose content hash this build signs for.
    Altered(PartId),
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Missing(part) => write!(f, "{}.zh.txt is not in the page", part.hook()),
            TextError::Unparsed(error) => write!(f, "{error}"),
            TextError::Altered(part) => write!(
                f,
                "{}.zh.txt is not the text this version signs for (content hash)",
                part.hook()
            ),
        }
    }
}

/// The Chinese text, read and parsed on first use, or why it cannot be shown.
pub fn chinese() -> Result<&'static Texts, &'static TextError> {
    static ZH: OnceLock<Result<Texts, TextError>> = OnceLock::new();
    ZH.get_or_init(load_chinese).as_ref()
}

#[cfg(not(feature = "split"))]
fn load_chinese() -> Result<Texts, TextError> {
    parse_texts(Lang::Zh, qianyue_domain::content::source_zh).map_err(TextError::Unparsed)
}

/// From the served page, each part checked against the content hash the consent will name.
#[cfg(feature = "split")]
fn load_chinese() -> Result<Texts, TextError> {
    use qianyue_domain::content::{canonical_hash, version_content_hash, AGREEMENT_VERSION};
    let files = PartId::ALL.map(|part| crate::takeover::served_text(part.hook()));
    if let Some(part) = PartId::ALL
        .into_iter()
        .find(|part| files[part.index()].is_empty())
    {
        return Err(TextError::Missing(part));
    }
    let texts = parse_texts(Lang::Zh, |part| &files[part.index()]).map_err(TextError::Unparsed)?;
    for part in PartId::ALL {
        let signed_for = version_content_hash(AGREEMENT_VERSION, part, Lang::Zh);
        if signed_for != Some(canonical_hash(&texts[part.index()]).as_str()) {
            return Err(TextError::Altered(part));
        }
    }
    Ok(texts)
}

static EN: OnceLock<Result<Texts, LoadError>> = OnceLock::new();

/// The English text once it is here ([`load_english`]), `None` before.
pub fn english() -> Option<Result<&'static Texts, &'static LoadError>> {
    #[cfg(not(feature = "split"))]
    EN.get_or_init(|| parse_texts(Lang::En, source_en));
    EN.get().map(Result::as_ref)
}

deferred!(english;
    /// The four English files, in the part's own chunk.
    fn english_files() -> [&'static str; 4] {
        PartId::ALL.map(source_en)
    }
);

/// Fetches the English part (once; later calls return at once) and parses it.
pub async fn load_english() -> Result<(), crate::deferred::LoadError> {
    if EN.get().is_none() {
        let files = english_files().await?;
        let _ = EN.set(parse_texts(Lang::En, |part| files[part.index()]));
    }
    Ok(())
}

/// Where the English text is for this page (`AppState::english`): the agreement shows English
/// only once it is [`EnglishText::Here`], and the Chinese meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnglishText {
    NotAsked,
    Loading,
    Here,
    /// Its part could not be fetched (offline before the service worker had it): the next
    /// choice of English asks again.
    Failed,
}

impl EnglishText {
    /// `data-english` of the status line the agreement shows meanwhile.
    pub fn hook(self) -> &'static str {
        match self {
            EnglishText::NotAsked => "not-asked",
            EnglishText::Loading => "loading",
            EnglishText::Here => "here",
            EnglishText::Failed => "failed",
        }
    }

    /// Where it is at start: here already in a build without the split.
    pub fn at_start() -> EnglishText {
        if english().is_some() {
            EnglishText::Here
        } else {
            EnglishText::NotAsked
        }
    }
}

/// Fetches the English unless it is here or on its way, and says in `english` how that went.
pub fn ask_for_english(english: leptos::prelude::RwSignal<EnglishText>) {
    use leptos::prelude::{GetUntracked, Set};
    if matches!(
        english.get_untracked(),
        EnglishText::Here | EnglishText::Loading
    ) {
        return;
    }
    english.set(EnglishText::Loading);
    leptos::task::spawn_local(async move {
        let here = load_english().await.is_ok() && matches!(self::english(), Some(Ok(_)));
        english.set(if here {
            EnglishText::Here
        } else {
            EnglishText::Failed
        });
    });
}

/// The blocks of `part` in `lang`, if that text is here.
pub fn blocks(part: PartId, lang: Lang) -> Option<&'static [Block]> {
    let texts = match lang {
        Lang::Zh => chinese().ok()?,
        Lang::En => english()?.ok()?,
    };
    Some(&texts[part.index()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use qianyue_domain::content::agreement;

    #[test]
    fn both_languages_are_the_domains_agreement() {
        for part in PartId::ALL {
            let whole = agreement().part(part);
            assert_eq!(blocks(part, Lang::Zh), Some(whole.zh.as_slice()));
            assert_eq!(blocks(part, Lang::En), Some(whole.en.as_slice()));
        }
    }
}
