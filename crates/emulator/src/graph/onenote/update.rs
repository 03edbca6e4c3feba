//! `PATCH …/pages/{id}/content`: the JSON array of changes OneNote applies to a page
//! (docs/protocol.md §10.9). Each change names a `target` — `body` (the page's first `div`),
//! `title`, `#{data-id}` (an id the client set) or a generated id from `includeIDs=true` output
//! (`p:{guid}{7}`) — and an `action`: `append` (as the target's last child, or first with
//! `position: before`), `prepend`, `insert` (as a sibling, after the target or before with
//! `position: before`) or `replace`. `content` is input HTML, converted as page creation
//! converts it. Targets are found in the page as it was before the request, so generated ids
//! from one `GET` all still mean what they meant. Which element takes which action follows
//! OneNote's support matrix, refused with OneNote's codes (20120 no such target, 20122 no such
//! action, 20125 no changes, 20134 a data-id without `#`, 20141 an action the target does not
//! take, 20149 `#title`). The section becomes modified now, the page too unless only its title
//! changed.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::html::{self, Element, Node};
use super::store::{NewResources, Page};
use crate::graph::error::GraphError;

/// The largest PATCH body accepted.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// The most changes one request may carry.
const MAX_CHANGES: usize = 100;

/// Elements that get generated ids (as `includeIDs=true` numbers them).
const IDENTIFIED: &[&str] = &[
    "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "td", "img",
    "object", "iframe",
];

/// One change of the request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub target: String,
    pub action: String,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
}

fn bad(code: u32, message: impl Into<String>) -> GraphError {
    GraphError::onenote(StatusCode::BAD_REQUEST, code, message)
}

/// Reads the request body: a JSON array of changes.
pub async fn read_changes(body: Body) -> Result<Vec<Change>, GraphError> {
    let bytes: Bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| GraphError::too_large())?;
    // OneNote documents no code for a body that is not JSON; 20125 ("no actions") is the
    // nearest it has. [UNCONFIRMED]
    let changes: Vec<Change> = serde_json::from_slice(&bytes).map_err(|e| {
        bad(
            20125,
            format!("The PATCH body is not a JSON array of changes: {e}"),
        )
    })?;
    if changes.is_empty() {
        return Err(bad(20125, "The PATCH request contains no actions."));
    }
    if changes.len() > MAX_CHANGES {
        return Err(bad(
            20125,
            format!("A PATCH request carries at most {MAX_CHANGES} changes."),
        ));
    }
    Ok(changes)
}

/// What a change names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Title,
    /// The page's first `div`, at this index of the top level.
    Body(usize),
    /// An element found by its `data-id` (`#id`) or by its generated id, as the path of child
    /// indexes from the page's top level.
    Element {
        path: Vec<usize>,
        generated: bool,
    },
}

impl Target {
    fn path(&self) -> Option<Vec<usize>> {
        match self {
            Target::Title => None,
            Target::Body(i) => Some(vec![*i]),
            Target::Element { path, .. } => Some(path.clone()),
        }
    }
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Append { first: bool },
    Insert { before: bool },
    Replace,
}

impl Action {
    fn of(change: &Change) -> Result<Action, GraphError> {
        let before = change
            .position
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("before"));
        match change.action.to_ascii_lowercase().as_str() {
            "append" => Ok(Action::Append { first: before }),
            "prepend" => Ok(Action::Append { first: true }),
            "insert" => Ok(Action::Insert { before }),
            "replace" => Ok(Action::Replace),
            other => Err(bad(
                20122,
                format!(
                    "The PATCH action '{other}' is not supported; use append, prepend, insert or replace."
                ),
            )),
        }
    }
}

/// Applies `changes` to `page`, all of them or none (the caller keeps the page if this fails);
/// resources of new content go to `sink`. Says whether the page's content changed: a change
/// of the title alone leaves the page's `lastModifiedDateTime` as it was, as measured on
/// Graph (https://github.com/dovrosenberg/onenote-mcp, docs/api-overview.md).
pub fn apply(
    page: &mut Page,
    changes: &[Change],
    sink: &mut NewResources<'_>,
) -> Result<bool, GraphError> {
    let guid = page.id_guid();
    let mut resolved = Vec::with_capacity(changes.len());
    for change in changes {
        let action = Action::of(change)?;
        let target = resolve(&page.body, &change.target, guid)?;
        allowed(&page.body, &target, action, change)?;
        resolved.push((target, action, change));
    }
    // Later paths first, so an insert does not shift the paths of changes still to come.
    resolved.sort_by_key(|(target, _, _)| std::cmp::Reverse(target.path()));
    let mut content_changed = false;
    for (target, action, change) in resolved {
        let Some(path) = target.path() else {
            let text = change.content.as_deref().unwrap_or("").trim();
            page.title = html_text(text);
            continue;
        };
        content_changed = true;
        let nodes = content(change, sink)?;
        let missing = || not_found(&change.target);
        match action {
            Action::Append { first } => {
                let parent = element_at(&mut page.body, &path).ok_or_else(missing)?;
                if first {
                    parent.children.splice(0..0, nodes);
                } else {
                    parent.children.extend(nodes);
                }
            }
            Action::Insert { before } => {
                let (index, parent_path) = path.split_last().ok_or_else(missing)?;
                let siblings = children_at(&mut page.body, parent_path).ok_or_else(missing)?;
                let at = if before { *index } else { index + 1 };
                siblings.splice(at..at, nodes);
            }
            Action::Replace => {
                let (index, parent_path) = path.split_last().ok_or_else(missing)?;
                let siblings = children_at(&mut page.body, parent_path).ok_or_else(missing)?;
                siblings.splice(*index..index + 1, nodes);
            }
        }
    }
    Ok(content_changed)
}

