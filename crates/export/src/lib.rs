//! Whole-notebook OneNote export: a Markdown vault (one `.md` per page, resources beside each
//! section, links between pages made relative, an `index.md` per section and notebook, a
//! manifest and a report), built page by page with durable progress, and written as one zip.
//!
//! The crate knows nothing of the web: [`run`] takes a [`Source`] (OneNote for one user) and a
//! [`JobFolder`], and tells an [`Observer`] how it goes. The web app's job queue decides when
//! and where a run happens.
//!
//! # Layout
//!
//! Leaves first; each module uses only modules above it.
//!
//! - `paths` (every path of the vault, from one registry), `manifest` (what an export holds), `status` (progress
//!   and ETA), `source` (the [`Source`] trait), `scope` (all, a notebook, a section), `archive`
//!   (the streaming zip): leaves.
//! - `layout`: where every notebook, section and page goes (uses `paths`, `manifest`).
//! - `links`: links between pages as relative paths (uses `layout`).
//! - `vault`: files on disk, index pages (uses `layout`, `links`).
//! - `report`: `_export/report.md` (uses `manifest`, `scope`, `status`, `vault`).
//! - `progress`: the run's durable progress, a journal (uses `manifest`, `status`).
//! - `folder`: a job's folder: vault, progress, zip (uses `progress`, `scope`, `vault`).
//! - `page_write`: a page's files written while the next is fetched (uses `manifest`,
//!   `progress`, `vault`).
//! - `runner`: one run, start to finish (uses all of the above).

pub mod archive;
pub mod folder;
pub mod layout;
pub mod links;
pub mod manifest;
mod page_write;
pub mod paths;
pub mod progress;
pub mod report;
pub mod runner;
pub mod scope;
pub mod source;
pub mod status;
pub mod vault;

pub use folder::JobFolder;
pub use layout::{MANIFEST_PATH, REPORT_PATH};
pub use manifest::{Manifest, SectionFile};
pub use runner::{Finished, Halt, Observer, Patience, run};
pub use scope::Scope;
pub use source::{FetchError, Source};
pub use status::{Changes, Skipped, Status};
