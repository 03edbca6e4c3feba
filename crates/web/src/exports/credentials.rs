//! The owner's sign-in, for their exports: a copy of their token cache, sealed (AES-256-GCM
//! under `SESSION_SECRET`, bound to the owner's account id) in the job store, so an export does
//! not depend on any one browser session and any instance can run it.
//!
//! The copy is written when an export starts and whenever the owner signs in while one is not
//! finished, and deleted when they sign out — at `/logout`, or when the provider session it came
//! from ends (front-channel logout) — which pauses their exports until they sign in again.
//!
//! Its tokens come through the app's one token path (`crate::tokens`, the copy being a
//! [`TokenHome`]), exactly as a page view's. When only the owner can go on (the provider wants
//! a new sign-in, or Graph a claims challenge no refresh can meet), the copy is deleted — so no
//! instance calls Graph for the export, nor refreshes, until the owner is back — and the
//! challenge is kept for the owner's next sign-in to ask for ([`Credentials::challenge`]).

use std::sync::Arc;

use identity::TokenCache;

use super::store::{JobError, JobStore};
use crate::session::crypto::Cipher;
use crate::tokens::{TokenError, TokenHome, UserNeeded};

/// The sealed token caches of export owners.
#[derive(Clone)]
pub struct Credentials {
    store: Arc<JobStore>,
    cipher: Arc<Cipher>,
}

pub const SIGNED_OUT: &str =
    "You signed out. Sign in again as the same account and the export goes on where it stopped.";
pub const SIGN_IN_AGAIN: &str = "Microsoft asks you to sign in again before the export can go on. \
     Sign in as the same account and it resumes where it stopped.";

pub const STRONGER_SIGN_IN: &str = "Microsoft asks for a stronger sign-in before the export can go \
     on (a Conditional Access policy, or your sessions were revoked). Sign in again as the same \
     account and it resumes where it stopped.";
pub const CONSENT_NEEDED: &str = "graphnote no longer has your permission to read OneNote. \
     Open OneNote in graphnote, allow it again, and the export goes on.";

fn value_name(owner: &str) -> String {
    format!("credentials:{owner}")
}

/// The claims challenge the owner's next sign-in must ask for.
fn challenge_name(owner: &str) -> String {
    format!("challenge:{owner}")
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
    pub fn new(store: Arc<JobStore>, cipher: Arc<Cipher>) -> Credentials {
        Credentials { store, cipher }
    }

    /// Keeps `cache` as the owner's.
    pub async fn put(&self, owner: &str, cache: &TokenCache) -> Result<(), JobError> {
        let json = serde_json::to_vec(cache).map_err(JobError::Encode)?;
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
    pub async fn provider_session_ended(&self, sid: &str) -> Result<Option<String>, JobError> {
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
    pub async fn remove(&self, owner: &str) -> Result<(), JobError> {
        // The note of which provider session it came from goes with it.
        if let Some(sid) = self.load(owner).await?.and_then(|cache| cache.account.sid) {
            self.store
                .remove_value(&provider_session_name(&sid))
                .await?;
        }
        self.store.remove_value(&value_name(owner)).await
    }

    pub async fn present(&self, owner: &str) -> Result<bool, JobError> {
        Ok(self.store.value(&value_name(owner)).await?.is_some())
    }

    async fn load(&self, owner: &str) -> Result<Option<TokenCache>, JobError> {
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

    /// Only the owner can go on: forget their sign-in (nothing is called for them until they
    /// sign in again) and keep the claims that sign-in must ask for, if any.
    pub async fn owner_needed(&self, owner: &str, claims: Option<&str>) -> Result<(), JobError> {
        if let Some(claims) = claims {
            self.store
                .put_value(&challenge_name(owner), claims.as_bytes())
                .await?;
        }
        self.remove(owner).await
    }

    /// The claims challenge waiting for the owner's next sign-in (not secret: what Graph asked).
    pub async fn challenge(&self, owner: &str) -> Result<Option<String>, JobError> {
        let value = self.store.value(&challenge_name(owner)).await?;
        Ok(value.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// The owner signed in (meeting the challenge, if one was waiting).
    pub async fn challenge_met(&self, owner: &str) -> Result<(), JobError> {
        self.store.remove_value(&challenge_name(owner)).await
    }

    /// The owner's sealed cache as a [`TokenHome`] for the token path.
    pub fn home<'a>(&'a self, owner: &'a str) -> CredentialsHome<'a> {
        CredentialsHome {
            credentials: self,
            owner,
            cache: None,
        }
    }
}

/// An export owner's sealed cache, as the token path sees it.
pub struct CredentialsHome<'a> {
    credentials: &'a Credentials,
    owner: &'a str,
    /// As last read (`None` until read: the first look reloads).
    cache: Option<TokenCache>,
}

impl CredentialsHome<'_> {
    /// Reads the cache, if it has not been read yet.
    pub async fn load(&mut self) -> Result<(), TokenError> {
        if self.cache.is_none() {
            self.reload().await?;
        }
        Ok(())
    }
}

impl TokenHome for CredentialsHome<'_> {
    fn lock_name(&self) -> String {
        value_name(self.owner)
    }

    fn cache(&self) -> Option<&TokenCache> {
        self.cache.as_ref()
    }

    async fn reload(&mut self) -> Result<(), TokenError> {
        self.cache = self
            .credentials
            .load(self.owner)
            .await
            .map_err(store_failed)?;
        Ok(())
    }

    async fn save(&mut self, cache: TokenCache) -> Result<(), TokenError> {
        // The owner signed out while this refresh ran: their sign-in stays forgotten.
        if !self
            .credentials
            .present(self.owner)
            .await
            .map_err(store_failed)?
        {
            return Err(TokenError::UserNeeded(UserNeeded::SignIn { claims: None }));
        }
        self.credentials
            .put(self.owner, &cache)
            .await
            .map_err(store_failed)?;
        self.cache = Some(cache);
        Ok(())
    }
}

/// The job store failed under the token path.
fn store_failed(e: JobError) -> TokenError {
    TokenError::Home(Box::new(e))
}
