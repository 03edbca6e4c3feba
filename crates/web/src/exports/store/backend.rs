//! What a job store backend keeps and how it is called: the [`JobBackend`] trait both
//! backends implement, the rows they store, and the store's errors.

use std::future::Future;

use crate::exports::machine::Refused;
use crate::session::StoreError;

/// The job store failed, or refused a change.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("the export job store (SQLite) failed")]
    Sqlite(#[source] rusqlite::Error),
    #[error("cannot open the export job store at {path}")]
    SqliteOpen {
        path: std::path::PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create {path} for the export job store")]
    CreateDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the export job store's SQLite connection is unusable: a thread holding it panicked")]
    Poisoned,
    #[error("the export job store's worker thread failed")]
    Worker(#[source] tokio::task::JoinError),
    #[error("the export job store (Redis) failed")]
    Redis(#[source] StoreError),
    #[error("an export job record could not be encoded")]
    Encode(#[source] serde_json::Error),
    #[error("the export job kept changing while it was being updated")]
    Contended,
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// A job as a backend stores it: the record, and what the indexes need.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub owner: String,
    /// What lists are ordered by: when the job was queued (ms; seconds in rows written before).
    pub created: i64,
    /// Whether it is queued, running or waiting (in the unfinished index).
    pub unfinished: bool,
    /// When it finished (the retention sweep's index).
    pub finished: Option<i64>,
    /// The job's JSON.
    pub data: String,
}

/// What a job store keeps, as its backends implement it. Lists are oldest first.
pub trait JobBackend: Send + Sync {
    fn insert(&self, row: Row) -> impl Future<Output = Result<(), JobError>> + Send;
    /// The job's JSON and revision.
    fn get(&self, id: &str)
    -> impl Future<Output = Result<Option<(String, u64)>, JobError>> + Send;
    /// Writes `row` if the job is still at `revision`; `false` when it is not.
    fn replace(
        &self,
        row: Row,
        revision: u64,
    ) -> impl Future<Output = Result<bool, JobError>> + Send;
    fn unfinished(&self) -> impl Future<Output = Result<Vec<String>, JobError>> + Send;
    fn owned_by(&self, owner: &str) -> impl Future<Output = Result<Vec<String>, JobError>> + Send;
    /// Jobs that finished before `at` (Unix seconds).
    fn finished_before(
        &self,
        at: i64,
    ) -> impl Future<Output = Result<Vec<String>, JobError>> + Send;
    fn delete(&self, id: &str) -> impl Future<Output = Result<(), JobError>> + Send;
    /// Takes (or renews) the lease `name` for `holder`; `false` when someone else holds it.
    fn lease(
        &self,
        name: &str,
        holder: &str,
        ttl_ms: u64,
    ) -> impl Future<Output = Result<bool, JobError>> + Send;
    /// Gives the lease up, if `holder` has it.
    fn release(
        &self,
        name: &str,
        holder: &str,
    ) -> impl Future<Output = Result<(), JobError>> + Send;
    fn put_value(
        &self,
        name: &str,
        value: &[u8],
    ) -> impl Future<Output = Result<(), JobError>> + Send;
    /// Stores `value` under `name` for `ttl_ms`; after that the value is gone, as if removed
    /// (and takes no room: the store lets it go).
    fn put_expiring(
        &self,
        name: &str,
        value: &[u8],
        ttl_ms: u64,
    ) -> impl Future<Output = Result<(), JobError>> + Send;
    fn value(&self, name: &str) -> impl Future<Output = Result<Option<Vec<u8>>, JobError>> + Send;
    fn remove_value(&self, name: &str) -> impl Future<Output = Result<(), JobError>> + Send;
}
