//! The evidence PDF (issue 18 item 1, contract.md §7), checked by tools that did not make it
//! (poppler-utils: `pdftotext`, `pdfdetach`, `pdftoppm`): the company name, a clause's text
//! and the payload's SHA-256 are text; `consent.json` comes out equal to the stored envelope,
//! verifies, and posts back idempotently, while one flipped byte is refused; the pages are A4
//! and the Chinese title is drawn; two renders, and two receivers, give the same bytes; the
//! signer's `?sha256=` copy, the back office's bearer copy (audited) and the refusals.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use qianyue_domain::content::{self, Kind, Lang, PartId};
use qianyue_domain::payload::{self, verify_receipt, ReceiverKeys};
use serde_json::Value;

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// Whether poppler-utils is installed (`cargo xtask test` installs it); without it the test
/// fails when `QIANYUE_TEST_REQUIRE_POSTGRES` says this is the full run, else it is skipped.
fn poppler() -> bool {
    let found = Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("QIANYUE_TEST_REQUIRE_POSTGRES").is_none(),
            "poppler-utils (pdftotext) is not installed"
        );
        eprintln!("note: poppler-utils is not installed; evidence tests skipped");
    }
    found
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("run a poppler tool");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Posts a consent; its receipt body, id and payload SHA-256.
fn post(r: &Receiver, body: &[u8]) -> (Vec<u8>, String, String) {
    let resp = r.post_json(body);
    assert!(resp.status == 201 || resp.status == 200, "{}", resp.text());
    let v = resp.json();
    (
        resp.body.clone(),
        v["receipt"]["consent_id"].as_str().unwrap().to_owned(),
        v["receipt"]["payload_sha256"].as_str().unwrap().to_owned(),
    )
}

fn evidence(r: &Receiver, id: &str) -> Vec<u8> {
    let resp = r.get(
        &format!("/api/consents/{id}/evidence.pdf"),
        &[("Authorization", &bearer())],
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("content-type"), Some("application/pdf"));
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    assert_eq!(
        resp.header("content-disposition"),
        Some(format!("attachment; filename=\"qianyue-{id}.pdf\"").as_str())
    );
    assert!(resp.body.starts_with(b"%PDF-"));
    resp.body
}

fn save(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A clause of the service agreement without blanks, at least 30 characters: the text the
/// PDF must carry as text.
fn a_clause() -> String {
    content::agreement()
        .part(PartId::Service)
        .blocks(Lang::Zh)
        .iter()
        .filter(|b| matches!(b.kind, Kind::Para | Kind::Item) && b.placeholders().is_empty())
        .map(content::Block::text)
        .find(|t| t.chars().count() >= 30)
        .unwrap()
}

/// A grey PGM's width, height and pixels.
fn pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = bytes[i + 1..].to_vec();
    assert_eq!(pixels.len(), w * h);
    (w, h, pixels)
}

