//! `GET /`: who is signed in and where to go; anyone else is sent to sign in.

use axum::http::StatusCode;
use axum::response::Response;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::extract::SignedIn;
use crate::pages::{HomePage, Layout, render};

pub async fn home(ctx: RequestContext, SignedIn(session): SignedIn) -> Result<Response, AppError> {
    let user = session
        .user()
        .ok_or_else(|| AppError::internal("a signed-in session without a user"))?;
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
