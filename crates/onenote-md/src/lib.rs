//! OneNote page HTML, made useful outside OneNote.
//!
//! Microsoft Graph returns a OneNote page as HTML (`GET …/onenote/pages/{id}/content`,
//! docs/protocol.md §10.5): absolutely positioned `div`s, inline styles instead of semantic tags, note tags in
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
//!
//! # Layout
//!
//! Each module uses only modules listed before it (`scripts/module-cycles` checks it).
//!
//! - `xhtml` (OneNote's self-closed tags), `layout_whitespace` (the
//!   whitespace between tags that only lays out the markup), `style` (inline styles), `note_tag`,
//!   `failure_comment` (what OneNote could not export), `resource` (resource URLs and ids,
//!   file names, the collector), `page_link` (links between pages and their resolver),
//!   `ink` (InkML to SVG), `conversion` (options and result types): leaves.
//! - `strict_tree` (the tree of a page written as a tree, built without the HTML parser).
//! - `dom` (the parsed page as a tree), `page` (a page's title, metadata and body), `layout`
//!   (reading order of positioned content), `mathml` (equations to LaTeX).
//! - `markdown`: `model` (blocks and inline pieces), `convert` (HTML → model: blocks, inline,
//!   lists, tables, media), `normalize`, `render` (model → Markdown), `front_matter`.
//! - `sanitize`: `css`, `policy` (the allow-list), `rewrite` (resource URLs to the app).

mod conversion;
mod dom;
mod failure_comment;
mod ink;
mod layout;
mod layout_whitespace;
mod markdown;
mod mathml;
mod note_tag;
mod page;
mod page_link;
mod resource;
pub mod sanitize;
mod strict_tree;
mod style;
mod xhtml;

pub use conversion::{CarriedFiles, Conversion, Options, PageMeta};
pub use markdown::{to_markdown, to_markdown_with};
pub use page_link::{LinkResolver, PageLink};
pub use resource::{
    ResourceKind, ResourceRef, ResourceUrlError, is_valid_resource_id, parse_resource_url,
    resource_id_from_url,
};
/// For the fuzz targets and tests, not an API: see `strict_tree::agreement`.
#[doc(hidden)]
pub use strict_tree::agreement::agrees_as_converted as strict_tree_agrees;
