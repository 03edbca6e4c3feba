//! A job's folder on disk: `vault/` (what the zip holds), `progress/` (see [`crate::progress`])
//! and `export.zip` — or, for `graphnote convert`, a vault where the user asked for it, its
//! progress in a working folder, and no zip.

use std::path::{Path, PathBuf};

use crate::progress::ProgressFiles;
use crate::scope::Scope;
use crate::vault::Vault;

/// The job's folder.
#[derive(Debug, Clone)]
pub struct JobFolder {
    vault: PathBuf,
    progress: PathBuf,
    archive: PathBuf,
    /// Whether a run ends by writing the zip.
    zipped: bool,
    /// Whether files are synced as they are written (see `Vault::unsynced`).
    synced: bool,
}

impl JobFolder {
    /// An export job's folder: `root/vault`, `root/progress`, `root/export.zip`.
    pub fn new(root: &Path) -> JobFolder {
        JobFolder {
            vault: root.join("vault"),
            progress: root.join("progress"),
            archive: root.join("export.zip"),
            zipped: true,
            synced: true,
        }
    }

    /// A vault written straight into `vault`, its progress kept in `work`, no zip, and nothing
    /// synced page by page (`graphnote convert`: if it stops, it is run again).
    pub fn unzipped(vault: &Path, work: &Path) -> JobFolder {
        JobFolder {
            vault: vault.to_path_buf(),
            progress: work.join("progress"),
            archive: work.join("export.zip"),
            zipped: false,
            synced: false,
        }
    }

    pub fn vault(&self) -> Vault {
        match self.synced {
            true => Vault::new(self.vault.clone()),
            false => Vault::unsynced(self.vault.clone()),
        }
    }

    /// Where the zip goes.
    pub fn archive(&self) -> PathBuf {
        self.archive.clone()
    }

    /// Whether a run writes the zip (an export job's folder does; `graphnote convert`'s not).
    pub fn zipped(&self) -> bool {
        self.zipped
    }

    pub fn progress(&self) -> ProgressFiles {
        match self.synced {
            true => ProgressFiles::new(self.progress.clone()),
            false => ProgressFiles::unsynced(self.progress.clone()),
        }
    }

    /// The name of what `scope` covers, once a run has listed it (reads a file: call it off
    /// the async runtime's threads when the listing is big).
    pub fn label(&self, scope: &Scope) -> Option<String> {
        self.progress()
            .listing()
            .map(|listing| scope.label(&listing.trees))
    }

    /// Forgets the last run's progress, keeping the vault: the next run is an update.
    pub fn start_update(&self) -> std::io::Result<()> {
        self.progress().clear()
    }
}
