//! Lists: `ul`, `ol` and their items, however they are nested.
//!
//! Besides the textbook `<li>text<ul>…</ul></li>`, pages nest lists as a `ul` directly inside a
//! `ul`, or as an item holding nothing but a list (an indented run of items). Both mean "these
//! items belong under the previous one", and are read that way.

use super::{Converter, Ctx, Sink, SinkKind, tags_of};
use crate::dom::{self, DomNode};
use crate::markdown::model::{Block, List, ListItem};
use crate::note_tag::Tags;

/// CommonMark allows at most nine digits in an ordered list marker.
const MAX_START: u32 = 99_999_999;

impl Converter<'_> {
    pub(super) fn list(&mut self, node: &DomNode<'_>, ctx: &Ctx, sink: &mut Sink) {
        sink.flush();
        let ctx = ctx.with_style_of(node);
        let element = dom::element(node);
        let ordered = element.is_some_and(|e| e.name() == "ol");
        let start = element
            .and_then(|e| dom::attr(e, "start"))
            .and_then(|start| start.trim().parse::<u32>().ok())
            .map_or(1, |start| start.min(MAX_START));
        let mut items: Vec<ListItem> = Vec::new();
        for child in node.children() {
            if dom::is_blank_text(&child) {
                continue;
            }
            if dom::is_element(&child, "li") {
                let item = self.list_item(&child, &ctx);
                let only_sublists = !item.blocks.is_empty()
                    && item.blocks.iter().all(|b| matches!(b, Block::List(_)));
                match items.last_mut() {
                    Some(previous) if only_sublists && item.tags.is_empty() => {
                        previous.blocks.extend(item.blocks);
                    }
                    _ if item.blocks.is_empty() && item.tags.is_empty() => {}
                    _ => items.push(item),
                }
            } else {
                // A nested list (or stray content) directly in the list: it belongs to the
                // item before it.
                let mut stray = Sink::new(SinkKind::Inline, Tags::default());
                self.walk(&child, &ctx, &mut stray);
                let blocks = stray.finish().0;
                if blocks.is_empty() {
                    continue;
                }
                match items.last_mut() {
                    Some(previous) => previous.blocks.extend(blocks),
                    None => items.push(ListItem {
                        tags: Tags::default(),
                        blocks,
                    }),
                }
            }
        }
        if !items.is_empty() {
            sink.blocks.push(Block::List(List {
                ordered,
                start,
                items,
            }));
        }
    }

    /// One `<li>`. Its note tags are its own `data-tag` plus those on the span (or paragraph)
    /// that starts it, which is where OneNote writes them.
    fn list_item(&mut self, node: &DomNode<'_>, ctx: &Ctx) -> ListItem {
        let ctx = ctx.with_style_of(node);
        let mut sink = Sink::new(SinkKind::Inline, tags_of(node));
        for child in node.children() {
            self.walk(&child, &ctx, &mut sink);
        }
        let (mut blocks, unattached) = sink.finish();
        let mut tags = Tags::default();
        if let Some(Block::Paragraph {
            tags: first_tags, ..
        }) = blocks.first_mut()
        {
            tags = std::mem::take(first_tags);
        }
        tags.extend(unattached);
        ListItem { tags, blocks }
    }
}
