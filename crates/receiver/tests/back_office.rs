//! The back office's API over loopback with the real binary (issue 18 item 4,
//! docs/back-office.md): scoped keys (401, 403 naming the scope), the lists of consents and
//! requests searched by each filter and walked by cursor (every row once, also while consents
//! arrive), masked answers (no ID number in any byte), the CSV export (BOM, RFC 4180, formulas
//! guarded), the ZIP bundle's scope, and the audit log's lines. SQLite always, PostgreSQL when
//! `QIANYUE_TEST_POSTGRES_URL` is set.

mod common;

use std::collections::HashSet;

use common::*;
use qianyue_domain::payload::SignedAt;
use serde_json::{json, Value};

const READER: &str = "reader-key-0123456789abcdef";
const UNMASKER: &str = "unmask-key-0123456789abcdef";
const REQUESTER: &str = "requester-0123456789abcdef";

/// The ID numbers of the seed's form (agent, contact).
const ID_NUMBERS: [&str; 2] = ["440305199608185316", "440307198505201246"];

fn start(backend: Backend) -> Receiver {
    Receiver::start(
        Options::new(backend)
            .with(
                "QIANYUE_API_KEYS",
                &format!("tests={API_KEY},reader={READER},unmasker={UNMASKER},crm={REQUESTER}"),
            )
            .with(
                "QIANYUE_API_KEY_SCOPES",
                "reader=read, unmasker=read+unmask, crm=requests",
            ),
    )
}

fn get(r: &Receiver, path: &str, key: &str) -> HttpResponse {
    let auth = format!("Bearer {key}");
    r.get(path, &[("Authorization", &auth)])
}

/// A valid USCC `91440300<org8><check><check>`: the two check characters found by trying
/// (the domain's `Uscc::parse` decides).
fn uscc(org8: &str) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for a in CHARS.chars() {
        for b in CHARS.chars() {
            let s = format!("91440300{org8}{a}{b}");
            if qianyue_domain::uscc::Uscc::parse(&s).is_ok() {
                return s;
            }
        }
    }
    panic!("no USCC for {org8}")
}

/// Posts a seed consent signed at `unix`, its contract number, USCC and company replaced.
fn consent(r: &Receiver, unix: i64, contract_no: &str, uscc: &str, company: &str) -> String {
    let id = uuid();
    let mut v = payload_value_signed_at(&id, unix);
    v["form"]["contract_no"] = json!(contract_no);
    v["form"]["customer"]["cert_number"] = json!(uscc);
    v["form"]["customer"]["group_name"] = json!(company);
    let resp = r.post_json(&sign_value(&v));
    assert_eq!(resp.status, 201, "{}", resp.text());
    id
}

