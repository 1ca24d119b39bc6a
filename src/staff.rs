//! The staff mode's device (docs/staff.md "The app"): enrolment, the device-signed download of
//! the requests assigned to its manager, and their sealed copy on the device. The rules are
//! the domain's (`staff.rs`: the enrolment code, the bytes a device signs); fetch is `api.rs`,
//! WebCrypto `crypto.rs`, IndexedDB `staff_store.rs`.

use std::time::Duration;

use js_sys::{Object, Reflect, Uint8Array};
use leptos::prelude::*;
use qianyue_domain::content::sha256_hex;
use qianyue_domain::error::Message;
use qianyue_domain::form::{FieldError, Form};
use qianyue_domain::payload::{ConsentPayload, Jwk, SignedAt};
use qianyue_domain::staff::{
    Attachment, AttachmentKind, EnrolmentCode, Person, StaffMember, StaffRule, Witness,
    ATTACHMENT_MEDIA_TYPES, MAX_ATTACHMENT_BYTES, METHOD_WITNESS,
};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CryptoKey;

use crate::api::{self, js_text};
use crate::crypto::{self, SigningKey};
use crate::signing_request::{self, Opened, Opening};
use crate::staff_store::{self as store, DEVICE, DEVICE_KEY, KEYS, PHOTOS, REQUESTS};

/// The app's path of the staff mode (contract.md §8).
pub const STAFF_PATH: &str = "/staff";
/// How long the page waits for the receiver.
const TIMEOUT: Duration = Duration::from_secs(15);
/// The IndexedDB key of the AES-GCM key sealing the stored requests.
const AES_KEY_ID: &str = "staff-aes-gcm-256";
/// The IndexedDB key of the sealed list, and its additional data.
const REQUESTS_KEY: &str = "assigned";

/// Whether a page's path is the staff mode's (`/staff`, `/staff/`).
pub fn is_staff_path(path: &str) -> bool {
    path.trim_end_matches('/') == STAFF_PATH
}

/// The base of the receiver's API beside the consents' endpoint: `/api/consents` → `/api`
/// (`https://r.example/api/consents` → `https://r.example/api`).
pub fn api_base(endpoint: &str) -> String {
    match endpoint.rsplit_once('/') {
        Some((base, _)) if !base.is_empty() => base.to_owned(),
        _ => "/api".to_owned(),
    }
}

/// The path (with query) of a URL as the receiver sees it: what a device signs (the
/// domain's URL grammar, `origins::path_and_query`).
pub fn path_of(url: &str) -> &str {
    qianyue_domain::origins::path_and_query(url)
}

/// The enrolled device, as the page needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub staff: StaffMember,
}

/// Why an enrolment or a download did not go through.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The receiver's refusal (or the domain's, before asking it), in zh and en.
    Refused(Message),
    /// No answer that can be read: network, 5xx, storage.
    Failed(String),
}

/// Reads `POST /api/devices/enrol`'s answer: `201 {"device": {"id", "staff"}}`, else the
/// receiver's refusal.
pub fn read_enrolment(status: u16, body: &str) -> Result<Device, Failure> {
    if status == 201 || status == 200 {
        let value = crate::api::read_json(body).unwrap_or(Value::Null);
        let id = value["device"]["id"].as_str().map(str::to_owned);
        let staff = serde_json::from_value::<StaffMember>(value["device"]["staff"].clone()).ok();
        return match (id, staff) {
            (Some(id), Some(staff)) => Ok(Device { id, staff }),
            _ => Err(Failure::Failed(format!(
                "unexpected enrolment answer: {body}"
            ))),
        };
    }
    match (status, api::read_refusal(body)) {
        (400..=499, Some(refusal)) => Err(Failure::Refused(refusal.rule)),
        _ => Err(Failure::Failed(format!("HTTP {status}"))),
    }
}

