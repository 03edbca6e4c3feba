//! `GET /onenote`: the user's notebooks with their section groups (nested) and sections — and,
//! once the user has allowed it, the notebooks of their groups (teams) and of the SharePoint
//! sites they follow, each place with its own notebooks. `GET /onenote/shared` asks for that
//! permission (incremental consent: only when the user opens the shared part) and comes back.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use graph::onenote::{GroupTree, NotebookTree, Section};
use graph::{Location, SharedPlace};

use super::access::{OneNote, has_scopes};
use super::location::base;
use crate::context::RequestContext;
use crate::csrf::Csrf;
use crate::error::AppError;
use crate::extract::SignedIn;
use crate::features::Feature;
use crate::pages::{Layout, render};
use crate::session::Session;

/// Groups (and sites) shown at most on one page: each costs a OneNote request, from the
/// same hourly allowance as everything else.
const MAX_PLACES: usize = 20;

/// One line of a notebook's outline.
pub struct Row {
    pub depth: usize,
    pub is_section: bool,
    pub id: String,
    pub name: String,
}

pub struct NotebookView {
    pub id: String,
    pub name: String,
    pub is_default: bool,
    /// Where its sections' pages are (`/onenote`, `/onenote/groups/{id}`, …).
    pub base: String,
    /// Its place for the Export forms (`group:{id}`, `site:{id}`; none for the user's own).
    pub location: Option<String>,
    pub rows: Vec<Row>,
}

/// A group or site and its notebooks.
pub struct PlaceView {
    pub name: String,
    pub is_team: bool,
    pub notebooks: Vec<NotebookView>,
    /// Why its notebooks could not be listed, in words.
    pub problem: Option<String>,
}

/// The shared part of the page.
pub struct Shared {
    /// Whether the user has allowed graphnote to read shared notebooks.
    pub allowed: bool,
    pub groups: Vec<PlaceView>,
    pub sites: Vec<PlaceView>,
    /// Groups and sites left out (over [`MAX_PLACES`] each).
    pub not_shown: usize,
}

#[derive(Template)]
#[template(path = "onenote_index.html")]
struct IndexPage {
    layout: Layout,
    notebooks: Vec<NotebookView>,
    shared: Shared,
    /// For the Export buttons' forms.
    csrf: String,
}

pub async fn index(
    State(onenote): State<OneNote>,
    State(csrf): State<std::sync::Arc<Csrf>>,
    ctx: RequestContext,
    SignedIn(mut session): SignedIn,
) -> Result<Response, AppError> {
    let trees = onenote
        .call(&mut session, "/onenote", async |graph, token, user| {
            graph.onenote_tree(token.expose(), &user).await
        })
        .await?;
    let notebooks = views(trees, &Location::Me);
    let shared = shared_part(&onenote, &mut session).await?;
    Ok(render(
        &IndexPage {
            layout: Layout::new(&ctx, session.user()),
            notebooks,
            shared,
            csrf: csrf.token(&session),
        },
        StatusCode::OK,
    ))
}

/// `GET /onenote/shared`: asks for the shared notebooks' permission if it is not granted yet
/// (the consent comes back here), then shows them on `/onenote`.
pub async fn shared(
    State(onenote): State<OneNote>,
    ctx: RequestContext,
    SignedIn(mut session): SignedIn,
) -> Result<Response, AppError> {
    onenote
        .discover(&mut session, "/onenote/shared", async |graph, token| {
            graph.my_groups(token.expose()).await
        })
        .await?;
    Ok(Redirect::to(&ctx.path("/onenote#shared")).into_response())
}

