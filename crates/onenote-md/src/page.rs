//! The parts of a OneNote page document: title, creation time and body.
//!
//! OneNote output HTML is a whole document (docs/protocol.md §10.5): `<title>` holds the page title,
//! `<meta name="created">` the creation time, and `<body>` the content. html5ever always builds
//! `html`, `head` and `body`, however broken the input, so there is always a body to walk.

use scraper::Html;

use crate::dom::{self, DomNode};
use crate::xhtml::expand_self_closing;

/// A parsed page.
pub(crate) struct Page {
    html: Html,
}

impl Page {
    pub(crate) fn parse(page_html: &str) -> Self {
        Page {
            html: Html::parse_document(&expand_self_closing(page_html)),
        }
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
