//! Personal data at rest (issue 18 item 3; docs/receiver.md "Personal data at rest"): the
//! columns that hold personal data are sealed with AES-256-GCM (`ring::aead`) under a data key
//! kept outside the database, in `QIANYUE_DATA_KEY_FILE`.
//!
//! A sealed value is text, whole-column:
//!
//! ```text
//! qsealed1.<key id>.<nonce: base64url, 12 bytes>.<ciphertext and tag: base64url>
//! ```
//!
//! The additional data binds the value to its place, `qianyue-seal/1|<table>.<column>|<row
//! id>|<key id>`, so a value copied into another row, another column or relabelled with another
//! key id does not open. Each value names its key id, so keys rotate without rewriting what
//! was sealed before: the first key of the file seals, every key of the file opens.
//!
//! The key file: one key a line, `<key id> <base64 of 32 bytes>`; blank lines and lines
//! starting with `#` are ignored; key ids are 1 to 40 of `a-z 0-9 -`. The keys are never
//! written to a log, and [`DataKeys`]' `Debug` shows only the ids.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};

/// The prefix of every sealed value (format 1).
pub const PREFIX: &str = "qsealed1.";
/// The file made under the data directory when `QIANYUE_DATA_KEY_FILE` is unset.
pub const DEV_KEY_FILE: &str = "data-keys";

/// A place a sealed value belongs to (its table and column), part of the additional data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    ConsentPayload,
    RequestForm,
    RequestSignerName,
    RequestSignerMobile,
    KeyCheck,
    /// A witness record's photo (`attachments.bytes`, issue 19).
    Attachment,
}

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::ConsentPayload => "consents.payload",
            Column::RequestForm => "requests.form",
            Column::RequestSignerName => "requests.signer_name",
            Column::RequestSignerMobile => "requests.signer_mobile",
            Column::KeyCheck => "data_keys.check_value",
            Column::Attachment => "attachments.bytes",
        }
    }
}

/// Why a value did not open (no personal data in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Not of the sealed format (and not clear text either where clear text is allowed).
    Malformed,
    /// Sealed under a key id the key file does not hold.
    UnknownKey(String),
    /// The tag did not check: another key, another row or column, or altered bytes.
    Refused,
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Malformed => f.write_str("a sealed value is malformed"),
            OpenError::UnknownKey(kid) => {
                write!(
                    f,
                    "a value is sealed under data key {kid:?}, which the key file lacks"
                )
            }
            OpenError::Refused => f.write_str(
                "a sealed value does not open under its key for this row and column \
                 (moved, altered, or the key's bytes differ)",
            ),
        }
    }
}

/// The data keys: the sealing one first.
pub struct DataKeys {
    keys: Vec<(String, LessSafeKey)>,
}

impl fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.ids().collect();
        write!(f, "DataKeys({ids:?})")
    }
}

