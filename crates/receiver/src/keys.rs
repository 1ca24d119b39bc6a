//! The receiver's Ed25519 signing key: made once from the operating system's random source and
//! kept in `<data dir>/receiver-ed25519.key` (the 32-byte seed, owner-only permissions), so that
//! receipts stay verifiable across restarts.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey};
use qianyue_domain::payload::ReceiverKey;

pub const KEY_FILE: &str = "receiver-ed25519.key";

/// The receiver's key and its published form.
pub struct ReceiptKey {
    signing: SigningKey,
    public: ReceiverKey,
}

impl ReceiptKey {
    pub fn from_seed(seed: [u8; 32]) -> ReceiptKey {
        let signing = SigningKey::from_bytes(&seed);
        let public = ReceiverKey::ed25519(signing.verifying_key().as_bytes());
        ReceiptKey { signing, public }
    }

    /// Loads the key from `dir`, or makes and stores a new one if there is none.
    pub fn load_or_create(dir: &Path) -> Result<ReceiptKey, String> {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(KEY_FILE);
        if !path.exists() {
            create(&path)?;
        }
        let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| format!("{} is not a 32-byte key", path.display()))?;
        Ok(ReceiptKey::from_seed(seed))
    }

    /// The published key (`GET /api/keys`).
    pub fn public(&self) -> &ReceiverKey {
        &self.public
    }

    /// The `kid` receipts name.
    pub fn kid(&self) -> &str {
        &self.public.kid
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
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
