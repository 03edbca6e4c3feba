//! `GET /onenote/resources/{id}`: a page's image or attachment, fetched from Graph with the
//! signed-in user's token. Only ids are accepted — the app never fetches a URL a browser gave
//! it — and only the user's own resources come back (Graph answers 404 for anyone else's).
//! Images are served inline; everything else (SVG included) as a download, sandboxed, under
//! the attachment's own name (`?name=`, which the page's link carries) and with the type its
//! name or Graph gives — never one a browser would run (HTML, SVG, scripts go as bytes).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::access::OneNote;
use super::location::{At, base};
use super::valid_id;
use crate::content_disposition::attachment;
use crate::error::AppError;
use crate::extract::{AppQuery, SignedIn};

/// Raster image types shown inline.
const INLINE_TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
];

/// Types a download never gets, whatever its name says: a browser would render or run them.
const ACTIVE_TYPES: &[&str] = &[
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
];

#[derive(Deserialize)]
pub struct Download {
    /// The attachment's file name, as the page names it.
    name: Option<String>,
}

pub async fn resource(
    State(onenote): State<OneNote>,
    SignedIn(mut session): SignedIn,
    At { location, id }: At,
    AppQuery(download): AppQuery<Download>,
) -> Result<Response, AppError> {
    valid_id(&id)?;
    let next = format!("{}/resources/{id}", base(&location));
    let binary = onenote
        .call_at(
            &mut session,
            &location,
            &next,
            async |graph, token, user| graph.resource(token.expose(), &user, &id).await,
        )
        .await?;
    let declared = binary.content_type.as_deref().map(|t| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let sniffed = sniff_image(&binary.bytes);
    let inline = declared
        .as_deref()
        .filter(|t| INLINE_TYPES.contains(t))
        .or(sniffed);
    let mut response = (StatusCode::OK, binary.bytes).into_response();
    let headers = response.headers_mut();
    match inline {
        Some(content_type) => {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(static_type(content_type)),
            );
        }
        None => {
            let name = download.name.as_deref().unwrap_or_default();
            headers.insert(
                header::CONTENT_TYPE,
                download_type(declared.as_deref(), name),
            );
            headers.insert(header::CONTENT_DISPOSITION, attachment(name));
        }
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox; frame-ancestors 'none'"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(response)
}

/// The type of a download: what Graph declared, else what the name's extension says, unless
/// that is a type a browser renders or runs.
fn download_type(declared: Option<&str>, name: &str) -> HeaderValue {
    let declared = declared.filter(|t| *t != "application/octet-stream");
    let guessed = mime_guess::from_path(name).first_raw();
    declared
        .or(guessed)
        .filter(|t| !ACTIVE_TYPES.contains(t) && !t.contains("script") && !t.ends_with("+xml"))
        .and_then(|t| HeaderValue::from_str(t).ok())
        .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream"))
}

fn static_type(t: &str) -> &'static str {
    INLINE_TYPES
        .iter()
        .find(|known| **known == t)
        .copied()
        .unwrap_or("application/octet-stream")
}

/// OneNote often labels images `application/octet-stream`; the first bytes tell.
fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        _ => None,
    }
}
