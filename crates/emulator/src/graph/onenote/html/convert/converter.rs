//! The walk over the input: the converter's state, the dispatch of each input element to the
//! module that converts its kind, and what all of them share (children, nesting depth, parts).

use std::collections::HashMap;

use ego_tree::NodeRef;
use scraper::ElementRef;

use super::input::{ConvertError, Part, ResourceSink};
use crate::graph::onenote::html::style;
use crate::graph::onenote::html::text::{collapse_whitespace, wrap_inline_runs};
use crate::graph::onenote::html::tree::{Element, Node};

/// Deeper nesting is flattened to its text: hostile pages cannot exhaust the stack.
const MAX_NESTING: usize = 48;

/// Elements whose content never reaches a page.
const DROPPED: &[&str] = &[
    "script", "style", "head", "title", "meta", "link", "noscript", "template", "form", "input",
    "button", "select", "textarea", "svg", "embed", "applet", "frame", "frameset", "hr", "base",
    "canvas", "audio", "video", "source", "track", "dialog",
];

/// A conversion in progress.
pub struct Converter<'a> {
    pub(super) parts: &'a HashMap<String, Part>,
    pub(super) sink: &'a mut dyn ResourceSink,
    /// How deep the element being converted is.
    depth: usize,
}

impl<'a> Converter<'a> {
    pub fn new(parts: &'a HashMap<String, Part>, sink: &'a mut dyn ResourceSink) -> Converter<'a> {
        Converter {
            parts,
            sink,
            depth: 0,
        }
    }
}

impl Converter<'_> {
    /// An absolutely positioned `div`, `img` or `object` directly in the body.
    pub(super) fn positioned(
        &mut self,
        node: NodeRef<'_, scraper::Node>,
    ) -> Result<Option<Node>, ConvertError> {
        let Some(el) = ElementRef::wrap(node) else {
            return Ok(None);
        };
        let value = el.value();
        let style_attr = value.attr("style").unwrap_or("");
        if !style::property(style_attr, "position")
            .is_some_and(|p| p.eq_ignore_ascii_case("absolute"))
        {
            return Ok(None);
        }
        let px = |name: &str, default: u32| {
            style::property(style_attr, name)
                .and_then(|v| style::pixels(&v))
                .unwrap_or(default)
        };
        let (left, top) = (px("left", 48), px("top", 120));
        match value.name() {
            "div" => {
                let width = px("width", 624);
                let mut children = Vec::new();
                for child in el.children() {
                    self.node(child, &mut children)?;
                }
                let div = Element::new("div")
                    .attr_opt("data-id", value.attr("data-id"))
                    .attr(
                        "style",
                        format!("position:absolute;left:{left}px;top:{top}px;width:{width}px"),
                    )
                    .children(wrap_inline_runs(children));
                Ok(Some(div.into()))
            }
            "img" | "object" => {
                let position = format!("position:absolute;left:{left}px;top:{top}px");
                let converted = if value.name() == "img" {
                    self.image(el, Some(position))?
                } else {
                    self.attachment(el, Some(position))?
                };
                Ok(converted)
            }
            _ => Ok(None),
        }
    }

    pub(super) fn node(
        &mut self,
        node: NodeRef<'_, scraper::Node>,
        out: &mut Vec<Node>,
    ) -> Result<(), ConvertError> {
        match node.value() {
            scraper::Node::Text(text) => {
                let text = collapse_whitespace(&text[..]);
                if !text.is_empty() {
                    out.push(Node::Text(text));
                }
            }
            scraper::Node::Comment(comment) => {
                let comment = comment.trim();
                let marker = comment.ends_with("is not supported")
                    || comment == "Processing ParagraphNode failed";
                if marker && !comment.contains("--") && comment.len() < 200 {
                    out.push(Node::Comment(comment.to_string()));
                }
            }
            scraper::Node::Element(_) => {
                if let Some(el) = ElementRef::wrap(node) {
                    self.element(el, out)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn children(&mut self, el: ElementRef<'_>) -> Result<Vec<Node>, ConvertError> {
        let mut out = Vec::new();
        if self.depth >= MAX_NESTING {
            let text = collapse_whitespace(&el.text().collect::<String>());
            if !text.trim().is_empty() {
                out.push(Node::Text(text));
            }
            return Ok(out);
        }
        self.depth += 1;
        for child in el.children() {
            if let Err(e) = self.node(child, &mut out) {
                self.depth -= 1;
                return Err(e);
            }
        }
        self.depth -= 1;
        Ok(out)
    }

    /// One input element, converted by the module for its kind.
    fn element(&mut self, el: ElementRef<'_>, out: &mut Vec<Node>) -> Result<(), ConvertError> {
        let name = el.value().name();
        match name {
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => out.push(self.text_block(el)?.into()),
            "pre" => self.preformatted(el, out),
            "ul" | "ol" => out.push(self.list(el)?.into()),
            "li" if el
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|p| matches!(p.value().name(), "ul" | "ol")) =>
            {
                out.push(self.list_item(el)?.into())
            }
            "li" => self.loose_list_item(el, out)?,
            "table" => out.push(self.table(el)?.into()),
            "tbody" | "thead" | "tfoot" => out.extend(self.children(el)?),
            "tr" => out.push(self.table_row(el)?.into()),
            "td" | "th" => out.push(self.table_cell(el)?.into()),
            "b" | "strong" | "i" | "em" | "u" | "ins" | "s" | "strike" | "del" | "code" | "kbd"
            | "samp" | "tt" | "mark" | "span" | "font" | "sup" | "sub" | "cite" | "a" | "br" => {
                self.inline_element(el, out)?
            }
            "img" => out.extend(self.image(el, None)?),
            "object" => {
                out.extend(self.attachment(el, None)?);
                // Clients write `<object … />` as OneNote's docs do, but HTML has no self-closing
                // objects: what follows ends up inside. OneNote reads it as XHTML, so the
                // content after an attachment stays on the page.
                out.extend(self.children(el)?);
            }
            "iframe" => out.extend(self.video(el)?),
            "math" => out.push(self.math(el).into()),
            _ if DROPPED.contains(&name) => {}
            // div, section, article, blockquote, center, …: their content stays, the wrapper goes.
            _ => out.extend(self.children(el)?),
        }
        Ok(())
    }

    pub(super) fn part(&self, name: &str) -> Result<&Part, ConvertError> {
        self.parts
            .get(name)
            .ok_or_else(|| ConvertError::MissingPart(name.to_string()))
    }
}
