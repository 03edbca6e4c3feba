//! Tables, written as OneNote's input/output documentation shows them
//! (https://learn.microsoft.com/en-us/graph/onenote-input-output-html, "Tables"): what the
//! table and its rows say about cells moves onto every cell — the table's `bgcolor` and a row's
//! `background-color` (the row's first, the cell's own over both), the table's width shared out
//! among the row's cells (written without a unit, as the docs' example writes `width:166`), the
//! border. `th` cells become bold `td`s; nested tables stay nested.
//!
//! One deliberate difference: the docs' example gives `border:0px` even for `border="1"`; the
//! emulator keeps the border asked for (`1px solid`), so pages read back as they were drawn.

use scraper::ElementRef;

use super::converter::Converter;
use super::input::ConvertError;
use crate::graph::onenote::html::style::{self, CELL};
use crate::graph::onenote::html::text::trim_edges;
use crate::graph::onenote::html::tree::{Element, Node};

impl Converter<'_> {
    pub(super) fn table(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let value = el.value();
        let rows = self
            .children(el)?
            .into_iter()
            .filter(|n| matches!(n, Node::Element(e) if e.name == "tr"))
            .collect();
        Ok(Element::new("table")
            .attr_opt("data-id", value.attr("data-id"))
            .attr("style", format!("{};border-collapse:collapse", border(el)))
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
        let inherited = inherited_cell_style(el);
        Ok(Element::new("td")
            .attr_opt(
                "style",
                style::merge(&inherited, el.value().attr("style"), CELL),
            )
            .children(children))
    }
}

/// What a cell takes from its row and table.
fn inherited_cell_style(cell: ElementRef<'_>) -> String {
    let row = cell
        .parent()
        .and_then(ElementRef::wrap)
        .filter(|p| p.value().name() == "tr");
    let table = cell
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == "table");
    let mut out = Vec::new();
    let row_background = row
        .and_then(|r| r.value().attr("style"))
        .and_then(|s| style::parse(s, &["background-color"]).pop())
        .map(|(_, v)| v);
    let table_background = table
        .and_then(|t| t.value().attr("bgcolor"))
        .and_then(|c| style::parse(&format!("background-color:{c}"), &["background-color"]).pop())
        .map(|(_, v)| v);
    if let Some(background) = row_background.or(table_background) {
        out.push(format!("background-color:{background}"));
    }
    let table_width = table.and_then(|t| {
        t.value()
            .attr("width")
            .filter(|w| !w.contains('%'))
            .and_then(style::pixels)
    });
    let cells = row.map_or(0, |r| {
        r.child_elements()
            .filter(|c| matches!(c.value().name(), "td" | "th"))
            .count() as u32
    });
    if let Some(width) = table_width.filter(|_| cells > 0) {
        out.push(format!("width:{}", width / cells));
    }
    if let Some(table) = table {
        out.push(border(table).to_string());
    }
    out.join(";")
}

/// The border a table draws around and between its cells.
fn border(table: ElementRef<'_>) -> &'static str {
    let borderless = table
        .value()
        .attr("border")
        .is_some_and(|b| b.trim().trim_end_matches(';') == "0");
    if borderless {
        "border:0px"
    } else {
        "border:1px solid"
    }
}