/// The groups and sites with their notebooks, when the user has allowed it.
async fn shared_part(onenote: &OneNote, session: &mut Session) -> Result<Shared, AppError> {
    if !has_scopes(session, Feature::Shared) {
        return Ok(Shared {
            allowed: false,
            groups: vec![],
            sites: vec![],
            not_shown: 0,
        });
    }
    let (groups, sites) = onenote
        .discover(session, "/onenote", async |graph, token| {
            let groups = graph.my_groups(token.expose()).await?;
            let sites = graph.followed_sites(token.expose()).await?;
            Ok((groups, sites))
        })
        .await?;
    let not_shown =
        groups.len().saturating_sub(MAX_PLACES) + sites.len().saturating_sub(MAX_PLACES);
    let (mut shown_groups, mut shown_sites) = (Vec::new(), Vec::new());
    // Once OneNote's limit (or graphnote's pacing within it) holds one place back, the rest
    // are not asked for: each would wait its turn in vain, and the page would take minutes.
    let mut limited = false;
    for place in groups
        .iter()
        .take(MAX_PLACES)
        .chain(sites.iter().take(MAX_PLACES))
    {
        let view = if limited {
            Some(PlaceView {
                name: place.name.clone(),
                is_team: place.is_team,
                notebooks: vec![],
                problem: Some(NOT_LISTED.into()),
            })
        } else {
            place_view(onenote, session, place).await?
        };
        if let Some(view) = view {
            limited |= view.problem.as_deref() == Some(LIMITED);
            match place.location {
                Location::Site(_) => shown_sites.push(view),
                _ => shown_groups.push(view),
            }
        }
    }
    Ok(Shared {
        allowed: true,
        groups: shown_groups,
        sites: shown_sites,
        not_shown,
    })
}

/// A place with its notebooks; `None` for one without notebooks (or without a notebook
/// store: Graph answers 404 for a group whose site was never made).
async fn place_view(
    onenote: &OneNote,
    session: &mut Session,
    place: &SharedPlace,
) -> Result<Option<PlaceView>, AppError> {
    let listed = onenote
        .call_at(
            session,
            &place.location,
            "/onenote",
            async |graph, token, user| graph.onenote_tree(token.expose(), &user).await,
        )
        .await;
    let (notebooks, problem) = match listed {
        Ok(trees) if trees.is_empty() => return Ok(None),
        Ok(trees) => (views(trees, &place.location), None),
        Err(AppError::NotFound) => return Ok(None),
        Err(AppError::Graph(e)) => (vec![], Some(problem(&e))),
        Err(other) => return Err(other),
    };
    Ok(Some(PlaceView {
        name: place.name.clone(),
        is_team: place.is_team,
        notebooks,
        problem,
    }))
}

/// A place's notebooks not listed because OneNote's limit held them back.
const LIMITED: &str =
    "OneNote's limit for your account is reached for now: reload this page in a few minutes.";
/// A place not asked for after that.
const NOT_LISTED: &str = "Not listed, to save your OneNote allowance: OneNote's limit for your \
                          account is reached for now. Reload this page in a few minutes.";

/// What a failed listing of one place tells the user.
fn problem(e: &graph::GraphError) -> String {
    match e {
        graph::GraphError::Throttled { .. } | graph::GraphError::Paced { .. } => LIMITED.into(),
        _ => "OneNote could not list these notebooks just now.".into(),
    }
}

fn views(trees: Vec<NotebookTree>, location: &Location) -> Vec<NotebookView> {
    trees
        .into_iter()
        .map(|tree| {
            let mut rows = Vec::new();
            outline(&tree.sections, &tree.groups, 0, &mut rows);
            NotebookView {
                id: tree.notebook.id,
                name: tree.notebook.display_name,
                is_default: tree.notebook.is_default,
                base: base(location),
                location: location.tagged(),
                rows,
            }
        })
        .collect()
}

/// Sections first, then each group with what it holds, one level deeper.
fn outline(sections: &[Section], groups: &[GroupTree], depth: usize, rows: &mut Vec<Row>) {
    for s in sections {
        rows.push(Row {
            depth,
            is_section: true,
            id: s.id.clone(),
            name: s.display_name.clone(),
        });
    }
    for g in groups {
        rows.push(Row {
            depth,
            is_section: false,
            id: g.group.id.clone(),
            name: g.group.display_name.clone(),
        });
        outline(&g.sections, &g.groups, (depth + 1).min(5), rows);
    }
}
