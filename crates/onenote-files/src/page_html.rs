//! One page of a OneNote file written as the HTML Graph gives for a page (docs/protocol.md
//! §10), so that the converter that makes the Graph export's Markdown makes this one too: one
//! vault, whichever way the pages came.
//!
//! What the parser gives maps onto Graph's page HTML like this:
//!
//! * paragraphs → `<p>`, headings (paragraph styles `h1`–`h6`) → `<h1>`–`<h6>`, quotes →
//!   `<blockquote>`, code → a monospace paragraph; runs → `<b>`, `<i>`, `<u>`, `<s>`,
//!   `<sup>`, `<sub>` and a `<span style>` for colour and highlight; links → `<a href>`;
//! * list items → `<ul>`/`<ol>` with `<li>`, nested by the outline's indentation;
//! * tables → `<table>` (cells keep their background colour; an empty cell stays a cell);
//! * note tags → `data-tag` (`to-do`, `to-do:completed`, `important`, a custom tag by its name);
//! * images → `<img>` and files → `<object data-attachment>`, both pointing at a resource URL
//!   the [`crate::source::FileSource`] answers with the bytes in the file;
//! * ink → InkML beside the page ([`crate::ink`]), drawn as SVG by the converter; the words
//!   OneNote recognised in the handwriting, when it did, as a paragraph after the page;
//! * equations → `<math>` ([`crate::math_text`]), which the converter writes as LaTeX.
//!
//! Everything from the file is text here: it is escaped, never copied in as markup.

use std::fmt::Write as _;

use onenote_parser::contents::{
    Content, EmbeddedFile, EmbeddedObject, Image, Ink, List, NoteTag, Outline, OutlineElement,
    OutlineItem, ParagraphStyling, RichText, Table,
};
use onenote_parser::page::{Page, PageContent};
use onenote_parser::property::common::ColorRef;

use crate::{ink, math_text};

/// How deep outlines and tables may nest before the rest is flattened (a hostile file could
/// nest without end; OneNote itself stops far below this).
const MAX_DEPTH: usize = 48;

/// A picture or a file the page shows, read from the section when its bytes are asked for.
#[derive(Clone, Debug)]
pub enum Resource {
    Image(Image),
    File(EmbeddedFile),
}

/// A page as Graph would give it.
pub struct PageHtml {
    pub html: String,
    /// InkML, when the page has ink.
    pub ink: Option<String>,
    /// The resources the HTML points at, by id.
    pub resources: Vec<(String, Resource)>,
}

/// The URL an `<img>` or `<object>` points at for resource `id`: Graph's shape, which the
/// converter turns back into `id`.
pub fn resource_url(id: &str) -> String {
    format!("https://graph.microsoft.com/v1.0/me/onenote/resources/{id}/$value")
}

/// Writes `page`; its resources get ids `{page_id}-r{n}`.
pub fn render(page: &Page, page_id: &str) -> PageHtml {
    let mut writer = Writer {
        html: String::with_capacity(4096),
        inks: Vec::new(),
        resources: Vec::new(),
        page_id,
    };
    let title = page.title_text().unwrap_or_default();
    writer.html.push_str("<html><head><title>");
    escape_into(&mut writer.html, title);
    writer.html.push_str("</title></head><body>");
    // Ink on the page itself is kept as OneNote stores it, object by object (often a word or
    // a stroke each), in the page's coordinates: drawn together it is the page's handwriting
    // and sketches as they look, in one picture rather than dozens of fragments.
    let mut on_the_page = Vec::new();
    for content in page.contents() {
        match content {
            PageContent::Outline(outline) => writer.outline(outline),
            PageContent::Image(image) => writer.image(image, &[]),
            PageContent::EmbeddedFile(file) => writer.file(file),
            PageContent::Ink(ink) => on_the_page.push(ink.clone()),
            PageContent::Unknown => {}
        }
    }
    if !on_the_page.is_empty() {
        writer.inks.insert(0, on_the_page);
    }
    // What OneNote read in the page's handwriting: words a drawing cannot be searched for.
    if let Some(recognised) = page.ink_recognition() {
        let text = recognised.text();
        if !text.trim().is_empty() {
            writer
                .html
                .push_str("<p><i>Handwriting, as OneNote read it:</i></p><p>");
            for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
                if n > 0 {
                    writer.html.push_str("<br>");
                }
                escape_into(&mut writer.html, line);
            }
            writer.html.push_str("</p>");
        }
    }
    writer.html.push_str("</body></html>");
    let ink = ink::inkml(&writer.inks);
    PageHtml {
        html: writer.html,
        ink,
        resources: writer.resources,
    }
}

