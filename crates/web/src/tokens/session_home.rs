//! The token path for page views: the cache lives in the browser's session, and when only the
//! user can go on, the session is signed out (keeping the claims the next sign-in must ask for)
//! and the page sends the user through sign-in — or to consent — and back. Needing a new
//! sign-in again within a minute of the last is a loop, and ends on a page instead.

use std::future::Future;

use graph::GraphError;
use identity::{Secret, TokenCache};

use super::access::{CallError, TokenError, TokenHome, Tokens, UserNeeded};
use crate::clock::now;
use crate::error::AppError;
use crate::features::Feature;
use crate::session::{ClaimsChallenge, Session, Sessions, StoreError};

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

/// A browser session as the home of a token cache.
struct SessionHome<'a> {
    sessions: &'a Sessions,
    session: &'a mut Session,
}

impl TokenHome for SessionHome<'_> {
    fn lock_name(&self) -> String {
        self.session.key()
    }

    fn cache(&self) -> Option<&TokenCache> {
        self.session.secrets.token_cache.as_ref()
    }

    async fn reload(&mut self) -> Result<(), TokenError> {
        Ok(self.sessions.reload(self.session, now()).await?)
    }

    async fn save(&mut self, cache: TokenCache) -> Result<(), TokenError> {
        self.sessions
            .update(self.session, now(), |s| {
                s.secrets_mut().token_cache = Some(cache.clone());
                Ok::<_, StoreError>(())
            })
            .await?;
        Ok(())
    }
}

impl Tokens {
    /// Runs a Graph call for the session's user with an access token for `want` (see
    /// [`Tokens::call`]); when only the user can go on, the error sends them to sign in or
    /// consent and back to `want.next`.
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
        let mut home = SessionHome {
            sessions: &self.sessions,
            session,
        };
        match self.call(&mut home, want.scopes, call).await {
            Ok(value) => Ok(value),
            Err(CallError::Graph(e)) => Err(e.into()),
            Err(CallError::Token(e)) => Err(self.page_error(session, want, e).await),
        }
    }

    /// What the page answers when there is no token.
    async fn page_error(&self, session: &mut Session, want: &Want<'_>, e: TokenError) -> AppError {
        let need = match e {
            TokenError::UserNeeded(need) => need,
            TokenError::Store(e) => return e.into(),
            TokenError::Home(e) => return AppError::internal_because("token cache store", e),
            TokenError::Provider(e) => return e.into(),
        };
        let claims = match need {
            UserNeeded::Consent(e) => {
                return match want.feature {
                    Some(feature) => AppError::ConsentNeeded {
                        next: want.next.to_string(),
                        feature,
                    },
                    // Consent to the sign-in's own scopes: the provider's page says what to do.
                    None => e.into(),
                };
            }
            UserNeeded::SignIn { claims } => claims,
        };
        if session.secrets.token_cache.is_none() {
            // A concurrent request got the provider's answer first and signed the session out
            // (keeping any challenge for the sign-in): this one just goes along. Counting it as
            // a second re-authentication would call a burst of requests a loop.
            return AppError::Reauthenticate {
                next: want.next.to_string(),
            };
        }
        let now = now();
        let looping = session
            .record
            .reauth_requested_at
            .is_some_and(|at| now - at < LOOP_WINDOW_SECS);
        tracing::info!(looping, "the session needs a new sign-in; signing it out");
        // The next sign-in must meet the challenge the refresh could not.
        let login_hint = session
            .secrets
            .token_cache
            .as_ref()
            .and_then(|c| c.account.username.clone());
        let challenge = claims.map(|claims| ClaimsChallenge { claims, login_hint });
        let signed_out = self
            .sessions
            .update(session, now, |s| {
                s.sign_out_locally();
                let record = s.record_mut();
                record.reauth_requested_at = Some(now);
                record.challenge = challenge.clone();
                Ok::<_, StoreError>(())
            })
            .await;
        if let Err(e) = signed_out {
            return e.into();
        }
        if looping {
            return AppError::ReauthLoop;
        }
        AppError::Reauthenticate {
            next: want.next.to_string(),
        }
    }
}
