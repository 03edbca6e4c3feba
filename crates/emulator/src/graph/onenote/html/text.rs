//! Text and whitespace helpers of the input conversion: whitespace as a browser shows it, inline
//! runs wrapped in paragraphs, and the few attributes kept on text (links, language, direction).

use super::tree::{Element, Node, is_inline};

/// Wraps runs of inline content at div level in paragraphs, dropping runs of bare whitespace.
pub(super) fn wrap_inline_runs(nodes: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::new();
    let mut run: Vec<Node> = Vec::new();
    let flush = |run: &mut Vec<Node>, out: &mut Vec<Node>| {
        let taken = trim_edges(std::mem::take(run));
        if !taken.is_empty() {
            out.push(Element::new("p").children(taken).into());
        }
    };
    for node in nodes {
        if is_inline(&node) {
            run.push(node);
        } else {
            flush(&mut run, &mut out);
            out.push(node);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Removes whitespace at the start and end of a block's content.
pub(super) fn trim_edges(mut nodes: Vec<Node>) -> Vec<Node> {
    if let Some(Node::Text(t)) = nodes.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Node::Text(t)) = nodes.last_mut() {
        *t = t.trim_end().to_string();
    }
    nodes.retain(|n| !matches!(n, Node::Text(t) if t.is_empty()));
    nodes
}

/// Runs of HTML whitespace become one space, as a browser shows them.
pub(super) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

pub(super) fn safe_link(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    ["http://", "https://", "mailto:", "onenote:", "tel:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

pub(super) fn lang_attr(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && l.len() <= 35
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string)
}

pub(super) fn dir_attr(value: Option<&str>) -> Option<&'static str> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        Some("rtl") => Some("rtl"),
        Some("ltr") => Some("ltr"),
        _ => None,
    }
}