#[test]
fn the_pdf_reads_in_tools_that_did_not_make_it() {
    if !poppler() {
        return;
    }
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let envelope = vector();
    let (receipt, id, sha) = post(&r, &envelope);
    let pdf = evidence(&r, &id);
    let dir = temp_dir("evidence");
    let file = save(&dir, "e.pdf", &pdf);
    // PDF/A-3u, the attachments associated with the document (/AF) as its source.
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"<pdfaid:part>3</pdfaid:part>") && has(b"<pdfaid:conformance>U<"));
    assert!(has(b"/AF[") && has(b"/AFRelationship/Source") && has(b"/EmbeddedFiles"));

    // Text, not pictures of text: the company, a clause, the hash, the consent number.
    let text = String::from_utf8(run(Command::new("pdftotext").arg(&file).arg("-"))).unwrap();
    let flat = squeeze(&text);
    let form = seed_form();
    assert!(flat.contains(&squeeze(&form.customer.group_name)), "{text}");
    assert!(flat.contains(&squeeze(&a_clause())), "{}", a_clause());
    assert!(text.contains(&sha), "payload sha256 {sha}");
    assert!(text.contains(&id));
    assert!(flat.contains("已签署"));
    // A figure shown, named as the app names it, in yuan.
    let penalty = qianyue_domain::labels::figure_words("penalty");
    assert!(flat.contains(&squeeze(penalty.zh)) && flat.contains(&squeeze(penalty.en)));
    let v: Value = serde_json::from_slice(&envelope).unwrap();
    let fen = v["payload"]["previews"]["orders.0.penalty"]
        .as_i64()
        .unwrap();
    let yuan = qianyue_domain::money::Fen(fen).format_cny(qianyue_domain::error::Locale::ZhCn);
    assert!(text.contains(&yuan), "{yuan}");
    // The English of the agreement, shown when signing (the vector lists both languages).
    assert!(text.contains("How to check this document yourself"));
    assert!(flat.contains(&squeeze(PartId::Service.title(Lang::En))));

    // The attachments: the envelope exactly as stored, and the receipt.
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let listed = String::from_utf8(run(Command::new("pdfdetach").arg("-list").arg(&file))).unwrap();
    assert!(
        listed.contains("consent.json") && listed.contains("receipt.json"),
        "{listed}"
    );
    run(Command::new("pdfdetach")
        .arg("-saveall")
        .arg("-o")
        .arg(&out)
        .arg(&file));
    let consent = std::fs::read(out.join("consent.json")).unwrap();
    assert_eq!(consent, envelope, "consent.json is the stored envelope");
    let verified = payload::verify_envelope(&consent).unwrap();
    assert_eq!(verified.payload_sha256, sha);
    let attached_receipt = std::fs::read(out.join("receipt.json")).unwrap();
    assert_eq!(attached_receipt, receipt);
    let keys: ReceiverKeys = serde_json::from_slice(&r.get("/api/keys", &[]).body).unwrap();
    verify_receipt(&attached_receipt, &keys.keys).unwrap();
    // Posted back: the same consent, the first receipt.
    let again = r.post_json(&consent);
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.body, receipt);
    // One flipped byte (inside a value of the payload) is refused.
    let mut flipped = consent.clone();
    let at = flipped.windows(6).position(|w| w == b"\"form\"").unwrap() + 20;
    flipped[at] ^= 0x01;
    assert!(payload::verify_envelope(&flipped).is_err());
    assert_eq!(r.post_json(&flipped).status / 100, 4);

    // Looked at as images: A4 pages, and the Chinese title drawn.
    let prefix = dir.join("page");
    run(Command::new("pdftoppm")
        .args(["-r", "50", "-gray", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(&prefix));
    let page = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pgm"))
        .expect("a page image");
    let (w, h, pixels) = pgm(&std::fs::read(page).unwrap());
    // A4 at 50 dpi: 595.28 × 841.89 pt → 413.4 × 584.6 px.
    assert!(
        (413..=414).contains(&w) && (584..=585).contains(&h),
        "{w}×{h}"
    );
    // 签约电子凭证 at 17 pt from the left margin: x 56–158 pt, its glyphs above the baseline
    // at 85.5 pt. Ink there, as glyphs give it (a missing font draws nothing or boxes).
    let (x0, x1, y0, y1) = (40, 108, 45, 61);
    let dark = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| pixels[y * w + x] < 128)
        .count();
    let area = (x1 - x0) * (y1 - y0);
    assert!(
        dark * 100 / area >= 8,
        "{dark} dark pixels of {area} in the title"
    );
    // The margins above it are white.
    assert!((0..30).all(|y| (0..w).all(|x| pixels[y * w + x] > 200)));
    r.assert_no_panic();
}