struct Writer<'a> {
    html: String,
    /// The page's drawings: each a group of ink objects drawn together.
    inks: Vec<Vec<Ink>>,
    resources: Vec<(String, Resource)>,
    page_id: &'a str,
}

impl Writer<'_> {
    fn outline(&mut self, outline: &Outline) {
        self.html.push_str("<div>");
        self.items(outline.items(), 0);
        self.html.push_str("</div>");
    }

    /// Outline items at one level: runs of list items become one list, the rest blocks.
    fn items(&mut self, items: &[OutlineItem], depth: usize) {
        let mut elements: Vec<&OutlineElement> = Vec::new();
        for item in items {
            match item {
                OutlineItem::Element(element) => elements.push(element),
                OutlineItem::Group(group) => {
                    self.elements(&elements, depth);
                    elements.clear();
                    if depth < MAX_DEPTH {
                        self.items(group.outlines(), depth + 1);
                    }
                }
            }
        }
        self.elements(&elements, depth);
    }

    fn elements(&mut self, elements: &[&OutlineElement], depth: usize) {
        let mut open_list: Option<&'static str> = None;
        for element in elements {
            let kind = element.list_contents().first().map(list_tag);
            if open_list != kind {
                if let Some(tag) = open_list {
                    let _ = write!(self.html, "</{tag}>");
                }
                if let Some(tag) = kind {
                    let _ = write!(self.html, "<{tag}>");
                }
                open_list = kind;
            }
            if kind.is_some() {
                self.html.push_str("<li");
                let tags = element
                    .contents()
                    .iter()
                    .find_map(Content::rich_text)
                    .map(|text| data_tag(text.note_tags()))
                    .unwrap_or_default();
                self.tag_attribute(&tags);
                self.html.push('>');
                self.contents(element.contents(), true, depth);
                if depth < MAX_DEPTH {
                    self.items(element.children(), depth + 1);
                }
                self.html.push_str("</li>");
            } else {
                self.contents(element.contents(), false, depth);
                if depth < MAX_DEPTH && !element.children().is_empty() {
                    self.html.push_str("<div style=\"margin-left:36px\">");
                    self.items(element.children(), depth + 1);
                    self.html.push_str("</div>");
                }
            }
        }
        if let Some(tag) = open_list {
            let _ = write!(self.html, "</{tag}>");
        }
    }

    fn contents(&mut self, contents: &[Content], in_list_item: bool, depth: usize) {
        for (n, content) in contents.iter().enumerate() {
            match content {
                Content::RichText(text) if in_list_item && n == 0 => self.runs(text),
                Content::RichText(text) => self.paragraph(text),
                Content::Table(table) => self.table(table, depth),
                Content::Image(image) => self.image(image, &[]),
                Content::EmbeddedFile(file) => self.file(file),
                Content::Ink(ink) => self.inks.push(vec![ink.clone()]),
                Content::Unknown => {}
            }
        }
    }

    fn paragraph(&mut self, text: &RichText) {
        let style = text.paragraph_style();
        let tag = match style.style_id().unwrap_or("p") {
            id @ ("h1" | "h2" | "h3" | "h4" | "h5" | "h6") => id,
            "blockquote" | "quote" => "blockquote",
            _ => "p",
        };
        let _ = write!(self.html, "<{tag}");
        self.tag_attribute(&data_tag(text.note_tags()));
        if style.style_id() == Some("code") {
            self.html.push_str(" style=\"font-family:Consolas\"");
        }
        self.html.push('>');
        let cite = style.style_id() == Some("cite");
        if cite {
            self.html.push_str("<cite>");
        }
        self.runs(text);
        if cite {
            self.html.push_str("</cite>");
        }
        let _ = write!(self.html, "</{tag}>");
    }

    fn tag_attribute(&mut self, tags: &str) {
        if !tags.is_empty() {
            self.html.push_str(" data-tag=\"");
            escape_into(&mut self.html, tags);
            self.html.push('"');
        }
    }

    /// A paragraph's text, run by run, with its links.
    fn runs(&mut self, text: &RichText) {
        // Handwriting written in a paragraph is stored word by word, in the page's coordinates:
        // drawn together, it reads as the line it is.
        let handwriting: Vec<Ink> = text
            .embedded_objects()
            .iter()
            .filter_map(|object| match object {
                EmbeddedObject::Ink(container) => Some(container.ink().clone()),
                _ => None,
            })
            .collect();
        if !handwriting.is_empty() {
            self.inks.push(handwriting);
        }
        let content = text.text();
        let offsets = Utf16Offsets::of(content);
        let links = text.hyperlinks();
        let run_ends = text.text_run_indices();
        let mut cuts: Vec<u32> = run_ends.to_vec();
        for link in &links {
            cuts.push(link.start());
            cuts.push(link.end());
        }
        cuts.push(0);
        cuts.push(offsets.len());
        cuts.sort_unstable();
        cuts.dedup();
        let mut open_link: Option<usize> = None;
        // An equation's text, gathered over its runs until the text stops being math.
        let mut equation = String::new();
        for pair in cuts.windows(2) {
            let (start, end) = (pair[0], pair[1].min(offsets.len()));
            if start >= end {
                continue;
            }
            let run = run_ends.iter().take_while(|&&e| e <= start).count();
            let style = text
                .text_run_formatting()
                .get(run)
                .unwrap_or(text.paragraph_style());
            let link = links
                .iter()
                .position(|l| l.start() <= start && start < l.end());
            if style.hidden() {
                continue;
            }
            let (Some(from), Some(to)) = (offsets.byte(start), offsets.byte(end)) else {
                continue;
            };
            if style.math_formatting() && open_link == link {
                equation.push_str(&content[from..to]);
                continue;
            }
            self.equation(&mut equation, style);
            if style.math_formatting() {
                equation.push_str(&content[from..to]);
            }
            if open_link != link {
                if open_link.is_some() {
                    self.html.push_str("</a>");
                }
                if let Some(n) = link {
                    self.html.push_str("<a href=\"");
                    escape_into(&mut self.html, links[n].target());
                    self.html.push_str("\">");
                }
                open_link = link;
            }
            if !style.math_formatting() {
                self.run(&content[from..to], style);
            }
        }
        self.equation(&mut equation, text.paragraph_style());
        if open_link.is_some() {
            self.html.push_str("</a>");
        }
    }

    /// Writes the equation gathered so far, as MathML when [`math_text`] reads it and as its
    /// text otherwise, and empties it.
    fn equation(&mut self, equation: &mut String, style: &ParagraphStyling) {
        if equation.is_empty() {
            return;
        }
        match math_text::tokens(equation) {
            Some(tokens) => {
                self.html
                    .push_str(r#"<math xmlns="http://www.w3.org/1998/Math/MathML">"#);
                for token in tokens {
                    let _ = write!(self.html, "<{}", token.tag);
                    if let Some(variant) = token.variant {
                        let _ = write!(self.html, " mathvariant=\"{variant}\"");
                    }
                    self.html.push('>');
                    escape_into(&mut self.html, &token.text);
                    let _ = write!(self.html, "</{}>", token.tag);
                }
                self.html.push_str("</math>");
            }
            None => self.run(equation, style),
        }
        equation.clear();
    }

    fn run(&mut self, text: &str, style: &ParagraphStyling) {
        let mut css = String::new();
        if let Some(ColorRef::Manual { r, g, b }) = style.font_color() {
            let _ = write!(css, "color:#{r:02x}{g:02x}{b:02x};");
        }
        if let Some(ColorRef::Manual { r, g, b }) = style.highlight() {
            let _ = write!(css, "background-color:#{r:02x}{g:02x}{b:02x};");
        }
        if let Some(font) = style.font()
            && font
                .chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
        {
            let _ = write!(css, "font-family:{font};");
        }
        let tags: Vec<&str> = [
            (style.bold(), "b"),
            (style.italic(), "i"),
            (style.underline(), "u"),
            (style.strikethrough(), "s"),
            (style.superscript(), "sup"),
            (style.subscript(), "sub"),
        ]
        .into_iter()
        .filter_map(|(on, tag)| on.then_some(tag))
        .collect();
        if !css.is_empty() {
            let _ = write!(self.html, "<span style=\"{css}\">");
        }
        for tag in &tags {
            let _ = write!(self.html, "<{tag}>");
        }
        for (n, line) in text.split(['\n', '\r', '\u{b}']).enumerate() {
            if n > 0 {
                self.html.push_str("<br>");
            }
            escape_into(&mut self.html, line);
        }
        for tag in tags.iter().rev() {
            let _ = write!(self.html, "</{tag}>");
        }
        if !css.is_empty() {
            self.html.push_str("</span>");
        }
    }

    fn table(&mut self, table: &Table, depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        self.html.push_str(if table.borders_visible() {
            "<table style=\"border:1px solid;border-collapse:collapse\">"
        } else {
            "<table>"
        });
        for row in table.contents() {
            self.html.push_str("<tr>");
            for cell in row.contents() {
                match cell.background_color() {
                    Some(c) => {
                        let _ = write!(
                            self.html,
                            "<td style=\"background-color:#{:02x}{:02x}{:02x}\">",
                            c.r(),
                            c.g(),
                            c.b()
                        );
                    }
                    None => self.html.push_str("<td>"),
                }
                let elements: Vec<&OutlineElement> = cell.contents().iter().collect();
                self.elements(&elements, depth + 1);
                self.html.push_str("</td>");
            }
            self.html.push_str("</tr>");
        }
        self.html.push_str("</table>");
    }

    fn image(&mut self, image: &Image, tags: &[NoteTag]) {
        let id = self.resource(Resource::Image(image.clone()));
        let kind = image
            .extension()
            .and_then(|e| mime_guess::from_ext(e.trim_start_matches('.')).first())
            .filter(|m| m.type_() == mime_guess::mime::IMAGE)
            .map_or_else(|| "image/png".to_string(), |m| m.essence_str().to_string());
        let url = resource_url(&id);
        self.html.push_str("<p><img");
        let tags = data_tag(if tags.is_empty() {
            image.note_tags()
        } else {
            tags
        });
        self.tag_attribute(&tags);
        let _ = write!(
            self.html,
            " src=\"{url}\" data-src-type=\"{kind}\" data-fullres-src=\"{url}\" data-fullres-src-type=\"{kind}\" alt=\""
        );
        let alt = [image.alt_text(), image.text()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" — ");
        escape_into(&mut self.html, &alt);
        self.html.push_str("\">");
        if let Some(link) = image.hyperlink_url() {
            self.html.push_str(" <a href=\"");
            escape_into(&mut self.html, link);
            self.html.push_str("\">");
            escape_into(&mut self.html, link);
            self.html.push_str("</a>");
        }
        self.html.push_str("</p>");
    }

    fn file(&mut self, file: &EmbeddedFile) {
        let name = file.filename().to_string();
        let id = self.resource(Resource::File(file.clone()));
        let kind = mime_guess::from_path(&name).first().map_or_else(
            || "application/octet-stream".to_string(),
            |m| m.essence_str().to_string(),
        );
        self.html.push_str("<object data-attachment=\"");
        escape_into(&mut self.html, &name);
        let _ = write!(
            self.html,
            "\" type=\"{kind}\" data=\"{}\"></object>",
            resource_url(&id)
        );
    }

    fn resource(&mut self, resource: Resource) -> String {
        let id = format!("{}-r{}", self.page_id, self.resources.len() + 1);
        self.resources.push((id.clone(), resource));
        id
    }
}

