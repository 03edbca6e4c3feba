//! Where export jobs live: beside the sessions — a SQLite file for one instance, Redis for
//! several — so any instance can list, run and take over any job. Four things are kept:
//!
//! * jobs, each with a revision, changed only by compare-and-set ([`JobStore::modify`]): the
//!   worker writing progress and a person pressing Cancel never overwrite each other;
//! * leases (a name, a holder, an expiry): the instance running a user's export holds that
//!   user's lease and renews it; when the instance dies the lease expires and another takes it;
//! * flags and sealed values by name (a cancel request, the owner's sealed token cache).

use std::sync::Arc;

use crate::session::{RedisStore, StoreError};

use super::job::Job;
use super::redis_jobs::RedisJobs;
use super::sqlite_jobs::SqliteJobs;

/// How often a compare-and-set is tried before giving up.
const CAS_ATTEMPTS: usize = 20;

/// The configured job store.
pub enum JobStore {
    Sqlite(SqliteJobs),
    Redis(RedisJobs),
}

/// Calls the same method on whichever store this is.
macro_rules! each {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            JobStore::Sqlite($s) => $call,
            JobStore::Redis($s) => $call.await,
        }
    };
}

impl JobStore {
    pub fn sqlite(path: &std::path::Path) -> Result<JobStore, StoreError> {
        SqliteJobs::open(path).map(JobStore::Sqlite)
    }

    pub fn redis(store: Arc<RedisStore>) -> JobStore {
        JobStore::Redis(RedisJobs::new(store))
    }

    pub async fn insert(&self, job: &Job) -> Result<(), StoreError> {
        let data = serde_json::to_string(job).map_err(StoreError::Encode)?;
        each!(self, s => s.insert(&job.id, job.created, &data))
    }

    pub async fn get(&self, id: &str) -> Result<Option<Job>, StoreError> {
        Ok(self.get_with_revision(id).await?.map(|(job, _)| job))
    }

    async fn get_with_revision(&self, id: &str) -> Result<Option<(Job, u64)>, StoreError> {
        let row = each!(self, s => s.get(id))?;
        Ok(row.and_then(|(data, revision)| decode(&data).map(|job| (job, revision))))
    }

    /// Changes a job with `change` (which says whether to write), retrying when someone else
    /// wrote it in between. Returns the job as written, or as it is when `change` declined.
    pub async fn modify(
        &self,
        id: &str,
        mut change: impl FnMut(&mut Job) -> bool,
    ) -> Result<Option<Job>, StoreError> {
        for _ in 0..CAS_ATTEMPTS {
            let Some((mut job, revision)) = self.get_with_revision(id).await? else {
                return Ok(None);
            };
            if !change(&mut job) {
                return Ok(Some(job));
            }
            let data = serde_json::to_string(&job).map_err(StoreError::Encode)?;
            if each!(self, s => s.replace(id, revision, &data))? {
                return Ok(Some(job));
            }
        }
        Err(StoreError::Contended)
    }

    /// Every job, oldest first.
    pub async fn jobs(&self) -> Result<Vec<Job>, StoreError> {
        let rows = each!(self, s => s.all())?;
        Ok(rows.iter().filter_map(|data| decode(data)).collect())
    }

    pub async fn delete(&self, id: &str) -> Result<(), StoreError> {
        each!(self, s => s.delete(id))
    }

    /// Takes (or renews) the lease `name` for `holder`; false when someone else holds it.
    pub async fn lease(&self, name: &str, holder: &str, ttl_ms: u64) -> Result<bool, StoreError> {
        each!(self, s => s.lease(name, holder, ttl_ms))
    }

    /// Gives the lease up, if `holder` has it.
    pub async fn release(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        each!(self, s => s.release(name, holder))
    }

    pub async fn put_value(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        each!(self, s => s.put_value(name, value))
    }

    pub async fn value(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        each!(self, s => s.value(name))
    }

    pub async fn remove_value(&self, name: &str) -> Result<(), StoreError> {
        each!(self, s => s.remove_value(name))
    }
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