fn unix(day: &str) -> i64 {
    SignedAt::parse(&format!("{day}T10:00:00+08:00"))
        .unwrap()
        .unix_seconds()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[track_caller]
fn no_id_numbers(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for n in ID_NUMBERS {
        assert!(!text.contains(n), "{what} holds an ID number");
    }
}

/// The consents of the search tests: three companies, two USCCs, contract numbers, dates.
struct Fixture {
    a: Vec<String>,
    b: String,
    c: String,
    uscc_b: String,
}

fn fixture(r: &Receiver) -> Fixture {
    let seed_uscc = "91440300758613572G";
    let uscc_b = uscc("12345678");
    let a = vec![
        consent(
            r,
            unix("2024-03-01"),
            "75523040460309832023040617",
            seed_uscc,
            "深圳特发东智科技有限公司",
        ),
        consent(
            r,
            unix("2024-03-15"),
            "75523040460309832023040617",
            seed_uscc,
            "深圳特发东智科技有限公司",
        ),
    ];
    let b = consent(
        r,
        unix("2024-04-02"),
        "12345678901234562024040109",
        &uscc_b,
        "广州南方 Widgets 有限公司",
    );
    // A name a spreadsheet would run as a formula, with a comma and a quote.
    let c = consent(
        r,
        unix("2024-05-20"),
        "99999999999999992024052012",
        &uscc_b,
        "=HYPERLINK(\"http://x\",\"点此\")",
    );
    Fixture { a, b, c, uscc_b }
}

#[test]
fn consents_are_searched_by_each_filter() {
    for backend in backends() {
        let r = start(backend);
        let f = fixture(&r);
        let list = |q: &str| {
            let resp = get(&r, &format!("/api/consents?{q}"), READER);
            assert_eq!(resp.status, 200, "{q}: {}", resp.text());
            no_id_numbers(q, &resp.body);
            let v = resp.json();
            let mut got = ids(&v);
            got.sort();
            got
        };
        let sorted = |v: &[&String]| {
            let mut v: Vec<String> = v.iter().map(|s| (*s).clone()).collect();
            v.sort();
            v
        };
        let all = sorted(&[&f.a[0], &f.a[1], &f.b, &f.c]);
        assert_eq!(list(""), all, "{backend:?}");
        assert_eq!(
            list("contract_no=75523040460309832023040617"),
            sorted(&[&f.a[0], &f.a[1]])
        );
        assert_eq!(
            list(&format!("uscc={}", f.uscc_b.to_lowercase())),
            sorted(&[&f.b, &f.c]),
            "the USCC as the domain reads it (upper case)"
        );
        // A part of the name, in Chinese (percent-encoded) and in Latin letters of any case.
        assert_eq!(
            list("company=%E7%89%B9%E5%8F%91"),
            sorted(&[&f.a[0], &f.a[1]])
        );
        assert_eq!(list("company=widgets"), sorted(&[&f.b]));
        assert_eq!(list("company=%25"), Vec::<String>::new(), "% is literal");
        assert_eq!(list("status=signed"), all);
        assert_eq!(list("status=revoked"), Vec::<String>::new());
        assert_eq!(
            list("signed_from=2024-03-15&signed_to=2024-04-02"),
            sorted(&[&f.a[1], &f.b]),
            "both ends inclusive"
        );
        assert_eq!(list("signed_from=2024-05-20"), sorted(&[&f.c]));
        assert_eq!(
            list("signed_to=2024-03-01"),
            sorted(&[&f.a[0]]),
            "the whole last day"
        );
        assert_eq!(
            list(&format!(
                "uscc={}&company=%E5%B9%BF%E5%B7%9E&signed_to=2024-12-31",
                f.uscc_b
            )),
            sorted(&[&f.b])
        );
        // Items: the enterprise's identifiers and the record's facts, no payload.
        let one = get(
            &r,
            "/api/consents?contract_no=12345678901234562024040109",
            READER,
        )
        .json();
        let item = &one["items"][0];
        assert_eq!(item["id"], f.b.as_str());
        assert_eq!(item["company"], "广州南方 Widgets 有限公司");
        assert_eq!(item["uscc"], f.uscc_b.as_str());
        assert_eq!(item["status"], "signed");
        assert_eq!(item["signed_at"], "2024-04-02T10:00:00+08:00");
        assert!(item["payload"].is_null() && item["received_at"].is_string());
        assert!(one["next_cursor"].is_null());
        // Refusals name the parameter.
        for (q, path, code) in [
            ("compnay=x", "compnay", "query.unknown"),
            ("status=done", "status", "query.status"),
            ("signed_from=2024-3-1", "signed_from", "query.date"),
            ("limit=1000", "limit", "query.limit"),
            ("cursor=AAAA", "cursor", "query.cursor"),
            ("uscc=91440300758613572X", "uscc", "uscc.check_char"),
        ] {
            let resp = get(&r, &format!("/api/consents?{q}"), READER);
            assert_eq!(resp.status, 422, "{q}: {}", resp.text());
            assert_eq!(resp.code(), "query.invalid", "{q}");
            assert_eq!(resp.field_paths(), [path], "{q}");
            assert_eq!(
                resp.json()["fields"][0]["code"],
                code,
                "{q}: {}",
                resp.text()
            );
        }
        r.assert_no_panic();
    }
}

/// Newest first by (received_at, id); a walk by cursor gives every row once, also when
/// consents arrive between its pages.
#[test]
fn pagination_walks_every_row_once() {
    for backend in backends() {
        let r = start(backend);
        let mut stored = HashSet::new();
        for i in 0..23 {
            let id = consent(
                &r,
                unix("2024-06-01") + i,
                "75523040460309832023040617",
                "91440300758613572G",
                "深圳特发东智科技有限公司",
            );
            stored.insert(id);
        }
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        let mut times: Vec<(String, String)> = Vec::new();
        loop {
            let q = match &cursor {
                Some(c) => format!("/api/consents?limit=5&cursor={c}"),
                None => "/api/consents?limit=5".to_owned(),
            };
            let page = get(&r, &q, READER).json();
            for i in page["items"].as_array().unwrap() {
                times.push((
                    i["received_at"].as_str().unwrap().to_owned(),
                    i["id"].as_str().unwrap().to_owned(),
                ));
            }
            seen.extend(ids(&page));
            pages += 1;
            if pages == 2 {
                // Arrivals during the walk come before its start: not in the rest of it.
                consent(
                    &r,
                    unix("2024-06-02"),
                    "75523040460309832023040617",
                    "91440300758613572G",
                    "新到公司",
                );
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 20);
        }
        let unique: HashSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "{backend:?}: a row twice");
        assert!(stored.is_subset(&unique), "{backend:?}: a row skipped");
        assert_eq!(pages, 5, "23 rows, 5 a page");
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(times, sorted, "newest first");
        r.assert_no_panic();
    }
}

