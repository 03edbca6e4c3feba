//! Export jobs in SQLite, for one instance: a file of their own beside the sessions'
//! (`DATA_DIR/exports/jobs.sqlite3`). Calls are short primary-key statements, made inline.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::now_ms;
use crate::session::StoreError;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS export_jobs (
    id TEXT PRIMARY KEY, created INTEGER NOT NULL, data TEXT NOT NULL, revision INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS export_leases (
    name TEXT PRIMARY KEY, holder TEXT NOT NULL, until_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS export_values (name TEXT PRIMARY KEY, value BLOB NOT NULL);
";

pub struct SqliteJobs {
    conn: Mutex<Connection>,
}

impl SqliteJobs {
    pub fn open(path: &Path) -> Result<SqliteJobs, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::SqliteOpen {
            path: path.to_path_buf(),
            source,
        })?;
        conn.execute_batch(SCHEMA).map_err(StoreError::Sqlite)?;
        Ok(SqliteJobs {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let conn = self.conn.lock().map_err(|_| StoreError::Poisoned)?;
        f(&conn).map_err(StoreError::Sqlite)
    }

    pub fn insert(&self, id: &str, created: i64, data: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO export_jobs (id, created, data, revision) VALUES (?1, ?2, ?3, 1)",
                params![id, created, data],
            )
            .map(drop)
        })
    }

    pub fn get(&self, id: &str) -> Result<Option<(String, u64)>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT data, revision FROM export_jobs WHERE id = ?1",
                params![id],
                |row| Ok((row.get(0)?, row.get::<_, i64>(1)? as u64)),
            )
            .optional()
        })
    }

    pub fn replace(&self, id: &str, revision: u64, data: &str) -> Result<bool, StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE export_jobs SET data = ?1, revision = revision + 1
                 WHERE id = ?2 AND revision = ?3",
                params![data, id, revision as i64],
            )
            .map(|n| n == 1)
        })
    }

    pub fn all(&self) -> Result<Vec<String>, StoreError> {
        self.with(|c| {
            let mut statement = c.prepare("SELECT data FROM export_jobs ORDER BY created, id")?;
            statement.query_map([], |row| row.get(0))?.collect()
        })
    }

    pub fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("DELETE FROM export_jobs WHERE id = ?1", params![id])
                .map(drop)
        })
    }

    pub fn lease(&self, name: &str, holder: &str, ttl_ms: u64) -> Result<bool, StoreError> {
        let now = now_ms();
        self.with(|c| {
            c.execute(
                "INSERT INTO export_leases (name, holder, until_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
                 WHERE export_leases.holder = excluded.holder OR export_leases.until_ms <= ?4",
                params![name, holder, now + ttl_ms as i64, now],
            )
            .map(|n| n == 1)
        })
    }

    pub fn release(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "DELETE FROM export_leases WHERE name = ?1 AND holder = ?2",
                params![name, holder],
            )
            .map(drop)
        })
    }

    pub fn put_value(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO export_values (name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )
            .map(drop)
        })
    }

    pub fn value(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT value FROM export_values WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()
        })
    }

    pub fn remove_value(&self, name: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("DELETE FROM export_values WHERE name = ?1", params![name])
                .map(drop)
        })
    }
}
