//! Test harness: the receiver binary as a child process on loopback, a plain HTTP/1.1 client
//! over `std::net::TcpStream`, fresh databases (an SQLite file in a temporary directory, or a
//! new database on the PostgreSQL server named by `QIANYUE_TEST_POSTGRES_URL`), and signed
//! payloads made with a fixed test key.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use qianyue_domain::form::Form;
use qianyue_domain::payload::SignedAt;
use qianyue_domain::testing;
use serde_json::Value;

pub const TOKEN: &str = "test-token-0123456789abcdef";

/// The back office's API key of every test receiver (`QIANYUE_API_KEYS=tests=<this>`).
pub const API_KEY: &str = "test-api-key-0123456789abcdef";

/// The webhooks' signing secret of every test receiver (`QIANYUE_WEBHOOK_SECRET`), so that
/// requests may carry a `callback_url`.
pub const WEBHOOK_SECRET: &str = "test-webhook-secret-0123456789";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty directory under the system's temporary directory.
pub fn temp_dir(tag: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!(
        "qianyue-receiver-{tag}-{}-{n}-{nanos}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends to test: SQLite always; PostgreSQL when `QIANYUE_TEST_POSTGRES_URL` is set
/// (`cargo xtask test` starts one and sets it, with `QIANYUE_TEST_REQUIRE_POSTGRES=1` so that a
/// missing server fails instead of skipping).
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if std::env::var_os("QIANYUE_TEST_POSTGRES_URL").is_some() {
        v.push(Backend::Postgres);
    } else if std::env::var_os("QIANYUE_TEST_REQUIRE_POSTGRES").is_some() {
        panic!("QIANYUE_TEST_REQUIRE_POSTGRES is set but QIANYUE_TEST_POSTGRES_URL is not");
    } else {
        eprintln!("note: QIANYUE_TEST_POSTGRES_URL is not set; PostgreSQL runs skipped");
    }
    v
}

/// A new database on the test PostgreSQL server; its URL.
pub fn fresh_postgres() -> String {
    let admin = std::env::var("QIANYUE_TEST_POSTGRES_URL").expect("QIANYUE_TEST_POSTGRES_URL");
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!(
        "qtest_{}_{n}_{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        // The name is made here from digits and `qtest_`: nothing to inject.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
    });
    // Same server and options (sslmode, sslrootcert), the new database.
    let (url, query) = admin.split_once('?').unwrap_or((admin.as_str(), ""));
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    if query.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{query}")
    }
}

/// Options of a receiver process.
pub struct Options {
    pub backend: Backend,
    pub dist: Option<PathBuf>,
    pub max_body: Option<usize>,
    pub frame_ancestors: Option<String>,
    pub addr: Option<SocketAddr>,
    /// `QIANYUE_OFFLINE_ALLOWANCE_DAYS`. [`Options::new`] sets the largest allowance, since
    /// the checked-in vector and [`payload_value`] are signed on 2023-04-10; `None` leaves the
    /// receiver's default (30 days), for consents signed now ([`payload_value_signed_at`]).
    pub offline_allowance_days: Option<u32>,
    /// Further environment variables (transport and access settings).
    pub env: Vec<(String, String)>,
}

impl Options {
    pub fn new(backend: Backend) -> Options {
        Options {
            backend,
            dist: None,
            max_body: None,
            frame_ancestors: None,
            addr: None,
            offline_allowance_days: Some(36_500),
            env: Vec::new(),
        }
    }

