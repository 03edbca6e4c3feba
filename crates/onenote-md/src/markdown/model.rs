//! The document model between OneNote HTML and Markdown.
//!
//! Conversion happens in two steps: `convert` reads the DOM into these types, deciding what each
//! piece of the page *is* (a task, a code block, a table); `render` decides how it is *written*
//! (GFM table or HTML table, `**` or `<strong>`). Keeping the two apart is what keeps either
//! one readable.

use std::rc::Rc;

use crate::note_tag::Tags;
use crate::style::InlineStyle;

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// A paragraph; with a check-box tag it is written as a task.
    Paragraph {
        tags: Tags,
        content: Vec<Piece>,
    },
    Heading {
        level: u8,
        tags: Tags,
        content: Vec<Piece>,
    },
    /// Monospace text, written as a fenced code block. OneNote writes each line of code as a
    /// paragraph of its own, so neighbouring ones are one block.
    Code(String),
    /// A `<pre>`: a fenced code block of its own, never joined with the code next to it.
    Preformatted(String),
    List(List),
    Table(Table),
    Quote(Vec<Block>),
    Rule,
    /// OneNote's note that it could not export part of the page.
    MissingContent(String),
    /// An equation on a line of its own, in LaTeX.
    Math(String),
    /// An equation LaTeX could not be written for: its MathML, kept as it was.
    MathMl(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct List {
    pub ordered: bool,
    /// The number of the first item (ordered lists).
    pub start: u32,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ListItem {
    pub tags: Tags,
    pub blocks: Vec<Block>,
}

/// A table: rows of cells, each cell a list of blocks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub rows: Vec<Vec<Vec<Block>>>,
}

/// A piece of inline content, possibly inside a link.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    pub kind: PieceKind,
    /// The `href` of the link this piece is inside, already checked to be a scheme we link.
    pub link: Option<Rc<str>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PieceKind {
    Text {
        text: String,
        format: Format,
    },
    /// A hard line break (`<br>`).
    Break,
    /// `path` is the file next to the Markdown, e.g. `resources/floor-plan.png`.
    Image {
        alt: String,
        path: String,
    },
    Attachment {
        name: String,
        path: String,
    },
    /// An equation inside a line of text, in LaTeX.
    Math(String),
}

impl Piece {
    pub(crate) fn text(text: impl Into<String>, format: Format, link: Option<Rc<str>>) -> Self {
        Piece {
            kind: PieceKind::Text {
                text: text.into(),
                format,
            },
            link,
        }
    }

    /// The text and format, for text pieces.
    pub(crate) fn as_text(&self) -> Option<(&str, Format)> {
        match &self.kind {
            PieceKind::Text { text, format } => Some((text, *format)),
            _ => None,
        }
    }
}

/// Character formatting of a text piece.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Format {
    pub bold: bool,
    pub italic: bool,
    pub strike: bool,
    pub underline: bool,
    pub superscript: bool,
    pub subscript: bool,
    /// Monospace: an inline code span.
    pub code: bool,
}

/// One kind of formatting that is opened and closed around text (everything but code, which is a
/// span of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Bold,
    Italic,
    Strike,
    Underline,
    Superscript,
    Subscript,
}

impl Mark {
    /// Marks in the order they are opened (outermost first).
    pub(crate) const ALL: [Mark; 6] = [
        Mark::Bold,
        Mark::Italic,
        Mark::Strike,
        Mark::Underline,
        Mark::Superscript,
        Mark::Subscript,
    ];
}

impl Format {
    /// Adds what an inline `style` attribute says to the formatting.
    pub fn apply_style(&mut self, style: &str) {
        let style = InlineStyle::parse(style);
        let set = |flag: &mut bool, value: Option<bool>| {
            if let Some(value) = value {
                *flag = value;
            }
        };
        set(&mut self.bold, style.bold);
        set(&mut self.italic, style.italic);
        set(&mut self.strike, style.strike);
        set(&mut self.underline, style.underline);
        set(&mut self.code, style.monospace);
        set(&mut self.superscript, style.superscript);
        set(&mut self.subscript, style.subscript);
    }

    pub(crate) fn has(self, mark: Mark) -> bool {
        match mark {
            Mark::Bold => self.bold,
            Mark::Italic => self.italic,
            Mark::Strike => self.strike,
            Mark::Underline => self.underline,
            Mark::Superscript => self.superscript,
            Mark::Subscript => self.subscript,
        }
    }

    /// The formatting two formats share.
    pub(crate) fn common(self, other: Format) -> Format {
        Format {
            bold: self.bold && other.bold,
            italic: self.italic && other.italic,
            strike: self.strike && other.strike,
            underline: self.underline && other.underline,
            superscript: self.superscript && other.superscript,
            subscript: self.subscript && other.subscript,
            code: self.code && other.code,
        }
    }
}
