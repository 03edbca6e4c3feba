//! The session store contract, and what it stores. Two stores implement it: SQLite (embedded,
//! the default, one instance) and Redis (shared by several instances). Keys are SHA-256 hashes of
//! session ids, so a dump of the store shows no cookie value; the secrets inside are sealed.

use std::future::Future;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// What the store keeps for one session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredSession {
    pub created_at: i64,
    pub last_seen: i64,
    /// When the user signed in (None before sign-in).
    #[serde(default)]
    pub signed_in_at: Option<i64>,
    #[serde(default)]
    pub user: Option<UserSummary>,
    /// The identity provider's session id (`sid` claim), for front-channel logout.
    #[serde(default)]
    pub sid: Option<String>,
    /// When the app last sent this session to sign in again because its refresh token was
    /// refused (a second time soon after means a loop).
    #[serde(default)]
    pub reauth_requested_at: Option<i64>,
    /// A claims challenge only an interactive sign-in can meet (step-up, or a revoked session),
    /// for the next sign-in to ask for.
    #[serde(default)]
    pub challenge: Option<ClaimsChallenge>,
    /// Sealed [`super::SessionSecrets`] (see `crypto`).
    #[serde(with = "base64_bytes")]
    pub sealed: Vec<u8>,
    /// The store's revision of this record when it was loaded (`None`: not stored yet). Kept
    /// by the store beside the record, not in it; a save succeeds only if it is still current.
    #[serde(skip)]
    pub revision: Option<u64>,
}

/// What a compare-and-set save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Written; the record's new revision.
    Saved(u64),
    /// Someone else wrote the record since it was loaded (or created it first): nothing written.
    Conflict,
}

/// A claims challenge waiting for the next sign-in (not secret: what Graph asked for).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClaimsChallenge {
    /// The `claims` JSON to send to the authorize endpoint.
    pub claims: String,
    /// Who was signed in, so the sign-in page can be pre-filled.
    pub login_hint: Option<String>,
}

/// Who is signed in, in the clear (not secret; shown on every page).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserSummary {
    pub home_account_id: String,
    pub name: String,
    pub username: Option<String>,
    pub tenant_id: Option<String>,
}

/// The store cannot be used right now (or could not be opened), with the cause.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the SQLite session store failed")]
    Sqlite(#[source] rusqlite::Error),
    #[error("cannot open the SQLite session store at {path}")]
    SqliteOpen {
        path: std::path::PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create {path} for the session store")]
    CreateDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another process has the SQLite file open as its store.
    #[error(
        "{} is in use by another graphnote process; one instance per SQLite file (several instances share SESSION_STORE=redis://…)",
        .path.display()
    )]
    InUse { path: std::path::PathBuf },
    #[error("the SQLite session store is unusable: a thread holding its connection panicked")]
    Poisoned,
    #[error("the session store's worker thread failed")]
    Worker(#[source] tokio::task::JoinError),
    #[error("the Redis session store failed")]
    Redis(#[source] redis::RedisError),
    #[error("not a usable Redis URL")]
    RedisUrl(#[source] redis::RedisError),
    #[error("Redis did not answer within {0:?}")]
    RedisTimeout(std::time::Duration),
    #[error("a session record could not be encoded")]
    Encode(#[source] serde_json::Error),
    /// The session was ended (signed out, expired) while this request was using it.
    #[error("the session ended while it was being updated")]
    SessionEnded,
    /// Other requests kept writing the session; this one gave up.
    #[error("the session kept changing while it was being updated")]
    Contended,
}

/// A stored record as the store holds it (JSON), or `None` when it does not decode: such a
/// record cannot be trusted, so it is no session — and it is logged, never silently dropped.
pub fn decode_record(text: &str) -> Option<StoredSession> {
    serde_json::from_str(text)
        .inspect_err(|e| tracing::warn!(error = %e, "a stored session record could not be decoded; treating it as no session"))
        .ok()
}

/// A held lock; give it back to `unlock`.
#[derive(Debug)]
pub struct LockToken(pub String);

/// Where sessions live.
pub trait SessionStore: Send + Sync {
    /// The record under `key`, shared: a store that keeps records in memory hands out its own.
    fn load(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Arc<StoredSession>>, StoreError>> + Send;
    /// Writes the record if the stored revision is still `session.revision` (`None`: if
    /// nothing is stored under `key`); the entry disappears at `expires_at` (Unix seconds).
    fn save(
        &self,
        key: &str,
        session: &StoredSession,
        expires_at: i64,
    ) -> impl Future<Output = Result<Written, StoreError>> + Send;
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes every session signed in with this provider session id; returns how many.
    fn delete_by_sid(&self, sid: &str) -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Whether the store answers (readiness).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Takes a lock shared by every instance using this store, for `ttl_ms` at most.
    /// `None`: someone else holds it.
    fn try_lock(
        &self,
        name: &str,
        ttl_ms: u64,
    ) -> impl Future<Output = Result<Option<LockToken>, StoreError>> + Send;
    fn unlock(
        &self,
        name: &str,
        token: LockToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
