//! The built app (`dist/`), read once at startup and held in memory with a brotli and a gzip
//! version of every compressible file, and the Content-Security-Policy that fits it.
//!
//! - `index.html` (and `/`) is `Cache-Control: no-cache` (revalidated each time, by ETag); files
//!   whose names carry Trunk's content hash (`qianyue-fcacf0779c1c6d91_bg.wasm`) are cached for a
//!   year, `immutable`; other files (a service worker, say) are `no-cache` too.
//! - The CSP allows scripts from this origin, wasm compilation (`'wasm-unsafe-eval'`), and the
//!   inline scripts of `index.html` by their SHA-256 only (Trunk's loader is one inline module
//!   script); no `'unsafe-inline'`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use axum::body::Bytes;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// One file, ready to send.
pub struct Asset {
    pub content_type: &'static str,
    pub cache_control: &'static str,
    pub etag: String,
    pub identity: Bytes,
    pub br: Option<Bytes>,
    pub gzip: Option<Bytes>,
    /// Brotli with the main module as its dictionary (`qianyue_dcb`), for a browser that holds
    /// that module as one; only a wasm file other than the main module has it.
    pub dcb: Option<Bytes>,
}

/// The app's files by URL path (`/index.html`, `/qianyue-….js`), and the inline scripts'
/// hashes.
#[derive(Default)]
pub struct Assets {
    pub files: HashMap<String, Asset>,
    /// `'sha256-…'` sources for the inline scripts of `index.html`.
    pub script_hashes: Vec<String>,
    /// The URL path and SHA-256 of the dictionary (the main module), if `dist` has one.
    pub dictionary: Option<(String, qianyue_dcb::Hash)>,
}

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const NO_CACHE: &str = "no-cache";

impl Assets {
    /// Reads every file under `dist` (files named `*.br`, `*.gz` or `*.dcb` are skipped: the
    /// receiver makes its own).
    pub fn load(dist: &Path) -> Result<Assets, String> {
        let mut paths = Vec::new();
        walk(dist, dist, &mut paths)?;
        // The main module, if there is one, is the other wasm files' dictionary (qianyue_dcb).
        let dictionary = match qianyue_dcb::the_dictionary(&paths, |(url, _)| url) {
            Some((url, file)) => {
                let bytes = std::fs::read(file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                Some((url.clone(), bytes))
            }
            None => None,
        };
        let dictionary_bytes = dictionary.as_ref().map(|(_, bytes)| &bytes[..]);
        let loaded: Vec<Result<(String, Asset), String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = paths
                .iter()
                .map(|(url, file)| scope.spawn(move || load_one(url, file, dictionary_bytes)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("compressing a file failed".into()))
                })
                .collect()
        });
        let mut assets = Assets {
            dictionary: dictionary.map(|(url, bytes)| (url, qianyue_dcb::hash(&bytes))),
            ..Assets::default()
        };
        for item in loaded {
            let (url, asset) = item?;
            assets.files.insert(url, asset);
        }
        if let Some(index) = assets.files.get("/index.html") {
            assets.script_hashes = inline_script_hashes(&String::from_utf8_lossy(&index.identity));
        }
        Ok(assets)
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if !(name.ends_with(".br")
            || name.ends_with(".gz")
            || name.ends_with(".dcb")
            || name.contains(".tmp"))
        {
            let rel = path.strip_prefix(root).map_err(|e| e.to_string())?;
            let url = format!("/{}", rel.to_string_lossy().replace('\\', "/"));
            out.push((url, path));
        }
    }
    Ok(())
}

