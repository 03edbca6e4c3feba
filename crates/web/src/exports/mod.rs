//! Whole-notebook exports as durable background jobs (the vault itself is built by the
//! `export` crate): the job's life (`machine`), the job store (SQLite for one instance, Redis for
//! several), the owner's sealed sign-in, the worker every instance runs, and the pages and
//! downloads.
//!
//! Why not a job-queue crate. apalis 1.0 was looked at again (2026-12): its SQLite backend
//! (sqlx 0.9.1, `libsqlite3-sys` 0.40) now resolves beside `rusqlite` 0.43 in one build — the
//! earlier reason, a link conflict, is gone (checked with `cargo generate-lockfile` on a probe
//! crate). What still falls short, read in apalis-sqlite 1.0.0's source and tracker:
//!
//! * one running export per user across instances: apalis takes tasks from a queue, with no
//!   exclusivity by key, so it would still need a lease per owner of our own;
//! * takeover: apalis re-enqueues the tasks of a *worker* that missed its heartbeats
//!   (`reenqueue_orphaned`), all of them at once; a run that hangs inside a live worker is never
//!   taken over, and long tasks being re-run while alive is an open report (apalis issue 530);
//!   here each job has its own lease, renewed by its own heartbeat;
//! * cancel: its `kill` marks a task by its lock holder; stopping a run from another instance
//!   needs the cancel flag this store keeps anyway;
//! * it would add sqlx and a second SQLite driver and pool beside the sessions' `rusqlite`.
//!
//! So the jobs stay in a small store of our own (`store`) over the store the app already runs,
//! with one contract test suite for both backends (`tests/web/job_store.rs`), and a state
//! machine every change goes through.
//!
//! Several instances must share `DATA_DIR` (a shared volume), where the vaults and zips are.

pub mod advice;
pub mod credentials;
pub mod fast_job;
pub mod file_job;
pub mod graph_source;
pub mod job;
pub mod machine;
pub mod mixed_source;
pub mod places;
pub mod routes;
pub mod store;
pub mod upload;
pub mod worker;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use graph::GraphClient;

use crate::config::Config;
use crate::session::AnyStore;
use crate::session::crypto::Cipher;
use crate::tokens::Tokens;
use credentials::Credentials;
use store::{JobError, JobStore};

/// The timings the worker keeps to (from the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub poll: Duration,
    pub lease: Duration,
    pub retention: Duration,
    pub first_retry: Duration,
    /// The most one upload of OneNote files may hold, in bytes.
    pub upload_max_bytes: u64,
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
    /// The same and the shared notebooks' (a group's or site's, or everything).
    pub shared_scopes: Arc<[String]>,
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
    ) -> Result<Exports, JobError> {
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
            shared_scopes: crate::features::Feature::Shared.scopes_with(&scopes).into(),
            scopes,
            store,
            graph,
            root,
            settings: Settings {
                poll: config.export_poll,
                lease: config.export_lease,
                retention: config.export_retention,
                first_retry: config.export_first_retry,
                upload_max_bytes: config.upload_max_bytes,
            },
            limits: config.onenote_limits,
            instance: random_id(),
            running: Arc::default(),
        })
    }

    /// The job's JSON view now, with the owner's OneNote windows as they stand (one look at
    /// the budget; without it the ETA assumes empty windows).
    pub async fn view(&self, job: &job::Job) -> job::JobView {
        let windows = match job.state.is_final() {
            true => graph::Windows::default(),
            false => match self.graph.onenote_windows(&job.owner).await {
                Ok(windows) => windows,
                Err(e) => {
                    tracing::debug!(error = %crate::error::Chain(&e), "cannot read the OneNote windows for an ETA");
                    graph::Windows::default()
                }
            },
        };
        let recent: Vec<f64> = windows.ages.iter().map(Duration::as_secs_f64).collect();
        job.view(
            self.limits,
            windows.user_active,
            &recent,
            crate::clock::now_ms(),
        )
    }

    /// The folder of job `id` (a hex id: never a path).
    pub fn folder(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// Deletes a job's files (on a blocking thread: a vault is thousands of files).
    pub async fn remove_files(&self, id: &str) {
        let folder = self.folder(id);
        let removed = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(folder)).await;
        if let Ok(Err(e)) = removed
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
    /// for the claims challenge one of them waited for, if any: see `auth::login`), and those
    /// waiting for them are queued again.
    pub async fn signed_in(&self, owner: &str, cache: &identity::TokenCache) {
        if let Err(e) = self.owner_back(owner, cache).await {
            tracing::warn!(error = %crate::error::Chain(&e), "cannot resume the user's exports");
        }
    }

    async fn owner_back(&self, owner: &str, cache: &identity::TokenCache) -> Result<(), JobError> {
        self.credentials.challenge_met(owner).await?;
        let jobs = self.store.owned_by(owner).await?;
        if jobs.iter().all(|j| j.state.is_final()) {
            return Ok(());
        }
        self.credentials.put(owner, cache).await?;
        for job in jobs.iter().filter(|j| j.state == job::JobState::Waiting) {
            match self
                .store
                .apply(&job.id, machine::Event::OwnerBack, |j| j.reason = None)
                .await
            {
                Ok(_) | Err(JobError::Refused(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
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
fn create_private_dir(dir: &std::path::Path) -> Result<(), JobError> {
    let failed = |source| JobError::CreateDir {
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
