//! The portal-origin allow-list: who may embed the app (the receiver's CSP `frame-ancestors`),
//! whose pages may call the receiver (its CORS), and whom the app's frame mode talks to
//! (`/embed-config.json`). One grammar, one matcher, here, for all three: before, the frame
//! allowed `https://portal.example.com:443` and CORS refused it, and `frame-ancestors`
//! accepted `https://*`, which the other two ignored (security review L2).
//!
//! # The grammar of an entry
//!
//! Compared without ASCII case, surrounding white space and one trailing `/` ignored:
//!
//! | entry | means |
//! |---|---|
//! | `'self'` | the app's own origin |
//! | `'none'` | nobody (allows nothing; kept for the CSP) |
//! | `scheme://host[:port]` | exactly that origin |
//! | `scheme://*.suffix[:port]` | any origin whose host ends with `.suffix` (not `suffix` itself), same scheme and port |
//!
//! - `scheme` is `https`, or `http` for this computer only: `localhost`, a name under
//!   `.localhost`, `127.0.0.0/8` or `[::1]` (`origin.insecure` otherwise: a plain-`http:` portal
//!   anywhere else could be impersonated on the network).
//! - A default port is the same origin without it (`https://…:443`, `http://…:80`), as browsers
//!   serialise origins: `https://portal.example.com:443` and `https://portal.example.com` are one
//!   entry, and match the `Origin` header `https://portal.example.com`.
//! - A wildcard is only the whole first label, before a *dotted* suffix (`*.example.com`, not
//!   `*.com`, `*`, `https://*`, `a.*.com` or `*example.com`): a bare `*` would let any site frame
//!   the consent page (`origin.bare_wildcard`).
//! - No path, query, fragment or user info; a host of letters, digits, `-` and `.` (IDNs in
//!   their `xn--` form), or an IPv6 literal in brackets; a port from 1 to 65535.
//!
//! The receiver refuses to start on an entry that does not parse ([`Source::parse`]); the app,
//! reading a list the receiver already checked, ignores one ([`AllowList::lenient`]).

use crate::error::RuleError;

crate::rule_errors! {
    /// Why an allow-list entry was refused.
    pub enum OriginError {
        Empty => "origin.empty",
            "来源为空",
            "The origin is empty";
        BareWildcard => "origin.bare_wildcard",
            "不能用单独的 * 允许所有网站，请逐一列出来源",
            "A bare * would allow every site; list the origins";
        Scheme => "origin.scheme",
            "来源应以 https:// 开头",
            "An origin starts with https://";
        Path => "origin.path",
            "来源只包含协议、主机名和端口，不含路径、查询或用户名",
            "An origin is a scheme, a host and a port only: no path, query or user name";
        Port => "origin.port",
            "端口应为1至65535的数字",
            "The port is a number from 1 to 65535";
        Host => "origin.host",
            "主机名无效",
            "The host name is not valid";
        Wildcard => "origin.wildcard",
            "通配符只能作为第一级，且其后至少有两级域名，如 https://*.example.com",
            "A wildcard may only be the first label, before at least two more: https://*.example.com";
        Insecure => "origin.insecure",
            "http:// 只能用于本机地址（localhost、127.0.0.1、[::1]），其他来源请用 https://",
            "http:// is only for this computer (localhost, 127.0.0.1, [::1]); use https:// for any other origin";
    }
}

/// A scheme an origin may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Https,
    Http,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Https => 443,
            Scheme::Http => 80,
        }
    }
}

/// An origin as browsers serialise it: scheme, lower-case host, port unless the default.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// Reads `scheme://host[:port]` (the grammar above, wildcard excluded; `http:` anywhere is
    /// read, since an `Origin` header is what it is: [`Source::parse`] decides what may be
    /// listed).
    pub fn parse(s: &str) -> Result<Origin, OriginError> {
        let (scheme, host, port) = split(s)?;
        if host.contains('*') {
            return Err(OriginError::Wildcard);
        }
        Ok(Origin { scheme, host, port })
    }

    /// `https://portal.example.com`, `http://127.0.0.1:8081`.
    pub fn serialised(&self) -> String {
        serialise(self.scheme, &self.host, self.port)
    }

    /// Whether the host is this computer: `localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.host)
    }
}

impl core::fmt::Display for Origin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.serialised())
    }
}

/// One entry of an allow-list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// `'self'`: the app's own origin.
    OwnOrigin,
    /// `'none'`: nobody.
    Nobody,
    /// Exactly one origin.
    Exact(Origin),
    /// `scheme://*.suffix[:port]`.
    Subdomains {
        scheme: Scheme,
        suffix: String,
        port: Option<u16>,
    },
}

