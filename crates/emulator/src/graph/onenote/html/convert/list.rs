//! Lists: `ul`/`ol` keep their items (loose content is wrapped in an item), and a note tag on
//! an `li` moves to a `span` around the item's own text, where OneNote's output puts it.

use scraper::ElementRef;

use super::converter::Converter;
use super::input::ConvertError;
use crate::graph::onenote::html::style::{self, TEXT};
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
            .attr_opt("style", style::merge("", el.value().attr("style"), TEXT))
            .children(items))
    }

    /// `li`.
    pub(super) fn list_item(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let value = el.value();
        let mut children = trim_edges(self.children(el)?);
        let mut li = Element::new("li")
            .attr_opt("style", style::merge("", value.attr("style"), TEXT))
            .attr_opt("lang", lang_attr(value.attr("lang")))
            .attr_opt("dir", dir_attr(value.attr("dir")));
        if let Some(tag) = value.attr("data-tag") {
            // In output, list-item tags sit on a span around the item's own text.
            let tag = tags::normalise(tag)?;
            let split = children
                .iter()
                .position(|n| !is_inline(n))
                .unwrap_or(children.len());
            let rest = children.split_off(split);
            let span = Element::new("span")
                .attr("data-tag", tag)
                .children(children);
            children = std::iter::once(span.into()).chain(rest).collect();
        }
        li.children = children;
        Ok(li)
    }
}
