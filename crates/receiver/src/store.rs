//! Storage of consents: an embedded SQLite file by default, PostgreSQL when `DATABASE_URL` is a
//! `postgres://` URL; the same migrations (`migrations/`) and the same SQL for both.
//!
//! Durability: [`Store::put`] answers only after the transaction that holds the record has
//! committed. SQLite runs in WAL mode with `synchronous = FULL`, so a commit has been fsynced
//! to the WAL file when it returns; PostgreSQL commits with its defaults (`fsync = on`,
//! `synchronous_commit = on`). One writer task takes the records waiting at that moment and
//! commits them in one transaction (group commit): one fsync covers many consents, and a
//! record is either wholly in the table or not at all.
//!
//! Personal data at rest: the payload column is sealed (`crate::seal`) before it is queued and
//! opened when read; [`Store::open`] checks the data keys against the registry `data_keys`
//! (migrations/0005), refusing to run on sealed data it could not open, and seals the rows an
//! earlier release wrote in clear the first time a sealing key is used.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use crate::seal::{self, Column, DataKeys, KeySource};

/// The migrations, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How many waiting records one transaction takes at most.
const MAX_BATCH: usize = 256;
/// Rows per insert statement (14 parameters each; SQLite allows 32,766, PostgreSQL 65,535).
const INSERT_CHUNK: usize = 64;

/// One consent as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub payload_sha256: String,
    pub payload: String,
    pub signature: String,
    pub signer_key: String,
    pub agreement_id: String,
    pub agreement_version: String,
    pub signed_at: String,
    pub received_at: String,
    pub verification: String,
    pub receipt: String,
}

/// What [`Store::put`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Newly stored; the record's own receipt.
    Stored(String),
    /// The same id with the same payload was stored before; that first receipt.
    Replayed(String),
    /// The same id was stored before with another payload.
    Conflict,
}

/// A storage failure (not the caller's fault).
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> StoreError {
        StoreError(e.to_string())
    }
}

struct Job {
    record: Record,
    /// Its search columns (migrations/0006), taken from the clear payload before sealing.
    search: crate::office::Search,
    reply: oneshot::Sender<Result<Outcome, String>>,
}

/// The store: a pool for reads and the writer task's queue.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    queue: mpsc::Sender<Job>,
    backend: &'static str,
    keys: Arc<DataKeys>,
}

/// The writer task; [`Writer::finish`] waits until every queued record is committed.
pub struct Writer(tokio::task::JoinHandle<()>);

impl Writer {
    pub async fn finish(self) {
        let _ = self.0.await;
    }
}

/// The SQLite URL of a database file (created if missing).
pub fn sqlite_url(path: &Path) -> String {
    let mut encoded = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' | ' ' => encoded.push_str(&format!("%{:02X}", c as u32)),
            c => encoded.push(c),
        }
    }
    format!("sqlite://{encoded}?mode=rwc")
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), runs the migrations, takes the data
    /// keys from `keys` (checked against the database's registry: see [`check_keys`]) and
    /// starts the writer. The writer stops when every clone of the store has been dropped.
    pub async fn open(url: &str, keys: KeySource) -> Result<(Store, Writer), StoreError> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        // The database's port, for TCP_NODELAY on its connections (src/pg_nodelay.rs).
        let pg_port = (!sqlite)
            .then(|| url.parse::<sqlx::postgres::PgConnectOptions>().ok())
            .flatten()
            .map(|o| o.get_port());
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // secure_delete: a row rewritten when sealed (see [`reseal_clear`])
                        // leaves no copy of its clear bytes in the file's free space.
                        sqlx::raw_sql(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;",
                        )
                        .execute(conn)
                        .await?;
                    } else {
                        // Large columns (the payload) are compressed into TOAST with lz4
                        // rather than the default pglz, which costs several times the CPU.
                        // Ignored where the server was built without lz4.
                        let _ = sqlx::raw_sql("SET default_toast_compression = 'lz4'")
                            .execute(&mut *conn)
                            .await;
                        if let Some(port) = pg_port {
                            crate::pg_nodelay::on_peer_port(port);
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        let keys = match check_keys(&pool, keys).await {
            Ok(keys) => keys,
            Err(e) => {
                pool.close().await;
                return Err(e);
            }
        };
        if let Err(e) = fill_search(&pool, &keys).await {
            pool.close().await;
            return Err(e);
        }
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        let writer = Writer(tokio::spawn(write_loop(pool.clone(), jobs)));
        let backend = if sqlite { "sqlite" } else { "postgres" };
        Ok((
            Store {
                pool,
                queue,
                backend,
                keys,
            },
            writer,
        ))
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// The data keys.
    pub fn keys(&self) -> &DataKeys {
        &self.keys
    }

    /// Stores `record` unless its id is taken; returns only once the outcome is durable. Its
    /// payload is sealed here, on the caller's task, before it is queued.
    pub async fn put(&self, record: Record) -> Result<Outcome, StoreError> {
        let search = crate::office::Search::of_payload(&record.payload);
        let record = sealed(&self.keys, record)?;
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job {
                record,
                search,
                reply,
            })
            .await
            .map_err(|_| StoreError("the store is shutting down".into()))?;
        answer
            .await
            .map_err(|_| StoreError("the writer stopped".into()))?
            .map_err(StoreError)
    }

    /// The stored record with this id.
    pub async fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        let row = sqlx::query(
            "SELECT id, payload_sha256, payload, signature, signer_key, agreement_id, \
             agreement_version, signed_at, received_at, verification, receipt \
             FROM consents WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(mut record) = row.map(|r| record_of(&r)).transpose()? else {
            return Ok(None);
        };
        // A value that does not open here (another row's, altered, or under a key the file
        // lacks) is refused, never served.
        record.payload = self
            .keys
            .read(Column::ConsentPayload, &record.id, record.payload)
            .map_err(|e| StoreError(format!("consent {id}: {e}")))?;
        Ok(Some(record))
    }

    /// Every stored id (for tests and checks; not served).
    pub async fn ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT id FROM consents ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(Into::into))
            .collect()
    }

    /// The pool, for the requests' statements (`crate::requests`).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }

    /// Closes the pool (after the writer has finished).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The record with its payload sealed for its row.
