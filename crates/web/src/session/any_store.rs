//! The store the configuration names, behind the one [`SessionStore`] trait, with every call
//! timed and its failures counted for `/metrics`.

use std::future::Future;
use std::time::Instant;

use std::sync::Arc;

use graph::{Limits, OneNoteGate};

use super::onenote_gate::RedisGate;
use super::redis_store::RedisStore;
use super::sqlite::SqliteStore;
use super::store::{LockToken, SessionStore, StoreError, StoredSession, Written};
use crate::config::SessionStoreConfig;

/// The configured store.
pub enum AnyStore {
    Sqlite(SqliteStore),
    Redis(Arc<RedisStore>),
}

impl AnyStore {
    /// Opens the configured store; `ca_pem` is trusted for `rediss://`.
    pub fn open(config: &SessionStoreConfig, ca_pem: Option<&str>) -> Result<AnyStore, StoreError> {
        Self::open_with(config, ca_pem, true)
    }

    /// Opens the store without claiming a SQLite file for this process: for a tool writing
    /// into a running instance's store (see [`SqliteStore::open_shared`]).
    pub fn open_shared(
        config: &SessionStoreConfig,
        ca_pem: Option<&str>,
    ) -> Result<AnyStore, StoreError> {
        Self::open_with(config, ca_pem, false)
    }

    fn open_with(
        config: &SessionStoreConfig,
        ca_pem: Option<&str>,
        claim: bool,
    ) -> Result<AnyStore, StoreError> {
        match config {
            SessionStoreConfig::Sqlite(path) if claim => {
                SqliteStore::open(path).map(AnyStore::Sqlite)
            }
            SessionStoreConfig::Sqlite(path) => {
                SqliteStore::open_shared(path).map(AnyStore::Sqlite)
            }
            SessionStoreConfig::Redis(url) => {
                RedisStore::new(url, "graphnote:", ca_pem.map(str::as_bytes))
                    .map(|s| AnyStore::Redis(Arc::new(s)))
            }
        }
    }

    /// The OneNote gate shared by every instance on this store, for the app `client_id`; `None`
    /// for SQLite, which serves one instance (its in-process budget is the whole gate).
    pub fn onenote_gate(&self, client_id: &str, limits: Limits) -> Option<Arc<dyn OneNoteGate>> {
        match self {
            AnyStore::Sqlite(_) => None,
            AnyStore::Redis(store) => {
                Some(Arc::new(RedisGate::new(store.clone(), client_id, limits)))
            }
        }
    }
}

/// Records how long a store call took and whether it failed.
async fn observed<T>(
    op: &'static str,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let started = Instant::now();
    let result = call.await;
    let (errors, duration) = crate::metrics::store_handles(op);
    duration.record(started.elapsed().as_secs_f64());
    if result.is_err() {
        errors.increment(1);
    }
    result
}

/// Calls the same method on whichever store this is.
macro_rules! each_store {
    ($self:ident, $op:literal, $s:ident => $call:expr) => {
        observed($op, async {
            match $self {
                AnyStore::Sqlite($s) => $call.await,
                AnyStore::Redis($s) => $call.await,
            }
        })
        .await
    };
}

impl SessionStore for AnyStore {
    async fn load(&self, key: &str) -> Result<Option<Arc<StoredSession>>, StoreError> {
        each_store!(self, "load", s => s.load(key))
    }
    async fn save(
        &self,
        key: &str,
        session: &StoredSession,
        expires_at: i64,
    ) -> Result<Written, StoreError> {
        each_store!(self, "save", s => s.save(key, session, expires_at))
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        each_store!(self, "delete", s => s.delete(key))
    }
    async fn delete_by_sid(&self, sid: &str) -> Result<usize, StoreError> {
        each_store!(self, "delete_by_sid", s => s.delete_by_sid(sid))
    }
    async fn ping(&self) -> Result<(), StoreError> {
        each_store!(self, "ping", s => s.ping())
    }
    async fn try_lock(&self, name: &str, ttl_ms: u64) -> Result<Option<LockToken>, StoreError> {
        each_store!(self, "lock", s => s.try_lock(name, ttl_ms))
    }
    async fn unlock(&self, name: &str, token: LockToken) -> Result<(), StoreError> {
        each_store!(self, "unlock", s => s.unlock(name, token))
    }
}
