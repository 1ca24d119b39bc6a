//! `cargo xtask bench`, embedding: the bytes the embed modes (docs/embedding.md) cost over the
//! app's own page. Writes `bench-results/embed.json`.
//!
//! Two release builds: the default one (with the `embed` feature) in `dist/`, and one without it
//! (`trunk build --release --no-default-features --features split`) in
//! `target/bench-embed/dist`. For each, the files a browser downloads, raw, gzip (`gzip -9`) and
//! brotli (`brotli -q 11`):
//!
//! - the app's own page: `index.html`, the wasm-bindgen module, the wasm, the stylesheets and,
//!   with the feature, the embedding's glue snippet (imported by the module on every page);
//! - a portal using `<qianyue-consent>`: `embed.js`, then what it fetches: `embed-files.html` (to
//!   learn the hashed names; scripts/embed-files.mjs), the module, the snippet, the wasm and the
//!   stylesheets.
//!
//! The figures: what the feature adds to the app's own page (wasm, module, snippet), and what the
//! element mode downloads in all beside the app's own page without the feature (a ratio). An
//! embedded instance loads its form at once (the portal opened it to have it signed), so both
//! sides of that ratio count the form's deferred chunks; the element mode adds the embedding's.

use std::path::{Path, PathBuf};

use crate::cmd::{compressed_len, run_env_in};
use crate::Result;

/// Raw, gzip and brotli sizes of one or more files.
#[derive(Clone, Copy, Default)]
struct Size {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

impl Size {
    fn of(data: &[u8]) -> Result<Size> {
        Ok(Size {
            raw: data.len(),
            gzip: compressed_len("gzip", &["-9", "-c", "-n"], data)?,
            brotli: compressed_len("brotli", &["-c", "-q", "11"], data)?,
        })
    }

    fn plus(self, other: Size) -> Size {
        Size {
            raw: self.raw + other.raw,
            gzip: self.gzip + other.gzip,
            brotli: self.brotli + other.brotli,
        }
    }

    fn json(self) -> String {
        format!(
            "{{\"raw\": {}, \"gzip\": {}, \"brotli\": {}}}",
            self.raw, self.gzip, self.brotli
        )
    }
}

/// `new - old` per measure, as JSON (signed).
fn delta(new: Size, old: Size) -> String {
    let d = |a: usize, b: usize| a as i64 - b as i64;
    format!(
        "{{\"raw\": {}, \"gzip\": {}, \"brotli\": {}}}",
        d(new.raw, old.raw),
        d(new.gzip, old.gzip),
        d(new.brotli, old.brotli)
    )
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The files of one build, by role.
struct Build {
    index: Size,
    /// `embed-files.html`, the list of the app's files that embed.js reads.
    file_list: Size,
    module: Size,
    wasm: Size,
    styles: Size,
    /// The embedding's glue snippet(s) under `snippets/` (none without the feature).
    snippets: Size,
    /// `__wasm_split-<hash>.js`, which loads the deferred chunks (imported by the module).
    link: Size,
    /// The deferred chunks of the form (src/components/app.rs), which an embedded instance
    /// loads at once.
    form_chunks: Size,
    /// The deferred chunks an embed mode loads at its start: the `embed` part and the form,
    /// with the chunks they need; none without the feature.
    embed_chunks: Size,
    loader: Size,
}

impl Build {
    fn measure(dist: &Path) -> Result<Build> {
        let mut wasm = None;
        let mut styles = Size::default();
        for entry in std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with("_bg.wasm") {
                wasm = Some(path.clone());
            } else if name.ends_with(".css") {
                styles = styles.plus(Size::of(&read(&path)?)?);
            }
        }
        let wasm = wasm.ok_or_else(|| format!("no wasm in {}", dist.display()))?;
        // wasm-bindgen's module is named after the wasm: `<name>_bg.wasm` → `<name>.js`.
        let module = wasm
            .to_str()
            .and_then(|p| p.strip_suffix("_bg.wasm"))
            .map(|stem| PathBuf::from(format!("{stem}.js")))
            .ok_or("unexpected wasm file name")?;
        let mut snippets = Size::default();
        for file in files_under(&dist.join("snippets"))? {
            snippets = snippets.plus(Size::of(&read(&file)?)?);
        }
        let link_path = std::fs::read_dir(dist)
            .map_err(|e| format!("{}: {e}", dist.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("__wasm_split-") && n.ends_with(".js"))
            })
            .ok_or_else(|| format!("no __wasm_split-*.js in {}", dist.display()))?;
        let link_js = String::from_utf8_lossy(&read(&link_path)?).into_owned();
        let sum = |files: Vec<String>| -> Result<Size> {
            files.iter().try_fold(Size::default(), |total, file| {
                Ok(total.plus(Size::of(&read(&dist.join(file))?)?))
            })
        };
        let form = chunk_files(&link_js, "__wasm_split_load_form");
        let mut embed = chunk_files(&link_js, "__wasm_split_load_embed");
        if !embed.is_empty() {
            embed.extend(form.iter().cloned());
            embed.sort();
            embed.dedup();
        }
        Ok(Build {
            link: Size::of(link_js.as_bytes())?,
            form_chunks: sum(form)?,
            embed_chunks: sum(embed)?,
            index: Size::of(&read(&dist.join("index.html"))?)?,
            file_list: Size::of(&read(&dist.join("embed-files.html"))?)?,
            module: Size::of(&read(&module)?)?,
            wasm: Size::of(&read(&wasm)?)?,
            styles,
            snippets,
            loader: Size::of(&read(&dist.join("embed.js"))?)?,
        })
    }

