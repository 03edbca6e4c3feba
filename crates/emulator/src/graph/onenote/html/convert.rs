//! Input HTML → output tree, the conversion OneNote applies when a page is created. Seeds go
//! through it too, so seeded and created pages read back alike.
//!
//! What it does, following OneNote's input/output documentation (reference §10.5):
//! * content that is not an absolutely positioned `div`/`img`/`object` (with
//!   `data-absolute-enabled="true"` on the body) lands in one default
//!   `<div data-id="_default" style="position:absolute;left:48px;top:120px;width:624px">`; loose
//!   text there is wrapped in `<p>`;
//! * `b/strong/i/em/u/s/del/code/mark/font` become `<span style="…">`; headings get OneNote's
//!   default styles; `pre` becomes one Consolas paragraph per line; tables get bordered cells;
//!   unknown wrappers (`section`, nested `div`, …) are unwrapped; scripts, forms and styles go;
//! * `data-tag` is checked and normalised, and on `li` it moves to a `span` inside the item;
//! * `<img src="name:part">` (or a `data:` URL) becomes two resources with the same bytes — the
//!   web rendition in `src` and the original in `data-fullres-src` — with `data-src-type` and
//!   `data-fullres-src-type`; `data-render-src` is input-only: the emulator cannot render PDFs or
//!   web pages, so it stands in a generated picture and writes `data-render-original-src` when
//!   the source was a URL. Images from other URLs also become generated pictures: the emulator
//!   never fetches anything from the network;
//! * `<object data="name:part" data-attachment="file.pdf" type="…">` becomes an attachment
//!   resource; `<iframe data-original-src="…">` for YouTube or Vimeo becomes an embed;
//! * comments are dropped, except OneNote's own `<!-- X is not supported -->` markers, which seeds
//!   use to show what the API writes for content it cannot export (ink, for instance).

use std::collections::HashMap;

use axum::body::Bytes;
use ego_tree::NodeRef;
use scraper::{ElementRef, Html};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::media::video;
use super::style::{self, CELL, TEXT};
use super::tags::{self, TagError};
use super::text::{
    collapse_whitespace, dir_attr, lang_attr, safe_link, trim_edges, wrap_inline_runs,
};
use super::{Element, Node, is_inline};

/// A named binary part of a page-creation request (or a seeded resource).
#[derive(Debug, Clone)]
pub struct Part {
    pub content_type: String,
    pub bytes: Bytes,
}

/// Stores a resource's bytes and says the URL it is served at.
pub trait ResourceSink {
    fn add(&mut self, content_type: &str, bytes: Bytes) -> String;
}

/// A converted page.
#[derive(Debug, Clone)]
pub struct Converted {
    pub title: String,
    pub lang: Option<String>,
    pub created: Option<OffsetDateTime>,
    pub body: Vec<Node>,
}

/// Why input HTML was refused (OneNote answers these with 400 and the given code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("The part '{0}' referenced by the Presentation HTML is not in the request.")]
    MissingPart(String),
    #[error("The data-tag value '{0}' is not a known note tag.")]
    UnknownTag(String),
    #[error("The data-tag value '{0}' has a status its shape does not support.")]
    BadTagStatus(String),
    #[error("An image has a data: URL that is not valid base64.")]
    BadDataUrl,
    #[error("The created date/time '{0}' does not match any of the allowed formats.")]
    BadCreated(String),
}

impl ConvertError {
    /// OneNote's error code for it (§10.8).
    pub fn code(&self) -> u32 {
        match self {
            ConvertError::MissingPart(_) => 20130,
            ConvertError::UnknownTag(_) => 20139,
            ConvertError::BadTagStatus(_) => 20140,
            ConvertError::BadDataUrl => 20132,
            ConvertError::BadCreated(_) => 20007,
        }
    }
}

impl From<TagError> for ConvertError {
    fn from(e: TagError) -> Self {
        match e {
            TagError::UnknownShape(t) => ConvertError::UnknownTag(t),
            TagError::BadStatus(t) => ConvertError::BadTagStatus(t),
        }
    }
}

