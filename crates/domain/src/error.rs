//! Typed rule errors. Every refusal in the domain is a value of an enum declared with
//! [`rule_errors!`], which gives it a stable machine code (`"uscc.check_char"`) and a message in
//! each UI language. The codes are public (the CLI and the receiver print them); the messages are
//! kept here, beside the rule, so the browser and the receiver word a failure the same way.

use std::borrow::Cow;

/// The languages the product speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    ZhCn,
    En,
}

/// The language(s) a reader sees, in order: one [`Locale`], or a UI's choice of both.
pub trait Languages: Copy {
    fn languages(self) -> &'static [Locale];
}

impl Languages for Locale {
    fn languages(self) -> &'static [Locale] {
        match self {
            Locale::ZhCn => &[Locale::ZhCn],
            Locale::En => &[Locale::En],
        }
    }
}

/// Words in the reader's language(s): the one place where both are joined (Chinese, the
/// binding text, first: `"此项必填 / This field is required"`).
pub fn show(reader: impl Languages, zh: &str, en: &str) -> String {
    let words: Vec<&str> = reader
        .languages()
        .iter()
        .map(|l| match l {
            Locale::ZhCn => zh,
            Locale::En => en,
        })
        .collect();
    words.join(" / ")
}

/// Implemented by every typed rule error.
pub trait RuleError: Copy + core::fmt::Debug {
    /// Stable code, `"<rule>.<check>"`; never reworded once published.
    fn code(&self) -> &'static str;
    fn message_zh(&self) -> &'static str;
    fn message_en(&self) -> &'static str;
    fn message(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.message_zh(),
            Locale::En => self.message_en(),
        }
    }
}

/// Declares a rule-error enum: each variant with its code, its zh-CN and its en message.
///
/// ```ignore
/// rule_errors! {
///     /// Why a mobile number was refused.
///     pub enum MobileError {
///         Length => "mobile.length", "手机号码应为11位数字", "A mobile number has 11 digits";
///     }
/// }
/// ```
#[macro_export]
macro_rules! rule_errors {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal, $zh:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, for message tables and exhaustive tests.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        impl $crate::error::RuleError for $name {
            fn code(&self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
            fn message_zh(&self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }
            fn message_en(&self) -> &'static str {
                match self { $($name::$variant => $en,)+ }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($crate::error::RuleError::message_en(self))
            }
        }

        impl std::error::Error for $name {}
    };
}

/// The one bilingual message of the product: a stable code and its zh-CN and en wording.
///
/// Field errors, refusals, the outbox's problems and the host page's events all carry this
/// type, and it is serialised in one shape everywhere: `{"code", "message_zh", "message_en"}`
/// (contract.md). A message made from a rule borrows its static text; one read from the wire
/// owns it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub code: Cow<'static, str>,
    #[serde(rename = "message_zh")]
    pub zh: Cow<'static, str>,
    #[serde(rename = "message_en")]
    pub en: Cow<'static, str>,
}

/// The name under which the domain's rule errors travel reduced to a message (kept for the
/// callers that hold errors of several rules at once: the form's error list, the UI).
pub type RuleMessage = Message;

impl Message {
    /// The message of a rule error (borrowed, no allocation).
    pub fn of<E: RuleError>(error: E) -> Message {
        Message {
            code: Cow::Borrowed(error.code()),
            zh: Cow::Borrowed(error.message_zh()),
            en: Cow::Borrowed(error.message_en()),
        }
    }

    /// A message that is not a rule of the domain (the app's own words, a host event).
    pub fn new(
        code: impl Into<Cow<'static, str>>,
        zh: impl Into<Cow<'static, str>>,
        en: impl Into<Cow<'static, str>>,
    ) -> Message {
        Message {
            code: code.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    /// The wording in one language.
    pub fn text_in(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.zh,
            Locale::En => &self.en,
        }
    }

    /// The wording in the reader's language(s) ([`show`]).
    pub fn text(&self, reader: impl Languages) -> String {
        show(reader, &self.zh, &self.en)
    }
}

impl<E: RuleError> From<E> for Message {
    fn from(error: E) -> Message {
        Message::of(error)
    }
}
