//! **Convert OneNote files** on `/onenote/exports`: an upload of `.one`, `.onepkg` and `.zip`
//! files becomes an export job of the same queue — same progress page, events, cancel, zip
//! download, owner-only, retention — that reads the files instead of Graph (no OneNote consent,
//! no Graph call). The uploaded files are deleted when the job ends.
//!
//! The body is streamed to the job's folder chunk by chunk, never whole in memory, and counted
//! as it comes: past `UPLOAD_MAX_BYTES` (or a `Content-Length` saying so, or a disk without room
//! for it) the upload is refused with a page saying why, and what was written is deleted. The
//! form's CSRF token is the first field: no file is written before it is checked.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use export::Scope;
use tokio::io::AsyncWriteExt;

use super::file_job::{SECTIONS, UPLOADS};
use super::job::Job;
use super::routes::{MIN_FREE_BYTES, free_bytes, owner, see_other, shown_name};
use super::{Exports, random_id};
use crate::context::RequestContext;
use crate::csrf::Csrf;
use crate::error::AppError;
use crate::extract::SignedIn;

/// How long an upload may pause between two chunks before it is given up.
const IDLE: Duration = Duration::from_secs(120);
/// The most files one upload may hold.
const MAX_FILES: usize = 200;

/// `POST /onenote/exports/files`.
pub async fn upload(
    State(exports): State<Exports>,
    State(csrf): State<Arc<Csrf>>,
    ctx: RequestContext,
    headers: HeaderMap,
    SignedIn(session): SignedIn,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let limit = exports.settings.upload_max_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let needed = declared.unwrap_or(limit).saturating_mul(3) + MIN_FREE_BYTES;
    if let Some(free) = free_bytes(&exports.root)
        && free < needed
    {
        return Err(AppError::Conflict(format!(
            "graphnote's disk has {} MB free, too little to take these files and convert them. \
             Delete old exports, or ask the operator for more space.",
            free / 1_000_000
        )));
    }
    let owner = owner(&session)?;
    let id = random_id();
    let folder = exports.folder(&id);
    // Whatever ends the upload early, nothing it wrote stays.
    let mut guard = RemoveOnDrop(Some(folder.clone()));
    let names = receive(multipart, &folder.join(UPLOADS), limit, |token| {
        csrf.check(&session, &headers, token)
    })
    .await?;
    let label = format!(
        "OneNote files: {}",
        shown_name(&names.join(", "))
            .chars()
            .take(120)
            .collect::<String>()
    );
    let job = Job::queued(id.clone(), owner, Scope::Files, label);
    exports.store.insert(&job).await?;
    guard.0 = None;
    tracing::info!(export = %id, files = names.len(), "OneNote files uploaded; export queued");
    Ok(see_other(&ctx, &format!("/onenote/exports/{id}")))
}

/// Writes the upload's files into `into`; their names as given. `check` is given the CSRF
/// token, which must come first.
async fn receive(
    mut multipart: Multipart,
    into: &Path,
    limit: u64,
    check: impl FnOnce(&str) -> Result<(), AppError>,
) -> Result<Vec<String>, AppError> {
    let bad = |what: &str| AppError::BadRequest(what.to_string());
    let first = next_field(&mut multipart)
        .await?
        .ok_or_else(|| bad("the form is empty"))?;
    if first.name() != Some("csrf") {
        return Err(bad(
            "the form's token must come first: send the form from graphnote's page",
        ));
    }
    let token = first
        .text()
        .await
        .map_err(|_| bad("the form's token could not be read"))?;
    check(&token)?;
    tokio::fs::create_dir_all(into)
        .await
        .map_err(|e| unstored(&e))?;
    let mut names = Vec::new();
    let mut taken = std::collections::HashSet::new();
    let mut total: u64 = 0;
    while let Some(mut field) = next_field(&mut multipart).await? {
        if field.name() != Some("files") {
            continue;
        }
        let given = field.file_name().unwrap_or_default().to_string();
        // An empty file input still sends one part without a name.
        if given.is_empty() {
            continue;
        }
        if names.len() == MAX_FILES {
            return Err(bad(&format!(
                "an upload may hold at most {MAX_FILES} files"
            )));
        }
        let name = stored_name(&given, &mut taken).ok_or_else(|| {
            bad(&format!(
                "{}: only .one sections, .onepkg packages and .zip files of notebook folders can be \
                 converted",
                shown_name(&given)
            ))
        })?;
        let path = into.join(&name);
        if let Some(folder) = path.parent() {
            tokio::fs::create_dir_all(folder)
                .await
                .map_err(|e| unstored(&e))?;
        }
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(|e| unstored(&e))?;
        loop {
            let chunk = match tokio::time::timeout(IDLE, field.chunk()).await {
                Err(_) => return Err(bad("the upload stopped sending")),
                Ok(Err(e)) => return Err(multipart_error(e, limit)),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => chunk,
            };
            total += chunk.len() as u64;
            if total > limit {
                return Err(too_large(limit));
            }
            file.write_all(&chunk).await.map_err(|e| unstored(&e))?;
        }
        file.flush().await.map_err(|e| unstored(&e))?;
        names.push(given);
    }
    if names.is_empty() {
        return Err(bad("choose at least one file (.one, .onepkg or .zip)"));
    }
    Ok(names)
}

