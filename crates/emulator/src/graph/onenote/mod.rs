//! OneNote on Graph (docs/protocol.md §10): the routes under `…/onenote/`, which scopes each needs, and
//! the handlers. A caller only ever sees their own library, so another user's ids answer 404
//! 20102 exactly like ids that exist nowhere.
//!
//! Scopes, as Graph enforces them: reading pages, content and resources needs `Notes.Read`,
//! `Notes.ReadWrite`, `Notes.Read.All` or `Notes.ReadWrite.All`; listing and reading notebooks,
//! section groups and sections also accepts `Notes.Create`; creating pages needs `Notes.Create`,
//! `Notes.ReadWrite` or `Notes.ReadWrite.All`. Without them: 403 with code 40004.
//!
//! Whose OneNote: the emulator models personal notebooks only, and nothing is shared. So
//! `/users/{id|upn}/onenote/…` works for the caller's own user; another user of the same tenant
//! is 403 40003 even with `Notes.Read.All`, and a user of another tenant (or nobody) is 404
//! 20102. App-only tokens are 403 40004 (OneNote ended app-only access in March 2025).

pub mod create;
pub mod entities;
pub mod filter;
pub mod html;
pub mod ink;
pub mod query;
mod seed_links;
pub mod seeding;
pub mod shape;
pub mod store;
pub mod update;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use self::entities::{Kind, View};
use self::shape::ListRequest;
use self::store::plausible_id;
use super::auth::Caller;
use super::error::GraphError;
use super::path::{encode_segment, odata_key};
use super::request::json_response;
use crate::state::Emulator;

const READ: &[&str] = &[
    "Notes.Read",
    "Notes.ReadWrite",
    "Notes.Read.All",
    "Notes.ReadWrite.All",
];
const READ_HIERARCHY: &[&str] = &[
    "Notes.Read",
    "Notes.ReadWrite",
    "Notes.Read.All",
    "Notes.ReadWrite.All",
    "Notes.Create",
];
const CREATE: &[&str] = &["Notes.Create", "Notes.ReadWrite", "Notes.ReadWrite.All"];
const WRITE: &[&str] = &["Notes.ReadWrite", "Notes.ReadWrite.All"];

/// A OneNote request after routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A collection: all of a kind (`parent` = None) or the children of a container.
    List {
        kind: Kind,
        parent: Option<(Kind, String)>,
    },
    Get {
        kind: Kind,
        id: String,
    },
    /// `…/{id}/parentNotebook` and the like.
    Parent {
        kind: Kind,
        id: String,
        nav: &'static str,
    },
    Content {
        page: String,
    },
    Preview {
        page: String,
    },
    Resource {
        id: String,
    },
    ResourceCollection,
    Create {
        section: Option<String>,
    },
    /// `PATCH …/pages/{id}/content`.
    Update {
        page: String,
    },
    /// `DELETE …/pages/{id}`.
    Delete {
        page: String,
    },
}

impl Route {
    /// The scopes any one of which allows this route.
    pub fn scopes(&self) -> &'static [&'static str] {
        match self {
            Route::Create { .. } => CREATE,
            Route::Update { .. } | Route::Delete { .. } => WRITE,
            Route::List { kind, .. } | Route::Get { kind, .. } if *kind != Kind::Page => {
                READ_HIERARCHY
            }
            Route::Parent { .. } => READ_HIERARCHY,
            _ => READ,
        }
    }
}

