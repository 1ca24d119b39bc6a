//! The reader's language choice and the UI's own words. Rule messages come from the domain crate.

use qianyue_domain::error::{show, Languages, Locale, Message};

/// What the reader chose to see: Chinese, English, or both side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UiLocale {
    Zh,
    En,
    Both,
}

impl UiLocale {
    pub const ALL: [UiLocale; 3] = [UiLocale::Zh, UiLocale::En, UiLocale::Both];

    /// The value of the `data-locale` hook (contract.md §3).
    pub fn hook(self) -> &'static str {
        match self {
            UiLocale::Zh => "zh-CN",
            UiLocale::En => "en",
            UiLocale::Both => "both",
        }
    }

    /// The `lang` of the page root: the binding language when both are shown.
    pub fn html_lang(self) -> &'static str {
        match self {
            UiLocale::En => "en",
            UiLocale::Zh | UiLocale::Both => "zh-CN",
        }
    }

    pub fn button_label(self) -> &'static str {
        match self {
            UiLocale::Zh => "中文",
            UiLocale::En => "English",
            UiLocale::Both => "中文 / English",
        }
    }

    /// Words in this choice's language(s) (`qianyue_domain::error::show`).
    pub fn show(self, zh: &str, en: &str) -> String {
        show(self, zh, en)
    }

    /// A message in this choice's language(s).
    pub fn message(self, message: &Message) -> String {
        message.text(self)
    }

    /// A pair of UI words in this choice's language(s).
    pub fn pick(self, zh: &'static str, en: &'static str) -> String {
        self.show(zh, en)
    }
}

/// The note on a value a signing request made read-only: the carrier's, not the signer's to
/// change (docs/requests.md).
pub const LOCKED_BY_REQUEST: (&str, &str) = (
    "（由中国移动提供；如需更改请联系客户经理）",
    " (Provided by China Mobile; contact your account manager to change it)",
);

/// Chinese, English, or both (Chinese first).
impl Languages for UiLocale {
    fn languages(self) -> &'static [Locale] {
        match self {
            UiLocale::Zh => &[Locale::ZhCn],
            UiLocale::En => &[Locale::En],
            UiLocale::Both => &[Locale::ZhCn, Locale::En],
        }
    }
}
