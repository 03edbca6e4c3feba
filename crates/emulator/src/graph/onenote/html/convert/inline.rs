//! Inline content: formatting elements (`b`, `i`, `u`, `s`/`del`, `code`, `mark`, …) become
//! `span`s with OneNote's styles; `span` and `font` keep their allowed styles (`vertical-align`
//! for super- and subscript included), note tag, language and direction; `sup`, `sub` and
//! `cite` stay; links keep a safe `href`; `br` stays.

use scraper::ElementRef;

use super::converter::Converter;
use super::input::ConvertError;
use crate::graph::onenote::html::style::{self, CHARACTER};
use crate::graph::onenote::html::tags;
use crate::graph::onenote::html::text::{dir_attr, lang_attr, safe_link};
use crate::graph::onenote::html::tree::{Element, Node};

impl Converter<'_> {
    /// One inline element (the converter sends only those here).
    pub(super) fn inline_element(
        &mut self,
        el: ElementRef<'_>,
        out: &mut Vec<Node>,
    ) -> Result<(), ConvertError> {
        let value = el.value();
        let name = value.name();
        match name {
            "b" | "strong" => self.styled_span(el, "font-weight:bold", out)?,
            "i" | "em" => self.styled_span(el, "font-style:italic", out)?,
            "u" | "ins" => self.styled_span(el, "text-decoration:underline", out)?,
            "s" | "strike" | "del" => self.styled_span(el, "text-decoration:line-through", out)?,
            "code" | "kbd" | "samp" | "tt" => self.styled_span(el, "font-family:Consolas", out)?,
            "mark" => self.styled_span(el, "background-color:yellow", out)?,
            "span" | "font" => out.push(self.span(el)?.into()),
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
            _ => out.extend(self.children(el)?),
        }
        Ok(())
    }

    /// `span`, or `font` with its `face` and `color` as styles.
    fn span(&mut self, el: ElementRef<'_>) -> Result<Element, ConvertError> {
        let value = el.value();
        let mut defaults = String::new();
        if value.name() == "font" {
            if let Some(face) = value.attr("face") {
                defaults.push_str(&format!(
                    "font-family:{};",
                    face.replace([';', ':', '"'], "")
                ));
            }
            if let Some(color) = value.attr("color") {
                defaults.push_str(&format!("color:{};", color.replace([';', ':', '"'], "")));
            }
        }
        // A tag on a span is how OneNote tags part of a paragraph or list item.
        let tag = value.attr("data-tag").map(tags::normalise).transpose()?;
        let children = self.children(el)?;
        Ok(Element::new("span")
            .attr_opt("data-tag", tag.filter(|t| !t.is_empty()))
            .attr_opt(
                "style",
                style::merge(
                    defaults.trim_end_matches(';'),
                    value.attr("style"),
                    CHARACTER,
                ),
            )
            .attr_opt("lang", lang_attr(value.attr("lang")))
            .attr_opt("dir", dir_attr(value.attr("dir")))
            .children(children))
    }

    fn styled_span(
        &mut self,
        el: ElementRef<'_>,
        style: &str,
        out: &mut Vec<Node>,
    ) -> Result<(), ConvertError> {
        let children = self.children(el)?;
        let merged = style::merge(style, el.value().attr("style"), CHARACTER);
        out.push(
            Element::new("span")
                .attr_opt("style", merged)
                .children(children)
                .into(),
        );
        Ok(())
    }
}
