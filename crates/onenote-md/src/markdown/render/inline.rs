//! Writing inline content: text, formatting, links, images and attachments.
//!
//! Formatting is written by keeping a stack of open marks: going from one piece to the next, the
//! writer closes marks the next piece does not have (innermost first) and opens the ones it
//! adds, so `**bold *both*** plain` comes out nested properly. Links, images and line breaks
//! close everything first, so a mark never spans them.
//!
//! `**`, `*` and `~~` only work when the characters around them allow it (CommonMark's
//! "flanking" rules): `**"quoted"**x` is not bold, and `a*b**c**d*` can pair the wrong way.
//! After writing a paragraph with delimiters the writer checks every delimiter run it wrote; if
//! any could be misread, it writes the paragraph again with `<strong>`, `<em>` and `<del>`,
//! which always work. (The property tests check this against a real CommonMark parser.)

use std::rc::Rc;

use super::escape;
use crate::markdown::model::{Format, Mark, Piece, PieceKind};

/// Where inline content is being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InlineContext {
    /// A paragraph or list item: `<br>` is a hard break, line starts are escaped.
    Paragraph,
    /// A heading: one line, so `<br>` becomes a space.
    Heading,
    /// A GFM table cell: one line, so `<br>` stays `<br>`, and `|` is escaped even in code.
    TableCell,
}

/// Inline content as Markdown.
pub(crate) fn markdown(pieces: &[Piece], context: InlineContext) -> String {
    let with_delimiters =
        Writer::new(Syntax::Markdown(MarkStyle::Delimiters), context).write(pieces);
    let text = if with_delimiters.delimiters_read_as_written() {
        with_delimiters.out
    } else {
        Writer::new(Syntax::Markdown(MarkStyle::Tags), context)
            .write(pieces)
            .out
    };
    match context {
        InlineContext::Paragraph => escape::line_starts(text),
        InlineContext::Heading => escape::heading_end(text),
        InlineContext::TableCell => text,
    }
}

/// Inline content as HTML (for tables that cannot be GFM tables).
pub(crate) fn html(pieces: &[Piece]) -> String {
    Writer::new(Syntax::Html, InlineContext::TableCell)
        .write(pieces)
        .out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Markdown(MarkStyle),
    Html,
}

/// How bold, italic and strike-through are written in Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkStyle {
    /// `**`, `*`, `~~`.
    Delimiters,
    /// `<strong>`, `<em>`, `<del>`.
    Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Open,
    Close,
}

/// A run of delimiter characters written back to back (`***` from closing italic and bold).
#[derive(Debug)]
struct DelimiterRun {
    character: u8,
    start: usize,
    end: usize,
    opens: bool,
    closes: bool,
    /// How many marks were written into this run.
    marks: usize,
    /// Another delimiter mark was open around it, so a parser could pair it with that one.
    nested: bool,
}

struct Writer {
    syntax: Syntax,
    context: InlineContext,
    out: String,
    /// Marks currently open, outermost first.
    open: Vec<Mark>,
    runs: Vec<DelimiterRun>,
}

impl Writer {
    fn new(syntax: Syntax, context: InlineContext) -> Self {
        Writer {
            syntax,
            context,
            out: String::new(),
            open: Vec::new(),
            runs: Vec::new(),
        }
    }

    fn write(mut self, pieces: &[Piece]) -> Self {
        let text_length: usize = pieces
            .iter()
            .map(|piece| piece.as_text().map_or(16, |(text, _)| text.len()))
            .sum();
        self.out.reserve(text_length + 16);
        let mut index = 0;
        while let Some(piece) = pieces.get(index) {
            match &piece.link {
                Some(href) => {
                    let length = pieces[index..]
                        .iter()
                        .take_while(|p| p.link.as_ref() == Some(href))
                        .count();
                    self.link(&pieces[index..index + length], href);
                    index += length;
                }
                None => {
                    self.piece(piece);
                    index += 1;
                }
            }
        }
        self.close_all();
        self
    }

