//! `cargo xtask bytes`: where the app's bytes go, per file of `dist/` (built already, by
//! `cargo xtask build`): each wasm module and chunk, raw and brotli (`brotli -q 11`), and which
//! deferred parts load it (the comment wasm-split writes above each chunk's loader in
//! `__wasm_split-<hash>.js`); then the reader's journey in brotli bytes: the first load (the
//! main module, its JS and the stylesheets), then the form and the signing step
//! (`split_journey`: scripts/split.mjs merges the two parts and every chunk they load into one
//! file). Each wasm file but the main module is also measured compressed with the main module
//! as its dictionary (`dcb`, what the receiver sends a browser that holds it: `qianyue_dcb`),
//! and the journey summed both ways. docs/bytes.md reads these figures.

use std::path::Path;

use crate::cmd::compressed_len;
use crate::Result;

struct File {
    name: String,
    raw: usize,
    brotli: usize,
    /// Brotli with the main module as the dictionary, where the receiver would send that.
    dcb: Option<usize>,
    /// The deferred parts that load it; empty for the first load's files.
    parts: Vec<String>,
}

pub fn run(root: &Path) -> Result {
    let dist = root.join("dist");
    let names = list(&dist)?;
    let link = names
        .iter()
        .find(|n| n.starts_with("__wasm_split-") && n.ends_with(".js"))
        .map(|n| std::fs::read_to_string(dist.join(n)).unwrap_or_default())
        .unwrap_or_default();
    let urls: Vec<String> = names.iter().map(|n| format!("/{n}")).collect();
    let dictionary = qianyue_dcb::the_dictionary(&urls, |url| url)
        .map(|url| std::fs::read(dist.join(&url[1..])).map_err(|e| format!("{url}: {e}")))
        .transpose()?;
    let mut files = Vec::new();
    for name in &names {
        let ext = name.rsplit('.').next().unwrap_or("");
        if !matches!(ext, "wasm" | "js" | "css") || name == "sw.js" || name == "embed.js" {
            continue;
        }
        let bytes = std::fs::read(dist.join(name)).map_err(|e| format!("{name}: {e}"))?;
        let parts = if let Some(part) = name.strip_prefix("split_") {
            match part.split('-').next().unwrap_or(part) {
                "journey" => vec!["form".to_owned(), "signing".to_owned()],
                part => vec![part.to_owned()],
            }
        } else if name.starts_with("chunk_") {
            parts_of(&link, name)
        } else {
            Vec::new()
        };
        let brotli = compressed_len("brotli", &["-c", "-q", "11"], &bytes)?;
        let dcb = dictionary
            .as_ref()
            .filter(|_| qianyue_dcb::uses_dictionary(&format!("/{name}")))
            .map(|dictionary| qianyue_dcb::compress(dictionary, &bytes).len())
            .filter(|&dcb| dcb < brotli);
        files.push(File {
            name: name.clone(),
            raw: bytes.len(),
            brotli,
            dcb,
            parts,
        });
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.brotli));
    println!("| file | raw | brotli | dcb | loaded by |");
    println!("|---|---:|---:|---:|---|");
    for f in &files {
        let by = if f.parts.is_empty() {
            "first load".to_owned()
        } else {
            f.parts.join(", ")
        };
        let dcb = f.dcb.map(|d| d.to_string()).unwrap_or_default();
        println!("| {} | {} | {} | {dcb} | {by} |", f.name, f.raw, f.brotli);
    }
    let has = |f: &File, part: &str| f.parts.iter().any(|p| p == part);
    let sum = |keep: &dyn Fn(&File) -> bool| -> (usize, usize) {
        files
            .iter()
            .filter(|f| keep(f))
            .fold((0, 0), |(r, b), f| (r + f.raw, b + f.brotli))
    };
    let first = sum(&|f: &File| f.parts.is_empty() && !f.name.starts_with("__wasm_split"));
    let link_js = sum(&|f: &File| f.name.starts_with("__wasm_split"));
    let journey = sum(&|f: &File| has(f, "form") || has(f, "signing"));
    let other = sum(&|f: &File| !f.parts.is_empty() && !has(f, "form") && !has(f, "signing"));
    println!();
    println!("| journey step (brotli) | raw | brotli |");
    println!("|---|---:|---:|");
    println!(
        "| first load: main wasm, JS, CSS | {} | {} |",
        first.0, first.1
    );
    println!(
        "| chunk loader (__wasm_split.js) | {} | {} |",
        link_js.0, link_js.1
    );
    println!(
        "| + the form and the signing step (split_journey) | {} | {} |",
        journey.0, journey.1
    );
    let total = first.1 + link_js.1 + journey.1;
    println!("| whole journey | | {total} |");
    let journey_dcb: usize = files
        .iter()
        .filter(|f| has(f, "form") || has(f, "signing"))
        .map(|f| f.dcb.unwrap_or(f.brotli))
        .sum();
    println!(
        "| + the form and the signing step, with the main module as their dictionary (dcb) | | {journey_dcb} |"
    );
    println!(
        "| whole journey, dcb where the browser holds the dictionary | | {} |",
        first.1 + link_js.1 + journey_dcb
    );
    println!(
        "| (not on the journey: the other parts — outbox, request, embed, staff, receipt, english) | {} | {} |",
        other.0, other.1
    );
    Ok(())
}

/// The files of `dir` and of its `snippets/` (wasm-bindgen's JS snippets, part of the first
/// load), as paths relative to `dir`.
fn list(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut folders = vec![String::new()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(dir.join(&folder))
            .map_err(|e| format!("{}: {e}: run `cargo xtask build` first", dir.display()))?;
        for entry in entries.filter_map(|e| e.ok()) {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let path = format!("{folder}{name}");
            if entry.path().is_dir() {
                if path.starts_with("snippets") {
                    folders.push(format!("{path}/"));
                }
            } else {
                names.push(path);
            }
        }
    }
    names.sort();
    Ok(names)
}

/// The parts named in the comment above the loader that fetches `file` in `__wasm_split.js`:
/// `/* embed, form */ const __chunk_6 = makeLoad(() => { … fetch(new URL("./chunk_6-….wasm"`.
fn parts_of(link: &str, file: &str) -> Vec<String> {
    let Some(at) = link.find(&format!("\"./{file}\"")) else {
        return Vec::new();
    };
    let before = &link[..at];
    let Some(open) = before.rfind("/*") else {
        return Vec::new();
    };
    let close = before[open..].find("*/").map_or(before.len(), |c| open + c);
    before[open + 2..close]
        .split(',')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parts_of;

    #[test]
    fn a_chunk_is_loaded_by_the_parts_its_loader_names() {
        let link = "/* embed, form */\nconst __chunk_6 = makeLoad(() => {\n    const src = fetch(new URL(\"./chunk_6-0e23.wasm\", import.meta.url));\n/* signing */\nconst __chunk_7 = makeLoad(() => { fetch(new URL(\"./chunk_7-aa.wasm\"";
        assert_eq!(parts_of(link, "chunk_6-0e23.wasm"), ["embed", "form"]);
        assert_eq!(parts_of(link, "chunk_7-aa.wasm"), ["signing"]);
        assert!(parts_of(link, "chunk_8-bb.wasm").is_empty());
    }
}
