//! Paragraphs, headings, preformatted text and quotes.

use super::{Converter, Ctx, Sink, SinkKind, tags_of};
use crate::dom::{self, DomNode};
use crate::markdown::model::Block;
use crate::markdown::normalize;

impl Converter<'_> {
    /// A `<p>`: its own paragraph (or code block, when it is all monospace), carrying its note
    /// tags.
    pub(super) fn paragraph(&mut self, node: &DomNode<'_>, ctx: &Ctx, sink: &mut Sink) {
        sink.flush();
        let ctx = ctx.with_style_of(node);
        let mut inner = Sink::new(SinkKind::Paragraph, tags_of(node));
        for child in node.children() {
            self.walk(&child, &ctx, &mut inner);
        }
        sink.blocks.extend(inner.finish().0);
    }

    /// `<h1>` … `<h6>`. Headings are bold already, so bold inside them is dropped rather than
    /// written as `## **Title**`.
    pub(super) fn heading(&mut self, node: &DomNode<'_>, name: &str, ctx: &Ctx, sink: &mut Sink) {
        sink.flush();
        let level = name
            .strip_prefix('h')
            .and_then(|digit| digit.parse::<u8>().ok())
            .unwrap_or(1);
        let ctx = ctx.with_style_of(node);
        let mut inner = Sink::new(SinkKind::Inline, tags_of(node));
        for child in node.children() {
            self.walk(&child, &ctx, &mut inner);
        }
        let mut blocks = inner.finish().0.into_iter();
        match blocks.next() {
            Some(Block::Paragraph { tags, content }) => sink.blocks.push(Block::Heading {
                level,
                tags,
                content: normalize::without_bold(&content),
            }),
            Some(other) => sink.blocks.push(other),
            None => {}
        }
        sink.blocks.extend(blocks);
    }

    /// `<pre>`: a code block with its whitespace kept.
    pub(super) fn preformatted(&mut self, node: &DomNode<'_>, sink: &mut Sink) {
        sink.flush();
        let text = dom::text_content(node).replace('\u{A0}', " ");
        sink.blocks.push(Block::Preformatted(text));
    }

    /// `<blockquote>`.
    pub(super) fn quote(&mut self, node: &DomNode<'_>, ctx: &Ctx, sink: &mut Sink) {
        sink.flush();
        let blocks = self.blocks_of_children(node, &ctx.with_style_of(node), SinkKind::Region);
        if !blocks.is_empty() {
            sink.blocks.push(Block::Quote(blocks));
        }
    }
}
