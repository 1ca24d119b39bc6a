//! Configuration, from environment variables (docs/receiver.md lists them).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::store::sqlite_url;

/// Everything the receiver is told.
#[derive(Debug, Clone)]
pub struct Config {
    /// `QIANYUE_ADDR`: where to listen. Default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// `QIANYUE_DIST`: the built app. Default `./dist`; when it does not exist, only the API
    /// is served.
    pub dist: Option<PathBuf>,
    /// `QIANYUE_DATA_DIR`: the receipt key and the SQLite file. Default `./data`.
    pub data_dir: PathBuf,
    /// `QIANYUE_DATA_KEY_FILE`: the data keys that seal personal data at rest (`crate::seal`).
    /// Unset: `<data dir>/data-keys`, made on first start (development).
    pub data_key_file: Option<PathBuf>,
    /// `DATABASE_URL`: `postgres://…` (or `sqlite://…`). Default: SQLite at
    /// `<data dir>/consents.sqlite3`.
    pub database_url: String,
    /// `QIANYUE_ADMIN_TOKEN`: the bearer token of `GET /api/consents/{id}` (at least 16
    /// characters). Unset: that endpoint answers 403.
    pub admin_token: Option<String>,
    /// Timeouts, connection and concurrency caps, the shutdown deadline and rate limits
    /// (`crate::transport::Settings`, each its own variable).
    pub transport: crate::transport::Settings,
    /// `QIANYUE_FRAME_ANCESTORS`: origins allowed to embed the app, separated by spaces
    /// (`https://portal.example.com`), or `'none'`. Default: this origin only (`'self'`).
    pub frame_ancestors: Vec<String>,
    /// `QIANYUE_MAX_BODY_BYTES`: the largest accepted consent. Default 262144 (256 KiB).
    pub max_body: usize,
    /// `QIANYUE_AGREEMENT_VERSIONS`: the versions of the agreement this receiver accepts,
    /// separated by spaces or commas (`v2`). Unset: the versions it ships. A consent of any
    /// other version is refused as `agreement.version_unknown` (while a new version is rolled
    /// out, to withdraw an old one, or to test how the app shows a refusal).
    pub agreement_versions: Option<Vec<String>>,
    /// `QIANYUE_OFFLINE_ALLOWANCE_DAYS`: how many days old a consent's `signed_at` may be when
    /// it arrives (a capture kept in an outbox while offline), 1 to 36500. Default 30
    /// (`payload::DEFAULT_OFFLINE_ALLOWANCE_DAYS`); older: `signed_at.too_old`.
    pub offline_allowance_days: u32,
    /// `QIANYUE_API_KEYS`: the back office's keys for `/api/requests`, `name=secret` entries
    /// separated by commas; held only as SHA-256 digests. Unset: those endpoints answer 403.
    /// Each key's scopes from `QIANYUE_API_KEY_SCOPES` (`crate::office`).
    pub api_keys: Vec<ApiKey>,
    /// `QIANYUE_OPEN_SIGNING`: `1` accepts consents without a signing request (the open mode
    /// of before requests); unset or `0`: refused with `request.required`.
    pub open_signing: bool,
    /// `QIANYUE_PUBLIC_URL`: the receiver's public origin (`https://sign.example.com`), which
    /// makes a request's `url` absolute. Unset: `url` is the path `/s/<token>`.
    pub public_url: Option<String>,
    /// `QIANYUE_SMS` and `QIANYUE_SMS_*`: the gateway of the signer's codes
    /// (`crate::sms::SmsConfig`).
    pub sms: crate::sms::SmsConfig,
    /// `QIANYUE_CODE_SENDS_PER_MINUTE`, `QIANYUE_CODE_CHECKS_PER_MINUTE`: code requests and
    /// code checks per client address and minute (`crate::requests::identity::CodeLimits`).
    pub code_limits: crate::requests::identity::CodeLimits,
    /// `QIANYUE_WEBHOOK_SECRET` and `QIANYUE_WEBHOOK_RETRY_BASE_MS` (`crate::webhooks::Settings`).
    pub webhooks: crate::webhooks::Settings,
    /// `QIANYUE_RECEIPT_KEY_FILE`: the receipt keys file (`crate::keys`, docs/receiver.md
    /// "The receipt keys"), owner-only. Unset: one key made under the data directory
    /// (development, or a single receiver).
    pub receipt_key_file: Option<PathBuf>,
    /// `QIANYUE_PDF_FONT`: the font of the evidence PDFs (a TTF, OTF or TTC with Chinese
    /// glyphs; `crate::evidence`). Unset: Debian's fonts-wqy-zenhei
    /// (`evidence::DEFAULT_FONT`). Unreadable: the receiver does not start.
    pub pdf_font: Option<PathBuf>,
}

