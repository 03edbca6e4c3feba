//! A grant: one user's consent to one client, which every code and token issued for it names.
//! It ends as a whole — when the user disconnects the client, or when a code or refresh token
//! is presented twice (it leaked) — and then none of its tokens is accepted any more.

use super::records::put_for;
use crate::exports::store::{JobError, JobStore};

/// How long an access token lasts.
pub const ACCESS_SECONDS: i64 = 3600;
/// How long a refresh token lasts unused: the longest a grant's token can.
pub const REFRESH_SECONDS: i64 = 30 * 24 * 3600;

fn revoked_name(grant: &str) -> String {
    format!("mcp-revoked:{grant}")
}

/// Ends every token of `grant` (the record is kept as long as the longest token can be).
pub async fn revoke(store: &JobStore, grant: &str) -> Result<(), JobError> {
    put_for(store, &revoked_name(grant), &true, REFRESH_SECONDS).await
}

/// Whether `grant` has ended.
pub async fn revoked(store: &JobStore, grant: &str) -> Result<bool, JobError> {
    Ok(store.value(&revoked_name(grant)).await?.is_some())
}
