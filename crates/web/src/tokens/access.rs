//! Access tokens for a user, whatever holds their cache: choosing the cached token, refreshing
//! once at a time across instances, and one retry when Graph refuses a token (see the module
//! above for the whole story).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use graph::GraphError;
use identity::{IdentityClient, IdentityError, Rejection, Secret, TokenCache};

use crate::clock::now;
use crate::session::{AnyStore, LockToken, SessionStore, Sessions, StoreError};
use crate::single_flight::SingleFlight;

/// How long one instance may hold the cross-instance refresh lock.
const LOCK_TTL_MS: u64 = 15_000;
/// How long to wait for another instance's refresh before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(15);

/// Where a user's token cache is kept. The token path reads, locks and writes it only through
/// this, so a page view and an export job refresh alike.
pub trait TokenHome: Send {
    /// The refresh lock's name: the same for everyone sharing this cache, on every instance.
    fn lock_name(&self) -> String;
    /// The cache as this caller has it now (it may be behind the store).
    fn cache(&self) -> Option<&TokenCache>;
    /// Reads the cache again from the store: another request or instance may have changed it.
    fn reload(&mut self) -> impl Future<Output = Result<(), TokenError>> + Send;
    /// Keeps `cache` as the user's, in the store.
    fn save(&mut self, cache: TokenCache) -> impl Future<Output = Result<(), TokenError>> + Send;
}

/// Only the user can go on.
#[derive(Debug)]
pub enum UserNeeded {
    /// The provider wants the user's consent to the scopes (the error says which kind).
    Consent(IdentityError),
    /// The user must sign in again; that sign-in must ask for `claims` (JSON text) when given.
    SignIn { claims: Option<String> },
}

/// Why there is no access token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("only the user can go on")]
    UserNeeded(UserNeeded),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another home's store failed (an export owner's sealed cache, in the job store).
    #[error("the store of the user's token cache failed")]
    Home(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The provider failed in a way a later try may not (it is down, a bad answer).
    #[error(transparent)]
    Provider(#[from] IdentityError),
}

/// Why a call made through the token path failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Graph(#[from] GraphError),
}

/// Access tokens for users: the identity client, and the locks that make each cache refresh
/// once at a time.
#[derive(Clone)]
pub struct Tokens {
    identity: Arc<IdentityClient>,
    /// The session store: its cross-instance locks, and the browser sessions' caches.
    pub(super) sessions: Arc<Sessions>,
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

    /// Runs `call` with an access token for `scopes` from `home`; when Graph refuses the token,
    /// gets a newer one (meeting Graph's claims challenge, if it sent one) and tries once more.
    /// A second refusal means a refresh could not satisfy Graph: only a sign-in can.
    pub async fn call<H, T, F, Fut>(
        &self,
        home: &mut H,
        scopes: &[String],
        call: F,
    ) -> Result<T, CallError>
    where
        H: TokenHome,
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        let token = self.access_token(home, scopes, None).await?;
        let claims = match call(token.clone()).await {
            Err(GraphError::Unauthorized { claims, .. }) => claims,
            other => return Ok(other?),
        };
        let rejection = Rejection {
            token: &token,
            claims: claims.as_deref(),
        };
        let token = self.access_token(home, scopes, Some(rejection)).await?;
        match call(token).await {
            Err(GraphError::Unauthorized { claims: again, .. }) => {
                tracing::info!(
                    claims = again.is_some(),
                    "Graph refused a token obtained for it; only a new sign-in can go on"
                );
                let claims = again.or(claims);
                Err(TokenError::UserNeeded(UserNeeded::SignIn { claims }).into())
            }
            other => Ok(other?),
        }
    }

    /// An access token for `scopes` from `home`. `rejected`: a token Graph just refused, with
    /// its claims challenge; it (and what is older) is never returned again.
    pub async fn access_token<H: TokenHome>(
        &self,
        home: &mut H,
        scopes: &[String],
        rejected: Option<Rejection<'_>>,
    ) -> Result<Secret, TokenError> {
        if let Some(token) = chosen(home, scopes, rejected) {
            return Ok(token);
        }
        let name = home.lock_name();
        let local = self.flights.lock_for(&name);
        let _local = local.lock().await;
        let store_lock = self.acquire_store_lock(&name).await?;
        // Released only after the refresh is saved: a waiter, on any instance, then reads it.
        let result = self.refresh_locked(home, scopes, rejected).await;
        if let Some(token) = store_lock {
            let _ = self.store().unlock(&name, token).await;
        }
        result
    }

    fn store(&self) -> &AnyStore {
        &self.sessions.store
    }

    async fn acquire_store_lock(&self, name: &str) -> Result<Option<LockToken>, StoreError> {
        let started = Instant::now();
        loop {
            if let Some(token) = self.store().try_lock(name, LOCK_TTL_MS).await? {
                return Ok(Some(token));
            }
            if started.elapsed() > LOCK_WAIT {
                // The holder died without unlocking; its lock expires by itself. Go ahead.
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn refresh_locked<H: TokenHome>(
        &self,
        home: &mut H,
        scopes: &[String],
        rejected: Option<Rejection<'_>>,
    ) -> Result<Secret, TokenError> {
        // Someone may have refreshed while this caller waited (meeting the same challenge, if
        // there was one: Graph challenges every request of a user alike): look again.
        home.reload().await?;
        let Some(mut cache) = home.cache().cloned() else {
            return Err(TokenError::UserNeeded(UserNeeded::SignIn { claims: None }));
        };
        let forgot = rejected.is_some_and(|r| cache.forget_rejected(r.token));
        if let Some(token) = cache.choose(scopes, rejected, now()).cloned() {
            if forgot {
                // Every instance should know what Graph refused: saved with the cache.
                home.save(cache).await?;
            }
            return Ok(token.secret);
        }
        let claims = rejected.and_then(|r| r.claims);
        if claims.is_some() {
            tracing::info!("Graph sent a claims challenge; refreshing with its claims");
        }
        match self.identity.refresh(&cache, scopes, claims, now()).await {
            Ok(updated) => {
                // The token this refresh obtained, whatever else the cache holds.
                let token = updated
                    .newest()
                    .map(|t| t.secret.clone())
                    .ok_or_else(|| IdentityError::BadTokenResponse("no access token".into()))?;
                home.save(updated).await?;
                tracing::info!("access token refreshed");
                crate::metrics::refresh("success");
                Ok(token)
            }
            Err(e) => {
                let consent = e.token_error().is_some_and(|t| t.needs_consent());
                if consent {
                    crate::metrics::refresh("consent");
                    return Err(TokenError::UserNeeded(UserNeeded::Consent(e)));
                }
                if e.needs_interaction() {
                    crate::metrics::refresh("reauthenticate");
                    tracing::info!(error = %crate::error::Chain(&e), "the provider wants a new sign-in");
                    let claims = claims.map(str::to_string);
                    return Err(TokenError::UserNeeded(UserNeeded::SignIn { claims }));
                }
                crate::metrics::refresh("error");
                Err(e.into())
            }
        }
    }
}

/// The token `home`'s cache says to use, if it has one.
fn chosen<H: TokenHome>(
    home: &H,
    scopes: &[String],
    rejected: Option<Rejection<'_>>,
) -> Option<Secret> {
    let cache = home.cache()?;
    cache
        .choose(scopes, rejected, now())
        .map(|t| t.secret.clone())
}
