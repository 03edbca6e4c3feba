//! `GET /onenote/pages/{id}` (the page, sanitized, with its images served through the app),
//! `…/{id}.md` and `…/{id}.zip` (downloads, see [`super::export`]).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use graph::Location;
use graph::ink_content::PageContent;
use graph::onenote::Page;
use onenote_md::sanitize::{AppUrls, sanitize_page_in_app};

use super::access::OneNote;
use super::export::{markdown_download, zip_download};
use super::location::{At, base};
use super::{readable_time, valid_id};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::extract::SignedIn;
use crate::pages::{Layout, render};
use crate::session::Session;

#[derive(Template)]
#[template(path = "onenote_page.html")]
struct PageView {
    layout: Layout,
    id: String,
    /// Where the page lives (`/onenote`, `/onenote/groups/{id}`, …).
    base: String,
    title: String,
    created: Option<String>,
    modified: Option<String>,
    web_url: Option<String>,
    /// (section id, section name)
    section: Option<(String, String)>,
    /// Sanitized HTML.
    body: String,
    /// The images and attachments the page shows: files a text-only `.md` links but lacks.
    files: usize,
}

/// What the path asks for.
enum Wanted {
    View,
    Markdown,
    Zip,
}

pub async fn page(
    State(onenote): State<OneNote>,
    ctx: RequestContext,
    SignedIn(mut session): SignedIn,
    At { location, id: raw }: At,
) -> Result<Response, AppError> {
    let (id, wanted) = match raw.rsplit_once('.') {
        Some((id, "md")) => (id.to_string(), Wanted::Markdown),
        Some((id, "zip")) => (id.to_string(), Wanted::Zip),
        _ => (raw.clone(), Wanted::View),
    };
    valid_id(&id)?;
    let next = format!("{}/pages/{raw}", base(&location));
    let (meta, content) = onenote
        .call_at(
            &mut session,
            &location,
            &next,
            async |graph, token, user| {
                let meta = graph.page(token.expose(), &user, &id).await?;
                let content = graph
                    .page_content_with_ink(token.expose(), &user, &id)
                    .await?;
                Ok((meta, content))
            },
        )
        .await?;
    match wanted {
        Wanted::View => Ok(view(&ctx, &session, &location, id, &meta, &content)),
        Wanted::Markdown => Ok(markdown_download(&meta, &content)),
        Wanted::Zip => {
            zip_download(&onenote, &mut session, &location, &next, &meta, &content).await
        }
    }
}

fn view(
    ctx: &RequestContext,
    session: &Session,
    location: &Location,
    id: String,
    meta: &Page,
    content: &PageContent,
) -> Response {
    let base = base(location);
    let urls = AppUrls {
        resource: &|rid| ctx.path(&format!("{base}/resources/{rid}")),
        page_link: &|link| super::page_link::href(ctx, &base, link),
    };
    let sanitized = sanitize_page_in_app(&content.html, &urls, content.ink.as_deref());
    let title = match meta.title.as_deref() {
        Some(t) if !t.trim().is_empty() => t.to_string(),
        _ if !sanitized.title.trim().is_empty() => sanitized.title.clone(),
        _ => "Untitled page".to_string(),
    };
    render(
        &PageView {
            layout: Layout::new(ctx, session.user()),
            id,
            base,
            title,
            created: readable_time(meta.created_date_time.as_deref()),
            modified: readable_time(meta.last_modified_date_time.as_deref()),
            web_url: meta
                .links
                .web_url()
                .filter(|u| u.starts_with("https://"))
                .map(str::to_string),
            section: meta
                .parent_section
                .as_ref()
                .filter(|s| onenote_md::is_valid_resource_id(&s.id))
                .map(|s| {
                    (
                        s.id.clone(),
                        s.display_name.clone().unwrap_or_else(|| "Section".into()),
                    )
                }),
            files: sanitized.resources.len(),
            body: sanitized.body_html,
        },
        StatusCode::OK,
    )
}
