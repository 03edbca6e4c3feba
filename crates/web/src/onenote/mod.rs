//! The OneNote pages: notebooks, a section's pages, a page (sanitized), its Markdown and zip
//! downloads, and page resources proxied from Graph. Everything is fetched with the signed-in
//! user's token (asking for `Notes.Read` the first time: incremental consent) and addressed by
//! OneNote ids only — never by a URL the browser supplies.

pub mod export;
pub mod notebooks;
pub mod page;
pub mod resource;
pub mod section;

use std::future::Future;

use graph::GraphError;
use identity::Secret;

use crate::error::AppError;
use crate::session::Session;
use crate::state::AppState;
use crate::tokens::{Want, with_token};

/// The scopes OneNote pages need: the sign-in scopes plus `Notes.Read`.
fn onenote_scopes(state: &AppState) -> Vec<String> {
    let mut scopes = state.config.scopes.clone();
    if !scopes.iter().any(|s| s.eq_ignore_ascii_case("Notes.Read")) {
        scopes.push("Notes.Read".into());
    }
    scopes
}

/// Whether `id` can be a OneNote id (letters, digits, `-`, `!`, `_`, `.`). Anything else is
/// answered 404 before Graph is asked.
pub fn valid_id(id: &str) -> Result<(), AppError> {
    if onenote_md::is_valid_resource_id(id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The user key OneNote's per-user budget counts under.
fn budget_key(session: &Session) -> String {
    session
        .user()
        .map(|u| u.home_account_id.clone())
        .unwrap_or_else(|| session.key())
}

/// Runs a Graph call with a OneNote token; when Graph rejects the token (expired or revoked
/// early), gets a new one and tries once more.
pub async fn with_onenote_token<T, F, Fut>(
    state: &AppState,
    session: &mut Session,
    next: &str,
    call: F,
) -> Result<T, AppError>
where
    F: Fn(Secret, String) -> Fut,
    Fut: Future<Output = Result<T, GraphError>>,
{
    let scopes = onenote_scopes(state);
    let want = Want {
        scopes: &scopes,
        next,
        consent_feature: Some("onenote"),
    };
    let user = budget_key(session);
    match with_token(state, session, &want, |token| call(token, user.clone())).await {
        // A token without Notes.Read (consent never given, or withdrawn): ask for it.
        Err(AppError::Graph(GraphError::Forbidden { .. })) if !has_notes_read(session) => {
            Err(AppError::ConsentNeeded {
                next: next.to_string(),
                feature: "onenote",
            })
        }
        other => other,
    }
}

fn has_notes_read(session: &Session) -> bool {
    session
        .secrets
        .token_cache
        .as_ref()
        .is_some_and(|c| c.has_scopes(&["Notes.Read"]))
}

/// A date-time from Graph as people read it: `2025-01-02 09:00 UTC`.
pub fn readable_time(value: Option<&str>) -> Option<String> {
    let value = value?;
    let (date, rest) = value.split_once('T')?;
    let time: String = rest.chars().take(5).collect();
    Some(format!("{date} {time} UTC"))
}
