//! Reading a OneNote page's DOM into the document model.
//!
//! The walk is the usual one for HTML with mixed content: a [`Sink`] collects the blocks of one
//! container (a positioned div, a list item, a table cell). Inline content (text, spans, links,
//! `<br>`) piles up in the sink's current run; a block element first flushes that run into a
//! paragraph and then adds its own block. [`Ctx`] carries what is inherited down the tree:
//! character formatting (from tags *and* from OneNote's inline styles) and the enclosing link.
//!
//! The submodules each handle one family of elements: `blocks` (paragraphs, headings, code,
//! quotes), `list`, `table`, `media` (images, attachments, embeds, ink drawings, equations) and
//! `inline` (formatting and links).

mod blocks;
mod equation;
mod inline;
mod list;
mod media;
mod table;

use std::rc::Rc;

use scraper::Node;

use super::model::{Block, Format, Piece, PieceKind};
use super::normalize;
use crate::conversion::Options;
use crate::dom::{self, DomNode};
use crate::failure_comment::missing_content_note;
use crate::ink::{self, Drawing};
use crate::layout;
use crate::note_tag::Tags;
use crate::resource::{ResourceCollector, ResourceRef};

/// How deep the walk follows nested elements. Past this, an element's text is taken as plain
/// text: real pages are nowhere near it, and it keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 48;

/// Converts one page; holds what is shared across the whole page.
pub(crate) struct Converter<'o> {
    options: Options<'o>,
    resources: ResourceCollector,
    /// The page's ink drawings not placed yet, first first.
    drawings: std::collections::VecDeque<Drawing>,
    /// How many drawings have been placed (they are numbered in the Markdown).
    drawings_placed: usize,
    /// Page links the resolver left as they were.
    unresolved_links: Vec<String>,
    /// The path of each file, by the name the collector chose (see `Options::resource_path`).
    paths: std::collections::HashMap<String, String>,
}

/// What an element inherits from its ancestors.
#[derive(Debug, Clone, Default)]
struct Ctx {
    format: Format,
    link: Option<Rc<str>>,
    depth: usize,
}

/// What kind of container a sink collects for; it decides how loose content is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SinkKind {
    /// A region of the page (body, a positioned div): images and attachments stand as their own
    /// paragraphs, and monospace text becomes a code block.
    Region,
    /// A `<p>`: its monospace text becomes a code block, images stay in the line.
    Paragraph,
    /// A list item, heading or table cell: everything stays inline (inline code, not blocks).
    Inline,
}

/// The blocks of one container, and the inline run being collected.
struct Sink {
    kind: SinkKind,
    blocks: Vec<Block>,
    run: Vec<Piece>,
    /// Note tags waiting for the next paragraph (from the container itself or from spans).
    tags: Tags,
}

impl Sink {
    fn new(kind: SinkKind, tags: Tags) -> Self {
        Sink {
            kind,
            blocks: Vec::new(),
            run: Vec::new(),
            tags,
        }
    }

    fn push(&mut self, piece: Piece) {
        self.run.push(piece);
    }

    /// Whether the run is empty or ends in whitespace or a line break: then whitespace added to
    /// it would collapse away (see `normalize`).
    fn after_space(&self) -> bool {
        match self.run.last() {
            None => true,
            Some(Piece {
                kind: PieceKind::Break,
                ..
            }) => true,
            Some(Piece {
                kind: PieceKind::Text { text, .. },
                ..
            }) => text.ends_with(|c: char| c.is_ascii_whitespace()),
            Some(_) => false,
        }
    }

