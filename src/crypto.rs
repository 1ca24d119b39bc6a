//! WebCrypto, the one place the app calls it (and the one source of randomness).
//!
//! - The signer's key: ECDSA P-256, generated **non-extractable** on first use and kept in
//!   IndexedDB (`idb.rs`), so the private key never leaves the browser's key store — not to this
//!   app's own code either (Electronic Signature Law art. 13: signature-creation data under the
//!   signer's sole control). Signatures are SHA-256 ECDSA in IEEE P1363 form (64 bytes r‖s),
//!   which is what `payload::verify_envelope` checks.
//! - The outbox's encryption at rest: AES-GCM with a 256-bit non-extractable key
//!   ([`generate_outbox_key`]; the outbox keeps it in its own database), a fresh 96-bit IV per
//!   [`seal`], and additional data that binds the ciphertext to its record ([`open`] fails on
//!   any other).
//! - Ed25519 verification of the receiver's receipts ([`verify_ed25519`]), where the browser
//!   has it (Chrome 137+, Firefox 129+, Safari 17+).
//! - Random numbers: UUIDs ([`random_uuid`]), IVs, and the outbox's backoff jitter
//!   ([`random_permille`]).

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

// ------------------------------------------------------------------------------------------
// A staff device's key (docs/staff.md)

/// A new P-256 key pair for a staff device, generated **non-extractable** like the signer's,
/// as `{privateKey, publicKey}` (the staff store keeps it as `CryptoKey` objects, never
/// exported).
pub async fn generate_device_pair() -> Result<JsValue, JsValue> {
    let pair = generate().await?;
    let stored = Object::new();
    Reflect::set(&stored, &"privateKey".into(), &member(&pair, "privateKey")?)?;
    Reflect::set(&stored, &"publicKey".into(), &member(&pair, "publicKey")?)?;
    Ok(stored.into())
}

/// The key of a stored pair `{privateKey, publicKey}` (a device's), with its public JWK
/// coordinates.
pub async fn key_of_pair(pair: &JsValue) -> Result<SigningKey, JsValue> {
    key_of(pair).await
}

// ------------------------------------------------------------------------------------------
// The outbox's encryption at rest

fn object(members: &[(&str, &JsValue)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in members {
        Reflect::set(&o, &(*k).into(), v)?;
    }
    Ok(o)
}

/// A new AES-GCM 256-bit key for encrypt and decrypt; `false`: it can never be exported, not
/// even by this app.
pub async fn generate_outbox_key() -> Result<CryptoKey, JsValue> {
    let params = object(&[("name", &"AES-GCM".into()), ("length", &256.into())])?;
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    JsFuture::from(subtle()?.generate_key_with_object(&params, false, &usages)?)
        .await?
        .dyn_into()
}

fn gcm_params(iv: &[u8], additional_data: &[u8]) -> Result<Object, JsValue> {
    object(&[
        ("name", &"AES-GCM".into()),
        ("iv", &Uint8Array::from(iv).into()),
        ("additionalData", &Uint8Array::from(additional_data).into()),
    ])
}

/// A text sealed by [`seal`]: the IV and the ciphertext (with its 128-bit tag).
pub struct Sealed {
    pub iv: [u8; 12],
    pub data: Vec<u8>,
}

/// Encrypts `plain` with `key` (AES-GCM) under a fresh random IV, bound to `additional_data`.
pub async fn seal(
    key: &CryptoKey,
    additional_data: &[u8],
    plain: &[u8],
) -> Result<Sealed, JsValue> {
    let mut iv = [0u8; 12];
    web_sys::window()
        .ok_or("no window")?
        .crypto()?
        .get_random_values_with_u8_array(&mut iv)?;
    let sealed = JsFuture::from(subtle()?.encrypt_with_object_and_u8_array(
        &gcm_params(&iv, additional_data)?,
        key,
        plain,
    )?)
    .await?;
    Ok(Sealed {
        iv,
        data: Uint8Array::new(&sealed).to_vec(),
    })
}

/// Decrypts what [`seal`] gave, checking its tag and `additional_data`.
pub async fn open(
    key: &CryptoKey,
    additional_data: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let plain = JsFuture::from(subtle()?.decrypt_with_object_and_u8_array(
        &gcm_params(iv, additional_data)?,
        key,
        data,
    )?)
    .await?;
    Ok(Uint8Array::new(&plain).to_vec())
}

// ------------------------------------------------------------------------------------------
// Receipts, randomness

/// Ed25519 (RFC 8032) through WebCrypto: `Some(valid)`, or `None` when the browser lacks it
/// (the caller then verifies with the domain crate).
pub async fn verify_ed25519(
    public_key: &[u8; 32],
    signature: &[u8; 64],
    message: &[u8],
) -> Option<bool> {
    let subtle = subtle().ok()?;
    let algorithm = object(&[("name", &"Ed25519".into())]).ok()?;
    let usages = Array::of1(&"verify".into());
    let import = subtle
        .import_key_with_object(
            "raw",
            &Uint8Array::from(&public_key[..]),
            &algorithm,
            false,
            &usages,
        )
        .ok()?;
    let key: CryptoKey = JsFuture::from(import).await.ok()?.dyn_into().ok()?;
    let check = subtle
        .verify_with_object_and_u8_array_and_u8_array(&algorithm, &key, signature, message)
        .ok()?;
    Some(JsFuture::from(check).await.ok()?.as_bool() == Some(true))
}

/// A uniform random number in 0..=1000 (`Math.random()`: for spreading retries, not for
/// secrets).
pub fn random_permille() -> u32 {
    (js_sys::Math::random() * 1000.0).round() as u32
}
