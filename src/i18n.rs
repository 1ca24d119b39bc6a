//! The reader's language choice and the UI's own words. Rule messages come from the domain crate.

use qianyue_domain::error::{Locale, RuleMessage};

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

    /// A rule message in this choice's language(s).
    pub fn message(self, message: &RuleMessage) -> String {
        match self {
            UiLocale::Zh => message.text(Locale::ZhCn).to_owned(),
            UiLocale::En => message.text(Locale::En).to_owned(),
            UiLocale::Both => format!("{} / {}", message.zh, message.en),
        }
    }

    /// A pair of UI words in this choice's language(s).
    pub fn pick(self, zh: &'static str, en: &'static str) -> String {
        match self {
            UiLocale::Zh => zh.to_owned(),
            UiLocale::En => en.to_owned(),
            UiLocale::Both => format!("{zh} / {en}"),
        }
    }
}
