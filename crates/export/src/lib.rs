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
//! - `names` (safe, unique file names), `manifest` (what an export holds), `status` (progress
//!   and ETA), `source` (the [`Source`] trait), `scope` (all, a notebook, a section), `archive`
//!   (the streaming zip): leaves.
//! - `layout`: where every notebook, section and page goes (uses `names`, `manifest`).
//! - `links`: links between pages as relative paths (uses `layout`).
//! - `vault`: files on disk, index pages (uses `layout`, `links`).
//! - `report`: `_export/report.md` (uses `manifest`, `status`, `vault`).
//! - `runner`: one run, start to finish (uses all of the above).

pub mod archive;
pub mod layout;
pub mod links;
pub mod manifest;
pub mod names;
pub mod report;
pub mod runner;
pub mod scope;
pub mod source;
pub mod status;
pub mod vault;

pub use manifest::Manifest;
pub use runner::{Finished, Halt, JobFolder, MANIFEST_PATH, Observer, Patience, REPORT_PATH, run};
pub use scope::Scope;
pub use source::{FetchError, Source};
pub use status::{Changes, Skipped, Status};
