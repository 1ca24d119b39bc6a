//! The origins allowed to embed the app in a frame and to talk to it: the same list as the
//! receiver's `frame-ancestors` (`QIANYUE_FRAME_ANCESTORS`), served to the frame as
//! `/embed-config.json`: `{"allowed_origins": ["https://portal.example.com", "'self'"]}`.
//!
//! The grammar and the matching are the domain's (`qianyue_domain::origins`), the same rule
//! the receiver's CSP and CORS apply; this module only reads the served text and remembers the
//! app's own origin for `'self'`. An entry that does not parse allows nothing; without a
//! readable list only the app's own origin is allowed, as the receiver's default
//! `frame-ancestors 'self'`.

use qianyue_domain::origins::AllowList as Rule;

/// Where the frame reads its allow-list (an absolute path on the app's origin).
pub const CONFIG_PATH: &str = "/embed-config.json";

/// The allow-list of one deployment, with the app's own origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowList {
    rule: Rule,
    own_origin: String,
}

impl AllowList {
    /// The list from its entries; `own_origin` stands for `'self'`.
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a str>, own_origin: &str) -> AllowList {
        AllowList {
            rule: Rule::lenient(entries),
            own_origin: own_origin.to_owned(),
        }
    }

    /// The list in `/embed-config.json`'s text; an unreadable text allows only `own_origin`.
    pub fn from_config(json: Option<&str>, own_origin: &str) -> AllowList {
        let listed: Option<Vec<String>> = json.and_then(crate::api::read_json).and_then(|v| {
            v.get("allowed_origins")?
                .as_array()?
                .iter()
                .map(|o| o.as_str().map(str::to_owned))
                .collect()
        });
        match listed {
            Some(list) => AllowList::new(list.iter().map(String::as_str), own_origin),
            None => AllowList::new(["'self'"], own_origin),
        }
    }

    /// Whether `origin` (a `MessageEvent.origin`, or a parent's origin) is on the list.
    pub fn allows(&self, origin: &str) -> bool {
        self.rule.allows(origin, Some(&self.own_origin))
    }

    /// The one origin on the list, if it has exactly one entry naming one origin: the parent
    /// must then be that origin.
    pub fn only_origin(&self) -> Option<String> {
        self.rule.only_origin(Some(&self.own_origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "http://127.0.0.1:8080";

    // The grammar's own cases are the domain's (`qianyue_domain::origins`); these check the
    // reading of the served text and `'self'`.

    #[test]
    fn exact_origins_and_self() {
        let list = AllowList::new(
            ["https://portal.example.com:443/", "http://localhost:8081"],
            OWN,
        );
        assert!(list.allows("https://portal.example.com"));
        assert!(list.allows("http://localhost:8081"));
        assert!(!list.allows("https://evil.portal.example.com"));
        assert!(!list.allows(OWN), "'self' is not implied by a list");
        let list = AllowList::new(["'self'", "https://*.example.com", "*"], OWN);
        assert!(list.allows(OWN));
        assert!(list.allows("https://a.example.com"));
        assert!(!list.allows("https://evilexample.com"));
        assert!(
            !list.allows("https://anything.test"),
            "a bare * allows nothing"
        );
    }

    #[test]
    fn config_text() {
        let list = AllowList::from_config(
            Some(r#"{"allowed_origins": ["http://localhost:8081"]}"#),
            OWN,
        );
        assert!(list.allows("http://localhost:8081"));
        assert_eq!(list.only_origin().as_deref(), Some("http://localhost:8081"));
        for unreadable in [None, Some("not json"), Some(r#"{"allowed_origins": "x"}"#)] {
            let list = AllowList::from_config(unreadable, OWN);
            assert!(list.allows(OWN));
            assert_eq!(list.only_origin().as_deref(), Some(OWN));
            assert!(!list.allows("http://localhost:8081"));
        }
    }
}