/// One back-office API key: its name (written in the request's record) and the SHA-256 of
/// its secret.
#[derive(Clone)]
pub struct ApiKey {
    pub name: String,
    pub digest: [u8; 32],
    /// What it may do (`QIANYUE_API_KEY_SCOPES`, `crate::office::apply_scopes`).
    pub scopes: crate::office::Scopes,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey({})", self.name)
    }
}

/// Parses `QIANYUE_API_KEYS`: `name=secret` entries separated by commas; a name of 1–64
/// letters, digits, `_`, `-` or `.`, each once; a secret of at least 16 characters, no spaces
/// or commas.
pub fn parse_api_keys(list: &str) -> Result<Vec<ApiKey>, String> {
    use sha2::{Digest, Sha256};
    let mut keys: Vec<ApiKey> = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((name, secret)) = entry.split_once('=') else {
            return Err("QIANYUE_API_KEYS: each entry is name=secret".into());
        };
        let name_ok = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !name_ok {
            return Err(format!(
                "QIANYUE_API_KEYS: the name {name:?} must be 1 to 64 letters, digits, _ - ."
            ));
        }
        if secret.chars().count() < 16 || secret.chars().any(char::is_whitespace) {
            return Err(format!(
                "QIANYUE_API_KEYS: the secret of {name} must be at least 16 characters, no spaces"
            ));
        }
        if keys.iter().any(|k| k.name == name) {
            return Err(format!("QIANYUE_API_KEYS: the name {name} is given twice"));
        }
        keys.push(ApiKey {
            name: name.to_owned(),
            digest: Sha256::digest(secret.as_bytes()).into(),
            scopes: crate::office::Scopes::DEFAULT,
        });
    }
    Ok(keys)
}

pub const DEFAULT_MAX_BODY: usize = 256 * 1024;