#[test]
fn keys_need_their_scope() {
    let r = start(Backend::Sqlite);
    let id = consent(
        &r,
        unix("2024-03-01"),
        "75523040460309832023040617",
        "91440300758613572G",
        "深圳特发东智科技有限公司",
    );
    let one = format!("/api/consents/{id}");
    let unmasked = format!("/api/consents/{id}?unmask=true");
    // No bearer, a wrong one: 401 with the challenge.
    for path in [
        "/api/consents",
        "/api/consents/export.csv",
        "/api/requests",
        &one,
    ] {
        let resp = r.get(path, &[]);
        assert_eq!(resp.status, 401, "{path}");
        assert_eq!(resp.code(), "auth.required");
        assert!(resp.header("www-authenticate").is_some());
        let wrong = get(&r, path, "wrong-key-0123456789abcdef");
        assert_eq!(wrong.status, 401, "{path}");
    }
    // A key without the scope: 403 naming it.
    for (path, key, code) in [
        ("/api/consents", REQUESTER, "auth.scope.read"),
        ("/api/consents/export.csv", REQUESTER, "auth.scope.read"),
        (one.as_str(), REQUESTER, "auth.scope.read"),
        (unmasked.as_str(), READER, "auth.scope.unmask"),
        ("/api/consents/export.zip", READER, "auth.scope.unmask"),
        ("/api/requests", READER, "auth.scope.requests"),
        ("/api/requests", UNMASKER, "auth.scope.requests"),
    ] {
        let resp = get(&r, path, key);
        assert_eq!(resp.status, 403, "{path} {key}: {}", resp.text());
        assert_eq!(resp.code(), code, "{path}");
        assert!(resp.json()["message_en"]
            .as_str()
            .unwrap()
            .contains("scope"));
    }
    // With it.
    for (path, key) in [
        ("/api/consents", READER),
        (one.as_str(), READER),
        (unmasked.as_str(), UNMASKER),
        ("/api/requests", REQUESTER),
        // A key not named in QIANYUE_API_KEY_SCOPES keeps requests and gains read.
        ("/api/requests", API_KEY),
        ("/api/consents", API_KEY),
        // The admin token has every scope.
        (unmasked.as_str(), TOKEN),
        ("/api/requests", TOKEN),
    ] {
        let resp = get(&r, path, key);
        assert_eq!(resp.status, 200, "{path} {key}: {}", resp.text());
    }
    let masked = get(&r, &one, READER);
    no_id_numbers("the masked read", &masked.body);
    let clear = get(&r, &unmasked, UNMASKER);
    assert!(clear.text().contains(ID_NUMBERS[0]));
    // A key without `unmask` that does not ask for it is not refused.
    assert_eq!(get(&r, &format!("{one}?unmask=false"), READER).status, 200);
    // The bundle: the PDFs hold ID numbers; `unmask` may ask for it.
    let zip = get(&r, "/api/consents/export.zip", UNMASKER);
    assert_eq!(zip.status, 200, "export.zip: {}", zip.text());
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    assert!(zip.body.starts_with(b"PK\x03\x04"));
    let name = format!("qianyue-{id}.pdf");
    assert!(zip.body.windows(name.len()).any(|w| w == name.as_bytes()));
    // Stored, not deflated: the consent's evidence PDF is in the bundle byte for byte as its
    // own download gives it.
    let pdf = get(&r, &format!("/api/consents/{id}/evidence.pdf"), UNMASKER);
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert!(zip
        .body
        .windows(pdf.body.len())
        .any(|w| w == pdf.body.as_slice()));
    // The evidence PDF needs `unmask` as the bundle does.
    assert_eq!(
        get(&r, &format!("/api/consents/{id}/evidence.pdf"), READER).code(),
        "auth.scope.unmask"
    );
    r.assert_no_panic();
}