    /// Ends the current run: it becomes a paragraph (or a code block) if it has any content.
    /// Tags stay waiting when there was nothing to attach them to.
    fn flush(&mut self) {
        if self.run.is_empty() {
            return;
        }
        let pieces = normalize::pieces(std::mem::take(&mut self.run));
        if pieces.is_empty() {
            return;
        }
        let may_be_code = self.kind != SinkKind::Inline && self.tags.is_empty();
        if let Some(code) = may_be_code.then(|| normalize::code_text(&pieces)).flatten() {
            // Even a blank monospace line counts: it is an empty line inside the code.
            self.blocks.push(Block::Code(code));
        } else if normalize::has_visible_content(&pieces) {
            self.blocks.push(Block::Paragraph {
                tags: std::mem::take(&mut self.tags),
                content: pieces,
            });
        }
    }

    /// Flushes and hands over the blocks, with neighbouring code blocks joined into one.
    fn finish(mut self) -> (Vec<Block>, Tags) {
        self.flush();
        (join_code_blocks(self.blocks), self.tags)
    }
}

impl<'o> Converter<'o> {
    pub(crate) fn new(options: Options<'o>) -> Self {
        Converter {
            options,
            resources: ResourceCollector::default(),
            drawings: options.ink.map(ink::drawings).unwrap_or_default().into(),
            drawings_placed: 0,
            unresolved_links: Vec::new(),
            paths: std::collections::HashMap::new(),
        }
    }

    /// The path a file the collector named `name` goes to.
    fn path_of(&mut self, name: String) -> String {
        let Some(place) = self.options.resource_path else {
            return name;
        };
        if let Some(path) = self.paths.get(&name) {
            return path.clone();
        }
        let path = place(&name);
        self.paths.insert(name, path.clone());
        path
    }

    /// The page body as regions in reading order, each a list of blocks. Ink drawings that had
    /// no marker in the page to stand at come last.
    pub(crate) fn body(&mut self, body: &DomNode<'_>) -> Vec<Vec<Block>> {
        let ctx = Ctx::default().with_style_of(body);
        let mut regions: Vec<Vec<Block>> = layout::reading_order(body)
            .into_iter()
            .map(|node| self.blocks_of_nodes(std::iter::once(node), &ctx, SinkKind::Region))
            .filter(|blocks| !blocks.is_empty())
            .collect();
        let mut rest = Sink::new(SinkKind::Region, Tags::default());
        while self.place_drawing(&mut rest) {}
        let (blocks, _) = rest.finish();
        if !blocks.is_empty() {
            regions.push(blocks);
        }
        regions
    }

    /// The images and attachments met, in order of first appearance, and the page links left
    /// unresolved.
    pub(crate) fn finish(self) -> (Vec<ResourceRef>, Vec<String>) {
        let mut resources = self.resources.into_refs();
        for resource in &mut resources {
            if let Some(path) = self.paths.get(&resource.file_name) {
                resource.file_name = path.clone();
            }
        }
        (resources, self.unresolved_links)
    }

    /// The blocks made from a node's children, collected in a fresh sink.
    fn blocks_of_children(&mut self, node: &DomNode<'_>, ctx: &Ctx, kind: SinkKind) -> Vec<Block> {
        self.blocks_of_nodes(node.children(), ctx, kind)
    }

