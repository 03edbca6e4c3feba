//! Where export jobs live: beside the sessions — a SQLite file for one instance, Redis for
//! several — so any instance can list, run and take over any job. Four things are kept:
//!
//! * jobs, each with a revision, changed only by compare-and-set ([`JobStore::apply`],
//!   [`JobStore::modify`]): the worker writing progress and a person pressing Cancel never
//!   overwrite each other;
//! * two indexes kept with every write: the unfinished jobs (what a worker's poll reads, instead
//!   of every job ever made) and each owner's jobs (their list, a sign-in, a second start);
//! * leases (a name, a holder, an expiry): the instance running a user's export holds that
//!   user's lease and renews it; when the instance dies the lease expires and another takes it;
//! * flags and sealed values by name (a cancel request, the owner's sealed token cache), kept
//!   until removed or, when stored with a lifetime, until it passes (the MCP server's codes and
//!   tokens).
//!
//! Both backends implement [`JobBackend`]; `tests/web/job_store.rs` runs one contract suite
//! against each.

mod backend;
pub mod redis;
pub mod sqlite;

use std::sync::Arc;

use super::job::Job;
use super::machine::{Event, transition};
use crate::session::RedisStore;
pub use backend::{JobBackend, JobError, Row};
pub use redis::RedisJobs;
pub use sqlite::SqliteJobs;

/// How often a compare-and-set is tried before giving up.
const CAS_ATTEMPTS: usize = 20;

/// The configured job store.
pub enum JobStore {
    Sqlite(SqliteJobs),
    Redis(RedisJobs),
}

/// Calls the same method on whichever backend this is.
macro_rules! each {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            JobStore::Sqlite($s) => $call.await,
            JobStore::Redis($s) => $call.await,
        }
    };
}

impl JobStore {
    pub fn sqlite(path: &std::path::Path) -> Result<JobStore, JobError> {
        SqliteJobs::open(path).map(JobStore::Sqlite)
    }

    pub fn redis(store: Arc<RedisStore>) -> JobStore {
        JobStore::Redis(RedisJobs::new(store))
    }

    pub async fn insert(&self, job: &Job) -> Result<(), JobError> {
        let row = row_of(job)?;
        each!(self, s => s.insert(row))
    }

    pub async fn get(&self, id: &str) -> Result<Option<Job>, JobError> {
        Ok(self.get_with_revision(id).await?.map(|(job, _)| job))
    }

    async fn get_with_revision(&self, id: &str) -> Result<Option<(Job, u64)>, JobError> {
        let row = each!(self, s => s.get(id))?;
        Ok(row.and_then(|(data, revision)| decode(&data).map(|job| (job, revision))))
    }

    /// Changes a job with `change` (which says whether to write), retrying when someone else
    /// wrote it in between. Returns the job as written, or as it is when `change` declined;
    /// `None` when there is no such job.
    pub async fn modify<E: From<JobError>>(
        &self,
        id: &str,
        mut change: impl FnMut(&mut Job) -> Result<bool, E>,
    ) -> Result<Option<Job>, E> {
        for _ in 0..CAS_ATTEMPTS {
            let Some((mut job, revision)) = self.get_with_revision(id).await? else {
                return Ok(None);
            };
            if !change(&mut job)? {
                return Ok(Some(job));
            }
            let row = row_of(&job)?;
            if each!(self, s => s.replace(row, revision))? {
                return Ok(Some(job));
            }
        }
        Err(JobError::Contended.into())
    }

    /// Moves a job through `event` ([`transition`]) and lets `also` change it alongside, in one
    /// write. `Err(Refused)` when the event does not apply to the job's state now.
    pub async fn apply(
        &self,
        id: &str,
        event: Event,
        also: impl Fn(&mut Job),
    ) -> Result<Option<Job>, JobError> {
        self.modify(id, |job| {
            job.state = transition(job.state, event)?;
            also(job);
            Ok::<_, JobError>(true)
        })
        .await
    }

    /// Queued, running and waiting jobs (what a worker's poll reads).
    pub async fn unfinished(&self) -> Result<Vec<Job>, JobError> {
        Ok(decode_all(each!(self, s => s.unfinished())?))
    }

    /// The owner's jobs.
    pub async fn owned_by(&self, owner: &str) -> Result<Vec<Job>, JobError> {
        Ok(decode_all(each!(self, s => s.owned_by(owner))?))
    }

    /// Jobs that finished before `at` (Unix seconds).
    pub async fn finished_before(&self, at: i64) -> Result<Vec<Job>, JobError> {
        Ok(decode_all(each!(self, s => s.finished_before(at))?))
    }

    pub async fn delete(&self, id: &str) -> Result<(), JobError> {
        each!(self, s => s.delete(id))
    }

    /// Takes (or renews) the lease `name` for `holder`; false when someone else holds it.
    pub async fn lease(&self, name: &str, holder: &str, ttl_ms: u64) -> Result<bool, JobError> {
        each!(self, s => s.lease(name, holder, ttl_ms))
    }

    /// Takes the lease `name` for `holder`, waiting up to `ttl_ms` for whoever holds it to give
    /// it up: a lock every instance honours. False when it stayed taken that long.
    pub async fn lease_waiting(
        &self,
        name: &str,
        holder: &str,
        ttl_ms: u64,
    ) -> Result<bool, JobError> {
        const POLL_MS: u64 = 20;
        let mut waited = 0;
        while !self.lease(name, holder, ttl_ms).await? {
            if waited >= ttl_ms {
                return Ok(false);
            }
            tokio::time::sleep(std::time::Duration::from_millis(POLL_MS)).await;
            waited += POLL_MS;
        }
        Ok(true)
    }

    /// Gives the lease up, if `holder` has it.
    pub async fn release(&self, name: &str, holder: &str) -> Result<(), JobError> {
        each!(self, s => s.release(name, holder))
    }

    pub async fn put_value(&self, name: &str, value: &[u8]) -> Result<(), JobError> {
        each!(self, s => s.put_value(name, value))
    }

    /// Stores `value` under `name` for `ttl_ms` only.
    pub async fn put_expiring(
        &self,
        name: &str,
        value: &[u8],
        ttl_ms: u64,
    ) -> Result<(), JobError> {
        each!(self, s => s.put_expiring(name, value, ttl_ms))
    }

    pub async fn value(&self, name: &str) -> Result<Option<Vec<u8>>, JobError> {
        each!(self, s => s.value(name))
    }

    pub async fn remove_value(&self, name: &str) -> Result<(), JobError> {
        each!(self, s => s.remove_value(name))
    }
}

fn decode_all(rows: Vec<String>) -> Vec<Job> {
    rows.iter().filter_map(|data| decode(data)).collect()
}

fn decode(data: &str) -> Option<Job> {
    match serde_json::from_str(data) {
        Ok(job) => Some(job),
        Err(e) => {
            tracing::error!(error = %e, "an export job record does not decode; ignoring it");
            None
        }
    }
}

/// A job as its backend stores it.
fn row_of(job: &Job) -> Result<Row, JobError> {
    Ok(Row {
        id: job.id.clone(),
        owner: job.owner.clone(),
        created: job.queued_at_ms(),
        unfinished: !job.state.is_final(),
        finished: job.finished,
        data: serde_json::to_string(job).map_err(JobError::Encode)?,
    })
}