    /// Adds an environment variable.
    pub fn with(mut self, name: &str, value: &str) -> Options {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A receiver child process and what it was started with.
pub struct Receiver {
    pub child: Child,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub stderr_path: PathBuf,
    env: Vec<(String, String)>,
}

impl Receiver {
    pub fn start(opts: Options) -> Receiver {
        let data_dir = temp_dir("data");
        let database_url = match opts.backend {
            Backend::Sqlite => qianyue_receiver::store::sqlite_url(&data_dir.join("c.sqlite3")),
            Backend::Postgres => fresh_postgres(),
        };
        let mut env = vec![
            (
                "QIANYUE_DATA_DIR".to_owned(),
                data_dir.display().to_string(),
            ),
            ("DATABASE_URL".to_owned(), database_url.clone()),
            ("QIANYUE_ADMIN_TOKEN".to_owned(), TOKEN.to_owned()),
            ("QIANYUE_API_KEYS".to_owned(), format!("tests={API_KEY}")),
            (
                "QIANYUE_WEBHOOK_SECRET".to_owned(),
                WEBHOOK_SECRET.to_owned(),
            ),
            // The consents these tests post name no signing request (the app cannot open one
            // yet): the open mode. `requests.rs` checks the default without it.
            ("QIANYUE_OPEN_SIGNING".to_owned(), "1".to_owned()),
            (
                "QIANYUE_DIST".to_owned(),
                opts.dist
                    .as_ref()
                    .map_or_else(|| data_dir.join("no-dist"), Clone::clone)
                    .display()
                    .to_string(),
            ),
        ];
        if let Some(n) = opts.max_body {
            env.push(("QIANYUE_MAX_BODY_BYTES".into(), n.to_string()));
        }
        if let Some(days) = opts.offline_allowance_days {
            env.push(("QIANYUE_OFFLINE_ALLOWANCE_DAYS".into(), days.to_string()));
        }
        if let Some(f) = opts.frame_ancestors {
            env.push(("QIANYUE_FRAME_ANCESTORS".into(), f));
        }
        env.extend(opts.env);
        if opts.dist.is_none() {
            std::fs::create_dir_all(data_dir.join("no-dist")).unwrap();
        }
        let addr = opts.addr.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap());
        env.push(("QIANYUE_ADDR".into(), addr.to_string()));
        let stderr_path = data_dir.join("stderr.log");
        let mut r = Receiver {
            child: spawn(&env, &stderr_path),
            addr,
            data_dir,
            database_url,
            stderr_path,
            env,
        };
        r.addr = read_addr(&mut r.child, &r.stderr_path);
        r
    }

    /// Starts the process again on the same data, database and address.
    pub fn restart(&mut self) {
        let mut env = self.env.clone();
        env.retain(|(k, _)| k != "QIANYUE_ADDR");
        env.push(("QIANYUE_ADDR".into(), self.addr.to_string()));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.child = spawn(&env, &self.stderr_path);
            match try_read_addr(&mut self.child) {
                Some(addr) => {
                    self.addr = addr;
                    return;
                }
                // The port may still be held for a moment after a kill.
                None if Instant::now() < deadline => {
                    let _ = self.child.wait();
                    std::thread::sleep(Duration::from_millis(100));
                }
                None => panic!("the receiver did not restart: {}", self.stderr()),
            }
        }
    }

    /// SIGKILL, and wait for it to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGINT (Ctrl-C), and wait for a clean exit.
    pub fn interrupt(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill -INT");
        self.child.wait().unwrap()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn post_json(&self, body: &[u8]) -> HttpResponse {
        http(
            self.addr,
            "POST",
            "/api/consents",
            &[("Content-Type", "application/json")],
            body,
        )
        .expect("POST /api/consents")
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
        http(self.addr, "GET", path, headers, b"").expect("GET")
    }

    /// Every stored id, read from the database directly.
    pub fn stored_ids(&self) -> Vec<String> {
        self.with_store(|s| async move { s.ids().await.unwrap() })
    }

    pub fn with_store<T, F, Fut>(&self, f: F) -> T
    where
        F: FnOnce(qianyue_receiver::store::Store) -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (store, _writer) =
                qianyue_receiver::store::Store::open(&self.database_url, self.key_source())
                    .await
                    .unwrap();
            let out = f(store.clone()).await;
            store.close().await;
            out
        })
    }

    /// The file of the receiver's data keys, for a second receiver of the same database
    /// (`QIANYUE_DATA_KEY_FILE`: every receiver of one database needs the same keys).
    pub fn data_key_file(&self) -> String {
        match self.key_source().path() {
            Some(p) => p.display().to_string(),
            None => String::new(),
        }
    }

    /// The receiver's data keys: `QIANYUE_DATA_KEY_FILE` when the test set it, else the file
    /// it made under its data directory.
    pub fn key_source(&self) -> qianyue_receiver::seal::KeySource {
        let file = self
            .env
            .iter()
            .find(|(k, _)| k == "QIANYUE_DATA_KEY_FILE")
            .map(|(_, v)| PathBuf::from(v));
        qianyue_receiver::seal::KeySource::of(file.as_deref(), &self.data_dir)
    }

    /// Fails the test if the receiver has panicked.
    pub fn assert_no_panic(&self) {
        let err = self.stderr();
        assert!(!err.contains("panicked"), "the receiver panicked:\n{err}");
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn spawn(env: &[(String, String)], stderr_path: &Path) -> Child {
    let stderr = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(stderr_path)
        .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qianyue-receiver"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start qianyue-receiver")
}

fn try_read_addr(child: &mut Child) -> Option<SocketAddr> {
    let stdout = child.stdout.take()?;
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    reader.read_line(&mut line).ok()?;
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
    });
    line.trim()
        .strip_prefix("listening on http://")?
        .trim_end_matches('/')
        .parse()
        .ok()
}