impl Config {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<Config, String> {
        Config::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the configuration through `var` (the environment, or a test's map).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let addr = match var("QIANYUE_ADDR") {
            Some(a) => a.parse().map_err(|_| {
                format!("QIANYUE_ADDR: {a:?} is not an address like 127.0.0.1:8080")
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let dist = match var("QIANYUE_DIST") {
            Some(d) => Some(PathBuf::from(d)),
            None => Some(PathBuf::from("dist")).filter(|d| d.is_dir()),
        };
        let data_dir = PathBuf::from(var("QIANYUE_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = match var("DATABASE_URL") {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => url,
            Some(url) if url.starts_with("sqlite:") => url,
            Some(url) => {
                return Err(format!(
                    "DATABASE_URL must start with postgres:// or sqlite: (got {:?})",
                    url.split(':').next().unwrap_or("")
                ))
            }
            None => sqlite_url(&data_dir.join("consents.sqlite3")),
        };
        crate::transport::check_database_tls(&database_url, var("PGSSLMODE").as_deref())?;
        let admin_token = var("QIANYUE_ADMIN_TOKEN");
        if admin_token
            .as_ref()
            .is_some_and(|t| t.chars().count() < 16 || t.chars().any(char::is_whitespace))
        {
            return Err("QIANYUE_ADMIN_TOKEN must be at least 16 characters, no spaces".into());
        }
        let frame_ancestors = match var("QIANYUE_FRAME_ANCESTORS") {
            None => Vec::new(),
            Some(list) => list
                .split_whitespace()
                .map(check_ancestor)
                .collect::<Result<_, _>>()?,
        };
        let max_body = match var("QIANYUE_MAX_BODY_BYTES") {
            None => DEFAULT_MAX_BODY,
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| (1024..=16 * 1024 * 1024).contains(n))
                .ok_or("QIANYUE_MAX_BODY_BYTES must be a number from 1024 to 16777216")?,
        };
        let agreement_versions = var("QIANYUE_AGREEMENT_VERSIONS").map(|list| {
            list.split([' ', ','])
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        });
        let offline_allowance_days =
            match var("QIANYUE_OFFLINE_ALLOWANCE_DAYS") {
                None => qianyue_domain::payload::DEFAULT_OFFLINE_ALLOWANCE_DAYS,
                Some(n) => n.parse().ok().filter(|n| (1..=36_500).contains(n)).ok_or(
                    "QIANYUE_OFFLINE_ALLOWANCE_DAYS must be a number of days from 1 to 36500",
                )?,
            };
        let mut api_keys = match var("QIANYUE_API_KEYS") {
            Some(list) => parse_api_keys(&list)?,
            None => Vec::new(),
        };
        // `QIANYUE_API_KEY_SCOPES`: `name=scope+scope,…` (docs/back-office.md).
        if let Some(list) = var("QIANYUE_API_KEY_SCOPES") {
            crate::office::apply_scopes(&mut api_keys, &list)?;
        }
        let open_signing = match var("QIANYUE_OPEN_SIGNING").as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(_) => return Err("QIANYUE_OPEN_SIGNING must be 1 or 0".into()),
        };
        let public_url = match var("QIANYUE_PUBLIC_URL") {
            None => None,
            Some(u) => {
                let u = u.trim_end_matches('/').to_owned();
                let host = u
                    .strip_prefix("https://")
                    .or_else(|| u.strip_prefix("http://"));
                let origin_only =
                    host.is_some_and(|h| !h.is_empty() && !h.contains(['/', '?', '#', '@']));
                if !origin_only {
                    return Err(
                        "QIANYUE_PUBLIC_URL must be an origin like https://sign.example.com".into(),
                    );
                }
                Some(u)
            }
        };
        Ok(Config {
            addr,
            dist,
            data_dir,
            data_key_file: var("QIANYUE_DATA_KEY_FILE").map(PathBuf::from),
            database_url,
            admin_token,
            transport: crate::transport::Settings::from_lookup(&var)?,
            frame_ancestors,
            max_body,
            agreement_versions,
            offline_allowance_days,
            api_keys,
            open_signing,
            public_url,
            sms: crate::sms::SmsConfig::from_lookup(&var)?,
            code_limits: crate::requests::identity::CodeLimits::from_lookup(&var)?,
            webhooks: crate::webhooks::Settings::from_lookup(&var)?,
            receipt_key_file: var("QIANYUE_RECEIPT_KEY_FILE").map(PathBuf::from),
            pdf_font: var("QIANYUE_PDF_FONT").map(PathBuf::from),
        })
    }

    /// The database URL without its password, for printing.
    pub fn database_display(&self) -> String {
        let url = &self.database_url;
        match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let creds = &url[scheme + 3..at];
                match creds.split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                    None => url.clone(),
                }
            }
            _ => url.clone(),
        }
    }
}

