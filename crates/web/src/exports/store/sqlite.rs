//! Export jobs in SQLite, for one instance: a file of their own beside the sessions'
//! (`DATA_DIR/exports/jobs.sqlite3`). Every statement runs on tokio's blocking threads (a commit
//! waits for the disk), in WAL mode with `synchronous = NORMAL`: a commit is durable once the
//! WAL is synced at a checkpoint, and a power cut can lose at most the last commits — never
//! corrupt the file. What an export must not lose (its pages) is in its own synced journal, not
//! here; the job record says where it is, and a lost progress write is written again at the next
//! heartbeat.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use super::backend::{JobBackend, JobError, Row};
use crate::clock::now_ms;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS export_jobs (
    id TEXT PRIMARY KEY, created INTEGER NOT NULL, data TEXT NOT NULL, revision INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS export_leases (
    name TEXT PRIMARY KEY, holder TEXT NOT NULL, until_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS export_values (name TEXT PRIMARY KEY, value BLOB NOT NULL);
";

/// The index columns, added to files made before they were kept (and filled from the records).
const INDEX_COLUMNS: [(&str, &str, &str); 3] = [
    (
        "owner",
        "TEXT NOT NULL DEFAULT ''",
        "json_extract(data, '$.owner')",
    ),
    (
        "unfinished",
        "INTEGER NOT NULL DEFAULT 0",
        "json_extract(data, '$.state') IN ('queued', 'running', 'waiting')",
    ),
    ("finished", "INTEGER", "json_extract(data, '$.finished')"),
];

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS export_jobs_unfinished ON export_jobs (unfinished, created);
CREATE INDEX IF NOT EXISTS export_jobs_owner ON export_jobs (owner, created);
CREATE INDEX IF NOT EXISTS export_jobs_finished ON export_jobs (finished);
";

pub struct SqliteJobs {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl SqliteJobs {
    pub fn open(path: &Path) -> Result<SqliteJobs, JobError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| JobError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let open_error = |source| JobError::SqliteOpen {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_error)?;
        conn.execute_batch(SCHEMA).map_err(open_error)?;
        add_index_columns(&conn).map_err(open_error)?;
        add_value_lifetimes(&conn).map_err(open_error)?;
        conn.execute_batch(INDEXES).map_err(open_error)?;
        Ok(SqliteJobs {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
        })
    }

    /// Where the file is (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the connection, on a blocking thread.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, JobError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().map_err(|_| JobError::Poisoned)?;
            work(&conn).map_err(JobError::Sqlite)
        })
        .await
        .map_err(JobError::Worker)?
    }

    /// The `data` of the rows `sql` selects with `value`.
    async fn rows(
        &self,
        sql: &'static str,
        value: rusqlite::types::Value,
    ) -> Result<Vec<String>, JobError> {
        self.with(move |c| {
            let mut statement = c.prepare_cached(sql)?;
            statement.query_map([value], |row| row.get(0))?.collect()
        })
        .await
    }
}

/// Values' lifetimes (`until_ms`, none for a value kept until removed), added to files made
/// before values could expire.
fn add_value_lifetimes(conn: &Connection) -> rusqlite::Result<()> {
    let present = conn
        .prepare("SELECT 1 FROM pragma_table_info('export_values') WHERE name = 'until_ms'")?
        .exists([])?;
    if !present {
        conn.execute_batch("ALTER TABLE export_values ADD COLUMN until_ms INTEGER;")?;
    }
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS export_values_until ON export_values (until_ms)
             WHERE until_ms IS NOT NULL;
         CREATE INDEX IF NOT EXISTS export_leases_until ON export_leases (until_ms);",
    )
}

fn add_index_columns(conn: &Connection) -> rusqlite::Result<()> {
    for (column, kind, fill) in INDEX_COLUMNS {
        let present = conn
            .prepare("SELECT 1 FROM pragma_table_info('export_jobs') WHERE name = ?1")?
            .exists([column])?;
        if !present {
            conn.execute_batch(&format!(
                "ALTER TABLE export_jobs ADD COLUMN {column} {kind};
                 UPDATE export_jobs SET {column} = {fill};"
            ))?;
        }
    }
    Ok(())
}

