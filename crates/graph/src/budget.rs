//! Keeping each user inside OneNote's limits so the app itself does not cause 429s: per user, at
//! most `concurrent` requests in flight, `per_minute` in any minute and `per_hour` in any hour
//! (OneNote's documented limits: 5, 120, 400). A request that would break a limit waits for a
//! slot; if the wait would be longer than the caller can afford, it fails fast as throttled.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::Semaphore;

use crate::error::GraphError;
use crate::gate::{GateFuture, OneNoteGate, Permit, Priority, RecentFuture, Windows};

/// The limits, per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub concurrent: usize,
    pub per_minute: usize,
    pub per_hour: usize,
}

impl Limits {
    /// What background work (an export) may use of each window: three quarters while the user
    /// is away, so a quarter is always there when they come back; half while they are browsing
    /// (`user_active`: a OneNote call of theirs in the last [`ACTIVE_FOR`]). At least one call
    /// per window either way. (Concurrency is shared out separately: background work leaves one
    /// slot.) A page view also goes before any background call that waits with it.
    pub fn for_background(self, user_active: bool) -> Limits {
        let (kept, of) = if user_active { (1, 2) } else { (3, 4) };
        let share = |limit: usize| (limit * kept / of).max(1);
        Limits {
            concurrent: self.concurrent,
            per_minute: share(self.per_minute),
            per_hour: share(self.per_hour),
        }
    }
}

/// How long after a user's last page view (a OneNote call of theirs) background work keeps to
/// the smaller share of the windows.
pub const ACTIVE_FOR: Duration = Duration::from_secs(5 * 60);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrent: 5,
            per_minute: 120,
            per_hour: 400,
        }
    }
}

const MINUTE: Duration = Duration::from_secs(60);
/// A call counts against the windows this much longer than they last: OneNote counts a call
/// when it arrives, a little after the app let it go, and the arrivals must fit the windows too
/// (without the margin, a call let go exactly a minute after another can reach OneNote less than
/// a minute after it).
pub const WINDOW_MARGIN: Duration = Duration::from_secs(1);
/// How often background work looks again while page views wait.
const YIELD_POLL: Duration = Duration::from_millis(40);
const HOUR: Duration = Duration::from_secs(3600);

struct UserBudget {
    in_flight: Arc<Semaphore>,
    /// Background work's share of the slots: all but one.
    background: Arc<Semaphore>,
    /// Page views waiting for a window to have room.
    waiting: usize,
    /// Start times of recent requests, oldest first (at most an hour's worth).
    started: VecDeque<Instant>,
    /// When the user last asked for a call themselves (a page view).
    last_interactive: Option<Instant>,
}

impl UserBudget {
    /// Nothing to remember: no request in the last hour, none in flight, nobody waiting.
    fn is_idle(&self, now: Instant) -> bool {
        self.started
            .back()
            .is_none_or(|t| now.duration_since(*t) >= HOUR)
            && Arc::strong_count(&self.in_flight) == 1
            && Arc::strong_count(&self.background) == 1
            && self.waiting == 0
    }
}

/// Every user's budget.
pub struct Budget {
    limits: Limits,
    users: Mutex<Users>,
}

/// The users seen, and when to next forget the idle ones: a user is remembered for an hour
/// after their last request (the per-hour window needs it), not for the life of the process.
struct Users {
    by_key: HashMap<String, UserBudget>,
    sweep_at: usize,
}