fn sealed(keys: &DataKeys, mut record: Record) -> Result<Record, StoreError> {
    // The benchmark's baseline build (Cargo feature `bench-unsealed`, never served) stores the
    // payload as it came, to measure what sealing costs.
    if cfg!(feature = "bench-unsealed") {
        return Ok(record);
    }
    record.payload = keys
        .seal(Column::ConsentPayload, &record.id, &record.payload)
        .ok_or_else(|| StoreError("the OS's random source failed".into()))?;
    Ok(record)
}

fn record_of(r: &AnyRow) -> Result<Record, sqlx::Error> {
    Ok(Record {
        id: r.try_get(0)?,
        payload_sha256: r.try_get(1)?,
        payload: r.try_get(2)?,
        signature: r.try_get(3)?,
        signer_key: r.try_get(4)?,
        agreement_id: r.try_get(5)?,
        agreement_version: r.try_get(6)?,
        signed_at: r.try_get(7)?,
        received_at: r.try_get(8)?,
        verification: r.try_get(9)?,
        receipt: r.try_get(10)?,
    })
}

async fn write_loop(pool: AnyPool, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let records: Vec<(&Record, &crate::office::Search)> =
            batch.iter().map(|j| (&j.record, &j.search)).collect();
        match write_batch(&pool, &records).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for job in batch {
                    let _ = job.reply.send(Err(message.clone()));
                }
            }
        }
    }
}

/// Columns of a row, in the order of the statements below.
const COLUMNS: &str = "id, payload_sha256, payload, signature, signer_key, agreement_id, \
                       agreement_version, signed_at, received_at, verification, receipt";

