//! `cargo xtask bench`, the agreement content: what shipping the text costs and how soon it is
//! on screen. Writes `bench-results/content.json`.
//!
//! - Bytes: the content files as embedded in the wasm (`include_str!` of
//!   `crates/domain/content/<instance>/<version>/*.txt`), raw and brotli (`brotli -q 11`), each
//!   file and all of them together; beside them the release build's wasm and JS glue, raw and
//!   brotli, as Trunk writes them to `dist/`.
//! - Time to first render: in headless Chromium, from navigation start to the first frame in
//!   which all four parts' text is in the page (`tests/bench/first-render.mjs`), for the app
//!   and for a static HTML page holding the same text (generated here from the same content
//!   files, with the same stylesheets), both served by the same static server, alternated
//!   over N runs in one browser (`QIANYUE_BENCH_RUNS`, default 15). Medians and the ratio.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::cmd::{command, compressed_len};
use crate::static_server::Server;
use crate::Result;

const CONTENT_DIR: &str = "crates/domain/content/cmgd-cancellation/v2";
const PARTS: [&str; 4] = ["order", "privacy", "service", "authorization"];
const STATIC_PAGE: &str = "bench-content-static.html";
const RENDER_SCRIPT: &str = "tests/bench/first-render.mjs";

pub fn run(root: &Path, out_dir: &Path) -> Result {
    crate::tools::ensure_build_tools()?;
    crate::tools::ensure_test_tools()?;
    crate::build_app()?;
    let dist = root.join("dist");

    // Bytes shipped.
    let mut files = Vec::new();
    let mut all = Vec::new();
    for part in PARTS {
        for lang in ["zh", "en"] {
            let name = format!("{part}.{lang}.txt");
            let bytes = read(&root.join(CONTENT_DIR).join(&name))?;
            files.push(format!(
                "{{\"file\": \"{name}\", \"raw\": {}, \"brotli\": {}}}",
                bytes.len(),
                brotli_len(&bytes)?
            ));
            all.extend_from_slice(&bytes);
        }
    }
    let (content_raw, content_brotli) = (all.len(), brotli_len(&all)?);
    let wasm_path = find_in(&dist, "_bg.wasm")?;
    // wasm-bindgen's glue is named after the module: `<name>_bg.wasm` → `<name>.js`.
    let glue_name = wasm_path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix("_bg.wasm"))
        .map(|stem| format!("{stem}.js"))
        .ok_or("unexpected wasm file name")?;
    let wasm = read(&wasm_path)?;
    let glue = read(&dist.join(glue_name))?;
    let (wasm_raw, wasm_brotli) = (wasm.len(), brotli_len(&wasm)?);
    let (js_raw, js_brotli) = (glue.len(), brotli_len(&glue)?);

    // Time to first render, app vs the same text as static HTML, served the same way.
    let page = static_page(root, &stylesheets(&dist)?)?;
    let page_path = dist.join(STATIC_PAGE);
    std::fs::write(&page_path, page).map_err(|e| format!("cannot write {STATIC_PAGE}: {e}"))?;
    let runs = std::env::var("QIANYUE_BENCH_RUNS").unwrap_or_else(|_| "15".to_owned());
    let server = Server::start(&dist, 0)?;
    let base = format!("http://{}", server.addr());
    let timing = command("node", &[RENDER_SCRIPT, &base, STATIC_PAGE, &runs])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output();
    server.stop();
    let _ = std::fs::remove_file(&page_path);
    let timing = timing.map_err(|e| format!("cannot start node: {e}"))?;
    if !timing.status.success() {
        return Err(format!("{RENDER_SCRIPT} failed ({})", timing.status));
    }
    let first_render = String::from_utf8_lossy(&timing.stdout).trim().to_owned();

    let json = format!(
        "{{\n  \"content\": {{\n    \"dir\": \"{CONTENT_DIR}\",\n    \"files\": [\n      {}\n    ],\n    \
         \"total_raw\": {content_raw},\n    \"total_brotli\": {content_brotli}\n  }},\n  \
         \"dist\": {{\n    \"wasm_raw\": {wasm_raw},\n    \"wasm_brotli\": {wasm_brotli},\n    \
         \"js_raw\": {js_raw},\n    \"js_brotli\": {js_brotli},\n    \
         \"content_share_of_wasm_raw\": {:.3}\n  }},\n  \"first_render\": {first_render}\n}}\n",
        files.join(",\n      "),
        content_raw as f64 / wasm_raw.max(1) as f64,
    );
    let out = out_dir.join("content.json");
    std::fs::write(&out, &json).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("bench-results/content.json:\n{json}");
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The size of `data` compressed by `brotli -q 11` (the CLI of Debian's `brotli` package).
fn brotli_len(data: &[u8]) -> Result<usize> {
    compressed_len("brotli", &["-c", "-q", "11"], data)
}

/// The one file in `dir` whose name ends in `suffix`.
fn find_in(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(suffix) && name != STATIC_PAGE {
            found.push(path);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one *{suffix} in {}, found {found:?}",
            dir.display()
        )),
    }
}

