//! `GET /`: who is signed in and where to go. Anyone else is sent to sign in — except right
//! after signing out (the provider sends the browser back here), when the page says so.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::context::RequestContext;
use crate::error::AppError;
use crate::extract::{MaybeSession, SignedOutMark};
use crate::pages::{HomePage, Layout, SignedOutPage, render};
use crate::session::Sessions;

pub async fn home(
    State(sessions): State<Arc<Sessions>>,
    ctx: RequestContext,
    SignedOutMark(just_signed_out): SignedOutMark,
    MaybeSession(session): MaybeSession,
) -> Result<Response, AppError> {
    let user = session
        .as_ref()
        .filter(|s| s.secrets.token_cache.is_some())
        .and_then(|s| s.user());
    let Some(user) = user else {
        if just_signed_out {
            let page = SignedOutPage {
                layout: Layout::new(&ctx, None),
            };
            let mut response = render(&page, StatusCode::OK).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, sessions.cookie.clear_signed_out_mark());
            return Ok(response);
        }
        return Err(AppError::Reauthenticate { next: "/".into() });
    };
    Ok(render(
        &HomePage {
            layout: Layout::new(&ctx, Some(user)),
            name: &user.name,
            username: user.username.as_deref().unwrap_or(""),
            tenant: user.tenant_id.as_deref(),
        },
        StatusCode::OK,
    ))
}
