//! Lists, written as OneNote's input/output documentation shows them
//! (https://learn.microsoft.com/en-us/graph/onenote-input-output-html, "Lists";
//! https://learn.microsoft.com/en-us/graph/onenote-note-tags):
//! * the list's text styles and the item's own move to a `span` around the item's text, the
//!   list's first (`<ol style="color:blue"><li style="font-weight:bold">` →
//!   `<li><span style="color:blue;font-weight:bold">`);
//! * `list-style-type` moves to each `li`, and the default (`disc`, `decimal`) is not written;
//! * a note tag sits on that `span` too, and the list's tag overrides its items' tags. The docs
//!   also say items of an untagged list lose their own tags; pages the OneNote client writes keep
//!   them, and so does the emulator, so exporters meet tagged items;
//! * `li`s outside any list come back in a `ul` (consecutive ones in the same `ul`).

use scraper::ElementRef;

use super::converter::Converter;
use super::input::ConvertError;
use crate::graph::onenote::html::style::{self, CHARACTER};
use crate::graph::onenote::html::tags;
use crate::graph::onenote::html::text::{dir_attr, lang_attr, trim_edges};
use crate::graph::onenote::html::tree::{Element, Node, is_inline};

impl Converter<'_> {
    /// `ul` or `ol`.
    pub(super) fn list(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let tag = if el.value().name() == "ul" {
            "ul"
        } else {
            "ol"
        };
        let items = self
            .children(el)?
            .into_iter()
            .filter_map(|n| match n {
                Node::Element(e) if e.name == "li" || e.name == "ul" || e.name == "ol" => {
                    Some(Node::Element(e))
                }
                Node::Text(t) if t.trim().is_empty() => None,
                other => Some(Element::new("li").children(vec![other]).into()),
            })
            .collect();
        Ok(Element::new(tag)
            .attr_opt("data-id", el.value().attr("data-id"))
            .children(items))
    }

    /// An `li` outside any list: in a `ul`, the one its previous sibling went into when that was
    /// a loose `li` too.
    pub(super) fn loose_list_item(
        &mut self,
        el: ElementRef<'_>,
        out: &mut Vec<Node>,
    ) -> Result<(), ConvertError> {
        let item = self.list_item(el)?;
        let follows_loose_item = el
            .prev_siblings()
            .find(|n| !n.value().as_text().is_some_and(|t| t.trim().is_empty()))
            .and_then(ElementRef::wrap)
            .is_some_and(|e| e.value().name() == "li");
        match out.last_mut() {
            Some(Node::Element(list)) if follows_loose_item && list.name == "ul" => {
                list.children.push(item.into());
            }
            _ => out.push(Element::new("ul").children(vec![item.into()]).into()),
        }
        Ok(())
    }

    /// `li`, with what its list passes down to it.
    pub(super) fn list_item(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let value = el.value();
        let list = el
            .parent()
            .and_then(ElementRef::wrap)
            .filter(|p| matches!(p.value().name(), "ul" | "ol"));
        let ordered = list.is_some_and(|l| l.value().name() == "ol");
        let list_style = list.and_then(|l| l.value().attr("style"));

        let marker = value
            .attr("style")
            .and_then(|s| style::property(s, "list-style-type"))
            .or_else(|| list_style.and_then(|s| style::property(s, "list-style-type")))
            .map(|m| m.to_ascii_lowercase())
            .filter(|m| list_marker(m, ordered) && m != if ordered { "decimal" } else { "disc" });
        let text_style = style::merge(
            &style::merge("", list_style, CHARACTER).unwrap_or_default(),
            value.attr("style"),
            CHARACTER,
        );
        let tag = match list.and_then(|l| l.value().attr("data-tag")) {
            Some(list_tag) => Some(list_tag),
            None => value.attr("data-tag"),
        }
        .map(tags::normalise)
        .transpose()?
        .filter(|t| !t.is_empty());

        let mut children = trim_edges(self.children(el)?);
        if tag.is_some() || text_style.is_some() {
            // The item's own text (up to a nested list) goes in the span.
            let split = children
                .iter()
                .position(|n| !is_inline(n))
                .unwrap_or(children.len());
            let rest = children.split_off(split);
            let span = Element::new("span")
                .attr_opt("data-tag", tag)
                .attr_opt("style", text_style)
                .children(children);
            children = std::iter::once(span.into()).chain(rest).collect();
        }
        Ok(Element::new("li")
            .attr_opt("style", marker.map(|m| format!("list-style-type:{m}")))
            .attr_opt("lang", lang_attr(value.attr("lang")))
            .attr_opt("dir", dir_attr(value.attr("dir")))
            .children(children))
    }
}

/// The markers OneNote supports for a list of its kind.
fn list_marker(marker: &str, ordered: bool) -> bool {
    if ordered {
        matches!(
            marker,
            "none" | "decimal" | "lower-alpha" | "lower-roman" | "upper-alpha" | "upper-roman"
        )
    } else {
        matches!(marker, "none" | "disc" | "circle" | "square")
    }
}