/// The items of `GET /api/staff/requests` (`{"staff", "items": [...]}`) as JSON values.
pub fn items_of(body: &str) -> Option<Vec<Value>> {
    let value = crate::api::read_json(body)?;
    value["items"].as_array().cloned()
}

/// One assigned request read as the request's page reads an open request
/// (`signing_request::read_opening`: one reader of forms and read-only paths).
pub fn read_item(item: &Value) -> Option<Opened> {
    let mut v = item.clone();
    v["request_id"] = item["id"].clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
        o.remove("verification");
    }
    match signing_request::read_opening(200, &v.to_string()) {
        Opening::Open(opened) => Some(*opened),
        _ => None,
    }
}

// ------------------------------------------------------------------------------------------
// The record of the check in person, as the manager types it

/// What the manager records of the identity check done in person (docs/staff.md, step 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessInput {
    pub person: Person,
    /// A label of the domain's `IdType` (`身份证`).
    pub document_type: String,
    pub number_last4: String,
}

/// A photo taken for the record: its bytes (kept with the outbox record, sealed) and how the
/// payload names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub attachment: Attachment,
    pub bytes: Vec<u8>,
}

impl WitnessInput {
    /// The domain's `Witness` of this input, by `staff` on `device` (its key `device_key`),
    /// checked at `checked_at` (`YYYY-MM-DDTHH:MM:SS+08:00`), with `photos`.
    pub fn witness(
        &self,
        device: &Device,
        device_key: Jwk,
        checked_at: &str,
        photos: &[Photo],
    ) -> Witness {
        Witness {
            method: METHOD_WITNESS.to_owned(),
            staff: device.staff.clone(),
            device: device.id.clone(),
            device_key,
            person: self.person,
            document_type: self.document_type.clone(),
            number_last4: self.number_last4.trim().to_ascii_uppercase(),
            checked_at: checked_at.to_owned(),
            attachments: photos.iter().map(|p| p.attachment.clone()).collect(),
        }
    }
}

/// The witness step's state, in the `RequestCtx` of a request signed on a staff device.
#[derive(Clone, Copy)]
pub struct WitnessCtx {
    pub device: StoredValue<Device>,
    /// The device's public key (its JWK coordinates).
    pub device_key: StoredValue<Jwk>,
    pub input: RwSignal<WitnessInput>,
    pub photos: RwSignal<Vec<Photo>>,
    /// Whether the record passes `Witness::check` against the form (kept by the witness step).
    pub complete: RwSignal<bool>,
}

impl WitnessCtx {
    pub fn new(device: Device, device_key: Jwk, person_type: &str) -> WitnessCtx {
        WitnessCtx {
            device: StoredValue::new(device),
            device_key: StoredValue::new(device_key),
            input: RwSignal::new(WitnessInput {
                person: Person::Agent,
                document_type: person_type.to_owned(),
                number_last4: String::new(),
            }),
            photos: RwSignal::new(Vec::new()),
            complete: RwSignal::new(false),
        }
    }

    /// The record as it would be signed at `at`.
    pub fn witness_at(self, at: SignedAt) -> Witness {
        let device = self.device.get_value();
        let key = self.device_key.get_value();
        let photos = self.photos.get_untracked();
        self.input
            .with_untracked(|i| i.witness(&device, key, &at.to_string(), &photos))
    }

    /// The domain's refusals of the record against `form`, signed at `at` (tracked).
    pub fn problems(self, form: &Form, at: SignedAt) -> Vec<FieldError> {
        self.input.track();
        self.photos.track();
        self.witness_at(at).check(form, at)
    }
}

// ------------------------------------------------------------------------------------------
// The shell: the device in IndexedDB, the receiver's calls

