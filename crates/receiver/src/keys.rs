//! The receiver's Ed25519 receipt keys.
//!
//! - With `QIANYUE_RECEIPT_KEY_FILE` (production, and every receiver behind one load balancer):
//!   the keys file, format `qianyue-receipt-keys v1` (docs/receiver.md): one `current` key that
//!   signs, and `next` and `previous` keys that are only published, each line naming its `kid`
//!   (checked against the key). The file must be its owner's only (no group or other bits).
//! - Without it (development): one key made once from the operating system's random source and
//!   kept in `<data dir>/receiver-ed25519.key` (the 32-byte seed, owner-only permissions), so
//!   that receipts stay verifiable across restarts.
//!
//! `GET /api/keys` lists every published key, the current one first; a receipt names the `kid`
//! of the key that signed it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use qianyue_domain::payload::ReceiverKey;

pub const KEY_FILE: &str = "receiver-ed25519.key";

/// The first line of a keys file.
pub const KEYS_FILE_HEADER: &str = "qianyue-receipt-keys v1";

/// The receiver's signing key and the keys it publishes.
pub struct ReceiptKey {
    signing: SigningKey,
    public: ReceiverKey,
    /// Every published key, the current one first, then `next`, then `previous` keys, each
    /// in the file's order.
    published: Vec<ReceiverKey>,
}

/// A line's role in a keys file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Signs new receipts; exactly one.
    Current,
    /// Published ahead of a rotation, so that every receiver lists it before any signs with it.
    Next,
    /// Signed receipts before; published so that they still verify.
    Previous,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "current" => Some(Role::Current),
            "next" => Some(Role::Next),
            "previous" => Some(Role::Previous),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Current => "current",
            Role::Next => "next",
            Role::Previous => "previous",
        }
    }
}

impl ReceiptKey {
    pub fn from_seed(seed: [u8; 32]) -> ReceiptKey {
        let signing = SigningKey::from_bytes(&seed);
        let public = ReceiverKey::ed25519(signing.verifying_key().as_bytes());
        ReceiptKey {
            signing,
            published: vec![public.clone()],
            public,
        }
    }

    /// The keys of `QIANYUE_RECEIPT_KEY_FILE` when it is set, else the development key under
    /// `data_dir` (made on first start).
    pub fn load(key_file: Option<&Path>, data_dir: &Path) -> Result<ReceiptKey, String> {
        match key_file {
            Some(path) => ReceiptKey::from_file(path),
            None => ReceiptKey::load_or_create(data_dir),
        }
    }