/// The stylesheets Trunk wrote, as the app's page links them.
fn stylesheets(dist: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".css"))
        .collect();
    names.sort();
    Ok(names)
}

// ------------------------------------------------------------------------------------------
// The static page: the text the app shows at start (Chinese, an empty form: blanks empty, one
// leased-line block), in the same elements, parsed here from the same files with the content
// format's rules (crates/domain/content/README.md §1).

struct Block {
    id: String,
    kind: String,
    text: String,
}

fn parse_blocks(src: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut open = false;
    for line in src.lines() {
        if line.is_empty() {
            open = false;
        } else if let Some(header) = line.strip_prefix('@') {
            let (id, kind) = header.split_once(' ').unwrap_or((header, "para"));
            let kind = kind.trim_end_matches(['|', '+', '~']);
            blocks.push(Block {
                id: id.to_owned(),
                kind: kind.to_owned(),
                text: String::new(),
            });
            open = true;
        } else if open && !line.starts_with('#') {
            if let Some(block) = blocks.last_mut() {
                block
                    .text
                    .push_str(line.strip_suffix('\u{23CE}').unwrap_or(line));
            }
        }
    }
    blocks
}

/// The display text with each `{path}` replaced by an empty blank.
fn html_text(text: &str) -> String {
    let mut out = String::new();
    let mut in_placeholder = false;
    for c in text.chars() {
        match c {
            '{' => {
                in_placeholder = true;
                out.push_str("<span class=\"blank empty\">");
            }
            '}' => {
                in_placeholder = false;
                out.push_str("</span>");
            }
            _ if in_placeholder => {}
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

fn is_section(part: &str, block: &Block) -> bool {
    block.kind == "heading"
        && (part == "order" || !block.id.contains('.') || block.id.ends_with(".heading"))
}

fn static_page(root: &Path, css: &[String]) -> Result<String> {
    let mut toc = String::new();
    let mut body = String::new();
    for part in PARTS {
        let path = root.join(CONTENT_DIR).join(format!("{part}.zh.txt"));
        let src = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut blocks: Vec<Block> = parse_blocks(&src)
            .into_iter()
            .filter(|b| !b.id.starts_with("order.cloud."))
            .collect();
        // Reading order as in the app: the title, then the notice.
        if let Some(i) = blocks.iter().position(|b| b.kind == "title") {
            let title = blocks.remove(i);
            blocks.insert(0, title);
        }
        toc.push_str("<li><a>");
        toc.push_str(&html_text(&blocks[0].text));
        toc.push_str("</a><ol>");
        body.push_str(&format!(
            "<article class=\"part\" data-part=\"{part}\"><div class=\"rows\" lang=\"zh-CN\">"
        ));
        for block in &blocks {
            let (tag, role) = match block.kind.as_str() {
                "title" => ("h2", "title"),
                "heading" if is_section(part, block) => ("h3", "section"),
                "heading" => ("h4", "subsection"),
                "note" if block.id == "notice" => ("p", "notice"),
                other => ("p", other),
            };
            if role == "section" {
                toc.push_str(&format!("<li><a>{}</a></li>", html_text(&block.text)));
            }
            body.push_str(&format!(
                "<div class=\"row row--{role}\" data-block=\"{}\"><{tag} class=\"cell\" lang=\"zh-CN\">{}</{tag}></div>",
                block.id,
                html_text(&block.text)
            ));
        }
        toc.push_str("</ol></li>");
        body.push_str("</div></article>");
    }
    let links: String = css
        .iter()
        .map(|name| format!("<link rel=\"stylesheet\" href=\"/{name}\">"))
        .collect();
    Ok(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>static agreement</title>{links}</head>\
         <body><main class=\"app\"><div class=\"app-body\"><section class=\"agreement\">\
         <nav class=\"toc\"><details open><summary>目录</summary><ol class=\"toc-parts\">{toc}</ol>\
         </details></nav>{body}</section></div></main></body></html>\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_text_and_lose_the_markers() {
        let src = "# comment\n\n@notice note\n本译文仅供参考，以中文文本为准。\n\n@s2.1.i4.b item~\nB.第三方商家⏎\n与交易\n\n@period field\n委托期限： {agent.valid_from} 至 {agent.valid_to}\n";
        let blocks = parse_blocks(src);
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[1].kind, "item");
        assert_eq!(blocks[1].text, "B.第三方商家与交易");
        assert_eq!(
            html_text(&blocks[2].text),
            "委托期限： <span class=\"blank empty\"></span> 至 <span class=\"blank empty\"></span>"
        );
    }

    #[test]
    fn the_static_page_holds_every_part() {
        let page = static_page(&crate::root(), &["a.css".to_owned()]).unwrap();
        for part in PARTS {
            assert!(page.contains(&format!("data-part=\"{part}\"")));
        }
        assert!(page.contains("第八条 信息安全约定（信息安全责任承诺书）"));
        assert!(page.contains("一式二联"));
        assert!(!page.contains("{"));
    }
}
