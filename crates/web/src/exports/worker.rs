//! The export worker every instance runs. Every `EXPORT_POLL_MILLISECONDS` it reads the
//! unfinished jobs (an index: not every job ever made), and takes each owner's oldest one if it
//! is runnable (queued, or running on an instance whose lease lapsed) and this instance gets the
//! owner's lease (one running export per user, across all instances; the others wait in order).
//!
//! A run goes in a task of its own, watched by [`supervise`]: if it panics, the panic is logged
//! with the export's id, the job fails with a message saying so, and the lease and the running
//! slot are given back — so the owner's next export runs without a restart. While a run goes on,
//! a heartbeat renews the lease, saves the progress to the job record, and notices Cancel, a
//! sign-out, or a lost lease (another instance took over after this one stalled). Every state
//! change goes through [`super::machine::transition`]. Finished exports past
//! `EXPORT_RETENTION_HOURS` are deleted by a sweep once a minute.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use export::{Halt, JobFolder, Observer, Patience, Status};
use graph::RetryPolicy;

use super::Exports;
use super::credentials::SIGNED_OUT;
use super::graph_source::GraphSource;
use super::job::Job;
use super::machine::Event;
use super::store::{JobError, JobStore};
use crate::clock::now;
use crate::error::Chain;

/// How often finished exports are looked at for deletion.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Runs the worker until `shutdown` resolves. The runs it started stop with it, where they
/// are, as if the process had died: their leases lapse and the next instance to look (or this
/// one, restarted) resumes them from their durable progress.
pub async fn run(exports: Exports, shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut runs = tokio::task::JoinSet::new();
    let mut shutdown = shutdown;
    let mut swept: Option<Instant> = None;
    loop {
        if let Err(e) = look_for_work(&exports, &mut runs).await {
            tracing::warn!(error = %Chain(&e), "the export worker could not read the job store");
        }
        if swept.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
            swept = Some(Instant::now());
            if let Err(e) = delete_expired(&exports).await {
                tracing::warn!(error = %Chain(&e), "the export worker could not delete old exports");
            }
        }
        while runs.try_join_next().is_some() {}
        tokio::select! {
            _ = tokio::time::sleep(exports.settings.poll) => {}
            _ = shutdown.changed() => break,
        }
    }
    runs.abort_all();
    while runs.join_next().await.is_some() {}
}

