//! The architecture's invariants, as a test (ARCHITECTURE.md, "Invariants"): each side effect
//! of the app is touched in its one module, and the domain's rules are written nowhere else.
//! A rule here names what it looks for, where it is allowed, and why; `every_rule_bites` feeds
//! each rule a deliberate violation and expects it to be reported.
//!
//! Lines are read as text: comments (`//`) are skipped, and a file is read up to its
//! `#[cfg(test)]` module (tests may build what they check).

use std::path::{Path, PathBuf};

/// One invariant: `needles` may appear only in files under `allowed` (paths relative to the
/// repository, `/`-separated), within the trees in `scope`.
struct Rule {
    name: &'static str,
    scope: &'static [&'static str],
    needles: &'static [&'static str],
    allowed: &'static [&'static str],
}

const RULES: &[Rule] = &[
    Rule {
        name: "fetch only in src/api.rs",
        scope: &["src"],
        needles: &["fetch_with_request", "fetch_with_str", "fetch("],
        allowed: &["src/api.rs"],
    },
    Rule {
        name: "WebCrypto and randomness only in src/crypto.rs",
        scope: &["src"],
        needles: &[
            ".subtle()",
            ".random_uuid(",
            ".get_random_values_",
            "Math::random",
        ],
        allowed: &["src/crypto.rs"],
    },
    Rule {
        name: "the clock only in src/clock.rs",
        scope: &["src"],
        needles: &["Date::now", "Date::new_0", "performance_now"],
        allowed: &["src/clock.rs"],
    },
    Rule {
        name: "localStorage and sessionStorage only in src/draft.rs",
        scope: &["src"],
        needles: &["local_storage", "session_storage"],
        allowed: &["src/draft.rs"],
    },
    Rule {
        name: "IndexedDB only in src/idb.rs",
        scope: &["src"],
        needles: &["indexed_db", "IdbFactory"],
        allowed: &["src/idb.rs"],
    },
    Rule {
        name: "the print dialogue only in src/page.rs",
        scope: &["src"],
        needles: &[".print()"],
        allowed: &["src/page.rs"],
    },
    Rule {
        name: "the portal-origin grammar only in the domain's origins.rs",
        scope: &["src", "crates/receiver/src", "crates/check/src"],
        needles: &[
            "strip_prefix(\"*.\")",
            "starts_with(\"*.\")",
            "strip_prefix(\"://*.\")",
            "split_once(\"://\")",
        ],
        allowed: &[],
    },
    Rule {
        name: "check-digit weights only in the domain (GB 11643, GB 32100)",
        scope: &["src", "crates/receiver/src", "crates/check/src"],
        needles: &["7, 9, 10, 5, 8, 4, 2, 1, 6, 3", "1, 3, 9, 27, 19, 26, 16"],
        allowed: &[],
    },
    Rule {
        name: "China Standard Time arithmetic only in the domain",
        scope: &["src", "crates/receiver/src", "crates/check/src"],
        needles: &["8 * 3600", "28_800", "28800", "8 * 60 * 60"],
        allowed: &[],
    },
    Rule {
        name: "no floating point in the domain's arithmetic (money is integer fen)",
        scope: &["crates/domain/src"],
        needles: &[": f64", ": f32", "as f64", "as f32", "-> f64", "-> f32"],
        // The JSON readers that receive a float in order to refuse it, or to hold its text in
        // the integer field (form_json computes it as serde_json does).
        allowed: &[
            "crates/domain/src/payload/canonical.rs",
            "crates/domain/src/form.rs",
            "crates/domain/src/form_json.rs",
        ],
    },
    Rule {
        name: "the duplicate-number and total rules defined once",
        scope: &["src", "crates"],
        needles: &["fn duplicates(", "fn sum_of_all("],
        allowed: &["crates/domain/src/form.rs", "crates/domain/src/preview.rs"],
    },
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == "tests")
            {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file as checked: up to its test module, without comment lines.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "#[cfg(test)]")
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
}

/// Every place where a rule is broken under `root`: `path:line: rule (needle)`.
fn violations(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for rule in RULES {
        let mut files = Vec::new();
        for scope in rule.scope {
            rust_files(&root.join(scope), &mut files);
        }
        files.sort();
        files.dedup();
        for file in files {
            let relative = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            if rule.allowed.iter().any(|a| relative == *a) {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (line, code) in code_lines(&text) {
                for needle in rule.needles {
                    if code.contains(needle) {
                        found.push(format!("{relative}:{line}: {} ({needle})", rule.name));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn the_architecture_holds() {
    let found = violations(&repo());
    assert!(
        found.is_empty(),
        "architecture rules broken (ARCHITECTURE.md, \"Invariants\"):\n{}",
        found.join("\n")
    );
}

#[test]
fn every_rule_bites() {
    // A throwaway tree with one violation per needle, in a file no rule allows, and the same
    // text in a comment and after #[cfg(test)], which must not count.
    let root = std::env::temp_dir().join(format!("qianyue-tidy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for rule in RULES {
        for (i, needle) in rule.needles.iter().enumerate() {
            let dir = root.join(rule.scope[0]).join("bites");
            std::fs::create_dir_all(&dir).unwrap();
            let name = format!(
                "{}_{i}.rs",
                rule.name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            );
            std::fs::write(
                dir.join(name),
                format!(
                    "// {needle} in a comment\nfn f() {{ let _ = {needle}; }}\n#[cfg(test)]\nmod tests {{ {needle} }}\n"
                ),
            )
            .unwrap();
        }
    }
    let found = violations(&root);
    let _ = std::fs::remove_dir_all(&root);
    for rule in RULES {
        for needle in rule.needles {
            let hits = found
                .iter()
                .filter(|f| f.ends_with(&format!("{} ({needle})", rule.name)))
                .count();
            assert_eq!(hits, 1, "{} does not catch {needle}: {found:#?}", rule.name);
        }
    }
}
