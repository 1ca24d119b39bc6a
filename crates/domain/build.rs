//! Lists `calendar/YYYY.txt` (one State Council notice each) into a table of `include_str!`s,
//! so that adding a year's notice is adding a file (src/holidays.rs), and transcribes the same
//! files into static tables ([`Calendars::shipped`] reads those: the browser then carries no
//! calendar parser). The transcription checks only that each date exists (the tables hold
//! `Date` constants); the tests check that it equals what the checked parser reads.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

// The crate's own rule for month lengths (src/date.rs uses the same file).
#[path = "src/date/month.rs"]
mod month;

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
    let provisional = dir.join("provisional.txt");
    println!("cargo:rerun-if-changed={}", provisional.display());
    let packed = pack(&dir, &names, &provisional);
    let _ = writeln!(
        out,
        "/// The same files as static tables; `None` when a line could not be transcribed \
         (the checked parser then says why).\npub(crate) const PACKED: Option<Packed> = {};",
        packed
            .as_deref()
            .map_or("None".to_owned(), |p| format!("Some({p})"))
    );
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    std::fs::write(out_dir.join("calendar_files.rs"), out).expect("OUT_DIR is writable");
    std::fs::write(out_dir.join("lowercase.rs"), lowercase_table()).expect("OUT_DIR is writable");
}

/// Unicode's lowercase mapping (`char::to_lowercase` of this compiler's standard library, the
/// one the wasm is built with too) as runs rather than core's table of 1,400 pairs, which is
/// 12 KB of every wasm that lowercases (src/text.rs, `fold_case`). A run is characters `stride`
/// apart (1, or 2 where upper and lower case alternate) that all map `delta` away:
/// `(first | (stride - 1) << 21 | (count - 1) << 22, delta)`. The few characters that lowercase
/// to more than one are listed apart. The tests compare the result with the standard library
/// for every character.
fn lowercase_table() -> String {
    let mut runs: Vec<(u32, u32, u32, i64)> = Vec::new(); // (first, stride, count, delta)
    let mut multi = Vec::new();
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let lower: Vec<char> = c.to_lowercase().collect();
        if lower.len() > 1 {
            multi.push((c, lower.into_iter().collect::<String>()));
            continue;
        }
        let (code, delta) = (
            u32::from(c),
            i64::from(u32::from(lower[0])) - i64::from(u32::from(c)),
        );
        if delta == 0 {
            continue;
        }
        if let Some((first, stride, count, d)) = runs.last_mut() {
            let last = *first + (*count - 1) * *stride;
            let step = code - last;
            if *d == delta && *count < 1024 && ((*count == 1 && step <= 2) || step == *stride) {
                *stride = step;
                *count += 1;
                continue;
            }
        }
        runs.push((code, 1, 1, delta));
    }
    let mut out = String::from(
        "/// Unicode's lowercase mapping as runs (build.rs, `lowercase_table`).\n\
         pub(crate) const LOWERCASE_RUNS: &[(u32, i32)] = &[\n",
    );
    for (first, stride, count, delta) in runs {
        let _ = writeln!(
            out,
            "    ({:#x}, {delta}),",
            first | (stride - 1) << 21 | (count - 1) << 22
        );
    }
    out.push_str("];\n/// The characters whose lowercase is more than one character.\n");
    out.push_str("pub(crate) const LOWERCASE_MULTI: &[(char, &str)] = &[\n");
    for (c, lower) in multi {
        let _ = writeln!(out, "    ({c:?}, {lower:?}),");
    }
    out.push_str("];\n");
    out
}

/// `YYYY-MM-DD` as a constant `Date`, if it is a calendar date (years 1..=9999).
fn ymd(s: &str) -> Option<String> {
    let mut parts = s.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let valid =
        (1..=9999).contains(&year) && (1..=month::days_in_month(year, month)).contains(&day);
    (parts.next().is_none() && valid)
        .then(|| format!("crate::date::Date::known({year}, {month}, {day})"))
}

/// The lines of a calendar file that are not blank or comments, split into fields.
fn lines(path: &Path) -> Option<Vec<Vec<String>>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.split_whitespace().map(str::to_owned).collect())
            .collect(),
    )
}

/// `(notices, provisional)` as Rust expressions of the types `Packed` names.
fn pack(dir: &Path, names: &[String], provisional: &Path) -> Option<String> {
    let mut notices = String::new();
    for name in names {
        let (mut year, mut document, mut dated) = (None, None, None);
        let (mut holidays, mut workdays) = (String::new(), String::new());
        for fields in lines(&dir.join(name))? {
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            match fields.as_slice() {
                ["year", y] => year = Some(y.parse::<i32>().ok()?),
                ["notice", d] => document = Some(format!("{d:?}")),
                ["dated", d] => dated = Some(ymd(d)?),
                ["holiday", n, first, last] => {
                    let _ = write!(holidays, "({n:?}, {}, {}), ", ymd(first)?, ymd(last)?);
                }
                ["workday", d] => {
                    let _ = write!(workdays, "{}, ", ymd(d)?);
                }
                _ => return None,
            }
        }
        let _ = write!(
            notices,
            "PackedNotice {{ year: {}, document: {}, dated: {}, holidays: &[{holidays}], \
             workdays: &[{workdays}] }}, ",
            year?, document?, dated?
        );
    }
    let mut years = String::new();
    for fields in lines(provisional)? {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let ["provisional", y, eve, qingming, dragon, autumn] = fields.as_slice() else {
            return None;
        };
        let _ = write!(
            years,
            "crate::holidays::StatutoryDates {{ year: {}, new_years_eve: {}, qingming: {}, \
             dragon_boat: {}, mid_autumn: {} }}, ",
            y.parse::<i32>().ok()?,
            ymd(eve)?,
            ymd(qingming)?,
            ymd(dragon)?,
            ymd(autumn)?
        );
    }
    Some(format!("(&[{notices}], &[{years}])"))
}