async fn next_field(
    multipart: &mut Multipart,
) -> Result<Option<axum::extract::multipart::Field<'_>>, AppError> {
    match tokio::time::timeout(IDLE, multipart.next_field()).await {
        Err(_) => Err(AppError::BadRequest("the upload stopped sending".into())),
        Ok(result) => result.map_err(|e| multipart_error(e, u64::MAX)),
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError, limit: u64) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit);
    }
    AppError::BadRequest(format!("the upload could not be read: {}", e.body_text()))
}

/// A file of the upload could not be written (the disk, not the user).
fn unstored(e: &std::io::Error) -> AppError {
    tracing::error!(error = %e, "cannot store an upload");
    AppError::internal("cannot store an upload")
}

fn too_large(limit: u64) -> AppError {
    AppError::UploadTooLarge { limit }
}

/// Where an uploaded file is kept, relative to the uploads folder: its own name made safe
/// (one path segment of letters, digits, spaces and `._-()`) with its kind's extension, a
/// section in [`SECTIONS`], and ` (2)`… when the name is taken; `None` when it is not a kind
/// that can be converted.
fn stored_name(given: &str, taken: &mut std::collections::HashSet<String>) -> Option<String> {
    let base = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let (stem, extension) = base.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    if !matches!(extension.as_str(), "one" | "onepkg" | "zip") {
        return None;
    }
    let stem: String = stem
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '(' | ')') => c,
            _ => '_',
        })
        .take(100)
        .collect();
    let stem = stem.trim();
    let stem = if stem.is_empty() || stem.starts_with('.') {
        "file"
    } else {
        stem
    };
    let folder = if extension == "one" {
        format!("{SECTIONS}/")
    } else {
        String::new()
    };
    let mut n = 1;
    loop {
        let name = match n {
            1 => format!("{folder}{stem}.{extension}"),
            n => format!("{folder}{stem} ({n}).{extension}"),
        };
        if taken.insert(name.to_lowercase()) {
            return Some(name);
        }
        n += 1;
    }
}

/// Deletes a folder when dropped, unless told not to (`.0 = None`).
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(folder) = self.0.take() {
            // Blocking, but only on an upload that failed: rare, and a few files.
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_one_safe_segment_of_a_known_kind() {
        let mut taken = std::collections::HashSet::new();
        let mut name = |given: &str| stored_name(given, &mut taken);
        assert_eq!(
            name("Work Notes.onepkg").as_deref(),
            Some("Work Notes.onepkg")
        );
        assert_eq!(
            name("work notes.ONEPKG").as_deref(),
            Some("work notes (2).onepkg")
        );
        assert_eq!(
            name("..\\..\\evil/Section.ONE").as_deref(),
            Some("Uploaded sections/Section.one")
        );
        assert_eq!(name("a<b>:c.zip").as_deref(), Some("a_b__c.zip"));
        assert_eq!(name(".one").as_deref(), Some("Uploaded sections/file.one"));
        assert_eq!(name("...zip").as_deref(), Some("__.zip"));
        assert_eq!(name("page.html"), None);
        assert_eq!(name("no-extension"), None);
    }
}
