//! The crash test: a bounded load of consents from clients that retry each one until they get
//! a receipt, while the receiver process is killed with SIGKILL several times and restarted.
//! At the end every acknowledged consent is stored exactly once, with the very receipt that
//! was answered, and nothing else is stored.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

const SUBMISSIONS: usize = 2000;
const CLIENTS: usize = 8;
const KILLS: usize = 5;

#[test]
fn acknowledged_consents_survive_sigkill() {
    for backend in backends() {
        run(backend);
    }
}

fn run(backend: Backend) {
    let started = Instant::now();
    let mut receiver = Receiver::start(Options::new(backend));
    let addr = receiver.addr;
    let bodies: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
        (0..SUBMISSIONS)
            .map(|_| {
                let id = uuid();
                let body = signed(&id, |_| {});
                (id, body)
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let acked: Arc<Mutex<BTreeMap<String, Vec<u8>>>> = Arc::default();
    let retries = Arc::new(AtomicUsize::new(0));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (bodies, next, acked, retries) =
                (bodies.clone(), next.clone(), acked.clone(), retries.clone());
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((id, body)) = bodies.get(i) else {
                    return;
                };
                let deadline = Instant::now() + Duration::from_secs(120);
                loop {
                    let resp = http(
                        addr,
                        "POST",
                        "/api/consents",
                        &[("Content-Type", "application/json")],
                        body,
                    );
                    match resp {
                        Ok(r) if r.status == 200 || r.status == 201 => {
                            acked.lock().unwrap().insert(id.clone(), r.body);
                            break;
                        }
                        // The process is down or restarting, or the store is: retry.
                        Ok(r) if r.status == 503 => {}
                        Err(_) => {}
                        Ok(r) => panic!("{id}: unexpected {}: {}", r.status, r.text()),
                    }
                    retries.fetch_add(1, Ordering::SeqCst);
                    assert!(Instant::now() < deadline, "{id}: no receipt after 120 s");
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        })
        .collect();

    // Kill and restart while the load runs.
    let mut kills = 0;
    let mut pause = 300;
    while kills < KILLS && next.load(Ordering::SeqCst) < SUBMISSIONS {
        std::thread::sleep(Duration::from_millis(pause));
        pause = 200 + (pause * 7 + 131) % 600;
        receiver.kill();
        kills += 1;
        std::thread::sleep(Duration::from_millis(50));
        receiver.restart();
    }
    for c in clients {
        c.join().expect("client thread");
    }

    let acked = acked.lock().unwrap().clone();
    assert_eq!(
        acked.len(),
        SUBMISSIONS,
        "every submission was acknowledged"
    );
    let records = receiver.with_store(|store| async move {
        let mut out = BTreeMap::new();
        for id in store.ids().await.unwrap() {
            let r = store.get(&id).await.unwrap().unwrap();
            out.insert(id, r.receipt.into_bytes());
        }
        out
    });
    let stored: BTreeSet<&String> = records.keys().collect();
    let acknowledged: BTreeSet<&String> = acked.keys().collect();
    assert_eq!(
        stored, acknowledged,
        "{backend:?}: stored ids differ from acknowledged ids"
    );
    for (id, receipt) in &acked {
        assert_eq!(
            &records[id], receipt,
            "{backend:?}: {id}: the stored receipt is not the one answered"
        );
    }
    receiver.assert_no_panic();
    eprintln!(
        "{backend:?}: {SUBMISSIONS} consents, {kills} SIGKILLs, {} retries, {:.1} s",
        retries.load(Ordering::SeqCst),
        started.elapsed().as_secs_f64()
    );
    assert!(
        kills >= 3,
        "{backend:?}: the load ended before enough kills ({kills})"
    );
}
