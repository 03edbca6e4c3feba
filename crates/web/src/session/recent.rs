//! The SQLite store's write-through cache of session records: what was last written or read
//! under each key, so that a request's load does not go to SQLite at all.
//!
//! A read from SQLite, even one its page cache serves, took the file's shared lock and let it
//! go again (two `fcntl` calls), and the one reading connection was a lock the worker threads
//! queued on: in a profile of a signed-in page that was about a sixth of the app's CPU, most of
//! it in the kernel. The cache is exact because the process that holds the store's instance
//! lock is the only writer of the file (see `sqlite`): every write goes through it and updates
//! the cache once committed. (The benchmark's seeding tool, which opens a running instance's
//! file on purpose, only adds new sessions, which a miss finds.)
//!
//! Ordering: a load that misses reads SQLite while it holds the cache's lock, and a write
//! updates the cache after its commit, under the same lock. So a load cannot put back a record
//! older than one a write already cached, and a record signed out cannot come back. A load
//! that hits between a write's commit and its cache update sees the record as it was just
//! before: the same as a load a moment earlier; the writer's own request answers only after
//! the update.
//!
//! At most [`RECENT_CAPACITY`] entries; when full, an arbitrary one makes room (its next load
//! reads SQLite again).

use std::sync::{Arc, Mutex};

use super::memo::{ByStoreKey, make_room};
use super::store::StoredSession;

/// Sessions the cache keeps (a few kB each).
pub const RECENT_CAPACITY: usize = 4096;

/// A session record as stored, and when it expires.
struct Entry {
    session: Arc<StoredSession>,
    expires_at: i64,
}

#[derive(Default)]
pub struct Recent {
    entries: Mutex<ByStoreKey<Entry>>,
}

impl Recent {
    /// The live record under `key`: from the cache, or else from `read` (a read of SQLite,
    /// giving the record and its expiry), which then fills the cache. `read` runs under the
    /// cache's lock (see the module's ordering note).
    pub fn get_or_read<E>(
        &self,
        key: &str,
        now: i64,
        read: impl FnOnce() -> Result<Option<(StoredSession, i64)>, E>,
    ) -> Result<Option<Arc<StoredSession>>, E> {
        let Ok(mut entries) = self.entries.lock() else {
            return read().map(|row| row.map(|(session, _)| Arc::new(session)));
        };
        match entries.get(key) {
            Some(entry) if entry.expires_at > now => Ok(Some(entry.session.clone())),
            _ => {
                let Some((session, expires_at)) = read()? else {
                    entries.remove(key);
                    return Ok(None);
                };
                let session = Arc::new(session);
                make_room(&mut entries, key, RECENT_CAPACITY);
                entries.insert(
                    key.to_string(),
                    Entry {
                        session: session.clone(),
                        expires_at,
                    },
                );
                Ok(Some(session))
            }
        }
    }

    /// A write of `session` under `key` was committed.
    pub fn written(&self, key: &str, session: StoredSession, expires_at: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            make_room(&mut entries, key, RECENT_CAPACITY);
            entries.insert(
                key.to_string(),
                Entry {
                    session: Arc::new(session),
                    expires_at,
                },
            );
        }
    }

    /// The record under `key` was deleted, or may have changed behind the cache's back.
    pub fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }

    /// The records of this identity-provider session were deleted.
    pub fn forget_sid(&self, sid: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, entry| entry.session.sid.as_deref() != Some(sid));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::convert::Infallible;

    use super::*;

    fn record(sid: &str, revision: u64) -> StoredSession {
        StoredSession {
            created_at: 0,
            last_seen: 0,
            signed_in_at: None,
            user: None,
            sid: Some(sid.to_string()),
            reauth_requested_at: None,
            challenge: None,
            sealed: vec![1, 2, 3],
            revision: Some(revision),
        }
    }

    /// Reads through `recent`, counting the reads of "the file", which holds `stored`.
    fn load(
        recent: &Recent,
        key: &str,
        now: i64,
        stored: Option<(u64, i64)>,
        reads: &Cell<u32>,
    ) -> Option<u64> {
        recent
            .get_or_read(key, now, || {
                reads.set(reads.get() + 1);
                Ok::<_, Infallible>(
                    stored.map(|(revision, expires_at)| (record("sid", revision), expires_at)),
                )
            })
            .unwrap()
            .and_then(|session| session.revision)
    }

    #[test]
    fn reads_the_file_once_then_what_was_written() {
        let (recent, reads) = (Recent::default(), Cell::new(0));
        assert_eq!(load(&recent, "k", 10, Some((1, 100)), &reads), Some(1));
        assert_eq!(load(&recent, "k", 11, Some((1, 100)), &reads), Some(1));
        assert_eq!(reads.get(), 1, "the second load came from the cache");
        recent.written("k", record("sid", 2), 100);
        assert_eq!(load(&recent, "k", 12, Some((1, 100)), &reads), Some(2));
        assert_eq!(reads.get(), 1);
    }

    #[test]
    fn expired_deleted_and_signed_out_records_are_read_again() {
        let (recent, reads) = (Recent::default(), Cell::new(0));
        load(&recent, "k", 10, Some((1, 20)), &reads);
        assert_eq!(load(&recent, "k", 20, None, &reads), None, "expired");
        assert_eq!(reads.get(), 2);
        recent.written("k", record("sid", 2), 100);
        recent.forget("k");
        assert_eq!(load(&recent, "k", 21, None, &reads), None, "deleted");
        recent.written("k", record("sid", 3), 100);
        recent.written("other", record("another sid", 1), 100);
        recent.forget_sid("sid");
        assert_eq!(
            load(&recent, "k", 22, None, &reads),
            None,
            "signed out by the provider"
        );
        assert_eq!(
            load(&recent, "other", 22, None, &reads),
            Some(1),
            "other sessions stay"
        );
        assert_eq!(reads.get(), 4);
    }
}
