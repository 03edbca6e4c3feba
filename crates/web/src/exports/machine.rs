//! An export's life, at a glance: its states, the events between them, and [`transition`], the
//! one function every route and the worker go through to change a job's state (inside the
//! store's compare-and-set, so two instances or a person and a worker never disagree).
//!
//! ```text
//!            Start                 Finish
//!   Queued ────────▶ Running ─────────────▶ Done ──Update──▶ Queued
//!     ▲  │            │  │  ▲ Start (takeover of a dead instance's run)
//!     │  │            │  └──┘
//!     │  │            ├── NeedsOwner ──▶ Waiting ──OwnerBack──▶ Queued
//!     │  │            ├── Fail ────────▶ Failed
//!     │  └── Cancel ──┴── Cancel ──────▶ Cancelled   (Waiting too)
//! ```
//!
//! A waiting job is never started: only the owner's next sign-in (`OwnerBack`) queues it again,
//! so nothing calls OneNote, or refreshes a token, while they are away.

use serde::{Deserialize, Serialize};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for its turn (one running export per user, oldest first).
    Queued,
    Running,
    /// Until the owner signs in again (the reason says why).
    Waiting,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Waiting => "waiting",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    /// Whether the job will not run again by itself.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Cancelled
        )
    }

    /// Whether a worker may take it: queued, or running on an instance whose lease lapsed.
    pub fn is_runnable(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }

    /// In words, for people.
    pub fn in_words(self) -> &'static str {
        match self {
            JobState::Queued => "Queued",
            JobState::Running => "Running",
            JobState::Waiting => "Waiting for you",
            JobState::Done => "Done",
            JobState::Failed => "Failed",
            JobState::Cancelled => "Cancelled",
        }
    }
}

/// What happens to a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// An instance starts running it (or takes over a run whose instance died).
    Start,
    /// Its run made the whole export.
    Finish,
    /// Its run stopped because only the owner can go on.
    NeedsOwner,
    /// It cannot be made as asked (or its run panicked).
    Fail,
    /// The owner cancelled it (a running job: its run has stopped on the cancel flag).
    Cancel,
    /// The owner asked to bring a finished export up to date.
    Update,
    /// The owner signed in again.
    OwnerBack,
}

/// The event does not apply to a job in that state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an export that is {} cannot take {event:?}", .from.as_str())]
pub struct Refused {
    pub from: JobState,
    pub event: Event,
}

/// The state a job in `from` goes to on `event`.
pub fn transition(from: JobState, event: Event) -> Result<JobState, Refused> {
    use Event::*;
    use JobState::*;
    match (from, event) {
        (Queued | Running, Start) => Ok(Running),
        (Running, Finish) => Ok(Done),
        (Running, NeedsOwner) => Ok(Waiting),
        (Queued | Running | Waiting, Fail) => Ok(Failed),
        (Queued | Running | Waiting, Cancel) => Ok(Cancelled),
        (Done, Update) => Ok(Queued),
        (Waiting, OwnerBack) => Ok(Queued),
        _ => Err(Refused { from, event }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Waiting,
        JobState::Done,
        JobState::Failed,
        JobState::Cancelled,
    ];
    const EVENTS: [Event; 7] = [
        Event::Start,
        Event::Finish,
        Event::NeedsOwner,
        Event::Fail,
        Event::Cancel,
        Event::Update,
        Event::OwnerBack,
    ];

    #[test]
    fn a_waiting_job_only_runs_again_after_its_owner_is_back() {
        assert!(transition(JobState::Waiting, Event::Start).is_err());
        let queued = transition(JobState::Waiting, Event::OwnerBack).unwrap();
        assert_eq!(transition(queued, Event::Start), Ok(JobState::Running));
    }

    #[test]
    fn final_states_take_nothing_but_an_update_of_a_done_export() {
        for from in STATES.into_iter().filter(|s| s.is_final()) {
            for event in EVENTS {
                let allowed = from == JobState::Done && event == Event::Update;
                assert_eq!(
                    transition(from, event).is_ok(),
                    allowed,
                    "{from:?} {event:?}"
                );
            }
        }
    }

    #[test]
    fn only_a_running_job_finishes_or_waits_for_its_owner() {
        for from in STATES {
            for event in [Event::Finish, Event::NeedsOwner] {
                assert_eq!(
                    transition(from, event).is_ok(),
                    from == JobState::Running,
                    "{from:?} {event:?}"
                );
            }
        }
    }

    #[test]
    fn every_unfinished_job_can_be_cancelled_or_failed() {
        for from in STATES.into_iter().filter(|s| !s.is_final()) {
            assert_eq!(transition(from, Event::Cancel), Ok(JobState::Cancelled));
            assert_eq!(transition(from, Event::Fail), Ok(JobState::Failed));
        }
    }
}
