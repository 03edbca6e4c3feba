//! The MCP server's records in the store every instance shares (the export job store's named
//! values, SQLite or Redis): each a JSON value under a name that says what it is, secrets only
//! as their hash, and everything that ends (requests, codes, tokens) stored for its lifetime
//! only, so nothing accumulates.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::exports::store::{JobError, JobStore};

/// Stores `value` under `name` until it is removed.
pub async fn put_kept<T: Serialize>(
    store: &JobStore,
    name: &str,
    value: &T,
) -> Result<(), JobError> {
    store.put_value(name, &to_json(value)).await
}

/// Stores `value` under `name` for `seconds`: then the store lets it go.
pub async fn put_for<T: Serialize>(
    store: &JobStore,
    name: &str,
    value: &T,
    seconds: i64,
) -> Result<(), JobError> {
    let ttl_ms = seconds.max(1) as u64 * 1000;
    store.put_expiring(name, &to_json(value), ttl_ms).await
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("a record serializes")
}

/// The record under `name`, if there is one that reads as `T`.
pub async fn get<T: DeserializeOwned>(store: &JobStore, name: &str) -> Result<Option<T>, JobError> {
    let stored = store.value(name).await?;
    Ok(stored.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

/// A secret's name in the store: its SHA-256 in hex (as session ids are kept), so a copy of the
/// store holds no usable secret.
pub use crate::session::store_key as hash;

/// Takes the one-time lease `name` for `seconds`: whether this request is the one that spends
/// it (one request alone can, on whichever instance).
pub async fn spend(store: &JobStore, name: &str, seconds: i64) -> Result<bool, JobError> {
    let ttl_ms = seconds.max(1) as u64 * 1000;
    store
        .lease(name, &crate::exports::random_id(), ttl_ms)
        .await
}

/// 256 random bits, base64url: a code or a token.
pub fn new_secret() -> String {
    use base64::Engine as _;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since 1970.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