const DEFAULT_DIV_STYLE: &str = "position:absolute;left:48px;top:120px;width:624px";

const HEADING_STYLES: [&str; 6] = [
    "font-size:16pt;color:#1e4e79;margin-top:11pt;margin-bottom:11pt",
    "font-size:14pt;color:#2e75b5;margin-top:11pt;margin-bottom:11pt",
    "font-size:12pt;color:#1f3763;margin-top:11pt;margin-bottom:11pt",
    "font-size:12pt;color:#2f5496;font-style:italic;margin-top:11pt;margin-bottom:11pt",
    "color:#2e75b5;margin-top:11pt;margin-bottom:11pt",
    "color:#1f3763;font-style:italic;margin-top:11pt;margin-bottom:11pt",
];

const CODE_PARAGRAPH: &str = "font-family:Consolas;font-size:10pt;margin-top:0pt;margin-bottom:0pt";

/// Elements whose content never reaches a page.
const DROPPED: &[&str] = &[
    "script", "style", "head", "title", "meta", "link", "noscript", "template", "form", "input",
    "button", "select", "textarea", "svg", "math", "embed", "applet", "frame", "frameset", "hr",
    "base", "canvas", "audio", "video", "source", "track", "dialog",
];

/// Converts a whole input document (`<html><head><title>…</title></head><body>…</body></html>`).
pub fn convert(
    input: &str,
    parts: &HashMap<String, Part>,
    sink: &mut dyn ResourceSink,
) -> Result<Converted, ConvertError> {
    let document = Html::parse_document(input);
    let root = document.root_element();
    let head = root.child_elements().find(|e| e.value().name() == "head");
    let title = head
        .and_then(|h| h.child_elements().find(|e| e.value().name() == "title"))
        .map(|t| {
            collapse_whitespace(&t.text().collect::<String>())
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    let created = head
        .and_then(|h| {
            h.child_elements().find(|e| {
                e.value().name() == "meta"
                    && e.value()
                        .attr("name")
                        .is_some_and(|n| n.eq_ignore_ascii_case("created"))
            })
        })
        .and_then(|m| m.value().attr("content"))
        .map(parse_created)
        .transpose()?;
    let lang = root
        .value()
        .attr("lang")
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && l.len() <= 35
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string);

    let mut converter = Converter {
        parts,
        sink,
        depth: 0,
    };
    let mut body = Vec::new();
    if let Some(body_el) = root.child_elements().find(|e| e.value().name() == "body") {
        let absolute = body_el.value().attr("data-absolute-enabled") == Some("true");
        let mut flow = Vec::new();
        let mut default_at = None;
        for child in body_el.children() {
            if absolute && let Some(positioned) = converter.positioned(child)? {
                body.push(positioned);
                continue;
            }
            let before = flow.len();
            converter.node(child, &mut flow)?;
            if flow.len() > before && default_at.is_none() {
                default_at = Some(body.len());
            }
        }
        let flow = wrap_inline_runs(flow);
        if !flow.is_empty() {
            let div = Element::new("div")
                .attr("data-id", "_default")
                .attr("style", DEFAULT_DIV_STYLE)
                .children(flow);
            body.insert(default_at.unwrap_or(0).min(body.len()), div.into());
        }
    }
    Ok(Converted {
        title,
        lang,
        created,
        body,
    })
}

/// Deeper nesting is flattened to its text: hostile pages cannot exhaust the stack.
const MAX_NESTING: usize = 48;

pub(super) struct Converter<'a> {
    pub(super) parts: &'a HashMap<String, Part>,
    pub(super) sink: &'a mut dyn ResourceSink,
    /// How deep the element being converted is.
    depth: usize,
}

