//! Tables: rows of cells, each cell converted like a small page of its own.

use super::{Converter, Ctx, Sink, SinkKind};
use crate::dom::{self, DomNode};
use crate::markdown::model::{Block, Table};

impl Converter<'_> {
    pub(super) fn table(&mut self, node: &DomNode<'_>, ctx: &Ctx, sink: &mut Sink) {
        sink.flush();
        let ctx = ctx.with_style_of(node);
        let mut rows = Vec::new();
        for row in rows_of(node) {
            let cells: Vec<Vec<Block>> = row
                .children()
                .filter(|cell| dom::is_element(cell, "td") || dom::is_element(cell, "th"))
                .map(|cell| {
                    self.blocks_of_children(&cell, &ctx.with_style_of(&cell), SinkKind::Inline)
                })
                .collect();
            if !cells.is_empty() {
                rows.push(cells);
            }
        }
        if !rows.is_empty() {
            sink.blocks.push(Block::Table(Table { rows }));
        }
    }
}

/// The `tr`s of a table, directly or inside `thead`, `tbody`, `tfoot` (not those of nested
/// tables, which are cells' business).
fn rows_of<'a>(table: &DomNode<'a>) -> Vec<DomNode<'a>> {
    let mut rows = Vec::new();
    for child in table.children() {
        match dom::element(&child).map(|e| e.name()) {
            Some("tr") => rows.push(child),
            Some("thead" | "tbody" | "tfoot") => {
                rows.extend(child.children().filter(|row| dom::is_element(row, "tr")));
            }
            _ => {}
        }
    }
    rows
}
