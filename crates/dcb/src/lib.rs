//! Dictionary-compressed brotli, `Content-Encoding: dcb` (RFC 9842, Compression Dictionary
//! Transport), for the app's wasm files.
//!
//! The signer's browser fetches the main module (`qianyue-<hash>_bg.wasm`) first; the deferred
//! parts (`split_journey-<hash>.wasm` and the others) are code from the same compiler, the same
//! Leptos and the same crates, and repeat much of it. A browser that supports dictionaries keeps
//! the main module as one when its response says `Use-As-Dictionary: match="/*.wasm"`, and says
//! so on its next request for a matching URL with `Available-Dictionary: :<SHA-256, base64>:`
//! and `dcb` in `Accept-Encoding`. The server may then answer with the file compressed by
//! brotli *with the main module as a prefix dictionary*: the journey's file 176.4 → 169.1 KB
//! (docs/bytes.md "The main module as the journey's dictionary"). Any other request gets plain
//! `br` as before, so a browser without dictionaries (or with another build's main module as
//! its dictionary) is served exactly as it was.
//!
//! A dcb body is the 4 bytes `FF 44 43 42`, the dictionary's 32-byte SHA-256, then a brotli
//! stream that refers back into the dictionary as if it came before the data (a raw dictionary
//! in brotli 1.1's terms). The encoder never uses brotli's built-in static dictionary here, so
//! no reference is ambiguous between the two.
//!
//! The receiver (`assets.rs`) serves dcb from memory; `cargo xtask bench app` writes `.dcb`
//! siblings that `cargo xtask static-serve` sends; both ask this crate which file is the
//! dictionary and which files may use it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The value of `Use-As-Dictionary` on the dictionary's response: every wasm file of this
/// origin may be fetched with it.
pub const USE_AS_DICTIONARY: &str = "match=\"/*.wasm\"";

/// The content coding.
pub const CODING: &str = "dcb";

/// The `Vary` of a response that could have been dcb: it depends on both request headers.
pub const VARY: &str = "accept-encoding, available-dictionary";

const MAGIC: [u8; 4] = [0xff, 0x44, 0x43, 0x42];

/// A dictionary's identity: the SHA-256 of its bytes.
pub type Hash = [u8; 32];

/// Whether the file at URL path `path` is the dictionary: the app's main module, the one wasm
/// file that wasm-bindgen names `<name>_bg.wasm`, at the root.
pub fn is_dictionary(path: &str) -> bool {
    path.strip_prefix('/')
        .is_some_and(|name| !name.contains('/') && name.ends_with("_bg.wasm"))
}

/// Of a folder's files, the dictionary: the one whose URL path (`url`) [`is_dictionary`];
/// `None` when there is none, or more than one and so no telling which the page loads.
pub fn the_dictionary<T>(
    files: impl IntoIterator<Item = T>,
    url: impl Fn(&T) -> &str,
) -> Option<T> {
    let mut found = files.into_iter().filter(|f| is_dictionary(url(f)));
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// Whether the file at `path` may be sent compressed with the dictionary: every other wasm
/// file of the app (`USE_AS_DICTIONARY`'s pattern).
pub fn uses_dictionary(path: &str) -> bool {
    path.starts_with('/') && path.ends_with(".wasm") && !is_dictionary(path)
}

pub fn hash(dictionary: &[u8]) -> Hash {
    Sha256::digest(dictionary).into()
}

/// The dictionary a request's `Available-Dictionary` names (`:<base64 of 32 bytes>:`), if it
/// is well formed.
pub fn available(header: &str) -> Option<Hash> {
    let inner = header.trim().strip_prefix(':')?.strip_suffix(':')?;
    STANDARD.decode(inner).ok()?.try_into().ok()
}

/// The dictionary a dcb body was made with (its header), if `body` is one.
pub fn dictionary_of(body: &[u8]) -> Option<Hash> {
    let rest = body.strip_prefix(&MAGIC)?;
    rest.get(..32)?.try_into().ok()
}

/// `data` as a dcb body made with `dictionary` (brotli quality 11, a 4 MiB window, which
/// holds the main module and any of the app's files after it).
pub fn compress(dictionary: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(36 + data.len() / 3);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&hash(dictionary));
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut writer = brotli::enc::IoWriterWrapper(&mut out);
    // Writing into a Vec and reading from a slice cannot fail.
    let _ = brotli::enc::BrotliCompressCustomIoCustomDict(
        &mut brotli::enc::IoReaderWrapper(&mut &data[..]),
        &mut writer,
        &mut vec![0; 64 * 1024],
        &mut vec![0; 64 * 1024],
        &params,
        brotli::enc::StandardAlloc::default(),
        &mut |_: &mut _, _: &mut _, _, _: &mut _| (),
        dictionary,
        std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
    );
    out
}

