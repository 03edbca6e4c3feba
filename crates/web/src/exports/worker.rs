//! The export worker every instance runs: it looks for work every `EXPORT_POLL_MILLISECONDS`,
//! takes the oldest unfinished export of each user whose lease it can get (one running export
//! per user, across all instances; the others wait in order), and runs it. While a run goes on,
//! a heartbeat renews the lease, saves the progress to the store, and notices Cancel, a
//! sign-out, or a lost lease (another instance took over after this one stalled). When an
//! instance dies, its lease expires and another instance resumes the export from its durable
//! progress. Finished exports past `EXPORT_RETENTION_HOURS` are deleted.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use std::time::Duration;

use export::{Halt, JobFolder, Observer, Patience, Status};

use super::Exports;
use super::graph_source::GraphSource;
use super::job::{Job, JobState};
use crate::clock::now;
use crate::error::Chain;

/// Runs the worker until `shutdown` resolves. The runs it started stop with it, where they
/// are, as if the process had died: their leases lapse and the next instance to look (or this
/// one, restarted) resumes them from their durable progress.
pub async fn run(exports: Exports, shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut runs = tokio::task::JoinSet::new();
    let mut shutdown = shutdown;
    loop {
        if let Err(e) = look_for_work(&exports, &mut runs).await {
            tracing::warn!(error = %Chain(&e), "the export worker could not read the job store");
        }
        while runs.try_join_next().is_some() {}
        tokio::select! {
            _ = tokio::time::sleep(exports.settings.poll) => {}
            _ = shutdown.changed() => break,
        }
    }
    runs.abort_all();
    if let Ok(mut running) = exports.running.lock() {
        running.clear();
    }
}

async fn look_for_work(
    exports: &Exports,
    runs: &mut tokio::task::JoinSet<()>,
) -> Result<(), crate::session::StoreError> {
    let jobs = exports.store.jobs().await?;
    let mut owners_seen = HashSet::new();
    for job in jobs {
        if job.state.is_final() {
            expire_if_old(exports, &job).await?;
            continue;
        }
        // Only each owner's oldest unfinished export may run; the rest wait their turn.
        if !owners_seen.insert(job.owner.clone()) {
            continue;
        }
        if exports.is_running_here(&job.id) {
            continue;
        }
        if job.state == JobState::Waiting && !exports.credentials.present(&job.owner).await? {
            continue;
        }
        let holder = format!("{}:{}", exports.instance, job.id);
        if !exports
            .store
            .lease(&lease_name(&job.owner), &holder, exports.lease_ms())
            .await?
        {
            continue;
        }
        if let Ok(mut running) = exports.running.lock() {
            running.insert(job.id.clone());
        }
        let exports = exports.clone();
        runs.spawn(async move {
            let id = job.id.clone();
            run_job(&exports, job, &holder).await;
            if let Ok(mut running) = exports.running.lock() {
                running.remove(&id);
            }
        });
    }
    Ok(())
}

/// The lease an owner's running export holds.
fn lease_name(owner: &str) -> String {
    format!("owner:{owner}")
}

/// The flag a Cancel (or Delete) sets for a running export.
pub fn cancel_flag(id: &str) -> String {
    format!("cancel:{id}")
}

async fn expire_if_old(exports: &Exports, job: &Job) -> Result<(), crate::session::StoreError> {
    let Some(finished) = job.finished else {
        return Ok(());
    };
    if now() - finished < exports.settings.retention.as_secs() as i64 {
        return Ok(());
    }
    tracing::info!(export = %job.id, "deleting an export past its retention time");
    exports.remove_files(&job.id);
    exports.store.delete(&job.id).await
}

/// What the run and the heartbeat share.
struct Shared {
    status: Mutex<Option<Status>>,
    halt: Mutex<Option<Halt>>,
}

impl Observer for Shared {
    fn progress(&self, status: &Status) {
        if let Ok(mut slot) = self.status.lock() {
            *slot = Some(status.clone());
        }
    }
    fn stop(&self) -> Option<Halt> {
        self.halt.lock().ok().and_then(|h| h.clone())
    }
}