/// Requests: listed with `requests`, filtered by status (expiry computed), by the
/// enterprise's identifiers, and the consent's signing date; no signer's name or mobile.
#[test]
fn requests_are_listed_and_filtered() {
    for backend in backends() {
        let r = start(backend);
        let create = |company: &str, expires: i64| {
            let mut form = serde_json::to_value(seed_form()).unwrap();
            form["customer"]["group_name"] = json!(company);
            let body = json!({
                "form": form,
                "signer": {"name": "张晓梅", "mobile": "13800138000"},
                "expires_at": SignedAt::from_unix_seconds(now_unix() + expires).unwrap().to_string(),
            });
            let auth = format!("Bearer {REQUESTER}");
            let resp = http(
                r.addr,
                "POST",
                "/api/requests",
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", &auth),
                ],
                body.to_string().as_bytes(),
            )
            .unwrap();
            assert_eq!(resp.status, 201, "{}", resp.text());
            resp.json()["id"].as_str().unwrap().to_owned()
        };
        let open = create("甲公司", 7 * 86_400);
        let soon = create("乙公司", 2);
        let revoked = create("丙公司", 7 * 86_400);
        let signed = create("丁公司", 7 * 86_400);
        let auth = format!("Bearer {REQUESTER}");
        let d = http(
            r.addr,
            "DELETE",
            &format!("/api/requests/{revoked}"),
            &[("Authorization", &auth)],
            b"",
        )
        .unwrap();
        assert_eq!(d.status, 200);
        // A consent of `signed`, linked as the signing path links them (a test's look behind
        // the receiver: the request path's own tests sign through the SMS code).
        let consent_id = consent(
            &r,
            unix("2024-04-02"),
            "75523040460309832023040617",
            "91440300758613572G",
            "丁公司",
        );
        sql_execute(
            &r.database_url,
            "UPDATE requests SET status = 'signed', consent_id = $1 WHERE id = $2",
            &[&consent_id, &signed],
        );
        sql_execute(
            &r.database_url,
            "UPDATE consents SET request_id = $1 WHERE id = $2",
            &[&signed, &consent_id],
        );
        std::thread::sleep(std::time::Duration::from_millis(2100));
        let list = |q: &str| {
            let resp = get(&r, &format!("/api/requests?{q}"), REQUESTER);
            assert_eq!(resp.status, 200, "{q}: {}", resp.text());
            assert!(!resp.text().contains("13800138000") && !resp.text().contains("张晓梅"));
            let mut got = ids(&resp.json());
            got.sort();
            got
        };
        let one = |id: &String| vec![id.clone()];
        assert_eq!(list("").len(), 4, "{backend:?}");
        assert_eq!(list("status=open"), one(&open));
        assert_eq!(list("status=expired"), one(&soon));
        assert_eq!(list("status=revoked"), one(&revoked));
        assert_eq!(list("status=signed"), one(&signed));
        assert_eq!(list("company=%E4%B9%99"), one(&soon));
        assert_eq!(
            list("signed_from=2024-04-01&signed_to=2024-04-30"),
            one(&signed)
        );
        assert_eq!(list("signed_from=2024-05-01"), Vec::<String>::new());
        let all = list("uscc=91440300758613572G&contract_no=75523040460309832023040617");
        assert_eq!(all.len(), 4);
        let page = get(&r, "/api/requests?status=signed", REQUESTER).json();
        let item = &page["items"][0];
        assert_eq!(item["consent_id"], consent_id.as_str());
        assert_eq!(item["created_by"], "crm");
        assert_eq!(item["signed_at"], "2024-04-02T10:00:00+08:00");
        // The consent's status is its request's.
        let c = get(&r, "/api/consents?company=%E4%B8%81", READER).json();
        assert_eq!(c["items"][0]["request_id"], signed.as_str());
        assert_eq!(c["items"][0]["status"], "signed");
        sql_execute(
            &r.database_url,
            "UPDATE requests SET status = 'revoked' WHERE id = $1",
            &[&signed],
        );
        assert_eq!(
            ids(&get(&r, "/api/consents?status=revoked", READER).json()),
            std::slice::from_ref(&consent_id)
        );
        r.assert_no_panic();
    }
}

