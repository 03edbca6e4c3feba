//! What a tag's name tells the layout-whitespace survey: whether whitespace beside the tag can
//! show, and whether the HTML parser puts the element where it is written.

/// What an element is, as far as whitespace beside its tags and the parser's mending go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Html,
    Head,
    Body,
    /// What goes in `<head>`: `title`, `meta`, `link`, `style`, `base`, `script`.
    HeadContent,
    Paragraph,
    Heading,
    /// Blocks that hold blocks: `div`, `blockquote`, `section`, ….
    Flow,
    List,
    ListItem,
    DefinitionList,
    DefinitionItem,
    Table,
    /// `tbody`, `thead`, `tfoot`.
    TableSection,
    Row,
    Cell,
    Caption,
    /// `hr`.
    Rule,
    /// `br`.
    LineBreak,
    /// Inline elements with content: `span`, `a`, `b`, `sup`, `object`, ….
    Phrasing,
    /// Inline elements without: `img`, `wbr`.
    VoidPhrasing,
    /// Whitespace in it is content: `<pre>` and `<listing>`, and `<math>`, whose MathML is kept
    /// as it was written when LaTeX cannot say it.
    Verbatim,
    /// Anything else: an element whose parsing this module does not follow.
    Unknown,
}

impl Kind {
    pub(crate) fn of(name: &[u8]) -> Kind {
        // Lower case in a small buffer, so that each name is compared once, not once per list.
        let mut lower = [0u8; 10];
        let Some(lower) = lower.get_mut(..name.len()) else {
            return Kind::Unknown;
        };
        lower.copy_from_slice(name);
        lower.make_ascii_lowercase();
        match &*lower {
            b"span" | b"a" | b"b" | b"i" | b"u" | b"s" | b"em" | b"strong" | b"sup" | b"sub"
            | b"code" | b"font" | b"cite" | b"del" | b"ins" | b"strike" | b"small" | b"big"
            | b"tt" | b"object" | b"iframe" | b"q" | b"abbr" | b"mark" | b"kbd" | b"samp"
            | b"var" | b"dfn" => Kind::Phrasing,
            b"p" => Kind::Paragraph,
            b"div" | b"blockquote" | b"section" | b"article" | b"header" | b"footer" | b"nav"
            | b"aside" | b"main" | b"figure" | b"figcaption" | b"address" | b"center" => Kind::Flow,
            b"br" => Kind::LineBreak,
            b"img" | b"wbr" => Kind::VoidPhrasing,
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => Kind::Heading,
            b"ul" | b"ol" => Kind::List,
            b"li" => Kind::ListItem,
            b"table" => Kind::Table,
            b"tbody" | b"thead" | b"tfoot" => Kind::TableSection,
            b"tr" => Kind::Row,
            b"td" | b"th" => Kind::Cell,
            b"caption" => Kind::Caption,
            b"hr" => Kind::Rule,
            b"dl" => Kind::DefinitionList,
            b"dt" | b"dd" => Kind::DefinitionItem,
            b"html" => Kind::Html,
            b"head" => Kind::Head,
            b"body" => Kind::Body,
            b"title" | b"meta" | b"link" | b"style" | b"base" | b"script" => Kind::HeadContent,
            b"pre" | b"listing" | b"math" => Kind::Verbatim,
            _ => Kind::Unknown,
        }
    }

    /// Whitespace next to this element's tags is never shown (when the page is strict).
    pub(crate) fn is_block_boundary(self) -> bool {
        !matches!(
            self,
            Kind::Phrasing | Kind::VoidPhrasing | Kind::Verbatim | Kind::Unknown
        )
    }

    /// The element has no end tag.
    pub(crate) fn is_void(self, name: &[u8]) -> bool {
        match self {
            Kind::LineBreak | Kind::VoidPhrasing | Kind::Rule => true,
            Kind::HeadContent => {
                let void = |void: &[u8]| name.eq_ignore_ascii_case(void);
                void(b"meta") || void(b"link") || void(b"base")
            }
            _ => false,
        }
    }

    /// The parser reads the element's content as text up to its end tag.
    pub(crate) fn is_raw_text(self, name: &[u8]) -> bool {
        match self {
            Kind::HeadContent => {
                let raw = |raw: &[u8]| name.eq_ignore_ascii_case(raw);
                raw(b"title") || raw(b"style") || raw(b"script")
            }
            Kind::Phrasing => name.eq_ignore_ascii_case(b"iframe"),
            _ => false,
        }
    }

    /// Whether the parser puts a `child` element inside this one as written, mending nothing
    /// (no end tag implied, nothing moved out of a table, nothing dropped).
    pub(crate) fn holds_as_written(self, child: Kind) -> bool {
        let flow = matches!(
            child,
            Kind::Paragraph
                | Kind::Heading
                | Kind::Flow
                | Kind::List
                | Kind::DefinitionList
                | Kind::Table
                | Kind::Rule
        );
        let phrasing = matches!(child, Kind::Phrasing | Kind::VoidPhrasing | Kind::LineBreak);
        match self {
            Kind::Html => matches!(child, Kind::Head | Kind::Body),
            Kind::Head => child == Kind::HeadContent,
            Kind::Body
            | Kind::Flow
            | Kind::ListItem
            | Kind::DefinitionItem
            | Kind::Cell
            | Kind::Caption => flow || phrasing,
            Kind::Paragraph | Kind::Heading | Kind::Phrasing => phrasing,
            // OneNote writes a list inside a list directly, not inside an item.
            Kind::List => matches!(child, Kind::ListItem | Kind::List),
            Kind::DefinitionList => child == Kind::DefinitionItem,
            Kind::Table => matches!(child, Kind::Caption | Kind::TableSection | Kind::Row),
            Kind::TableSection => child == Kind::Row,
            Kind::Row => child == Kind::Cell,
            _ => false,
        }
    }

    /// Whether text directly inside this element stays where it is written.
    pub(crate) fn holds_text(self) -> bool {
        !matches!(
            self,
            Kind::Html
                | Kind::Head
                | Kind::List
                | Kind::DefinitionList
                | Kind::Table
                | Kind::TableSection
                | Kind::Row
        )
    }
}
