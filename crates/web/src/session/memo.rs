//! A bounded memo of a pure, costly step on a session's stored bytes (opening the sealed
//! secrets), by store key: the exact bytes last seen and what the step made of
//! them. An entry is used only when the new bytes are identical to the ones it was made from, so
//! it gives exactly what the step would give again; a changed record (every save reseals under a
//! fresh nonce) simply misses. Profiling a signed-in page showed these steps (base64, JSON,
//! AES-GCM) at about half of its instructions, for bytes that change once a minute at most.
//! At most [`MEMO_CAPACITY`] entries; when full, an arbitrary one makes room.

use std::collections::HashMap;
use std::sync::Mutex;

/// The maps of session records by store key. The keys are SHA-256 digests of ids the app made
/// itself, so no client chooses what collides in them; a fast hash (still randomly seeded) does,
/// where SipHash of the 64-character key cost a few hundred instructions per look-up.
pub(super) type ByStoreKey<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// Sessions a memo keeps (about 8 kB each with the bytes and their result).
pub const MEMO_CAPACITY: usize = 1024;

/// The bytes a memo entry was made from, and what the step made of them.
type MemoEntry<V> = (Box<[u8]>, V);

pub struct Memo<V> {
    entries: Mutex<ByStoreKey<MemoEntry<V>>>,
}

impl<V: Clone> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            entries: Mutex::new(ByStoreKey::default()),
        }
    }
}

impl<V: Clone> Memo<V> {
    /// What the step made of exactly these bytes under this key, if remembered.
    pub fn get(&self, key: &str, bytes: &[u8]) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(seen, _)| **seen == *bytes)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, key: &str, bytes: &[u8], value: V) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        make_room(&mut entries, key, MEMO_CAPACITY);
        entries.insert(key.to_string(), (bytes.into(), value));
    }

    pub fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

/// Before `key` goes into a map that holds at most `capacity` entries: an arbitrary other entry
/// leaves if the map is full (the memos keep what a store already has, so any may go).
pub(super) fn make_room<V>(entries: &mut ByStoreKey<V>, key: &str, capacity: usize) {
    if entries.len() >= capacity && !entries.contains_key(key) {
        let victim = entries.keys().next().cloned();
        if let Some(victim) = victim {
            entries.remove(&victim);
        }
    }
}