/// Routes `…/onenote/{rest}` for `method`.
pub fn route(rest: &[String], method: &Method) -> Result<Route, GraphError> {
    let names: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let id = |i: usize| -> Result<String, GraphError> {
        let id = &rest[i];
        if plausible_id(id) {
            Ok(id.clone())
        } else {
            Err(GraphError::onenote_invalid_id(id))
        }
    };
    let get = |route: Route| -> Result<Route, GraphError> {
        if method == Method::GET {
            Ok(route)
        } else {
            Err(GraphError::method_not_allowed(method.as_str(), "GET"))
        }
    };
    let list = |kind, parent| get(Route::List { kind, parent });
    use Kind::*;
    match names.as_slice() {
        ["notebooks"] => list(Notebook, None),
        ["notebooks", _] => get(Route::Get {
            kind: Notebook,
            id: id(1)?,
        }),
        ["notebooks", _, "sections"] => list(Section, Some((Notebook, id(1)?))),
        ["notebooks", _, "sectiongroups"] => list(SectionGroup, Some((Notebook, id(1)?))),
        ["sectiongroups"] => list(SectionGroup, None),
        ["sectiongroups", _] => get(Route::Get {
            kind: SectionGroup,
            id: id(1)?,
        }),
        ["sectiongroups", _, "sections"] => list(Section, Some((SectionGroup, id(1)?))),
        ["sectiongroups", _, "sectiongroups"] => list(SectionGroup, Some((SectionGroup, id(1)?))),
        ["sectiongroups", _, "parentnotebook"] => get(Route::Parent {
            kind: SectionGroup,
            id: id(1)?,
            nav: "parentNotebook",
        }),
        ["sectiongroups", _, "parentsectiongroup"] => get(Route::Parent {
            kind: SectionGroup,
            id: id(1)?,
            nav: "parentSectionGroup",
        }),
        ["sections"] => list(Section, None),
        ["sections", _] => get(Route::Get {
            kind: Section,
            id: id(1)?,
        }),
        ["sections", _, "pages"] => match *method {
            Method::GET => Ok(Route::List {
                kind: Page,
                parent: Some((Section, id(1)?)),
            }),
            Method::POST => Ok(Route::Create {
                section: Some(id(1)?),
            }),
            _ => Err(GraphError::method_not_allowed(method.as_str(), "GET, POST")),
        },
        ["sections", _, "parentnotebook"] => get(Route::Parent {
            kind: Section,
            id: id(1)?,
            nav: "parentNotebook",
        }),
        ["sections", _, "parentsectiongroup"] => get(Route::Parent {
            kind: Section,
            id: id(1)?,
            nav: "parentSectionGroup",
        }),
        ["pages"] => match *method {
            Method::GET => Ok(Route::List {
                kind: Page,
                parent: None,
            }),
            Method::POST => Ok(Route::Create { section: None }),
            _ => Err(GraphError::method_not_allowed(method.as_str(), "GET, POST")),
        },
        ["pages", _] => match *method {
            Method::GET => Ok(Route::Get {
                kind: Page,
                id: id(1)?,
            }),
            Method::DELETE => Ok(Route::Delete { page: id(1)? }),
            _ => Err(GraphError::method_not_allowed(
                method.as_str(),
                "GET, DELETE",
            )),
        },
        ["pages", _, "content" | "$value"] => match *method {
            Method::GET => Ok(Route::Content { page: id(1)? }),
            Method::PATCH => Ok(Route::Update { page: id(1)? }),
            _ => Err(GraphError::method_not_allowed(
                method.as_str(),
                "GET, PATCH",
            )),
        },
        ["pages", _, "preview"] => get(Route::Preview { page: id(1)? }),
        ["pages", _, "parentsection"] => get(Route::Parent {
            kind: Page,
            id: id(1)?,
            nav: "parentSection",
        }),
        ["pages", _, "parentnotebook"] => get(Route::Parent {
            kind: Page,
            id: id(1)?,
            nav: "parentNotebook",
        }),
        ["resources"] => get(Route::ResourceCollection),
        ["resources", _, "$value" | "content"] => get(Route::Resource { id: id(1)? }),
        [] => Err(GraphError::segment_not_found("onenote")),
        _ => Err(GraphError::onenote(
            StatusCode::NOT_FOUND,
            20102,
            format!(
                "Resource not found for the segment '{}'.",
                rest.last().map(String::as_str).unwrap_or("")
            ),
        )),
    }
}

/// Everything a OneNote handler needs about the request.
pub struct Request<'a> {
    pub emu: &'a Emulator,
    pub caller: &'a Caller,
    /// The library's owner (always the caller's own user).
    pub owner: Uuid,
    /// Segments after `onenote`, as sent.
    pub rest: &'a [String],
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
}

