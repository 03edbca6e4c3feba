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

/// Every user's budget.
pub struct Budget {
    limits: Limits,
    users: Mutex<HashMap<String, UserBudget>>,
}

/// Holding this is being one of the user's in-flight requests.
pub struct Permit {
    _slot: OwnedSemaphorePermit,
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget {
            limits,
            users: Mutex::new(HashMap::new()),
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
        users
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
        let budget = users.get_mut(user)?;
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
}