impl JobBackend for SqliteJobs {
    async fn insert(&self, row: Row) -> Result<(), JobError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO export_jobs (id, owner, created, unfinished, finished, data, revision)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
                params![
                    row.id,
                    row.owner,
                    row.created,
                    row.unfinished,
                    row.finished,
                    row.data
                ],
            )
            .map(drop)
        })
        .await
    }

    async fn get(&self, id: &str) -> Result<Option<(String, u64)>, JobError> {
        let id = id.to_string();
        self.with(move |c| {
            c.prepare_cached("SELECT data, revision FROM export_jobs WHERE id = ?1")?
                .query_row(params![id], |row| {
                    Ok((row.get(0)?, row.get::<_, i64>(1)? as u64))
                })
                .optional()
        })
        .await
    }

    async fn replace(&self, row: Row, revision: u64) -> Result<bool, JobError> {
        self.with(move |c| {
            c.execute(
                "UPDATE export_jobs SET data = ?1, unfinished = ?2, finished = ?3,
                     revision = revision + 1
                 WHERE id = ?4 AND revision = ?5",
                params![
                    row.data,
                    row.unfinished,
                    row.finished,
                    row.id,
                    revision as i64
                ],
            )
            .map(|n| n == 1)
        })
        .await
    }

    async fn unfinished(&self) -> Result<Vec<String>, JobError> {
        self.rows(
            "SELECT data FROM export_jobs WHERE unfinished = ?1 ORDER BY created, id",
            1.into(),
        )
        .await
    }

    async fn owned_by(&self, owner: &str) -> Result<Vec<String>, JobError> {
        self.rows(
            "SELECT data FROM export_jobs WHERE owner = ?1 ORDER BY created, id",
            owner.to_string().into(),
        )
        .await
    }

    async fn finished_before(&self, at: i64) -> Result<Vec<String>, JobError> {
        self.rows(
            "SELECT data FROM export_jobs WHERE finished < ?1 ORDER BY created, id",
            at.into(),
        )
        .await
    }

    async fn delete(&self, id: &str) -> Result<(), JobError> {
        let id = id.to_string();
        self.with(move |c| {
            c.execute("DELETE FROM export_jobs WHERE id = ?1", params![id])
                .map(drop)
        })
        .await
    }

    async fn lease(&self, name: &str, holder: &str, ttl_ms: u64) -> Result<bool, JobError> {
        let (name, holder) = (name.to_string(), holder.to_string());
        let now = now_ms();
        self.with(move |c| {
            c.execute(
                "INSERT INTO export_leases (name, holder, until_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
                 WHERE export_leases.holder = excluded.holder OR export_leases.until_ms <= ?4",
                params![name, holder, now + ttl_ms as i64, now],
            )
            .map(|n| n == 1)
        })
        .await
    }

    async fn release(&self, name: &str, holder: &str) -> Result<(), JobError> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.with(move |c| {
            c.execute(
                "DELETE FROM export_leases WHERE name = ?1 AND holder = ?2",
                params![name, holder],
            )
            .map(drop)
        })
        .await
    }

    async fn put_value(&self, name: &str, value: &[u8]) -> Result<(), JobError> {
        let (name, value) = (name.to_string(), value.to_vec());
        self.with(move |c| {
            c.execute(
                "INSERT INTO export_values (name, value, until_ms) VALUES (?1, ?2, NULL)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value, until_ms = NULL",
                params![name, value],
            )
            .map(drop)
        })
        .await
    }

    async fn put_expiring(&self, name: &str, value: &[u8], ttl_ms: u64) -> Result<(), JobError> {
        let (name, value) = (name.to_string(), value.to_vec());
        let now = now_ms();
        self.with(move |c| {
            // What has expired goes as new values come (Redis lets them go by itself): values,
            // and leases, which once past are as good as absent.
            c.execute(
                "DELETE FROM export_values WHERE until_ms IS NOT NULL AND until_ms <= ?1",
                params![now],
            )?;
            c.execute(
                "DELETE FROM export_leases WHERE until_ms <= ?1",
                params![now],
            )?;
            c.execute(
                "INSERT INTO export_values (name, value, until_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value, until_ms = excluded.until_ms",
                params![name, value, now + ttl_ms as i64],
            )
            .map(drop)
        })
        .await
    }

    async fn value(&self, name: &str) -> Result<Option<Vec<u8>>, JobError> {
        let name = name.to_string();
        let now = now_ms();
        self.with(move |c| {
            c.prepare_cached(
                "SELECT value FROM export_values
                 WHERE name = ?1 AND (until_ms IS NULL OR until_ms > ?2)",
            )?
            .query_row(params![name, now], |row| row.get(0))
            .optional()
        })
        .await
    }

    async fn remove_value(&self, name: &str) -> Result<(), JobError> {
        let name = name.to_string();
        self.with(move |c| {
            c.execute("DELETE FROM export_values WHERE name = ?1", params![name])
                .map(drop)
        })
        .await
    }
}
