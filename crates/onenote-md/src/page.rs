//! The parts of a OneNote page document: title, creation time and body.
//!
//! OneNote output HTML is a whole document (docs/protocol.md §10.5): `<title>` holds the page title,
//! `<meta name="created">` the creation time, and `<body>` the content. html5ever always builds
//! `html`, `head` and `body`, however broken the input, so there is always a body to walk.

use html5ever::tendril::TendrilSink;
use scraper::{Html, HtmlTreeSink, Node};

use crate::dom::{self, DomNode};
use crate::layout_whitespace::drop_layout_whitespace;
use crate::strict_tree;
use crate::xhtml::expand_self_closing;

/// A parsed page.
pub(crate) struct Page {
    html: Html,
}

impl Page {
    /// The page as it came (but for OneNote's self-closed tags): for the page viewer, whose HTML
    /// goes to a browser.
    pub(crate) fn parse(page_html: &str) -> Self {
        Page {
            html: Html::parse_document(&expand_self_closing(page_html)),
        }
    }

    /// The page without the whitespace that only lays out its markup (see `layout_whitespace`):
    /// for readers of its text that collapse whitespace, as the Markdown converter does. A page
    /// written as a tree, as OneNote writes its own, is built by `strict_tree`; the same tree,
    /// in a fraction of the time.
    pub(crate) fn parse_for_text(page_html: &str) -> Self {
        let expanded = expand_self_closing(page_html);
        let prepared = drop_layout_whitespace(&expanded);
        let capacity = presized_capacity(prepared.tags);
        let html = prepared
            .written_as_tree
            .then(|| strict_tree::parse(&prepared.html, capacity))
            .flatten()
            .unwrap_or_else(|| parse_presized(&prepared.html, capacity));
        Page { html }
    }

    /// The text of the first `<title>`, whitespace collapsed; empty when there is none.
    pub(crate) fn title(&self) -> String {
        self.html
            .tree
            .root()
            .descendants()
            .find(|node| dom::is_element(node, "title"))
            .map(|title| {
                // `<title>` holds raw text only; its children are text nodes.
                let text: String = title
                    .children()
                    .filter_map(|child| child.value().as_text().map(|t| t.to_string()))
                    .collect();
                dom::collapse_whitespace(&text)
            })
            .unwrap_or_default()
    }

    /// The `content` of `<meta name="created">`, e.g. `2025-01-02T09:00:00.0000000`.
    pub(crate) fn created(&self) -> Option<String> {
        self.html
            .tree
            .root()
            .descendants()
            .filter_map(|node| dom::element(&node))
            .find(|e| {
                e.name() == "meta"
                    && dom::attr(e, "name").is_some_and(|n| n.eq_ignore_ascii_case("created"))
            })
            .and_then(|meta| dom::attr(meta, "content"))
            .map(|content| content.trim().to_owned())
            .filter(|content| !content.is_empty())
    }

    /// The `<body>` element.
    pub(crate) fn body(&self) -> Option<DomNode<'_>> {
        let html = self
            .html
            .tree
            .root()
            .children()
            .find(|node| dom::is_element(node, "html"))?;
        dom::child_element(&html, "body")
    }
}

/// The most nodes [`presized_capacity`] makes room for up front.
const MAX_PRESIZED_NODES: usize = 4096;

/// Room in the tree for the nodes a page with this many tags will have. The tree keeps its
/// nodes in one `Vec`, and a node is 128 bytes: grown one doubling at a time from empty, it was
/// copied over twice its final size for every page (the largest single cost outside the parser
/// in the converter's profile). A page has about one and a half nodes per tag (elements and the
/// text between them); the room is capped, so that input made of `<` alone cannot reserve more
/// than half a megabyte.
fn presized_capacity(tags: usize) -> usize {
    (tags + tags / 2 + 4).min(MAX_PRESIZED_NODES)
}

/// `Html::parse_document`, with room in the tree for `capacity` nodes.
fn parse_presized(html: &str, capacity: usize) -> Html {
    let mut document = Html::new_document();
    document.tree = ego_tree::Tree::with_capacity(Node::Document, capacity);
    html5ever::parse_document(HtmlTreeSink::new(document), Default::default()).one(html)
}
