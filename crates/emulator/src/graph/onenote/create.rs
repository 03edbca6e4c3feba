//! `POST …/onenote/sections/{id}/pages` (and `POST …/onenote/pages`, which uses the default
//! section): a page from a `text/html` body, or from `multipart/form-data` with a `Presentation`
//! part (the HTML) and named binary parts that the HTML references as `name:…`. The page goes
//! through the same conversion as seeded pages and is answered 201 with its JSON.
//!
//! Bodies are read up to [`MAX_BODY`] bytes (413 with 20008 beyond). Multipart is parsed with
//! `multer` (the parser behind axum's own multipart support) from the already-limited bytes, so
//! every malformation becomes OneNote's 400 rather than a connection error. Codes: 20001 no
//! Presentation part, 20002 two of them, 20003 Presentation not HTML, 20009 duplicate part names,
//! 20010 a part without a name, 20011 malformed multipart, 20015 too many parts, 20130 a `name:`
//! reference to a missing part, 20131 an unsupported Content-Type, 20132 empty or non-UTF-8 HTML.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use time::{OffsetDateTime, UtcOffset};

use super::html::{self, Part};
use super::store::{NewResources, Page};
use crate::graph::error::GraphError;

/// The largest page-creation body accepted.
pub const MAX_BODY: usize = 10 * 1024 * 1024;
/// The most parts a multipart body may have (OneNote's limit).
const MAX_PARTS: usize = 500;

/// What the request body holds: the page HTML and its binary parts.
pub struct PageInput {
    pub html: String,
    pub parts: HashMap<String, Part>,
}

fn bad(code: u32, message: &str) -> GraphError {
    GraphError::onenote(StatusCode::BAD_REQUEST, code, message)
}

/// Reads and checks the request body.
pub async fn read_input(headers: &HeaderMap, body: Body) -> Result<PageInput, GraphError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY as u64) {
        return Err(GraphError::too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| GraphError::too_large())?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "text/html" | "application/xhtml+xml" => Ok(PageInput {
            html: html_text(bytes)?,
            parts: HashMap::new(),
        }),
        "multipart/form-data" => multipart(content_type, bytes).await,
        "" => Err(bad(
            20132,
            "The request has no Content-Type; send text/html or multipart/form-data.",
        )),
        _ => Err(bad(
            20131,
            "The Content-Type is not supported; use text/html or multipart/form-data.",
        )),
    }
}

fn html_text(bytes: Bytes) -> Result<String, GraphError> {
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| bad(20132, "The page HTML is not valid UTF-8."))?;
    if text.trim().is_empty() {
        return Err(bad(20132, "The request contains no page HTML."));
    }
    Ok(text)
}

async fn multipart(content_type: &str, bytes: Bytes) -> Result<PageInput, GraphError> {
    let malformed = |_| bad(20011, "The request contains a malformed multipart payload.");
    let boundary = multer::parse_boundary(content_type).map_err(malformed)?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut html = None;
    let mut parts = HashMap::new();
    let mut count = 0;
    while let Some(field) = form.next_field().await.map_err(malformed)? {
        count += 1;
        if count > MAX_PARTS {
            return Err(bad(
                20015,
                "The count of parts in the multipart message exceeds the limit of 500.",
            ));
        }
        let name = field
            .name()
            .map(str::to_string)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                bad(
                    20010,
                    "A part has no name in its Content-Disposition header.",
                )
            })?;
        let part_type = field
            .content_type()
            .map(|m| m.essence_str().to_ascii_lowercase());
        let data = field.bytes().await.map_err(malformed)?;
        if name.eq_ignore_ascii_case("Presentation") {
            if html.is_some() {
                return Err(bad(
                    20002,
                    "The request contains two or more \"Presentation\" parts. Exactly one is required.",
                ));
            }
            if !matches!(
                part_type.as_deref(),
                Some("text/html" | "application/xhtml+xml")
            ) {
                return Err(bad(
                    20003,
                    "The content type of the \"Presentation\" part can be only text/html or application/xhtml+xml.",
                ));
            }
            html = Some(html_text(data)?);
        } else {
            if parts.contains_key(&name) {
                return Err(bad(
                    20009,
                    "The request contains parts with duplicate names. Part names must be unique.",
                ));
            }
            parts.insert(
                name,
                Part {
                    content_type: part_type.unwrap_or_else(|| "application/octet-stream".into()),
                    bytes: data,
                },
            );
        }
    }
    let html = html.ok_or_else(|| {
        bad(
            20001,
            "The request is missing the required \"Presentation\" part. Exactly one is required.",
        )
    })?;
    Ok(PageInput { html, parts })
}

/// Converts the input and stores the page in the section. Returns the new page's id.
pub fn store_page(
    lib: &mut super::store::Library,
    base_url: &str,
    section_id: &str,
    client_id: &str,
    input: &PageInput,
) -> Result<String, GraphError> {
    let section = lib
        .section(section_id)
        .cloned()
        .ok_or_else(GraphError::onenote_not_found)?;
    let order = lib.pages_of_section(&section.id).count() as u32;
    let mut n = order + 1;
    let id = loop {
        let guid = super::store::derived_uuid(&[&section.id, "page", &n.to_string()]);
        let id = format!("1-{}!{n}-{}", guid.simple(), section.guid);
        if lib.page(&id).is_none() {
            break id;
        }
        n += 1;
    };
    let owner_path = lib.owner.key_path(str::to_string);
    let mut sink = NewResources {
        base_url,
        owner_path: &owner_path,
        page_id: &id,
        section_guid: section.guid,
        existing: 0,
        made: Vec::new(),
    };
    let converted = html::convert(&input.html, &input.parts, &mut sink)
        .map_err(|e| GraphError::onenote(StatusCode::BAD_REQUEST, e.code(), e.to_string()))?;
    let now = OffsetDateTime::now_utc();
    let resources = sink.made;
    lib.add_page(
        Page {
            ink: Vec::new(),
            id: id.clone(),
            title: converted.title,
            section: section.id.clone(),
            created: converted
                .created
                .map(|c| c.to_offset(UtcOffset::UTC))
                .unwrap_or(now),
            modified: now,
            level: 0,
            order,
            lang: converted.lang.unwrap_or_else(|| "en-US".into()),
            created_by_app_id: client_id.to_string(),
            body: converted.body,
        },
        resources,
    );
    Ok(id)
}
