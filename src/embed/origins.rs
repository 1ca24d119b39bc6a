//! The origins allowed to embed the app in a frame and to talk to it: the same list as the
//! receiver's `frame-ancestors` (`QIANYUE_FRAME_ANCESTORS`), served to the frame as
//! `/embed-config.json`: `{"allowed_origins": ["https://portal.example.com", "'self'"]}`.
//!
//! An entry is `'self'` (the app's own origin), an origin (`https://portal.example.com`,
//! `http://127.0.0.1:8081`) or a wildcard of subdomains (`https://*.example.com`); `'none'` and
//! anything else allow nothing. Without a readable list only the app's own origin is allowed,
//! as the receiver's default `frame-ancestors 'self'`.

/// Where the frame reads its allow-list (an absolute path on the app's origin).
pub const CONFIG_PATH: &str = "/embed-config.json";

/// The allow-list of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowList {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// An exact origin, serialised as browsers do (no default port, no trailing slash).
    Exact(String),
    /// `scheme://*.suffix[:port]`: any subdomain of `suffix`.
    Subdomains {
        scheme: String,
        suffix: String,
        port: Option<String>,
    },
}

/// Splits `scheme://host[:port]` (lower-cased, trailing `/` dropped, default port removed).
fn split_origin(s: &str) -> Option<(String, String, Option<String>)> {
    let s = s.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = s.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains(['/', '?', '#', '@'])
    {
        return None;
    }
    let (host, port) = match rest.find(']') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        Some(end) => match &rest[end + 1..] {
            "" => (&rest[..=end], None),
            after => (&rest[..=end], Some(after.strip_prefix(':')?)),
        },
        None => match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        },
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    if host.is_empty() {
        return None;
    }
    let default = if scheme == "https" { "443" } else { "80" };
    let port = port.filter(|p| *p != default).map(str::to_owned);
    Some((scheme.to_owned(), host.to_owned(), port))
}

fn serialise(scheme: &str, host: &str, port: Option<&str>) -> String {
    match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    }
}

impl AllowList {
    /// The list from its entries; `own_origin` stands for `'self'`.
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a str>, own_origin: &str) -> AllowList {
        let entries = entries
            .into_iter()
            .filter_map(|entry| {
                let entry = entry.trim();
                if entry == "'self'" {
                    return split_origin(own_origin)
                        .map(|(s, h, p)| Entry::Exact(serialise(&s, &h, p.as_deref())));
                }
                let (scheme, host, port) = split_origin(entry)?;
                match host.strip_prefix("*.") {
                    Some(suffix) if !suffix.is_empty() && !suffix.contains('*') => {
                        Some(Entry::Subdomains {
                            scheme,
                            suffix: suffix.to_owned(),
                            port,
                        })
                    }
                    Some(_) => None,
                    None if host.contains('*') => None,
                    None => Some(Entry::Exact(serialise(&scheme, &host, port.as_deref()))),
                }
            })
            .collect();
        AllowList { entries }
    }

    /// The list in `/embed-config.json`'s text; an unreadable text allows only `own_origin`.
    pub fn from_config(json: Option<&str>, own_origin: &str) -> AllowList {
        let listed: Option<Vec<String>> = json
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
            .and_then(|v| {
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
        let Some((scheme, host, port)) = split_origin(origin) else {
            return false;
        };
        let exact = serialise(&scheme, &host, port.as_deref());
        self.entries.iter().any(|entry| match entry {
            Entry::Exact(o) => *o == exact,
            Entry::Subdomains {
                scheme: s,
                suffix,
                port: p,
            } => {
                *s == scheme
                    && *p == port
                    && host.len() > suffix.len() + 1
                    && host.ends_with(suffix.as_str())
                    && host[..host.len() - suffix.len()].ends_with('.')
            }
        })
    }

    /// The one exact origin on the list, if it has exactly one entry and that is exact: the
    /// parent must then be that origin.
    pub fn only_origin(&self) -> Option<&str> {
        match self.entries.as_slice() {
            [Entry::Exact(o)] => Some(o),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "http://127.0.0.1:8080";

    #[test]
    fn exact_origins_match_as_browsers_serialise_them() {
        let list = AllowList::new(
            ["https://portal.example.com:443/", "http://localhost:8081"],
            OWN,
        );
        assert!(list.allows("https://portal.example.com"));
        assert!(list.allows("HTTPS://Portal.Example.com"));
        assert!(list.allows("http://localhost:8081"));
        assert!(!list.allows("http://localhost:8082"));
        assert!(!list.allows("http://portal.example.com"));
        assert!(!list.allows("https://evil.portal.example.com"));
        assert!(!list.allows("null"));
        assert!(!list.allows(OWN), "'self' is not implied by a list");
    }

    #[test]
    fn self_and_wildcards() {
        let list = AllowList::new(["'self'", "https://*.example.com"], OWN);
        assert!(list.allows(OWN));
        assert!(list.allows("https://a.example.com"));
        assert!(list.allows("https://a.b.example.com"));
        assert!(!list.allows("https://example.com"));
        assert!(!list.allows("https://badexample.com"));
        assert!(!list.allows("http://a.example.com"));
        assert!(!list.allows("https://a.example.com:8443"));
    }

    #[test]
    fn nonsense_allows_nothing() {
        let list = AllowList::new(
            [
                "'none'",
                "*",
                "https://*",
                "https://a.*.com",
                "javascript:x",
                "https://a.com/path",
            ],
            OWN,
        );
        assert_eq!(list.entries, vec![]);
        assert!(!list.allows("https://a.com"));
    }

    #[test]
    fn config_text() {
        let list = AllowList::from_config(
            Some(r#"{"allowed_origins": ["http://localhost:8081"]}"#),
            OWN,
        );
        assert!(list.allows("http://localhost:8081"));
        assert_eq!(list.only_origin(), Some("http://localhost:8081"));
        for unreadable in [None, Some("not json"), Some(r#"{"allowed_origins": "x"}"#)] {
            let list = AllowList::from_config(unreadable, OWN);
            assert!(list.allows(OWN));
            assert!(!list.allows("http://localhost:8081"));
        }
    }
}
