//! The signer's key: ECDSA P-256 (WebCrypto), generated **non-extractable** on first use and kept
//! in IndexedDB (`idb.rs`), so the private key never leaves the browser's key store — not to
//! this app's own code either (Electronic Signature Law art. 13: signature-creation data under
//! the signer's sole control). Signatures are SHA-256 ECDSA in IEEE P1363 form (64 bytes r‖s),
//! which is what `payload::verify_envelope` checks.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, EcKeyGenParams, EcdsaParams, SubtleCrypto};

use crate::idb;

/// The IndexedDB key under which the key pair (`{privateKey, publicKey}`) is stored.
pub const KEY_ID: &str = "signing-key-p256";

/// The signer's key pair: the private key (non-extractable) and the public key's JWK
/// coordinates (base64url, as `exportKey("jwk")` gives them).
pub struct SigningKey {
    private: CryptoKey,
    pub x: String,
    pub y: String,
}

fn subtle() -> Result<SubtleCrypto, JsValue> {
    Ok(web_sys::window().ok_or("no window")?.crypto()?.subtle())
}

/// A fresh random UUID v4 (`crypto.randomUUID()`), lower case.
pub fn random_uuid() -> Result<String, JsValue> {
    Ok(web_sys::window()
        .ok_or("no window")?
        .crypto()?
        .random_uuid())
}

fn member(object: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    Reflect::get(object, &JsValue::from_str(name))
}

async fn generate() -> Result<JsValue, JsValue> {
    let params = EcKeyGenParams::new("ECDSA", "P-256");
    let usages = Array::of2(&"sign".into(), &"verify".into());
    // `false`: the private key cannot be exported (the public key always can).
    let promise =
        subtle()?.generate_key_with_object(params.unchecked_ref::<Object>(), false, &usages)?;
    JsFuture::from(promise).await
}

thread_local! {
    /// This page's key pair when the browser refuses IndexedDB (a portal's third-party frame
    /// under strict storage rules, a private mode): generated the same way, never stored.
    static PAGE_PAIR: std::cell::RefCell<Option<JsValue>> = const { std::cell::RefCell::new(None) };
}

/// The signer's key: the stored pair, or a new one (generated and stored) if there is none;
/// without IndexedDB, a pair for this page only.
pub async fn signing_key() -> Result<SigningKey, JsValue> {
    let pair = match stored_pair().await {
        Ok(pair) => pair,
        Err(_) => match PAGE_PAIR.with(|p| p.borrow().clone()) {
            Some(pair) => pair,
            None => {
                let pair = generate().await?;
                PAGE_PAIR.with(|p| *p.borrow_mut() = Some(pair.clone()));
                pair
            }
        },
    };
    key_of(&pair).await
}

async fn stored_pair() -> Result<JsValue, JsValue> {
    let mut pair = idb::get(KEY_ID).await?;
    if pair.is_undefined() || pair.is_null() {
        pair = generate().await?;
        let stored = Object::new();
        Reflect::set(&stored, &"privateKey".into(), &member(&pair, "privateKey")?)?;
        Reflect::set(&stored, &"publicKey".into(), &member(&pair, "publicKey")?)?;
        idb::put(KEY_ID, &stored).await?;
    }
    Ok(pair)
}

async fn key_of(pair: &JsValue) -> Result<SigningKey, JsValue> {
    let private: CryptoKey = member(pair, "privateKey")?.dyn_into()?;
    let public: CryptoKey = member(pair, "publicKey")?.dyn_into()?;
    let jwk = JsFuture::from(subtle()?.export_key("jwk", &public)?).await?;
    let text = |name: &str| -> Result<String, JsValue> {
        member(&jwk, name)?
            .as_string()
            .ok_or_else(|| JsValue::from_str("public key JWK lacks a coordinate"))
    };
    Ok(SigningKey {
        private,
        x: text("x")?,
        y: text("y")?,
    })
}

impl SigningKey {
    /// ECDSA P-256 / SHA-256 over `data`: 64 bytes r‖s.
    pub async fn sign(&self, data: &[u8]) -> Result<[u8; 64], JsValue> {
        let params = EcdsaParams::new_with_str("ECDSA", "SHA-256");
        let promise = subtle()?.sign_with_object_and_u8_array(
            params.unchecked_ref::<Object>(),
            &self.private,
            data,
        )?;
        let buffer = JsFuture::from(promise).await?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        <[u8; 64]>::try_from(bytes.as_slice())
            .map_err(|_| JsValue::from_str("the signature is not 64 bytes"))
    }
}
