//! OneNote's throttling (docs/protocol.md §10.7): per app per user, at most `per_minute` requests in any
//! 60 s, `per_hour` in any hour and `concurrent` in flight. Over any of them the request is
//! answered 429 with code 20166 and no `Retry-After`. Rejected requests do not count against the
//! windows (a client that backs off recovers when its own earlier requests age out). The limits
//! are read from the settings on every request, so the admin API can change them at any time.
//! The admin API can also move the throttle's clock forward, so tests of the hourly limit do not
//! wait an hour.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::settings::OneNoteLimits;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// (client id, user id): OneNote's budget unit.
type Key = (String, Uuid);

#[derive(Default)]
struct Budget {
    /// Start times of admitted requests within the last hour, oldest first.
    admitted: VecDeque<Instant>,
    in_flight: u32,
}

/// Every caller's budget.
#[derive(Default, Clone)]
pub struct Throttle {
    budgets: Arc<Mutex<HashMap<Key, Budget>>>,
    /// How far the throttle's clock is ahead of the real one.
    ahead: Arc<Mutex<Duration>>,
}

/// Holds one of the caller's concurrent slots until dropped.
pub struct Permit {
    budgets: Arc<Mutex<HashMap<Key, Budget>>>,
    key: Key,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(budget) = self
            .budgets
            .lock()
            .expect("throttle lock")
            .get_mut(&self.key)
        {
            budget.in_flight = budget.in_flight.saturating_sub(1);
        }
    }
}

/// The request is over a limit.
#[derive(Debug, PartialEq, Eq)]
pub struct Throttled;

impl Throttle {
    /// Admits a request of `client_id` for `user`, or refuses it.
    pub fn admit(
        &self,
        client_id: &str,
        user: Uuid,
        limits: &OneNoteLimits,
    ) -> Result<Permit, Throttled> {
        let key = (client_id.to_ascii_lowercase(), user);
        let now = Instant::now() + *self.ahead.lock().expect("throttle lock");
        let mut budgets = self.budgets.lock().expect("throttle lock");
        let budget = budgets.entry(key.clone()).or_default();
        while budget
            .admitted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= HOUR)
        {
            budget.admitted.pop_front();
        }
        let last_minute = budget
            .admitted
            .iter()
            .rev()
            .take_while(|t| now.duration_since(**t) < MINUTE)
            .count();
        if budget.in_flight >= limits.concurrent
            || last_minute >= limits.per_minute as usize
            || budget.admitted.len() >= limits.per_hour as usize
        {
            return Err(Throttled);
        }
        budget.admitted.push_back(now);
        budget.in_flight += 1;
        Ok(Permit {
            budgets: self.budgets.clone(),
            key,
        })
    }

    /// Moves the throttle's clock forward: requests admitted before look `by` older.
    pub fn advance(&self, by: Duration) {
        let mut ahead = self.ahead.lock().expect("throttle lock");
        *ahead = ahead.saturating_add(by.min(HOUR * 24));
    }

    /// Forgets every budget (limits changed through the admin API start from a clean slate).
    pub fn reset(&self) {
        self.budgets
            .lock()
            .expect("throttle lock")
            .retain(|_, b| b.in_flight > 0);
        for budget in self.budgets.lock().expect("throttle lock").values_mut() {
            budget.admitted.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_minute: u32, per_hour: u32, concurrent: u32) -> OneNoteLimits {
        OneNoteLimits {
            per_minute,
            per_hour,
            concurrent,
            ..OneNoteLimits::default()
        }
    }

    #[test]
    fn per_minute_and_per_user() {
        let throttle = Throttle::default();
        let (ada, grace) = (Uuid::new_v4(), Uuid::new_v4());
        let l = limits(2, 100, 10);
        drop(throttle.admit("app", ada, &l).unwrap());
        drop(throttle.admit("app", ada, &l).unwrap());
        assert!(throttle.admit("app", ada, &l).is_err());
        assert!(throttle.admit("other-app", ada, &l).is_ok());
        assert!(throttle.admit("app", grace, &l).is_ok());
    }

    #[test]
    fn concurrency_is_released_on_drop() {
        let throttle = Throttle::default();
        let user = Uuid::new_v4();
        let l = limits(100, 100, 1);
        let first = throttle.admit("app", user, &l).unwrap();
        assert_eq!(throttle.admit("app", user, &l).err(), Some(Throttled));
        drop(first);
        assert!(throttle.admit("app", user, &l).is_ok());
    }

    #[test]
    fn per_hour_counts_too() {
        let throttle = Throttle::default();
        let user = Uuid::new_v4();
        let l = limits(100, 3, 10);
        for _ in 0..3 {
            drop(throttle.admit("app", user, &l).unwrap());
        }
        assert!(throttle.admit("app", user, &l).is_err());
        throttle.reset();
        assert!(throttle.admit("app", user, &l).is_ok());
    }
}
