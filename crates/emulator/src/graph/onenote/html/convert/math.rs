//! Equations: a `math` element keeps its Presentation MathML — the elements of
//! [`MATH_ELEMENTS`], their text and the few attributes that change what is drawn — and loses
//! everything else (scripts, links, styles), so it cannot carry anything a page could not.

use scraper::ElementRef;

use super::converter::Converter;
use crate::graph::onenote::html::text::collapse_whitespace;
use crate::graph::onenote::html::tree::{Element, MATH_ELEMENTS, Node};

const MATHML_NAMESPACE: &str = "http://www.w3.org/1998/Math/MathML";

/// Attributes kept on MathML elements.
const MATH_ATTRIBUTES: &[&str] = &[
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "accent",
    "accentunder",
    "linethickness",
    "open",
    "close",
    "notation",
];

impl Converter<'_> {
    /// A `math` element (every one is written `display="block"`, as Graph writes them).
    pub(super) fn math(&mut self, el: ElementRef<'_>) -> Element {
        let mut math = math_element(el, 0);
        math.attrs.retain(|(name, _)| *name != "display");
        math.attrs
            .insert(0, ("xmlns", MATHML_NAMESPACE.to_string()));
        math.attrs.insert(1, ("display", "block".to_string()));
        math
    }
}

/// Deeper equations are cut off: hostile pages cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

fn math_element(el: ElementRef<'_>, depth: usize) -> Element {
    let name = MATH_ELEMENTS
        .iter()
        .find(|n| **n == el.value().name())
        .copied()
        .unwrap_or("mrow");
    let mut out = Element::new(name);
    for (attr, value) in el.value().attrs() {
        if let Some(kept) = MATH_ATTRIBUTES.iter().find(|a| **a == attr) {
            let value: String = value
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | ' ' | '%'))
                .take(40)
                .collect();
            out.attrs.push((kept, value));
        }
    }
    if depth >= MAX_DEPTH {
        return out;
    }
    for child in el.children() {
        if let Some(text) = child.value().as_text() {
            let text = collapse_whitespace(text).trim().to_string();
            if !text.is_empty() {
                out.children.push(Node::Text(text));
            }
        } else if let Some(child) = ElementRef::wrap(child)
            && MATH_ELEMENTS.contains(&child.value().name())
        {
            out.children.push(math_element(child, depth + 1).into());
        }
    }
    out
}
