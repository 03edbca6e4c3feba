//! The route names of the code that goes with the Python sample's OneNote article, so people
//! porting from it find them: `/onenote-demo` (the page list), `/onenotepage?page_url=…` (a
//! page) and `/onenotepagemd?page_url=…` (its Markdown), where `page_url` is a Graph
//! page-content URL. They lead to graphnote's own routes.
//!
//! `page_url` is never fetched as given: it is parsed, and only a page id of the signed-in user
//! on the configured Graph endpoint comes out of it — another host, another user's page, a path
//! that is not a page's content, or an id with anything odd in it is a 400 page. The page itself
//! is then read as every page is, by id, with the user's own token.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::extract::{AppQuery, SignedIn};
use crate::session::UserSummary;

#[derive(Deserialize)]
pub struct PageUrl {
    page_url: Option<String>,
}

/// `GET /onenote-demo`: the notebooks and their pages.
pub async fn onenote_demo(ctx: RequestContext) -> Response {
    Redirect::to(&ctx.path("/onenote")).into_response()
}

/// `GET /onenotepage?page_url=…`: the page, as `/onenote/pages/{id}` shows it.
pub async fn onenote_page(
    State(config): State<Arc<Config>>,
    ctx: RequestContext,
    SignedIn(session): SignedIn,
    AppQuery(query): AppQuery<PageUrl>,
) -> Result<Response, AppError> {
    let id = page_id(&query, &config.graph_endpoint, session.user())?;
    Ok(Redirect::to(&ctx.path(&format!("/onenote/pages/{id}"))).into_response())
}

/// `GET /onenotepagemd?page_url=…`: the page's Markdown download.
pub async fn onenote_page_md(
    State(config): State<Arc<Config>>,
    ctx: RequestContext,
    SignedIn(session): SignedIn,
    AppQuery(query): AppQuery<PageUrl>,
) -> Result<Response, AppError> {
    let id = page_id(&query, &config.graph_endpoint, session.user())?;
    Ok(Redirect::to(&ctx.path(&format!("/onenote/pages/{id}.md"))).into_response())
}

fn page_id(
    query: &PageUrl,
    graph_endpoint: &str,
    user: Option<&UserSummary>,
) -> Result<String, AppError> {
    let page_url = query
        .page_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            AppError::BadRequest("page_url is missing: give a Graph page-content URL".into())
        })?;
    parse_page_url(page_url, graph_endpoint, user)
        .map_err(|why| AppError::BadRequest(format!("page_url {why}")))
}

/// The page id in `https://{graph}/v1.0/{me | users/{user} | users('{user}')}/onenote/pages/{id}/content`
/// (or `/$value`), when `{graph}` is the configured endpoint and `{user}` the signed-in user.
fn parse_page_url(
    page_url: &str,
    graph_endpoint: &str,
    user: Option<&UserSummary>,
) -> Result<String, &'static str> {
    let url = url::Url::parse(page_url.trim()).map_err(|_| "is not a URL")?;
    let graph = url::Url::parse(graph_endpoint).map_err(|_| "cannot be checked")?;
    let same_origin = url.scheme() == graph.scheme()
        && url.host_str().map(str::to_ascii_lowercase)
            == graph.host_str().map(str::to_ascii_lowercase)
        && url.port_or_known_default() == graph.port_or_known_default();
    if !same_origin || !url.username().is_empty() || url.password().is_some() {
        return Err("is not on this app's Microsoft Graph endpoint");
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    let (version, rest) = segments.split_first().ok_or("is not a page-content URL")?;
    if !matches!(*version, "v1.0" | "beta") {
        return Err("is not a page-content URL");
    }
    let rest = match rest {
        ["me", rest @ ..] => rest,
        ["users", owner, rest @ ..] => {
            check_owner(owner, user)?;
            rest
        }
        [owner, rest @ ..] if owner.starts_with("users(") => {
            let inner = owner
                .strip_prefix("users(")
                .and_then(|o| o.strip_suffix(')'))
                .map(|o| o.trim_matches(|c| c == '\'' || c == '"'))
                .ok_or("is not a page-content URL")?;
            check_owner(inner, user)?;
            rest
        }
        _ => return Err("is not a page-content URL"),
    };
    match rest {
        ["onenote", "pages", id, "content" | "$value"] if onenote_md::is_valid_resource_id(id) => {
            Ok((*id).to_string())
        }
        _ => Err("is not a page-content URL"),
    }
}