/// A `frame-ancestors` source, read with the domain's one allow-list grammar
/// (`qianyue_domain::origins`): `'self'`, `'none'`, an origin or `scheme://*.suffix[:port]`;
/// `*`, `https://*`, a path or plain `http:` off this computer are refused at start-up. Kept in
/// its normalised form (default port dropped, lower case), which the CSP, `/embed-config.json`
/// and CORS all read.
fn check_ancestor(s: &str) -> Result<String, String> {
    qianyue_domain::origins::Source::parse(s)
        .map(|source| source.to_csp())
        .map_err(|e| {
            format!(
                "QIANYUE_FRAME_ANCESTORS: {}",
                qianyue_domain::origins::describe(s, e)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_and_refusals() {
        let c = config(&[("QIANYUE_DATA_DIR", "/tmp/q")]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite:///tmp/q/consents.sqlite3?mode=rwc");
        assert_eq!(c.max_body, DEFAULT_MAX_BODY);
        assert!(config(&[("QIANYUE_FRAME_ANCESTORS", "https://a.example; script-src *")]).is_err());
        assert!(config(&[("QIANYUE_ADMIN_TOKEN", "short")]).is_err());
        assert!(config(&[("DATABASE_URL", "mysql://x")]).is_err());
        let c = config(&[(
            "QIANYUE_FRAME_ANCESTORS",
            "'self' https://portal.example.com:8443",
        )])
        .unwrap();
        assert_eq!(c.frame_ancestors.len(), 2);
        assert_eq!(c.agreement_versions, None);
        let c = config(&[("QIANYUE_AGREEMENT_VERSIONS", "v1, v2")]).unwrap();
        assert_eq!(c.agreement_versions, Some(vec!["v1".into(), "v2".into()]));
        let c = config(&[("DATABASE_URL", "postgres://q:secret@127.0.0.1:5432/q")]).unwrap();
        assert_eq!(c.database_display(), "postgres://q:***@127.0.0.1:5432/q");
    }

    #[test]
    fn api_keys_open_signing_and_public_url() {
        let c = config(&[]).unwrap();
        assert!(c.api_keys.is_empty() && !c.open_signing && c.public_url.is_none());
        let c = config(&[
            (
                "QIANYUE_API_KEYS",
                "crm=0123456789abcdef, ops.2=fedcba9876543210x",
            ),
            ("QIANYUE_OPEN_SIGNING", "1"),
            ("QIANYUE_PUBLIC_URL", "https://sign.example.com/"),
        ])
        .unwrap();
        assert_eq!(c.api_keys.len(), 2);
        assert_eq!(c.api_keys[1].name, "ops.2");
        assert!(
            !format!("{c:?}").contains("0123456789abcdef"),
            "no secret in Debug"
        );
        assert!(c.open_signing);
        assert_eq!(c.public_url.as_deref(), Some("https://sign.example.com"));
        for bad in [
            "crm",
            "crm=short",
            "a b=0123456789abcdef",
            "x=0123456789abcdef,x=0123456789abcdeg",
        ] {
            assert!(config(&[("QIANYUE_API_KEYS", bad)]).is_err(), "{bad}");
        }
        assert!(config(&[("QIANYUE_OPEN_SIGNING", "yes")]).is_err());
        assert!(config(&[("QIANYUE_PUBLIC_URL", "https://a.example/path")]).is_err());
    }

    #[test]
    fn offline_allowance() {
        assert_eq!(config(&[]).unwrap().offline_allowance_days, 30);
        let c = config(&[("QIANYUE_OFFLINE_ALLOWANCE_DAYS", "7")]).unwrap();
        assert_eq!(c.offline_allowance_days, 7);
        for bad in ["0", "-1", "x", "36501"] {
            assert!(
                config(&[("QIANYUE_OFFLINE_ALLOWANCE_DAYS", bad)]).is_err(),
                "{bad}"
            );
        }
    }

    /// One grammar (the domain's `origins`): what would let any site frame the app is refused,
    /// and entries are kept normalised, so CSP, `/embed-config.json` and CORS agree.
    #[test]
    fn frame_ancestors_use_the_allow_list_grammar() {
        for bad in [
            "*",
            "https://*",
            "http://*",
            "https://*.com",
            "http://portal.example.com",
            "https://portal.example.com/path",
        ] {
            let e = config(&[("QIANYUE_FRAME_ANCESTORS", bad)]).unwrap_err();
            assert!(e.starts_with("QIANYUE_FRAME_ANCESTORS: "), "{bad}: {e}");
        }
        let c = config(&[(
            "QIANYUE_FRAME_ANCESTORS",
            "'self' HTTPS://Portal.Example.com:443 https://*.gd.example.com http://localhost:8081",
        )])
        .unwrap();
        assert_eq!(
            c.frame_ancestors,
            [
                "'self'",
                "https://portal.example.com",
                "https://*.gd.example.com",
                "http://localhost:8081"
            ]
        );
    }
}