/// Fewer users than this are never swept.
const SWEEP_FLOOR: usize = 256;

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget {
            limits,
            users: Mutex::new(Users {
                by_key: HashMap::new(),
                sweep_at: SWEEP_FLOOR,
            }),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Waits for a slot for `user` and records the request. Fails when the
    /// rate limits would make it wait longer than `max_wait` (`Paced`). Background work may use all but
    /// one concurrency slot, so a page view always finds one.
    pub async fn acquire(
        &self,
        user: &str,
        priority: Priority,
        max_wait: Duration,
    ) -> Result<Permit, GraphError> {
        let deadline = Instant::now() + max_wait;
        let semaphore = self.semaphore(user);
        let background_slot = match priority {
            Priority::Background if self.limits.concurrent > 1 => Some(self.background(user)),
            _ => None,
        };
        let background = match background_slot {
            Some(slots) => Some(
                tokio::time::timeout(max_wait, slots.acquire_owned())
                    .await
                    .map_err(|_| GraphError::Paced {
                        retry_after: Duration::from_secs(1),
                    })?
                    .map_err(|_| GraphError::Paced {
                        retry_after: Duration::from_secs(1),
                    })?,
            ),
            None => None,
        };
        let slot = tokio::time::timeout(max_wait, semaphore.acquire_owned())
            .await
            .map_err(|_| GraphError::Paced {
                retry_after: Duration::from_secs(1),
            })?
            .map_err(|_| GraphError::Paced {
                retry_after: Duration::from_secs(1),
            })?;
        let mut waiting = Waiting {
            budget: self,
            user,
            marked: false,
        };
        loop {
            let wait = self.reserve(user, priority);
            match wait {
                None => return Ok(Permit::new((slot, background))),
                Some(wait) if Instant::now() + wait <= deadline => {
                    if priority == Priority::Interactive && !waiting.marked {
                        self.count_waiting(user, 1);
                        waiting.marked = true;
                    }
                    tokio::time::sleep(wait).await
                }
                Some(wait) => return Err(GraphError::Paced { retry_after: wait }),
            }
        }
    }

    /// Page views waiting for the user's windows (background work lets them go first).
    fn count_waiting(&self, user: &str, change: isize) {
        let mut users = self.users.lock().expect("budget lock");
        if let Some(budget) = users.by_key.get_mut(user) {
            budget.waiting = budget.waiting.saturating_add_signed(change);
        }
    }

    fn semaphore(&self, user: &str) -> Arc<Semaphore> {
        let mut users = self.users.lock().expect("budget lock");
        if users.by_key.len() >= users.sweep_at && !users.by_key.contains_key(user) {
            let now = Instant::now();
            users.by_key.retain(|_, budget| !budget.is_idle(now));
            // Sweeping again only after the map doubles keeps the cost per request constant.
            users.sweep_at = (users.by_key.len() * 2).max(SWEEP_FLOOR);
        }
        users
            .by_key
            .entry(user.to_string())
            .or_insert_with(|| self.new_user())
            .in_flight
            .clone()
    }

    fn background(&self, user: &str) -> Arc<Semaphore> {
        let mut users = self.users.lock().expect("budget lock");
        users
            .by_key
            .entry(user.to_string())
            .or_insert_with(|| self.new_user())
            .background
            .clone()
    }

    fn new_user(&self) -> UserBudget {
        let slots = self.limits.concurrent.max(1);
        UserBudget {
            in_flight: Arc::new(Semaphore::new(slots)),
            background: Arc::new(Semaphore::new(slots.saturating_sub(1).max(1))),
            waiting: 0,
            started: VecDeque::new(),
            last_interactive: None,
        }
    }

    /// Records a request start if the windows allow it; else says how long until they do.
    fn reserve(&self, user: &str, priority: Priority) -> Option<Duration> {
        let mut users = self.users.lock().expect("budget lock");
        let budget = users.by_key.get_mut(user)?;
        if priority == Priority::Background && budget.waiting > 0 {
            return Some(YIELD_POLL);
        }
        let now = Instant::now();
        let limits = match priority {
            Priority::Background => {
                let active = budget
                    .last_interactive
                    .is_some_and(|t| now.duration_since(t) < ACTIVE_FOR);
                self.limits.for_background(active)
            }
            Priority::Interactive => {
                budget.last_interactive = Some(now);
                self.limits
            }
        };
        let (hour, minute) = (HOUR + WINDOW_MARGIN, MINUTE + WINDOW_MARGIN);
        while budget
            .started
            .front()
            .is_some_and(|t| now.duration_since(*t) >= hour)
        {
            budget.started.pop_front();
        }
        let in_last_minute = budget
            .started
            .iter()
            .rev()
            .take_while(|t| now.duration_since(**t) < minute)
            .count();
        if budget.started.len() >= limits.per_hour.max(1) {
            let oldest = budget.started[budget.started.len() - limits.per_hour.max(1)];
            return Some(hour - now.duration_since(oldest));
        }
        if in_last_minute >= limits.per_minute.max(1) {
            let oldest = budget.started[budget.started.len() - limits.per_minute.max(1)];
            return Some(minute - now.duration_since(oldest));
        }
        budget.started.push_back(now);
        None
    }
}