#[test]
fn one_consent_gives_the_same_bytes_every_time() {
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let (receipt, id, sha) = post(&r, &vector());
    let first = evidence(&r, &id);
    // A later second: no wall clock in the output.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = evidence(&r, &id);
    assert!(first == second, "two renders differ");
    let signer = r.get(
        &format!("/api/consents/{id}/evidence.pdf?sha256={sha}"),
        &[],
    );
    assert_eq!(signer.status, 200, "{}", signer.text());
    assert!(signer.body == first, "the signer's copy differs");
    // The one date written is the receipt's received_at (CST).
    let v: Value = serde_json::from_slice(&receipt).unwrap();
    let received = v["receipt"]["received_at"].as_str().unwrap();
    let digits: String = received[..19]
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let stamp = format!("D:{digits}+08'00");
    assert!(
        first.windows(stamp.len()).any(|w| w == stamp.as_bytes()),
        "{stamp} is not in the PDF"
    );
}

#[test]
fn the_signers_copy_needs_the_payload_hash_and_the_back_office_its_token() {
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let (_, id, sha) = post(&r, &vector());
    let path = format!("/api/consents/{id}/evidence.pdf");
    // The signer's hash, no bearer: the PDF.
    let ok = r.get(&format!("{path}?sha256={sha}"), &[]);
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.header("content-type"), Some("application/pdf"));
    // A wrong hash, and the right hash with another id: 404 alike.
    let mut wrong = sha.clone().into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let wrong = String::from_utf8(wrong).unwrap();
    for p in [
        format!("{path}?sha256={wrong}"),
        format!("{path}?sha256="),
        format!("/api/consents/{}/evidence.pdf?sha256={sha}", uuid()),
        format!("/api/consents/not-an-id/evidence.pdf?sha256={sha}"),
    ] {
        let resp = r.get(&p, &[]);
        assert_eq!(resp.status, 404, "{p}: {}", resp.text());
        assert_eq!(resp.code(), "not_found");
    }
    // Neither a hash nor a bearer; a wrong bearer: 401.
    let none = r.get(&path, &[]);
    assert_eq!(none.status, 401, "{}", none.text());
    assert_eq!(none.code(), "auth.required");
    let bad = r.get(
        &path,
        &[("Authorization", "Bearer not-the-token-0123456789")],
    );
    assert_eq!(bad.status, 401);
    // The back office, and an unknown id.
    evidence(&r, &id);
    let unknown = r.get(
        &format!("/api/consents/{}/evidence.pdf", uuid()),
        &[("Authorization", &bearer())],
    );
    assert_eq!(unknown.status, 404);
    // Each back-office download is in the audit log, without personal data; the signer's
    // own copy is not a back-office read.
    let audit = std::fs::read_to_string(r.data_dir.join("audit.log")).unwrap();
    let events: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &Value| e["event"] == "consent.evidence")
        .collect();
    assert_eq!(events.len(), 2, "{audit}");
    assert_eq!(events[0]["id"], id.as_str());
    assert_eq!(events[0]["found"], true);
    assert_eq!(events[1]["found"], false);
    assert!(events
        .iter()
        .all(|e| e["who"].as_str().unwrap().starts_with("token:")));
    let form = seed_form();
    for n in [&form.contact.id_number, &form.agent.id_number] {
        assert!(!audit.contains(n.as_str()), "an ID number in the audit log");
    }
}

