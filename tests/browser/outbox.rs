//! The outbox in a real browser (wasm-bindgen-test, headless Chromium): an envelope is stored
//! encrypted before anything is sent (no ID number in the stored records), a network failure
//! keeps it queued, a 4xx moves it to "needs attention" and it stays there, the reader can
//! remove it, and the AES key cannot be exported.

use js_sys::{Array, Reflect, Uint8Array};
use leptos::prelude::WithUntracked;
use qianyue::outbox::{self, Delivery, ProblemKind, State};
use qianyue::outbox_store::{self, ITEMS, KEYS};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const ID_NUMBER: &str = "440307198505201246";

/// Points the app at `url` (the host page's `<meta name="qianyue-endpoint">`), where items
/// queued without an endpoint of their own go, and returns it.
fn set_endpoint(url: &str) -> String {
    let document = leptos::prelude::document();
    let meta = match document
        .query_selector("meta[name='qianyue-endpoint']")
        .unwrap()
    {
        Some(m) => m,
        None => {
            let m = document.create_element("meta").unwrap();
            m.set_attribute("name", "qianyue-endpoint").unwrap();
            document.head().unwrap().append_child(&m).unwrap();
            m
        }
    };
    meta.set_attribute("content", url).unwrap();
    url.to_owned()
}

/// An envelope shaped like the app's (the outbox reads only the id, contract number and time).
fn envelope(id: &str, contract: &str) -> String {
    serde_json::json!({
        "payload": {
            "idempotency_id": id,
            "signed_at": "2023-04-10T15:04:05+08:00",
            "form": {
                "contract_no": contract,
                "contact": {"name": "刘志强", "id_type": "身份证", "id_number": ID_NUMBER},
            },
        },
        "signature": "AAAA",
    })
    .to_string()
}

/// Empties the outbox (tests share one page and one database).
async fn clear() {
    for record in outbox_store::all(ITEMS).await.unwrap() {
        let id = Reflect::get(&record, &"id".into())
            .unwrap()
            .as_string()
            .unwrap();
        outbox_store::delete(ITEMS, &id).await.unwrap();
    }
    outbox::refresh().await;
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[wasm_bindgen_test]
async fn a_consent_rests_encrypted_and_stays_queued_while_offline() {
    // Nothing listens on the discard port: the request fails like a network without signal.
    clear().await;
    let endpoint = set_endpoint("http://127.0.0.1:9/api/consents");
    let id = "0b4f6c8e-2a1d-4e3b-9c8f-7a6b5c4d3e2f";
    let delivery = outbox::submit(&envelope(id, "GD-OFFLINE-1"), &endpoint, true).await;
    assert_eq!(delivery, Delivery::Queued(id.into()));

    let item = outbox::outbox()
        .items
        .with_untracked(|items| items.iter().find(|i| i.id == id).cloned())
        .expect("listed");
    assert_eq!(item.state, State::Queued);
    assert_eq!(item.label, "GD-OFFLINE-1");
    assert_eq!(item.attempts, 1);
    assert_eq!(item.problem.map(|p| p.kind), Some(ProblemKind::Network));

    // Every stored record, as raw as IndexedDB gives it: no ID number anywhere.
    for record in outbox_store::all(ITEMS).await.unwrap() {
        let meta = Reflect::get(&record, &"meta".into()).unwrap();
        let text = js_sys::JSON::stringify(&meta).unwrap().as_string().unwrap();
        assert!(!text.contains(ID_NUMBER), "metadata in clear: {text}");
        let data: Uint8Array = Reflect::get(&record, &"data".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        assert!(!contains(&data.to_vec(), ID_NUMBER.as_bytes()));
        assert!(!contains(&data.to_vec(), "刘志强".as_bytes()));
        let iv: Uint8Array = Reflect::get(&record, &"iv".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        assert_eq!(iv.length(), 12);
    }
}

#[wasm_bindgen_test]
async fn a_refused_consent_needs_attention_and_stays_until_removed() {
    // The test server answers 404 to this POST: a 4xx, the receiver's refusal.
    clear().await;
    let endpoint = set_endpoint("/no-such-receiver/api/consents");
    let id = "1c5a7d9f-3b2e-4f4c-8d9a-8b7c6d5e4f30";
    match outbox::submit(&envelope(id, "GD-REFUSED-1"), &endpoint, true).await {
        Delivery::Refused(problem) => {
            assert_eq!(problem.kind, ProblemKind::Refused);
            assert!(problem.status.is_some_and(|s| (400..500).contains(&s)));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Another pass does not send it again, and does not drop it.
    outbox::flush().await;
    let item = outbox::outbox()
        .items
        .with_untracked(|items| items.iter().find(|i| i.id == id).cloned())
        .expect("kept");
    assert_eq!(item.state, State::Attention);
    assert_eq!(item.attempts, 1);
    // Retrying asks the receiver again (still refused), then the reader removes it.
    outbox::retry(id).await;
    let attempts = outbox::outbox()
        .items
        .with_untracked(|items| items.iter().find(|i| i.id == id).map(|i| i.attempts));
    assert_eq!(attempts, Some(2));
    outbox::remove(id).await;
    assert!(outbox::outbox()
        .items
        .with_untracked(|items| items.iter().all(|i| i.id != id)));
}

#[wasm_bindgen_test]
async fn the_outbox_key_cannot_be_exported() {
    clear().await;
    let endpoint = set_endpoint("http://127.0.0.1:9/api/consents");
    outbox::enqueue(
        &envelope("2d6b8e0a-4c3f-4a5d-9e0b-9c8d7e6f5a41", "GD-KEY-1"),
        &endpoint,
    )
    .await
    .unwrap();
    let keys = outbox_store::all(KEYS).await.unwrap();
    assert_eq!(keys.len(), 1, "one AES key");
    let key: web_sys::CryptoKey = keys[0].clone().dyn_into().unwrap();
    assert!(!key.extractable());
    let subtle = leptos::prelude::window().crypto().unwrap().subtle();
    let export = subtle.export_key("raw", &key).unwrap();
    assert!(JsFuture::from(export).await.is_err(), "exportKey must fail");
    let usages: Array = key.usages().dyn_into().unwrap();
    assert_eq!(usages.length(), 2);
}
