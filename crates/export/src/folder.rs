//! A job's folder on disk: `vault/` (what the zip holds), `progress/` (see [`crate::progress`])
//! and `export.zip`.

use std::path::PathBuf;

use crate::progress::ProgressFiles;
use crate::scope::Scope;
use crate::vault::Vault;

/// The job's folder.
#[derive(Debug, Clone)]
pub struct JobFolder(pub PathBuf);

impl JobFolder {
    pub fn vault(&self) -> Vault {
        Vault::new(self.0.join("vault"))
    }

    pub fn archive(&self) -> PathBuf {
        self.0.join("export.zip")
    }

    pub fn progress(&self) -> ProgressFiles {
        ProgressFiles::new(self.0.join("progress"))
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