    /// Reads a keys file, refusing one that its group or others may read or write.
    pub fn from_file(path: &Path) -> Result<ReceiptKey, String> {
        let fail = |what: String| format!("QIANYUE_RECEIPT_KEY_FILE {}: {what}", path.display());
        let meta = fs::metadata(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
        if !meta.is_file() {
            return Err(fail("is not a file".into()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(fail(format!(
                    "its mode is {mode:03o}; a receipt key must be readable by its owner only \
                     (chmod 600 or 400)"
                )));
            }
        }
        let text = fs::read_to_string(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
        ReceiptKey::parse(&text).map_err(fail)
    }

    /// Parses the text of a keys file (docs/receiver.md, "The receipt keys"):
    ///
    /// ```text
    /// qianyue-receipt-keys v1
    /// # comments and blank lines are ignored
    /// current  <kid>  ed25519-seed:<32 bytes, base64url>
    /// next     <kid>  ed25519-seed:<…>
    /// previous <kid>  ed25519-seed:<…>   (or ed25519-public:<the JWK's x>)
    /// ```
    ///
    /// Exactly one `current` key, which has its seed; every `kid` is the RFC 7638 thumbprint
    /// of its key (checked) and appears once. Errors name the line, never a secret.
    pub fn parse(text: &str) -> Result<ReceiptKey, String> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(n, l)| (n + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
        match lines.next() {
            Some((_, KEYS_FILE_HEADER)) => {}
            _ => return Err(format!("the first line must be `{KEYS_FILE_HEADER}`")),
        }
        let mut current: Option<SigningKey> = None;
        let mut others: Vec<(Role, ReceiverKey)> = Vec::new();
        for (n, line) in lines {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [role, kid, key] = fields[..] else {
                return Err(format!("line {n}: expected `<role> <kid> <key>`"));
            };
            let role = Role::parse(role).ok_or_else(|| {
                format!("line {n}: the role must be current, next or previous (got {role:?})")
            })?;
            let (public, signing) = if let Some(seed) = key.strip_prefix("ed25519-seed:") {
                let seed = decode32(seed)
                    .ok_or_else(|| format!("line {n}: the seed is not 32 bytes of base64url"))?;
                let signing = SigningKey::from_bytes(&seed);
                (signing.verifying_key().to_bytes(), Some(signing))
            } else if let Some(x) = key.strip_prefix("ed25519-public:") {
                let x = decode32(x).ok_or_else(|| {
                    format!("line {n}: the public key is not 32 bytes of base64url")
                })?;
                ed25519_dalek::VerifyingKey::from_bytes(&x)
                    .map_err(|_| format!("line {n}: not an Ed25519 public key"))?;
                (x, None)
            } else {
                return Err(format!(
                    "line {n}: the key must be ed25519-seed:<base64url> or \
                     ed25519-public:<base64url>"
                ));
            };
            let jwk = ReceiverKey::ed25519(&public);
            if jwk.kid != kid {
                return Err(format!(
                    "line {n}: the kid {kid} is not this key's (it is {})",
                    jwk.kid
                ));
            }
            let seen = others.iter().map(|(_, k)| &k.kid);
            let current_kid = current
                .as_ref()
                .map(|s| ReceiverKey::ed25519(s.verifying_key().as_bytes()).kid);
            if seen.chain(current_kid.as_ref()).any(|k| *k == jwk.kid) {
                return Err(format!("line {n}: the key {kid} is listed twice"));
            }
            match (role, signing) {
                (Role::Current, Some(_)) if current.is_some() => {
                    return Err(format!("line {n}: a second current key"));
                }
                (Role::Current, Some(signing)) => current = Some(signing),
                (Role::Current, None) => {
                    return Err(format!(
                        "line {n}: the current key signs, so it needs its ed25519-seed"
                    ));
                }
                (role, _) => others.push((role, jwk)),
            }
        }
        let Some(signing) = current else {
            return Err("no current key (one line `current <kid> ed25519-seed:…`)".into());
        };
        let public = ReceiverKey::ed25519(signing.verifying_key().as_bytes());
        let mut published = vec![public.clone()];
        for role in [Role::Next, Role::Previous] {
            published.extend(
                others
                    .iter()
                    .filter(|(r, _)| *r == role)
                    .map(|(_, k)| k.clone()),
            );
        }
        Ok(ReceiptKey {
            signing,
            public,
            published,
        })
    }

    /// Loads the key from `dir`, or makes and stores a new one if there is none.
    pub fn load_or_create(dir: &Path) -> Result<ReceiptKey, String> {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(KEY_FILE);
        if !path.exists() {
            create(&path)?;
        }
        let seed = read_seed(&path)?;
        Ok(ReceiptKey::from_seed(seed))
    }

    /// The current key's published form.
    pub fn public(&self) -> &ReceiverKey {
        &self.public
    }

    /// Every published key (`GET /api/keys`): the current one first.
    pub fn published(&self) -> &[ReceiverKey] {
        &self.published
    }

    /// The `kid` receipts name.
    pub fn kid(&self) -> &str {
        &self.public.kid
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// A line of a keys file for `role`: a new key from the operating system's random source, or
/// the 32-byte seed in `seed_file` (the development key `receiver-ed25519.key`, to keep it as
/// a `previous` key). `qianyue-receiver receipt-key <role> [seed file]` prints it.
pub fn key_line(role: Role, seed_file: Option<&Path>) -> Result<String, String> {
    let seed = match seed_file {
        Some(path) => read_seed(path)?,
        None => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| format!("no random source: {e}"))?;
            seed
        }
    };
    let key = ReceiptKey::from_seed(seed);
    Ok(format!(
        "{} {} ed25519-seed:{}",
        role.as_str(),
        key.kid(),
        URL_SAFE_NO_PAD.encode(seed)
    ))
}

fn decode32(s: &str) -> Option<[u8; 32]> {
    URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| b.try_into().ok())
}

fn read_seed(path: &Path) -> Result<[u8; 32], String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    bytes
        .try_into()
        .map_err(|_| format!("{} is not a 32-byte key", path.display()))
}

/// Writes a fresh seed to a temporary file, syncs it, and links it into place; if another
/// process got there first, its key stands.
fn create(path: &Path) -> Result<(), String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no random source: {e}"))?;
    let tmp: PathBuf = path.with_extension(format!("tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(&seed)?;
        file.sync_all()?;
        match fs::hard_link(&tmp, path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        if let Some(dir) = path.parent() {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    let result = write();
    let _ = fs::remove_file(&tmp);
    result.map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(role: Role, seed: u8) -> (String, String) {
        let key = ReceiptKey::from_seed([seed; 32]);
        let text = format!(
            "{} {} ed25519-seed:{}",
            role.as_str(),
            key.kid(),
            URL_SAFE_NO_PAD.encode([seed; 32])
        );
        (text, key.kid().to_owned())
    }

    #[test]
    fn a_file_of_current_next_and_previous_keys() {
        let (cur, cur_kid) = line(Role::Current, 1);
        let (prev, prev_kid) = line(Role::Previous, 2);
        let (next, next_kid) = line(Role::Next, 3);
        let old = ReceiptKey::from_seed([4; 32]);
        let public_only = format!("previous {} ed25519-public:{}", old.kid(), old.public().x);
        let text = format!(
            "# keys\n{KEYS_FILE_HEADER}\n\n{prev}\n{cur}\n# rotated 2026-12\n{next}\n{public_only}\n"
        );
        let keys = ReceiptKey::parse(&text).unwrap();
        assert_eq!(keys.kid(), cur_kid);
        let kids: Vec<&str> = keys.published().iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, [cur_kid.as_str(), &next_kid, &prev_kid, old.kid()]);
        // It signs with the current key.
        let sig = keys.sign(b"m");
        assert_eq!(sig, ReceiptKey::from_seed([1; 32]).sign(b"m"));
    }

    #[test]
    fn a_bad_file_is_refused_naming_the_line() {
        let (cur, cur_kid) = line(Role::Current, 1);
        let (cur2, _) = line(Role::Current, 2);
        let (prev, _) = line(Role::Previous, 2);
        let refused = |text: &str, needle: &str| {
            let err = ReceiptKey::parse(text).err().expect(text);
            assert!(err.contains(needle), "{err:?} lacks {needle:?}");
            // A refusal never prints a seed.
            assert!(!err.contains(&URL_SAFE_NO_PAD.encode([1u8; 32])), "{err}");
        };
        refused(&cur, "first line");
        refused(KEYS_FILE_HEADER, "no current key");
        refused(&format!("{KEYS_FILE_HEADER}\n{prev}"), "no current key");
        refused(
            &format!("{KEYS_FILE_HEADER}\n{cur}\n{cur2}"),
            "line 3: a second current key",
        );
        refused(&format!("{KEYS_FILE_HEADER}\n{cur}\n{cur}"), "listed twice");
        let wrong_kid = cur.replace(&cur_kid, &"A".repeat(43));
        refused(
            &format!("{KEYS_FILE_HEADER}\n{wrong_kid}"),
            "line 2: the kid",
        );
        refused(
            &format!("{KEYS_FILE_HEADER}\nnewest {cur_kid} ed25519-seed:x"),
            "the role",
        );
        refused(
            &format!("{KEYS_FILE_HEADER}\ncurrent {cur_kid} ed25519-seed:AAAA"),
            "not 32 bytes",
        );
        let public = ReceiptKey::from_seed([1; 32]).public().x.clone();
        refused(
            &format!("{KEYS_FILE_HEADER}\ncurrent {cur_kid} ed25519-public:{public}"),
            "needs its ed25519-seed",
        );
        refused(&format!("{KEYS_FILE_HEADER}\n{cur} extra"), "expected");
    }

    #[test]
    fn a_generated_line_parses_and_keeps_a_seed_file() {
        let line = key_line(Role::Current, None).unwrap();
        ReceiptKey::parse(&format!("{KEYS_FILE_HEADER}\n{line}")).unwrap();
        let dir = std::env::temp_dir().join(format!("qianyue-keys-{}", std::process::id()));
        let dev = ReceiptKey::load_or_create(&dir).unwrap();
        let kept = key_line(Role::Previous, Some(&dir.join(KEY_FILE))).unwrap();
        assert!(
            kept.starts_with(&format!("previous {} ", dev.kid())),
            "{kept}"
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!("qianyue-keyfile-{}", std::process::id()));
        let (cur, _) = line(Role::Current, 1);
        fs::write(&path, format!("{KEYS_FILE_HEADER}\n{cur}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let err = ReceiptKey::from_file(&path).err().unwrap();
        assert!(err.contains("mode is 640"), "{err}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(ReceiptKey::from_file(&path).is_ok());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert!(ReceiptKey::from_file(&path).is_ok());
        let _ = fs::remove_file(&path);
    }
}
