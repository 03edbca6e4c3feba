//! `PATCH …/pages/{id}/content`: the JSON array of changes OneNote applies to a page
//! (docs/protocol.md §10.9). Each change names a `target` — `body` (the page's first `div`),
//! `title`, `#{data-id}` (an id the client set) or a generated id from `includeIDs=true` output
//! (`p:{guid}{7}`) — and an `action`: `append` (as the target's last child, or first with
//! `position: before`), `prepend`, `insert` (as a sibling, after the target or before with
//! `position: before`) or `replace`. `content` is input HTML, converted as page creation
//! converts it. Targets are found in the page as it was before the request, so generated ids
//! from one `GET` all still mean what they meant. The page and its section become modified now.

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
    let changes: Vec<Change> = serde_json::from_slice(&bytes).map_err(|e| {
        bad(
            20114,
            format!("The PATCH body is not a JSON array of changes: {e}"),
        )
    })?;
    if changes.is_empty() || changes.len() > MAX_CHANGES {
        return Err(bad(
            20114,
            format!("A PATCH request carries 1 to {MAX_CHANGES} changes."),
        ));
    }
    Ok(changes)
}

/// Where a change lands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Title,
    /// A node of the body, as the path of child indexes from the page's top level.
    Node(Vec<usize>),
}

/// Applies `changes` to `page`; resources of new content go to `sink`.
pub fn apply(
    page: &mut Page,
    changes: &[Change],
    sink: &mut NewResources<'_>,
) -> Result<(), GraphError> {
    let guid = page.id_guid();
    let mut resolved = Vec::with_capacity(changes.len());
    for change in changes {
        resolved.push((resolve(&page.body, &change.target, guid)?, change));
    }
    // Later paths first, so an insert does not shift the paths of changes still to come.
    resolved.sort_by(|a, b| match (&a.0, &b.0) {
        (Target::Node(x), Target::Node(y)) => y.cmp(x),
        _ => std::cmp::Ordering::Equal,
    });
    for (target, change) in resolved {
        let before = change.position.as_deref() == Some("before");
        match (target, change.action.to_ascii_lowercase().as_str()) {
            (Target::Title, "replace") => {
                let text = change.content.as_deref().unwrap_or("").trim();
                page.title = html_text(text);
            }
            (Target::Title, action) => {
                return Err(bad(
                    20115,
                    format!("The title can only be replaced, not '{action}'."),
                ));
            }
            (Target::Node(path), action) => {
                let nodes = content(change, sink)?;
                match action {
                    "append" | "prepend" => {
                        let first = action == "prepend" || before;
                        let parent = element_at(&mut page.body, &path)
                            .ok_or_else(|| not_found(&change.target))?;
                        if !accepts_children(parent.name) {
                            return Err(bad(
                                20115,
                                format!("Content cannot be added inside a {}.", parent.name),
                            ));
                        }
                        if first {
                            parent.children.splice(0..0, nodes);
                        } else {
                            parent.children.extend(nodes);
                        }
                    }
                    "insert" => {
                        let (index, parent_path) =
                            path.split_last().ok_or_else(|| not_found(&change.target))?;
                        let siblings = children_at(&mut page.body, parent_path)
                            .ok_or_else(|| not_found(&change.target))?;
                        let at = if before { *index } else { index + 1 };
                        siblings.splice(at..at, nodes);
                    }
                    "replace" => {
                        let (index, parent_path) =
                            path.split_last().ok_or_else(|| not_found(&change.target))?;
                        let siblings = children_at(&mut page.body, parent_path)
                            .ok_or_else(|| not_found(&change.target))?;
                        siblings.splice(*index..index + 1, nodes);
                    }
                    other => {
                        return Err(bad(
                            20115,
                            format!(
                                "The action '{other}' is not supported; use append, prepend, insert or replace."
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

fn content(change: &Change, sink: &mut NewResources<'_>) -> Result<Vec<Node>, GraphError> {
    let input = change
        .content
        .as_deref()
        .ok_or_else(|| bad(20114, "The change has no content."))?;
    html::fragment(input, &Default::default(), sink).map_err(|e| bad(e.code(), e.to_string()))
}

fn not_found(target: &str) -> GraphError {
    bad(
        20136,
        format!("The target '{target}' was not found on the page."),
    )
}

/// Block containers content may go into.
fn accepts_children(name: &str) -> bool {
    matches!(
        name,
        "div" | "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "li" | "td"
    )
}

/// The text of a title given as (escaped) HTML.
fn html_text(text: &str) -> String {
    let fragment = scraper::Html::parse_fragment(text);
    fragment.root_element().text().collect::<String>()
}

/// Finds a change's target in the body.
fn resolve(body: &[Node], target: &str, guid: Uuid) -> Result<Target, GraphError> {
    let lower = target.trim().to_ascii_lowercase();
    if lower == "title" {
        return Ok(Target::Title);
    }
    if lower == "body" {
        // The page's first div is where OneNote puts content addressed to the body.
        return body
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.name == "div"))
            .map(|i| Target::Node(vec![i]))
            .ok_or_else(|| not_found(target));
    }
    let mut counter = 0u32;
    let found = match target.trim().strip_prefix('#') {
        Some(data_id) => find(body, &mut Vec::new(), &mut |e, _| {
            e.get("data-id") == Some(data_id)
        }),
        None => {
            let generated = |e: &Element, n: u32| format!("{}:{{{guid}}}{{{n}}}", e.name);
            find(body, &mut Vec::new(), &mut |e, _| {
                if !IDENTIFIED.contains(&e.name) {
                    return false;
                }
                counter += 1;
                generated(e, counter).eq_ignore_ascii_case(target.trim())
            })
        }
    };
    found.map(Target::Node).ok_or_else(|| not_found(target))
}

/// The path of the first element (pre-order, as ids are numbered) that `wanted` accepts.
fn find(
    nodes: &[Node],
    path: &mut Vec<usize>,
    wanted: &mut dyn FnMut(&Element, ()) -> bool,
) -> Option<Vec<usize>> {
    for (i, node) in nodes.iter().enumerate() {
        if let Node::Element(e) = node {
            path.push(i);
            if wanted(e, ()) {
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
