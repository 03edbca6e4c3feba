//! The MCP server's records in the store every instance shares (the export job store's named
//! values, SQLite or Redis): each a JSON value under a name that says what it is, secrets only
//! as their hash.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::exports::store::{JobError, JobStore};
use crate::session::lower_hex;

/// Stores `value` under `name`.
pub async fn put<T: Serialize>(store: &JobStore, name: &str, value: &T) -> Result<(), JobError> {
    let bytes = serde_json::to_vec(value).expect("a record serializes");
    store.put_value(name, &bytes).await
}

/// The record under `name`, if there is one that reads as `T`.
pub async fn get<T: DeserializeOwned>(store: &JobStore, name: &str) -> Result<Option<T>, JobError> {
    let stored = store.value(name).await?;
    Ok(stored.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

/// A secret's name in the store: its SHA-256, so a copy of the store holds no usable secret.
pub fn hash(secret: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes());
    lower_hex(digest.as_ref())
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
