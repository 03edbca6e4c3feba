//! The SQLite session store: one file under the data dir, sessions survive restarts. Writes block
//! (and a checkpoint may fsync), so they run on tokio's blocking pool on the writing connection.
//! Reads — one per request — are mostly served by a write-through cache (`recent`: this process
//! is the file's only writer); the others run inline on a second connection of their own: in
//! WAL mode a read never waits for the writer, and a primary-key lookup served from SQLite's
//! page cache takes a few microseconds, less than handing the work to a pool thread and back.
//! Expired rows are skipped on read and swept now and then on write.
//!
//! One process per file: SQLite would let a second instance share it, but what an instance
//! keeps in memory (the OneNote budget, the refresh single flight) would then be counted twice.
//! So the store holds an exclusive lock on `PATH.lock` for as long as it is open, and a second
//! `graphnote serve` on the same file stops at start-up, saying to use Redis instead.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

use super::recent::Recent;
use super::store::{LockToken, SessionStore, StoreError, StoredSession, Written};
use crate::clock::now;

/// Sweep expired rows every this many writes.
const SWEEP_EVERY: u64 = 500;

pub struct SqliteStore {
    /// Held (locked) for the store's life; `None` when opened for a tool (see
    /// [`SqliteStore::open_shared`]).
    _instance_lock: Option<std::fs::File>,
    conn: Arc<Mutex<Connection>>,
    /// The connection `load` uses, inline (`None` for an in-memory database, which a second
    /// connection would not share: then reads go through `conn` like writes).
    reader: Option<Mutex<Connection>>,
    /// The records as last written or read (see `recent`): a request's load goes to SQLite
    /// only when its session is not there.
    recent: Arc<Recent>,
    writes: AtomicU64,
}

/// The one query a request makes. Prepared once per connection (`prepare_cached`): parsing the
/// SQL each time was a tenth of a signed-in page's instructions.
const LOAD_SQL: &str =
    "SELECT data, revision, expires_at FROM sessions WHERE key = ?1 AND expires_at > ?2";
/// A compare-and-set update: only the revision that was loaded may be replaced.
const UPDATE_SQL: &str =
    "UPDATE sessions SET data = ?1, sid = ?2, expires_at = ?3, revision = revision + 1
     WHERE key = ?4 AND revision = ?5";
/// A new session: only if nothing is stored under its key (an expired leftover is replaced).
const INSERT_SQL: &str =
    "INSERT INTO sessions (key, data, sid, expires_at, revision) VALUES (?1, ?2, ?3, ?4, 1)
     ON CONFLICT(key) DO UPDATE SET data = excluded.data, sid = excluded.sid,
         expires_at = excluded.expires_at, revision = sessions.revision + 1
     WHERE sessions.expires_at <= ?5";

impl SqliteStore {
    /// Opens (creating when needed) the database at `path`, as the one instance using it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, true)
    }

    /// Opens the database without claiming it: for a tool that writes into a running
    /// instance's store on purpose (the benchmark seeding sessions). Never for an app instance.
    pub fn open_shared(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, claim: bool) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let instance_lock = match claim && path.as_os_str() != ":memory:" {
            true => Some(claim_instance(path)?),
            false => None,
        };
        let open_error = |source| StoreError::SqliteOpen {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_error)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS sessions (
                 key TEXT PRIMARY KEY,
                 data TEXT NOT NULL,
                 sid TEXT,
                 expires_at INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS sessions_sid ON sessions(sid);
             CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions(expires_at);",
        )
        .map_err(open_error)?;
        add_revision_column(&conn).map_err(open_error)?;
        restrict_permissions(path);
        let reader = if path.as_os_str() == ":memory:" {
            None
        } else {
            let reader = Connection::open(path).map_err(open_error)?;
            reader
                .execute_batch("PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;")
                .map_err(open_error)?;
            Some(Mutex::new(reader))
        };
        Ok(SqliteStore {
            _instance_lock: instance_lock,
            conn: Arc::new(Mutex::new(conn)),
            reader,
            recent: Arc::new(Recent::default()),
            writes: AtomicU64::new(0),
        })
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().map_err(|_| StoreError::Poisoned)?;
            work(&conn).map_err(StoreError::Sqlite)
        })
        .await
        .map_err(StoreError::Worker)?
    }
}

/// Takes the exclusive lock on `PATH.lock`, or says which file another process holds.
fn claim_instance(path: &Path) -> Result<std::fs::File, StoreError> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = std::path::PathBuf::from(lock_path);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| StoreError::CreateDir {
            path: lock_path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse {
            path: path.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(StoreError::CreateDir {
            path: lock_path,
            source,
        }),
    }
}