impl Source {
    /// Reads one entry (module docs); `http:` only for this computer.
    pub fn parse(s: &str) -> Result<Source, OriginError> {
        let entry = s.trim();
        if entry.eq_ignore_ascii_case("'self'") {
            return Ok(Source::OwnOrigin);
        }
        if entry.eq_ignore_ascii_case("'none'") {
            return Ok(Source::Nobody);
        }
        let (scheme, host, port) = split(entry)?;
        let source = match host.strip_prefix("*.") {
            Some(suffix) => {
                let dotted = suffix.contains('.')
                    && !suffix.contains('*')
                    && suffix.split('.').all(|label| !label.is_empty());
                if !dotted || suffix.starts_with('[') {
                    return Err(OriginError::Wildcard);
                }
                Source::Subdomains {
                    scheme,
                    suffix: suffix.to_owned(),
                    port,
                }
            }
            None if host.contains('*') => return Err(OriginError::Wildcard),
            None => Source::Exact(Origin { scheme, host, port }),
        };
        let loopback = match &source {
            Source::Exact(o) => o.is_loopback(),
            Source::Subdomains { suffix, .. } => {
                suffix == "localhost" || suffix.ends_with(".localhost")
            }
            _ => true,
        };
        if scheme == Scheme::Http && !loopback {
            return Err(OriginError::Insecure);
        }
        Ok(source)
    }

    /// The entry as written into a CSP source list or `/embed-config.json`: normalised
    /// (lower case, default port dropped), so the three users read the same text.
    pub fn to_csp(&self) -> String {
        match self {
            Source::OwnOrigin => "'self'".into(),
            Source::Nobody => "'none'".into(),
            Source::Exact(o) => o.serialised(),
            Source::Subdomains {
                scheme,
                suffix,
                port,
            } => serialise(*scheme, &format!("*.{suffix}"), *port),
        }
    }

    /// Whether `origin` is this entry's; `own` is the app's own origin, if known.
    pub fn matches(&self, origin: &Origin, own: Option<&Origin>) -> bool {
        match self {
            Source::OwnOrigin => own == Some(origin),
            Source::Nobody => false,
            Source::Exact(o) => o == origin,
            Source::Subdomains {
                scheme,
                suffix,
                port,
            } => {
                let host = &origin.host;
                *scheme == origin.scheme
                    && *port == origin.port
                    && host.len() > suffix.len() + 1
                    && host.ends_with(suffix.as_str())
                    && host[..host.len() - suffix.len()].ends_with('.')
            }
        }
    }
}

/// An allow-list: the entries of `QIANYUE_FRAME_ANCESTORS` / `/embed-config.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    entries: Vec<Source>,
}

impl AllowList {
    /// Every entry, or the first that does not parse with its error.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<AllowList, (String, OriginError)> {
        let entries = entries
            .into_iter()
            .map(|e| Source::parse(e).map_err(|err| (e.to_owned(), err)))
            .collect::<Result<_, _>>()?;
        Ok(AllowList { entries })
    }

    /// The entries that parse; the others are ignored (they allow nothing).
    pub fn lenient<'a>(entries: impl IntoIterator<Item = &'a str>) -> AllowList {
        AllowList {
            entries: entries
                .into_iter()
                .filter_map(|e| Source::parse(e).ok())
                .collect(),
        }
    }

    pub fn entries(&self) -> &[Source] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `origin` (an `Origin` header, a `MessageEvent.origin`) is on the list; `own`
    /// is the app's own origin for `'self'` (`None`: `'self'` names no other origin, as for
    /// CORS, where a same-origin request needs none).
    pub fn allows(&self, origin: &str, own: Option<&str>) -> bool {
        let Ok(origin) = Origin::parse(origin) else {
            return false;
        };
        let own = own.and_then(|o| Origin::parse(o).ok());
        self.entries
            .iter()
            .any(|entry| entry.matches(&origin, own.as_ref()))
    }

    /// The one origin the list names, if it has exactly one entry and that is an exact origin
    /// (or `'self'`, with `own` given): a frame's parent must then be that origin.
    pub fn only_origin(&self, own: Option<&str>) -> Option<String> {
        match self.entries.as_slice() {
            [Source::Exact(o)] => Some(o.serialised()),
            [Source::OwnOrigin] => own
                .and_then(|o| Origin::parse(o).ok())
                .map(|o| o.serialised()),
            _ => None,
        }
    }

    /// The entries as a CSP source list (`frame-ancestors`), normalised.
    pub fn to_csp(&self) -> Vec<String> {
        self.entries.iter().map(Source::to_csp).collect()
    }
}

