//! `GET /onenote/links?section-id=…&page-id=…`: where a link between pages leads. A OneNote
//! link names its target by the GUIDs of the OneNote client (`section-id`, `page-id`), not by
//! Graph ids, so the page viewer points such links here and the target is looked up when the
//! link is followed: the notebook tree (one OneNote call) gives the section whose own client
//! link carries that `section-id`, its page list (one more) the page with that `page-id`; the
//! answer is a redirect to the page (or, for a link to a section, to the section). Looking up
//! when followed, not when the page is shown, spends the user's OneNote requests only on the
//! links they use.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use graph::onenote::{Links, NotebookTree, Section};
use onenote_md::PageLink;
use serde::Deserialize;

use super::access::OneNote;
use super::location::{At, base};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::extract::{AppQuery, SignedIn};

/// The app URL the page viewer gives a link between pages, or `None` when the link names
/// nothing this route can look up.
pub fn href(ctx: &RequestContext, base: &str, link: &PageLink) -> Option<String> {
    let section = link.section_id.as_deref().filter(|id| is_guid(id))?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("section-id", section);
    if let Some(page) = link.page_id.as_deref().filter(|id| is_guid(id)) {
        query.append_pair("page-id", page);
    }
    Some(ctx.path(&format!("{base}/links?{}", query.finish())))
}

#[derive(Deserialize)]
pub struct Target {
    #[serde(rename = "section-id")]
    section_id: String,
    #[serde(rename = "page-id")]
    page_id: Option<String>,
}

pub async fn follow(
    State(onenote): State<OneNote>,
    ctx: RequestContext,
    SignedIn(mut session): SignedIn,
    At { location, .. }: At,
    AppQuery(target): AppQuery<Target>,
) -> Result<Response, AppError> {
    let base = base(&location);
    let section_guid = target.section_id.to_ascii_lowercase();
    let page_guid = target.page_id.map(|id| id.to_ascii_lowercase());
    if !is_guid(&section_guid) || page_guid.as_deref().is_some_and(|id| !is_guid(id)) {
        return Err(AppError::BadRequest(
            "a link between pages names its section and page by GUID".into(),
        ));
    }
    let next = match &page_guid {
        Some(page) => format!("{base}/links?section-id={section_guid}&page-id={page}"),
        None => format!("{base}/links?section-id={section_guid}"),
    };
    let found = onenote
        .call_at(
            &mut session,
            &location,
            &next,
            async |graph, token, user| {
                let tree = graph.onenote_tree(token.expose(), &user).await?;
                let Some(section) = section_with(&tree, &section_guid) else {
                    return Ok(None);
                };
                let Some(page_guid) = &page_guid else {
                    return Ok(Some(format!("{base}/sections/{}", section.id)));
                };
                let pages = graph
                    .section_pages(token.expose(), &user, &section.id)
                    .await?;
                Ok(pages
                    .iter()
                    .find(|page| named(&page.links).page_id.as_ref() == Some(page_guid))
                    .map(|page| format!("{base}/pages/{}", page.id)))
            },
        )
        .await?;
    match found {
        Some(path) => Ok(Redirect::to(&ctx.path(&path)).into_response()),
        None => Err(AppError::LinkTargetNotFound),
    }
}

/// The section, anywhere in the user's notebooks, whose client link carries `guid`.
fn section_with<'t>(tree: &'t [NotebookTree], guid: &str) -> Option<&'t Section> {
    fn in_groups<'t>(groups: &'t [graph::onenote::GroupTree], guid: &str) -> Option<&'t Section> {
        groups.iter().find_map(|group| {
            find(&group.sections, guid).or_else(|| in_groups(&group.groups, guid))
        })
    }
    fn find<'t>(sections: &'t [Section], guid: &str) -> Option<&'t Section> {
        sections
            .iter()
            .find(|s| named(&s.links).section_id.as_deref() == Some(guid))
    }
    tree.iter().find_map(|notebook| {
        find(&notebook.sections, guid).or_else(|| in_groups(&notebook.groups, guid))
    })
}

/// What an item's own client link names (its section's and its own GUIDs).
fn named(links: &Links) -> PageLink {
    links
        .one_note_client_url
        .as_ref()
        .and_then(|h| h.href.as_deref())
        .and_then(PageLink::parse)
        .unwrap_or_default()
}

/// A GUID as links carry it once parsed: 32 hex digits in the 8-4-4-4-12 form, lower case.
fn is_guid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}
