//! `strict_tree` checked against html5ever: wherever it builds a tree, the tree must be the one
//! html5ever builds. For this module's tests and the `strict_tree` fuzz target.

use std::fmt::Write;

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::parse;
use crate::layout_whitespace::drop_layout_whitespace;
use crate::xhtml::expand_self_closing;

/// Whether `strict_tree` builds the tree of `html` as the converter prepares it (and checks
/// the page as given too). Panics, showing both trees, when a tree it builds is not
/// html5ever's.
pub fn agrees_as_converted(html: &str) -> bool {
    agrees(html);
    let expanded = expand_self_closing(html);
    agrees(&drop_layout_whitespace(&expanded).html)
}

/// Whether `strict_tree` builds a tree for `html`; panics when it builds one that is not
/// html5ever's.
pub(super) fn agrees(html: &str) -> bool {
    let Some(ours) = parse(html, 16) else {
        return false;
    };
    let theirs = Html::parse_document(html);
    let (ours, theirs) = (shape(&ours), shape(&theirs));
    assert!(
        ours == theirs,
        "strict_tree and html5ever disagree on {html:?}:\n{ours}\nhtml5ever:\n{theirs}"
    );
    true
}

/// The tree written out, one node to a line. A walk, not a recursion: the trees of fuzzed
/// input can be deep.
fn shape(html: &Html) -> String {
    let mut out = format!("{:?}\n", html.quirks_mode);
    let mut depth = 0;
    for edge in html.tree.root().traverse() {
        let node = match edge {
            Edge::Open(node) => node,
            Edge::Close(_) => {
                depth -= 1;
                continue;
            }
        };
        let indent = "  ".repeat(depth);
        depth += 1;
        match node.value() {
            Node::Document => writeln!(out, "{indent}#document"),
            Node::Doctype(d) => writeln!(
                out,
                "{indent}<!DOCTYPE {} {:?} {:?}>",
                d.name(),
                d.public_id(),
                d.system_id()
            ),
            Node::Comment(c) => writeln!(out, "{indent}<!--{:?}-->", &**c),
            Node::Text(t) => writeln!(out, "{indent}{:?}", &**t),
            Node::Element(e) => {
                let attributes: Vec<String> = e
                    .attrs
                    .iter()
                    .map(|(name, value)| format!("{}:{}={:?}", &*name.ns, &*name.local, &**value))
                    .collect();
                writeln!(out, "{indent}<{}:{} {attributes:?}>", &*e.name.ns, e.name())
            }
            other => writeln!(out, "{indent}{other:?}"),
        }
        .expect("writing to a String");
    }
    out
}
