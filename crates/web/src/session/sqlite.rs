//! The SQLite session store: one file under the data dir, sessions survive restarts. SQLite calls
//! block, so they run on tokio's blocking pool; one connection in WAL mode is plenty for one
//! instance. Expired rows are skipped on read and swept now and then on write.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use super::store::{LockToken, SessionStore, StoreError, StoredSession};

/// Sweep expired rows every this many writes.
const SWEEP_EVERY: u64 = 500;

pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    writes: AtomicU64,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("sqlite: {e}"))
}

impl SqliteStore {
    /// Opens (creating when needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| StoreError(format!("cannot open {}: {e}", path.display())))?;
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
        .map_err(unavailable)?;
        restrict_permissions(path);
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            writes: AtomicU64::new(0),
        })
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let conn = conn
                .lock()
                .map_err(|_| StoreError("sqlite: connection lock poisoned".into()))?;
            work(&conn).map_err(unavailable)
        })
        .await
        .map_err(unavailable)?
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

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl SessionStore for SqliteStore {
    async fn load(&self, key: &str) -> Result<Option<StoredSession>, StoreError> {
        let key = key.to_string();
        let data: Option<String> = self
            .with_conn(move |c| {
                c.query_row(
                    "SELECT data FROM sessions WHERE key = ?1 AND expires_at > ?2",
                    params![key, now()],
                    |row| row.get(0),
                )
                .optional()
            })
            .await?;
        // A row that does not parse is treated as no session (it cannot be trusted anyway).
        Ok(data.and_then(|d| serde_json::from_str(&d).ok()))
    }

    async fn save(
        &self,
        key: &str,
        session: &StoredSession,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let key = key.to_string();
        let data = serde_json::to_string(session).map_err(unavailable)?;
        let sid = session.sid.clone();
        let sweep = self
            .writes
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY);
        self.with_conn(move |c| {
            c.execute(
                "INSERT INTO sessions (key, data, sid, expires_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(key) DO UPDATE SET data = excluded.data, sid = excluded.sid, expires_at = excluded.expires_at",
                params![key, data, sid, expires_at],
            )?;
            if sweep {
                c.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now()])?;
            }
            Ok(())
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_string();
        self.with_conn(move |c| {
            c.execute("DELETE FROM sessions WHERE key = ?1", params![key])
                .map(|_| ())
        })
        .await
    }

    async fn delete_by_sid(&self, sid: &str) -> Result<usize, StoreError> {
        let sid = sid.to_string();
        self.with_conn(move |c| c.execute("DELETE FROM sessions WHERE sid = ?1", params![sid]))
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