/// One transaction for the batch: one multi-row insert of the records whose id is new (the
/// first of each id), one select of the rows that already held the others' ids; then each
/// record's outcome. Nothing is answered before the commit.
async fn write_batch(
    pool: &AnyPool,
    batch: &[(&Record, &crate::office::Search)],
) -> Result<Vec<Outcome>, sqlx::Error> {
    let records: Vec<&Record> = batch.iter().map(|(r, _)| *r).collect();
    // The first record of each id in the batch is the one offered to the table.
    let mut firsts: HashMap<&str, &Record> = HashMap::new();
    let mut unique: Vec<(&Record, &crate::office::Search)> = Vec::new();
    for (r, search) in batch {
        if !firsts.contains_key(r.id.as_str()) {
            firsts.insert(&r.id, r);
            unique.push((r, search));
        }
    }
    let mut tx = pool.begin().await?;
    let mut inserted: HashSet<String> = HashSet::new();
    for chunk in unique.chunks(INSERT_CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p: Vec<String> = (1..=14).map(|c| format!("${}", i * 14 + c)).collect();
                format!("({})", p.join(", "))
            })
            .collect();
        // Built from placeholders only; every value is bound.
        let sql = format!(
            "INSERT INTO consents ({COLUMNS}, {SEARCH_COLUMNS}) VALUES {} ON CONFLICT (id) DO \
             NOTHING RETURNING id",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (r, search) in chunk {
            q = bind_search(bind_record(q, r), search);
        }
        for row in q.fetch_all(&mut *tx).await? {
            inserted.insert(row.try_get::<String, _>(0)?);
        }
    }
    // Rows that were there before: their payload hash and receipt.
    let earlier: Vec<&str> = unique
        .iter()
        .map(|(r, _)| r.id.as_str())
        .filter(|id| !inserted.contains(*id))
        .collect();
    let mut existing: HashMap<String, (String, String)> = HashMap::new();
    for chunk in earlier.chunks(INSERT_CHUNK * 11) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, payload_sha256, receipt FROM consents WHERE id IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut *tx).await? {
            existing.insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?));
        }
    }
    tx.commit().await?;

    let mut answered_new: HashSet<&str> = HashSet::new();
    let mut outcomes = Vec::with_capacity(records.len());
    for r in records {
        let id = r.id.as_str();
        let (sha, receipt) = if inserted.contains(id) {
            if answered_new.insert(id) {
                outcomes.push(Outcome::Stored(r.receipt.clone()));
                continue;
            }
            let first = firsts[id];
            (first.payload_sha256.clone(), first.receipt.clone())
        } else {
            match existing.get(id) {
                Some(row) => row.clone(),
                None => {
                    return Err(sqlx::Error::Protocol(format!(
                        "{id} was neither inserted nor found"
                    )))
                }
            }
        };
        outcomes.push(if sha == r.payload_sha256 {
            Outcome::Replayed(receipt)
        } else {
            Outcome::Conflict
        });
    }
    Ok(outcomes)
}

/// `q` with the record's [`COLUMNS`] bound, in their order.
fn bind_record<'q>(q: AnyQuery<'q>, r: &'q Record) -> AnyQuery<'q> {
    q.bind(&r.id)
        .bind(&r.payload_sha256)
        .bind(&r.payload)
        .bind(&r.signature)
        .bind(&r.signer_key)
        .bind(&r.agreement_id)
        .bind(&r.agreement_version)
        .bind(&r.signed_at)
        .bind(&r.received_at)
        .bind(&r.verification)
        .bind(&r.receipt)
}

/// The search columns of a consent (migrations/0006), in the order of `SEARCH_COLUMNS`.
const SEARCH_COLUMNS: &str = "contract_no, uscc, company";

/// `q` with the search columns bound, in their order.
fn bind_search<'q>(q: AnyQuery<'q>, s: &'q crate::office::Search) -> AnyQuery<'q> {
    q.bind(&s.contract_no).bind(&s.uscc).bind(&s.company)
}

