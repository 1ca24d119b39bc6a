//! Personal data at rest (issue 18 item 3; docs/receiver.md "Personal data at rest"), with the
//! real binary: consents and a signing request whose form and signer carry ID numbers are
//! stored, then the database's own bytes (the SQLite file with its -wal and -shm, a
//! PostgreSQL dump) hold none of them; without its data key the receiver refuses to start; a
//! sealed value moved to another row is refused on read; a rotated key leaves old rows
//! readable; rows an earlier release wrote in clear still read and are sealed at start-up.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{backends, http, now_unix, temp_dir, test_key, uuid};
use common::{Backend, HttpResponse, Options, Receiver, API_KEY, TOKEN};
use qianyue_domain::identity::Identity;
use qianyue_domain::payload::SignedAt;
use qianyue_domain::testing;
use serde_json::{json, Value};

/// The seed's agent and contact, and three more valid resident ID numbers.
const SEED_AGENT_ID: &str = "440305199608185316";
const SEED_CONTACT_ID: &str = "440307198505201246";
const OTHER_AGENT_ID: &str = "440306198805123415";
const OTHER_CONTACT_ID: &str = "11010519491231002X";
const REQUEST_AGENT_ID: &str = "440106199001011235";
const SIGNER_NAME: &str = "欧阳明珠";
const SIGNER_MOBILE: &str = "13600136000";

/// Every value that must not be found in the database's bytes.
fn needles() -> Vec<&'static str> {
    vec![
        SEED_AGENT_ID,
        SEED_CONTACT_ID,
        OTHER_AGENT_ID,
        OTHER_CONTACT_ID,
        REQUEST_AGENT_ID,
        SIGNER_NAME,
        SIGNER_MOBILE,
        // The seed form's names and mobiles too.
        "刘志强",
        "张晓梅",
        "15012345678",
    ]
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    haystack.windows(n.len()).any(|w| w == n)
}

fn auth(key: &str) -> String {
    format!("Bearer {key}")
}

fn post(r: &Receiver, path: &str, body: &[u8], bearer: Option<&str>) -> HttpResponse {
    let a = bearer.map(auth);
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(a) = &a {
        headers.push(("Authorization", a));
    }
    http(r.addr, "POST", path, &headers, body).expect("POST")
}

/// The back office's read of a consent, its ID numbers whole.
fn get_consent(r: &Receiver, id: &str) -> HttpResponse {
    r.get(
        &format!("/api/consents/{id}?unmask=true"),
        &[("Authorization", &auth(TOKEN))],
    )
}

/// An open-mode consent of the seed with these ID numbers.
fn consent_with(id: &str, agent: &str, contact: &str) -> Vec<u8> {
    common::signed(id, |v| {
        v["form"]["agent"]["id_number"] = json!(agent);
        v["form"]["contact"]["id_number"] = json!(contact);
    })
}

/// The request's form: the seed's as the app fills it today, with another agent.
fn request_form() -> Value {
    let today = SignedAt::from_unix_seconds(now_unix()).unwrap();
    let mut form = serde_json::to_value(testing::seed_form_signed_at(today)).unwrap();
    form["agent"]["id_number"] = json!(REQUEST_AGENT_ID);
    form
}