/// The database holds sealed secrets and hashed ids only, but it is still nobody else's business.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

/// Databases written before sessions had revisions get the column (every row at revision 0).
fn add_revision_column(conn: &Connection) -> rusqlite::Result<()> {
    let has_it = conn
        .prepare("SELECT 1 FROM pragma_table_info('sessions') WHERE name = 'revision'")?
        .exists([])?;
    if !has_it {
        conn.execute_batch("ALTER TABLE sessions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")?;
    }
    Ok(())
}

/// The live session row under `key`, parsed, with its revision, and when it expires. A row
/// that does not parse is treated as no session (it cannot be trusted anyway). The text is
/// parsed where SQLite holds it, without a copy.
fn load_row(conn: &Connection, key: &str) -> rusqlite::Result<Option<(StoredSession, i64)>> {
    let mut statement = conn.prepare_cached(LOAD_SQL)?;
    let parsed = statement
        .query_row(params![key, now()], |row| {
            let revision: i64 = row.get(1)?;
            let expires_at: i64 = row.get(2)?;
            let value = row.get_ref(0)?;
            let session = match value {
                ValueRef::Text(_) => super::store::decode_record(value.as_str()?),
                _ => None,
            };
            Ok(session.map(|mut session| {
                session.revision = Some(revision as u64);
                (session, expires_at)
            }))
        })
        .optional()?;
    Ok(parsed.flatten())
}

impl SessionStore for SqliteStore {
    async fn load(&self, key: &str) -> Result<Option<Arc<StoredSession>>, StoreError> {
        let Some(reader) = &self.reader else {
            // In memory, one connection does everything: the read runs where writes do, and
            // the cache is filled under the same connection lock they update it under.
            let (key, recent) = (key.to_string(), self.recent.clone());
            return self
                .with_conn(move |c| recent.get_or_read(&key, now(), || load_row(c, &key)))
                .await;
        };
        self.recent.get_or_read(key, now(), || {
            let reader = reader.lock().map_err(|_| StoreError::Poisoned)?;
            load_row(&reader, key).map_err(StoreError::Sqlite)
        })
    }

    async fn save(
        &self,
        key: &str,
        session: &StoredSession,
        expires_at: i64,
    ) -> Result<Written, StoreError> {
        let key = key.to_string();
        let data = serde_json::to_string(session).map_err(StoreError::Encode)?;
        let sid = session.sid.clone();
        let expected = session.revision;
        let sweep = self
            .writes
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY);
        let recent = self.recent.clone();
        let mut cached = session.clone();
        self.with_conn(move |c| {
            let changed = match expected {
                Some(revision) => c.prepare_cached(UPDATE_SQL)?.execute(params![
                    data,
                    sid,
                    expires_at,
                    key,
                    revision as i64
                ])?,
                None => c.prepare_cached(INSERT_SQL)?.execute(params![
                    key,
                    data,
                    sid,
                    expires_at,
                    now()
                ])?,
            };
            if sweep {
                c.execute(
                    "DELETE FROM sessions WHERE expires_at <= ?1",
                    params![now()],
                )?;
            }
            if changed == 0 {
                // Someone wrote first: the next load reads what they wrote from the file.
                recent.forget(&key);
                return Ok(Written::Conflict);
            }
            let revision: i64 = c
                .prepare_cached("SELECT revision FROM sessions WHERE key = ?1")?
                .query_row(params![key], |row| row.get(0))?;
            cached.revision = Some(revision as u64);
            recent.written(&key, cached, expires_at);
            Ok(Written::Saved(revision as u64))
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_string();
        let recent = self.recent.clone();
        self.with_conn(move |c| {
            c.execute("DELETE FROM sessions WHERE key = ?1", params![key])?;
            recent.forget(&key);
            Ok(())
        })
        .await
    }

    async fn delete_by_sid(&self, sid: &str) -> Result<usize, StoreError> {
        let sid = sid.to_string();
        let recent = self.recent.clone();
        self.with_conn(move |c| {
            let deleted = c.execute("DELETE FROM sessions WHERE sid = ?1", params![sid])?;
            recent.forget_sid(&sid);
            Ok(deleted)
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.with_conn(|c| c.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    /// One instance per SQLite file: the in-process single flight is the whole lock.
    async fn try_lock(&self, _name: &str, _ttl_ms: u64) -> Result<Option<LockToken>, StoreError> {
        Ok(Some(LockToken(String::new())))
    }

    async fn unlock(&self, _name: &str, _token: LockToken) -> Result<(), StoreError> {
        Ok(())
    }
}