async fn run_job(exports: &Exports, job: Job, holder: &str) {
    let id = job.id.clone();
    let started = exports
        .store
        .modify(&id, |j| {
            if j.state.is_final() {
                return false;
            }
            j.state = JobState::Running;
            j.reason = None;
            j.started.get_or_insert(now());
            true
        })
        .await;
    match started {
        Ok(Some(j)) if j.state == JobState::Running => {}
        _ => {
            let _ = exports.store.release(&lease_name(&job.owner), holder).await;
            return;
        }
    }
    metrics::counter!("graphnote_export_runs_total").increment(1);
    tracing::info!(export = %id, "export running");
    let shared = Arc::new(Shared {
        status: Mutex::new(None),
        halt: Mutex::new(None),
    });
    // Stops with the run, however the run ends (also when its task is aborted).
    let heartbeat = AbortOnDrop(tokio::spawn(heartbeat(
        exports.clone(),
        job.clone(),
        holder.to_string(),
        shared.clone(),
    )));
    let source = GraphSource {
        graph: exports.graph.background(),
        tokens: exports.tokens.clone(),
        credentials: exports.credentials.clone(),
        scopes: exports.scopes.clone(),
        owner: job.owner.clone(),
    };
    let folder = JobFolder(exports.folder(&id));
    let patience = Patience {
        first_wait: exports.settings.first_retry,
        ..Patience::default()
    };
    let result = export::run(&source, &folder, &job.scope, shared.as_ref(), patience).await;
    drop(heartbeat);
    let lost_lease = matches!(&result, Err(Halt::Paused(r)) if r == LEASE_LOST);
    if !lost_lease {
        finish(exports, &id, &shared, result).await;
    }
    let _ = exports.store.release(&lease_name(&job.owner), holder).await;
    let _ = exports.store.remove_value(&cancel_flag(&id)).await;
}

/// A task that is aborted when this is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

const LEASE_LOST: &str = "another instance took this export over";

/// Records how the run ended.
async fn finish(
    exports: &Exports,
    id: &str,
    shared: &Shared,
    result: Result<export::Finished, Halt>,
) {
    let status = shared.status.lock().ok().and_then(|s| s.clone());
    let (state, reason) = match &result {
        Ok(_) => (JobState::Done, None),
        Err(Halt::Cancelled) => (JobState::Cancelled, None),
        Err(Halt::Paused(why)) => (JobState::Waiting, Some(why.clone())),
        Err(Halt::Failed(why)) => (JobState::Failed, Some(why.clone())),
    };
    metrics::counter!("graphnote_export_jobs_total", "state" => state.as_str()).increment(1);
    if let Ok(done) = &result {
        metrics::counter!("graphnote_export_pages_total").increment(done.status.pages_done);
        metrics::counter!("graphnote_export_throttle_wait_seconds_total")
            .increment(done.status.throttled_seconds);
    }
    if state == JobState::Cancelled {
        exports.remove_files(id);
    }
    tracing::info!(export = %id, state = state.as_str(), "export run ended");
    let written = exports
        .store
        .modify(id, |j| {
            j.state = state;
            j.reason = reason.clone();
            match &result {
                Ok(done) => {
                    j.status = done.status.clone();
                    j.archive_bytes = Some(done.archive_bytes);
                    j.finished = Some(now());
                }
                Err(_) => {
                    if let Some(status) = &status {
                        j.status = status.clone();
                    }
                    if state.is_final() {
                        j.finished = Some(now());
                    }
                }
            }
            true
        })
        .await;
    if let Err(e) = written {
        tracing::error!(export = %id, error = %Chain(&e), "cannot record how an export ended");
    }
}

/// Every third of the lease: renew it, save the progress, and look for a reason to stop.
async fn heartbeat(exports: Exports, job: Job, holder: String, shared: Arc<Shared>) {
    let every = (exports.settings.lease / 3).max(Duration::from_millis(100));
    let mut saved: Option<Status> = None;
    let mut label_set = false;
    loop {
        tokio::time::sleep(every.min(exports.settings.poll.max(Duration::from_millis(200)))).await;
        let halt = match exports
            .store
            .lease(&lease_name(&job.owner), &holder, exports.lease_ms())
            .await
        {
            Ok(false) => Some(Halt::Paused(LEASE_LOST.into())),
            _ => None,
        };
        let halt = match halt {
            Some(h) => Some(h),
            None => match exports.store.value(&cancel_flag(&job.id)).await {
                Ok(Some(_)) => Some(Halt::Cancelled),
                _ => match exports.credentials.present(&job.owner).await {
                    Ok(false) => Some(Halt::Paused(super::credentials::SIGNED_OUT.into())),
                    _ => None,
                },
            },
        };
        if let Some(halt) = halt
            && let Ok(mut slot) = shared.halt.lock()
        {
            slot.get_or_insert(halt);
        }
        let status = shared.status.lock().ok().and_then(|s| s.clone());
        if status.is_some() && status != saved {
            let label = if label_set {
                None
            } else {
                JobFolder(exports.folder(&job.id)).label(&job.scope)
            };
            let result = exports
                .store
                .modify(&job.id, |j| {
                    if j.state != JobState::Running {
                        return false;
                    }
                    if let Some(status) = &status {
                        j.status = status.clone();
                    }
                    if let Some(label) = &label {
                        j.label = label.clone();
                    }
                    true
                })
                .await;
            if result.is_ok() {
                label_set |= label.is_some();
                saved = status;
            }
        }
    }
}
