//! Writes the checked-in vector, `tests/fixtures/payload-vector.json`: the seed consent signed
//! with the fixed test key (`qianyue_domain::testing::vector_envelope`). Run by
//! `cargo xtask vector` after the content of the agreement changed; `tests/payload.rs`
//! (`the_checked_in_vector_verifies`) then checks that it verifies and passes the checks, and
//! docs/payload.md's worked example quotes its signature and hash.

use qianyue_domain::testing::{fixture, vector_envelope};

fn main() -> std::process::ExitCode {
    let path = fixture("payload-vector.json");
    match std::fs::write(&path, vector_envelope() + "\n") {
        Ok(()) => {
            println!("wrote {}", path.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::ExitCode::FAILURE
        }
    }
}