/// Whether `kid` is a key id: 1 to 40 of `a-z 0-9 -`.
pub fn is_key_id(kid: &str) -> bool {
    (1..=40).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl DataKeys {
    /// Keys from `(id, 32 bytes)` pairs, the first sealing.
    pub fn from_pairs(pairs: &[(&str, [u8; 32])]) -> Result<DataKeys, String> {
        let mut keys = Vec::new();
        for (kid, bytes) in pairs {
            if !is_key_id(kid) {
                return Err(format!("{kid:?} is not a key id (1 to 40 of a-z 0-9 -)"));
            }
            if keys.iter().any(|(k, _): &(String, LessSafeKey)| k == kid) {
                return Err(format!("key id {kid:?} appears twice"));
            }
            let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| "bad key".to_owned())?;
            keys.push(((*kid).to_owned(), LessSafeKey::new(key)));
        }
        if keys.is_empty() {
            return Err("no key".into());
        }
        Ok(DataKeys { keys })
    }

    /// Parses a key file's text (see the module's documentation).
    pub fn parse(text: &str) -> Result<DataKeys, String> {
        let mut pairs: Vec<(String, [u8; 32])> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (Some(kid), Some(b64), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(format!("line {}: expected `<key id> <base64 key>`", n + 1));
            };
            // The key's bytes are not echoed in any message.
            let bytes: [u8; 32] = STANDARD
                .decode(b64)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| format!("line {}: the key is not 32 bytes of base64", n + 1))?;
            pairs.push((kid.to_owned(), bytes));
        }
        let refs: Vec<(&str, [u8; 32])> = pairs.iter().map(|(k, b)| (k.as_str(), *b)).collect();
        DataKeys::from_pairs(&refs)
    }

    /// Reads a key file, refusing one that its group or others may read or write (as the
    /// receipt keys file).
    pub fn load(path: &Path) -> Result<DataKeys, String> {
        if let Some(problem) = loose_permissions(path) {
            return Err(format!(
                "the data key file {} is not usable: {problem}",
                path.display()
            ));
        }
        let text = fs::read_to_string(path)
            .map_err(|e| format!("cannot read the data key file {}: {e}", path.display()))?;
        DataKeys::parse(&text)
            .map_err(|e| format!("the data key file {} is not usable: {e}", path.display()))
    }

    /// The ids, the sealing one first.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(k, _)| k.as_str())
    }

    /// The id of the sealing key.
    pub fn sealing_id(&self) -> &str {
        &self.keys[0].0
    }

    fn key(&self, kid: &str) -> Option<&LessSafeKey> {
        self.keys.iter().find(|(k, _)| k == kid).map(|(_, key)| key)
    }

    /// Seals `clear` for `column` of the row `row_id` under the sealing key. `None` only when
    /// the OS's random source fails.
    pub fn seal(&self, column: Column, row_id: &str, clear: &str) -> Option<String> {
        let (kid, key) = &self.keys[0];
        seal_with(key, kid, column, row_id, clear)
    }

    /// Opens a sealed value of `column` of the row `row_id`.
    pub fn open(&self, column: Column, row_id: &str, sealed: &str) -> Result<String, OpenError> {
        let rest = sealed.strip_prefix(PREFIX).ok_or(OpenError::Malformed)?;
        let mut parts = rest.split('.');
        let (Some(kid), Some(nonce), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(OpenError::Malformed);
        };
        let key = self
            .key(kid)
            .ok_or_else(|| OpenError::UnknownKey(kid.to_owned()))?;
        let nonce: [u8; NONCE_LEN] = URL_SAFE_NO_PAD
            .decode(nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or(OpenError::Malformed)?;
        let mut bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| OpenError::Malformed)?;
        let aad = aad(column, row_id, kid);
        let clear = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut bytes,
            )
            .map_err(|_| OpenError::Refused)?;
        String::from_utf8(clear.to_vec()).map_err(|_| OpenError::Refused)
    }

    /// A value read from `column`: opened when sealed, as it is when written in clear by a
    /// release before sealing (docs/receiver.md "Personal data at rest").
    pub fn read(&self, column: Column, row_id: &str, stored: String) -> Result<String, OpenError> {
        if is_sealed(&stored) {
            self.open(column, row_id, &stored)
        } else {
            Ok(stored)
        }
    }

    /// The check value of key `kid` (the registry `data_keys`): a constant sealed under it.
    pub fn check_value(&self, kid: &str) -> Option<String> {
        seal_with(self.key(kid)?, kid, Column::KeyCheck, kid, CHECK_TEXT)
    }

    /// Whether `check` is key `kid`'s check value under the key of that id this file holds.
    pub fn checks(&self, kid: &str, check: &str) -> bool {
        self.open(Column::KeyCheck, kid, check).as_deref() == Ok(CHECK_TEXT)
            && check.starts_with(&format!("{PREFIX}{kid}."))
    }
}

const CHECK_TEXT: &str = "qianyue data key check";

/// Whether a stored value is sealed (rather than clear text of an earlier release).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

fn aad(column: Column, row_id: &str, kid: &str) -> String {
    format!("qianyue-seal/1|{}|{row_id}|{kid}", column.name())
}

fn seal_with(
    key: &LessSafeKey,
    kid: &str,
    column: Column,
    row_id: &str,
    clear: &str,
) -> Option<String> {
    // A random 96-bit nonce per value: at 2^32 values per key the chance of a repeat stays
    // below 2^-32 (NIST SP 800-38D 8.3); rotate the key long before that.
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).ok()?;
    let mut bytes = clear.as_bytes().to_vec();
    let aad = aad(column, row_id, kid);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad.as_bytes()),
        &mut bytes,
    )
    .ok()?;
    Some(format!(
        "{PREFIX}{kid}.{}.{}",
        URL_SAFE_NO_PAD.encode(nonce),
        URL_SAFE_NO_PAD.encode(&bytes)
    ))
}

/// Where the data keys come from at start-up.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// `QIANYUE_DATA_KEY_FILE`: must exist and be readable.
    File(PathBuf),
    /// Unset: `<data dir>/data-keys`, made (0600) on first start when the database holds no
    /// sealed data (development).
    Dev(PathBuf),
    /// Keys in hand (tests, tools).
    Keys(std::sync::Arc<DataKeys>),
}

impl KeySource {
    /// The source of a configuration: the file named, or the data directory's.
    pub fn of(file: Option<&Path>, data_dir: &Path) -> KeySource {
        match file {
            Some(f) => KeySource::File(f.to_path_buf()),
            None => KeySource::Dev(data_dir.join(DEV_KEY_FILE)),
        }
    }

    /// The file it reads, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            KeySource::File(p) | KeySource::Dev(p) => Some(p),
            KeySource::Keys(_) => None,
        }
    }
}

