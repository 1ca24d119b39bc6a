//! docs/payload.md §10 "Verify with Python", run as written: the docs' Python block checks the
//! vector's signature, its content hashes against the repository's text files and a receipt,
//! and refuses a tampered envelope. Needs `python3` with `cryptography`: the system's, else a
//! virtual environment of this test's own into which pip installs it; without either the test
//! says why and passes (there is nothing of this crate to test then).

use std::path::{Path, PathBuf};
use std::process::Command;

use ed25519_dalek::Signer as _;
use qianyue_domain::payload::{verify_envelope, Receipt, ReceiverKey, ReceiverKeys, SignedAt};

const VECTOR: &str = include_str!("../../domain/tests/fixtures/payload-vector.json");
const PAYLOAD_MD: &str = include_str!("../../../docs/payload.md");

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("qianyue-check-python");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first ```python block of docs/payload.md §10.
fn docs_script() -> String {
    let section = PAYLOAD_MD
        .split("\n## 10. Verify with Python\n")
        .nth(1)
        .expect("docs/payload.md has §10 Verify with Python");
    let block = section
        .split("```python\n")
        .nth(1)
        .expect("§10 has a python block");
    block.split("\n```").next().unwrap().to_owned()
}

fn has_cryptography(python: &Path) -> bool {
    Command::new(python)
        .args([
            "-c",
            "import cryptography.hazmat.primitives.asymmetric.ed25519",
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A python3 that imports `cryptography`, or why there is none.
fn python() -> Result<PathBuf, String> {
    let system = PathBuf::from("python3");
    if has_cryptography(&system) {
        return Ok(system);
    }
    let venv = scratch().join("venv");
    let python = venv.join("bin/python3");
    if !has_cryptography(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .map_err(|e| format!("no python3 ({e})"))?;
        if !made.status.success() {
            return Err(format!(
                "python3 -m venv failed: {}",
                String::from_utf8_lossy(&made.stderr)
            ));
        }
        let pip = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "cryptography"])
            .output()
            .map_err(|e| format!("pip did not start: {e}"))?;
        if !pip.status.success() || !has_cryptography(&python) {
            return Err(format!(
                "pip install cryptography failed: {}",
                String::from_utf8_lossy(&pip.stderr)
            ));
        }
    }
    Ok(python)
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(python: &Path, script: &Path, args: &[&Path]) -> Run {
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .current_dir(repository())
        .output()
        .expect("python3 runs");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_docs_python_verifies_the_vector_and_its_receipt_and_refuses_a_flipped_byte() {
    let python = match python() {
        Ok(p) => p,
        Err(why) => {
            println!("skipped: docs/payload.md §10 needs python3 with cryptography: {why}");
            return;
        }
    };
    let dir = scratch();
    let script = dir.join("verify.py");
    std::fs::write(&script, docs_script()).unwrap();
    let consent = dir.join("consent.json");
    std::fs::write(&consent, VECTOR).unwrap();

    // A receipt as a receiver signs it, and its /api/keys.
    let key = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
    let jwk = ReceiverKey::ed25519(key.verifying_key().as_bytes());
    let verified = verify_envelope(VECTOR.as_bytes()).unwrap();
    let at = SignedAt::parse("2023-04-10T15:04:07+08:00").unwrap();
    let receipt = Receipt::for_payload(&verified, at, &jwk.kid);
    let receipt_file = dir.join("receipt.json");
    std::fs::write(
        &receipt_file,
        receipt.envelope_json(&key.sign(&receipt.signing_bytes()).to_bytes()),
    )
    .unwrap();
    let keys = dir.join("keys.json");
    let listed = ReceiverKeys {
        keys: vec![jwk.clone()],
    };
    std::fs::write(&keys, serde_json::to_string(&listed).unwrap()).unwrap();

    let good = run(&python, &script, &[&consent, &receipt_file, &keys]);
    assert!(good.ok, "{}{}", good.stdout, good.stderr);
    assert_eq!(
        good.stdout,
        format!(
            "signature ok: payload sha256 ff90f49f5c6e411ab8854b5bda8b42c381a2c122d63dfd72c15d13043304d275\n\
             content hashes ok: 8 texts of cmgd-cancellation v2\n\
             receipt ok: received 2023-04-10T15:04:07+08:00 by key {}\n",
            jwk.kid
        )
    );

    // One flipped byte of the signed content: refused.
    let flipped = dir.join("flipped.json");
    std::fs::write(&flipped, VECTOR.replacen("126000", "126001", 1)).unwrap();
    let bad = run(&python, &script, &[&flipped]);
    assert!(!bad.ok, "{}", bad.stdout);
    assert!(bad.stderr.contains("InvalidSignature"), "{}", bad.stderr);

    // A receipt under a key the receiver does not list: refused.
    let other = ReceiverKeys {
        keys: vec![ReceiverKey::ed25519(
            ed25519_dalek::SigningKey::from_bytes(&[6; 32])
                .verifying_key()
                .as_bytes(),
        )],
    };
    let other_keys = dir.join("other-keys.json");
    std::fs::write(&other_keys, serde_json::to_string(&other).unwrap()).unwrap();
    let bad = run(&python, &script, &[&consent, &receipt_file, &other_keys]);
    assert!(!bad.ok, "{}", bad.stdout);
    assert!(bad.stderr.contains("StopIteration"), "{}", bad.stderr);
}
