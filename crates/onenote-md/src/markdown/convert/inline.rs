//! Inline elements: character formatting and links.
//!
//! Formatting comes from two places and is treated the same: HTML tags (`b`, `strong`, `i`,
//! `em`, `s`, `del`, `u`, `sup`, `sub`, `code` …) and OneNote's inline styles on spans
//! (`font-weight:bold`, `font-style:italic`, `text-decoration:line-through|underline`, a
//! monospace `font-family`).

use std::borrow::Cow;
use std::rc::Rc;

use super::{Converter, Ctx, Sink, tags_of};
use crate::dom::{self, DomNode};
use crate::page_link::PageLink;
use crate::style::is_monospace_family;

/// Link schemes that become Markdown links; any other `href` leaves plain text.
const LINKED_SCHEMES: &[&str] = &["http", "https", "mailto", "onenote"];

impl Converter<'_> {
    /// A span-like element: it changes formatting or starts a link, and its children go on in the
    /// same run. Elements we do not know are treated the same way, so their text is kept.
    pub(super) fn inline(&mut self, node: &DomNode<'_>, name: &str, ctx: &Ctx, sink: &mut Sink) {
        let mut ctx = ctx.with_style_of(node);
        let element = dom::element(node);
        match name {
            "b" | "strong" => ctx.format.bold = true,
            "i" | "em" | "cite" | "dfn" | "var" => ctx.format.italic = true,
            "s" | "del" | "strike" => ctx.format.strike = true,
            "u" | "ins" => ctx.format.underline = true,
            "sup" => ctx.format.superscript = true,
            "sub" => ctx.format.subscript = true,
            "code" | "kbd" | "samp" | "tt" => ctx.format.code = true,
            "font"
                if element
                    .and_then(|e| dom::attr(e, "face"))
                    .is_some_and(is_monospace_family) =>
            {
                ctx.format.code = true;
            }
            "a" => {
                let href = element.and_then(|e| dom::attr(e, "href"));
                ctx.link = href
                    .and_then(|href| self.page_link(href))
                    .or_else(|| href.and_then(link_target));
            }
            _ => {}
        }
        if ctx.link.is_some() {
            // Links are underlined anyway; `[<u>text</u>](…)` would only add noise.
            ctx.format.underline = false;
        }
        // OneNote puts the note tags of a list item on a span inside it.
        sink.tags.extend(tags_of(node));
        for child in node.children() {
            self.walk(&child, &ctx, sink);
        }
    }
}

impl Converter<'_> {
    /// Where a link to another OneNote page leads, when the caller's resolver knows; a page link
    /// it does not know is remembered as unresolved (and left as it was).
    fn page_link(&mut self, href: &str) -> Option<Rc<str>> {
        let resolver = self.options.links?;
        let link = PageLink::parse(href)?;
        let resolved = resolver
            .resolve(&link)
            .filter(|path| is_relative_path(path));
        if resolved.is_none() && !self.unresolved_links.iter().any(|h| h == href) {
            self.unresolved_links.push(href.to_owned());
        }
        resolved.map(|path| Rc::from(path.as_str()))
    }
}

/// A relative URL with nothing that could make it more: no scheme, no control characters.
fn is_relative_path(path: &str) -> bool {
    let before_slash = path.split('/').next().unwrap_or_default();
    !path.is_empty()
        && !before_slash.contains(':')
        && !path.chars().any(char::is_control)
        && !path.starts_with("//")
}

/// The link target for an `href`, if its scheme is one we link (`http`, `https`, `mailto`,
/// `onenote`). Tabs and newlines inside are removed first, as browsers do, so `java\tscript:`
/// is recognised as `javascript:` and refused.
pub(super) fn link_target(href: &str) -> Option<Rc<str>> {
    let cleaned: Cow<'_, str> = if href.contains(['\t', '\n', '\r']) {
        href.chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect::<String>()
            .into()
    } else {
        href.into()
    };
    let cleaned = cleaned.trim_matches(|c: char| c == ' ' || c.is_control());
    if cleaned.chars().any(char::is_control) {
        return None;
    }
    let (scheme, rest) = cleaned.split_once(':')?;
    let linked = LINKED_SCHEMES
        .iter()
        .any(|linked| scheme.eq_ignore_ascii_case(linked));
    (linked && !rest.is_empty()).then(|| Rc::from(cleaned))
}

/// Whether a URL is an absolute `http:` or `https:` URL.
pub(super) fn is_web_url(url: &str) -> bool {
    link_target(url).is_some_and(|target| {
        let lower = target.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_some_schemes_link() {
        assert!(link_target("https://example.com/a b").is_some());
        assert!(link_target("mailto:ada@contoso.example").is_some());
        assert!(link_target("onenote:https://contoso/Notes.one#Page").is_some());
        for refused in [
            "javascript:alert(1)",
            "java\tscript:alert(1)",
            "vbscript:x",
            "data:text/html,x",
            "/relative",
            "#top",
            "http:",
        ] {
            assert!(link_target(refused).is_none(), "{refused}");
        }
    }
}
