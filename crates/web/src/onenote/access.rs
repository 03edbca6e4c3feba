//! Calling OneNote for the signed-in user: a token with the OneNote feature's scopes (asking for
//! consent the first time), Graph calls counted against the user's OneNote budget, and one retry
//! with a newer token when Graph rejects the one it got.

use std::future::Future;
use std::sync::Arc;

use graph::{GraphClient, GraphError, Location, RetryPolicy};
use identity::Secret;

use crate::error::AppError;
use crate::features::Feature;
use crate::session::Session;
use crate::tokens::{Tokens, Want};

/// OneNote through Graph, for handlers: `State(onenote): State<OneNote>`.
#[derive(Clone)]
pub struct OneNote {
    tokens: Tokens,
    graph: GraphClient,
    /// The sign-in scopes plus the OneNote feature's.
    scopes: Arc<[String]>,
    /// The same plus what groups' and sites' notebooks need.
    shared_scopes: Arc<[String]>,
}

impl OneNote {
    pub fn new(tokens: Tokens, graph: GraphClient, sign_in_scopes: &[String]) -> OneNote {
        OneNote {
            tokens,
            graph,
            scopes: Feature::OneNote.scopes_with(sign_in_scopes).into(),
            // The shared feature's scopes include OneNote's.
            shared_scopes: Feature::Shared.scopes_with(sign_in_scopes).into(),
        }
    }

    /// The same, waiting longer for throttled calls (a zip download fetches many resources).
    pub fn with_retry(&self, retry: RetryPolicy) -> OneNote {
        OneNote {
            graph: self.graph.with_retry(retry),
            ..self.clone()
        }
    }

    /// Runs `call(graph, token, user)` for the session's user, where `user` is the key the
    /// user's OneNote budget counts under; `next` is the page to come back to if a sign-in or
    /// consent is needed first.
    pub async fn call<T, F, Fut>(
        &self,
        session: &mut Session,
        next: &str,
        call: F,
    ) -> Result<T, AppError>
    where
        F: Fn(GraphClient, Secret, String) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        self.call_at(session, &Location::Me, next, call).await
    }

    /// The same for the notebooks at `location`: a group's or a site's need the shared
    /// feature's permission (asked for the first time here), and count against the same
    /// budget as the user's own. A group or site the user cannot read is "not found", as
    /// another user's page is.
    pub async fn call_at<T, F, Fut>(
        &self,
        session: &mut Session,
        location: &Location,
        next: &str,
        call: F,
    ) -> Result<T, AppError>
    where
        F: Fn(GraphClient, Secret, String) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        let feature = if location.is_me() {
            Feature::OneNote
        } else {
            Feature::Shared
        };
        let graph = self.graph.at(location);
        let result = self
            .with_feature(session, feature, next, |token, user| {
                call(graph.clone(), token, user)
            })
            .await;
        match result {
            // 40003: a group or site the user is not a member of.
            Err(AppError::Graph(GraphError::Forbidden { code, .. }))
                if !location.is_me() && code == "40003" =>
            {
                Err(AppError::NotFound)
            }
            other => other,
        }
    }

    /// Runs `call(graph, token)` with the shared feature's token: finding the user's groups
    /// and sites (no OneNote request is made, so none is counted).
    pub async fn discover<T, F, Fut>(
        &self,
        session: &mut Session,
        next: &str,
        call: F,
    ) -> Result<T, AppError>
    where
        F: Fn(GraphClient, Secret) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        self.with_feature(session, Feature::Shared, next, |token, _| {
            call(self.graph.clone(), token)
        })
        .await
    }

    /// `call(token, user)` with a token for the feature's scopes (asking for them if needed;
    /// and again when Graph refuses a token that lacks them: consent withdrawn).
    async fn with_feature<T, F, Fut>(
        &self,
        session: &mut Session,
        feature: Feature,
        next: &str,
        call: F,
    ) -> Result<T, AppError>
    where
        F: Fn(Secret, String) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        let scopes = match feature {
            Feature::Shared => &self.shared_scopes,
            _ => &self.scopes,
        };
        let want = Want {
            scopes,
            next,
            feature: Some(feature),
        };
        let user = budget_key(session);
        let result = self
            .tokens
            .with_token(session, &want, |token| call(token, user.clone()))
            .await;
        match result {
            Err(AppError::Graph(GraphError::Forbidden { .. })) if !has_scopes(session, feature) => {
                Err(AppError::ConsentNeeded {
                    next: next.to_string(),
                    feature,
                })
            }
            other => other,
        }
    }
}

/// The key OneNote's per-user budget counts under.
fn budget_key(session: &Session) -> String {
    session
        .user()
        .map(|u| u.home_account_id.clone())
        .unwrap_or_else(|| session.key())
}

/// Whether the session's sign-in holds the feature's permissions.
pub fn has_scopes(session: &Session, feature: Feature) -> bool {
    session
        .secrets
        .token_cache
        .as_ref()
        .is_some_and(|c| c.has_scopes(feature.scopes()))
}
