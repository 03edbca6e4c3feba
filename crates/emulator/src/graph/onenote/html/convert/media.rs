//! Images, attachments and videos of input HTML: `name:` parts, `data:` URLs and stand-ins for
//! what the emulator cannot fetch or render become resources; videos from known sites become
//! embeds.

use axum::body::Bytes;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use scraper::ElementRef;

use super::converter::Converter;
use super::input::ConvertError;
use crate::graph::onenote::html::tree::{Element, Node};
use crate::graph::onenote::html::{style, tags};
use crate::images::{generate_png, png_size};

impl Converter<'_> {
    /// `img`: two resources (web rendition and original) with the image's bytes.
    pub(super) fn image(
        &mut self,
        el: ElementRef<'_>,
        position: Option<String>,
    ) -> Result<Option<Node>, ConvertError> {
        let value = el.value();
        let mut render_original = None;
        let (bytes, content_type) = if let Some(render) = value.attr("data-render-src") {
            match render.strip_prefix("name:") {
                Some(name) => {
                    self.part(name)?;
                }
                None => render_original = Some(render.to_string()),
            }
            (
                Bytes::from(generate_png(624, 400, fnv(render))),
                "image/png".to_string(),
            )
        } else if let Some(src) = value.attr("src").map(str::trim) {
            if let Some(name) = src.strip_prefix("name:") {
                let part = self.part(name)?;
                (part.bytes.clone(), part.content_type.clone())
            } else if let Some(data) = src.strip_prefix("data:") {
                let (meta, payload) = data.split_once(',').ok_or(ConvertError::BadDataUrl)?;
                let content_type = meta.trim_end_matches(";base64").to_string();
                if !meta.ends_with(";base64") {
                    return Err(ConvertError::BadDataUrl);
                }
                let bytes = STANDARD
                    .decode(payload.trim())
                    .map_err(|_| ConvertError::BadDataUrl)?;
                (Bytes::from(bytes), content_type)
            } else if src.starts_with("http://") || src.starts_with("https://") {
                (
                    Bytes::from(generate_png(320, 240, fnv(src))),
                    "image/png".to_string(),
                )
            } else {
                return Ok(None);
            }
        } else {
            return Ok(None);
        };
        let size = png_size(&bytes);
        let width = value
            .attr("width")
            .and_then(style::pixels)
            .or(size.map(|s| s.0));
        let height = value
            .attr("height")
            .and_then(style::pixels)
            .or(size.map(|s| s.1));
        let tag = value.attr("data-tag").map(tags::normalise).transpose()?;
        let web = self.sink.add(&content_type, bytes.clone());
        let full = self.sink.add(&content_type, bytes);
        let img = Element::new("img")
            .attr_opt("style", position)
            .attr_opt("alt", value.attr("alt"))
            .attr_opt("width", width.map(|w| w.to_string()))
            .attr_opt("height", height.map(|h| h.to_string()))
            .attr("src", web)
            .attr("data-src-type", &content_type)
            .attr("data-fullres-src", full)
            .attr("data-fullres-src-type", &content_type)
            .attr_opt("data-render-original-src", render_original)
            .attr_opt("data-tag", tag.filter(|t| !t.is_empty()))
            .attr_opt("data-id", value.attr("data-id"));
        Ok(Some(img.into()))
    }

    /// `object data="name:part"`: an attachment resource.
    pub(super) fn attachment(
        &mut self,
        el: ElementRef<'_>,
        position: Option<String>,
    ) -> Result<Option<Node>, ConvertError> {
        let value = el.value();
        let Some(name) = value
            .attr("data")
            .and_then(|d| d.trim().strip_prefix("name:"))
        else {
            return Ok(None);
        };
        let part = self.part(name)?.clone();
        let file_name: String = value
            .attr("data-attachment")
            .unwrap_or(name)
            .chars()
            .map(|c| {
                if "\\/:*?<>|\"".contains(c) || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let content_type = value
            .attr("type")
            .map(str::to_string)
            .unwrap_or(part.content_type);
        let url = self.sink.add(&content_type, part.bytes);
        let object = Element::new("object")
            .attr_opt("style", position)
            .attr("data-attachment", file_name)
            .attr("type", content_type)
            .attr("data", url)
            .attr_opt("data-id", value.attr("data-id"));
        Ok(Some(object.into()))
    }

    /// `iframe data-original-src`, as OneNote embeds videos
    /// (https://learn.microsoft.com/en-us/graph/onenote-images-files, "Adding videos"): a
    /// YouTube link becomes the documented `…/embed/{id}?feature=oembed&autoplay=true`; Vimeo
    /// becomes its player URL and the other supported sites keep their link as `src`
    /// [UNCONFIRMED: no doc shows their output]; any other site is error 20168. The size defaults
    /// to 480×360.
    pub(super) fn video(&self, el: ElementRef<'_>) -> Result<Option<Node>, ConvertError> {
        let value = el.value();
        let Some(original) = value.attr("data-original-src").map(str::trim) else {
            return Ok(None);
        };
        let unsupported = || ConvertError::UnsupportedVideo(original.to_string());
        let url = url::Url::parse(original).map_err(|_| unsupported())?;
        let host = url
            .host_str()
            .unwrap_or("")
            .trim_start_matches("www.")
            .trim_start_matches("m.");
        let embed = match host {
            "youtube.com" => {
                let id = url
                    .query_pairs()
                    .find(|(k, _)| k == "v")
                    .map(|(_, v)| v.into_owned())
                    .or_else(|| url.path().strip_prefix("/embed/").map(str::to_string))
                    .ok_or_else(unsupported)?;
                youtube_embed(clean_video_id(&id).ok_or_else(unsupported)?)
            }
            "youtu.be" => youtube_embed(
                clean_video_id(url.path().trim_start_matches('/')).ok_or_else(unsupported)?,
            ),
            "vimeo.com" => format!(
                "https://player.vimeo.com/video/{}",
                clean_video_id(url.path().trim_start_matches('/')).ok_or_else(unsupported)?
            ),
            "dailymotion.com" | "mix.office.com" | "sway.com" | "sway.office.com"
            | "sketchfab.com" | "ted.com" | "vine.co"
                if url.scheme() == "https" =>
            {
                url.to_string()
            }
            _ => return Err(unsupported()),
        };
        let width = value.attr("width").and_then(style::pixels).unwrap_or(480);
        let height = value.attr("height").and_then(style::pixels).unwrap_or(360);
        Ok(Some(
            Element::new("iframe")
                .attr("width", width.to_string())
                .attr("height", height.to_string())
                .attr("data-original-src", original)
                .attr("src", embed)
                .into(),
        ))
    }
}

fn youtube_embed(id: &str) -> String {
    format!("https://www.youtube.com/embed/{id}?feature=oembed&autoplay=true")
}

fn clean_video_id(id: &str) -> Option<&str> {
    (!id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then_some(id)
}

/// A small stable hash, to vary generated stand-in pictures by their source.
fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}
