//! A page's files written behind the runner: while one page's pictures and attachments are
//! hashed and written, its Markdown written and its journal line appended (on a blocking
//! thread), the runner fetches and converts the next page.
//!
//! One page is written at a time, in the runner's order, and the runner waits for it before it
//! starts writing the next page (and before it stops, however it stops): the vault and the
//! journal change in the order they did when each page was written before the next was fetched.
//! What this gains is the overlap, measured in docs/benchmarks.md ("OneNote's files"): with the
//! pages of local files, the runner was idle most of the time, waiting on one small write after
//! another.

use std::io;

use tokio::task::JoinHandle;

use crate::manifest::{ResourceEntry, sha256_hex};
use crate::progress::{Line, ProgressFiles};
use crate::vault::Vault;

/// The most bytes of one page's resources held in memory before they are written: a page with
/// larger attachments has them written as they come, before its Markdown.
pub(crate) const HELD_BYTES: usize = 32 * 1024 * 1024;

/// What finishing one page leaves on disk.
pub(crate) struct PageFiles {
    /// The bytes of each of the line's resources not yet written, in the line's order.
    pub resources: Vec<Option<Vec<u8>>>,
    /// Files of the page's previous export that it no longer has.
    pub removals: Vec<String>,
    /// The page's Markdown and where it goes (none for a page kept or skipped).
    pub markdown: Option<(String, Vec<u8>)>,
    /// The journal line that says the page is finished.
    pub line: Line,
}

impl PageFiles {
    /// A page that leaves nothing but its journal line (kept as it was, or skipped).
    pub fn line_only(line: Line) -> PageFiles {
        PageFiles {
            resources: Vec::new(),
            removals: Vec::new(),
            markdown: None,
            line,
        }
    }

    fn write(mut self, vault: &Vault, journal: &ProgressFiles) -> io::Result<Line> {
        if let Some(entry) = self.line.entry.as_mut() {
            write_resources(vault, &mut entry.resources, &mut self.resources)?;
        }
        for path in &self.removals {
            vault.remove(path)?;
        }
        if let Some((path, bytes)) = &self.markdown {
            vault.write(path, bytes)?;
        }
        journal.append(&self.line)?;
        Ok(self.line)
    }
}

/// Hashes and writes the resources whose bytes are still held (`bytes[n]` for `entries[n]`),
/// and lets go of their bytes.
pub(crate) fn write_resources(
    vault: &Vault,
    entries: &mut [ResourceEntry],
    bytes: &mut [Option<Vec<u8>>],
) -> io::Result<()> {
    for (entry, held) in entries.iter_mut().zip(bytes.iter_mut()) {
        if let Some(bytes) = held.take() {
            entry.sha256 = sha256_hex(&bytes);
            vault.write(&entry.path, &bytes)?;
        }
    }
    Ok(())
}

/// The page being written, if any.
pub(crate) struct WriteBehind {
    vault: Vault,
    journal: ProgressFiles,
    writing: Option<JoinHandle<io::Result<Line>>>,
}

impl WriteBehind {
    pub fn new(vault: Vault, journal: ProgressFiles) -> WriteBehind {
        WriteBehind {
            vault,
            journal,
            writing: None,
        }
    }

    /// Waits until the page being written is on disk and journaled; its line.
    pub async fn settle(&mut self) -> io::Result<Option<Line>> {
        match self.writing.take() {
            Some(writing) => writing.await.map_err(io::Error::other)?.map(Some),
            None => Ok(None),
        }
    }

    /// Starts writing `page` once the page before it is written; the line of the page before.
    pub async fn start(&mut self, page: PageFiles) -> io::Result<Option<Line>> {
        let before = self.settle().await?;
        let (vault, journal) = (self.vault.clone(), self.journal.clone());
        self.writing = Some(tokio::task::spawn_blocking(move || {
            page.write(&vault, &journal)
        }));
        Ok(before)
    }
}
