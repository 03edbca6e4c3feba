//! `GET /`: who is signed in and where to go; anyone else is sent to sign in.

use axum::http::StatusCode;
use axum::response::Response;

use crate::extract::SignedIn;
use crate::pages::{HomePage, Layout, render};

pub async fn home(SignedIn(session): SignedIn) -> Response {
    let user = session.user().expect("SignedIn has a user");
    render(
        &HomePage {
            layout: Layout::new(Some(user)),
            name: &user.name,
            username: user.username.as_deref().unwrap_or(""),
            tenant: user.tenant_id.as_deref(),
        },
        StatusCode::OK,
    )
}