/// Opens a request, verifies its signer by the dev gateway's code and signs its consent:
/// the request's id, token and consent id.
fn signed_request(r: &Receiver) -> (String, String, String) {
    let expires = SignedAt::from_unix_seconds(now_unix() + 86_400)
        .unwrap()
        .to_string();
    let body = json!({
        "form": request_form(),
        "readonly": ["contract_no", "customer", "orders"],
        "signer": {"name": SIGNER_NAME, "mobile": SIGNER_MOBILE},
        "expires_at": expires,
    });
    let created = post(
        r,
        "/api/requests",
        body.to_string().as_bytes(),
        Some(API_KEY),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let request_id = created.json()["id"].as_str().unwrap().to_owned();
    let token = created.json()["token"].as_str().unwrap().to_owned();
    let page = r.get(&format!("/api/signing/{token}"), &[]);
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.json()["signer"]["name"], SIGNER_NAME);
    assert_eq!(page.json()["form"]["agent"]["id_number"], REQUEST_AGENT_ID);
    let sent = post(r, &format!("/api/signing/{token}/code"), b"{}", None);
    assert_eq!(sent.status, 200, "{}", sent.text());
    let texts = r.get("/dev/sms", &[]).json();
    let last = texts.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["to"], SIGNER_MOBILE);
    let code: String = last["text"]
        .as_str()
        .unwrap()
        .split("验证码 ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let verified = post(
        r,
        &format!("/api/signing/{token}/verify"),
        json!({"code": code}).to_string().as_bytes(),
        None,
    );
    assert_eq!(verified.status, 200, "{}", verified.text());
    let identity: Identity =
        serde_json::from_value(verified.json()["verification"].clone()).unwrap();
    let now = SignedAt::from_unix_seconds(now_unix()).unwrap();
    let consent_id = uuid();
    let form = serde_json::from_value(request_form()).unwrap();
    let p =
        testing::payload_for_request(form, now, &consent_id, &request_id, identity, &test_key());
    let envelope = testing::sign_value(&serde_json::to_value(p).unwrap(), &test_key());
    let stored = r.post_json(envelope.as_bytes());
    assert_eq!(stored.status, 201, "{}", stored.text());
    // The signed page answers the opened payload.
    let page = r.get(&format!("/api/signing/{token}"), &[]);
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        page.json()["payload"]["form"]["agent"]["id_number"],
        REQUEST_AGENT_ID
    );
    (request_id, token, consent_id)
}

/// The raw bytes of the SQLite file and its -wal and -shm.
fn sqlite_bytes(r: &Receiver) -> Vec<u8> {
    let db = r.data_dir.join("c.sqlite3");
    let mut out = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        if let Ok(b) = std::fs::read(PathBuf::from(name)) {
            out.extend(b);
        }
    }
    out
}