/// OneNote's support matrix (https://learn.microsoft.com/en-us/graph/onenote-update-page,
/// "Supported elements and actions"): what each kind of element accepts; anything else is
/// 20141.
fn allowed(
    body: &[Node],
    target: &Target,
    action: Action,
    change: &Change,
) -> Result<(), GraphError> {
    let ok = match target {
        Target::Title => action == Action::Replace,
        Target::Body(_) => matches!(action, Action::Append { .. }),
        Target::Element { path, generated } => {
            let name = element_at_ref(body, path).map_or("", |e| e.name);
            // A top-level div is absolutely positioned: it only takes children.
            let positioned = path.len() == 1;
            match action {
                Action::Append { .. } => matches!(name, "div" | "ol" | "ul"),
                Action::Insert { .. } => !positioned,
                Action::Replace => match name {
                    "img" | "object" => !positioned,
                    "div" => !positioned && *generated,
                    _ => *generated,
                },
            }
        }
    };
    if ok {
        return Ok(());
    }
    Err(bad(
        20141,
        format!(
            "The PATCH target {} for action {} is not supported.",
            change.target,
            change.action.to_ascii_uppercase()
        ),
    ))
}

fn content(change: &Change, sink: &mut NewResources<'_>) -> Result<Vec<Node>, GraphError> {
    let input = change
        .content
        .as_deref()
        .ok_or_else(|| bad(20125, "The change has no content."))?;
    html::fragment(input, &Default::default(), sink).map_err(|e| bad(e.code(), e.to_string()))
}

fn not_found(target: &str) -> GraphError {
    bad(
        20120,
        format!("The target '{target}' was not found on the page."),
    )
}

/// The text of a title given as (escaped) HTML.
fn html_text(text: &str) -> String {
    let fragment = scraper::Html::parse_fragment(text);
    fragment.root_element().text().collect::<String>()
}

/// Finds a change's target in the body.
fn resolve(body: &[Node], target: &str, guid: Uuid) -> Result<Target, GraphError> {
    let trimmed = target.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower == "title" {
        return Ok(Target::Title);
    }
    if lower == "#title" {
        return Err(bad(
            20149,
            "The title is targeted as 'title', without a '#'.",
        ));
    }
    if lower == "body" {
        // The page's first div is where OneNote puts content addressed to the body.
        return body
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.name == "div"))
            .map(Target::Body)
            .ok_or_else(|| not_found(target));
    }
    if let Some(data_id) = trimmed.strip_prefix('#') {
        return find(body, &mut Vec::new(), &mut |e| {
            e.get("data-id") == Some(data_id)
        })
        .map(|path| Target::Element {
            path,
            generated: false,
        })
        .ok_or_else(|| not_found(target));
    }
    if !trimmed.contains(":{") {
        return Err(bad(
            20134,
            format!("The target '{target}' is neither a generated id nor '#' and a data-id."),
        ));
    }
    let mut counter = 0u32;
    find(body, &mut Vec::new(), &mut |e| {
        if !IDENTIFIED.contains(&e.name) {
            return false;
        }
        counter += 1;
        format!("{}:{{{guid}}}{{{counter}}}", e.name).eq_ignore_ascii_case(trimmed)
    })
    .map(|path| Target::Element {
        path,
        generated: true,
    })
    .ok_or_else(|| not_found(target))
}

/// The path of the first element (pre-order, as ids are numbered) that `wanted` accepts.
fn find(
    nodes: &[Node],
    path: &mut Vec<usize>,
    wanted: &mut dyn FnMut(&Element) -> bool,
) -> Option<Vec<usize>> {
    for (i, node) in nodes.iter().enumerate() {
        if let Node::Element(e) = node {
            path.push(i);
            if wanted(e) {
                return Some(path.clone());
            }
            if let Some(found) = find(&e.children, path, wanted) {
                return Some(found);
            }
            path.pop();
        }
    }
    None
}

fn element_at_ref<'a>(nodes: &'a [Node], path: &[usize]) -> Option<&'a Element> {
    let (first, rest) = path.split_first()?;
    let Node::Element(e) = nodes.get(*first)? else {
        return None;
    };
    if rest.is_empty() {
        Some(e)
    } else {
        element_at_ref(&e.children, rest)
    }
}

fn element_at<'a>(nodes: &'a mut [Node], path: &[usize]) -> Option<&'a mut Element> {
    let (first, rest) = path.split_first()?;
    let Node::Element(e) = nodes.get_mut(*first)? else {
        return None;
    };
    if rest.is_empty() {
        Some(e)
    } else {
        element_at(&mut e.children, rest)
    }
}

fn children_at<'a>(nodes: &'a mut Vec<Node>, path: &[usize]) -> Option<&'a mut Vec<Node>> {
    if path.is_empty() {
        return Some(nodes);
    }
    element_at(nodes, path).map(|e| &mut e.children)
}