/// Writes a new key file with one fresh key (0600, synced; written aside and linked into
/// place, so that another receiver never reads it half-written, and never over a file that
/// appeared meanwhile, whose keys then stand): the keys.
pub fn create_key_file(path: &Path) -> Result<DataKeys, String> {
    let mut key = [0u8; 32];
    let mut tag = [0u8; 3];
    getrandom::fill(&mut key).map_err(|e| format!("no random source: {e}"))?;
    getrandom::fill(&mut tag).map_err(|e| format!("no random source: {e}"))?;
    let date = qianyue_domain::payload::SignedAt::from_unix_seconds(crate::api::now_unix())
        .map(|t| t.date().to_string().replace('-', ""))
        .unwrap_or_default();
    let kid = format!(
        "dk{date}-{}",
        tag.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let text = format!(
        "# Qianyue data keys (docs/receiver.md \"Personal data at rest\"): `<key id> <base64 \
         of 32 bytes>`.\n# The first key seals; every key opens. Back this file up apart from \
         the database.\n{kid} {}\n",
        STANDARD.encode(key)
    );
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let tmp: PathBuf = path.with_extension(format!("tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        match fs::hard_link(&tmp, path) {
            Ok(()) => {}
            // Another process made it first: its key stands.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    let result = write();
    let _ = fs::remove_file(&tmp);
    result.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    DataKeys::load(path)
}

/// Why a key file's mode is refused (group or others may read or write it), if it is.
fn loose_permissions(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!("its mode is {mode:03o}; it must be readable by its owner only (chmod 600)")
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> DataKeys {
        DataKeys::from_pairs(&[("k2", [2; 32]), ("k1", [1; 32])]).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_only_in_its_place() {
        let k = keys();
        let id = "c0000000-0000-4000-8000-000000000001";
        let s = k
            .seal(Column::ConsentPayload, id, "440305199608185316")
            .unwrap();
        assert!(s.starts_with("qsealed1.k2."), "{s}");
        assert!(!s.contains("440305199608185316"));
        assert_eq!(
            k.open(Column::ConsentPayload, id, &s).unwrap(),
            "440305199608185316"
        );
        // Another row, another column: refused.
        let other = "c0000000-0000-4000-8000-000000000002";
        assert_eq!(
            k.open(Column::ConsentPayload, other, &s),
            Err(OpenError::Refused)
        );
        assert_eq!(k.open(Column::RequestForm, id, &s), Err(OpenError::Refused));
        // Relabelled with the other key's id: refused.
        let relabelled = s.replacen("qsealed1.k2.", "qsealed1.k1.", 1);
        assert_eq!(
            k.open(Column::ConsentPayload, id, &relabelled),
            Err(OpenError::Refused)
        );
        // A key file without k2 cannot open it.
        let old = DataKeys::from_pairs(&[("k1", [1; 32])]).unwrap();
        assert_eq!(
            old.open(Column::ConsentPayload, id, &s),
            Err(OpenError::UnknownKey("k2".into()))
        );
        // Two seals of one value differ (fresh nonces).
        assert_ne!(
            s,
            k.seal(Column::ConsentPayload, id, "440305199608185316")
                .unwrap()
        );
        // Clear text of an earlier release reads as it is.
        assert_eq!(
            k.read(Column::RequestSignerName, id, "张晓梅".into())
                .unwrap(),
            "张晓梅"
        );
    }

    #[test]
    fn key_files_parse_and_check() {
        let text = format!(
            "# comment\n\nk-new {}\nk-old {}\n",
            STANDARD.encode([7u8; 32]),
            STANDARD.encode([8u8; 32])
        );
        let k = DataKeys::parse(&text).unwrap();
        assert_eq!(k.ids().collect::<Vec<_>>(), ["k-new", "k-old"]);
        assert_eq!(k.sealing_id(), "k-new");
        let check = k.check_value("k-old").unwrap();
        assert!(k.checks("k-old", &check));
        assert!(!k.checks("k-new", &check));
        // The same id with other bytes fails the check.
        let other = DataKeys::parse(&format!("k-old {}\n", STANDARD.encode([9u8; 32]))).unwrap();
        assert!(!other.checks("k-old", &check));
        for bad in [
            "",
            "K1 AAAA",
            "k1",
            &format!("k1 {} extra", STANDARD.encode([1u8; 32])),
            &format!("k1 {}", STANDARD.encode([1u8; 31])),
            &format!(
                "k1 {}\nk1 {}",
                STANDARD.encode([1u8; 32]),
                STANDARD.encode([2u8; 32])
            ),
        ] {
            let e = DataKeys::parse(bad).unwrap_err();
            assert!(!e.contains(&STANDARD.encode([1u8; 32])), "{e}");
        }
        assert!(!format!("{k:?}").contains(&STANDARD.encode([7u8; 32])));
    }
}