    fn piece(&mut self, piece: &Piece) {
        match &piece.kind {
            PieceKind::Text { text, format } => {
                self.switch_to(*format);
                if format.code {
                    self.code(text);
                } else {
                    self.text(text);
                }
            }
            PieceKind::Break => {
                self.close_all();
                let line_break = match (self.syntax, self.context) {
                    (Syntax::Markdown(_), InlineContext::Paragraph) => "\\\n",
                    (Syntax::Markdown(_), InlineContext::Heading) => " ",
                    _ => "<br>",
                };
                self.out.push_str(line_break);
            }
            PieceKind::Image { alt, path } => {
                self.close_all();
                match self.syntax {
                    Syntax::Markdown(_) => {
                        self.out.push_str("![");
                        escape::push_text(&mut self.out, alt);
                        self.out.push_str("](");
                        escape::push_path_destination(&mut self.out, path);
                        self.out.push(')');
                    }
                    Syntax::Html => {
                        let image = format!(
                            "<img src=\"{}\" alt=\"{}\">",
                            escape::html_attribute(&escape::path_destination(path)),
                            escape::html_attribute(alt)
                        );
                        self.out.push_str(&image);
                    }
                }
            }
            PieceKind::Math(latex) => {
                self.close_all();
                match self.syntax {
                    Syntax::Markdown(_) => {
                        self.out.push('$');
                        self.out.push_str(latex);
                        self.out.push('$');
                    }
                    Syntax::Html => {
                        self.out.push('$');
                        self.out.push_str(&escape::html_text(latex));
                        self.out.push('$');
                    }
                }
            }
            PieceKind::Attachment { name, path } => {
                self.close_all();
                self.protect_bang();
                match self.syntax {
                    Syntax::Markdown(_) => {
                        self.out.push_str("[📎 ");
                        escape::push_text(&mut self.out, name);
                        self.out.push_str("](");
                        escape::push_path_destination(&mut self.out, path);
                        self.out.push(')');
                    }
                    Syntax::Html => {
                        let link = format!(
                            "<a href=\"{}\">📎 {}</a>",
                            escape::html_attribute(&escape::path_destination(path)),
                            escape::html_text(name)
                        );
                        self.out.push_str(&link);
                    }
                }
            }
        }
    }

    /// A link around `pieces`. A bare URL whose text is the URL itself becomes an autolink.
    fn link(&mut self, pieces: &[Piece], href: &Rc<str>) {
        self.close_all();
        let is_bare_url =
            matches!(pieces, [only] if only.as_text() == Some((href, Format::default())));
        match self.syntax {
            Syntax::Markdown(_) if is_bare_url && can_autolink(href) => {
                self.out.push('<');
                self.out.push_str(href);
                self.out.push('>');
            }
            Syntax::Markdown(_) => {
                self.protect_bang();
                self.out.push('[');
                for piece in pieces {
                    self.piece(piece);
                }
                self.close_all();
                self.out.push_str("](");
                self.out.push_str(&escape::url_destination(href));
                self.out.push(')');
            }
            Syntax::Html => {
                self.out.push_str("<a href=\"");
                self.out.push_str(&escape::html_attribute(href));
                self.out.push_str("\">");
                for piece in pieces {
                    self.piece(piece);
                }
                self.close_all();
                self.out.push_str("</a>");
            }
        }
    }

    /// A `!` just before a `[` we are about to write would make the link an image: escape it.
    fn protect_bang(&mut self) {
        if matches!(self.syntax, Syntax::Markdown(_)) && self.out.ends_with('!') {
            self.out.insert(self.out.len() - 1, '\\');
        }
    }

    fn text(&mut self, text: &str) {
        match self.syntax {
            Syntax::Markdown(_) => escape::push_text(&mut self.out, text),
            Syntax::Html => self.out.push_str(&escape::html_text(text)),
        }
    }

