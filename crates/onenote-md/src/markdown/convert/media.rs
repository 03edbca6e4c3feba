//! Images, attachments and embedded videos.
//!
//! Images and attachments that are OneNote resources are recorded with the page's
//! [`ResourceCollector`](crate::resource::ResourceCollector) and linked by their file name. For
//! an image the original (`data-fullres-src`) is preferred over the web rendition (`src`).

use super::inline::{is_web_url, link_target};
use super::{Converter, Ctx, Sink, SinkKind, tags_of};
use crate::dom::{self, DomNode};
use crate::markdown::model::{Format, Piece, PieceKind};
use crate::resource::{display_name, resource_id_from_url};
use scraper::node::Element;

/// Where an image's URL and MIME type are, best first.
const IMAGE_SOURCES: &[(&str, &str)] = &[
    ("data-fullres-src", "data-fullres-src-type"),
    ("src", "data-src-type"),
];

impl Converter {
    /// An `img`, `object` or `iframe`. Directly in a page region each stands as a paragraph of
    /// its own (that is how OneNote lays them out); inside a paragraph it stays in the line.
    pub(super) fn media(&mut self, node: &DomNode<'_>, name: &str, ctx: &Ctx, sink: &mut Sink) {
        let Some(element) = dom::element(node) else {
            return;
        };
        let piece = match name {
            "img" => self.image(element, ctx),
            "object" => self.attachment(element),
            _ => embed(element),
        };
        let Some(piece) = piece else {
            return;
        };
        let stands_alone = sink.kind == SinkKind::Region;
        if stands_alone {
            sink.flush();
        }
        sink.tags.extend(tags_of(node));
        sink.push(piece);
        if stands_alone {
            sink.flush();
        }
    }

    /// `![alt](resources/…)` for a OneNote image. Any other image (from the web, `data:`,
    /// `javascript:`, a resource URL that fails the checks) leaves only its alt text: real
    /// OneNote pages have no such images, and the export should not fetch from elsewhere.
    fn image(&mut self, element: &Element, ctx: &Ctx) -> Option<Piece> {
        let alt = dom::collapse_whitespace(element.attr("alt").unwrap_or_default());
        let declared_type = element
            .attr("data-fullres-src-type")
            .or_else(|| element.attr("data-src-type"));
        for (url_attribute, type_attribute) in IMAGE_SOURCES {
            let Some(url) = element.attr(url_attribute) else {
                continue;
            };
            if let Some(id) = resource_id_from_url(url) {
                let content_type = element.attr(type_attribute).or(declared_type);
                let reference = self.resources.image(&id, url, &alt, content_type);
                let path = reference.file_name.clone();
                return Some(Piece {
                    kind: PieceKind::Image { alt, path },
                    link: ctx.link.clone(),
                });
            }
        }
        (!alt.is_empty()).then(|| Piece::text(alt, ctx.format, ctx.link.clone()))
    }

    /// `<object data-attachment="report.pdf" data="…/resources/{id}/$value" type="…">`.
    fn attachment(&mut self, element: &Element) -> Option<Piece> {
        let url = element.attr("data")?;
        let raw_name = element.attr("data-attachment").unwrap_or("attachment");
        let name = display_name(raw_name);
        let Some(id) = resource_id_from_url(url) else {
            // Not something we can fetch: say the file was there.
            return Some(Piece::text(format!("📎 {name}"), Format::default(), None));
        };
        let reference = self
            .resources
            .attachment(&id, url, raw_name, element.attr("type"));
        let path = reference.file_name.clone();
        Some(Piece {
            kind: PieceKind::Attachment { name, path },
            link: None,
        })
    }
}

/// A video embed becomes a plain link to the original video (`data-original-src`, which OneNote
/// writes on every embed it makes). An `iframe` without one is not OneNote's and is dropped.
fn embed(element: &Element) -> Option<Piece> {
    let url = element.attr("data-original-src")?.trim();
    if !is_web_url(url) {
        return None;
    }
    let target = link_target(url)?;
    Some(Piece::text(
        &*target,
        Format::default(),
        Some(target.clone()),
    ))
}
