//! The agreement's text as the app has it. The Chinese — the binding text, and the one the
//! first screen shows — is in the main module; the English is a deferred part of its own
//! (`english`), fetched the first time a reader asks for English or both languages: 13 KB
//! brotli that a Chinese reader's journey does not download (docs/bytes.md). Signing needs
//! neither text: the content hashes a consent names are the domain's constants
//! (`CURRENT_CONTENT_HASHES`).
//!
//! In a build without the split (tests, `trunk serve`, the build-time render) the English is
//! parsed at first use like the Chinese, so [`english`] always has it there.

use std::sync::OnceLock;

use qianyue_domain::content::{parse_part, source_en, source_zh, Block, Lang, LoadError, PartId};

use crate::deferred::deferred;

/// The blocks of the four parts in one language, in document order ([`PartId::index`]).
pub type Texts = [Vec<Block>; 4];

fn parse_texts(lang: Lang, file: impl Fn(PartId) -> &'static str) -> Result<Texts, LoadError> {
    let [a, b, c, d] = PartId::ALL.map(|part| parse_part(part, lang, file(part)));
    Ok([a?, b?, c?, d?])
}

/// The Chinese text, parsed on first use, or the first file that does not parse (which the
/// domain's tests rule out for a tested build).
pub fn chinese() -> Result<&'static Texts, &'static LoadError> {
    static ZH: OnceLock<Result<Texts, LoadError>> = OnceLock::new();
    ZH.get_or_init(|| parse_texts(Lang::Zh, source_zh)).as_ref()
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
