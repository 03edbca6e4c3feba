//! Downloads: the page as Markdown (`text/markdown`, an attachment), and as a zip holding the
//! Markdown plus every image and attachment it links to, at the relative paths the Markdown
//! uses — so the links work after unzipping. A zip build that meets OneNote throttling waits
//! within a longer allowance instead of failing.

use crate::content_disposition::attachment;
use std::io::Write;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use graph::RetryPolicy;
use graph::ink_content::PageContent;
use graph::onenote::Page;
use onenote_md::{CarriedFiles, Conversion, Options, PageMeta};

use super::access::OneNote;
use crate::error::AppError;
use crate::session::Session;

/// How long a zip build may spend waiting out throttling, in total per resource.
const ZIP_PATIENCE: Duration = Duration::from_secs(90);
/// The largest image a single `.md` download carries inline as a `data:` URL (ink drawings,
/// pasted pictures); larger ones are left to the zip, with a note.
const MAX_INLINE_IMAGE: usize = 2 * 1024 * 1024;

fn convert(meta: &Page, content: &PageContent, carried_files: CarriedFiles) -> Conversion {
    onenote_md::to_markdown_with(
        &content.html,
        &PageMeta {
            title: meta.title.clone().unwrap_or_default(),
            created: meta.created_date_time.clone(),
            modified: meta.last_modified_date_time.clone(),
            author: meta.author.clone(),
            web_url: meta.links.web_url().map(str::to_string),
            id: None,
        },
        &Options {
            ink: content.ink.as_deref(),
            carried_files,
            ..Options::default()
        },
    )
}

/// A file name from the page title: letters, digits, `-` and `_`; never empty, never a path.
pub fn file_stem(title: Option<&str>) -> String {
    let mut stem = String::new();
    for c in title.unwrap_or("").chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            stem.push(c);
        } else if (c.is_whitespace() || c == '.') && !stem.ends_with('-') {
            stem.push('-');
        }
        if stem.chars().count() >= 80 {
            break;
        }
    }
    let stem = stem.trim_matches('-').to_string();
    if stem.is_empty() {
        "page".to_string()
    } else {
        stem
    }
}

/// The page as one Markdown file (what the `.md` download holds, and the MCP server's
/// `read_page`): the files the page carries inline as `data:` URLs, its OneNote images and
/// attachments linked as `resources/…`.
pub fn single_file(meta: &Page, content: &PageContent) -> Conversion {
    convert(
        meta,
        content,
        CarriedFiles::DataUrls {
            max_bytes: MAX_INLINE_IMAGE,
        },
    )
}

pub fn markdown_download(meta: &Page, content: &PageContent) -> Response {
    let conversion = single_file(meta, content);
    let name = format!("{}.md", file_stem(meta.title.as_deref()));
    let mut response = (StatusCode::OK, conversion.markdown).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/markdown; charset=utf-8"),
    );
    headers.insert(header::CONTENT_DISPOSITION, attachment(&name));
    response
}

pub async fn zip_download(
    onenote: &OneNote,
    session: &mut Session,
    location: &graph::Location,
    next: &str,
    meta: &Page,
    content: &PageContent,
) -> Result<Response, AppError> {
    let conversion = convert(meta, content, CarriedFiles::Files);
    let stem = file_stem(meta.title.as_deref());
    let patient = onenote.with_retry(RetryPolicy {
        max_attempts: 8,
        base_backoff: Duration::from_millis(500),
        max_total_wait: ZIP_PATIENCE,
    });
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(conversion.resources.len() + 1);
    for resource in conversion.resources {
        if let Some(bytes) = resource.bytes {
            files.push((format!("{stem}/{}", resource.file_name), bytes));
            continue;
        }
        let binary = patient
            .call_at(session, location, next, async |graph, token, user| {
                graph.resource(token.expose(), &user, &resource.id).await
            })
            .await?;
        files.push((format!("{stem}/{}", resource.file_name), binary.bytes));
    }
    files.insert(
        0,
        (
            format!("{stem}/{stem}.md"),
            conversion.markdown.into_bytes(),
        ),
    );
    let bytes = tokio::task::spawn_blocking(move || build_zip(files))
        .await
        .map_err(|e| AppError::internal_because("the zip task failed", e))?
        .map_err(|e| AppError::internal_because("the zip could not be written", e))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        attachment(&format!("{stem}.zip")),
    );
    Ok(response)
}

fn build_zip(files: Vec<(String, Vec<u8>)>) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        writer.start_file(name, options)?;
        writer.write_all(&bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(
            file_stem(Some("Weekly plan: Q1/2025")),
            "Weekly-plan-Q12025"
        );
        assert_eq!(file_stem(Some("../../etc/passwd")), "etcpasswd");
        assert_eq!(file_stem(Some("  ")), "page");
        assert_eq!(file_stem(Some("Ünïcödé 日本")), "Ünïcödé-日本");
        assert_eq!(file_stem(None), "page");
    }
}
