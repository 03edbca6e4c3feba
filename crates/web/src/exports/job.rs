//! An export job as the store keeps it: who owns it, what it covers, its state and progress.
//! The JSON the job page serves (`Accept: application/json`, and each SSE event) is [`JobView`].

use export::{Scope, Status};
use serde::{Deserialize, Serialize};

pub use super::machine::JobState;

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
}

/// The job page's JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobView {
    pub id: String,
    pub label: String,
    pub state: &'static str,
    pub reason: Option<String>,
    pub doing: String,
    pub pages_total: u64,
    pub pages_done: u64,
    pub resources_done: u64,
    pub bytes: u64,
    pub calls: u64,
    pub throttled_seconds: u64,
    pub eta_seconds: Option<u64>,
    pub skipped: Vec<export::Skipped>,
    pub broken_links: u64,
    pub started: Option<i64>,
    pub finished: Option<i64>,
    pub archive_bytes: Option<u64>,
}

impl Job {
    /// The JSON view; `limits` give the ETA.
    pub fn view(&self, limits: graph::Limits) -> JobView {
        let status = &self.status;
        JobView {
            id: self.id.clone(),
            label: self.label.clone(),
            state: self.state.as_str(),
            reason: self.reason.clone(),
            doing: status.doing.clone(),
            pages_total: status.pages_total,
            pages_done: status.pages_done,
            resources_done: status.resources_done,
            bytes: status.bytes,
            calls: status.calls,
            throttled_seconds: status.throttled_seconds,
            eta_seconds: match self.state {
                JobState::Done | JobState::Failed | JobState::Cancelled => Some(0),
                _ => {
                    let limits = limits.for_background();
                    status.eta_seconds(limits.per_minute, limits.per_hour)
                }
            },
            skipped: status.skipped.clone(),
            broken_links: status.broken_links,
            started: self.started,
            finished: self.finished,
            archive_bytes: self.archive_bytes,
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
