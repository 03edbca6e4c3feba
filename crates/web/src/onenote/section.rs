//! `GET /onenote/sections/{id}[?page=N]`: a section's pages in OneNote's order, indented by
//! subpage level, 50 at a time. One rule for `page`: a whole number from 1 to the section's last
//! screen; anything else is a page that says so (400 for what is not a number, 404 for a screen
//! past the end) with a link to the first screen.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::access::OneNote;
use super::location::{At, base};
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
    /// Where the section's pages are (`/onenote`, `/onenote/groups/{id}`, …).
    base: String,
    section: String,
    notebook: Option<String>,
    pages: Vec<PageRow>,
    page_number: usize,
    /// How many screens the section's pages fill (at least one).
    page_count: usize,
    previous: Option<usize>,
    next: Option<usize>,
}

#[derive(Deserialize)]
pub struct Paging {
    /// 1-based; read here, not by the extractor, so every wrong value gets the same words.
    page: Option<String>,
}

pub async fn section(
    State(onenote): State<OneNote>,
    ctx: RequestContext,
    SignedIn(mut session): SignedIn,
    At { location, id }: At,
    AppQuery(paging): AppQuery<Paging>,
) -> Result<Response, AppError> {
    valid_id(&id)?;
    let base = base(&location);
    let number = match paging.page.as_deref() {
        None => 1,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(AppError::BadRequest(
                    "page= takes a screen number: a whole number from 1. Open the section \
                     without it for its first screen."
                        .into(),
                ));
            }
        },
    };
    let next_path = format!("{base}/sections/{id}");
    let (section, all) = onenote
        .call_at(
            &mut session,
            &location,
            &next_path,
            async |graph, token, user| {
                let section = graph.section(token.expose(), &user, &id).await?;
                let pages = graph.section_pages(token.expose(), &user, &id).await?;
                Ok((section, pages))
            },
        )
        .await?;
    let page_count = all.len().div_ceil(PAGE_SIZE).max(1);
    if number > page_count {
        return Err(AppError::NoSuchScreen {
            asked: number,
            last: page_count,
            section: next_path,
        });
    }
    let start = (number - 1) * PAGE_SIZE;
    let has_more = number < page_count;
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
            base,
            section: section.display_name,
            notebook: section.parent_notebook.and_then(|n| n.display_name),
            pages,
            page_number: number,
            page_count,
            previous: (number > 1).then(|| number - 1),
            next: has_more.then(|| number + 1),
        },
        StatusCode::OK,
    ))
}
