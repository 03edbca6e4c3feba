//! Tables: the table's border (or `border="0"`) goes on every cell, as OneNote writes tables;
//! `th` cells become bold; cells keep their allowed styles; nested tables stay nested.

use scraper::ElementRef;

use super::converter::Converter;
use super::input::ConvertError;
use crate::graph::onenote::html::style::{self, CELL};
use crate::graph::onenote::html::text::trim_edges;
use crate::graph::onenote::html::tree::{Element, Node};

impl Converter<'_> {
    pub(super) fn table(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let value = el.value();
        let borderless = value.attr("border").is_some_and(|b| b.trim() == "0");
        let border = if borderless {
            "border:0px"
        } else {
            "border:1px solid"
        };
        let rows = self
            .children(el)?
            .into_iter()
            .filter(|n| matches!(n, Node::Element(e) if e.name == "tr"))
            .map(|row| with_cell_borders(row, border))
            .collect();
        Ok(Element::new("table")
            .attr_opt("data-id", value.attr("data-id"))
            .attr("style", format!("{border};border-collapse:collapse"))
            .children(rows))
    }

    pub(super) fn table_row(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let cells = self
            .children(el)?
            .into_iter()
            .filter(|n| matches!(n, Node::Element(e) if e.name == "td"))
            .collect();
        Ok(Element::new("tr").children(cells))
    }

    /// `td`, or `th` (its content in bold).
    pub(super) fn table_cell(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let mut children = trim_edges(self.children(el)?);
        if el.value().name() == "th" {
            children = vec![
                Element::new("span")
                    .attr("style", "font-weight:bold")
                    .children(children)
                    .into(),
            ];
        }
        let mut td = Element::new("td").children(children);
        if let Some(s) = style::merge("", el.value().attr("style"), CELL) {
            td = td.attr("style", s);
        }
        Ok(td)
    }
}

/// Puts the table's border on every cell of a row, as OneNote writes tables.
fn with_cell_borders(row: Node, border: &str) -> Node {
    let Node::Element(mut tr) = row else {
        return row;
    };
    for cell in &mut tr.children {
        if let Node::Element(td) = cell {
            let merged = match td.get("style") {
                Some(existing) if existing.contains("border") => existing.to_string(),
                Some(existing) => format!("{border};{existing}"),
                None => border.to_string(),
            };
            td.attrs.retain(|(n, _)| *n != "style");
            td.attrs.push(("style", merged));
        }
    }
    tr.into()
}
