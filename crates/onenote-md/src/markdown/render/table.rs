//! Tables: a GFM pipe table when every cell is simple, an HTML table otherwise.
//!
//! A GFM cell holds one line of inline content, so a table qualifies when each cell is empty or
//! a single paragraph. The first row becomes the header row (GFM requires one; OneNote tables
//! have no header of their own). Anything richer (lists, several paragraphs, nested tables,
//! code) makes the whole table HTML, written by [`super::html`].

use super::inline::{self, InlineContext};
use super::{escape, html};
use crate::markdown::model::{Block, Table};
use crate::markdown::normalize;

pub(crate) fn table(table: &Table) -> String {
    let simple = table.rows.iter().flatten().all(|cell| is_simple(cell));
    if simple {
        pipe_table(table)
    } else {
        html::table(table)
    }
}

fn is_simple(cell: &[Block]) -> bool {
    matches!(cell, [] | [Block::Paragraph { .. }])
}

fn pipe_table(table: &Table) -> String {
    let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut lines = Vec::with_capacity(table.rows.len() + 1);
    for (index, row) in table.rows.iter().enumerate() {
        let is_header = index == 0;
        let cells: Vec<String> = (0..columns)
            .map(|column| {
                row.get(column)
                    .map(|cell| cell_text(cell, is_header))
                    .unwrap_or_default()
            })
            .collect();
        lines.push(format!("| {} |", cells.join(" | ")));
        if index == 0 {
            lines.push(format!("|{}", " --- |".repeat(columns)));
        }
    }
    lines.join("\n")
}

/// A cell's text on one line. Header cells are bold already, so bold is dropped there rather
/// than written as `| **Vendor** |`.
fn cell_text(cell: &[Block], is_header: bool) -> String {
    match cell {
        [Block::Paragraph { tags, content }] => {
            let content = if is_header {
                normalize::without_bold(content)
            } else {
                content.clone()
            };
            let labels = super::tag_prefix::boxed_prefix(tags, |label| {
                format!("**[{}]** ", escape::text(label))
            });
            format!(
                "{labels}{}",
                inline::markdown(&content, InlineContext::TableCell)
            )
        }
        _ => String::new(),
    }
}