/// `owner` (as written in the URL, maybe percent-encoded) must be the signed-in user: their
/// object id or their user name.
fn check_owner(owner: &str, user: Option<&UserSummary>) -> Result<(), &'static str> {
    let owner = percent_encoding::percent_decode_str(owner)
        .decode_utf8_lossy()
        .to_lowercase();
    let user = user.ok_or("names a user, and no one is signed in")?;
    let object_id = user
        .home_account_id
        .split('.')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let user_name = user.username.as_deref().unwrap_or_default().to_lowercase();
    if (!object_id.is_empty() && owner == object_id)
        || (!user_name.is_empty() && owner == user_name)
    {
        Ok(())
    } else {
        Err("names another user's page")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPH: &str = "https://graph.microsoft.com";
    const ID: &str = "1-7c2e1f4a9b0d4e5f8a6b3c2d1e0f9a8b!12-e4b8a1c2-3d4e-4f50-8a6b-7c8d9e0f1a2b";

    fn ada() -> UserSummary {
        UserSummary {
            home_account_id: "0a4d3bbe-1c2d-4e5f-8a9b-0c1d2e3f4a5b.4a1c2e3f".into(),
            name: "Ada".into(),
            username: Some("ada@contoso.example".into()),
            tenant_id: None,
        }
    }

    #[test]
    fn the_three_spellings_of_a_page_content_url() {
        for url in [
            format!("{GRAPH}/v1.0/me/onenote/pages/{ID}/content"),
            format!("{GRAPH}/v1.0/users/ada@contoso.example/onenote/pages/{ID}/content"),
            format!("{GRAPH}/v1.0/users('ada%40contoso.example')/onenote/pages/{ID}/$value"),
            format!(
                "{GRAPH}/beta/users/0a4d3bbe-1c2d-4e5f-8a9b-0c1d2e3f4a5b/onenote/pages/{ID}/content"
            ),
        ] {
            assert_eq!(
                parse_page_url(&url, GRAPH, Some(&ada())).as_deref(),
                Ok(ID),
                "{url}"
            );
        }
    }

    #[test]
    fn hostile_page_urls_are_refused() {
        for url in [
            format!("https://evil.example/v1.0/me/onenote/pages/{ID}/content"),
            format!("https://graph.microsoft.com.evil.example/v1.0/me/onenote/pages/{ID}/content"),
            format!("https://user@graph.microsoft.com/v1.0/me/onenote/pages/{ID}/content"),
            format!("http://graph.microsoft.com/v1.0/me/onenote/pages/{ID}/content"),
            format!("{GRAPH}:8443/v1.0/me/onenote/pages/{ID}/content"),
            format!("{GRAPH}/v1.0/users/grace@contoso.example/onenote/pages/{ID}/content"),
            format!("{GRAPH}/v1.0/users('grace%40contoso.example')/onenote/pages/{ID}/content"),
            format!("{GRAPH}/v1.0/me/onenote/pages/{ID}/../../resources/x/content"),
            format!("{GRAPH}/v1.0/me/onenote/pages/%2e%2e/content"),
            format!("{GRAPH}/v1.0/me/onenote/pages/{ID}%2F..%2Fx/content"),
            format!("{GRAPH}/v1.0/me/onenote/resources/{ID}/content"),
            format!("{GRAPH}/v1.0/me/drive/root/content"),
            "javascript:alert(1)".into(),
            "not a url".into(),
        ] {
            assert!(parse_page_url(&url, GRAPH, Some(&ada())).is_err(), "{url}");
        }
    }
}
