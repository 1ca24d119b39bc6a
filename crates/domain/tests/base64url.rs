//! The domain's base64url (`qianyue_domain::base64url`) against the `base64` crate's
//! `URL_SAFE_NO_PAD`, which the receiver and other languages' JWS libraries agree with: the
//! same text for every byte string, and the same verdict on every text, canonical or not.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proptest::prelude::*;
use qianyue_domain::base64url;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn encodes_as_the_crate_does(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
        let text = base64url::encode(&bytes);
        prop_assert_eq!(&text, &URL_SAFE_NO_PAD.encode(&bytes));
        prop_assert_eq!(base64url::decode(&text), Some(bytes));
    }

    /// Texts over the alphabet and a few other characters, of every length: many are not
    /// canonical (their last symbol's unused bits set) or have an impossible length.
    #[test]
    fn decodes_as_the_crate_does(text in "[A-Za-z0-9_=+/-]{0,24}") {
        prop_assert_eq!(base64url::decode(&text), URL_SAFE_NO_PAD.decode(&text).ok(), "{:?}", text);
    }

    /// Signatures: 64 bytes, as receipts and consents carry them.
    #[test]
    fn signatures_round_trip(bytes in proptest::array::uniform32(any::<u8>()), more in proptest::array::uniform32(any::<u8>())) {
        let signature: Vec<u8> = bytes.iter().chain(more.iter()).copied().collect();
        let text = base64url::encode(&signature);
        prop_assert_eq!(text.len(), 86);
        prop_assert_eq!(base64url::decode(text), Some(signature));
    }
}
