//! Getting an access token for a request: from the session's cache while it has more than five
//! minutes left, else by refreshing — once per session at a time. Concurrent requests of one
//! session wait for the one refresh in flight (in-process, [`SingleFlight`]), and with the Redis
//! store a lock in Redis keeps two instances from refreshing the same session at once; whoever
//! waited re-reads the session and uses the token the other one got. A refresh token the
//! provider rejects signs the session out and sends the user through sign-in once, never into a
//! loop.
//!
//! Claims challenges (docs/protocol.md §9.4): when Graph answers 401 `insufficient_claims`
//! (Continuous Access Evaluation revoked the token, or a Conditional Access policy wants a
//! stronger sign-in), the token is refreshed with those `claims`, and the call tried again.
//! When only the user can meet them (the refresh answers `interaction_required`, or the refresh
//! token was revoked too), the challenge is kept in the session and the user sent through
//! sign-in, which asks for it — and comes back to the page.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use graph::GraphError;
use identity::cache::{CachedAccessToken, resource_scopes};
use identity::{IdentityClient, Secret, TokenCache};

use crate::clock::now;
use crate::error::AppError;
use crate::features::Feature;
use crate::session::{ClaimsChallenge, LockToken, Session, SessionStore, Sessions, StoreError};
use crate::single_flight::SingleFlight;

/// How long one instance may hold the cross-instance refresh lock.
const LOCK_TTL_MS: u64 = 15_000;
/// How long to wait for another instance's refresh before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(15);
/// Needing re-authentication again this soon after the last time is a loop.
const LOOP_WINDOW_SECS: i64 = 60;

/// What a page asks for, and where to come back to after a sign-in or consent it may need.
pub struct Want<'a> {
    pub scopes: &'a [String],
    /// App-relative path of the page asking.
    pub next: &'a str,
    /// The feature whose consent the scopes are (`/login?consent=…`), if they are one.
    pub feature: Option<Feature>,
}

/// A token the resource refused, and the claims challenge it sent with the refusal.
#[derive(Clone, Copy)]
pub struct Rejected<'a> {
    pub token: &'a Secret,
    /// The challenge's `claims` (JSON text), already decoded from base64.
    pub claims: Option<&'a str>,
}

/// Access tokens for signed-in sessions: the identity client, the sessions they are kept in, and
/// the single flight that makes each session refresh once at a time.
#[derive(Clone)]
pub struct Tokens {
    identity: Arc<IdentityClient>,
    sessions: Arc<Sessions>,
    flights: Arc<SingleFlight>,
}

impl Tokens {
    pub fn new(identity: Arc<IdentityClient>, sessions: Arc<Sessions>) -> Tokens {
        Tokens {
            identity,
            sessions,
            flights: Arc::new(SingleFlight::default()),
        }
    }

    /// An access token for `want.scopes`. `rejected`: a token the resource just refused (it
    /// will not be returned again; a newer one or a refresh is needed), with the claims
    /// challenge that came with the refusal, if any.
    pub async fn access_token(
        &self,
        session: &mut Session,
        want: &Want<'_>,
        rejected: Option<Rejected<'_>>,
    ) -> Result<Secret, AppError> {
        if let Some(token) = usable(session, want.scopes, rejected.map(|r| r.token)) {
            return Ok(token);
        }
        let key = session.key();
        let local = self.flights.lock_for(&key);
        let _local = local.lock().await;
        let store_lock = self.acquire_store_lock(&key).await?;
        let result = self.refresh_locked(session, want, rejected).await;
        if let Some(token) = store_lock {
            let _ = self.sessions.store.unlock(&key, token).await;
        }
        result
    }