impl Converter<'_> {
    /// An absolutely positioned `div`, `img` or `object` directly in the body.
    fn positioned(
        &mut self,
        node: NodeRef<'_, scraper::Node>,
    ) -> Result<Option<Node>, ConvertError> {
        let Some(el) = ElementRef::wrap(node) else {
            return Ok(None);
        };
        let value = el.value();
        let style_attr = value.attr("style").unwrap_or("");
        if !style::property(style_attr, "position")
            .is_some_and(|p| p.eq_ignore_ascii_case("absolute"))
        {
            return Ok(None);
        }
        let px = |name: &str, default: u32| {
            style::property(style_attr, name)
                .and_then(|v| style::pixels(&v))
                .unwrap_or(default)
        };
        let (left, top) = (px("left", 48), px("top", 120));
        match value.name() {
            "div" => {
                let width = px("width", 624);
                let mut children = Vec::new();
                for child in el.children() {
                    self.node(child, &mut children)?;
                }
                let div = Element::new("div")
                    .attr_opt("data-id", value.attr("data-id"))
                    .attr(
                        "style",
                        format!("position:absolute;left:{left}px;top:{top}px;width:{width}px"),
                    )
                    .children(wrap_inline_runs(children));
                Ok(Some(div.into()))
            }
            "img" | "object" => {
                let position = format!("position:absolute;left:{left}px;top:{top}px");
                let converted = if value.name() == "img" {
                    self.image(el, Some(position))?
                } else {
                    self.attachment(el, Some(position))?
                };
                Ok(converted)
            }
            _ => Ok(None),
        }
    }

    fn node(
        &mut self,
        node: NodeRef<'_, scraper::Node>,
        out: &mut Vec<Node>,
    ) -> Result<(), ConvertError> {
        match node.value() {
            scraper::Node::Text(text) => {
                let text = collapse_whitespace(&text[..]);
                if !text.is_empty() {
                    out.push(Node::Text(text));
                }
            }
            scraper::Node::Comment(comment) => {
                let comment = comment.trim();
                if comment.ends_with("is not supported")
                    && !comment.contains("--")
                    && comment.len() < 200
                {
                    out.push(Node::Comment(comment.to_string()));
                }
            }
            scraper::Node::Element(_) => {
                if let Some(el) = ElementRef::wrap(node) {
                    self.element(el, out)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn children(&mut self, el: ElementRef<'_>) -> Result<Vec<Node>, ConvertError> {
        let mut out = Vec::new();
        if self.depth >= MAX_NESTING {
            let text = collapse_whitespace(&el.text().collect::<String>());
            if !text.trim().is_empty() {
                out.push(Node::Text(text));
            }
            return Ok(out);
        }
        self.depth += 1;
        for child in el.children() {
            if let Err(e) = self.node(child, &mut out) {
                self.depth -= 1;
                return Err(e);
            }
        }
        self.depth -= 1;
        Ok(out)
    }

    fn element(&mut self, el: ElementRef<'_>, out: &mut Vec<Node>) -> Result<(), ConvertError> {
        let value = el.value();
        let name = value.name();
        let style_attr = value.attr("style");
        match name {
            "p" => {
                let p = self.block("p", el, style::merge("", style_attr, TEXT))?;
                out.push(p.into());
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = usize::from(name.as_bytes()[1] - b'1');
                let tag: &'static str = ["h1", "h2", "h3", "h4", "h5", "h6"][level];
                let h = self.block(
                    tag,
                    el,
                    style::merge(HEADING_STYLES[level], style_attr, TEXT),
                )?;
                out.push(h.into());
            }
            "ul" | "ol" => {
                let tag = if name == "ul" { "ul" } else { "ol" };
                let items = self
                    .children(el)?
                    .into_iter()
                    .filter_map(|n| match n {
                        Node::Element(e) if e.name == "li" || e.name == "ul" || e.name == "ol" => {
                            Some(Node::Element(e))
                        }
                        Node::Text(t) if t.trim().is_empty() => None,
                        other => Some(Element::new("li").children(vec![other]).into()),
                    })
                    .collect();
                let list = Element::new(tag)
                    .attr_opt("style", style::merge("", style_attr, TEXT))
                    .children(items);
                out.push(list.into());
            }
            "li" => {
                let mut children = trim_edges(self.children(el)?);
                let mut li = Element::new("li")
                    .attr_opt("style", style::merge("", style_attr, TEXT))
                    .attr_opt("lang", lang_attr(value.attr("lang")))
                    .attr_opt("dir", dir_attr(value.attr("dir")));
                if let Some(tag) = value.attr("data-tag") {
                    // In output, list-item tags sit on a span around the item's own text.
                    let tag = tags::normalise(tag)?;
                    let split = children
                        .iter()
                        .position(|n| !is_inline(n))
                        .unwrap_or(children.len());
                    let rest = children.split_off(split);
                    let span = Element::new("span")
                        .attr("data-tag", tag)
                        .children(children);
                    children = std::iter::once(span.into()).chain(rest).collect();
                }
                li.children = children;
                out.push(li.into());
            }
            "table" => {
                let borderless = value.attr("border").is_some_and(|b| b.trim() == "0");
                let border = if borderless {
                    "border:0px"
                } else {
                    "border:1px solid"
                };
                let rows = self
                    .children(el)?
                    .into_iter()
                    .filter(|n| matches!(n, Node::Element(e) if e.name == "tr"))
                    .map(|row| with_cell_borders(row, border))
                    .collect();
                let table = Element::new("table")
                    .attr_opt("data-id", value.attr("data-id"))
                    .attr("style", format!("{border};border-collapse:collapse"))
                    .children(rows);
                out.push(table.into());
            }
            "tbody" | "thead" | "tfoot" => out.extend(self.children(el)?),
            "tr" => {
                let cells = self
                    .children(el)?
                    .into_iter()
                    .filter(|n| matches!(n, Node::Element(e) if e.name == "td"))
                    .collect();
                out.push(Element::new("tr").children(cells).into());
            }
            "td" | "th" => {
                let mut children = trim_edges(self.children(el)?);
                if name == "th" {
                    children = vec![
                        Element::new("span")
                            .attr("style", "font-weight:bold")
                            .children(children)
                            .into(),
                    ];
                }
                let mut td = Element::new("td").children(children);
                if let Some(s) = style::merge("", style_attr, CELL) {
                    td = td.attr("style", s);
                }
                out.push(td.into());
            }
            "b" | "strong" => self.styled_span(el, "font-weight:bold", out)?,
            "i" | "em" => self.styled_span(el, "font-style:italic", out)?,
            "u" | "ins" => self.styled_span(el, "text-decoration:underline", out)?,
            "s" | "strike" | "del" => self.styled_span(el, "text-decoration:line-through", out)?,
            "code" | "kbd" | "samp" | "tt" => self.styled_span(el, "font-family:Consolas", out)?,
            "mark" => self.styled_span(el, "background-color:yellow", out)?,
            "span" | "font" => {
                let mut defaults = String::new();
                if name == "font" {
                    if let Some(face) = value.attr("face") {
                        defaults.push_str(&format!(
                            "font-family:{};",
                            face.replace([';', ':', '"'], "")
                        ));
                    }
                    if let Some(color) = value.attr("color") {
                        defaults
                            .push_str(&format!("color:{};", color.replace([';', ':', '"'], "")));
                    }
                }
                let children = self.children(el)?;
                let span = Element::new("span")
                    .attr_opt(
                        "style",
                        style::merge(defaults.trim_end_matches(';'), style_attr, TEXT),
                    )
                    .attr_opt("lang", lang_attr(value.attr("lang")))
                    .attr_opt("dir", dir_attr(value.attr("dir")))
                    .children(children);
                out.push(span.into());
            }
            "sup" | "sub" | "cite" => {
                let tag: &'static str = match name {
                    "sup" => "sup",
                    "sub" => "sub",
                    _ => "cite",
                };
                let children = self.children(el)?;
                out.push(Element::new(tag).children(children).into());
            }
            "a" => {
                let children = self.children(el)?;
                match value.attr("href").map(str::trim).filter(|h| safe_link(h)) {
                    Some(href) => out.push(
                        Element::new("a")
                            .attr("href", href)
                            .children(children)
                            .into(),
                    ),
                    None => out.extend(children),
                }
            }
            "br" => out.push(Element::new("br").into()),
            "img" => out.extend(self.image(el, None)?),
            "object" => {
                out.extend(self.attachment(el, None)?);
                // Clients write `<object … />` as OneNote's docs do, but HTML has no self-closing
                // objects: what follows ends up inside. OneNote reads it as XHTML, so the
                // content after an attachment stays on the page.
                out.extend(self.children(el)?);
            }
            "iframe" => out.extend(video(el)),
            "pre" => {
                let text: String = el.text().collect();
                for line in text.trim_end_matches('\n').split('\n') {
                    let line = line.trim_end_matches('\r');
                    // Leading spaces would collapse in HTML; OneNote writes them as no-break spaces.
                    let indent = line.len() - line.trim_start_matches(' ').len();
                    let shown = format!("{}{}", "\u{a0}".repeat(indent), &line[indent..]);
                    let p = Element::new("p").attr("style", CODE_PARAGRAPH);
                    let p = if shown.is_empty() {
                        p
                    } else {
                        p.children(vec![Node::Text(shown)])
                    };
                    out.push(p.into());
                }
            }
            _ if DROPPED.contains(&name) => {}
            // div, section, article, blockquote, center, …: their content stays, the wrapper goes.
            _ => out.extend(self.children(el)?),
        }
        Ok(())
    }

    /// A text block (`p`, `h1`–`h6`) with its tag, language, direction and id.
    fn block(
        &mut self,
        name: &'static str,
        el: ElementRef<'_>,
        style: Option<String>,
    ) -> Result<Element, ConvertError> {
        let value = el.value();
        let tag = value.attr("data-tag").map(tags::normalise).transpose()?;
        let children = trim_edges(self.children(el)?);
        Ok(Element::new(name)
            .attr_opt("data-id", value.attr("data-id"))
            .attr_opt("style", style)
            .attr_opt("lang", lang_attr(value.attr("lang")))
            .attr_opt("dir", dir_attr(value.attr("dir")))
            .attr_opt("data-tag", tag.filter(|t| !t.is_empty()))
            .children(children))
    }

    fn styled_span(
        &mut self,
        el: ElementRef<'_>,
        style: &str,
        out: &mut Vec<Node>,
    ) -> Result<(), ConvertError> {
        let children = self.children(el)?;
        let merged = style::merge(style, el.value().attr("style"), TEXT);
        out.push(
            Element::new("span")
                .attr_opt("style", merged)
                .children(children)
                .into(),
        );
        Ok(())
    }

    pub(super) fn part(&self, name: &str) -> Result<&Part, ConvertError> {
        self.parts
            .get(name)
            .ok_or_else(|| ConvertError::MissingPart(name.to_string()))
    }
}

/// Puts the table's border on every cell of a row, as OneNote writes tables.
fn with_cell_borders(row: Node, border: &str) -> Node {
    let Node::Element(mut tr) = row else {
        return row;
    };
    for cell in &mut tr.children {
        if let Node::Element(td) = cell {
            let merged = match td.get("style") {
                Some(existing) if existing.contains("border") => existing.to_string(),
                Some(existing) => format!("{border};{existing}"),
                None => border.to_string(),
            };
            td.attrs.retain(|(n, _)| *n != "style");
            td.attrs.push(("style", merged));
        }
    }
    tr.into()
}

/// `<meta name="created">`: RFC 3339, or a local time without zone (taken as UTC).
fn parse_created(value: &str) -> Result<OffsetDateTime, ConvertError> {
    let value = value.trim();
    if let Ok(at) = OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(at);
    }
    let with_zone = format!("{value}Z");
    OffsetDateTime::parse(&with_zone, &Rfc3339)
        .map_err(|_| ConvertError::BadCreated(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::onenote::html::render::render_body;
    use crate::images::generate_png;

    #[derive(Debug)]
    struct Sink(Vec<(String, usize)>);

    impl ResourceSink for Sink {
        fn add(&mut self, content_type: &str, bytes: Bytes) -> String {
            self.0.push((content_type.to_string(), bytes.len()));
            format!("res{}", self.0.len())
        }
    }

    fn run(body: &str, parts: &HashMap<String, Part>) -> Result<(String, Sink), ConvertError> {
        let mut sink = Sink(Vec::new());
        let doc = format!("<html><head><title>T</title></head><body>{body}</body></html>");
        let converted = convert(&doc, parts, &mut sink)?;
        Ok((render_body(&converted.body), sink))
    }

    #[test]
    fn flow_content_lands_in_the_default_div() {
        let (html, _) = run(
            "Loose <b>text</b><h1>Head</h1><script>alert(1)</script>",
            &HashMap::new(),
        )
        .unwrap();
        assert!(html.contains(r#"<div data-id="_default" style="position:absolute;left:48px;top:120px;width:624px">"#), "{html}");
        assert!(
            html.contains(r#"<p>Loose <span style="font-weight:bold">text</span></p>"#),
            "{html}"
        );
        assert!(html.contains("<h1 style=\"font-size:16pt;color:#1e4e79;margin-top:11pt;margin-bottom:11pt\">Head</h1>"));
        assert!(!html.contains("alert"));
    }

    #[test]
    fn images_become_two_resources_and_missing_parts_fail() {
        let mut parts = HashMap::new();
        parts.insert(
            "pic".to_string(),
            Part {
                content_type: "image/png".into(),
                bytes: Bytes::from(generate_png(30, 20, 1)),
            },
        );
        let (html, sink) = run(
            r#"<img src="name:pic" alt="A" data-render-x="1" />"#,
            &parts,
        )
        .unwrap();
        assert_eq!(sink.0.len(), 2);
        assert!(html.contains(r#"<img alt="A" width="30" height="20" src="res1" data-src-type="image/png" data-fullres-src="res2" data-fullres-src-type="image/png" />"#), "{html}");
        assert_eq!(
            run(r#"<img src="name:nope" />"#, &parts).unwrap_err(),
            ConvertError::MissingPart("nope".into())
        );
        let (html, _) = run(
            r#"<img data-render-src="https://example.com/a.pdf" />"#,
            &parts,
        )
        .unwrap();
        assert!(
            html.contains("data-render-original-src=\"https://example.com/a.pdf\"")
                && !html.contains("data-render-src=")
        );
    }

    #[test]
    fn list_tags_move_to_a_span_and_tables_get_borders() {
        let (html, _) = run(r#"<ul><li data-tag="to-do:completed">Done<ul><li>Sub</li></ul></li></ul><table><tr><td>A</td></tr></table>"#, &HashMap::new()).unwrap();
        assert!(
            html.contains(r#"<li><span data-tag="to-do:completed">Done</span>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<td style="border:1px solid">A</td>"#),
            "{html}"
        );
        assert_eq!(
            run(r#"<p data-tag="sparkles">x</p>"#, &HashMap::new())
                .unwrap_err()
                .code(),
            20139
        );
    }

    #[test]
    fn deep_nesting_is_flattened_not_recursed() {
        let body = format!("{}deep text", "<div><span>".repeat(5000));
        let (html, _) = run(&body, &HashMap::new()).unwrap();
        assert!(html.contains("deep text"));
    }

    #[test]
    fn videos_links_and_markers() {
        let (html, _) = run(
            r#"<iframe data-original-src="https://www.youtube.com/watch?v=abc_123"></iframe><a href="javascript:x()">no</a><a href="https://e.example/">yes</a><!-- InkNode is not supported --><!-- secret -->"#,
            &HashMap::new(),
        )
        .unwrap();
        assert!(
            html.contains(r#"src="https://www.youtube.com/embed/abc_123""#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://e.example/">yes</a>"#)
                && !html.contains("javascript")
        );
        assert!(html.contains("<!-- InkNode is not supported -->") && !html.contains("secret"));
    }
}