/// The CSV: BOM, header, RFC 4180 quoting, formulas guarded, masked; at most `limit` rows with
/// the next cursor in a header; each export in the audit log, as each unmasked read.
#[test]
fn the_csv_export_parses_guards_formulas_and_is_audited() {
    for backend in backends() {
        let r = start(backend);
        let f = fixture(&r);
        let resp = get(&r, "/api/consents/export.csv", READER);
        assert_eq!(resp.status, 200, "{}", resp.text());
        assert_eq!(resp.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(resp.header("cache-control"), Some("no-store"));
        assert!(resp
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment; filename="));
        assert!(resp
            .body
            .starts_with(b"\xEF\xBB\xBFid,status,contract_no,uscc,company,"));
        no_id_numbers("the CSV", &resp.body);
        let rows = parse_csv(std::str::from_utf8(&resp.body[3..]).unwrap());
        assert_eq!(rows.len(), 5, "header and four consents");
        assert!(rows.iter().all(|r| r.len() == 11));
        let by_id = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
        assert_eq!(by_id(&f.c)[4], "'=HYPERLINK(\"http://x\",\"点此\")");
        assert_eq!(by_id(&f.b)[4], "广州南方 Widgets 有限公司");
        assert_eq!(by_id(&f.a[0])[2], "75523040460309832023040617");
        // Filters and pages as the list.
        let page = get(&r, "/api/consents/export.csv?limit=3", READER);
        assert_eq!(parse_csv(&page.text()).len(), 4);
        let next = page.header("qianyue-next-cursor").unwrap().to_owned();
        let rest = get(
            &r,
            &format!("/api/consents/export.csv?cursor={next}"),
            READER,
        );
        assert_eq!(parse_csv(&rest.text()).len(), 2);
        assert!(rest.header("qianyue-next-cursor").is_none());
        let one = get(&r, "/api/consents/export.csv?company=widgets", READER);
        assert_eq!(parse_csv(&one.text()).len(), 2);
        // The audit log: who, when, what; no personal data.
        get(&r, &format!("/api/consents/{}?unmask=true", f.b), UNMASKER);
        let log = std::fs::read_to_string(r.data_dir.join("audit.log")).unwrap();
        let events: Vec<Value> = log
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let exports: Vec<&Value> = events
            .iter()
            .filter(|e| e["event"] == "consents.export_csv")
            .collect();
        assert_eq!(exports.len(), 4, "{backend:?}: {log}");
        assert_eq!(exports[0]["who"], "key:reader");
        assert_eq!(exports[0]["count"], 4);
        assert!(exports[0]["at"].as_str().unwrap().ends_with("+08:00"));
        let read = events
            .iter()
            .find(|e| e["event"] == "consent.read")
            .unwrap();
        assert_eq!(read["who"], "key:unmasker");
        assert_eq!(read["id"], f.b.as_str());
        assert_eq!(read["unmasked"], true);
        no_id_numbers("the audit log", log.as_bytes());
        r.assert_no_panic();
    }
}

/// Consents stored before migration 0006 (search columns NULL) are filled at the next start
/// from their opened payloads.
#[test]
fn rows_of_an_earlier_release_are_filled_at_start() {
    for backend in backends() {
        let mut r = start(backend);
        let f = fixture(&r);
        sql_execute(
            &r.database_url,
            "UPDATE consents SET contract_no = NULL, uscc = NULL, company = NULL",
            &[],
        );
        sql_execute(
            &r.database_url,
            "UPDATE requests SET contract_no = NULL, uscc = NULL, company = NULL",
            &[],
        );
        assert!(ids(&get(&r, "/api/consents?company=widgets", READER).json()).is_empty());
        r.kill();
        r.restart();
        assert_eq!(
            ids(&get(&r, "/api/consents?company=widgets", READER).json()),
            std::slice::from_ref(&f.b),
            "{backend:?}"
        );
        assert!(r.stderr().contains("filled the search columns of 4 row(s)"));
        // Nothing personal was copied beside the sealed payload.
        let company: String = sql_value(
            &r.database_url,
            "SELECT company FROM consents WHERE id = $1",
            &f.b,
        );
        assert_eq!(company, "广州南方 Widgets 有限公司");
        r.assert_no_panic();
    }
}

/// RFC 4180 records (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        cell.is_empty() && row.is_empty(),
        "the last line ends with CRLF"
    );
    rows
}

