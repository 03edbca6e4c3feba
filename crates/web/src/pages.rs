//! Server-rendered pages (askama templates in `templates/`, escaped by default) and the layout
//! every page shares: the path prefix for links, the signed-in user for the header, and the
//! request id for the footer.

use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::context::RequestContext;
use crate::session::UserSummary;

/// What the shared layout needs.
pub struct Layout {
    pub prefix: Arc<str>,
    pub user: Option<LayoutUser>,
    pub request_id: Option<Arc<str>>,
    /// Whether the header links to the apps connected through the MCP server.
    pub connections: bool,
}

pub struct LayoutUser {
    pub name: String,
    pub username: String,
}

impl Layout {
    /// The layout for a page of this request, showing `user` in the header.
    pub fn new(ctx: &RequestContext, user: Option<&UserSummary>) -> Layout {
        Layout {
            prefix: ctx.prefix.clone(),
            user: user.map(|u| LayoutUser {
                name: u.name.clone(),
                username: u.username.clone().unwrap_or_default(),
            }),
            request_id: Some(ctx.request_id.clone()),
            connections: ctx.mcp,
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub layout: Layout,
    pub name: &'a str,
    pub username: &'a str,
    pub tenant: Option<&'a str>,
}

/// `/` right after signing out.
#[derive(Template)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage {
    pub layout: Layout,
}

#[derive(Template)]
#[template(path = "msal_demo.html")]
pub struct MsalDemoPage {
    pub layout: Layout,
    pub json: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub title: String,
    pub message: String,
    pub detail: Option<String>,
    /// (href, label)
    pub action: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "continue_sign_in.html")]
pub struct ContinueSignInPage {
    pub layout: Layout,
    pub action: String,
    pub fields: Vec<(String, String)>,
}

/// Renders a page; pages are per-user, so they are never cached.
pub fn render(page: &impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => {
            // Room for the security headers too, so the map is allocated once, not grown.
            let mut headers = HeaderMap::with_capacity(2 + crate::security::HEADER_COUNT);
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            let mut response = Response::new(Body::from(html));
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "graphnote could not render this page",
            )
                .into_response()
        }
    }
}
