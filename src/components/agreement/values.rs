//! How a form value is shown in a blank of the agreement (content README 1.5): the domain's
//! `labels::blank_value` (dates in the cell's language, enumerated values in English in the
//! English text, everything else as entered), which the receiver's evidence PDF also uses. A
//! value not known yet is the empty string (the blank stays a visible line).

use qianyue_domain::content::Lang;

/// The text shown for the placeholder `path` whose form value is `raw`, in `lang`.
pub fn display(path: &str, raw: &str, lang: Lang) -> String {
    qianyue_domain::labels::blank_value(path, raw, lang)
}
