//! Input HTML → output tree, the conversion OneNote applies when a page is created. Seeds go
//! through it too, so seeded and created pages read back alike.
//!
//! What it does, following OneNote's input/output documentation (docs/protocol.md §10.5):
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
//! * MathML equations stay, in the Presentation MathML vocabulary only;
//! * comments are dropped, except OneNote's own `<!-- X is not supported -->` and
//!   `<!-- Processing ParagraphNode failed -->` markers, which seeds use to show what the API
//!   writes for content it cannot export (ink, some equations).
//!
//! The work is split as `onenote-md` splits the reverse direction: [`converter`] walks the
//! input and sends each element to [`blocks`] (paragraphs, headings, `pre`), [`inline`]
//! (styled spans, links), [`list`], [`table`], [`math`] or [`media`] (images, attachments,
//! videos).

mod blocks;
mod converter;
mod inline;
mod input;
mod list;
mod math;
mod media;
mod table;

use std::collections::HashMap;

use scraper::Html;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::graph::onenote::html::text::{collapse_whitespace, wrap_inline_runs};
use crate::graph::onenote::html::tree::Element;
use converter::Converter;
pub use input::{ConvertError, Converted, Part, ResourceSink};

const DEFAULT_DIV_STYLE: &str = "position:absolute;left:48px;top:120px;width:624px";

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

    let mut converter = Converter::new(parts, sink);
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

/// Converts a fragment of input HTML (what a `PATCH` puts into a page): its nodes as they
/// would be inside a page, loose text wrapped in paragraphs, without a default `div` around them.
pub fn fragment(
    input: &str,
    parts: &HashMap<String, Part>,
    sink: &mut dyn ResourceSink,
) -> Result<Vec<crate::graph::onenote::html::tree::Node>, ConvertError> {
    let document = Html::parse_fragment(input);
    let mut converter = Converter::new(parts, sink);
    let mut out = Vec::new();
    for child in document.root_element().children() {
        converter.node(child, &mut out)?;
    }
    Ok(wrap_inline_runs(out))
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
    use std::collections::HashMap;

    use axum::body::Bytes;

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
            html.contains(
                r#"src="https://www.youtube.com/embed/abc_123?feature=oembed&amp;autoplay=true""#
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://e.example/">yes</a>"#)
                && !html.contains("javascript")
        );
        assert!(html.contains("<!-- InkNode is not supported -->") && !html.contains("secret"));
    }
}