/// A statement of the `Any` driver with its bound values.
type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Inserts one consent inside the caller's transaction, naming its signing request (the
/// request path, `crate::requests::identity`, which commits it with the request's change),
/// its payload sealed with `keys`: whether it was inserted (`false`: its id was taken).
pub(crate) async fn insert_one(
    conn: &mut sqlx::AnyConnection,
    keys: &DataKeys,
    r: &Record,
    request_id: Option<&str>,
) -> Result<bool, StoreError> {
    let search = crate::office::Search::of_payload(&r.payload);
    let r = &sealed(keys, r.clone())?;
    let sql = format!(
        "INSERT INTO consents ({COLUMNS}, request_id, {SEARCH_COLUMNS}) VALUES ($1, $2, $3, $4, \
         $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING"
    );
    let done = bind_record(sqlx::query(sqlx::AssertSqlSafe(sql)), r).bind(request_id);
    let done = bind_search(done, &search).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

// ------------------------------------------------------------------------------------------
// Data keys (crate::seal; docs/receiver.md "Personal data at rest")

/// A refusal to start: the message, and what the operator should do.
fn refusal(what: String, registered: &[String]) -> StoreError {
    StoreError(format!(
        "{what}; this database holds personal data sealed under data key(s) {} — restore the \
         key file from its backup (docs/receiver.md \"Personal data at rest\"). The receiver \
         does not start rather than store personal data in clear or unreadable",
        registered
            .iter()
            .map(|k| format!("{k:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The data keys of `source`, checked against the registry `data_keys`: every key id there
/// must be in the key file with the same bytes (its check value opens), else the receiver
/// refuses to start. When the key file (the one `QIANYUE_DATA_KEY_FILE` names, or the data
/// directory's when it is unset) does not exist, a new key is made in it only while the
/// registry is empty (nothing sealed yet). A sealing key not yet registered first seals the rows written in
/// clear by an earlier release ([`reseal_clear`]), then is registered.
pub async fn check_keys(pool: &AnyPool, source: KeySource) -> Result<Arc<DataKeys>, StoreError> {
    let registry: Vec<(String, String)> =
        sqlx::query("SELECT kid, check_value FROM data_keys ORDER BY kid")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let registered: Vec<String> = registry.iter().map(|(k, _)| k.clone()).collect();
    let fail = |e: String| {
        if registered.is_empty() {
            StoreError(e)
        } else {
            refusal(e, &registered)
        }
    };
    let keys: Arc<DataKeys> = match &source {
        KeySource::Keys(k) => k.clone(),
        KeySource::File(path) | KeySource::Dev(path) if path.exists() => {
            Arc::new(DataKeys::load(path).map_err(fail)?)
        }
        // Nothing sealed yet: a first key, in the file named or the data directory's.
        KeySource::File(path) | KeySource::Dev(path) if registered.is_empty() => {
            let keys = seal::create_key_file(path).map_err(StoreError)?;
            eprintln!(
                "qianyue-receiver: made data key {:?} in {}: back this file up apart from the \
                 database (docs/receiver.md \"Personal data at rest\")",
                keys.sealing_id(),
                path.display()
            );
            Arc::new(keys)
        }
        KeySource::File(path) => {
            return Err(refusal(
                format!(
                    "QIANYUE_DATA_KEY_FILE names {}, which does not exist",
                    path.display()
                ),
                &registered,
            ))
        }
        KeySource::Dev(path) => {
            return Err(refusal(
                format!(
                    "QIANYUE_DATA_KEY_FILE is not set and {} does not exist",
                    path.display()
                ),
                &registered,
            ))
        }
    };
    let missing: Vec<String> = registry
        .iter()
        .filter(|(kid, check)| !keys.checks(kid, check))
        .map(|(kid, _)| kid.clone())
        .collect();
    if !missing.is_empty() {
        return Err(refusal(
            format!(
                "the data key file lacks data key(s) {} (or holds other bytes under that id)",
                missing
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &registered,
        ));
    }
    let sealing = keys.sealing_id().to_owned();
    if !registered.contains(&sealing) {
        reseal_clear(pool, &keys).await?;
        let check = keys
            .check_value(&sealing)
            .ok_or_else(|| StoreError("the OS's random source failed".into()))?;
        let now = qianyue_domain::payload::SignedAt::from_unix_seconds(crate::api::now_unix())
            .map(|t| t.to_string())
            .unwrap_or_default();
        sqlx::query(
            "INSERT INTO data_keys (kid, check_value, added_at) VALUES ($1, $2, $3) \
             ON CONFLICT (kid) DO NOTHING",
        )
        .bind(&sealing)
        .bind(&check)
        .bind(&now)
        .execute(pool)
        .await?;
        // Another receiver may have registered the same id first, with other bytes.
        let stored: String = sqlx::query("SELECT check_value FROM data_keys WHERE kid = $1")
            .bind(&sealing)
            .fetch_one(pool)
            .await?
            .try_get(0)?;
        if !keys.checks(&sealing, &stored) {
            return Err(StoreError(format!(
                "data key {sealing:?} is registered in this database with other bytes (another \
                 receiver's key file); every receiver of one database needs the same key file"
            )));
        }
    }
    Ok(keys)
}

/// Seals every value an earlier release wrote in clear (the consents' payload, the requests'
/// form, signer name and mobile), a hundred rows at a time, each update only if the row still
/// holds the clear value read. Runs at start-up before a new sealing key is registered: the
/// first start of this release on an older database (and, finding nothing, after a rotation).
pub async fn reseal_clear(pool: &AnyPool, keys: &DataKeys) -> Result<u64, StoreError> {
    let random = || StoreError("the OS's random source failed".into());
    let like = format!("{}%", seal::PREFIX);
    let mut sealed = 0u64;
    loop {
        let rows =
            sqlx::query("SELECT id, payload FROM consents WHERE payload NOT LIKE $1 LIMIT 100")
                .bind(&like)
                .fetch_all(pool)
                .await?;
        let mut changed = 0;
        for r in &rows {
            let (id, clear): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let s = keys
                .seal(Column::ConsentPayload, &id, &clear)
                .ok_or_else(random)?;
            changed +=
                sqlx::query("UPDATE consents SET payload = $1 WHERE id = $2 AND payload = $3")
                    .bind(&s)
                    .bind(&id)
                    .bind(&clear)
                    .execute(pool)
                    .await?
                    .rows_affected();
        }
        sealed += changed;
        if rows.len() < 100 || changed == 0 {
            break;
        }
    }
    loop {
        let rows = sqlx::query(
            "SELECT id, form, signer_name, signer_mobile FROM requests WHERE form NOT LIKE $1 \
             OR signer_name NOT LIKE $1 OR signer_mobile NOT LIKE $1 LIMIT 100",
        )
        .bind(&like)
        .fetch_all(pool)
        .await?;
        let mut changed = 0;
        for r in &rows {
            let id: String = r.try_get(0)?;
            let mut values = Vec::new();
            for (i, column) in [
                Column::RequestForm,
                Column::RequestSignerName,
                Column::RequestSignerMobile,
            ]
            .into_iter()
            .enumerate()
            {
                let stored: String = r.try_get(i + 1)?;
                let new = if seal::is_sealed(&stored) {
                    stored.clone()
                } else {
                    keys.seal(column, &id, &stored).ok_or_else(random)?
                };
                values.push((stored, new));
            }
            changed += sqlx::query(
                "UPDATE requests SET form = $1, signer_name = $2, signer_mobile = $3 \
                 WHERE id = $4 AND form = $5 AND signer_name = $6 AND signer_mobile = $7",
            )
            .bind(&values[0].1)
            .bind(&values[1].1)
            .bind(&values[2].1)
            .bind(&id)
            .bind(&values[0].0)
            .bind(&values[1].0)
            .bind(&values[2].0)
            .execute(pool)
            .await?
            .rows_affected();
        }
        sealed += changed;
        if rows.len() < 100 || changed == 0 {
            break;
        }
    }
    if sealed > 0 {
        eprintln!(
            "qianyue-receiver: sealed {sealed} row(s) written in clear by an earlier release"
        );
    }
    Ok(sealed)
}

/// Fills the search columns (migrations/0006) of the rows an earlier release wrote, from their
/// opened payload or form, a hundred rows at a time; each update only while the row's are still
/// NULL (receivers starting at once on one database do the same work, harmlessly). A value that
/// does not open leaves the columns empty (`''`): that row is not found by a search (its read
/// is refused anyway, `Store::get`). Runs at start-up, after the data keys are checked.
pub async fn fill_search(pool: &AnyPool, keys: &DataKeys) -> Result<u64, StoreError> {
    use crate::office::Search;
    let mut filled = 0u64;
    for (table, column, seal_column) in [
        ("consents", "payload", Column::ConsentPayload),
        ("requests", "form", Column::RequestForm),
    ] {
        loop {
            // Table and column names from the list above; every value is bound.
            let select =
                format!("SELECT id, {column} FROM {table} WHERE contract_no IS NULL LIMIT 100");
            let rows = sqlx::query(sqlx::AssertSqlSafe(select))
                .fetch_all(pool)
                .await?;
            let mut changed = 0;
            for r in &rows {
                let (id, stored): (String, String) = (r.try_get(0)?, r.try_get(1)?);
                let search = match keys.read(seal_column, &id, stored) {
                    Ok(clear) if table == "consents" => Search::of_payload(&clear),
                    Ok(clear) => Search::of_form(&clear),
                    Err(e) => {
                        eprintln!("qianyue-receiver: {table} {id}: not searchable: {e}");
                        Search::default()
                    }
                };
                let update = format!(
                    "UPDATE {table} SET contract_no = $1, uscc = $2, company = $3 \
                     WHERE id = $4 AND contract_no IS NULL"
                );
                changed += bind_search(sqlx::query(sqlx::AssertSqlSafe(update)), &search)
                    .bind(&id)
                    .execute(pool)
                    .await?
                    .rows_affected();
            }
            filled += changed;
            if rows.len() < 100 || changed == 0 {
                break;
            }
        }
    }
    if filled > 0 {
        eprintln!("qianyue-receiver: filled the search columns of {filled} row(s)");
    }
    Ok(filled)
}
