//! The evidence PDF's size and the time to make one, for `cargo xtask bench` (issue 18): the
//! checked-in vector (the seed consent, both languages) with a receipt signed by a fixed
//! Ed25519 key, rendered `--n` times (after `--warmup`) with the font of `QIANYUE_PDF_FONT`
//! or the default one, one at a time on this thread.
//!
//! Prints one JSON object (integers only): the PDF's bytes, its pages, and the p50 / p99 / max
//! of one render in microseconds. `--out FILE` also writes the PDF.
//!
//! `bench_evidence [--n 200] [--warmup 10] [--out FILE]`

use std::time::Instant;

use ed25519_dalek::Signer as _;
use qianyue_domain::payload::{self, Receipt, ReceiverKey, SignedAt};
use qianyue_domain::testing;
use qianyue_receiver::evidence::{render, EvidenceFonts, EvidenceInput};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--n")
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let warmup: usize = arg(&args, "--warmup")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let font = std::env::var_os("QIANYUE_PDF_FONT").map(std::path::PathBuf::from);
    let fonts = match EvidenceFonts::load(font.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("bench_evidence: {e}");
            std::process::exit(2);
        }
    };
    let envelope = testing::vector().into_bytes();
    let verified = payload::verify_envelope(&envelope).expect("the vector verifies");
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let published = ReceiverKey::ed25519(&key.verifying_key().to_bytes());
    let received_at = SignedAt::parse("2023-04-10T15:30:00+08:00").expect("a CST time");
    let receipt = Receipt::for_payload(&verified, received_at, &published.kid);
    let bytes = receipt.signing_bytes();
    let receipt = Receipt::envelope_of(&bytes, &key.sign(&bytes).to_bytes());
    let input = EvidenceInput {
        envelope: &envelope,
        receipt: receipt.as_bytes(),
        receiver_key: Some(&published),
    };
    let mut pdf = Vec::new();
    for _ in 0..warmup {
        pdf = render(&input, &fonts);
    }
    let mut micros: Vec<u64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            let made = render(&input, &fonts);
            let us = u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX);
            assert!(made == pdf || pdf.is_empty(), "two renders differ");
            pdf = made;
            us
        })
        .collect();
    micros.sort_unstable();
    let at = |q: usize| micros[(micros.len() * q / 100).min(micros.len() - 1)];
    if let Some(out) = arg(&args, "--out") {
        std::fs::write(&out, &pdf).expect("write --out");
    }
    // Page objects (`/Type/Page`, not the tree's `/Type/Pages`).
    let pages = pdf
        .windows(11)
        .filter(|w| w.starts_with(b"/Type/Page") && w[10] != b's')
        .count();
    println!(
        "{{\"evidence_pdf_bytes\": {}, \"evidence_pdf_pages\": {pages}, \"renders\": {n}, \
         \"render_p50_us\": {}, \"render_p99_us\": {}, \"render_max_us\": {}}}",
        pdf.len(),
        at(50),
        at(99),
        micros.last().copied().unwrap_or(0)
    );
}
