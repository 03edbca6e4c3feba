//! Getting an access token for a request: from the session's cache while it has more than five
//! minutes left, else by refreshing — once per session at a time. Concurrent requests of one
//! session wait for the one refresh in flight (in-process), and with the Redis store a lock in
//! Redis keeps two instances from refreshing the same session at once; whoever waited re-reads
//! the session and uses the token the other one got. A refresh token the provider rejects signs
//! the session out and sends the user through sign-in once, never into a loop.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use std::future::Future;

use graph::GraphError;
use identity::Secret;
use identity::cache::resource_scopes;

use crate::clock::now;
use crate::error::AppError;
use crate::session::{Session, SessionStore};
use crate::state::AppState;

/// How long one instance may hold the cross-instance refresh lock.
const LOCK_TTL_MS: u64 = 15_000;
/// How long to wait for another instance's refresh before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(15);
/// Needing re-authentication again this soon after the last time is a loop.
const LOOP_WINDOW_SECS: i64 = 60;

/// In-process single flight: one async mutex per session key, dropped when nobody holds it.
#[derive(Default)]
pub struct RefreshCoordinator {
    locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
}

impl RefreshCoordinator {
    fn lock_for(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().expect("refresh lock map");
        if let Some(lock) = locks.get(key).and_then(Weak::upgrade) {
            return lock;
        }
        locks.retain(|_, weak| weak.strong_count() > 0);
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        locks.insert(key.to_string(), Arc::downgrade(&lock));
        lock
    }
}

/// Which page to come back to after a sign-in or consent this acquisition may need.
pub struct Want<'a> {
    pub scopes: &'a [String],
    /// App-relative path of the page asking.
    pub next: &'a str,
    /// Named feature for incremental consent (`/login?consent=…`), if the scopes are one.
    pub consent_feature: Option<&'static str>,
}

/// An access token for `want.scopes`. `rejected`: a token the resource just refused (it will
/// not be returned again; a newer one or a refresh is needed).
pub async fn access_token(
    state: &AppState,
    session: &mut Session,
    want: &Want<'_>,
    rejected: Option<&Secret>,
) -> Result<Secret, AppError> {
    if let Some(token) = usable(session, want.scopes, rejected) {
        return Ok(token);
    }
    let key = session.key();
    let local = state.refresh.lock_for(&key);
    let _local = local.lock().await;
    let store_lock = acquire_store_lock(state, &key).await?;
    let result = refresh_locked(state, session, want, rejected).await;
    if let Some(token) = store_lock {
        let _ = state.sessions.store.unlock(&key, token).await;
    }
    result
}

/// Runs a Graph call with an access token for `want`; when Graph rejects the token (revoked or
/// expired early), gets a newer one and tries once more.
pub async fn with_token<T, F, Fut>(
    state: &AppState,
    session: &mut Session,
    want: &Want<'_>,
    call: F,
) -> Result<T, AppError>
where
    F: Fn(Secret) -> Fut,
    Fut: Future<Output = Result<T, GraphError>>,
{
    let token = access_token(state, session, want, None).await?;
    match call(token.clone()).await {
        Err(GraphError::Unauthorized { .. }) => {
            let token = access_token(state, session, want, Some(&token)).await?;
            Ok(call(token).await?)
        }
        other => Ok(other?),
    }
}

fn usable(session: &Session, scopes: &[String], rejected: Option<&Secret>) -> Option<Secret> {
    let cache = session.secrets.token_cache.as_ref()?;
    cache
        .usable_access_token(scopes, now())
        .filter(|t| Some(&t.secret) != rejected)
        .map(|t| t.secret.clone())
}

async fn acquire_store_lock(
    state: &AppState,
    key: &str,
) -> Result<Option<crate::session::LockToken>, AppError> {
    let started = Instant::now();
    loop {
        if let Some(token) = state.sessions.store.try_lock(key, LOCK_TTL_MS).await? {
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
    state: &AppState,
    session: &mut Session,
    want: &Want<'_>,
    rejected: Option<&Secret>,
) -> Result<Secret, AppError> {
    // Someone may have refreshed while this request waited: look again.
    state.sessions.reload(session, now()).await?;
    if let Some(token) = usable(session, want.scopes, rejected) {
        return Ok(token);
    }
    let Some(cache) = session.secrets.token_cache.clone() else {
        return Err(AppError::Reauthenticate {
            next: want.next.to_string(),
        });
    };
    match state
        .identity
        .refresh(&cache, want.scopes, None, now())
        .await
    {
        Ok(updated) => {
            let token = updated
                .usable_access_token(want.scopes, now())
                .or_else(|| latest_for(&updated, want.scopes))
                .map(|t| t.secret.clone())
                .ok_or_else(|| {
                    AppError::Internal("the refreshed cache holds no token for the scopes".into())
                })?;
            session.secrets.token_cache = Some(updated);
            state.sessions.save(session, now()).await?;
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
            if consent && let Some(feature) = want.consent_feature {
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
                tracing::info!(error = %e, looping, "refresh token no longer accepted; signing the session out");
                session.sign_out_locally();
                session.record.reauth_requested_at = Some(now);
                state.sessions.save(session, now).await?;
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

/// The newest token for the scopes even if it is short-lived (the provider may issue tokens
/// under the refresh margin; using one is better than refreshing forever).
fn latest_for<'a>(
    cache: &'a identity::TokenCache,
    scopes: &[String],
) -> Option<&'a identity::cache::CachedAccessToken> {
    let wanted = resource_scopes(scopes);
    cache
        .access_tokens
        .iter()
        .filter(|t| wanted.is_subset(&t.scopes))
        .max_by_key(|t| t.expires_on)
}
