//! The passes: [`flush`] sends what waits, oldest first, one at a time. Passes never overlap; a
//! request made during a pass runs one more pass after it. While items still wait after a
//! failure, a timer runs the next pass after the domain's backoff (`delivery::backoff_ms`).

use std::cell::RefCell;

use js_sys::{Function, Promise};
use leptos::prelude::*;
use qianyue_domain::delivery::backoff_ms;
use qianyue_domain::payload::ReceiverKey;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::record::{Problem, ProblemKind, State};
use super::send::{attempt, Attempt};
use super::stored::{records, Record};
use super::{outbox, refresh, settled, Delivery};
use crate::api::js_text;
use crate::outbox_store::{self as store, ITEMS};
use crate::{clock, crypto};

#[derive(Default)]
struct Flusher {
    running: bool,
    requested: bool,
    /// Resolvers of the callers waiting for the next pass to end.
    waiters: Vec<Function>,
    /// Passes in a row that ended with items still waiting after a failure.
    failures: u32,
    timer: Option<i32>,
}

thread_local! {
    static FLUSHER: RefCell<Flusher> = RefCell::new(Flusher::default());
}

/// Starts the backoff afresh (the network came back, the reader asked).
pub(super) fn reset_backoff() {
    FLUSHER.with(|f| f.borrow_mut().failures = 0);
}

/// Sends what waits; resolves when a pass that started after this call has ended.
pub async fn flush() {
    let promise = Promise::new(&mut |resolve, _| {
        FLUSHER.with(|f| f.borrow_mut().waiters.push(resolve));
    });
    let start = FLUSHER.with(|f| {
        let mut f = f.borrow_mut();
        f.requested = true;
        !std::mem::replace(&mut f.running, true)
    });
    if start {
        wasm_bindgen_futures::spawn_local(run());
    }
    let _ = JsFuture::from(promise).await;
}

async fn run() {
    loop {
        let waiters = FLUSHER.with(|f| {
            let mut f = f.borrow_mut();
            if !f.requested {
                f.running = false;
                return None;
            }
            f.requested = false;
            Some(std::mem::take(&mut f.waiters))
        });
        let Some(waiters) = waiters else {
            break;
        };
        let waiting = pass().await;
        schedule(waiting);
        for w in waiters {
            let _ = w.call0(&JsValue::NULL);
        }
    }
}

/// After a pass: retry later while items wait (backoff), or rest.
fn schedule(still_waiting: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let delay = FLUSHER.with(|f| {
        let mut f = f.borrow_mut();
        if let Some(timer) = f.timer.take() {
            window.clear_timeout_with_handle(timer);
        }
        if !still_waiting {
            f.failures = 0;
            return None;
        }
        f.failures = f.failures.saturating_add(1);
        Some(backoff_ms(f.failures, crypto::random_permille()))
    });
    let Some(delay) = delay else {
        outbox().next_attempt.set(None);
        return;
    };
    let callback = Closure::once_into_js(|| {
        FLUSHER.with(|f| f.borrow_mut().timer = None);
        wasm_bindgen_futures::spawn_local(flush());
    });
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            i32::try_from(delay).unwrap_or(i32::MAX),
        )
        .ok();
    FLUSHER.with(|f| f.borrow_mut().timer = timer);
    outbox()
        .next_attempt
        .set(Some(clock::now_ms() + f64::from(delay)));
}

/// One pass over the queued items, oldest first; stops at the first failure that is not the
/// item's own (network, server). Returns whether items still wait.
async fn pass() -> bool {
    let list = match records().await {
        Ok(list) => list,
        Err(e) => {
            leptos::logging::warn!("outbox: cannot read: {}", js_text(&e));
            outbox().unavailable.set(true);
            return false;
        }
    };
    let mut keys: Option<Vec<ReceiverKey>> = None;
    for record in list.into_iter().filter(|r| r.item.state == State::Queued) {
        outbox().sending.set(Some(record.item.id.clone()));
        let result = send_one(&record, &mut keys).await;
        let stop = settle(record, result).await;
        refresh().await;
        if stop {
            break;
        }
    }
    outbox().sending.set(None);
    refresh().await;
    outbox()
        .items
        .with_untracked(|items| items.iter().any(|i| i.state == State::Queued))
}

/// Decrypts and sends one stored item.
async fn send_one(record: &Record, keys: &mut Option<Vec<ReceiverKey>>) -> Attempt {
    match record.envelope().await {
        Ok(envelope) => attempt(&record.item.id, &envelope, &record.item.endpoint, keys).await,
        Err(e) => Attempt::Refused(Problem::new(
            ProblemKind::Local,
            None,
            "outbox.unreadable",
            "本设备上保存的这份签署无法解密。",
            &format!(
                "The copy kept on this device cannot be decrypted ({}).",
                js_text(&e)
            ),
        )),
    }
}

/// Records how an attempt ended: a delivered item leaves, a refused one needs attention, a
/// transient failure keeps it queued. Returns whether the pass should stop (the failure was
/// not the item's own).
async fn settle(mut record: Record, result: Attempt) -> bool {
    record.item.attempts += 1;
    record.item.last_attempt = Some(clock::now_ms());
    match result {
        Attempt::Delivered(receipt) => {
            let id = record.item.id.clone();
            outbox()
                .delivered
                .update(|d| d.push((id.clone(), receipt.clone())));
            if let Err(e) = store::delete(ITEMS, &id).await {
                // Sent again next time; the receiver answers with the same receipt.
                leptos::logging::warn!("outbox: cannot remove a sent item: {}", js_text(&e));
            }
            refresh().await;
            settled(&id, &Delivery::Delivered(receipt));
            false
        }
        Attempt::Refused(problem) => {
            record.item.state = State::Attention;
            record.item.problem = Some(problem.clone());
            save(&record).await;
            refresh().await;
            settled(&record.item.id, &Delivery::Refused(problem));
            false
        }
        Attempt::Transient(problem) => {
            record.item.problem = Some(problem);
            save(&record).await;
            true
        }
    }
}

/// Writes an item back; a failure is logged (the item is sent again as it was).
pub(super) async fn save(record: &Record) {
    if let Err(e) = record.save().await {
        leptos::logging::warn!("outbox: cannot update an item: {}", js_text(&e));
    }
}