/// A page view counted as waiting until its turn comes (or it gives up).
struct Waiting<'a> {
    budget: &'a Budget,
    user: &'a str,
    marked: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.marked {
            self.budget.count_waiting(self.user, -1);
        }
    }
}

impl OneNoteGate for Budget {
    fn acquire<'a>(
        &'a self,
        user: &'a str,
        priority: Priority,
        max_wait: Duration,
    ) -> GateFuture<'a> {
        Box::pin(Budget::acquire(self, user, priority, max_wait))
    }

    fn recent<'a>(&'a self, user: &'a str) -> RecentFuture<'a> {
        let now = Instant::now();
        let windows = self
            .users
            .lock()
            .ok()
            .and_then(|users| {
                let budget = users.by_key.get(user)?;
                Some(Windows {
                    ages: budget
                        .started
                        .iter()
                        .map(|t| now.duration_since(*t))
                        .filter(|age| *age < HOUR + WINDOW_MARGIN)
                        .collect(),
                    user_active: budget
                        .last_interactive
                        .is_some_and(|t| now.duration_since(t) < ACTIVE_FOR),
                })
            })
            .unwrap_or_default();
        Box::pin(std::future::ready(Ok(windows)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_work_takes_three_quarters_of_each_window_and_half_while_the_user_browses() {
        let limits = |per_minute, per_hour| Limits {
            concurrent: 5,
            per_minute,
            per_hour,
        };
        assert_eq!(limits(120, 400).for_background(false), limits(90, 300));
        assert_eq!(limits(120, 400).for_background(true), limits(60, 200));
        assert_eq!(limits(3, 21).for_background(false), limits(2, 15));
        assert_eq!(limits(1, 1).for_background(true), limits(1, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn background_work_keeps_to_half_the_window_while_the_user_browses() {
        let budget = Budget::new(Limits {
            concurrent: 5,
            per_minute: 8,
            per_hour: 1000,
        });
        let short = Duration::from_millis(10);
        let run = async |budget: &Budget| {
            let mut calls = 0;
            while budget
                .acquire("ada", Priority::Background, short)
                .await
                .is_ok()
            {
                calls += 1;
            }
            calls
        };
        // Away: three quarters of the minute.
        assert_eq!(run(&budget).await, 6);
        tokio::time::advance(Duration::from_secs(62)).await;
        // A page view: for the next five minutes, half (less the view itself).
        drop(
            budget
                .acquire("ada", Priority::Interactive, short)
                .await
                .unwrap(),
        );
        assert_eq!(run(&budget).await, 3);
        tokio::time::advance(Duration::from_secs(62)).await;
        assert_eq!(run(&budget).await, 4, "still browsing a minute later");
        tokio::time::advance(ACTIVE_FOR).await;
        assert_eq!(run(&budget).await, 6, "away again");
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_and_rate_are_bounded_per_user() {
        let budget = Arc::new(Budget::new(Limits {
            concurrent: 2,
            per_minute: 3,
            per_hour: 100,
        }));
        let a = budget
            .acquire("ada", Priority::Interactive, Duration::from_secs(1))
            .await
            .unwrap();
        let _b = budget
            .acquire("ada", Priority::Interactive, Duration::from_secs(1))
            .await
            .unwrap();
        // A third concurrent request waits for a slot, then fails fast when none comes.
        assert!(
            budget
                .acquire("ada", Priority::Interactive, Duration::from_millis(100))
                .await
                .is_err()
        );
        // Other users are not affected.
        assert!(
            budget
                .acquire("grace", Priority::Interactive, Duration::from_millis(10))
                .await
                .is_ok()
        );
        drop(a);
        let c = budget
            .acquire("ada", Priority::Interactive, Duration::from_secs(1))
            .await
            .unwrap();
        drop(c);
        // Three requests started this minute: the fourth must wait ~a minute.
        let err = budget
            .acquire("ada", Priority::Interactive, Duration::from_secs(5))
            .await
            .err()
            .unwrap();
        assert!(err.retry_after().unwrap() > Duration::from_secs(50));
        let waited = budget
            .acquire("ada", Priority::Interactive, Duration::from_secs(120))
            .await;
        assert!(waited.is_ok(), "waiting within the allowance succeeds");
    }

    #[tokio::test(start_paused = true)]
    async fn users_idle_for_an_hour_are_forgotten() {
        let budget = Budget::new(Limits::default());
        for i in 0..SWEEP_FLOOR - 1 {
            drop(
                budget
                    .acquire(&format!("user-{i}"), Priority::Interactive, Duration::ZERO)
                    .await
                    .unwrap(),
            );
        }
        let held = budget
            .acquire("busy", Priority::Interactive, Duration::ZERO)
            .await
            .unwrap();
        tokio::time::advance(HOUR).await;
        // A new user after an hour sweeps the idle ones, never one with a request in flight.
        drop(
            budget
                .acquire("newcomer", Priority::Interactive, Duration::ZERO)
                .await
                .unwrap(),
        );
        let users = budget.users.lock().unwrap();
        let mut remembered: Vec<&str> = users.by_key.keys().map(String::as_str).collect();
        remembered.sort();
        assert_eq!(remembered, ["busy", "newcomer"]);
        drop(users);
        drop(held);
    }

    #[tokio::test(start_paused = true)]
    async fn background_work_leaves_a_slot_and_lets_page_views_go_first() {
        let budget = Arc::new(Budget::new(Limits {
            concurrent: 3,
            per_minute: 3,
            per_hour: 100,
        }));
        let short = Duration::from_millis(10);
        let a = budget
            .acquire("ada", Priority::Background, short)
            .await
            .unwrap();
        drop(a);
        tokio::time::advance(Duration::from_secs(10)).await;
        let _b1 = budget
            .acquire("ada", Priority::Background, short)
            .await
            .unwrap();
        // Background work's share of the minute is full now (2 of 3). Background work waits
        // for room first, then a page view arrives: it must get in first — at once, in the
        // room kept for page views.
        let worker = {
            let budget = budget.clone();
            tokio::spawn(async move {
                budget
                    .acquire("ada", Priority::Background, Duration::from_secs(300))
                    .await
                    .map(|_| tokio::time::Instant::now())
            })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        let viewer = {
            let budget = budget.clone();
            tokio::spawn(async move {
                budget
                    .acquire("ada", Priority::Interactive, Duration::from_secs(120))
                    .await
                    .map(|_| tokio::time::Instant::now())
            })
        };
        let asked_at = tokio::time::Instant::now();
        let viewed_at = viewer.await.unwrap().unwrap();
        let worked_at = worker.await.unwrap().unwrap();
        assert!(viewed_at <= worked_at, "the page view went first");
        assert!(
            viewed_at - asked_at < Duration::from_millis(100),
            "the page view did not wait for the window"
        );

        // With background work holding all it may (concurrent - 1), a page view still gets in.
        let fresh = Budget::new(Limits {
            concurrent: 3,
            per_minute: 100,
            per_hour: 100,
        });
        let _w1 = fresh
            .acquire("ada", Priority::Background, short)
            .await
            .unwrap();
        let _w2 = fresh
            .acquire("ada", Priority::Background, short)
            .await
            .unwrap();
        assert!(
            fresh
                .acquire("ada", Priority::Background, short)
                .await
                .is_err()
        );
        assert!(
            fresh
                .acquire("ada", Priority::Interactive, short)
                .await
                .is_ok()
        );
    }
}
