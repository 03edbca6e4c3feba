//! Full-text search for `search_pages`, over the user's most recent finished export: OneNote
//! itself no longer searches page text through Graph (`$search` was retired in 2024), and
//! reading every page to search it would spend hours of OneNote's 400 calls an hour.
//!
//! The search reads the vault's Markdown pages as they are on disk, each page's text once per
//! search, and stops at a bound on bytes read. A vault of a few thousand pages is tens of
//! megabytes, read in well under a second, so an index (tantivy, considered) would add a
//! second copy of every vault to keep in step with updates, deletions and retention, for no
//! difference a user would notice at this size. Matching is every word, in any letter case.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;

use crate::exports::Exports;
use crate::exports::job::{Job, JobState};

/// The most a search reads of a vault.
const MAX_BYTES_READ: u64 = 512 * 1024 * 1024;
/// The largest page file read (larger ones are pages of mostly inline images).
const MAX_PAGE_BYTES: u64 = 16 * 1024 * 1024;
/// How much text a match shows around the first word found.
const SNIPPET_CHARS: usize = 160;

/// A page whose text holds every word (as `search_pages` answers it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TextMatch {
    pub id: String,
    pub title: String,
    /// The page's file in the vault (`Notebook/Section/Page.md`).
    pub path: String,
    /// Text around the first word found, on one line.
    pub snippet: String,
}

/// The user's most recent finished export of their OneNote through Graph (not of uploaded
/// files, whose pages have no OneNote id), whose vault is still on disk.
pub async fn latest_export(exports: &Exports, owner: &str) -> Option<(Job, PathBuf)> {
    let jobs = exports.store.owned_by(owner).await.ok()?;
    jobs.into_iter()
        .filter(|job| job.state == JobState::Done && job.scope != export::Scope::Files)
        .filter_map(|job| {
            let folder = export::JobFolder::new(&exports.folder(&job.id));
            let vault = folder.vault().root().to_path_buf();
            vault.is_dir().then_some((job, vault))
        })
        .max_by_key(|(job, _)| job.finished.unwrap_or(0))
}

/// Up to `limit` pages of the vault at `root` whose text holds every one of `words`, in the
/// vault's order (notebooks, sections, pages by name). Reads files: call it off the async
/// runtime's threads.
pub fn in_vault(root: &Path, words: &[String], limit: usize) -> Vec<TextMatch> {
    let words: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut found = Vec::new();
    let mut budget = MAX_BYTES_READ;
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        // Reverse order on the stack gives name order when popped.
        entries.sort_by_key(|e| std::cmp::Reverse(e.file_name()));
        for entry in entries {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            if kind.is_dir() {
                // The export's own records and the files pages link to hold no page text.
                if name != "_export" && name != "resources" {
                    folders.push(path);
                }
                continue;
            }
            if !kind.is_file() || path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let size = entry.metadata().map_or(u64::MAX, |m| m.len());
            if size > MAX_PAGE_BYTES || size > budget {
                continue;
            }
            budget -= size;
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Some(found_here) = matched(root, &path, &text, &words) {
                found.push(found_here);
                if found.len() >= limit {
                    return found;
                }
            }
            if budget == 0 {
                return found;
            }
        }
    }
    found
}

/// The page in `text` (a vault file at `path`) if it is a page and holds every word.
fn matched(root: &Path, path: &Path, text: &str, words: &[String]) -> Option<TextMatch> {
    let front = text.strip_prefix("---\n")?;
    let (front, body) = front.split_once("\n---\n")?;
    // Index pages have no OneNote id: they are the vault's, not OneNote's.
    let id = field(front, "onenote_id")?;
    let lower = body.to_lowercase();
    if !words.iter().all(|w| lower.contains(w.as_str())) {
        return None;
    }
    let first = words.iter().filter_map(|w| lower.find(w.as_str())).min()?;
    Some(TextMatch {
        id,
        title: field(front, "title").unwrap_or_default(),
        path: path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned(),
        snippet: snippet(&lower, body, first),
    })
}

/// A front matter field's value: the converter writes `key: "value"` with JSON's escapes.
fn field(front: &str, key: &str) -> Option<String> {
    let line = front
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))?;
    serde_json::from_str(line).ok()
}

/// About [`SNIPPET_CHARS`] characters of `body` around byte `at` of its lowercase copy, on one
/// line. (Lowercasing can change byte lengths, so the place is found again by characters.)
fn snippet(lower: &str, body: &str, at: usize) -> String {
    let chars_before = lower[..at].chars().count();
    let start = chars_before.saturating_sub(SNIPPET_CHARS / 3);
    let text: String = body
        .chars()
        .skip(start)
        .take(SNIPPET_CHARS)
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if start > 0 {
        format!("…{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(dir: &Path, path: &str, title: &str, id: Option<&str>, body: &str) {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let mut text = format!("---\ntitle: {}\n", serde_json::to_string(title).unwrap());
        if let Some(id) = id {
            text.push_str(&format!("onenote_id: \"{id}\"\n"));
        }
        text.push_str(&format!("---\n\n{body}\n"));
        std::fs::write(file, text).unwrap();
    }

    #[test]
    fn every_word_in_any_case_finds_the_pages_that_hold_them_all() {
        let dir = std::env::temp_dir().join(format!("gn-search-{}", crate::exports::random_id()));
        page(
            &dir,
            "Nb/Sec/A.md",
            "Garden \"plan\"",
            Some("1-a"),
            "Tomatoes need SUN.",
        );
        page(&dir, "Nb/Sec/B.md", "Other", Some("1-b"), "tomatoes only");
        page(&dir, "Nb/Sec/index.md", "Sec", None, "tomatoes and sun");
        page(
            &dir,
            "Nb/Sec/resources/x.md",
            "x",
            Some("1-x"),
            "tomatoes sun",
        );
        page(
            &dir,
            "Nb/_export/report.md",
            "r",
            Some("1-r"),
            "tomatoes sun",
        );
        let found = in_vault(&dir, &["tomatoes".into(), "Sun".into()], 10);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, "1-a");
        assert_eq!(found[0].title, "Garden \"plan\"");
        assert_eq!(found[0].path, "Nb/Sec/A.md");
        assert_eq!(found[0].snippet, "Tomatoes need SUN.");
        assert_eq!(
            in_vault(&dir, &["tomatoes".into()], 1).len(),
            1,
            "the limit"
        );
        assert!(
            in_vault(&dir, &["garden".into()], 10).is_empty(),
            "titles are not text"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_snippet_starts_near_the_word_whatever_the_case_mapping() {
        let body = format!("{}İstanbul and the word here", "x ".repeat(200));
        let lower = body.to_lowercase();
        let at = lower.find("word").unwrap();
        let shown = snippet(&lower, &body, at);
        assert!(
            shown.starts_with('…') && shown.contains("word here"),
            "{shown}"
        );
    }
}
