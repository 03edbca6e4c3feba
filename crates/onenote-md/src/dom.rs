//! Small questions about scraper's DOM that both outputs ask.

use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use scraper::Node;
use scraper::node::Element;

/// A node of a parsed page.
pub(crate) type DomNode<'a> = NodeRef<'a, Node>;

/// Elements whose content is never page text: it must not leak into either output.
pub(crate) fn is_hidden_element(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "textarea"
            | "select"
            | "option"
            | "button"
            | "input"
            | "embed"
            | "applet"
            | "frame"
            | "frameset"
            | "noembed"
            | "noframes"
            | "xmp"
            | "plaintext"
            | "param"
            | "audio"
            | "video"
            | "canvas"
            | "map"
            | "dialog"
    )
}

/// An attribute's value. (scraper's `Element::attr` interns the name as an atom on every call,
/// which cost more than the rest of an attribute lookup put together in the converter's
/// profile: comparing names as text is cheaper for the few attributes an element has.)
pub(crate) fn attr<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs()
        .find(|(attribute, _)| *attribute == name)
        .map(|(_, value)| value)
}

/// The element at this node, if it is one.
pub(crate) fn element<'a>(node: &DomNode<'a>) -> Option<&'a Element> {
    node.value().as_element()
}

/// Whether the node is an element with this (lower-case) name.
pub(crate) fn is_element(node: &DomNode<'_>, name: &str) -> bool {
    element(node).is_some_and(|e| e.name() == name)
}

/// Whether the node is text made only of ASCII whitespace (HTML's formatting whitespace).
pub(crate) fn is_blank_text(node: &DomNode<'_>) -> bool {
    node.value()
        .as_text()
        .is_some_and(|text| text.chars().all(|c| c.is_ascii_whitespace()))
}

/// The first child element with this name.
pub(crate) fn child_element<'a>(node: &DomNode<'a>, name: &str) -> Option<DomNode<'a>> {
    node.children().find(|child| is_element(child, name))
}

/// All the text under a node, with `<br>` as a newline, skipping hidden elements and the
/// content of `<iframe>`s (raw text a browser never shows: the frame shows another page).
///
/// It walks the tree without recursion, so it is safe on pathologically deep input; the
/// converters use it when nesting gets too deep to follow, and for `<pre>`.
pub(crate) fn text_content(node: &DomNode<'_>) -> String {
    let shows_no_text = |name: &str| is_hidden_element(name) || name == "iframe";
    let mut text = String::new();
    // How many elements that show no text we are inside.
    let mut hidden_depth = 0usize;
    for edge in node.traverse() {
        match edge {
            Edge::Open(child) => match child.value() {
                Node::Element(e) if shows_no_text(e.name()) => hidden_depth += 1,
                Node::Element(e) if e.name() == "br" && hidden_depth == 0 => text.push('\n'),
                Node::Text(t) if hidden_depth == 0 => text.push_str(t),
                _ => {}
            },
            Edge::Close(child) => {
                if element(&child).is_some_and(|e| shows_no_text(e.name())) {
                    hidden_depth = hidden_depth.saturating_sub(1);
                }
            }
        }
    }
    text
}

/// Collapses runs of ASCII whitespace to one space and trims: how a browser shows plain text.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    for word in text.split_ascii_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}
