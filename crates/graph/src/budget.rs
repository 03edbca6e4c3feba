//! Keeping each user inside OneNote's limits so the app itself does not cause 429s: per user, at
//! most `concurrent` requests in flight, `per_minute` in any minute and `per_hour` in any hour
//! (OneNote's documented limits: 5, 120, 400). A request that would break a limit waits for a
//! slot; if the wait would be longer than the caller can afford, it fails fast as throttled.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::GraphError;

/// The limits, per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub concurrent: usize,
    pub per_minute: usize,
    pub per_hour: usize,
}

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
const HOUR: Duration = Duration::from_secs(3600);

struct UserBudget {
    in_flight: Arc<Semaphore>,
    /// Start times of recent requests, oldest first (at most an hour's worth).
    started: VecDeque<Instant>,
}

impl UserBudget {
    /// Nothing to remember: no request in the last hour, none in flight, nobody waiting.
    fn is_idle(&self, now: Instant) -> bool {
        self.started
            .back()
            .is_none_or(|t| now.duration_since(*t) >= HOUR)
            && Arc::strong_count(&self.in_flight) == 1
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

/// Holding this is being one of the user's in-flight requests.
pub struct Permit {
    _slot: OwnedSemaphorePermit,
}

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

    /// Waits for a slot for `user` and records the request. Fails with `Throttled` when the
    /// rate limits would make it wait longer than `max_wait`.
    pub async fn acquire(&self, user: &str, max_wait: Duration) -> Result<Permit, GraphError> {
        let deadline = Instant::now() + max_wait;
        let semaphore = self.semaphore(user);
        let slot = tokio::time::timeout(max_wait, semaphore.acquire_owned())
            .await
            .map_err(|_| GraphError::Throttled {
                retry_after: Some(Duration::from_secs(1)),
            })?
            .map_err(|_| GraphError::Throttled { retry_after: None })?;
        loop {
            let wait = self.reserve(user);
            match wait {
                None => return Ok(Permit { _slot: slot }),
                Some(wait) if Instant::now() + wait <= deadline => tokio::time::sleep(wait).await,
                Some(wait) => {
                    return Err(GraphError::Throttled {
                        retry_after: Some(wait),
                    });
                }
            }
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
            .or_insert_with(|| UserBudget {
                in_flight: Arc::new(Semaphore::new(self.limits.concurrent.max(1))),
                started: VecDeque::new(),
            })
            .in_flight
            .clone()
    }

    /// Records a request start if the windows allow it; else says how long until they do.
    fn reserve(&self, user: &str) -> Option<Duration> {
        let mut users = self.users.lock().expect("budget lock");
        let budget = users.by_key.get_mut(user)?;
        let now = Instant::now();
        while budget
            .started
            .front()
            .is_some_and(|t| now.duration_since(*t) >= HOUR)
        {
            budget.started.pop_front();
        }
        let in_last_minute = budget
            .started
            .iter()
            .rev()
            .take_while(|t| now.duration_since(**t) < MINUTE)
            .count();
        if budget.started.len() >= self.limits.per_hour.max(1) {
            let oldest = budget.started[budget.started.len() - self.limits.per_hour.max(1)];
            return Some(HOUR - now.duration_since(oldest) + Duration::from_millis(5));
        }
        if in_last_minute >= self.limits.per_minute.max(1) {
            let oldest = budget.started[budget.started.len() - self.limits.per_minute.max(1)];
            return Some(MINUTE - now.duration_since(oldest) + Duration::from_millis(5));
        }
        budget.started.push_back(now);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn concurrency_and_rate_are_bounded_per_user() {
        let budget = Arc::new(Budget::new(Limits {
            concurrent: 2,
            per_minute: 3,
            per_hour: 100,
        }));
        let a = budget.acquire("ada", Duration::from_secs(1)).await.unwrap();
        let _b = budget.acquire("ada", Duration::from_secs(1)).await.unwrap();
        // A third concurrent request waits for a slot, then fails fast when none comes.
        assert!(
            budget
                .acquire("ada", Duration::from_millis(100))
                .await
                .is_err()
        );
        // Other users are not affected.
        assert!(
            budget
                .acquire("grace", Duration::from_millis(10))
                .await
                .is_ok()
        );
        drop(a);
        let c = budget.acquire("ada", Duration::from_secs(1)).await.unwrap();
        drop(c);
        // Three requests started this minute: the fourth must wait ~a minute.
        let err = budget
            .acquire("ada", Duration::from_secs(5))
            .await
            .err()
            .unwrap();
        assert!(err.retry_after().unwrap() > Duration::from_secs(50));
        let waited = budget.acquire("ada", Duration::from_secs(120)).await;
        assert!(waited.is_ok(), "waiting within the allowance succeeds");
    }

    #[tokio::test(start_paused = true)]
    async fn users_idle_for_an_hour_are_forgotten() {
        let budget = Budget::new(Limits::default());
        for i in 0..SWEEP_FLOOR - 1 {
            drop(
                budget
                    .acquire(&format!("user-{i}"), Duration::ZERO)
                    .await
                    .unwrap(),
            );
        }
        let held = budget.acquire("busy", Duration::ZERO).await.unwrap();
        tokio::time::advance(HOUR).await;
        // A new user after an hour sweeps the idle ones, never one with a request in flight.
        drop(budget.acquire("newcomer", Duration::ZERO).await.unwrap());
        let users = budget.users.lock().unwrap();
        let mut remembered: Vec<&str> = users.by_key.keys().map(String::as_str).collect();
        remembered.sort();
        assert_eq!(remembered, ["busy", "newcomer"]);
        drop(users);
        drop(held);
    }
}
