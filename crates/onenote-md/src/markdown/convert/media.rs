//! Images, attachments, embedded videos, and the files a page carries itself.
//!
//! Images and attachments that are OneNote resources are recorded with the page's
//! [`ResourceCollector`](crate::resource::ResourceCollector) and linked by their file name. For
//! an image the original (`data-fullres-src`) is preferred over the web rendition (`src`).
//!
//! An image whose source is a `data:` URL, and each ink drawing, is carried by the page itself:
//! it becomes a file with its bytes (for zips and exports) or stays a `data:` URL in the
//! Markdown (for a single `.md`), as [`CarriedFiles`] says.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::inline::{is_web_url, link_target};
use super::{Converter, Ctx, Sink, SinkKind, tags_of};
use crate::conversion::CarriedFiles;
use crate::dom::{self, DomNode};
use crate::markdown::model::{Block, Format, Piece, PieceKind};
use crate::resource::{display_name, resource_id_from_url};
use scraper::node::Element;

/// Image types a `data:` URL may carry (raster only: an SVG could carry script).
const CARRIED_IMAGE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
];
/// The largest image a `data:` URL may carry (OneNote's own limit for one part).
const MAX_CARRIED_BYTES: usize = 25 * 1024 * 1024;

/// Where an image's URL and MIME type are, best first.
const IMAGE_SOURCES: &[(&str, &str)] = &[
    ("data-fullres-src", "data-fullres-src-type"),
    ("src", "data-src-type"),
];

impl Converter<'_> {
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
        let alt = dom::collapse_whitespace(dom::attr(element, "alt").unwrap_or_default());
        if let Some(piece) =
            dom::attr(element, "src").and_then(|src| self.data_url_image(src, &alt, ctx))
        {
            return Some(piece);
        }
        let declared_type = dom::attr(element, "data-fullres-src-type")
            .or_else(|| dom::attr(element, "data-src-type"));
        for (url_attribute, type_attribute) in IMAGE_SOURCES {
            let Some(url) = dom::attr(element, url_attribute) else {
                continue;
            };
            if let Some(id) = resource_id_from_url(url) {
                let content_type = dom::attr(element, type_attribute).or(declared_type);
                let reference = self.resources.image(&id, url, &alt, content_type);
                let name = reference.file_name.clone();
                let path = self.path_of(name);
                return Some(Piece {
                    kind: PieceKind::Image { alt, path },
                    link: ctx.link.clone(),
                });
            }
        }
        (!alt.is_empty()).then(|| Piece::text(alt, ctx.format, ctx.link.clone()))
    }

    /// An image from a `data:` URL of a raster type; `None` when `src` is not one.
    fn data_url_image(&mut self, src: &str, alt: &str, ctx: &Ctx) -> Option<Piece> {
        let rest = src.trim().strip_prefix("data:").or_else(|| {
            let src = src.trim();
            src.get(..5)
                .filter(|scheme| scheme.eq_ignore_ascii_case("data:"))
                .map(|_| &src[5..])
        })?;
        let (meta, payload) = rest.split_once(',')?;
        let content_type = meta.strip_suffix(";base64")?.trim().to_ascii_lowercase();
        if !CARRIED_IMAGE_TYPES.contains(&content_type.as_str())
            || payload.len() > MAX_CARRIED_BYTES * 2
        {
            return None;
        }
        let cleaned: String = payload
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = STANDARD
            .decode(cleaned)
            .ok()
            .filter(|b| !b.is_empty() && b.len() <= MAX_CARRIED_BYTES)?;
        let name = if alt.is_empty() { "image" } else { alt };
        Some(self.carried(bytes, name, alt, &content_type, ctx))
    }

    /// A file the page carries, as the options say: a file, or a `data:` URL (a note when it is
    /// too large to be one).
    fn carried(
        &mut self,
        bytes: Vec<u8>,
        name: &str,
        alt: &str,
        content_type: &str,
        ctx: &Ctx,
    ) -> Piece {
        let path = match self.options.carried_files {
            CarriedFiles::Files => {
                let chosen = self
                    .resources
                    .carried_image(bytes, name, content_type)
                    .file_name
                    .clone();
                self.path_of(chosen)
            }
            CarriedFiles::DataUrls { max_bytes } if bytes.len() <= max_bytes => {
                format!("data:{content_type};base64,{}", STANDARD.encode(&bytes))
            }
            CarriedFiles::DataUrls { .. } => {
                let text = format!(
                    "[{name}: {} KB, too large to include here; the zip download has it]",
                    bytes.len().div_ceil(1024)
                );
                return Piece::text(text, Format::default(), None);
            }
        };
        Piece {
            kind: PieceKind::Image {
                alt: alt.to_owned(),
                path,
            },
            link: ctx.link.clone(),
        }
    }

    /// Puts the next ink drawing, as an image paragraph of its own; `false` when none is left.
    pub(super) fn place_drawing(&mut self, sink: &mut Sink) -> bool {
        let Some(drawing) = self.drawings.pop_front() else {
            return false;
        };
        self.drawings_placed += 1;
        let name = format!("Ink drawing {}", self.drawings_placed);
        let piece = self.carried(
            drawing.svg.into_bytes(),
            &name,
            &name,
            "image/svg+xml",
            &Ctx::default(),
        );
        sink.flush();
        sink.blocks.push(Block::Paragraph {
            tags: Default::default(),
            content: vec![piece],
        });
        true
    }

    /// `<object data-attachment="report.pdf" data="…/resources/{id}/$value" type="…">`.
    fn attachment(&mut self, element: &Element) -> Option<Piece> {
        let url = dom::attr(element, "data")?;
        let raw_name = dom::attr(element, "data-attachment").unwrap_or("attachment");
        let name = display_name(raw_name);
        let Some(id) = resource_id_from_url(url) else {
            // Not something we can fetch: say the file was there.
            return Some(Piece::text(format!("📎 {name}"), Format::default(), None));
        };
        let reference = self
            .resources
            .attachment(&id, url, raw_name, dom::attr(element, "type"));
        let chosen = reference.file_name.clone();
        let path = self.path_of(chosen);
        Some(Piece {
            kind: PieceKind::Attachment { name, path },
            link: None,
        })
    }
}

/// A video embed becomes a plain link to the original video (`data-original-src`, which OneNote
/// writes on every embed it makes). An `iframe` without one is not OneNote's and is dropped.
fn embed(element: &Element) -> Option<Piece> {
    let url = dom::attr(element, "data-original-src")?.trim();
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
