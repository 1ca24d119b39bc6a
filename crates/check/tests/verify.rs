//! `qianyue-check verify` (contract.md §7) as a third party runs it: the real binary, an
//! envelope on standard input or a file (JSON or an evidence PDF), exit 0 verified / 1 not, with
//! the reasons / 2 unusable input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use ed25519_dalek::Signer as _;
use lopdf::{dictionary, Document, Object, Stream};
use qianyue_domain::payload::{verify_envelope, Receipt, ReceiverKey, ReceiverKeys, SignedAt};
use qianyue_domain::testing::{self, sign_value, test_key};
use serde_json::Value;

/// docs/payload.md §6: the worked example, payload SHA-256 ff90f49f…04d275.
const VECTOR: &str = include_str!("../../domain/tests/fixtures/payload-vector.json");
const VECTOR_SHA256: &str = "ff90f49f5c6e411ab8854b5bda8b42c381a2c122d63dfd72c15d13043304d275";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qianyue-check"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qianyue-check starts");
    match child.stdin.take().unwrap().write_all(stdin) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("cannot write: {e}"),
        _ => {}
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A file of this test's own in the target's scratch directory.
fn scratch(name: &str, bytes: &[u8]) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("qianyue-check-verify");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

/// The JSON report of a run.
fn report(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// Each check's status in a JSON report, in order.
fn statuses(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn status_of(report: &Value, check: &str) -> String {
    statuses(report)
        .into_iter()
        .find(|(c, _)| c == check)
        .unwrap_or_else(|| panic!("no line {check} in {report}"))
        .1
}

/// The codes of a check's reasons.
fn codes(report: &Value, check: &str) -> Vec<String> {
    let line = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .unwrap();
    line["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A receiver key of these tests (Ed25519, from a fixed seed).
fn receiver(seed: u8) -> (ed25519_dalek::SigningKey, ReceiverKey) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let jwk = ReceiverKey::ed25519(key.verifying_key().as_bytes());
    (key, jwk)
}

/// The receipt a receiver holding `signer` gives for `envelope`, naming the kid `named`.
fn receipt_for(envelope: &str, signer: &ed25519_dalek::SigningKey, named: &str) -> String {
    let verified = verify_envelope(envelope.as_bytes()).unwrap();
    let received_at = SignedAt::parse("2023-04-10T15:04:09+08:00").unwrap();
    let receipt = Receipt::for_payload(&verified, received_at, named);
    receipt.envelope_json(&signer.sign(&receipt.signing_bytes()).to_bytes())
}

/// `GET /api/keys`'s answer listing `keys`.
fn keys_file(name: &str, keys: &[ReceiverKey]) -> String {
    let body = serde_json::to_string(&ReceiverKeys {
        keys: keys.to_vec(),
    })
    .unwrap();
    scratch(name, body.as_bytes())
}

/// The vector's payload with `edit` applied, signed again with the test key: a consent whose
/// signature holds but whose content breaks a rule.
fn resigned(edit: impl FnOnce(&mut Value)) -> String {
    let envelope: Value = serde_json::from_str(VECTOR).unwrap();
    let mut payload = envelope["payload"].clone();
    edit(&mut payload);
    sign_value(&payload, &test_key())
}

#[test]
fn the_docs_vector_verifies_on_standard_input() {
    let run = check(&["verify"], VECTOR.as_bytes());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains(VECTOR_SHA256), "{}", run.stdout);
    assert!(
        run.stdout.contains("[通过 ok] signature: "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the form re-validated as on the signing date 2023-04-10"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.trim_end().ends_with(
            "Result: VERIFIED. The signature holds and the consent re-validates as on its signing date."
        ),
        "{}",
        run.stdout
    );

    let json = check(&["verify", "--json"], VECTOR.as_bytes());
    assert_eq!(json.code, 0);
    let r = report(&json);
    assert_eq!(r["verified"], true);
    assert_eq!(r["payload_sha256"], VECTOR_SHA256);
    assert_eq!(r["consent_id"], testing::VECTOR_ID);
    let expected: Vec<(String, String)> = [
        "signature",
        "format",
        "agreement",
        "content_hashes",
        "consents",
        "signature_image",
        "signed_at",
        "idempotency_id",
        "form",
        "previews",
    ]
    .iter()
    .map(|c| (c.to_string(), "ok".to_owned()))
    .chain([("receipt".to_owned(), "not_checked".to_owned())])
    .collect();
    assert_eq!(statuses(&r), expected);
    for line in r["checks"].as_array().unwrap() {
        for key in ["message_zh", "message_en"] {
            assert!(line[key].as_str().is_some_and(|s| !s.is_empty()), "{line}");
        }
    }

    // The same bytes from --file.
    let file = scratch("vector.json", VECTOR.as_bytes());
    assert_eq!(check(&["verify", "--file", &file], b"").code, 0);
}

/// docs/payload.md §2: one byte of the signed content changed is a signature that no longer
/// holds, and nothing else is believed.
#[test]
fn a_flipped_byte_in_the_payload_is_1_with_the_reason() {
    let signed = "\"signed_at\":\"2023-04-10T15:04:05+08:00\"";
    assert!(VECTOR.contains(signed));
    let flipped = VECTOR.replacen(signed, "\"signed_at\":\"2023-04-10T15:04:06+08:00\"", 1);
    let run = check(&["verify", "--json"], flipped.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = report(&run);
    assert_eq!(r["verified"], false);
    assert_eq!(status_of(&r, "signature"), "failed");
    assert_eq!(codes(&r, "signature"), ["signature.mismatch"]);
    for (check, status) in statuses(&r).into_iter().skip(1) {
        assert_eq!(status, "not_checked", "{check}");
    }

    let human = check(&["verify"], flipped.as_bytes());
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains(
            "signature.mismatch: 签名与签约数据不符 / The signature does not match the payload"
        ),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("Result: NOT VERIFIED (signature)."));

    // A byte flipped anywhere in the payload's text, one at a time through a stretch of it:
    // never 0 (1 when it still reads as an envelope, 2 when it does not).
    let bytes = VECTOR.as_bytes();
    let start = VECTOR.find("\"form\"").unwrap();
    for i in (start..start + 400).step_by(7) {
        let mut b = bytes.to_vec();
        b[i] ^= 0x01;
        let run = check(&["verify"], &b);
        assert!(run.code == 1 || run.code == 2, "byte {i}: {}", run.code);
    }
}

/// The content's rules judged as the receiver judges them, each on its own line: the hash of a
/// part, a figure shown, the form on the signing date.
#[test]
fn a_signed_payload_that_breaks_the_rules_is_1_on_the_lines_concerned() {
    // Art. 2 §17 of the vector: orders.0.penalty is 960000 fen; a figure of 1 fen more was
    // not the one the agreement gives.
    let envelope = resigned(|p| p["previews"]["orders.0.penalty"] = 960_001.into());
    let run = check(&["verify", "--json"], envelope.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = report(&run);
    assert_eq!(status_of(&r, "signature"), "ok");
    assert_eq!(status_of(&r, "previews"), "failed");
    assert_eq!(codes(&r, "previews"), ["preview.mismatch"]);
    for check in ["content_hashes", "consents", "form", "signed_at"] {
        assert_eq!(status_of(&r, check), "ok", "{check}");
    }

    // A content hash that is not the shipped text's.
    let envelope = resigned(|p| p["content_hashes"][0]["sha256"] = "0".repeat(64).into());
    let r = report(&check(&["verify", "--json"], envelope.as_bytes()));
    assert_eq!(status_of(&r, "content_hashes"), "failed");
    assert_eq!(codes(&r, "content_hashes"), ["content.hash_mismatch"]);
    assert_eq!(status_of(&r, "previews"), "ok");

    // A consent's wording other than the one shown.
    let envelope = resigned(|p| p["consents"][1]["wording_sha256"] = "1".repeat(64).into());
    let r = report(&check(&["verify", "--json"], envelope.as_bytes()));
    assert_eq!(codes(&r, "consents"), ["consent.wording_mismatch"]);

    // The form re-validated: a USCC with a wrong check character (GB 32100-2015).
    let envelope = resigned(|p| {
        let uscc = p["form"]["customer"]["cert_number"]
            .as_str()
            .unwrap()
            .to_owned();
        let last = if uscc.ends_with('0') { "1" } else { "0" };
        p["form"]["customer"]["cert_number"] = format!("{}{last}", &uscc[..17]).into();
    });
    let run = check(&["verify", "--json"], envelope.as_bytes());
    assert_eq!(run.code, 1);
    let r = report(&run);
    assert_eq!(status_of(&r, "form"), "failed");
    assert!(
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["check"] == "form" && c["reasons"][0]["path"] == "customer.cert_number"),
        "{r}"
    );

    // The signing date is the day of signing (payload::check_signing_date).
    let envelope = resigned(|p| p["form"]["signing"]["date"] = "2023-04-09".into());
    let r = report(&check(&["verify", "--json"], envelope.as_bytes()));
    assert_eq!(status_of(&r, "signed_at"), "failed");
    assert!(codes(&r, "signed_at").contains(&"signing.date_not_signing_day".to_owned()));
}

/// A verified signature over content that is not of the documented shape: the signature
/// holds, the format line says what is wrong, nothing else is judged. And a form in another
/// shape than the form model writes it (`"employees": "10"` for `10`) is refused on the form
/// line (`form.not_canonical`), as the receiver refuses it.
#[test]
fn a_signed_payload_of_another_shape_is_1_on_the_format_or_form_line() {
    let envelope = resigned(|p| p["unexpected"] = 1.into());
    let run = check(&["verify", "--json"], envelope.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = report(&run);
    assert_eq!(status_of(&r, "signature"), "ok");
    assert_eq!(codes(&r, "format"), ["payload.shape"]);
    assert_eq!(status_of(&r, "previews"), "not_checked");

    let envelope = resigned(|p| p["form"]["customer"]["employees"] = "10".into());
    let run = check(&["verify", "--json"], envelope.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = report(&run);
    assert_eq!(codes(&r, "form"), ["form.not_canonical"]);
    assert_eq!(status_of(&r, "previews"), "ok");
}

/// An agreement version this build does not ship: its rules are not known, so the checks
/// that need them are not made (and the consent does not verify).
#[test]
fn an_unknown_agreement_version_stops_the_rules() {
    let envelope = resigned(|p| p["agreement"]["version"] = "v9".into());
    let run = check(&["verify", "--json"], envelope.as_bytes());
    assert_eq!(run.code, 1);
    let r = report(&run);
    assert_eq!(codes(&r, "agreement"), ["agreement.version_unknown"]);
    for check in ["content_hashes", "consents", "form", "previews"] {
        assert_eq!(status_of(&r, check), "not_checked", "{check}");
    }
}

#[test]
fn a_receipt_verifies_under_the_key_it_names_from_the_receivers_list() {
    let (current, current_jwk) = receiver(11);
    let (_, other_jwk) = receiver(12);
    let receipt = scratch(
        "receipt-current.json",
        receipt_for(VECTOR, &current, &current_jwk.kid).as_bytes(),
    );
    let keys = keys_file("keys-both.json", &[other_jwk.clone(), current_jwk.clone()]);
    let run = check(
        &[
            "verify",
            "--json",
            "--receipt",
            &receipt,
            "--receiver-keys",
            &keys,
        ],
        VECTOR.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(status_of(&report(&run), "receipt"), "ok");

    // Without the receiver's keys the receipt's signature is not checked (not a failure).
    let run = check(
        &["verify", "--json", "--receipt", &receipt],
        VECTOR.as_bytes(),
    );
    assert_eq!(run.code, 0);
    assert_eq!(status_of(&report(&run), "receipt"), "not_checked");
}

#[test]
fn a_receipt_under_another_key_is_1() {
    let (current, current_jwk) = receiver(21);
    let (stranger, stranger_jwk) = receiver(22);
    let only_current = keys_file("keys-current.json", std::slice::from_ref(&current_jwk));

    // Signed by a key the receiver does not list.
    let foreign = scratch(
        "receipt-foreign.json",
        receipt_for(VECTOR, &stranger, &stranger_jwk.kid).as_bytes(),
    );
    let run = check(
        &[
            "verify",
            "--json",
            "--receipt",
            &foreign,
            "--receiver-keys",
            &only_current,
        ],
        VECTOR.as_bytes(),
    );
    assert_eq!(run.code, 1);
    let r = report(&run);
    assert_eq!(codes(&r, "receipt"), ["receipt.unknown_key"]);
    for (check, status) in statuses(&r) {
        if check != "receipt" {
            assert_eq!(status, "ok", "{check}");
        }
    }

    // Signed by another key while naming the listed one.
    let forged = scratch(
        "receipt-forged.json",
        receipt_for(VECTOR, &stranger, &current_jwk.kid).as_bytes(),
    );
    let run = check(
        &[
            "verify",
            "--receipt",
            &forged,
            "--receiver-keys",
            &only_current,
        ],
        VECTOR.as_bytes(),
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("receipt.signature: 回执签名无效 / The receipt's signature does not verify"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Result: NOT VERIFIED (receipt)."));

    // A genuine receipt of another consent.
    let other = resigned(|p| {
        p["idempotency_id"] = "3b241101-e2bb-4255-8caf-4136c566a962".into();
    });
    let theirs = scratch(
        "receipt-other-consent.json",
        receipt_for(&other, &current, &current_jwk.kid).as_bytes(),
    );
    let run = check(
        &[
            "verify",
            "--json",
            "--receipt",
            &theirs,
            "--receiver-keys",
            &only_current,
        ],
        VECTOR.as_bytes(),
    );
    assert_eq!(run.code, 1);
    let r = report(&run);
    assert_eq!(
        codes(&r, "receipt"),
        ["receipt.other_consent", "receipt.other_consent"]
    );
    let paths: Vec<&str> = r["checks"].as_array().unwrap().last().unwrap()["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["receipt.consent_id", "receipt.payload_sha256"]);
}

#[test]
fn unusable_input_or_arguments_exit_2_with_a_message() {
    let keys = keys_file("keys-unused.json", &[receiver(31).1]);
    let not_keys = scratch("not-keys.json", br#"{"keys": "none"}"#);
    let text = scratch("notes.txt", "签约说明".as_bytes());
    let missing = scratch("missing-dir-marker", b"").replace("missing-dir-marker", "no/such/file");
    let no_consent = scratch(
        "no-consent.pdf",
        &pdf(&[("notes.txt", b"hello")], Route::Both),
    );
    let broken = scratch(
        "broken.pdf",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF",
    );
    for (args, stdin) in [
        (vec!["verify"], b"not json".as_slice()),
        (vec!["verify"], b"".as_slice()),
        (vec!["verify"], b"[1, 2]".as_slice()),
        (vec!["verify"], br#"{"payload": {}}"#.as_slice()),
        (vec!["verify", "--file", &text], b"".as_slice()),
        (vec!["verify", "--file", &missing], b"".as_slice()),
        (vec!["verify", "--file", &no_consent], b"".as_slice()),
        (vec!["verify", "--file", &broken], b"".as_slice()),
        (
            vec!["verify", "--receiver-keys", &not_keys],
            VECTOR.as_bytes(),
        ),
        (vec!["verify", "--receiver-keys"], VECTOR.as_bytes()),
        (
            vec!["verify", "--file", &keys, "--file", &keys],
            VECTOR.as_bytes(),
        ),
        (vec!["verify", "--today", "2023-04-10"], VECTOR.as_bytes()),
    ] {
        let run = check(&args, stdin);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.starts_with("qianyue-check: "), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    let run = check(&["verify", "--file", &no_consent], b"");
    assert!(
        run.stderr
            .contains("no consent.json (it attaches notes.txt)"),
        "{}",
        run.stderr
    );
}

/// How a test PDF lists its attachments.
#[derive(Clone, Copy, Debug)]
enum Route {
    /// The `/Names /EmbeddedFiles` name tree only (an inner node's `/Kids`, then a leaf).
    NameTree,
    /// The catalog's `/AF` array only.
    AssociatedFiles,
    /// Both, as a PDF/A-3 file with associated files does.
    Both,
}

/// A one-page PDF attaching `files`, each a file specification (`/F`, `/UF`,
/// `/AFRelationship /Source`) whose `/EF` stream is Flate-compressed.
fn pdf(files: &[(&str, &[u8])], route: Route) -> Vec<u8> {
    pdf_saved(files, route, false)
}

fn pdf_saved(files: &[(&str, &[u8])], route: Route, object_streams: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
        }),
    );
    let mut names = Vec::new();
    let mut specs = Vec::new();
    for (name, bytes) in files {
        let mut stream = Stream::new(
            dictionary! {
                "Type" => "EmbeddedFile",
                "Subtype" => Object::Name(b"application/json".to_vec()),
                "Params" => dictionary! { "Size" => bytes.len() as i64 },
            },
            bytes.to_vec(),
        );
        stream.compress().unwrap();
        let ef = doc.add_object(stream);
        let spec = doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal(*name),
            "UF" => lopdf::text_string(name),
            "EF" => dictionary! { "F" => ef, "UF" => ef },
            "AFRelationship" => "Source",
            "Desc" => Object::string_literal("qianyue test attachment"),
        });
        names.push(Object::string_literal(*name));
        names.push(spec.into());
        specs.push(Object::from(spec));
    }
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages };
    if matches!(route, Route::NameTree | Route::Both) {
        let leaf = doc.add_object(dictionary! { "Names" => names });
        catalog.set(
            "Names",
            dictionary! { "EmbeddedFiles" => dictionary! { "Kids" => vec![leaf.into()] } },
        );
    }
    if matches!(route, Route::AssociatedFiles | Route::Both) {
        catalog.set("AF", specs);
    }
    let catalog = doc.add_object(catalog);
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    if object_streams {
        doc.save_modern(&mut out).unwrap();
    } else {
        doc.save_to(&mut out).unwrap();
    }
    out
}

#[test]
fn an_evidence_pdf_made_with_lopdf_verifies_by_either_route() {
    for route in [Route::NameTree, Route::AssociatedFiles, Route::Both] {
        for object_streams in [false, true] {
            let bytes = pdf_saved(
                &[("consent.json", VECTOR.as_bytes())],
                route,
                object_streams,
            );
            assert!(bytes.starts_with(b"%PDF-"));
            // The envelope is in the PDF compressed, not as text.
            assert!(
                !bytes.windows(9).any(|w| w == b"\"payload\""),
                "{route:?}: the attachment is Flate-compressed"
            );
            let file = scratch(&format!("evidence-{route:?}-{object_streams}.pdf"), &bytes);
            let run = check(&["verify", "--file", &file], b"");
            assert_eq!(
                run.code, 0,
                "{route:?} {object_streams}: {}{}",
                run.stdout, run.stderr
            );
            assert!(run.stdout.contains(VECTOR_SHA256));
            assert!(
                run.stdout.contains("attached: consent.json"),
                "{}",
                run.stdout
            );
            // The same PDF on standard input.
            assert_eq!(check(&["verify"], &bytes).code, 0);
        }
    }
}

#[test]
fn an_evidence_pdf_with_its_receipt_has_the_receipt_checked() {
    let (key, jwk) = receiver(41);
    let receipt = receipt_for(VECTOR, &key, &jwk.kid);
    let keys = keys_file("keys-pdf.json", std::slice::from_ref(&jwk));
    let bytes = pdf(
        &[
            ("consent.json", VECTOR.as_bytes()),
            ("receipt.json", receipt.as_bytes()),
        ],
        Route::Both,
    );
    let file = scratch("evidence-with-receipt.pdf", &bytes);
    let run = check(
        &[
            "verify",
            "--json",
            "--file",
            &file,
            "--receiver-keys",
            &keys,
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(status_of(&report(&run), "receipt"), "ok");

    // Under a key the receiver does not list: 1.
    let strangers = keys_file("keys-pdf-stranger.json", &[receiver(42).1]);
    let run = check(
        &[
            "verify",
            "--json",
            "--file",
            &file,
            "--receiver-keys",
            &strangers,
        ],
        b"",
    );
    assert_eq!(run.code, 1);
    assert_eq!(codes(&report(&run), "receipt"), ["receipt.unknown_key"]);
}

/// The issue's "one flipped byte in the extracted envelope is refused", for an envelope inside
/// a PDF; and a PDF whose two files of one name disagree is not evidence of either.
#[test]
fn a_pdf_with_a_tampered_or_ambiguous_consent_json_is_refused() {
    let flipped = VECTOR.replacen("\"late.fee\":126000", "\"late.fee\":126001", 1);
    assert_ne!(flipped, VECTOR);
    let file = scratch(
        "evidence-flipped.pdf",
        &pdf(&[("consent.json", flipped.as_bytes())], Route::Both),
    );
    let run = check(&["verify", "--json", "--file", &file], b"");
    assert_eq!(run.code, 1);
    assert_eq!(codes(&report(&run), "signature"), ["signature.mismatch"]);

    let two = scratch(
        "evidence-two.pdf",
        &pdf(
            &[
                ("consent.json", VECTOR.as_bytes()),
                ("consent.json", flipped.as_bytes()),
            ],
            Route::NameTree,
        ),
    );
    let run = check(&["verify", "--file", &two], b"");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("two different files named consent.json"),
        "{}",
        run.stderr
    );
}

/// A `qianyue-consent/2` consent names its signing request and the SMS verification: the
/// receiver checked those against its records; a third party is told so.
#[test]
fn a_consent_to_a_request_says_its_request_is_the_receivers_to_check() {
    let key = test_key();
    let signed_at = testing::signed_at();
    let identity = qianyue_domain::identity::Identity::sms("138****5678", signed_at);
    let payload = testing::payload_for_request(
        testing::seed_form(),
        signed_at,
        "3b241101-e2bb-4255-8caf-4136c566a962",
        "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
        identity,
        &key,
    );
    let envelope = testing::sign(&payload, &key);
    let run = check(&["verify", "--json"], envelope.as_bytes());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = report(&run);
    assert_eq!(status_of(&r, "request"), "not_checked");
    let line = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "request")
        .unwrap();
    assert!(line["message_en"]
        .as_str()
        .unwrap()
        .contains("9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"));
}

/// A PDF whose attachments another tool added: poppler's `pdfattach` (poppler-utils) appends
/// each as an incremental update with a cross-reference stream, names in UTF-16, the stream
/// uncompressed — not how lopdf or krilla write them. Skipped, saying why, without it.
#[test]
fn attachments_added_by_poppler_pdfattach_are_read() {
    if Command::new("pdfattach").arg("-v").output().is_err() {
        println!("skipped: pdfattach (poppler-utils) is not installed");
        return;
    }
    let (key, jwk) = receiver(51);
    let keys = keys_file("keys-pdfattach.json", std::slice::from_ref(&jwk));
    let base = scratch("pdfattach-base.pdf", &pdf(&[], Route::Both));
    let consent = scratch("consent.json", VECTOR.as_bytes());
    let receipt = scratch(
        "receipt.json",
        receipt_for(VECTOR, &key, &jwk.kid).as_bytes(),
    );
    let once = base.replace("base", "once");
    let twice = base.replace("base", "twice");
    for (from, file, to) in [(&base, &consent, &once), (&once, &receipt, &twice)] {
        // pdfattach does not overwrite: a file of an earlier run goes first.
        let _ = std::fs::remove_file(to);
        let out = Command::new("pdfattach")
            .args([from, file, to])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let run = check(
        &[
            "verify",
            "--json",
            "--file",
            &twice,
            "--receiver-keys",
            &keys,
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = report(&run);
    assert_eq!(r["payload_sha256"], VECTOR_SHA256);
    assert_eq!(status_of(&r, "receipt"), "ok");
}
