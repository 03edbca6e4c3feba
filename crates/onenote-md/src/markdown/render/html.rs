//! Tables that GFM cannot express, written as HTML inside the Markdown.
//!
//! CommonMark passes an HTML block through untouched until the first blank line, so the table
//! is written with no blank line in it, and everything inside is HTML: cell text is
//! HTML-escaped (not Markdown-escaped), formatting is `<strong>`/`<em>`, lists are `<ul>`,
//! nested tables are nested `<table>`s. Note tags read `[To do]`, `[Important]`, as in headings.
//! Code keeps its lines in `<pre>`, unindented, with an empty line written as `&#10;` so it
//! cannot end the block.

use super::escape::html_text;
use super::inline;
use crate::markdown::model::{Block, List, ListItem, Table};
use crate::markdown::normalize::tidy_code;
use crate::note_tag::Tags;

pub(crate) fn table(table: &Table) -> String {
    let mut writer = HtmlWriter::default();
    writer.table(table);
    writer.html
}

/// Lines of HTML, indented two spaces per level for a person reading the Markdown source.
#[derive(Default)]
struct HtmlWriter {
    html: String,
    depth: usize,
}

impl HtmlWriter {
    fn line(&mut self, line: &str) {
        if !self.html.is_empty() {
            self.html.push('\n');
        }
        self.html.extend(std::iter::repeat_n(' ', 2 * self.depth));
        self.html.push_str(line);
    }

    fn nested(&mut self, open: &str, close: &str, inside: impl FnOnce(&mut Self)) {
        self.line(open);
        self.depth += 1;
        inside(self);
        self.depth -= 1;
        self.line(close);
    }

    fn table(&mut self, table: &Table) {
        self.nested("<table>", "</table>", |writer| {
            for row in &table.rows {
                writer.nested("<tr>", "</tr>", |writer| {
                    for cell in row {
                        writer.container("td", &Tags::default(), cell);
                    }
                });
            }
        });
    }

    /// A `td` or `li`: one line when it holds a single paragraph, otherwise a block per line.
    fn container(&mut self, tag: &str, tags: &Tags, blocks: &[Block]) {
        let labels = labels(tags);
        match blocks {
            [] => self.line(&format!("<{tag}>{}</{tag}>", labels.trim_end())),
            [Block::Paragraph { tags, content }] => self.line(&format!(
                "<{tag}>{labels}{}{}</{tag}>",
                self::labels(tags),
                inline::html(content)
            )),
            blocks => self.nested(
                &format!("<{tag}>{}", labels.trim_end()),
                &format!("</{tag}>"),
                |writer| writer.blocks(blocks),
            ),
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Paragraph { tags, content } => {
                self.line(&format!("<p>{}{}</p>", labels(tags), inline::html(content)));
            }
            Block::Heading {
                level,
                tags,
                content,
            } => self.line(&format!(
                "<h{level}>{}{}</h{level}>",
                labels(tags),
                inline::html(content)
            )),
            Block::Code(code) | Block::Preformatted(code) => {
                if let Some(code) = tidy_code(code) {
                    self.preformatted(&code);
                }
            }
            Block::List(list) => self.list(list),
            Block::Table(table) => self.table(table),
            Block::Quote(blocks) => {
                self.nested("<blockquote>", "</blockquote>", |writer| writer.blocks(blocks));
            }
            Block::Rule => self.line("<hr>"),
            Block::MissingContent(note) => self.line(&format!(
                "<blockquote><strong>Note:</strong> OneNote could not export part of this page: {}</blockquote>",
                html_text(note)
            )),
            Block::Math(latex) => self.line(&format!("<p>$${}$$</p>", html_text(latex))),
            Block::MathMl(source) => self.preformatted(source),
        }
    }

    fn list(&mut self, list: &List) {
        let (open, close) = match (list.ordered, list.start) {
            (false, _) => ("<ul>".to_owned(), "</ul>"),
            (true, 1) => ("<ol>".to_owned(), "</ol>"),
            (true, start) => (format!("<ol start=\"{start}\">"), "</ol>"),
        };
        self.nested(&open, close, |writer| {
            for ListItem { tags, blocks } in &list.items {
                writer.container("li", tags, blocks);
            }
        });
    }

    /// `<pre><code>` with the code unindented (indentation inside `<pre>` would show) and no
    /// blank line (which would end the HTML block).
    fn preformatted(&mut self, code: &str) {
        let escaped = html_text(code);
        let mut body = String::with_capacity(escaped.len());
        let mut chars = escaped.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\n' && chars.peek() == Some(&'\n') {
                body.push_str("&#10;");
            } else {
                body.push(c);
            }
        }
        self.line(&format!("<pre><code>{body}</code></pre>"));
    }
}

/// The check box glyph and `<strong>[Important]</strong> ` for each other tag.
fn labels(tags: &Tags) -> String {
    super::tag_prefix::boxed_prefix(tags, |label| {
        format!("<strong>[{}]</strong> ", html_text(label))
    })
}
