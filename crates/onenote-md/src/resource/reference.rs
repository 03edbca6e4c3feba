//! What the converter reports about each resource a page references.

/// What kind of thing a resource is, which decides how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// An `<img>`: shown inline.
    Image,
    /// An `<object data-attachment=…>`: a file the page carries, shown as a link.
    Attachment,
}

/// A resource (image or attachment) the page references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRef {
    /// The OneNote resource id taken from the URL `…/onenote/resources/{id}/$value` (or
    /// `/content`): it passes [`crate::is_valid_resource_id`]. Empty for a file the page carries
    /// itself (see `bytes`).
    pub id: String,
    /// The relative path the Markdown links to, e.g. `resources/floor-plan.png` or
    /// `resources/budget.xlsx`: unique within the page (ignoring case), and safe: no `/` other
    /// than the one after `resources`, no `..`, no control characters.
    pub file_name: String,
    pub kind: ResourceKind,
    /// The MIME type the page declares for the resource (`data-src-type`, `type`), if any.
    pub content_type: Option<String>,
    /// The URL as found in the HTML (empty for a file the page carries itself).
    pub source_url: String,
    /// The file's bytes, for a file the page carries itself (a `data:` image, an ink drawing);
    /// `None` for a OneNote resource, which the caller fetches by `id`.
    pub bytes: Option<Vec<u8>>,
}