/// The data of a dcb body, if it was made with `dictionary` and decodes.
pub fn decompress(dictionary: &[u8], body: &[u8]) -> Option<Vec<u8>> {
    if dictionary_of(body)? != hash(dictionary) {
        return None;
    }
    let mut reader = brotli::Decompressor::new_with_custom_dict(
        &body[36..],
        64 * 1024,
        dictionary.to_vec().into(),
    );
    let mut out = Vec::new();
    std::io::copy(&mut reader, &mut out).ok()?;
    Some(out)
}

/// Test data shared with the receiver's tests (feature `test-support`).
#[cfg(any(test, feature = "test-support"))]
pub mod testing {
    /// Bytes that look like code: runs that repeat with small changes, as a wasm file's do.
    pub fn code_like(seed: u32, len: usize) -> Vec<u8> {
        let mut x = seed;
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let op = (x >> 16) as u8 % 24;
            out.extend_from_slice(&[0x20, op, 0x41, (x >> 24) as u8, 0x6a, 0x21, op ^ 1]);
        }
        out.truncate(len);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::testing::code_like;
    use super::*;

    #[test]
    fn the_main_module_is_the_dictionary_of_the_other_wasm_files() {
        assert!(is_dictionary("/qianyue-9f22927f16689e9d_bg.wasm"));
        assert!(!is_dictionary("/split_journey-03bc1dc369f3183b.wasm"));
        assert!(!is_dictionary("/snippets/x/y_bg.wasm"));
        assert!(!is_dictionary("qianyue_bg.wasm"));
        assert!(uses_dictionary("/split_journey-03bc1dc369f3183b.wasm"));
        assert!(uses_dictionary("/chunk_18-94cf6709270953f0.wasm"));
        assert!(!uses_dictionary("/qianyue-9f22927f16689e9d_bg.wasm"));
        assert!(!uses_dictionary("/qianyue-9f22927f16689e9d.js"));
        assert!(!uses_dictionary("/index.html"));
        fn url<'a>(f: &'a &str) -> &'a str {
            f
        }
        let one = ["/index.html", "/a-1_bg.wasm", "/split_journey-2.wasm"];
        assert_eq!(the_dictionary(one, url), Some("/a-1_bg.wasm"));
        assert_eq!(the_dictionary(["/index.html", "/x.wasm"], url), None);
        assert_eq!(
            the_dictionary(["/a-1_bg.wasm", "/b-2_bg.wasm"], url),
            None,
            "two"
        );
    }

    #[test]
    fn available_dictionary_is_a_byte_sequence_of_32_bytes() {
        let h = hash(b"the main module");
        let header = format!(":{}:", STANDARD.encode(h));
        assert_eq!(available(&header), Some(h));
        assert_eq!(available(&format!("  {header} ")), Some(h));
        assert_eq!(available(&STANDARD.encode(h)), None, "no colons");
        assert_eq!(
            available(&format!(":{}:", STANDARD.encode(&h[..31]))),
            None,
            "31 bytes"
        );
        assert_eq!(available(":not base64!:"), None);
        assert_eq!(available(""), None);
    }

    #[test]
    fn a_body_names_its_dictionary_and_decodes_only_with_it() {
        let dictionary = code_like(1, 200_000);
        let mut data = code_like(1, 150_000)[20_000..].to_vec();
        data.extend(code_like(7, 30_000));
        let body = compress(&dictionary, &data);
        assert_eq!(&body[..4], &[0xff, b'D', b'C', b'B']);
        assert_eq!(dictionary_of(&body), Some(hash(&dictionary)));
        assert_eq!(decompress(&dictionary, &body).as_deref(), Some(&data[..]));
        let other = code_like(2, 200_000);
        assert_eq!(decompress(&other, &body), None, "another dictionary");
        assert_eq!(dictionary_of(b"\x1b\x03"), None, "a plain brotli stream");
        assert_eq!(decompress(&dictionary, &body[..40]), None, "cut short");
    }

    #[test]
    fn the_dictionary_is_what_makes_it_smaller() {
        let dictionary = code_like(3, 300_000);
        let data = code_like(3, 260_000)[60_000..].to_vec();
        let with = compress(&dictionary, &data).len();
        let mut plain = Vec::new();
        {
            use std::io::Write as _;
            let mut w = brotli::CompressorWriter::new(&mut plain, 64 * 1024, 11, 22);
            w.write_all(&data).unwrap();
        }
        // The data is a stretch of the dictionary: a few references to it, against the data
        // compressed on its own.
        assert!(
            with * 20 < plain.len(),
            "dcb {with} B, br {} B",
            plain.len()
        );
    }

    #[test]
    fn an_empty_file_and_an_empty_dictionary() {
        assert_eq!(
            decompress(b"dict", &compress(b"dict", b"")).as_deref(),
            Some(&b""[..])
        );
        assert_eq!(
            decompress(b"", &compress(b"", b"data")).as_deref(),
            Some(&b"data"[..])
        );
    }
}
