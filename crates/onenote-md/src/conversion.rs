//! What a conversion takes besides the page (its metadata and options) and what it gives.

use crate::page_link::LinkResolver;
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
    /// Who wrote the page, when known (OneNote's own files say; Graph does not).
    pub author: Option<String>,
    pub web_url: Option<String>,
    /// The page's OneNote id (`onenote_id` in the front matter): what ties a file of an export
    /// to its page.
    pub id: Option<String>,
}

/// What a conversion can use beyond the page HTML.
#[derive(Default, Clone, Copy)]
pub struct Options<'a> {
    /// The page's InkML (the second part of `GET …/content?includeInkML=true`): each drawing
    /// becomes an SVG image where OneNote left `<!-- InkNode is not supported -->`.
    pub ink: Option<&'a str>,
    /// Where links to other OneNote pages lead (relative paths in an export).
    pub links: Option<&'a dyn LinkResolver>,
    /// How files the page itself carries (`data:` images, ink drawings) are written.
    pub carried_files: CarriedFiles,
    /// Where each file goes: given the name the converter chose (`resources/chart.png`, unique
    /// within the page), the relative path the Markdown links to and
    /// [`Conversion::resources`] reports. Without it the chosen name is the path. (An export
    /// puts the files of a whole section in one folder, and needs names unique across it.)
    pub resource_path: Option<&'a dyn Fn(&str) -> String>,
}

/// How files the page itself carries are written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum CarriedFiles {
    /// As files next to the Markdown (`resources/…`), listed with their bytes in
    /// [`Conversion::resources`]: for zips and exports.
    #[default]
    Files,
    /// In the Markdown as `data:` URLs, up to `max_bytes` each (a larger one leaves a note): for
    /// a single `.md` download, which has nowhere to put files.
    DataUrls { max_bytes: usize },
}

/// The result of [`crate::to_markdown`]: the document and the resources it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The Markdown text, ending with exactly one newline.
    pub markdown: String,
    /// Every image and attachment the Markdown links to, in order of first appearance, each
    /// once. `file_name` is the relative path the Markdown uses.
    pub resources: Vec<ResourceRef>,
    /// Links to other OneNote pages that the [`Options::links`] resolver could not resolve (they
    /// stay as they were), each once, in order. Empty without a resolver.
    pub unresolved_links: Vec<String>,
}
