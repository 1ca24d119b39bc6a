//! base64url without padding (RFC 4648 §5), as JWS and JWK write signatures, key coordinates
//! and key ids. Decoding is strict, as the `base64` crate's `URL_SAFE_NO_PAD` decodes: no `=`,
//! no other alphabet, no length of 4n + 1, and the unused low bits of the last symbol zero, so
//! that every byte string has exactly one text. Written here rather than taken from that crate
//! because the browser's signing step carries it: 0.4 KB of code against the crate's 4.3 KB
//! (docs/bytes.md); `tests/base64url.rs` compares the two over random inputs.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` as base64url, without padding.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    // Generic only here: the work is compiled once, not once per kind of byte container.
    encode_bytes(bytes.as_ref())
}

fn encode_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 4).div_ceil(3));
    for chunk in bytes.chunks(3) {
        // The chunk's bytes as the top of 24 bits; one symbol per 6 bits, one more than bytes.
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |bits, (i, &b)| bits | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(bits >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn symbol_value(c: u8) -> Option<u32> {
    let value = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// The bytes of a base64url text without padding; `None` for anything else (see the module
/// docs).
pub fn decode(text: impl AsRef<[u8]>) -> Option<Vec<u8>> {
    decode_bytes(text.as_ref())
}

/// The bytes of a base64url text that holds exactly `N` of them (a key coordinate, a
/// signature); `None` for any other text.
pub fn decode_array<const N: usize>(text: impl AsRef<[u8]>) -> Option<[u8; N]> {
    decode_bytes(text.as_ref())?.try_into().ok()
}

fn decode_bytes(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for chunk in text.chunks(4) {
        let mut bits = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            bits |= symbol_value(c)? << (18 - 6 * i);
        }
        // 4 symbols carry 3 bytes, 3 carry 2, 2 carry 1; the bits below them must be zero.
        let bytes = chunk.len() - 1;
        if bits & (0x00ff_ffff >> (8 * bytes)) != 0 {
            return None;
        }
        out.extend((0..bytes).map(|i| (bits >> (16 - 8 * i)) as u8));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10's test vectors, in the URL-safe alphabet and without padding.
    #[test]
    fn rfc_4648_vectors() {
        for (bytes, text) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(bytes), text);
            assert_eq!(decode(text).as_deref(), Some(bytes.as_bytes()));
        }
        // The two symbols where the alphabets differ.
        assert_eq!(encode([0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_array::<2>("-_8"), Some([0xfb, 0xff]));
        assert_eq!(decode_array::<3>("-_8"), None);
        assert_eq!(decode_array::<1>("-_8"), None);
    }

    #[test]
    fn refuses_what_is_not_strict_base64url() {
        for text in [
            "Zg==", "Zm8=", "Z", "Zm9vY", "+/8", "Zh", "Zm9", "Zm 9v", "Zm9v\n", "é",
        ] {
            assert_eq!(decode(text), None, "{text:?}");
        }
    }
}
