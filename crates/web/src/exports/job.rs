//! An export job as the store keeps it: who owns it, what it covers, its state and progress.
//! The JSON the job page serves (`Accept: application/json`, and each SSE event) is [`JobView`].

use export::{Scope, Status};
use serde::{Deserialize, Serialize};

pub use super::machine::JobState;

/// How the report's note begins when a fast export went page by page (`fast_job`).
pub const FAST_EXPORT_FELL_BACK: &str = "Fast export was not possible";

/// One export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// 128 random bits, hex: unguessable.
    pub id: String,
    /// The owner's account (`home_account_id`: object id and tenant id).
    pub owner: String,
    pub scope: Scope,
    /// What it exports, in words (the notebook's or section's name once listed).
    pub label: String,
    pub state: JobState,
    /// Why it is waiting or failed.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub status: Status,
    pub created: i64,
    /// When it was queued, in Unix milliseconds: the order an owner's exports run in (two
    /// started in the same second still run in the order they were asked for). 0 in records
    /// written before it was kept.
    #[serde(default)]
    pub created_ms: i64,
    #[serde(default)]
    pub started: Option<i64>,
    #[serde(default)]
    pub finished: Option<i64>,
    /// The zip's size, once there is one.
    #[serde(default)]
    pub archive_bytes: Option<u64>,
    /// Whether this run brings an earlier export up to date.
    #[serde(default)]
    pub updating: bool,
    /// Whether it reads the notebooks' own files from their drive (`fast_job`) rather than
    /// page by page.
    #[serde(default)]
    pub fast: bool,
    /// Whose notebook or section it exports: the owner's own, or a group's or site's.
    #[serde(default)]
    pub location: graph::Location,
}

/// The job page's JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobView {
    pub id: String,
    pub label: String,
    pub state: &'static str,
    /// The state in words ("Waiting for you").
    pub state_words: &'static str,
    pub reason: Option<String>,
    pub doing: String,
    pub pages_total: u64,
    pub pages_done: u64,
    pub resources_done: u64,
    /// The vault's size (what the report says), and in words.
    pub bytes: u64,
    pub size: String,
    pub calls: u64,
    /// Time spent waiting for OneNote, the wait going on now included.
    pub throttled_seconds: u64,
    /// Seconds to go, from OneNote's windows as they stand (see `export::status::schedule`).
    pub eta_seconds: Option<u64>,
    /// When the next call can go, if graphnote is holding the export back to keep within
    /// OneNote's limits (Unix seconds).
    pub paced_until: Option<i64>,
    pub skipped: Vec<export::Skipped>,
    pub broken_links: u64,
    pub started: Option<i64>,
    pub finished: Option<i64>,
    pub archive_bytes: Option<u64>,
    /// The zip's size in words.
    pub archive_size: Option<String>,
}

/// Holding the export back longer than this is worth saying on its page.
const PACED_AFTER_SECONDS: f64 = 5.0;

impl Job {
    /// A new export of `scope` for `owner`, queued now, with an unguessable id.
    pub fn queued(id: String, owner: String, scope: Scope, label: String) -> Job {
        Job {
            id,
            owner,
            label,
            scope,
            state: JobState::Queued,
            reason: None,
            status: Status::default(),
            created: crate::clock::now(),
            created_ms: crate::clock::now_ms(),
            started: None,
            finished: None,
            archive_bytes: None,
            updating: false,
            fast: false,
            location: graph::Location::Me,
        }
    }

    /// Whether it reads notebooks that are not the owner's own (a group's, a site's, or
    /// everything): its calls need the shared notebooks' permission.
    pub fn reads_shared(&self) -> bool {
        self.scope == Scope::Everything || !self.location.is_me()
    }

    /// Where its items live, for its source.
    pub fn places(&self) -> super::places::Places {
        if self.scope == Scope::Everything {
            super::places::Places::everything()
        } else {
            super::places::Places::at(self.location.clone())
        }
    }

    /// Whether it reads OneNote's files (an upload, or a fast export that did not fall back to
    /// the page API): no OneNote call paces it, so OneNote's limits say nothing of its time left.
    pub fn reads_files(&self) -> bool {
        self.scope == Scope::Files
            || (self.fast
                && !self
                    .status
                    .notes
                    .iter()
                    .any(|n| n.starts_with(FAST_EXPORT_FELL_BACK)))
    }

    /// Its place in its owner's queue (milliseconds; older records by their second).
    pub fn queued_at_ms(&self) -> i64 {
        match self.created_ms {
            0 => self.created.saturating_mul(1000),
            ms => ms,
        }
    }