fn member(o: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(o, &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn text(e: JsValue) -> String {
    js_text(&e)
}

/// The enrolled device of this browser, if any, with its key.
pub async fn enrolled() -> Result<Option<(Device, SigningKey)>, String> {
    let record = store::get(DEVICE, DEVICE_KEY).await.map_err(text)?;
    if record.is_undefined() || record.is_null() {
        return Ok(None);
    }
    let s = |name: &str| {
        member(&record, name)
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let device = Device {
        id: s("id"),
        staff: StaffMember {
            id: s("staff_id"),
            name: s("staff_name"),
        },
    };
    let key = crypto::key_of_pair(&record).await.map_err(text)?;
    Ok(Some((device, key)))
}

/// Enrols this browser with the code as typed: a new non-extractable P-256 key, its public half
/// sent with the code; the device and its key kept in IndexedDB once the receiver took it.
pub async fn enrol(typed_code: &str) -> Result<Device, Failure> {
    let code = EnrolmentCode::parse(typed_code).map_err(|e| Failure::Refused(Message::of(e)))?;
    let pair = crypto::generate_device_pair()
        .await
        .map_err(|e| Failure::Failed(text(e)))?;
    let key = crypto::key_of_pair(&pair)
        .await
        .map_err(|e| Failure::Failed(text(e)))?;
    let body = serde_json::json!({
        "enrolment_code": code.as_str(),
        "public_key": {"kty": "EC", "crv": "P-256", "x": key.x, "y": key.y},
    })
    .to_string();
    let url = format!("{}/devices/enrol", api_base(&crate::config::endpoint()));
    let answer = api::request("POST", &url, Some(&body), Some(TIMEOUT))
        .await
        .map_err(Failure::Failed)?;
    let device = read_enrolment(answer.status, &answer.body)?;
    let set = |k: &str, v: &JsValue| Reflect::set(&pair, &k.into(), v).map(|_| ());
    set("id", &device.id.as_str().into())
        .and_then(|()| set("staff_id", &device.staff.id.as_str().into()))
        .and_then(|()| set("staff_name", &device.staff.name.as_str().into()))
        .map_err(|e| Failure::Failed(text(e)))?;
    store::put(DEVICE, DEVICE_KEY, &pair)
        .await
        .map_err(|e| Failure::Failed(text(e)))?;
    Ok(device)
}

/// Downloads the requests assigned to the device's manager (a device-signed call), keeps them
/// sealed on the device, and returns them.
pub async fn refresh(device: &Device, key: &SigningKey) -> Result<Vec<Opened>, Failure> {
    let url = format!("{}/staff/requests", api_base(&crate::config::endpoint()));
    let answer = api::device_request(
        &device.id,
        key,
        "GET",
        &url,
        &absolute_path(&url),
        None,
        Some(TIMEOUT),
    )
    .await
    .map_err(Failure::Failed)?;
    if answer.status != 200 {
        return Err(match api::read_refusal(&answer.body) {
            Some(refusal) if (400..500).contains(&answer.status) => Failure::Refused(refusal.rule),
            _ => Failure::Failed(format!("HTTP {}", answer.status)),
        });
    }
    let items = items_of(&answer.body)
        .ok_or_else(|| Failure::Failed("unexpected list of requests".into()))?;
    let plain = Value::Array(items.clone()).to_string();
    save_sealed(&plain)
        .await
        .map_err(|e| Failure::Failed(text(e)))?;
    Ok(items.iter().filter_map(read_item).collect())
}

/// Downloads the assigned requests with this browser's enrolled device.
pub async fn download() -> Result<Vec<Opened>, Failure> {
    match enrolled().await.map_err(Failure::Failed)? {
        Some((device, key)) => refresh(&device, &key).await,
        None => Err(Failure::Failed("this device is not enrolled".into())),
    }
}

/// The requests as last downloaded (empty before the first download).
pub async fn stored_requests() -> Result<Vec<Opened>, String> {
    let raw = store::get(REQUESTS, REQUESTS_KEY).await.map_err(text)?;
    let (Some(iv), Some(data)) = (member(&raw, "iv"), member(&raw, "data")) else {
        return Ok(Vec::new());
    };
    let key = aes_key().await.map_err(text)?;
    let plain = crypto::open(
        &key,
        REQUESTS_KEY.as_bytes(),
        &Uint8Array::new(&iv).to_vec(),
        &Uint8Array::new(&data).to_vec(),
    )
    .await
    .map_err(text)?;
    let text = String::from_utf8(plain).map_err(|_| "the cached requests are not UTF-8")?;
    let Value::Array(items) = qianyue_domain::json::parse(&text).map_err(|e| e.to_string())? else {
        return Err("the cached requests are not a list".into());
    };
    Ok(items.iter().filter_map(read_item).collect())
}

/// A path as the receiver sees it: a relative URL resolved against the page.
fn absolute_path(url: &str) -> String {
    if url.starts_with('/') {
        url.to_owned()
    } else {
        path_of(url).to_owned()
    }
}

async fn save_sealed(plain: &str) -> Result<(), JsValue> {
    let key = aes_key().await?;
    let sealed = crypto::seal(&key, REQUESTS_KEY.as_bytes(), plain.as_bytes()).await?;
    let record = Object::new();
    Reflect::set(
        &record,
        &"iv".into(),
        &Uint8Array::from(&sealed.iv[..]).into(),
    )?;
    Reflect::set(
        &record,
        &"data".into(),
        &Uint8Array::from(&sealed.data[..]).into(),
    )?;
    store::put(REQUESTS, REQUESTS_KEY, &record).await
}

/// The staff store's AES-GCM key: the stored one, or a new one (non-extractable).
async fn aes_key() -> Result<CryptoKey, JsValue> {
    let stored = store::get(KEYS, AES_KEY_ID).await?;
    if let Ok(key) = stored.dyn_into::<CryptoKey>() {
        return Ok(key);
    }
    let key = crypto::generate_outbox_key().await?;
    store::put(KEYS, AES_KEY_ID, &key).await?;
    Ok(key)
}

// ------------------------------------------------------------------------------------------
// Photos of the witness record: read, bounded, kept sealed, uploaded before their consent

/// The longest side, in pixels, a photo over the size limit is re-encoded at (then smaller).
const DOWNSCALE_SIDES: [f64; 3] = [1600.0, 1200.0, 800.0];

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = Reflect::get(target, &method.into())?.dyn_into()?;
    f.apply(target, &args.iter().collect::<js_sys::Array>())
}

async fn awaited(value: JsValue) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(value.dyn_into::<js_sys::Promise>()?).await
}

async fn bytes_of(blob: &JsValue) -> Result<Vec<u8>, JsValue> {
    let buffer = awaited(call(blob, "arrayBuffer", &[])?).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The photo `file` (a `File` from the input) re-encoded as JPEG with its longest side at
/// most `side` pixels; `None` when the browser cannot decode it as an image.
async fn downscaled(file: &JsValue, side: f64) -> Option<Vec<u8>> {
    let window: JsValue = web_sys::window()?.into();
    let bitmap = awaited(call(&window, "createImageBitmap", std::slice::from_ref(file)).ok()?)
        .await
        .ok()?;
    let number = |name: &str| Reflect::get(&bitmap, &name.into()).ok()?.as_f64();
    let (w, h) = (number("width")?, number("height")?);
    let scale = (side / w.max(h)).min(1.0);
    let (w, h) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let canvas: web_sys::HtmlCanvasElement = leptos::prelude::document()
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let context = canvas.get_context("2d").ok()??;
    call(
        &context,
        "drawImage",
        &[bitmap, 0.into(), 0.into(), w.into(), h.into()],
    )
    .ok()?;
    let blob = js_sys::Promise::new(&mut |resolve, _| {
        let _ = call(
            &canvas,
            "toBlob",
            &[resolve.into(), "image/jpeg".into(), 0.85.into()],
        );
    });
    let blob = wasm_bindgen_futures::JsFuture::from(blob).await.ok()?;
    if blob.is_null() {
        return None;
    }
    bytes_of(&blob).await.ok()
}

/// A photo picked for the record (`file`, a `File`): its bytes as they are when within the
/// domain's `MAX_ATTACHMENT_BYTES` and of a media type it takes, else re-encoded as a smaller
/// JPEG; refused (`witness.attachment_size` / `witness.attachment_type`) when neither works.
pub async fn read_photo(file: JsValue, kind: AttachmentKind) -> Result<Photo, Message> {
    let media_type = Reflect::get(&file, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    let size = Reflect::get(&file, &"size".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(f64::MAX);
    let taken = ATTACHMENT_MEDIA_TYPES.contains(&media_type.as_str());
    let (media_type, bytes) = if taken && size <= MAX_ATTACHMENT_BYTES as f64 {
        let bytes = bytes_of(&file)
            .await
            .map_err(|_| Message::of(StaffRule::AttachmentType))?;
        (media_type, bytes)
    } else {
        let mut smaller = None;
        for side in DOWNSCALE_SIDES {
            match downscaled(&file, side).await {
                Some(b) if b.len() as u64 <= MAX_ATTACHMENT_BYTES => {
                    smaller = Some(b);
                    break;
                }
                Some(_) => {}
                None => break,
            }
        }
        let rule = if taken || size > MAX_ATTACHMENT_BYTES as f64 {
            StaffRule::AttachmentSize
        } else {
            StaffRule::AttachmentType
        };
        let bytes = smaller.ok_or_else(|| Message::of(rule))?;
        ("image/jpeg".to_owned(), bytes)
    };
    Ok(Photo {
        attachment: Attachment {
            kind,
            media_type,
            bytes: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        },
        bytes,
    })
}

/// Keeps the photos of a record signed here, sealed, until the outbox uploads them.
pub async fn keep_photos(photos: &[Photo]) -> Result<(), String> {
    let key = aes_key().await.map_err(text)?;
    for photo in photos {
        let sha = &photo.attachment.sha256;
        let sealed = crypto::seal(&key, sha.as_bytes(), &photo.bytes)
            .await
            .map_err(text)?;
        let record = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&record, &k.into(), v).map(|_| ());
        set("iv", &Uint8Array::from(&sealed.iv[..]).into())
            .and_then(|()| set("data", &Uint8Array::from(&sealed.data[..]).into()))
            .map_err(text)?;
        store::put(PHOTOS, sha, &record).await.map_err(text)?;
    }
    Ok(())
}

async fn kept_photo(sha: &str) -> Result<Option<Vec<u8>>, JsValue> {
    let raw = store::get(PHOTOS, sha).await?;
    let (Some(iv), Some(data)) = (member(&raw, "iv"), member(&raw, "data")) else {
        return Ok(None);
    };
    let key = aes_key().await?;
    crypto::open(
        &key,
        sha.as_bytes(),
        &Uint8Array::new(&iv).to_vec(),
        &Uint8Array::new(&data).to_vec(),
    )
    .await
    .map(Some)
}

type SignedEnvelope = std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, String>>>>;

crate::deferred::deferred!(witness;
    /// A consent signed on a staff device, `qianyue-consent/3` (docs/payload.md §11): the
    /// photos kept sealed until the outbox uploads them, the record of the check in person,
    /// and the device key's signature beside the signer's over the same bytes. In the witness
    /// part, as the step is: no other signer's journey carries the device's key or store.
    pub(crate) fn witnessed_envelope(
        payload: ConsentPayload,
        request_id: String,
        witness: WitnessCtx,
        signed_at: SignedAt,
        key: SigningKey,
    ) -> SignedEnvelope {
        Box::pin(async move {
            let js = |e: JsValue| format!("{e:?}");
            let (_, device_key) = enrolled().await?.ok_or("this device is not enrolled")?;
            keep_photos(&witness.photos.get_untracked()).await?;
            let bytes = payload
                .witnessed(&request_id, witness.witness_at(signed_at))
                .signing_bytes()
                .map_err(|e| e.to_string())?;
            let signature = key.sign(&bytes).await.map_err(js)?;
            let witness_signature = device_key.sign(&bytes).await.map_err(js)?;
            Ok(qianyue_domain::payload::witnessed_envelope_from_parts(
                &bytes,
                &signature,
                &witness_signature,
            ))
        })
    }
);

/// Why the photos of an envelope could not all be uploaded.
pub enum UploadFailure {
    /// No answer (network), or a 5xx: try again later.
    Transient(String),
    /// A 4xx: `(status, body)`, the receiver's refusal.
    Refused(u16, String),
}

/// The photos a witnessed envelope names (`payload.witness.attachments`): `(sha256, media
/// type)`; none for any other envelope.
pub fn photos_named(envelope: &str) -> Vec<(String, String)> {
    let value = crate::api::read_json(envelope).unwrap_or(Value::Null);
    let payload = &value["payload"];
    if payload["format"] != qianyue_domain::payload::FORMAT_3 {
        return Vec::new();
    }
    payload["witness"]["attachments"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some((
                        a["sha256"].as_str()?.to_owned(),
                        a["media_type"].as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Uploads each photo a witnessed envelope names (`PUT /api/attachments/{sha256}`,
/// device-signed, idempotent) before the outbox posts the envelope to `endpoint`. Only a staff
/// device has such envelopes: the upload is in the witness step's part, fetched when one is
/// sent (the outbox of every other signer does without the device's key and photo store).
pub async fn upload_photos(envelope: &str, endpoint: &str) -> Result<(), UploadFailure> {
    if photos_named(envelope).is_empty() {
        return Ok(());
    }
    match upload_named_photos(envelope.to_owned(), endpoint.to_owned()).await {
        Ok(upload) => upload.await,
        Err(_) => Err(UploadFailure::Transient(
            "the staff device's upload could not be loaded".to_owned(),
        )),
    }
}

type Upload = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), UploadFailure>>>>;

crate::deferred::deferred!(witness;
    fn upload_named_photos(envelope: String, endpoint: String) -> Upload {
        Box::pin(async move { upload_each(&envelope, &endpoint).await })
    }
);

async fn upload_each(envelope: &str, endpoint: &str) -> Result<(), UploadFailure> {
    let named = photos_named(envelope);
    let (device, key) = match enrolled().await {
        Ok(Some(found)) => found,
        Ok(None) => {
            let m = Message::of(StaffRule::DeviceUnknown);
            let body = serde_json::json!({
                "code": m.code, "message_zh": m.zh, "message_en": m.en, "fields": [],
            });
            return Err(UploadFailure::Refused(403, body.to_string()));
        }
        Err(e) => return Err(UploadFailure::Transient(e)),
    };
    for (sha, media_type) in named {
        let Some(bytes) = kept_photo(&sha)
            .await
            .map_err(|e| UploadFailure::Transient(text(e)))?
        else {
            // Not on this device: the receiver may have it already (it says so if not).
            continue;
        };
        let url = format!("{}/attachments/{sha}", api_base(endpoint));
        let answer = api::device_request(
            &device.id,
            &key,
            "PUT",
            &url,
            &absolute_path(&url),
            Some((&bytes, &media_type)),
            Some(TIMEOUT),
        )
        .await
        .map_err(UploadFailure::Transient)?;
        match answer.status {
            // The receiver has it (201, or 200 for the same photo again): no copy is kept here.
            200..=299 => {
                if let Err(e) = store::delete(PHOTOS, &sha).await {
                    leptos::logging::warn!("staff mode: an uploaded photo stays: {}", text(e));
                }
            }
            400..=499 => return Err(UploadFailure::Refused(answer.status, answer.body)),
            status => return Err(UploadFailure::Transient(format!("HTTP {status}"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staff_mode_is_at_staff() {
        assert!(is_staff_path("/staff"));
        assert!(is_staff_path("/staff/"));
        assert!(!is_staff_path("/"));
        assert!(!is_staff_path("/staffing"));
        assert!(!is_staff_path("/s/abc"));
    }

    #[test]
    fn the_api_is_beside_the_consents_endpoint() {
        assert_eq!(api_base("/api/consents"), "/api");
        assert_eq!(
            api_base("https://r.example/api/consents"),
            "https://r.example/api"
        );
        assert_eq!(
            path_of("https://r.example/api/staff/requests"),
            "/api/staff/requests"
        );
        assert_eq!(
            path_of("/api/staff/requests?x=1"),
            "/api/staff/requests?x=1"
        );
    }

    /// docs/staff.md "Device-signed calls": an item of `GET /api/staff/requests` reads as an
    /// open request of the request's page (its form, read-only paths, signer, expiry).
    #[test]
    fn an_assigned_item_reads_as_an_open_request() {
        let item: Value = serde_json::from_str(
            r#"{"id":"r-9","form":{"contract_no":"75523040460309832023040617"},"readonly":["contract_no"],
                "signer":{"name":"张晓梅","mobile":"138****8000"},"expires_at":"2026-12-08T18:00:00+08:00","locale":"zh-CN"}"#,
        )
        .unwrap();
        let opened = read_item(&item).expect("open");
        assert_eq!(opened.request_id, "r-9");
        assert_eq!(opened.form.contract_no, "75523040460309832023040617");
        assert_eq!(opened.readonly, ["contract_no"]);
        assert_eq!(opened.signer_name, "张晓梅");
        assert_eq!(opened.verification, None);
        let body = format!(r#"{{"staff":{{"id":"gz-0042","name":"陈晓明"}},"items":[{item}]}}"#);
        assert_eq!(items_of(&body).map(|i| i.len()), Some(1));
        assert_eq!(items_of("{}"), None);
    }

    /// Only a `qianyue-consent/3` envelope names photos to upload (docs/payload.md §11).
    #[test]
    fn the_photos_to_upload_are_those_the_witnessed_payload_names() {
        let sha = "a".repeat(64);
        let witnessed = format!(
            r#"{{"payload":{{"format":"qianyue-consent/3","witness":{{"attachments":[{{"kind":"company_seal","media_type":"image/jpeg","bytes":5,"sha256":"{sha}"}}]}}}},"signature":"s","witness_signature":"w"}}"#
        );
        assert_eq!(
            photos_named(&witnessed),
            [(sha.clone(), "image/jpeg".to_owned())]
        );
        let online = witnessed.replace("qianyue-consent/3", "qianyue-consent/2");
        assert!(photos_named(&online).is_empty());
        assert!(photos_named("not json").is_empty());
    }

    /// docs/staff.md "Enrolment": 201 with the device, a refusal with its code, else a failure.
    #[test]
    fn reads_the_enrolment_answer() {
        let ok = r#"{"device":{"id":"5b0f3c1e-8d2a-4f7b-9c1d-2e3f4a5b6c7d","staff":{"id":"gz-0042","name":"陈晓明"}}}"#;
        let device = read_enrolment(201, ok).unwrap();
        assert_eq!(device.staff.name, "陈晓明");
        assert_eq!(device.id, "5b0f3c1e-8d2a-4f7b-9c1d-2e3f4a5b6c7d");
        let refused = r#"{"code":"enrolment.code_invalid","message_zh":"登记码无效","message_en":"The enrolment code is wrong","fields":[]}"#;
        match read_enrolment(403, refused) {
            Err(Failure::Refused(m)) => assert_eq!(m.code, "enrolment.code_invalid"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(read_enrolment(502, "x"), Err(Failure::Failed(_))));
        assert!(matches!(read_enrolment(201, "{}"), Err(Failure::Failed(_))));
    }
}
