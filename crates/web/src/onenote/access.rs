//! Calling OneNote for the signed-in user: a token with the OneNote feature's scopes (asking for
//! consent the first time), Graph calls counted against the user's OneNote budget, and one retry
//! with a newer token when Graph rejects the one it got.

use std::future::Future;
use std::sync::Arc;

use graph::{GraphClient, GraphError, RetryPolicy};
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
}

impl OneNote {
    pub fn new(tokens: Tokens, graph: GraphClient, sign_in_scopes: &[String]) -> OneNote {
        OneNote {
            tokens,
            graph,
            scopes: Feature::OneNote.scopes_with(sign_in_scopes).into(),
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
        let want = Want {
            scopes: &self.scopes,
            next,
            feature: Some(Feature::OneNote),
        };
        let user = budget_key(session);
        let graph = &self.graph;
        let result = self
            .tokens
            .with_token(session, &want, |token| {
                call(graph.clone(), token, user.clone())
            })
            .await;
        match result {
            // A token without the feature's scopes (consent never given, or withdrawn): ask.
            Err(AppError::Graph(GraphError::Forbidden { .. })) if !has_onenote_scopes(session) => {
                Err(AppError::ConsentNeeded {
                    next: next.to_string(),
                    feature: Feature::OneNote,
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

fn has_onenote_scopes(session: &Session) -> bool {
    session
        .secrets
        .token_cache
        .as_ref()
        .is_some_and(|c| c.has_scopes(Feature::OneNote.scopes()))
}
