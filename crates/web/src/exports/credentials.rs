//! The owner's sign-in, for their exports: a copy of their token cache, sealed (AES-256-GCM
//! under `SESSION_SECRET`, bound to the owner's account id) in the job store, so an export does
//! not depend on any one browser session and any instance can run it.
//!
//! The copy is written when an export starts and whenever the owner signs in while one is not
//! finished, and deleted when they sign out — at `/logout`, or when the provider session it came
//! from ends (front-channel logout) — which pauses their exports until they sign in again. The
//! job refreshes it as a session would (the provider may turn the refresh token down: then the
//! copy is deleted and the export waits for a sign-in too).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use identity::{IdentityClient, Secret, TokenCache};

use super::store::JobStore;
use crate::clock::now;
use crate::error::Chain;
use crate::session::StoreError;
use crate::session::crypto::Cipher;

/// Why there is no token for an owner's export.
#[derive(Debug, thiserror::Error)]
pub enum NoToken {
    /// Only the owner can fix it (signed out, or the provider wants a new sign-in).
    #[error("{0}")]
    OwnerNeeded(&'static str),
    /// The provider or the store failed; trying later may work.
    #[error("{0}")]
    Unavailable(String),
}

/// The sealed token caches of export owners.
#[derive(Clone)]
pub struct Credentials {
    store: Arc<JobStore>,
    cipher: Arc<Cipher>,
    identity: Arc<IdentityClient>,
    scopes: Arc<[String]>,
    /// One refresh per owner at a time in this instance (only one instance runs an owner's
    /// export: it holds the owner's lease).
    refreshing: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

pub const SIGNED_OUT: &str =
    "You signed out. Sign in again as the same account and the export goes on where it stopped.";
pub const SIGN_IN_AGAIN: &str = "Microsoft asks you to sign in again before the export can go on. \
     Sign in as the same account and it resumes where it stopped.";

fn value_name(owner: &str) -> String {
    format!("credentials:{owner}")
}

/// Whose sign-in came from a provider session (the ID token's `sid`): what a front-channel
/// logout names. The `sid` is kept hashed.
fn provider_session_name(sid: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, sid.as_bytes());
    format!(
        "provider-session:{}",
        crate::session::lower_hex(digest.as_ref())
    )
}

impl Credentials {
    pub fn new(
        store: Arc<JobStore>,
        cipher: Arc<Cipher>,
        identity: Arc<IdentityClient>,
        scopes: Arc<[String]>,
    ) -> Credentials {
        Credentials {
            store,
            cipher,
            identity,
            scopes,
            refreshing: Arc::default(),
        }
    }

    /// Keeps `cache` as the owner's.
    pub async fn put(&self, owner: &str, cache: &TokenCache) -> Result<(), StoreError> {
        let json = serde_json::to_vec(cache).map_err(StoreError::Encode)?;
        let sealed = self.cipher.seal(&json, &value_name(owner));
        self.store.put_value(&value_name(owner), &sealed).await?;
        if let Some(sid) = &cache.account.sid {
            self.store
                .put_value(&provider_session_name(sid), owner.as_bytes())
                .await?;
        }
        Ok(())
    }

    /// The provider session `sid` ended (front-channel logout): if the owner's kept sign-in came
    /// from it, forget it, as a sign-out would. Returns the owner whose sign-in was forgotten.
    pub async fn provider_session_ended(&self, sid: &str) -> Result<Option<String>, StoreError> {
        let name = provider_session_name(sid);
        let Some(owner) = self.store.value(&name).await? else {
            return Ok(None);
        };
        self.store.remove_value(&name).await?;
        let owner = String::from_utf8_lossy(&owner).into_owned();
        // A later sign-in (another provider session) stays.
        let from_this_session = self
            .load(&owner)
            .await?
            .is_some_and(|cache| cache.account.sid.as_deref() == Some(sid));
        if !from_this_session {
            return Ok(None);
        }
        self.remove(&owner).await?;
        Ok(Some(owner))
    }

    /// Forgets the owner's sign-in (they signed out).
    pub async fn remove(&self, owner: &str) -> Result<(), StoreError> {
        // The note of which provider session it came from goes with it.
        if let Some(sid) = self.load(owner).await?.and_then(|cache| cache.account.sid) {
            self.store
                .remove_value(&provider_session_name(&sid))
                .await?;
        }
        self.store.remove_value(&value_name(owner)).await
    }

    pub async fn present(&self, owner: &str) -> Result<bool, StoreError> {
        Ok(self.store.value(&value_name(owner)).await?.is_some())
    }

    async fn load(&self, owner: &str) -> Result<Option<TokenCache>, StoreError> {
        let Some(sealed) = self.store.value(&value_name(owner)).await? else {
            return Ok(None);
        };
        let opened = match self.cipher.open(&sealed, &value_name(owner)) {
            Ok(opened) => opened,
            Err(e) => {
                tracing::warn!(error = %e, "an export's sealed sign-in does not open; the owner must sign in again");
                return Ok(None);
            }
        };
        Ok(serde_json::from_slice(&opened.plaintext).ok())
    }

    /// An access token for the owner's OneNote calls, other than `rejected`.
    pub async fn token(&self, owner: &str, rejected: Option<&Secret>) -> Result<Secret, NoToken> {
        let unavailable =
            |e: &(dyn std::error::Error + 'static)| NoToken::Unavailable(Chain(e).to_string());
        let lock = self
            .refreshing
            .lock()
            .map(|mut map| map.entry(owner.to_string()).or_default().clone())
            .map_err(|_| NoToken::Unavailable("a refresh lock was poisoned".into()))?;
        let _one_at_a_time = lock.lock().await;
        let cache = self
            .load(owner)
            .await
            .map_err(|e| unavailable(&e))?
            .ok_or(NoToken::OwnerNeeded(SIGNED_OUT))?;
        if let Some(token) = cache
            .usable_access_token(&self.scopes, now())
            .filter(|t| Some(&t.secret) != rejected)
        {
            return Ok(token.secret.clone());
        }
        match self
            .identity
            .refresh(&cache, &self.scopes, None, now())
            .await
        {
            Ok(updated) => {
                self.put(owner, &updated)
                    .await
                    .map_err(|e| unavailable(&e))?;
                let token = updated
                    .access_tokens
                    .iter()
                    .filter(|t| Some(&t.secret) != rejected)
                    .max_by_key(|t| t.expires_on)
                    .map(|t| t.secret.clone());
                token.ok_or(NoToken::Unavailable(
                    "the refresh gave no access token".into(),
                ))
            }
            Err(e) if e.needs_interaction() => {
                tracing::info!(error = %Chain(&e), "an export's refresh token was turned down; waiting for the owner");
                let _ = self.remove(owner).await;
                Err(NoToken::OwnerNeeded(SIGN_IN_AGAIN))
            }
            Err(e) => Err(unavailable(&e)),
        }
    }
}