/// Two receivers on one PostgreSQL database answer the same pages, cursors and CSV whichever
/// is asked, and a walk may alternate between them (issue 18 item 5).
#[test]
fn two_receivers_answer_the_same_lists() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let dir = temp_dir("office-pair");
    let data_key = dir.join("data-key").display().to_string();
    let a = Receiver::start(
        Options::new(Backend::Postgres)
            .with("QIANYUE_DATA_KEY_FILE", &data_key)
            .with("QIANYUE_API_KEYS", &format!("reader={READER}"))
            .with("QIANYUE_API_KEY_SCOPES", "reader=read"),
    );
    let b = Receiver::start(
        Options::new(Backend::Postgres)
            .with("QIANYUE_DATA_KEY_FILE", &data_key)
            .with("QIANYUE_API_KEYS", &format!("reader={READER}"))
            .with("QIANYUE_API_KEY_SCOPES", "reader=read")
            .with("DATABASE_URL", &a.database_url),
    );
    let mut stored = Vec::new();
    for i in 0..9 {
        let r = if i % 2 == 0 { &a } else { &b };
        stored.push(consent(
            r,
            unix("2024-06-01") + i,
            "75523040460309832023040617",
            "91440300758613572G",
            "深圳特发东智科技有限公司",
        ));
    }
    for q in ["/api/consents?limit=4", "/api/consents/export.csv"] {
        assert_eq!(get(&a, q, READER).body, get(&b, q, READER).body, "{q}");
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for turn in 0.. {
        let r = if turn % 2 == 0 { &a } else { &b };
        let q = match &cursor {
            Some(c) => format!("/api/consents?limit=4&cursor={c}"),
            None => "/api/consents?limit=4".to_owned(),
        };
        let page = get(r, &q, READER).json();
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    seen.sort();
    stored.sort();
    assert_eq!(seen, stored);
    a.assert_no_panic();
    b.assert_no_panic();
    let _ = std::fs::remove_dir_all(&dir);
}