async fn look_for_work(
    exports: &Exports,
    runs: &mut tokio::task::JoinSet<()>,
) -> Result<(), JobError> {
    let mut owners_seen = HashSet::new();
    for job in exports.store.unfinished().await? {
        // Only each owner's oldest unfinished export may run; the rest wait their turn.
        if !owners_seen.insert(job.owner.clone()) || !job.state.is_runnable() {
            continue;
        }
        if exports.is_running_here(&job.id) {
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
        let slot = RunningSlot::take(&exports.running, &job.id);
        let store = exports.store.clone();
        let run = run_job(exports.clone(), job.clone(), holder.clone());
        runs.spawn(async move { supervise(&store, &job, &holder, slot, run).await });
    }
    Ok(())
}

/// The lease an owner's running export holds.
pub fn lease_name(owner: &str) -> String {
    format!("owner:{owner}")
}

/// The flag a Cancel (or Delete) sets for a running export.
pub fn cancel_flag(id: &str) -> String {
    format!("cancel:{id}")
}

async fn delete_expired(exports: &Exports) -> Result<(), JobError> {
    let before = now() - exports.settings.retention.as_secs() as i64;
    for job in exports.store.finished_before(before).await? {
        tracing::info!(export = %job.id, "deleting an export past its retention time");
        exports.remove_files(&job.id).await;
        exports.store.delete(&job.id).await?;
    }
    Ok(())
}

/// This instance's note that it runs a job, taken back however the run ends.
pub struct RunningSlot {
    running: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl RunningSlot {
    pub fn take(running: &Arc<Mutex<HashSet<String>>>, id: &str) -> RunningSlot {
        if let Ok(mut set) = running.lock() {
            set.insert(id.to_string());
        }
        RunningSlot {
            running: running.clone(),
            id: id.to_string(),
        }
    }
}

impl Drop for RunningSlot {
    fn drop(&mut self) {
        if let Ok(mut set) = self.running.lock() {
            set.remove(&self.id);
        }
    }
}

/// What a job says when its run panicked.
pub const INTERNAL_ERROR: &str = "graphnote ran into an internal error while exporting, and \
     stopped this export (the error is in its log under this export's id). Start the export \
     again; what was done so far is kept.";

/// Runs `run` (the job's run) in a task of its own: when it panics, logs the panic with the
/// export's id, fails the job, and gives the lease back; in every case the running slot goes.
pub async fn supervise(
    store: &JobStore,
    job: &Job,
    holder: &str,
    slot: RunningSlot,
    run: impl Future<Output = ()> + Send + 'static,
) {
    let mut task = AbortOnDrop(tokio::spawn(run));
    let outcome = task.finished().await;
    if let Err(e) = outcome
        && e.is_panic()
    {
        let panic = e.into_panic();
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        tracing::error!(export = %job.id, panic = %message, "an export run panicked; the export is failed");
        metrics::counter!("graphnote_export_panics_total").increment(1);
        let failed = store
            .apply(&job.id, Event::Fail, |j| {
                j.reason = Some(INTERNAL_ERROR.into());
                j.finished = Some(now());
            })
            .await;
        if let Err(e) = failed {
            tracing::error!(export = %job.id, error = %Chain(&e), "cannot record an export's failure");
        }
        let _ = store.release(&lease_name(&job.owner), holder).await;
        let _ = store.remove_value(&cancel_flag(&job.id)).await;
    }
    drop(slot);
}

/// A task that is aborted when this is dropped (so aborting the watcher aborts the run).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn finished(&mut self) -> Result<T, tokio::task::JoinError> {
        (&mut self.0).await
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What the run and the heartbeat share.
struct Shared {
    status: Mutex<Option<Status>>,
    halt: Mutex<Option<Halt>>,
}

impl Observer for Shared {
    fn progress(&self, status: &Status) {
        if let Ok(mut slot) = self.status.lock() {
            let mut status = status.clone();
            status.as_of_ms = Some(crate::clock::now_ms());
            *slot = Some(status);
        }
    }
    fn stop(&self) -> Option<Halt> {
        self.halt.lock().ok().and_then(|h| h.clone())
    }
}

async fn run_job(exports: Exports, job: Job, holder: String) {
    let id = job.id.clone();
    let started = exports
        .store
        .apply(&id, Event::Start, |j| {
            j.reason = None;
            j.started.get_or_insert(now());
        })
        .await;
    match started {
        Ok(Some(_)) => {}
        outcome => {
            if let Err(e) = outcome {
                tracing::info!(export = %id, error = %Chain(&e), "an export could not start");
            }
            let _ = exports
                .store
                .release(&lease_name(&job.owner), &holder)
                .await;
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
        holder.clone(),
        shared.clone(),
    )));
    let result = match job.scope {
        export::Scope::Files => super::file_job::run(&exports, &id, shared.clone()).await,
        _ => {
            let source = GraphSource {
                // The runner is the one place that retries (see `export::runner`).
                graph: exports.graph.background().with_retry(RetryPolicy {
                    max_attempts: 1,
                    ..exports.graph.retry
                }),
                tokens: exports.tokens.clone(),
                credentials: exports.credentials.clone(),
                scopes: if job.reads_shared() {
                    exports.shared_scopes.clone()
                } else {
                    exports.scopes.clone()
                },
                owner: job.owner.clone(),
                places: job.places(),
            };
            let folder = JobFolder::new(&exports.folder(&id));
            let patience = Patience {
                first_wait: exports.settings.first_retry,
                ..Patience::default()
            };
            if job.fast {
                super::fast_job::run(&exports, &id, &job.scope, &source, shared.clone(), patience)
                    .await
            } else {
                export::run(&source, &folder, &job.scope, shared.as_ref(), patience).await
            }
        }
    };
    drop(heartbeat);
    if !matches!(result, Err(Halt::LeaseLost)) {
        finish(&exports, &id, &shared, result).await;
    }
    let _ = exports
        .store
        .release(&lease_name(&job.owner), &holder)
        .await;
    let _ = exports.store.remove_value(&cancel_flag(&id)).await;
}

/// Records how the run ended.
async fn finish(
    exports: &Exports,
    id: &str,
    shared: &Shared,
    result: Result<export::Finished, Halt>,
) {
    let status = shared.status.lock().ok().and_then(|s| s.clone());
    let (event, reason) = match &result {
        Ok(_) => (Event::Finish, None),
        Err(Halt::Cancelled) => (Event::Cancel, None),
        Err(Halt::NeedsOwner(why)) => (Event::NeedsOwner, Some(why.clone())),
        Err(Halt::Failed(why)) => (Event::Fail, Some(why.clone())),
        Err(Halt::LeaseLost) => return,
    };
    if event == Event::Cancel {
        exports.remove_files(id).await;
    }
    if let Ok(done) = &result {
        metrics::counter!("graphnote_export_pages_total").increment(done.status.pages_done);
        metrics::counter!("graphnote_export_throttle_wait_seconds_total")
            .increment(done.status.throttled_seconds);
    }
    let written = exports
        .store
        .apply(id, event, |j| {
            j.reason = reason.clone();
            match &result {
                Ok(done) => {
                    j.status = done.status.clone();
                    j.archive_bytes = Some(done.archive_bytes);
                }
                Err(_) => {
                    if let Some(status) = &status {
                        j.status = status.clone();
                    }
                }
            }
            if j.state.is_final() {
                j.finished = Some(now());
            }
        })
        .await;
    match written {
        Ok(Some(job)) => {
            metrics::counter!("graphnote_export_jobs_total", "state" => job.state.as_str())
                .increment(1);
            tracing::info!(export = %id, state = job.state.as_str(), "export run ended");
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(export = %id, error = %Chain(&e), "cannot record how an export ended");
        }
    }
}

/// Every third of the lease: renew it, save the progress, and look for a reason to stop.
async fn heartbeat(exports: Exports, job: Job, holder: String, shared: Arc<Shared>) {
    let every = (exports.settings.lease / 3).max(Duration::from_millis(100));
    let mut saved: Option<Status> = None;
    let mut label_set = false;
    loop {
        tokio::time::sleep(every.min(exports.settings.poll.max(Duration::from_millis(200)))).await;
        if let Some(halt) = reason_to_stop(&exports, &job, &holder).await
            && let Ok(mut slot) = shared.halt.lock()
        {
            slot.get_or_insert(halt);
        }
        let status = shared.status.lock().ok().and_then(|s| s.clone());
        if status.is_none() || status == saved {
            continue;
        }
        let label = match label_set {
            true => None,
            false => {
                let (folder, scope) = (JobFolder::new(&exports.folder(&job.id)), job.scope.clone());
                tokio::task::spawn_blocking(move || folder.label(&scope))
                    .await
                    .ok()
                    .flatten()
                    .map(|name| scope_label(&job.scope, &name))
            }
        };
        let result = exports
            .store
            .modify(&job.id, |j| {
                if j.state != super::job::JobState::Running {
                    return Ok::<_, JobError>(false);
                }
                if let Some(status) = &status {
                    j.status = status.clone();
                }
                if let Some(label) = &label {
                    j.label = label.clone();
                }
                Ok(true)
            })
            .await;
        if result.is_ok() {
            label_set |= label.is_some();
            saved = status;
        }
    }
}

/// The job's label once its notebook or section is listed: "Notebook: Research".
pub fn scope_label(scope: &export::Scope, name: &str) -> String {
    match scope {
        export::Scope::All => "All notebooks".into(),
        export::Scope::Everything => "Everything you can reach".into(),
        export::Scope::Notebook(_) => format!("Notebook: {name}"),
        export::Scope::Section(_) => format!("Section: {name}"),
        export::Scope::Files => format!("OneNote files: {name}"),
    }
}

/// Why the run should stop now, if it should: the lease went to another instance, the owner
/// cancelled, or the owner signed out.
async fn reason_to_stop(exports: &Exports, job: &Job, holder: &str) -> Option<Halt> {
    let store = &exports.store;
    if let Ok(false) = store
        .lease(&lease_name(&job.owner), holder, exports.lease_ms())
        .await
    {
        return Some(Halt::LeaseLost);
    }
    if let Ok(Some(_)) = store.value(&cancel_flag(&job.id)).await {
        return Some(Halt::Cancelled);
    }
    // Uploaded files need no sign-in to be read: only Graph exports wait for their owner.
    if job.scope != export::Scope::Files
        && let Ok(false) = exports.credentials.present(&job.owner).await
    {
        return Some(Halt::NeedsOwner(SIGNED_OUT.into()));
    }
    None
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use tracing::instrument::WithSubscriber;

    use super::*;
    use crate::exports::job::JobState;

    /// Log lines, as a subscriber writes them.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn job(id: &str, owner: &str) -> Job {
        Job {
            id: id.into(),
            owner: owner.into(),
            scope: export::Scope::All,
            label: "All notebooks".into(),
            state: JobState::Running,
            reason: None,
            status: Status::default(),
            created: now(),
            created_ms: 0,
            started: Some(now()),
            finished: None,
            archive_bytes: None,
            updating: false,
            fast: false,
            location: graph::Location::Me,
        }
    }

    #[test]
    fn a_panicking_run_is_logged_failed_and_frees_its_owner() {
        let _not_while_measuring = crate::allocation_count::MEASURING
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(a_panicking_run());
    }

    async fn a_panicking_run() {
        let dir = std::env::temp_dir().join(format!("worker-test-{}", crate::exports::random_id()));
        let store = JobStore::sqlite(&dir.join("jobs.sqlite3")).unwrap();
        let first = job(&crate::exports::random_id(), "owner.tenant");
        store.insert(&first).await.unwrap();
        assert!(
            store
                .lease(&lease_name(&first.owner), "me:1", 60_000)
                .await
                .unwrap()
        );
        let running = Arc::new(Mutex::new(HashSet::new()));
        let slot = RunningSlot::take(&running, &first.id);

        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        supervise(&store, &first, "me:1", slot, async {
            panic!("a page nobody expected");
        })
        .with_subscriber(subscriber)
        .await;

        let log = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert!(
            log.contains(&first.id) && log.contains("a page nobody expected"),
            "{log}"
        );
        let failed = store.get(&first.id).await.unwrap().unwrap();
        assert_eq!(failed.state, JobState::Failed);
        assert_eq!(failed.reason.as_deref(), Some(INTERNAL_ERROR));
        assert!(running.lock().unwrap().is_empty(), "the slot is free");
        // The owner's next export can take the lease at once: no restart needed.
        assert!(
            store
                .lease(&lease_name(&first.owner), "me:2", 60_000)
                .await
                .unwrap()
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