/// `scheme://host[:port]` → lower-case host, port unless the default.
fn split(s: &str) -> Result<(Scheme, String, Option<u16>), OriginError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(OriginError::Empty);
    }
    if s == "*" {
        return Err(OriginError::BareWildcard);
    }
    let s = s.strip_suffix('/').unwrap_or(s).to_ascii_lowercase();
    let (scheme, rest) = s.split_once("://").ok_or(OriginError::Scheme)?;
    let scheme = match scheme {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        _ => return Err(OriginError::Scheme),
    };
    if rest.contains(['/', '?', '#', '@', '\\']) {
        return Err(OriginError::Path);
    }
    if rest == "*" || rest.starts_with("*:") {
        return Err(OriginError::BareWildcard);
    }
    let (host, port) = match rest.find(']') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        Some(end) if rest.starts_with('[') => match &rest[end + 1..] {
            "" => (&rest[..=end], None),
            after => (
                &rest[..=end],
                Some(after.strip_prefix(':').ok_or(OriginError::Host)?),
            ),
        },
        Some(_) => return Err(OriginError::Host),
        None => match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        },
    };
    let port = match port {
        None => None,
        Some(p) => {
            let n = (!p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u16>().ok())
                .flatten()
                .filter(|&n| n > 0)
                .ok_or(OriginError::Port)?;
            (n != scheme.default_port()).then_some(n)
        }
    };
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner.strip_suffix(']').is_some_and(|v6| {
            !v6.is_empty()
                && v6
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        })
    } else {
        !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && (label == "*"
                        || label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            })
    };
    if !host_ok {
        return Err(OriginError::Host);
    }
    Ok((scheme, host.to_owned(), port))
}

fn serialise(scheme: Scheme, host: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("{}://{host}:{p}", scheme.as_str()),
        None => format!("{}://{host}", scheme.as_str()),
    }
}

fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") || host == "[::1]" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

