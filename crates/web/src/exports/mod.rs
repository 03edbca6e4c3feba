//! Whole-notebook exports as durable background jobs (the vault itself is built by the
//! `export` crate): the job store (SQLite for one instance, Redis for several), the owner's
//! sealed sign-in, the worker every instance runs, and the pages and downloads.
//!
//! Why not a job-queue crate: apalis 1.0's SQLite backend needs sqlx 0.9, whose
//! `libsqlite3-sys` cannot be linked beside the one `rusqlite` 0.43 (the session store) uses —
//! Cargo allows one crate linking the native `sqlite3` per build. What a job needs here is
//! small and specific: one running export per user across instances, a lease taken over when
//! an instance dies, progress that survives restarts page by page (kept by the export itself),
//! Cancel and sign-out noticed while running. A store with compare-and-set records and leases
//! (`store`) gives exactly that over the store the app already runs, in both its backends.
//!
//! Several instances must share `DATA_DIR` (a shared volume), where the vaults and zips are.

pub mod credentials;
pub mod graph_source;
pub mod job;
pub mod redis_jobs;
pub mod routes;
pub mod sqlite_jobs;
pub mod store;
pub mod worker;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use graph::GraphClient;

use crate::config::Config;
use crate::session::crypto::Cipher;
use crate::session::{AnyStore, StoreError};
use crate::tokens::Tokens;
use credentials::Credentials;
use store::JobStore;

/// The timings the worker keeps to (from the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub poll: Duration,
    pub lease: Duration,
    pub retention: Duration,
    pub first_retry: Duration,
}

/// Exports, for handlers and the worker: `State(exports): State<Exports>`.
#[derive(Clone)]
pub struct Exports {
    pub store: Arc<JobStore>,
    pub credentials: Credentials,
    /// The app's one token path, for the owners' Graph calls.
    pub tokens: Tokens,
    /// The scopes an export's calls need (the sign-in's and OneNote's).
    pub scopes: Arc<[String]>,
    pub graph: GraphClient,
    /// Where each job's folder is: `DATA_DIR/exports/{id}`.
    pub root: PathBuf,
    pub settings: Settings,
    pub limits: graph::Limits,
    /// This instance, as lease holders name it.
    pub instance: String,
    /// The exports this instance is running now.
    pub running: Arc<Mutex<HashSet<String>>>,
}

impl Exports {
    pub fn new(
        config: &Config,
        sessions: &AnyStore,
        tokens: Tokens,
        graph: GraphClient,
        scopes: Arc<[String]>,
    ) -> Result<Exports, StoreError> {
        let root = config.data_dir.join("exports");
        create_private_dir(&root)?;
        let store = Arc::new(match sessions {
            AnyStore::Redis(redis) => JobStore::redis(redis.clone()),
            AnyStore::Sqlite(_) => JobStore::sqlite(&root.join("jobs.sqlite3"))?,
        });
        let cipher = Arc::new(Cipher::new(&config.session_secrets));
        Ok(Exports {
            credentials: Credentials::new(store.clone(), cipher),
            tokens,
            scopes,
            store,
            graph,
            root,
            settings: Settings {
                poll: config.export_poll,
                lease: config.export_lease,
                retention: config.export_retention,
                first_retry: config.export_first_retry,
            },
            limits: config.onenote_limits,
            instance: random_id(),
            running: Arc::default(),
        })
    }

    /// The folder of job `id` (a hex id: never a path).
    pub fn folder(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// Deletes a job's files.
    pub fn remove_files(&self, id: &str) {
        if let Err(e) = std::fs::remove_dir_all(self.folder(id))
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(export = %id, error = %e, "cannot delete an export's files");
        }
    }

    /// Whether this instance is running export `id`.
    pub fn is_running_here(&self, id: &str) -> bool {
        self.running.lock().map(|r| r.contains(id)).unwrap_or(true)
    }

    pub fn lease_ms(&self) -> u64 {
        self.settings.lease.as_millis() as u64
    }

    /// The owner signed in: their unfinished exports may go on with this sign-in (which asked
    /// for the claims challenge one of them waited for, if any: see `auth::login`).
    pub async fn signed_in(&self, owner: &str, cache: &identity::TokenCache) {
        if let Err(e) = self.credentials.challenge_met(owner).await {
            tracing::warn!(error = %crate::error::Chain(&e), "cannot clear the user's exports' claims challenge");
        }
        let jobs = match self.store.jobs().await {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::warn!(error = %crate::error::Chain(&e), "cannot look for the user's exports");
                return;
            }
        };
        if jobs.iter().any(|j| j.owner == owner && !j.state.is_final())
            && let Err(e) = self.credentials.put(owner, cache).await
        {
            tracing::warn!(error = %crate::error::Chain(&e), "cannot keep the sign-in for the user's exports");
        }
    }

    /// The owner signed out: their exports pause until they sign in again.
    pub async fn signed_out(&self, owner: &str) {
        if let Err(e) = self.credentials.remove(owner).await {
            tracing::warn!(error = %crate::error::Chain(&e), "cannot forget the sign-in of the user's exports");
        }
    }

    /// A provider session ended (front-channel logout): exports signed in through it pause, as
    /// at a sign-out.
    pub async fn provider_session_ended(&self, sid: &str) {
        match self.credentials.provider_session_ended(sid).await {
            Ok(Some(_)) => tracing::info!("front-channel logout paused the user's exports"),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %crate::error::Chain(&e), "cannot forget the sign-in of the user's exports");
            }
        }
    }
}

/// The exports folder, readable by the app's user only (the vaults are notebook content).
fn create_private_dir(dir: &std::path::Path) -> Result<(), StoreError> {
    let failed = |source| StoreError::CreateDir {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
    }
    Ok(())
}

/// 128 random bits as hex.
pub fn random_id() -> String {
    let bytes: [u8; 16] = rand::random();
    crate::session::lower_hex(&bytes)
}

/// Whether `id` can be a job id (32 lower-case hex digits).
pub fn valid_job_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