/// Answers a routed OneNote request.
pub async fn handle(
    request: Request<'_>,
    route: Route,
    body: Body,
) -> Result<Response, GraphError> {
    let query = query::parse(request.query)?;
    if let Route::Create { section } = route {
        let input = create::read_input(request.headers, body).await?;
        let base_url = request.emu.base_url.as_str();
        let client_id = request.caller.client_id.as_str();
        let result = request
            .emu
            .onenote
            .write(request.owner, |lib| {
                let section = match section {
                    Some(id) => id,
                    None => lib
                        .default_section()
                        .map(|s| s.id.clone())
                        .ok_or_else(GraphError::onenote_not_found)?,
                };
                let id = create::store_page(lib, base_url, &section, client_id, &input)?;
                let view = View { lib, base_url };
                let json = shape::single(&view, Kind::Page, &id, &query::Query::default(), true)?;
                Ok::<_, GraphError>(json)
            })
            .ok_or_else(GraphError::onenote_not_found)??;
        let mut response = json_response(StatusCode::CREATED, result.clone());
        if let Some(location) = result["self"]
            .as_str()
            .and_then(|s| HeaderValue::from_str(s).ok())
        {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return Ok(response);
    }
    if let Route::Update { page } = &route {
        let changes = update::read_changes(body).await?;
        return change_page(&request, page, Some(&changes));
    }
    if let Route::Delete { page } = &route {
        return change_page(&request, page, None);
    }
    let emu = request.emu;
    emu.onenote
        .read(request.owner, |lib| {
            let view = View {
                lib,
                base_url: &emu.base_url,
            };
            read(&view, &request, route, &query)
        })
        .ok_or_else(GraphError::onenote_not_found)?
}

fn read(
    view: &View<'_>,
    request: &Request<'_>,
    route: Route,
    query: &query::Query,
) -> Result<Response, GraphError> {
    let lib = view.lib;
    match route {
        Route::List { kind, parent } => {
            let ids: Vec<String> = match (&kind, &parent) {
                (Kind::Notebook, None) => lib.notebooks.iter().map(|n| n.id.clone()).collect(),
                (Kind::SectionGroup, None) => lib.groups.iter().map(|g| g.id.clone()).collect(),
                (Kind::Section, None) => lib.sections.iter().map(|s| s.id.clone()).collect(),
                (Kind::Page, None) => {
                    let limit = request.emu.settings.onenote_limits().sections_for_all_pages;
                    if lib.sections.len() > limit as usize {
                        return Err(GraphError::onenote(
                            StatusCode::BAD_REQUEST,
                            20266,
                            "The number of maximum sections is exceeded for this request. To get pages for accounts with a high number of sections, we recommend getting pages for one section at a time.",
                        ));
                    }
                    lib.pages.iter().map(|p| p.id.clone()).collect()
                }
                (Kind::Page, Some((_, section))) => {
                    let section = lib
                        .section(section)
                        .ok_or_else(GraphError::onenote_not_found)?;
                    lib.pages_of_section(&section.id)
                        .map(|p| p.id.clone())
                        .collect()
                }
                (_, Some((parent_kind, parent_id))) => {
                    view.entity(*parent_kind, parent_id, false)
                        .ok_or_else(GraphError::onenote_not_found)?;
                    view.children(*parent_kind, parent_id, kind.collection())
                }
            };
            let context_path = match &parent {
                None => kind.collection().to_string(),
                Some((parent_kind, parent_id)) => format!(
                    "{}('{}')/{}",
                    parent_kind.collection(),
                    odata_key(parent_id),
                    kind.collection()
                ),
            };
            let next_base = format!(
                "{}/{}",
                view.root(),
                request
                    .rest
                    .iter()
                    .map(|s| encode_segment(s))
                    .collect::<Vec<_>>()
                    .join("/")
            );
            let pagelevel_allowed = kind == Kind::Page && parent.is_some();
            let json = shape::list(
                view,
                ListRequest {
                    kind,
                    ids,
                    context_path,
                    next_base,
                    pagelevel_allowed,
                },
                query,
            )?;
            Ok(json_response(StatusCode::OK, json))
        }
        Route::Get { kind, id } => {
            view.entity(kind, &id, false)
                .ok_or_else(GraphError::onenote_not_found)?;
            let json = shape::single(view, kind, &id, query, kind == Kind::Page)?;
            Ok(json_response(StatusCode::OK, json))
        }
        Route::Parent { kind, id, nav } => {
            let (target, parent) = view
                .parent(kind, &id, nav)
                .ok_or_else(GraphError::onenote_not_found)?;
            let parent = parent.ok_or_else(GraphError::onenote_not_found)?;
            let json = shape::single(view, target, &parent, query, false)?;
            Ok(json_response(StatusCode::OK, json))
        }
        Route::Content { page } => {
            let page = lib.page(&page).ok_or_else(GraphError::onenote_not_found)?;
            let html = html::render_page(
                &page.title,
                &page.lang,
                page.created,
                &page.body,
                query.include_ids.then(|| page.id_guid()),
            );
            if query.include_ink && !page.ink.is_empty() {
                let boundary = store::derived_uuid(&["ink-boundary", &page.id]);
                let (content_type, body) = ink::multipart(&html, &page.ink, boundary);
                return Ok(([(header::CONTENT_TYPE, content_type)], body).into_response());
            }
            Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
        }
        Route::Preview { page } => {
            let page = lib.page(&page).ok_or_else(GraphError::onenote_not_found)?;
            Ok(json_response(
                StatusCode::OK,
                json!({
                    "@odata.context": format!("{}/v1.0/$metadata#microsoft.graph.onenotePagePreview", view.base_url),
                    "previewText": html::preview_text(&page.body),
                    "links": {"previewImageUrl": {"href": null}},
                }),
            ))
        }
        Route::Resource { id } => {
            let resource = lib
                .resource(&id)
                .ok_or_else(GraphError::onenote_not_found)?;
            Ok((
                [(header::CONTENT_TYPE, "application/octet-stream")],
                resource.bytes.clone(),
            )
                .into_response())
        }
        Route::ResourceCollection => Err(GraphError::onenote(
            StatusCode::BAD_REQUEST,
            20111,
            "Getting a collection of resources is not supported.",
        )),
        Route::Create { .. } | Route::Update { .. } | Route::Delete { .. } => {
            Err(GraphError::onenote_not_found())
        }
    }
}

/// Applies a PATCH (`changes`) or a DELETE (`None`) to a page; both answer 204 and make the
/// page's section (and what holds it) modified now, the page too when it remains.
fn change_page(
    request: &Request<'_>,
    page_id: &str,
    changes: Option<&[update::Change]>,
) -> Result<Response, GraphError> {
    let now = time::OffsetDateTime::now_utc();
    let base_url = request.emu.base_url.as_str();
    request
        .emu
        .onenote
        .write(request.owner, |lib| {
            let Some(changes) = changes else {
                return if lib.remove_page(page_id, now) {
                    Ok(())
                } else {
                    Err(GraphError::onenote_not_found())
                };
            };
            let existing = lib.resources_of(page_id);
            let owner_path = lib.owner.key_path(str::to_string);
            let index = lib
                .pages
                .iter()
                .position(|p| p.id.eq_ignore_ascii_case(page_id))
                .ok_or_else(GraphError::onenote_not_found)?;
            let section_guid = lib
                .section(&lib.pages[index].section)
                .map(|s| s.guid)
                .unwrap_or_default();
            let mut page = lib.pages[index].clone();
            let mut sink = store::NewResources {
                base_url,
                owner_path: &owner_path,
                page_id: &page.id.clone(),
                section_guid,
                existing,
                made: Vec::new(),
            };
            let content_changed = update::apply(&mut page, changes, &mut sink)?;
            let made = sink.made;
            if content_changed {
                page.modified = now.max(page.modified);
            }
            let section = page.section.clone();
            lib.pages[index] = page;
            lib.add_resources(made);
            lib.touch_section(&section, now);
            Ok(())
        })
        .ok_or_else(GraphError::onenote_not_found)??;
    Ok(StatusCode::NO_CONTENT.into_response())
}
