//! `GET /onenote/resources/{id}`: a page's image or attachment, fetched from Graph with the
//! signed-in user's token. Only ids are accepted — the app never fetches a URL a browser gave
//! it — and only the user's own resources come back (Graph answers 404 for anyone else's).
//! Images are served inline; everything else (SVG included) as a download, sandboxed.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::access::OneNote;
use super::valid_id;
use crate::error::AppError;
use crate::extract::SignedIn;

/// Raster image types shown inline.
const INLINE_TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
];

pub async fn resource(
    State(onenote): State<OneNote>,
    SignedIn(mut session): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    valid_id(&id)?;
    let next = format!("/onenote/resources/{id}");
    let binary = onenote
        .call(&mut session, &next, async |graph, token, user| {
            graph.resource(token.expose(), &user, &id).await
        })
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
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
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
