//! The OneNote pages: notebooks, a section's pages, a page (sanitized), its Markdown and zip
//! downloads, and page resources proxied from Graph. Everything is fetched with the signed-in
//! user's token (asking for `Notes.Read` the first time: incremental consent) and addressed by
//! OneNote ids only — never by a URL the browser supplies.

pub mod access;
pub mod export;
pub mod location;
pub mod notebooks;
pub mod page;
pub mod page_link;
pub mod resource;
pub mod sample_routes;
pub mod section;

use crate::error::AppError;

/// Whether `id` can be a OneNote id (letters, digits, `-`, `!`, `_`, `.`). Anything else is
/// answered 404 before Graph is asked.
pub fn valid_id(id: &str) -> Result<(), AppError> {
    if onenote_md::is_valid_resource_id(id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A date-time from Graph as people read it: `2025-01-02 09:00 UTC`.
pub fn readable_time(value: Option<&str>) -> Option<String> {
    let value = value?;
    let (date, rest) = value.split_once('T')?;
    let time: String = rest.chars().take(5).collect();
    Some(format!("{date} {time} UTC"))
}
