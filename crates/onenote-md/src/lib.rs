//! OneNote page HTML, made useful outside OneNote.
//!
//! Microsoft Graph returns a OneNote page as HTML (`GET …/onenote/pages/{id}/content`, reference
//! §10.5): absolutely positioned `div`s, inline styles instead of semantic tags, note tags in
//! `data-tag` attributes, and images and attachments that point back at Graph. This crate turns
//! that HTML into two things graphnote needs:
//!
//! * [`to_markdown`]: a Markdown document a person would accept (CommonMark with GFM tables and
//!   task lists, YAML front matter), plus the list of resources it links to, so the web app can
//!   fetch them and put them next to the Markdown in a zip.
//! * [`sanitize::sanitize_page`]: the same page as HTML that is safe to embed in the app's own
//!   page, with every image and attachment rewritten to go through the app.
//!
//! Both share the pieces that understand OneNote: [`resource_id_from_url`] (which URLs are
//! resources, and their ids: a security boundary, the app fetches by id only), note tags,
//! inline styles and the reading order of positioned content.
//!
//! Nothing here panics on any input: the functions take whatever HTML they are given and make the
//! best of it.

mod dom;
mod failure_comment;
mod layout;
mod markdown;
mod note_tag;
mod page;
mod resource;
pub mod sanitize;
mod style;
mod xhtml;

pub use markdown::to_markdown;
pub use resource::{
    ResourceKind, ResourceRef, ResourceUrlError, is_valid_resource_id, parse_resource_url,
    resource_id_from_url,
};

/// Metadata for the front matter.
///
/// The web app has these from the page entity (reference §10.3). When `title` is empty the
/// page's own `<title>` is used; when `created` is `None` the page's `<meta name="created">` is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMeta {
    pub title: String,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub web_url: Option<String>,
}

/// The result of [`to_markdown`]: the document and the resources it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The Markdown text, ending with exactly one newline.
    pub markdown: String,
    /// Every image and attachment the Markdown links to, in order of first appearance, each
    /// once. `file_name` is the relative path the Markdown uses.
    pub resources: Vec<ResourceRef>,
}