    fn code(&mut self, code: &str) {
        let span = match self.syntax {
            Syntax::Markdown(_) => {
                escape::code_span(code, self.context == InlineContext::TableCell)
            }
            Syntax::Html => format!("<code>{}</code>", escape::html_text(code)),
        };
        self.out.push_str(&span);
    }

    /// Closes the open marks `format` does not have (and everything opened after them), then
    /// opens the ones it adds.
    fn switch_to(&mut self, format: Format) {
        if let Some(first_unwanted) = self.open.iter().position(|mark| !format.has(*mark)) {
            while self.open.len() > first_unwanted {
                if let Some(mark) = self.open.pop() {
                    self.mark(mark, Side::Close);
                }
            }
        }
        for mark in Mark::ALL {
            if format.has(mark) && !self.open.contains(&mark) {
                self.open.push(mark);
                self.mark(mark, Side::Open);
            }
        }
    }

    fn close_all(&mut self) {
        while let Some(mark) = self.open.pop() {
            self.mark(mark, Side::Close);
        }
    }

    /// Whether a mark written as a delimiter (not as a tag) is open.
    fn delimiter_mark_open(&self) -> bool {
        self.syntax == Syntax::Markdown(MarkStyle::Delimiters)
            && self
                .open
                .iter()
                .any(|mark| matches!(mark, Mark::Bold | Mark::Italic | Mark::Strike))
    }

    fn mark(&mut self, mark: Mark, side: Side) {
        let delimiter = match mark {
            Mark::Bold => Some("**"),
            Mark::Italic => Some("*"),
            Mark::Strike => Some("~~"),
            Mark::Underline | Mark::Superscript | Mark::Subscript => None,
        };
        match (self.syntax, delimiter) {
            (Syntax::Markdown(MarkStyle::Delimiters), Some(delimiter)) => {
                self.record_run(delimiter, side);
                self.out.push_str(delimiter);
            }
            _ => {
                let tag = match mark {
                    Mark::Bold => "strong",
                    Mark::Italic => "em",
                    Mark::Strike => "del",
                    Mark::Underline => "u",
                    Mark::Superscript => "sup",
                    Mark::Subscript => "sub",
                };
                self.out
                    .push_str(if side == Side::Close { "</" } else { "<" });
                self.out.push_str(tag);
                self.out.push('>');
            }
        }
    }

    /// Notes a delimiter about to be written at the end of `out`, joining it to the run before
    /// when they touch and use the same character (they are then one run to a parser).
    ///
    /// Called after the mark was pushed on (or popped off) the stack, so for an opener the stack
    /// holds the mark itself; anything else open means the run is nested.
    fn record_run(&mut self, delimiter: &str, side: Side) {
        let character = delimiter.as_bytes()[0];
        let start = self.out.len();
        let end = start + delimiter.len();
        let others_open = match side {
            Side::Open => self.open.len() > 1 && self.delimiter_mark_open_below_top(),
            Side::Close => self.delimiter_mark_open(),
        };
        match self.runs.last_mut() {
            Some(run) if run.end == start && run.character == character => {
                run.end = end;
                run.opens |= side == Side::Open;
                run.closes |= side == Side::Close;
                run.marks += 1;
                run.nested |= others_open;
            }
            _ => self.runs.push(DelimiterRun {
                character,
                start,
                end,
                opens: side == Side::Open,
                closes: side == Side::Close,
                marks: 1,
                nested: others_open,
            }),
        }
    }

    /// Whether a delimiter mark other than the one just opened (the top of the stack) is open.
    fn delimiter_mark_open_below_top(&self) -> bool {
        self.open[..self.open.len() - 1]
            .iter()
            .any(|mark| matches!(mark, Mark::Bold | Mark::Italic | Mark::Strike))
    }

