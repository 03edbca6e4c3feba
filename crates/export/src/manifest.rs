//! `_export/manifest.json`: what an export holds — every page with its OneNote id, path,
//! `lastModifiedDateTime` and resources (with their sha256) — which is what an update compares
//! against to fetch only what changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The manifest of one export.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// What was exported: `all`, `notebook` or `section`.
    pub scope: String,
    /// The notebook's or section's id, for those scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_id: Option<String>,
    /// Pages by OneNote id.
    pub pages: BTreeMap<String, PageEntry>,
    /// Sections by OneNote id: the folder each one is in.
    pub sections: BTreeMap<String, SectionEntry>,
}

/// One exported page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PageEntry {
    pub title: String,
    /// The page's `.md` file, relative to the vault's root.
    pub path: String,
    /// The folder its subpages go in (`None` in exports made before it was recorded: the
    /// path without `.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<String>,
    pub section: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// The `page-id` of the page's own client URL: how links between pages name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    pub resources: Vec<ResourceEntry>,
    /// Links between pages that lead to no page of the export, as found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broken_links: Vec<String>,
}

/// One file a page links to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResourceEntry {
    /// The OneNote resource id (empty for files the page carries itself, such as ink drawings).
    pub id: String,
    /// Relative to the vault's root.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// One exported section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SectionEntry {
    pub name: String,
    /// The section's folder, relative to the vault's root.
    pub folder: String,
    /// The `section-id` of the section's client URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// The file it was read from, when it was read from a drive's file (a fast export) rather
    /// than page by page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<SectionFile>,
}

/// A section's file in a drive, as a fast export downloaded it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SectionFile {
    /// Its path below the notebook's folder in the drive.
    pub path: String,
    pub drive_id: String,
    pub item_id: String,
    /// The drive's version of the file (`cTag`, else `eTag`) when it was downloaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Lower-case hex SHA-256: how the manifest names a resource's bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
