//! The HTML pages a browser (or a scripted client) meets at the emulator: sign-in, consent, the
//! second factor (step-up), the error page, the `form_post` auto-submit page and the sign-out
//! page. Askama escapes every value.

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage<'a> {
    pub app_name: &'a str,
    pub action: String,
    pub ticket: &'a str,
    pub username: &'a str,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage<'a> {
    pub app_name: &'a str,
    pub user: &'a str,
    pub action: String,
    pub ticket: &'a str,
    /// (permission, what it allows)
    pub scopes: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "second_factor.html")]
pub struct SecondFactorPage<'a> {
    pub app_name: &'a str,
    pub user: &'a str,
    pub action: String,
    pub ticket: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub code: u32,
    pub error: &'a str,
    pub message: &'a str,
    pub trace_id: String,
    pub correlation_id: String,
    pub timestamp: String,
}

#[derive(Template)]
#[template(path = "form_post.html")]
pub struct FormPostPage<'a> {
    pub action: &'a str,
    pub fields: &'a [(String, String)],
}

#[derive(Template)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage {
    pub front_channel: Vec<String>,
    pub continue_to: Option<String>,
}

/// Renders a page with the headers every emulator page carries.
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = Html(html).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "emulator page failed to render");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "page failed to render",
            )
                .into_response()
        }
    }
}

/// What each permission lets the app do, for the consent page.
pub fn describe_scope(scope: &str) -> &'static str {
    match scope {
        "openid" => "Sign you in",
        "profile" => "View your basic profile",
        "email" => "View your email address",
        "offline_access" => "Maintain access to data you have given it access to",
        "User.Read" => "Sign you in and read your profile",
        "User.ReadBasic.All" => "Read all users' basic profiles",
        "Notes.Read" => "Read your OneNote notebooks",
        "Notes.Create" => "Create your OneNote notebooks",
        "Notes.ReadWrite" => "Read and write your OneNote notebooks",
        "Notes.Read.All" => "Read all OneNote notebooks that you can access",
        "Notes.ReadWrite.All" => "Read and write all OneNote notebooks that you can access",
        _ => "Access data on your behalf",
    }
}