/// One file with its compressed forms; with `dictionary`, a wasm file other than the main
/// module is also compressed with it, and that form kept where it is smaller than brotli.
fn load_one(url: &str, file: &Path, dictionary: Option<&[u8]>) -> Result<(String, Asset), String> {
    let data = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let content_type = content_type(url);
    let digest = Sha256::digest(&data);
    let etag = format!(
        "\"{}\"",
        digest[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let compressible = is_compressible(content_type) && data.len() > 256;
    let (br, gzip) = if compressible {
        let br = cached(file, "br", &data, &brotli_compress, &brotli_decompress);
        let gz = cached(file, "gz", &data, &gzip_compress, &gzip_decompress);
        (
            (br.len() < data.len()).then(|| Bytes::from(br)),
            (gz.len() < data.len()).then(|| Bytes::from(gz)),
        )
    } else {
        (None, None)
    };
    let dcb = dictionary
        .filter(|_| compressible && qianyue_dcb::uses_dictionary(url))
        .map(|dictionary| {
            cached(
                file,
                "dcb",
                &data,
                &|data| qianyue_dcb::compress(dictionary, data),
                &|body| qianyue_dcb::decompress(dictionary, body),
            )
        })
        .filter(|dcb| br.as_ref().is_none_or(|br| dcb.len() < br.len()))
        .map(Bytes::from);
    let cache_control = if is_hashed_name(url) {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    Ok((
        url.to_owned(),
        Asset {
            content_type,
            cache_control,
            etag,
            identity: Bytes::from(data),
            br,
            gzip,
            dcb,
        },
    ))
}

/// The compressed form of `file` from its sidecar `<file>.<ext>` when that decompresses to
/// exactly `data`; otherwise compressed now and the sidecar (re)written, so that a restart
/// does not compress again. A read-only `dist/` only costs the time.
fn cached(
    file: &Path,
    ext: &str,
    data: &[u8],
    compress: &dyn Fn(&[u8]) -> Vec<u8>,
    decompress: &dyn Fn(&[u8]) -> Option<Vec<u8>>,
) -> Vec<u8> {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    let side = std::path::PathBuf::from(name);
    if let Ok(existing) = std::fs::read(&side) {
        if decompress(&existing).as_deref() == Some(data) {
            return existing;
        }
    }
    let out = compress(data);
    let mut tmp = side.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    if std::fs::write(&tmp, &out).is_ok() && std::fs::rename(&tmp, &side).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    out
}

fn brotli_decompress(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut std::io::Cursor::new(data), &mut out).ok()?;
    Some(out)
}

fn gzip_decompress(data: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn brotli_compress(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        let _ = w.write_all(data);
    }
    out
}

fn gzip_compress(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// The media type by extension.
pub fn content_type(url: &str) -> &'static str {
    let ext = url.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || matches!(
            content_type,
            "application/wasm"
                | "application/json"
                | "application/manifest+json"
                | "image/svg+xml"
                | "image/x-icon"
        )
}

/// Whether the file name carries Trunk's content hash: `-`, then the hash in hex, then `.` or
/// `_`. Trunk writes the hash as a 64-bit number without leading zeros: 16 digits usually,
/// fewer one time in sixteen (and so on); twelve is the floor taken here, which no other name
/// of ours reaches by chance.
pub fn is_hashed_name(url: &str) -> bool {
    let name = url.rsplit('/').next().unwrap_or(url).as_bytes();
    name.iter().enumerate().any(|(dash, &b)| {
        if b != b'-' {
            return false;
        }
        let digits = name[dash + 1..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit())
            .count();
        (12..=16).contains(&digits) && matches!(name.get(dash + 1 + digits), Some(b'.' | b'_'))
    })
}

/// `'sha256-…'` for the text of each `<script>` element of `html` that has no `src`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script") {
        let tag_start = at + start;
        let Some(tag_len) = lower[tag_start..].find('>') else {
            break;
        };
        let tag = &lower[tag_start..tag_start + tag_len];
        let body_start = tag_start + tag_len + 1;
        let Some(body_len) = lower[body_start..].find("</script") else {
            break;
        };
        if !tag.contains(" src=") && !tag.contains("\tsrc=") && !tag.contains("\nsrc=") {
            let body = &html[body_start..body_start + body_len];
            hashes.push(format!(
                "'sha256-{}'",
                STANDARD.encode(Sha256::digest(body))
            ));
        }
        at = body_start + body_len;
    }
    hashes
}

/// The Content-Security-Policy for the app and the API.
pub fn csp(script_hashes: &[String], frame_ancestors: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script_src.push(' ');
        script_src.push_str(h);
    }
    let ancestors = if frame_ancestors.is_empty() {
        "'self'".to_owned()
    } else {
        frame_ancestors.join(" ")
    };
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {ancestors}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_trunk_hashes_in_names() {
        assert!(is_hashed_name("/qianyue-fcacf0779c1c6d91_bg.wasm"));
        assert!(is_hashed_name("/qianyue-fcacf0779c1c6d91.js"));
        assert!(is_hashed_name("/main-960d9f442f46d3d5.css"));
        assert!(!is_hashed_name("/index.html"));
        assert!(!is_hashed_name("/sw.js"));
        // Fewer than 16 digits when the hash has leading zeros.
        assert!(is_hashed_name("/a-960d9f442f46d3d.css"));
        assert!(is_hashed_name("/qianyue-cacf0779c1c6d91_bg.wasm"));
        assert!(!is_hashed_name("/a-960d9f44.css"));
        assert!(!is_hashed_name("/icon-192.png"));
        assert!(!is_hashed_name("/a-960d9f442f46d3d5a.css"));
        assert!(!is_hashed_name("/a-960d9f442f46d3d5"));
    }

    #[test]
    fn hashes_only_inline_scripts() {
        let html = "<head><script type=\"module\">\nimport init from '/a.js';\n</script>\
                    <script src=\"/b.js\"></script><SCRIPT>x()</SCRIPT></head>";
        let hashes = inline_script_hashes(html);
        let expect = |s: &str| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(s)));
        assert_eq!(
            hashes,
            vec![expect("\nimport init from '/a.js';\n"), expect("x()")]
        );
    }
}
