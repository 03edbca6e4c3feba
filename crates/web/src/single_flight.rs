//! One holder at a time per key, in this process: the lock behind "one token refresh per session
//! at a time". A key's lock lives only while someone holds or waits for it, so the map never
//! grows with the number of sessions seen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// Async mutexes by key, created on demand and forgotten when nobody holds them.
#[derive(Default)]
pub struct SingleFlight {
    locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
}

impl SingleFlight {
    /// The lock for `key` (the same one for everybody asking while it is alive).
    pub fn lock_for(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lock) = locks.get(key).and_then(Weak::upgrade) {
            return lock;
        }
        locks.retain(|_, weak| weak.strong_count() > 0);
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        locks.insert(key.to_string(), Arc::downgrade(&lock));
        lock
    }

    /// How many keys are remembered (locks alive, plus at most one dead one).
    pub fn len(&self) -> usize {
        self.locks.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::SingleFlight;

    #[test]
    fn one_lock_per_key_while_held_and_none_remembered_after() {
        let flights = SingleFlight::default();
        let a = flights.lock_for("a");
        assert!(std::sync::Arc::ptr_eq(&a, &flights.lock_for("a")));
        assert!(!std::sync::Arc::ptr_eq(&a, &flights.lock_for("b")));
        drop(a);
        for i in 0..1000 {
            drop(flights.lock_for(&format!("session-{i}")));
        }
        assert!(flights.len() <= 1, "{} locks remembered", flights.len());
    }
}