/// A message for an entry refused at start-up: `"<entry>": <English message> (<code>)`.
pub fn describe(entry: &str, error: OriginError) -> String {
    format!("{entry:?}: {} ({})", error.message_en(), error.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "http://127.0.0.1:8080";

    fn list(entries: &[&str]) -> AllowList {
        AllowList::parse(entries.iter().copied()).unwrap()
    }

    fn refused(entry: &str) -> OriginError {
        Source::parse(entry).unwrap_err()
    }

    /// The review's case: the frame allowed it and CORS refused it; now one answer.
    #[test]
    fn a_default_port_is_the_same_origin_for_frame_and_cors() {
        let l = list(&["https://portal.example.com:443"]);
        // The frame (own origin known) and CORS (none) give the same answer.
        for own in [Some(OWN), None] {
            assert!(l.allows("https://portal.example.com", own));
            assert!(l.allows("https://portal.example.com:443", own));
            assert!(l.allows("HTTPS://Portal.Example.COM/", own));
            assert!(!l.allows("https://portal.example.com:8443", own));
            assert!(!l.allows("http://portal.example.com", own));
        }
        assert_eq!(l.to_csp(), ["https://portal.example.com"]);
        let http = list(&["http://localhost:80"]);
        assert!(http.allows("http://localhost", None));
        assert_eq!(http.to_csp(), ["http://localhost"]);
        assert_eq!(
            list(&["https://a.example.com:8443/"]).to_csp(),
            ["https://a.example.com:8443"]
        );
    }

    #[test]
    fn wildcards_that_would_allow_everyone_are_refused() {
        assert_eq!(refused("*"), OriginError::BareWildcard);
        assert_eq!(refused("https://*"), OriginError::BareWildcard);
        assert_eq!(refused("http://*"), OriginError::BareWildcard);
        assert_eq!(refused("https://*:443"), OriginError::BareWildcard);
        assert_eq!(refused("https://*.com"), OriginError::Wildcard);
        assert_eq!(refused("https://*.example."), OriginError::Host);
        assert_eq!(refused("https://a.*.com"), OriginError::Wildcard);
        assert_eq!(refused("https://*example.com"), OriginError::Host);
        assert_eq!(refused("https://*.*.example.com"), OriginError::Wildcard);
        assert!(AllowList::parse(["'self'", "*"]).is_err());
    }

    #[test]
    fn look_alike_suffixes_are_not_subdomains() {
        let l = list(&["https://*.example.com"]);
        assert!(l.allows("https://a.example.com", None));
        assert!(l.allows("https://a.b.example.com", None));
        assert!(l.allows("https://a.example.com:443", None));
        assert!(!l.allows("https://example.com", None), "the suffix itself");
        assert!(!l.allows("https://evilexample.com", None));
        assert!(!l.allows("https://a.evilexample.com", None));
        assert!(!l.allows("https://example.com.evil", None));
        assert!(!l.allows("https://a.example.com.evil", None));
        assert!(!l.allows("http://a.example.com", None), "another scheme");
        assert!(
            !l.allows("https://a.example.com:8443", None),
            "another port"
        );
        let with_port = list(&["https://*.example.com:8443"]);
        assert!(with_port.allows("https://a.example.com:8443", None));
        assert!(!with_port.allows("https://a.example.com", None));
    }

    #[test]
    fn self_and_none() {
        let l = list(&["'self'", "'none'"]);
        assert!(l.allows(OWN, Some(OWN)), "the frame knows its own origin");
        assert!(
            !l.allows(OWN, None),
            "'self' names no other origin for CORS"
        );
        assert!(!l.allows("'self'", Some(OWN)));
        assert!(!l.allows("null", Some(OWN)));
        assert_eq!(list(&["'self'"]).only_origin(Some(OWN)), Some(OWN.into()));
        assert_eq!(list(&["'self'"]).only_origin(None), None);
        assert_eq!(
            list(&["https://portal.example.com:443"]).only_origin(None),
            Some("https://portal.example.com".into())
        );
        assert_eq!(
            list(&["'self'", "https://a.example.com"]).only_origin(Some(OWN)),
            None
        );
        assert_eq!(list(&["'SELF'"]).to_csp(), ["'self'"]);
    }

    #[test]
    fn plain_http_only_for_this_computer() {
        for ok in [
            "http://localhost:8081",
            "http://127.0.0.1:8081",
            "http://127.1.2.3",
            "http://[::1]:8081",
            "http://app.localhost",
            "http://*.app.localhost:8081",
        ] {
            assert!(Source::parse(ok).is_ok(), "{ok}");
        }
        for insecure in [
            "http://portal.example.com",
            "http://10.0.0.1:8080",
            "http://127.0.0.1.example.com",
            "http://*.example.com",
            "http://localhost.example.com",
        ] {
            assert_eq!(refused(insecure), OriginError::Insecure, "{insecure}");
        }
        assert_eq!(
            refused("http://*.localhost"),
            OriginError::Wildcard,
            "not dotted"
        );
        // An http origin can still be read (it is just not listed).
        assert!(!list(&["https://portal.example.com"]).allows("http://portal.example.com", None));
    }

    #[test]
    fn the_shape_of_an_origin() {
        assert_eq!(refused(""), OriginError::Empty);
        assert_eq!(refused("portal.example.com"), OriginError::Scheme);
        assert_eq!(refused("javascript:x"), OriginError::Scheme);
        assert_eq!(refused("ftp://a.example.com"), OriginError::Scheme);
        assert_eq!(refused("https://a.example.com/path"), OriginError::Path);
        assert_eq!(refused("https://a.example.com?x"), OriginError::Path);
        assert_eq!(refused("https://user@a.example.com"), OriginError::Path);
        assert_eq!(refused("https://a.example.com:0"), OriginError::Port);
        assert_eq!(refused("https://a.example.com:65536"), OriginError::Port);
        assert_eq!(refused("https://a.example.com:"), OriginError::Port);
        assert_eq!(refused("https://a.example.com:x"), OriginError::Port);
        assert_eq!(
            refused("https://a.example.com;script-src"),
            OriginError::Host
        );
        assert_eq!(refused("https://a..example.com"), OriginError::Host);
        assert_eq!(refused("https://[zz]"), OriginError::Host);
        assert_eq!(refused("https://[::1]x"), OriginError::Host);
        assert!(Source::parse("https://xn--fiqs8s.example.com").is_ok());
        assert!(Source::parse("https://[2001:db8::1]:8443").is_ok());
        // Lenient reading drops what does not parse, and so allows nothing with it.
        let l = AllowList::lenient([
            "*",
            "https://*",
            "https://a.com/path",
            "https://b.example.com",
        ]);
        assert_eq!(l.entries().len(), 1);
        assert!(l.allows("https://b.example.com", None));
        assert!(!l.allows("https://a.com", None));
        assert_eq!(
            describe("*", OriginError::BareWildcard),
            "\"*\": A bare * would allow every site; list the origins (origin.bare_wildcard)"
        );
    }
}

/// The path with its query of a URL (`https://r.example/api/x?y` → `/api/x?y`), or a
/// reference that has no scheme as it is (`/api/x`): what a staff device signs of a call
/// (`staff::device_request_message`), as the receiver sees the request line.
pub fn path_and_query(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    }
}

#[cfg(test)]
mod path_tests {
    use super::path_and_query;

    #[test]
    fn the_path_and_query_of_a_url_or_a_reference() {
        assert_eq!(
            path_and_query("https://r.example/api/staff/requests?x=1"),
            "/api/staff/requests?x=1"
        );
        assert_eq!(path_and_query("http://127.0.0.1:8080"), "/");
        assert_eq!(path_and_query("/api/staff/requests"), "/api/staff/requests");
    }
}
