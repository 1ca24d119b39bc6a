//! Lists `calendar/YYYY.txt` (one State Council notice each) into a table of `include_str!`s,
//! so that adding a year's notice is adding a file (src/holidays.rs).

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("calendar");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("crates/domain/calendar exists")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.len() == 8
                && name.ends_with(".txt")
                && name[..4].bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    names.sort();
    let mut out = String::from("/// `(file name, text)` of every `calendar/YYYY.txt`, by year.\npub(crate) const NOTICE_FILES: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let target =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("calendar_files.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