fn read_addr(child: &mut Child, stderr: &Path) -> SocketAddr {
    try_read_addr(child).unwrap_or_else(|| {
        panic!(
            "the receiver did not start:\n{}",
            std::fs::read_to_string(stderr).unwrap_or_default()
        )
    })
}

// ------------------------------------------------------------------------------------------
// HTTP/1.1 over a plain TCP stream

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_owned()
    }

    /// The paths of a refusal's fields, in order.
    pub fn field_paths(&self) -> Vec<String> {
        self.json()["fields"]
            .as_array()
            .expect("a refusal has fields")
            .iter()
            .map(|f| f["path"].as_str().expect("a field has a path").to_owned())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on its own connection (`Connection: close`); the response read to its end.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpResponse> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    raw(addr, &request, method == "HEAD")
}

/// Sends raw bytes and parses whatever comes back as one HTTP/1.1 response.
pub fn raw(addr: SocketAddr, request: &[u8], head_only: bool) -> std::io::Result<HttpResponse> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    // The server may answer (413) and close before reading everything we send.
    let _ = stream.write_all(request);
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) if data.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    parse_response(&data, head_only)
}

fn parse_response(data: &[u8], head_only: bool) -> std::io::Result<HttpResponse> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let end = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&data[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or_else(|| bad("no status line"))?;
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = data[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked && !head_only {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    }
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(
            std::str::from_utf8(&data[..line_end])
                .ok()?
                .split(';')
                .next()?
                .trim(),
            16,
        )
        .ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

// ------------------------------------------------------------------------------------------
// Payloads

pub use qianyue_domain::testing::{seed_form, test_key};

/// `crates/domain/tests/fixtures/<name>`.
pub fn domain_fixture(name: &str) -> PathBuf {
    testing::fixture(name)
}

/// The checked-in vector (an envelope signed with the test key).
pub fn vector() -> Vec<u8> {
    testing::vector().into_bytes()
}

/// A random lower-case UUID v4 (from the OS's random source).
pub fn uuid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).unwrap();
    qianyue_domain::payload::uuid_v4(b)
}

/// The seed consent with this id, as a payload value.
pub fn payload_value(id: &str) -> Value {
    consent_value(seed_form(), testing::signed_at(), id)
}

/// Seconds since the epoch, now.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The seed consent with this id signed at `unix` seconds: `signed_at` that moment, the
/// signing date its date in China Standard Time (as the app fills it), the authorisation
/// running from 2023-04-01 to 2099-12-31, and the figures on that date.
pub fn payload_value_signed_at(id: &str, unix: i64) -> Value {
    let signed_at = SignedAt::from_unix_seconds(unix).unwrap();
    consent_value(testing::seed_form_signed_at(signed_at), signed_at, id)
}

/// `form` signed at `signed_at` with a typed signature and the test key, showing the figures
/// of that day, as a payload value.
fn consent_value(form: Form, signed_at: SignedAt, id: &str) -> Value {
    let payload = testing::payload_at(form, signed_at, id, testing::typed_signature(), &test_key());
    serde_json::to_value(payload).unwrap()
}

/// Signs a payload value (after any edit) into an envelope body.
pub fn sign_value(value: &Value) -> Vec<u8> {
    testing::sign_value(value, &test_key()).into_bytes()
}

/// A signed seed consent with this id, edited first by `edit`.
pub fn signed(id: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = payload_value(id);
    edit(&mut v);
    sign_value(&v)
}

/// Runs `statement` with text parameters on the database at `url` (a test's look behind the
/// receiver); the rows it changed.
pub fn sql_execute(url: &str, statement: &str, params: &[&str]) -> u64 {
    with_pool(url, |pool| async move {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()));
        for p in params {
            q = q.bind(*p);
        }
        q.execute(&pool).await.unwrap().rows_affected()
    })
}

/// The first column of the one row `query` (with one text parameter) answers.
pub fn sql_value<T>(url: &str, query: &str, param: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    with_pool(url, |pool| async move {
        let row = sqlx::query(sqlx::AssertSqlSafe(query.to_owned()))
            .bind(param)
            .fetch_one(&pool)
            .await
            .unwrap();
        sqlx::Row::get::<T, _>(&row, 0)
    })
}

/// Runs `f` with a pool on `url`, on a runtime of its own, and closes the pool.
fn with_pool<T, F, Fut>(url: &str, f: F) -> T
where
    F: FnOnce(sqlx::AnyPool) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await.unwrap();
        let out = f(pool.clone()).await;
        pool.close().await;
        out
    })
}
