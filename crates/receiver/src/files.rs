//! The receiver's files are its owner's only: the data directory 0700; the SQLite database,
//! its WAL and shared-memory files, the receipt key, the audit log and the development data
//! key file 0600.
//!
//! `main` sets the umask to 077 first, so that every file made later (SQLite makes `-wal` and
//! `-shm` itself) has no group or other bits; [`prepare`] also sets the modes explicitly, which
//! covers files an earlier version made 0644.

use std::fs;
use std::path::{Path, PathBuf};

/// `umask(077)`: files and directories made from now on are the owner's only.
pub fn owner_only_umask() {
    #[cfg(unix)]
    // SAFETY: umask(2) only sets the process's file mode creation mask; it cannot fail and
    // touches no memory.
    unsafe {
        libc::umask(0o077);
    }
}

/// Makes the data directory (0700) and the SQLite file (0600) before anything opens them,
/// and narrows the modes of those that exist.
pub fn prepare(data_dir: &Path, database_url: &str) -> Result<(), String> {
    let fail = |p: &Path, e: std::io::Error| format!("cannot secure {}: {e}", p.display());
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(data_dir).map_err(|e| fail(data_dir, e))?;
    set_mode(data_dir, 0o700).map_err(|e| fail(data_dir, e))?;
    if let Some(db) = sqlite_path(database_url) {
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                builder.create(dir).map_err(|e| fail(dir, e))?;
            }
        }
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&db).map_err(|e| fail(&db, e))?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            let path = PathBuf::from(name);
            if path.exists() {
                set_mode(&path, 0o600).map_err(|e| fail(&path, e))?;
            }
        }
    }
    for name in [
        crate::keys::KEY_FILE,
        crate::access::AUDIT_FILE,
        crate::seal::DEV_KEY_FILE,
    ] {
        let path = data_dir.join(name);
        if path.exists() {
            set_mode(&path, 0o600).map_err(|e| fail(&path, e))?;
        }
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// The file of a `sqlite:` URL (`sqlite://path?…`, `sqlite:path`), percent-decoded; `None` for
/// another database or an in-memory one.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(PathBuf::from(String::from_utf8_lossy(&out).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        let p = Path::new("/tmp/a b/c?.sqlite3");
        assert_eq!(
            sqlite_path(&crate::store::sqlite_url(p)),
            Some(p.to_path_buf())
        );
        assert_eq!(sqlite_path("sqlite:x.db"), Some(PathBuf::from("x.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://q@h/q"), None);
    }
}
