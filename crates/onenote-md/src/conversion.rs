//! What a conversion takes besides the page (its metadata) and what it gives.

use crate::resource::ResourceRef;

/// Metadata for the front matter.
///
/// The web app has these from the page entity (docs/protocol.md §10.3). When `title` is empty the
/// page's own `<title>` is used; when `created` is `None` the page's `<meta name="created">` is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMeta {
    pub title: String,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub web_url: Option<String>,
}

/// The result of [`crate::to_markdown`]: the document and the resources it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The Markdown text, ending with exactly one newline.
    pub markdown: String,
    /// Every image and attachment the Markdown links to, in order of first appearance, each
    /// once. `file_name` is the relative path the Markdown uses.
    pub resources: Vec<ResourceRef>,
}
