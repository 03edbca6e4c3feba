//! `GET /onenote/sections/{id}[?page=N]`: a section's pages in OneNote's order, indented by
//! subpage level, 50 at a time.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::access::OneNote;
use super::{readable_time, valid_id};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::extract::{AppQuery, SignedIn};
use crate::pages::{Layout, render};

/// Pages per screen.
pub const PAGE_SIZE: usize = 50;

pub struct PageRow {
    pub id: String,
    pub title: String,
    pub level: i32,
    pub modified: String,
}

#[derive(Template)]
#[template(path = "onenote_section.html")]
struct SectionPage {
    layout: Layout,
    section_id: String,
    section: String,
    notebook: Option<String>,
    pages: Vec<PageRow>,
    page_number: usize,
    previous: Option<usize>,
    next: Option<usize>,
}

#[derive(Deserialize)]
pub struct Paging {
    /// 1-based; a value that is not a whole number is refused by the extractor (400 page).
    page: Option<usize>,
}

pub async fn section(
    State(onenote): State<OneNote>,
    ctx: RequestContext,
    SignedIn(mut session): SignedIn,
    Path(id): Path<String>,
    AppQuery(paging): AppQuery<Paging>,
) -> Result<Response, AppError> {
    valid_id(&id)?;
    let number = match paging.page {
        None => 1,
        Some(n) if (1..=10_000).contains(&n) => n,
        Some(n) => {
            return Err(AppError::BadRequest(format!(
                "page={n} is not a page number"
            )));
        }
    };
    let next_path = format!("/onenote/sections/{id}");
    let (section, all) = onenote
        .call(&mut session, &next_path, async |graph, token, user| {
            let section = graph.section(token.expose(), &user, &id).await?;
            let pages = graph.section_pages(token.expose(), &user, &id).await?;
            Ok((section, pages))
        })
        .await?;
    let start = (number - 1) * PAGE_SIZE;
    let has_more = all.len() > start + PAGE_SIZE;
    let pages = all
        .iter()
        .skip(start)
        .take(PAGE_SIZE)
        .map(|p| PageRow {
            id: p.id.clone(),
            title: p.title_or_untitled().to_string(),
            level: p.level.unwrap_or(0).clamp(0, 2),
            modified: readable_time(p.last_modified_date_time.as_deref()).unwrap_or_default(),
        })
        .collect();
    Ok(render(
        &SectionPage {
            layout: Layout::new(&ctx, session.user()),
            section_id: id,
            section: section.display_name,
            notebook: section.parent_notebook.and_then(|n| n.display_name),
            pages,
            page_number: number,
            previous: (number > 1).then(|| number - 1),
            next: has_more.then(|| number + 1),
        },
        StatusCode::OK,
    ))
}