/// `pg_dump` of the test database when the tool is on this machine, else every text column
/// of every table, as text.
fn postgres_bytes(r: &Receiver) -> Vec<u8> {
    let candidates = [
        "pg_dump",
        "/usr/lib/postgresql/17/bin/pg_dump",
        "/usr/lib/postgresql/16/bin/pg_dump",
        "/usr/lib/postgresql/15/bin/pg_dump",
    ];
    for tool in candidates {
        let out = Command::new(tool)
            .arg("--data-only")
            .arg(format!("--dbname={}", r.database_url))
            .stdin(Stdio::null())
            .output();
        if let Ok(out) = out {
            if out.status.success() {
                eprintln!("dumped with {tool}: {} bytes", out.stdout.len());
                return out.stdout;
            }
            eprintln!("{tool}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    eprintln!("no pg_dump: reading every text column");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Row;
        let pool = sqlx::PgPool::connect(&r.database_url).await.unwrap();
        let columns = sqlx::query(
            "SELECT table_name, column_name FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type = 'text'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut out = Vec::new();
        for c in columns {
            let (t, col): (String, String) = (c.get(0), c.get(1));
            let sql = format!("SELECT \"{col}\" FROM \"{t}\"");
            for row in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .unwrap()
            {
                let v: Option<String> = row.get(0);
                out.extend(v.unwrap_or_default().into_bytes());
                out.push(b'\n');
            }
        }
        pool.close().await;
        out
    })
}

fn database_bytes(r: &Receiver, backend: Backend) -> Vec<u8> {
    match backend {
        Backend::Sqlite => sqlite_bytes(r),
        Backend::Postgres => postgres_bytes(r),
    }
}

fn assert_no_needle(bytes: &[u8], what: &str) {
    assert!(bytes.len() > 1000, "{what}: {} bytes", bytes.len());
    assert!(contains(bytes, "qsealed1."), "{what}: no sealed value");
    for n in needles() {
        assert!(!contains(bytes, n), "{what}: {n} is stored in clear");
    }
}

/// Runs SQL with up to two text parameters on the receiver's database.
fn sql(url: &str, statement: &str, params: &[&str]) -> u64 {
    common::sql_execute(url, statement, params)
}

/// One text value of a query with one parameter.
fn text(url: &str, query: &str, param: &str) -> String {
    common::sql_value(url, query, param)
}

/// The receiver binary on an existing data directory and database, expected to refuse to
/// start: its exit status is a failure and its message is returned.
fn refused_start(data_dir: &Path, database_url: &str, key_file: Option<&Path>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qianyue-receiver"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("QIANYUE_DATA_DIR", data_dir)
        .env("DATABASE_URL", database_url)
        .env("QIANYUE_ADDR", "127.0.0.1:0")
        .env("QIANYUE_DIST", data_dir.join("no-dist"))
        .stdin(Stdio::null());
    if let Some(f) = key_file {
        cmd.env("QIANYUE_DATA_KEY_FILE", f);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run qianyue-receiver");
    // One that starts after all would run on: stopped after 30 s, and the test fails.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("qianyue-receiver's output");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success(), "it started: {stdout}");
    assert!(!stdout.contains("listening"), "{stdout}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes a key file, owner-only (the receiver refuses one others may read).
fn write_key_file(path: &Path, text: impl AsRef<[u8]>) -> std::io::Result<()> {
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn key_line(kid: &str, byte: u8) -> String {
    use base64::Engine as _;
    format!(
        "{kid} {}\n",
        base64::engine::general_purpose::STANDARD.encode([byte; 32])
    )
}

fn start(backend: Backend, key_file: Option<&Path>) -> Receiver {
    let mut opts = Options::new(backend).with("QIANYUE_SMS", "dev");
    if let Some(f) = key_file {
        opts = opts.with("QIANYUE_DATA_KEY_FILE", &f.display().to_string());
    }
    Receiver::start(opts)
}

/// The test: consents and a signed request stored through the binary; the database's
/// bytes hold no ID number, no signer's name or mobile, while every endpoint answers them.
#[test]
fn the_database_alone_reveals_no_personal_data() {
    for backend in backends() {
        let r = start(backend, None);
        let first = uuid();
        let second = uuid();
        let a = consent_with(&first, SEED_AGENT_ID, SEED_CONTACT_ID);
        let b = consent_with(&second, OTHER_AGENT_ID, OTHER_CONTACT_ID);
        let stored = r.post_json(&a);
        assert_eq!(stored.status, 201, "{}", stored.text());
        assert_eq!(r.post_json(&b).status, 201);
        // Idempotency on the sealed rows: the same payload answers its first receipt, another
        // payload under the same id is a conflict.
        let again = r.post_json(&a);
        assert_eq!(again.status, 200, "{}", again.text());
        assert_eq!(again.body, stored.body);
        let other = consent_with(&first, OTHER_AGENT_ID, SEED_CONTACT_ID);
        assert_eq!(r.post_json(&other).status, 409);
        let (request_id, _token, consent_id) = signed_request(&r);
        // Every endpoint answers the opened values.
        let got = get_consent(&r, &second);
        assert_eq!(got.status, 200, "{}", got.text());
        assert_eq!(
            got.json()["payload"]["form"]["agent"]["id_number"],
            OTHER_AGENT_ID
        );
        assert_eq!(
            got.json()["payload"]["form"]["contact"]["id_number"],
            OTHER_CONTACT_ID
        );
        // Without asking: masked (contract.md §7); the audit log says which reads were
        // unmasked, and holds no ID number.
        let masked = r.get(
            &format!("/api/consents/{second}"),
            &[("Authorization", &auth(TOKEN))],
        );
        assert_eq!(masked.status, 200, "{}", masked.text());
        let form = &masked.json()["payload"]["form"];
        assert_eq!(form["agent"]["id_number"], "4403**********3415");
        assert_eq!(form["contact"]["id_number"], "1101**********002X");
        assert!(!contains(&masked.body, OTHER_AGENT_ID));
        let audit = std::fs::read_to_string(r.data_dir.join("audit.log")).unwrap();
        let reads: Vec<Value> = audit
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .filter(|l: &Value| l["id"] == second.as_str())
            .collect();
        let flags: Vec<&Value> = reads.iter().map(|l| &l["unmasked"]).collect();
        assert_eq!(flags, [&json!(true), &json!(false)], "{audit}");
        for n in needles() {
            assert!(!audit.contains(n), "{n} in the audit log");
        }
        let got = get_consent(&r, &consent_id);
        assert_eq!(got.status, 200, "{}", got.text());
        assert_eq!(got.json()["payload"]["request"]["id"], request_id.as_str());
        let office = r.get(
            &format!("/api/requests/{request_id}"),
            &[("Authorization", &auth(API_KEY))],
        );
        assert_eq!(office.status, 200, "{}", office.text());
        assert_eq!(office.json()["status"], "signed");

        assert_no_needle(
            &database_bytes(&r, backend),
            &format!("{backend:?} running"),
        );
        if backend == Backend::Sqlite {
            // And after a clean stop (the WAL checkpointed into the file).
            let mut r = r;
            assert!(r.interrupt().success());
            assert_no_needle(&sqlite_bytes(&r), "Sqlite stopped");
            // The key file: owner-only, one key.
            let key_file = r.data_dir.join(qianyue_receiver::seal::DEV_KEY_FILE);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
            let keys = qianyue_receiver::seal::DataKeys::load(&key_file).unwrap();
            assert_eq!(keys.ids().count(), 1);
            // Nothing of the key in the receiver's output.
            let key_text = std::fs::read_to_string(&key_file).unwrap();
            let secret = key_text.lines().last().unwrap().split(' ').nth(1).unwrap();
            assert!(!r.stderr().contains(secret));
        } else {
            r.assert_no_panic();
        }
    }
}

/// The data key removed (or another key in its place): the receiver refuses to start with a
/// message that says what to restore, and makes no new key over sealed data.
#[test]
fn without_its_data_key_the_receiver_refuses_to_start() {
    for backend in backends() {
        let mut r = start(backend, None);
        let id = uuid();
        assert_eq!(
            r.post_json(&consent_with(&id, SEED_AGENT_ID, SEED_CONTACT_ID))
                .status,
            201
        );
        assert!(r.interrupt().success());
        let key_file = r.data_dir.join(qianyue_receiver::seal::DEV_KEY_FILE);
        let saved = std::fs::read_to_string(&key_file).unwrap();
        let kid = saved
            .lines()
            .last()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_owned();
        std::fs::remove_file(&key_file).unwrap();
        std::fs::create_dir_all(r.data_dir.join("no-dist")).unwrap();

        let message = refused_start(&r.data_dir, &r.database_url, None);
        assert!(
            message.contains("QIANYUE_DATA_KEY_FILE is not set"),
            "{message}"
        );
        assert!(message.contains(&format!("{kid:?}")), "{message}");
        assert!(message.contains("restore the key file"), "{message}");
        assert!(!key_file.exists(), "a new key was made over sealed data");

        // A configured file that is missing, or holds another key under that id or another id.
        let elsewhere = temp_dir("keys");
        let missing = elsewhere.join("none");
        let message = refused_start(&r.data_dir, &r.database_url, Some(&missing));
        assert!(
            message.contains(&format!(
                "QIANYUE_DATA_KEY_FILE names {}",
                missing.display()
            )),
            "{message}"
        );
        assert!(message.contains(&format!("{kid:?}")), "{message}");
        for text in [key_line(&kid, 9), key_line("k-other", 9)] {
            let wrong = elsewhere.join("wrong");
            write_key_file(&wrong, text).unwrap();
            let message = refused_start(&r.data_dir, &r.database_url, Some(&wrong));
            assert!(message.contains("lacks data key(s)"), "{message}");
            assert!(message.contains(&format!("{kid:?}")), "{message}");
        }

        // The right key in a file others may read: refused, naming the mode.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let loose = elsewhere.join("loose");
            write_key_file(&loose, &saved).unwrap();
            std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o640)).unwrap();
            let message = refused_start(&r.data_dir, &r.database_url, Some(&loose));
            assert!(message.contains("its mode is 640"), "{message}");
        }
        // The key back: it starts, and the consent reads.
        write_key_file(&key_file, saved).unwrap();
        r.restart();
        let got = get_consent(&r, &id);
        assert_eq!(got.status, 200, "{}", got.text());
        assert_eq!(
            got.json()["payload"]["form"]["agent"]["id_number"],
            SEED_AGENT_ID
        );
        let _ = std::fs::remove_dir_all(&elsewhere);
    }
}

/// A sealed value copied into another row does not open there: refused, not served.
#[test]
fn a_value_moved_to_another_row_is_refused() {
    for backend in backends() {
        let r = start(backend, None);
        let (a, b) = (uuid(), uuid());
        assert_eq!(
            r.post_json(&consent_with(&a, SEED_AGENT_ID, SEED_CONTACT_ID))
                .status,
            201
        );
        assert_eq!(
            r.post_json(&consent_with(&b, OTHER_AGENT_ID, OTHER_CONTACT_ID))
                .status,
            201
        );
        let moved = sql(
            &r.database_url,
            "UPDATE consents SET payload = (SELECT payload FROM consents WHERE id = $1) \
             WHERE id = $2",
            &[&a, &b],
        );
        assert_eq!(moved, 1);
        let got = get_consent(&r, &b);
        assert_eq!(got.status, 503, "{}", got.text());
        assert!(!contains(&got.body, SEED_AGENT_ID), "{}", got.text());
        assert_eq!(get_consent(&r, &a).status, 200);
        // Nor a payload that was altered.
        let sealed = text(
            &r.database_url,
            "SELECT payload FROM consents WHERE id = $1",
            &a,
        );
        let last = sealed.chars().last().unwrap();
        let flipped = format!(
            "{}{}",
            &sealed[..sealed.len() - 1],
            if last == 'A' { 'B' } else { 'A' }
        );
        sql(
            &r.database_url,
            "UPDATE consents SET payload = $1 WHERE id = $2",
            &[&flipped, &a],
        );
        assert_eq!(get_consent(&r, &a).status, 503);

        // A request's signer name moved from one request to another.
        let (first, first_token, _) = signed_request(&r);
        let (second, second_token, _) = signed_request(&r);
        assert_eq!(
            r.get(&format!("/api/signing/{second_token}"), &[]).status,
            200
        );
        sql(
            &r.database_url,
            "UPDATE requests SET signer_name = (SELECT signer_name FROM requests WHERE id = $1) \
             WHERE id = $2",
            &[&first, &second],
        );
        let page = r.get(&format!("/api/signing/{second_token}"), &[]);
        assert_eq!(page.status, 503, "{}", page.text());
        assert!(!contains(&page.body, SIGNER_NAME));
        assert_eq!(
            r.get(&format!("/api/signing/{first_token}"), &[]).status,
            200
        );
        r.assert_no_panic();
        let err = r.stderr();
        assert!(
            !err.contains(SIGNER_NAME) && !err.contains(SEED_AGENT_ID),
            "{err}"
        );
    }
}

/// A second key added as the sealing one: new rows are sealed under it, old rows still read
/// under the first; the first removed, the receiver refuses to start.
#[test]
fn keys_rotate_without_rewriting_history() {
    for backend in backends() {
        let keys = temp_dir("rotation");
        let file = keys.join("data.keys");
        write_key_file(&file, key_line("k-2026a", 1)).unwrap();
        let mut r = start(backend, Some(&file));
        let old = uuid();
        assert_eq!(
            r.post_json(&consent_with(&old, SEED_AGENT_ID, SEED_CONTACT_ID))
                .status,
            201
        );
        assert!(r.interrupt().success());
        write_key_file(
            &file,
            format!(
                "# rotated\n{}{}",
                key_line("k-2026b", 2),
                key_line("k-2026a", 1)
            ),
        )
        .unwrap();
        r.restart();
        let new = uuid();
        assert_eq!(
            r.post_json(&consent_with(&new, OTHER_AGENT_ID, OTHER_CONTACT_ID))
                .status,
            201
        );
        let payload = |id: &str| {
            text(
                &r.database_url,
                "SELECT payload FROM consents WHERE id = $1",
                id,
            )
        };
        assert!(
            payload(&old).starts_with("qsealed1.k-2026a."),
            "{}",
            payload(&old)
        );
        assert!(
            payload(&new).starts_with("qsealed1.k-2026b."),
            "{}",
            payload(&new)
        );
        for (id, agent) in [(&old, SEED_AGENT_ID), (&new, OTHER_AGENT_ID)] {
            let got = get_consent(&r, id);
            assert_eq!(got.status, 200, "{}", got.text());
            assert_eq!(got.json()["payload"]["form"]["agent"]["id_number"], agent);
        }
        assert!(r.interrupt().success());
        write_key_file(&file, key_line("k-2026b", 2)).unwrap();
        std::fs::create_dir_all(r.data_dir.join("no-dist")).unwrap();
        let message = refused_start(&r.data_dir, &r.database_url, Some(&file));
        assert!(
            message.contains("lacks data key(s) \"k-2026a\""),
            "{message}"
        );
        let _ = std::fs::remove_dir_all(&keys);
    }
}

/// Rows an earlier release wrote in clear (a database with no data key registered) still read,
/// and are sealed at the next start.
#[test]
fn rows_written_in_clear_read_and_are_sealed_at_start() {
    for backend in backends() {
        let mut r = start(backend, None);
        let id = uuid();
        assert_eq!(
            r.post_json(&consent_with(&id, SEED_AGENT_ID, SEED_CONTACT_ID))
                .status,
            201
        );
        let (request_id, token, _) = signed_request(&r);
        let clear = get_consent(&r, &id).json()["payload"].clone();
        let canonical =
            String::from_utf8(qianyue_domain::payload::canonical_bytes(&clear).unwrap()).unwrap();
        assert!(r.interrupt().success());
        // As an earlier release left it: in clear, no registry.
        sql(&r.database_url, "DELETE FROM data_keys", &[]);
        sql(
            &r.database_url,
            "UPDATE consents SET payload = $1 WHERE id = $2",
            &[&canonical, &id],
        );
        sql(
            &r.database_url,
            "UPDATE requests SET signer_name = $1, signer_mobile = $2 WHERE id = $3",
            &[SIGNER_NAME, SIGNER_MOBILE, &request_id],
        );
        r.restart();
        let got = get_consent(&r, &id);
        assert_eq!(got.status, 200, "{}", got.text());
        assert_eq!(got.json()["payload"], clear);
        let page = r.get(&format!("/api/signing/{token}"), &[]);
        assert_eq!(page.status, 200, "{}", page.text());
        let payload = text(
            &r.database_url,
            "SELECT payload FROM consents WHERE id = $1",
            &id,
        );
        assert!(payload.starts_with("qsealed1."), "not sealed at start");
        let name = text(
            &r.database_url,
            "SELECT signer_name FROM requests WHERE id = $1",
            &request_id,
        );
        assert!(name.starts_with("qsealed1."), "not sealed at start");
        assert!(
            r.stderr().contains("sealed 2 row(s) written in clear"),
            "{}",
            r.stderr()
        );
        if backend == Backend::Sqlite {
            assert!(r.interrupt().success());
            assert_no_needle(&sqlite_bytes(&r), "Sqlite after the re-seal");
        }
    }
}

/// `QIANYUE_DATA_KEY_FILE` naming a file that does not exist, over a database with nothing
/// sealed: the first key is made there, owner-only, and its id (never its bytes) is logged.
#[test]
fn a_named_key_file_is_made_over_a_fresh_database() {
    let keys = temp_dir("named");
    let file = keys.join("secrets").join("data-key");
    let r = start(Backend::Sqlite, Some(&file));
    let id = uuid();
    assert_eq!(
        r.post_json(&consent_with(&id, SEED_AGENT_ID, SEED_CONTACT_ID))
            .status,
        201
    );
    let made = qianyue_receiver::seal::DataKeys::load(&file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let err = r.stderr();
    assert!(
        err.contains(&format!("made data key {:?}", made.sealing_id())),
        "{err}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let secret = text.lines().last().unwrap().split(' ').nth(1).unwrap();
    assert!(!err.contains(secret));
    assert!(!r
        .data_dir
        .join(qianyue_receiver::seal::DEV_KEY_FILE)
        .exists());
    let _ = std::fs::remove_dir_all(&keys);
}