    /// Whether a CommonMark parser will read every delimiter run as the opener or closer we meant
    /// it to be. An opener must be left-flanking, a closer right-flanking, and no run may both
    /// close and open. A run that is both left- and right-flanking (inside a word: `un**believ**able`,
    /// or CJK text) could go either way, so it is accepted only when it is a single mark with no
    /// other delimiter open around it: then there is nothing else it could pair with.
    fn delimiters_read_as_written(&self) -> bool {
        self.runs.iter().all(|run| {
            let before = self.out[..run.start].chars().next_back();
            let after = self.out[run.end..].chars().next();
            let left = left_flanking(before, after);
            let right = right_flanking(before, after);
            let unambiguous = run.marks == 1 && !run.nested;
            match (run.opens, run.closes) {
                (true, false) => left && (!right || unambiguous),
                (false, true) => right && (!left || unambiguous),
                _ => false,
            }
        })
    }
}

/// Whether `<url>` is a valid CommonMark autolink for this URL.
fn can_autolink(url: &str) -> bool {
    !url.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>'))
}

/// CommonMark treats the start and end of the text as whitespace.
fn is_space(c: Option<char>) -> bool {
    c.is_none_or(char::is_whitespace)
}

/// Unicode punctuation and symbols, approximately: anything visible that is not a letter or
/// digit.
fn is_punctuation(c: Option<char>) -> bool {
    c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace())
}

fn left_flanking(before: Option<char>, after: Option<char>) -> bool {
    !is_space(after) && (!is_punctuation(after) || is_space(before) || is_punctuation(before))
}

fn right_flanking(before: Option<char>, after: Option<char>) -> bool {
    !is_space(before) && (!is_punctuation(before) || is_space(after) || is_punctuation(after))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(text: &str, bold: bool, italic: bool) -> Piece {
        Piece::text(
            text,
            Format {
                bold,
                italic,
                ..Format::default()
            },
            None,
        )
    }

    #[test]
    fn nests_marks() {
        let pieces = [
            piece("bold ", true, false),
            piece("both", true, true),
            piece(" plain", false, false),
        ];
        assert_eq!(
            markdown(&pieces, InlineContext::Paragraph),
            "**bold *both*** plain"
        );
    }

    #[test]
    fn bold_inside_a_word_stays_markdown() {
        let pieces = [
            piece("un", false, false),
            piece("believ", true, false),
            piece("able", false, false),
        ];
        assert_eq!(
            markdown(&pieces, InlineContext::Paragraph),
            "un**believ**able"
        );
    }

    #[test]
    fn falls_back_to_tags_where_delimiters_would_be_misread() {
        let pieces = [
            piece("\"quoted\"", true, false),
            piece("text", false, false),
        ];
        assert_eq!(
            markdown(&pieces, InlineContext::Paragraph),
            "<strong>\"quoted\"</strong>text"
        );
        let nested = [
            piece("a", false, true),
            piece("b", true, true),
            piece("c", false, true),
        ];
        assert_eq!(
            markdown(&nested, InlineContext::Paragraph),
            "<em>a<strong>b</strong>c</em>"
        );
    }

    #[test]
    fn bold_next_to_punctuation_outside_a_word_stays_markdown() {
        let pieces = [
            piece("(", false, false),
            piece("bold", true, false),
            piece(").", false, false),
        ];
        assert_eq!(markdown(&pieces, InlineContext::Paragraph), "(**bold**).");
    }

    #[test]
    fn links_and_autolinks() {
        let href: Rc<str> = Rc::from("https://example.com/a_(b)");
        let link = |text: &str| Piece::text(text, Format::default(), Some(href.clone()));
        assert_eq!(
            markdown(&[link("see [docs]")], InlineContext::Paragraph),
            "[see \\[docs\\]](https://example.com/a_%28b%29)"
        );
        assert_eq!(
            markdown(
                &[link("https://example.com/a_(b)")],
                InlineContext::Paragraph
            ),
            "<https://example.com/a_(b)>"
        );
    }
}
