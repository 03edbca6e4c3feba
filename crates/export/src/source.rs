//! Where an export reads OneNote from. The web app implements [`Source`] over its Graph client
//! (the owner's token, the shared per-user budget, background priority); the runner's own tests
//! implement it in memory (`tests/runner.rs`). Each call is one Graph request, made once: the
//! runner alone decides about trying again, so it can count calls and keep to one retry policy.

use std::future::Future;
use std::time::Duration;

use graph::ink_content::PageContent;
use graph::onenote::{NotebookTree, Page};

use crate::manifest::SectionFile;
use crate::status::Skipped;

/// Why a call gave nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Throttled or unavailable even after the client's own retries: worth trying again later.
    #[error("{message}")]
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// This item cannot be had (gone, refused, unreadable): skip it and say why.
    #[error("{0}")]
    Failed(String),
    /// Nothing more can be fetched until the owner acts (signed out, a stronger sign-in,
    /// consent): stop, keep what was done, and wait for them.
    #[error("{0}")]
    NeedsOwner(String),
    /// The export as asked cannot be made (OneNote refuses the listing, e.g. too many sections
    /// for one call): stop with a message saying what to do instead.
    #[error("{0}")]
    Fatal(String),
}

/// OneNote, for one user.
pub trait Source: Send + Sync {
    /// The notebooks with their section groups and sections.
    fn tree(&self) -> impl Future<Output = Result<Vec<NotebookTree>, FetchError>> + Send;
    /// A section's pages in OneNote's order, with their levels.
    fn section_pages(
        &self,
        section: &str,
    ) -> impl Future<Output = Result<Vec<Page>, FetchError>> + Send;
    /// A page's HTML and ink.
    fn page_content(
        &self,
        page: &str,
    ) -> impl Future<Output = Result<PageContent, FetchError>> + Send;
    /// A resource's bytes.
    fn resource(&self, id: &str) -> impl Future<Output = Result<Vec<u8>, FetchError>> + Send;
    /// What the source itself left out before the export began (a file it could not read),
    /// reported with the export's own skips. Graph has none: what it cannot list, it refuses.
    fn skipped(&self) -> Vec<Skipped> {
        Vec::new()
    }
    /// What the source noticed but did not leave out (a reader's warnings, a choice it made
    /// between copies), for the report's notes.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// The drive file the section `id` was read from, for the manifest (a fast export's
    /// sections); `None` for sections read page by page.
    fn section_file(&self, _section: &str) -> Option<SectionFile> {
        None
    }
    /// Whether fetching page `page`'s content costs a call (OneNote counts it, and throttles):
    /// then its content is kept on disk while the page is in flight, so a run stopped there
    /// does not fetch it again. A page read from a local file is cheaper read again than kept.
    fn content_costs_a_call(&self, _page: &str) -> bool {
        true
    }
}