/// `ul` or `ol`: OneNote marks a numbered list's format with U+FFFD followed by the number's
/// kind; a bulleted list's format is its bullet character.
fn list_tag(list: &List) -> &'static str {
    if list.list_format().contains(&'\u{fffd}') {
        "ol"
    } else {
        "ul"
    }
}

/// The `data-tag` value for a paragraph's note tags, in Graph's words: the tag's name in
/// lower case with dashes (`To Do` → `to-do`, `Discuss with <Person A>` →
/// `discuss-with-person-a`, which are Graph's names for OneNote's built-in tags), with
/// `:completed` on a ticked box. A custom tag with a check box is also a `to-do`, so it stays a
/// task in Markdown and keeps its name beside it.
fn data_tag(tags: &[NoteTag]) -> String {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let Some(definition) = tag.definition() else {
            continue;
        };
        let mut slug = String::new();
        for c in definition.label().chars().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-').to_string();
        if slug.is_empty() {
            continue;
        }
        let done = if tag.item_status().completed() {
            ":completed"
        } else {
            ""
        };
        let known_box = slug.starts_with("to-do")
            || slug.starts_with("discuss-with")
            || matches!(
                slug.as_str(),
                "schedule-meeting" | "call-back" | "client-request"
            );
        if definition.shape().is_checkable() && !known_box {
            out.push(format!("to-do{done}"));
            out.push(slug);
        } else if definition.shape().is_checkable() {
            out.push(format!("{slug}{done}"));
        } else {
            out.push(slug);
        }
    }
    out.join(", ")
}

