//! Typed rule errors. Every refusal in the domain is a value of an enum declared with
//! [`rule_errors!`], which gives it a stable machine code (`"uscc.check_char"`) and a message in
//! each UI language. The codes are public (the CLI and the receiver print them); the messages are
//! kept here, beside the rule, so the browser and the receiver word a failure the same way.

/// The languages the product speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    ZhCn,
    En,
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

/// Any rule error reduced to its code and messages, for callers that hold errors of several
/// rules at once (the form's error list, the UI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleMessage {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl RuleMessage {
    pub fn of<E: RuleError>(error: E) -> RuleMessage {
        RuleMessage {
            code: error.code(),
            zh: error.message_zh(),
            en: error.message_en(),
        }
    }

    pub fn text(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.zh,
            Locale::En => self.en,
        }
    }
}

impl<E: RuleError> From<E> for RuleMessage {
    fn from(error: E) -> RuleMessage {
        RuleMessage::of(error)
    }
}