    fn blocks_of_nodes<'a>(
        &mut self,
        nodes: impl Iterator<Item = DomNode<'a>>,
        ctx: &Ctx,
        kind: SinkKind,
    ) -> Vec<Block> {
        let mut sink = Sink::new(kind, Tags::default());
        for node in nodes {
            self.walk(&node, ctx, &mut sink);
        }
        sink.finish().0
    }

    /// Adds one node (and what is under it) to the sink.
    fn walk(&mut self, node: &DomNode<'_>, ctx: &Ctx, sink: &mut Sink) {
        match node.value() {
            Node::Text(text) => {
                // The line breaks and indentation between a page's elements: dropped here, as
                // normalising the run would drop them, without allocating a piece for each.
                let formatting_whitespace =
                    text.bytes().all(|b| b.is_ascii_whitespace()) && sink.after_space();
                if !formatting_whitespace {
                    sink.push(Piece::text(&**text, ctx.format, ctx.link.clone()));
                }
            }
            Node::Comment(comment) => {
                let is_ink = comment.to_ascii_lowercase().contains("inknode");
                if is_ink && self.place_drawing(sink) {
                    return;
                }
                if let Some(note) = missing_content_note(comment) {
                    sink.flush();
                    sink.blocks.push(Block::MissingContent(note));
                }
            }
            Node::Element(element) => {
                if ctx.depth >= MAX_DEPTH {
                    let text = dom::text_content(node);
                    sink.push(Piece::text(text, ctx.format, ctx.link.clone()));
                    return;
                }
                let ctx = Ctx {
                    depth: ctx.depth + 1,
                    ..ctx.clone()
                };
                self.element(node, element.name(), &ctx, sink);
            }
            _ => {}
        }
    }

    fn element(&mut self, node: &DomNode<'_>, name: &str, ctx: &Ctx, sink: &mut Sink) {
        // The names are all different, so the order only decides how soon a name is found:
        // what OneNote writes most comes first, the long list of hidden elements last.
        match name {
            "span" | "a" | "b" | "i" | "strong" | "em" | "u" | "sup" | "sub" => {
                self.inline(node, name, ctx, sink)
            }
            "p" => self.paragraph(node, ctx, sink),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.heading(node, name, ctx, sink),
            "ul" | "ol" => self.list(node, ctx, sink),
            "table" => self.table(node, ctx, sink),
            "pre" => self.preformatted(node, sink),
            "blockquote" => self.quote(node, ctx, sink),
            "hr" => {
                sink.flush();
                sink.blocks.push(Block::Rule);
            }
            "br" => sink.push(Piece {
                kind: PieceKind::Break,
                link: None,
            }),
            "img" | "object" | "iframe" => self.media(node, name, ctx, sink),
            "math" => self.math(node, ctx, sink),
            "div" | "section" | "article" | "main" | "header" | "footer" | "nav" | "aside"
            | "figure" | "figcaption" | "address" | "center" | "dl" | "dt" | "dd" | "li"
            | "details" | "summary" | "form" | "fieldset" | "legend" | "caption" | "thead"
            | "tbody" | "tfoot" | "tr" | "td" | "th" | "body" | "html" => {
                // A generic block container: it separates what is before and after it.
                sink.flush();
                let ctx = ctx.with_style_of(node);
                for child in node.children() {
                    self.walk(&child, &ctx, sink);
                }
                sink.flush();
            }
            name if dom::is_hidden_element(name) => {}
            _ => self.inline(node, name, ctx, sink),
        }
    }
}

impl Ctx {
    /// This context with the formatting an element's `style` attribute adds.
    fn with_style_of(&self, node: &DomNode<'_>) -> Ctx {
        let mut ctx = self.clone();
        if let Some(style) = dom::element(node).and_then(|e| dom::attr(e, "style")) {
            ctx.format.apply_style(style);
        }
        ctx
    }
}

/// The `data-tag` of an element.
fn tags_of(node: &DomNode<'_>) -> Tags {
    dom::element(node)
        .and_then(|e| dom::attr(e, "data-tag"))
        .map(Tags::parse)
        .unwrap_or_default()
}

/// Neighbouring code blocks become one: OneNote writes each line of code as its own paragraph.
fn join_code_blocks(blocks: Vec<Block>) -> Vec<Block> {
    let neighbours = blocks
        .windows(2)
        .any(|pair| matches!(pair, [Block::Code(_), Block::Code(_)]));
    if !neighbours {
        return blocks;
    }
    let mut joined: Vec<Block> = Vec::with_capacity(blocks.len());
    for block in blocks {
        match (joined.last_mut(), block) {
            (Some(Block::Code(previous)), Block::Code(next)) => {
                previous.push('\n');
                previous.push_str(&next);
            }
            (_, block) => joined.push(block),
        }
    }
    joined
}