    /// What the app's own page downloads.
    fn page(&self) -> Size {
        self.index.plus(self.files())
    }

    /// The app's files, whichever page names them.
    fn files(&self) -> Size {
        self.module
            .plus(self.wasm)
            .plus(self.styles)
            .plus(self.snippets)
            .plus(self.link)
    }

    /// What the app's own page downloads once the reader has reached the form.
    fn page_with_form(&self) -> Size {
        self.page().plus(self.form_chunks)
    }

    /// What a portal page using `<qianyue-consent>` downloads to show it, form and all.
    fn element_mode(&self) -> Size {
        self.loader
            .plus(self.file_list)
            .plus(self.files())
            .plus(self.embed_chunks)
    }
}

/// The wasm files `__wasm_split.js` fetches for the loader `export`ed as `name`: its own file and
/// those of the loaders it depends on (`makeLoad(<fetcher>, [__chunk_N, …])`), each once. A
/// loader may be another's name (`wrapAsyncCb(__bundle_journey)`: scripts/split.mjs merges the
/// form and the signing step, and every part then loads that one file).
fn chunk_files(link_js: &str, name: &str) -> Vec<String> {
    fn block<'a>(js: &'a str, start: &str) -> Option<&'a str> {
        let at = js.find(start)?;
        let rest = &js[at..];
        let line = rest.find('\n').map_or(rest, |e| &rest[..e]);
        if !line.contains("makeLoad(") {
            return Some(line);
        }
        let end = rest.find("])").map_or(rest.len(), |e| e + 2);
        Some(&rest[..end])
    }
    let mut files = Vec::new();
    let mut todo = vec![format!("export const {name} =")];
    while let Some(start) = todo.pop() {
        let Some(text) = block(link_js, &start) else {
            continue;
        };
        if let Some(file) = text
            .split('"')
            .find(|part| part.starts_with("./") && part.ends_with(".wasm"))
        {
            let file = file.trim_start_matches("./").to_owned();
            if !files.contains(&file) {
                files.push(file);
            }
        }
        let named = if text.contains("makeLoad(") {
            text.rsplit_once('[').map_or("", |(_, d)| d)
        } else {
            text
        };
        for dep in named.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if dep.starts_with("__chunk_") || dep.starts_with("__bundle_") {
                todo.push(format!("const {dep} ="));
            }
        }
    }
    files
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            out.extend(files_under(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

pub fn run(root: &Path, out_dir: &Path) -> Result {
    crate::tools::ensure_build_tools()?;
    crate::build_app()?;
    let with = Build::measure(&root.join("dist"))?;
    let without_dist = root.join("target/bench-embed/dist");
    let without_dist_arg = without_dist.display().to_string();
    // Built as `build_app` builds, with the same standard library, so that the two compare.
    run_env_in(
        root,
        "trunk",
        &[
            "build",
            "--release",
            "--no-default-features",
            "--features",
            "split",
            "--dist",
            &without_dist_arg,
        ],
        crate::tools::WASM_STD_ENV,
    )?;
    let without = Build::measure(&without_dist)?;

    let page_with = with.page();
    let page_without = without.page();
    let form_without = without.page_with_form();
    let element = with.element_mode();
    let ratio = |a: usize, b: usize| a as f64 / b as f64;
    let results = format!(
        "{{\n  \"standalone_without_embed\": {{\"page\": {}, \"wasm\": {}, \"module\": {}}},\n  \
         \"standalone_with_embed\": {{\"page\": {}, \"wasm\": {}, \"module\": {}, \"snippets\": {}}},\n  \
         \"embed_cost_on_own_page\": {{\"wasm\": {}, \"module\": {}, \"snippets\": {}, \"total\": {}}},\n  \
         \"page_without_embed_with_form\": {},\n  \
         \"element_mode\": {{\"loader\": {}, \"total\": {}, \"extra_over_page_without_embed_with_form\": {}, \
         \"ratio_brotli\": {:.4}}},\n  \
         \"frame_mode\": {{\"note\": \"the frame is the app's own page with ?embed=iframe: the element mode's files without embed.js\"}}\n}}\n",
        page_without.json(),
        without.wasm.json(),
        without.module.json(),
        page_with.json(),
        with.wasm.json(),
        with.module.json(),
        with.snippets.json(),
        delta(with.wasm, without.wasm),
        delta(with.module, without.module),
        with.snippets.json(),
        delta(page_with, page_without),
        form_without.json(),
        with.loader.json(),
        element.json(),
        delta(element, form_without),
        ratio(element.brotli, form_without.brotli),
    );
    let out = out_dir.join("embed.json");
    std::fs::write(&out, &results).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("bench-results/embed.json:\n{results}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::chunk_files;

    const LINK: &str = r#"const __chunk_4 = makeLoad(() => {
    const src = fetch(new URL("./chunk_4-aaaa.wasm", import.meta.url));
}
, []);
const __chunk_5 = makeLoad(() => {
    const src = fetch(new URL("./chunk_5-bbbb.wasm", import.meta.url));
}
, [__chunk_4]);
export const __wasm_split_load_signing = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_signing-cccc.wasm", import.meta.url));
}
, [__chunk_5]));
export const __wasm_split_load_embed = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_embed-dddd.wasm", import.meta.url));
}
, [__chunk_4, __bundle_journey]));
const __bundle_journey = makeLoad(() => {
    const src = fetch(new URL("./split_journey-eeee.wasm", import.meta.url));
    src.catch(() => {});
}
, [__chunk_4]);
export const __wasm_split_load_form = wrapAsyncCb(__bundle_journey);
"#;

    #[test]
    fn a_part_brings_its_own_chunk_and_those_it_needs() {
        assert_eq!(
            chunk_files(LINK, "__wasm_split_load_embed"),
            [
                "split_embed-dddd.wasm",
                "split_journey-eeee.wasm",
                "chunk_4-aaaa.wasm"
            ]
        );
        assert_eq!(
            chunk_files(LINK, "__wasm_split_load_form"),
            ["split_journey-eeee.wasm", "chunk_4-aaaa.wasm"]
        );
        assert_eq!(
            chunk_files(LINK, "__wasm_split_load_signing"),
            [
                "split_signing-cccc.wasm",
                "chunk_5-bbbb.wasm",
                "chunk_4-aaaa.wasm"
            ]
        );
        assert!(chunk_files(LINK, "__wasm_split_load_nothing").is_empty());
    }
}