#[test]
fn a_drawn_signature_is_drawn() {
    if !poppler() {
        return;
    }
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let id = uuid();
    let body = signed(&id, |v| {
        let strokes: Vec<Value> = (0..3)
            .map(|k| {
                Value::from(
                    (0..30)
                        .map(|i| Value::from(vec![20 + i * 8, 30 + k * 25 + (i % 5) * 3]))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        v["signature_image"] = serde_json::json!({
            "kind": "strokes", "width": 300, "height": 120, "strokes": strokes,
        });
    });
    let (_, id, _) = post(&r, &body);
    let pdf = evidence(&r, &id);
    let dir = temp_dir("evidence-drawn");
    let file = save(&dir, "e.pdf", &pdf);
    let text = String::from_utf8(run(Command::new("pdftotext").arg(&file).arg("-"))).unwrap();
    assert!(
        squeeze(&text).contains(&squeeze("手写签名 / Drawn signature")),
        "{text}"
    );
}

#[test]
fn a_typed_signature_is_text() {
    if !poppler() {
        return;
    }
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let (_, id, _) = post(&r, &signed(&uuid(), |_| {}));
    let dir = temp_dir("evidence-typed");
    let file = save(&dir, "e.pdf", &evidence(&r, &id));
    let text = String::from_utf8(run(Command::new("pdftotext").arg(&file).arg("-"))).unwrap();
    let qianyue_domain::payload::SignatureImage::Typed { text: name } =
        qianyue_domain::testing::typed_signature()
    else {
        unreachable!()
    };
    let flat = squeeze(&text);
    let at = flat
        .find(&squeeze("输入的姓名 / Typed name"))
        .expect("the typed signature");
    assert!(flat[at..].contains(&name), "{name} after its label");
}

#[test]
fn without_its_font_the_receiver_refuses_to_start() {
    let dir = temp_dir("no-font");
    std::fs::create_dir_all(dir.join("no-dist")).unwrap();
    let missing = dir.join("no-such-font.ttc");
    let not_a_font = save(&dir, "font.ttf", b"not a font");
    for (font, says) in [
        (&missing, "cannot read"),
        (&not_a_font, "not a TTF, OTF or TTC font"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_qianyue-receiver"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("QIANYUE_DATA_DIR", &dir)
            .env("QIANYUE_ADDR", "127.0.0.1:0")
            .env("QIANYUE_DIST", dir.join("no-dist"))
            .env("QIANYUE_PDF_FONT", font)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(
            stderr.contains(&font.display().to_string()),
            "{stderr} names the file"
        );
    }
}

/// Two receivers on one PostgreSQL with one keys file, data key and font: the evidence of a
/// consent is the same bytes from either (issue 18 item 5).
#[test]
fn two_receivers_make_identical_pdfs() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let dir = temp_dir("evidence-many");
    let keys = dir.join("receipt-keys");
    std::fs::write(
        &keys,
        format!(
            "{}\n{}\n",
            qianyue_receiver::keys::KEYS_FILE_HEADER,
            qianyue_receiver::keys::key_line(qianyue_receiver::keys::Role::Current, None).unwrap()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let data_key = dir.join("data-key").display().to_string();
    let keys = keys.display().to_string();
    let a = Receiver::start(
        Options::new(Backend::Postgres)
            .with("QIANYUE_RECEIPT_KEY_FILE", &keys)
            .with("QIANYUE_DATA_KEY_FILE", &data_key),
    );
    let b = Receiver::start(
        Options::new(Backend::Postgres)
            .with("QIANYUE_RECEIPT_KEY_FILE", &keys)
            .with("QIANYUE_DATA_KEY_FILE", &data_key)
            .with("DATABASE_URL", &a.database_url),
    );
    // Posted to one, retried on the other; the evidence from each.
    let (first, id, sha) = post(&a, &vector());
    let (again, _, _) = post(&b, &vector());
    assert_eq!(first, again);
    let from_a = evidence(&a, &id);
    let from_b = evidence(&b, &id);
    assert!(from_a == from_b, "the two receivers' PDFs differ");
    let signer = b.get(
        &format!("/api/consents/{id}/evidence.pdf?sha256={sha}"),
        &[],
    );
    assert!(signer.body == from_a);
}

/// A consent signed on agreement v1 (as an outbox may still hold): a part whose text v2 left
/// unchanged (same content hash) is shown, one whose text changed is named by its hash only,
/// and the consents' v1 wordings likewise.
#[test]
fn an_earlier_versions_consent_shows_only_the_text_that_was_signed() {
    use qianyue_domain::content::V1;
    use qianyue_domain::payload::V1_CONSENT_WORDING_SHA256;
    if !poppler() {
        return;
    }
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let body = signed(&uuid(), |v| {
        v["agreement"]["version"] = "v1".into();
        for h in v["content_hashes"].as_array_mut().unwrap() {
            let part = PartId::from_hook(h["part"].as_str().unwrap()).unwrap();
            let lang = Lang::from_tag(h["lang"].as_str().unwrap()).unwrap();
            let (_, _, hash) = V1
                .content_hashes
                .iter()
                .find(|(p, l, _)| (*p, *l) == (part, lang))
                .unwrap();
            h["sha256"] = (*hash).into();
        }
        for c in v["consents"].as_array_mut().unwrap() {
            let (_, hash) = V1_CONSENT_WORDING_SHA256
                .iter()
                .find(|(id, _)| serde_json::json!(id) == c["id"])
                .unwrap();
            c["wording_sha256"] = (*hash).into();
        }
    });
    let (_, id, _) = post(&r, &body);
    let dir = temp_dir("evidence-v1");
    let file = save(&dir, "e.pdf", &evidence(&r, &id));
    let text = String::from_utf8(run(Command::new("pdftotext").arg(&file).arg("-"))).unwrap();
    let flat = squeeze(&text);
    let not_shipped = squeeze("This build does not ship the text of this version");
    let mut shown = 0;
    for (part, lang, hash) in V1.content_hashes {
        let same = content::content_hash(part, lang) == hash;
        // The part's first clause without blanks, as text.
        let clause = content::agreement()
            .part(part)
            .blocks(lang)
            .iter()
            .filter(|b| b.kind == Kind::Para && b.placeholders().is_empty())
            .map(content::Block::text)
            .find(|t| t.chars().count() >= 30);
        if let (true, Some(clause)) = (same, clause) {
            assert!(
                flat.contains(&squeeze(&clause)),
                "{part:?} {lang:?}: {clause}"
            );
            shown += 1;
        }
        if !same {
            assert!(
                flat.contains(&not_shipped),
                "{part:?} {lang:?} changed in v2"
            );
        }
    }
    eprintln!("v1 parts shown as text: {shown}");
    assert!(flat.contains(&squeeze(&seed_form().customer.group_name)));
    assert!(text.contains("v1"));
}

/// `qianyue-check` as `cargo test --workspace` builds it, beside this test's binary.
fn qianyue_check() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join(format!("qianyue-check{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p qianyue-check` (cargo test --workspace does)",
        bin.display()
    );
    bin
}

/// Issue 18, "the PDF checked by tools that did not make it": `pdfdetach` extracts
/// `consent.json`, which `qianyue-check verify` accepts with the receipt against the
/// receiver's `/api/keys`; the PDF itself too; one flipped byte in the extracted envelope is
/// refused (exit 1, naming the signature).
#[test]
fn qianyue_check_verifies_the_pdf_and_the_envelope_pdfdetach_extracts() {
    if !poppler() {
        return;
    }
    let check = qianyue_check();
    let r = Receiver::start(Options::new(Backend::Sqlite));
    let (_, id, sha) = post(&r, &vector());
    let pdf = evidence(&r, &id);
    let dir = temp_dir("evidence-check");
    let file = save(&dir, "e.pdf", &pdf);
    let keys = save(&dir, "keys.json", &r.get("/api/keys", &[]).body);
    let verify = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(&check)
            .arg("verify")
            .args(args)
            .arg("--receiver-keys")
            .arg(&keys)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };

    // The PDF as downloaded.
    let (code, report) = verify(&["--file".as_ref(), file.as_os_str()]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains(&sha), "{report}");

    // What pdfdetach extracts, with the receipt beside it.
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    run(Command::new("pdfdetach")
        .arg("-saveall")
        .arg("-o")
        .arg(&out)
        .arg(&file));
    let consent = out.join("consent.json");
    let receipt = out.join("receipt.json");
    let (code, report) = verify(&[
        "--file".as_ref(),
        consent.as_os_str(),
        "--receipt".as_ref(),
        receipt.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{report}");

    // One byte of the payload flipped: refused, with the reason.
    let mut flipped = std::fs::read(&consent).unwrap();
    let at = flipped.windows(6).position(|w| w == b"\"form\"").unwrap() + 20;
    flipped[at] ^= 0x01;
    let bad = save(&dir, "flipped.json", &flipped);
    let (code, report) = verify(&["--file".as_ref(), bad.as_os_str()]);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("signature.mismatch"), "{report}");
    r.assert_no_panic();
}