    /// Runs a Graph call with an access token for `want`; when Graph rejects the token
    /// (revoked or expired early), gets a newer one and tries once more.
    pub async fn with_token<T, F, Fut>(
        &self,
        session: &mut Session,
        want: &Want<'_>,
        call: F,
    ) -> Result<T, AppError>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        let token = self.access_token(session, want, None).await?;
        match call(token.clone()).await {
            Err(GraphError::Unauthorized { claims, .. }) => {
                let rejected = Rejected {
                    token: &token,
                    claims: claims.as_deref(),
                };
                let token = self.access_token(session, want, Some(rejected)).await?;
                Ok(call(token).await?)
            }
            other => Ok(other?),
        }
    }

    async fn acquire_store_lock(&self, key: &str) -> Result<Option<LockToken>, AppError> {
        let started = Instant::now();
        loop {
            if let Some(token) = self.sessions.store.try_lock(key, LOCK_TTL_MS).await? {
                return Ok(Some(token));
            }
            if started.elapsed() > LOCK_WAIT {
                // The holder died without unlocking; its lock expires by itself. Go ahead.
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn refresh_locked(
        &self,
        session: &mut Session,
        want: &Want<'_>,
        rejected: Option<Rejected<'_>>,
    ) -> Result<Secret, AppError> {
        // Someone may have refreshed while this request waited (with the same challenge, if
        // there was one: Graph challenges every request of the session alike): look again.
        self.sessions.reload(session, now()).await?;
        if let Some(token) = usable(session, want.scopes, rejected.map(|r| r.token)) {
            return Ok(token);
        }
        let Some(cache) = session.secrets.token_cache.clone() else {
            return Err(AppError::Reauthenticate {
                next: want.next.to_string(),
            });
        };
        let claims = rejected.and_then(|r| r.claims);
        if claims.is_some() {
            tracing::info!("Graph sent a claims challenge; refreshing with its claims");
        }
        match self
            .identity
            .refresh(&cache, want.scopes, claims, now())
            .await
        {
            Ok(updated) => {
                let token = updated
                    .usable_access_token(want.scopes, now())
                    .or_else(|| latest_for(&updated, want.scopes))
                    .map(|t| t.secret.clone())
                    .ok_or_else(|| {
                        AppError::internal("the refreshed cache holds no token for the scopes")
                    })?;
                self.sessions
                    .update(session, now(), |s| {
                        s.secrets_mut().token_cache = Some(updated.clone());
                        Ok::<_, StoreError>(())
                    })
                    .await?;
                tracing::info!("access token refreshed");
                crate::metrics::refresh("success");
                Ok(token)
            }
            Err(e) => {
                let consent = e.token_error().is_some_and(|t| t.needs_consent());
                crate::metrics::refresh(if consent {
                    "consent"
                } else if e.needs_interaction() {
                    "reauthenticate"
                } else {
                    "error"
                });
                if consent && let Some(feature) = want.feature {
                    return Err(AppError::ConsentNeeded {
                        next: want.next.to_string(),
                        feature,
                    });
                }
                if e.needs_interaction() {
                    let now = now();
                    let looping = session
                        .record
                        .reauth_requested_at
                        .is_some_and(|at| now - at < LOOP_WINDOW_SECS);
                    tracing::info!(error = %crate::error::Chain(&e), looping, "refresh token no longer accepted; signing the session out");
                    // The next sign-in must meet the challenge the refresh could not.
                    let challenge = claims.map(|claims| ClaimsChallenge {
                        claims: claims.to_string(),
                        login_hint: cache.account.username.clone(),
                    });
                    self.sessions
                        .update(session, now, |s| {
                            s.sign_out_locally();
                            let record = s.record_mut();
                            record.reauth_requested_at = Some(now);
                            record.challenge = challenge.clone();
                            Ok::<_, StoreError>(())
                        })
                        .await?;
                    if looping {
                        return Err(AppError::ReauthLoop);
                    }
                    return Err(AppError::Reauthenticate {
                        next: want.next.to_string(),
                    });
                }
                Err(e.into())
            }
        }
    }
}

fn usable(session: &Session, scopes: &[String], rejected: Option<&Secret>) -> Option<Secret> {
    let cache = session.secrets.token_cache.as_ref()?;
    cache
        .usable_access_token(scopes, now())
        .filter(|t| Some(&t.secret) != rejected)
        .map(|t| t.secret.clone())
}

/// The newest token for the scopes even if it is short-lived (the provider may issue tokens
/// under the refresh margin; using one is better than refreshing forever).
fn latest_for<'a>(cache: &'a TokenCache, scopes: &[String]) -> Option<&'a CachedAccessToken> {
    let wanted = resource_scopes(scopes);
    cache
        .access_tokens
        .iter()
        .filter(|t| wanted.is_subset(&t.scopes))
        .max_by_key(|t| t.expires_on)
}