/// Byte positions of UTF-16 offsets in a string (the parser counts text positions in UTF-16
/// code units, as OneNote stores them).
struct Utf16Offsets {
    /// `(utf16 offset, byte offset)` at every character boundary, and the end.
    bounds: Vec<(u32, usize)>,
}

impl Utf16Offsets {
    fn of(text: &str) -> Utf16Offsets {
        let mut bounds = Vec::with_capacity(text.len() + 1);
        let mut units = 0u32;
        for (byte, c) in text.char_indices() {
            bounds.push((units, byte));
            units += c.len_utf16() as u32;
        }
        bounds.push((units, text.len()));
        Utf16Offsets { bounds }
    }

    fn len(&self) -> u32 {
        self.bounds.last().map_or(0, |b| b.0)
    }

    /// The byte position of `offset`, or of the next character boundary when it falls inside a
    /// surrogate pair.
    fn byte(&self, offset: u32) -> Option<usize> {
        let at = self.bounds.partition_point(|b| b.0 < offset);
        self.bounds.get(at).map(|b| b.1)
    }
}

/// Appends `text` escaped for HTML text and attribute values.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_land_on_character_boundaries() {
        let offsets = Utf16Offsets::of("a😀b");
        assert_eq!(offsets.len(), 4);
        assert_eq!(offsets.byte(0), Some(0));
        assert_eq!(offsets.byte(1), Some(1));
        // Inside the surrogate pair: the next boundary.
        assert_eq!(offsets.byte(2), Some(5));
        assert_eq!(offsets.byte(3), Some(5));
        assert_eq!(offsets.byte(4), Some(6));
        assert_eq!(offsets.byte(9), None);
    }

    #[test]
    fn text_is_escaped_and_controls_dropped() {
        let mut out = String::new();
        escape_into(&mut out, "<script>\"x\" & 'y'\u{0}");
        assert_eq!(out, "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;");
    }
}
