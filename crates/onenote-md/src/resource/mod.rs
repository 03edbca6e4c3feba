//! Resources: the images and attachments a page references.
//!
//! A page points at its images and attachments with Graph URLs
//! (`…/onenote/resources/{id}/$value`). Both outputs of this crate replace those URLs (with a
//! relative file path in Markdown, with an app URL in sanitized HTML) and report what they
//! replaced as [`ResourceRef`]s, so the web app knows what to fetch.

mod collector;
mod names;
mod reference;
mod url;

pub(crate) use collector::ResourceCollector;
pub(crate) use names::display_name;
pub use reference::{ResourceKind, ResourceRef};
pub use url::{ResourceUrlError, is_valid_resource_id, parse_resource_url, resource_id_from_url};