    /// The JSON view at `now_ms` (Unix milliseconds). `limits`: OneNote's, of which the export
    /// gets its share (half while the owner browses, `owner_active`; see
    /// `graph::Limits::for_background`); `recent`: how long ago the owner's calls of the last
    /// hour started (seconds), from the OneNote budget.
    pub fn view(
        &self,
        limits: graph::Limits,
        owner_active: bool,
        recent: &[f64],
        now_ms: i64,
    ) -> JobView {
        let share = limits.for_background(owner_active);
        let now = now_ms / 1000;
        let status = &self.status;
        let unfinished = !self.state.is_final();
        // Calls started after the status was taken are in its calls left, not in the windows.
        let lag = status
            .as_of_ms
            .map_or(0.0, |at| ((now_ms - at) as f64 / 1000.0).max(0.0));
        let recent: Vec<f64> = recent.iter().copied().filter(|age| *age >= lag).collect();
        let schedule = status
            .calls_left()
            .filter(|_| unfinished && !self.reads_files())
            .map(|calls| {
                let pace = export::status::Pace {
                    per_minute: share.per_minute,
                    per_hour: share.per_hour,
                    call_seconds: status.call_seconds(),
                };
                export::status::schedule(calls, pace, &recent)
            });
        let paced =
            schedule.filter(|s| self.state == JobState::Running && s.next > PACED_AFTER_SECONDS);
        let paced_until = paced.map(|s| now + s.next.ceil() as i64);
        let doing = match paced {
            Some(s) => pacing_words(limits, owner_active, s.next),
            None => status.doing.clone(),
        };
        let waiting_now = status
            .waiting_since
            .filter(|_| self.state == JobState::Running)
            .map_or(0, |since| (now - since).max(0) as u64);
        JobView {
            id: self.id.clone(),
            label: self.label.clone(),
            state: self.state.as_str(),
            state_words: self.state.in_words(),
            reason: self.reason.clone(),
            doing,
            pages_total: status.pages_total,
            pages_done: status.pages_done,
            resources_done: status.resources_done,
            bytes: status.bytes,
            size: export::status::human_bytes(status.bytes),
            calls: status.calls,
            throttled_seconds: status.throttled_seconds + waiting_now,
            eta_seconds: match self.state {
                JobState::Done | JobState::Failed | JobState::Cancelled => Some(0),
                _ => schedule.map(|s| s.done.ceil() as u64),
            },
            paced_until,
            skipped: status.skipped.clone(),
            broken_links: status.broken_links,
            started: self.started,
            finished: self.finished,
            archive_bytes: self.archive_bytes,
            archive_size: self.archive_bytes.map(export::status::human_bytes),
        }
    }

    /// Percent done, for the progress bar.
    pub fn percent(&self) -> u64 {
        if self.state == JobState::Done {
            return 100;
        }
        (self.status.pages_done * 100)
            .checked_div(self.status.pages_total)
            .unwrap_or(0)
            .min(99)
    }
}

/// What the export is doing while graphnote holds it back for OneNote's windows: whose limit,
/// what share of it the export takes, and when the next call goes.
fn pacing_words(limits: graph::Limits, owner_active: bool, wait: f64) -> String {
    let when = crate::clock::when_next(std::time::Duration::from_secs_f64(wait));
    let share = match owner_active {
        true => "exports take half of it while you browse",
        false => "exports take three quarters of it, leaving the rest for your page views",
    };
    let (limit, per) = match wait > 61.0 + 1.0 {
        true => (limits.per_hour, "an hour"),
        false => (limits.per_minute, "a minute"),
    };
    format!(
        "keeping to OneNote's limit of {limit} requests {per} for your account ({share}): the \
         next request goes {when}"
    )
}

#[cfg(test)]
mod reads_files_tests {
    use super::{FAST_EXPORT_FELL_BACK, Job};
    use export::{Scope, Status};

    /// A job a tenth of the way through 100 pages.
    fn job(scope: Scope, fast: bool, notes: Vec<String>) -> Job {
        let mut job = Job::queued("j".into(), "o".into(), scope, "x".into());
        job.fast = fast;
        job.state = super::JobState::Running;
        job.status = Status {
            pages_total: 100,
            pages_done: 10,
            notes,
            ..Status::default()
        };
        job
    }

    #[test]
    fn only_a_job_paced_by_onenote_gets_onenotes_time_left() {
        let eta = |job: Job| {
            job.view(graph::Limits::default(), false, &[], 0)
                .eta_seconds
        };
        assert_eq!(eta(job(Scope::Files, false, vec![])), None, "an upload");
        assert_eq!(eta(job(Scope::All, true, vec![])), None, "a fast export");
        let fell_back = vec![format!(
            "{FAST_EXPORT_FELL_BACK}: no files. This export went page by page."
        )];
        assert!(
            eta(job(Scope::All, true, fell_back)).is_some(),
            "a fast export gone page by page"
        );
        assert!(
            eta(job(Scope::All, false, vec![])).is_some(),
            "a page-by-page export"
        );
    }
}
