//! Text blocks: paragraphs and headings (with OneNote's default heading styles, tags, language
//! and direction), and `pre`, which becomes one Consolas paragraph per line. A paragraph's
//! character styles move to a span inside it and its alignment stays on it, as in
//! https://learn.microsoft.com/en-us/graph/onenote-input-output-html ("Text styles").

use scraper::ElementRef;

use super::converter::Converter;
use super::input::ConvertError;
use crate::graph::onenote::html::style::{self, BLOCK, CHARACTER, TEXT};
use crate::graph::onenote::html::tags;
use crate::graph::onenote::html::text::{dir_attr, lang_attr, trim_edges};
use crate::graph::onenote::html::tree::{Element, Node};

const HEADING_STYLES: [&str; 6] = [
    "font-size:16pt;color:#1e4e79;margin-top:11pt;margin-bottom:11pt",
    "font-size:14pt;color:#2e75b5;margin-top:11pt;margin-bottom:11pt",
    "font-size:12pt;color:#1f3763;margin-top:11pt;margin-bottom:11pt",
    "font-size:12pt;color:#2f5496;font-style:italic;margin-top:11pt;margin-bottom:11pt",
    "color:#2e75b5;margin-top:11pt;margin-bottom:11pt",
    "color:#1f3763;font-style:italic;margin-top:11pt;margin-bottom:11pt",
];

const CODE_PARAGRAPH: &str = "font-family:Consolas;font-size:10pt;margin-top:0pt;margin-bottom:0pt";

impl Converter<'_> {
    /// `p` or `h1`–`h6`.
    pub(super) fn text_block(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let name = el.value().name();
        let style_attr = el.value().attr("style");
        if name == "p" {
            let characters = style::merge("", style_attr, CHARACTER);
            return self.block("p", el, style::merge("", style_attr, BLOCK), characters);
        }
        let level = usize::from(name.as_bytes()[1] - b'1');
        let tag: &'static str = ["h1", "h2", "h3", "h4", "h5", "h6"][level];
        self.block(
            tag,
            el,
            style::merge(HEADING_STYLES[level], style_attr, TEXT),
            None,
        )
    }

    /// A text block (`p`, `h1`–`h6`) with its tag, language, direction and id; `characters`,
    /// when given, is the style of a span around its content.
    fn block(
        &mut self,
        name: &'static str,
        el: ElementRef<'_>,
        style: Option<String>,
        characters: Option<String>,
    ) -> Result<Element, ConvertError> {
        let value = el.value();
        let tag = value.attr("data-tag").map(tags::normalise).transpose()?;
        let mut children = trim_edges(self.children(el)?);
        if let Some(characters) = characters.filter(|_| !children.is_empty()) {
            children = vec![
                Element::new("span")
                    .attr("style", characters)
                    .children(children)
                    .into(),
            ];
        }
        Ok(Element::new(name)
            .attr_opt("data-id", value.attr("data-id"))
            .attr_opt("style", style)
            .attr_opt("lang", lang_attr(value.attr("lang")))
            .attr_opt("dir", dir_attr(value.attr("dir")))
            .attr_opt("data-tag", tag.filter(|t| !t.is_empty()))
            .children(children))
    }

    /// `pre`: one Consolas paragraph per line, leading spaces kept.
    pub(super) fn preformatted(&mut self, el: ElementRef<'_>, out: &mut Vec<Node>) {
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
}
