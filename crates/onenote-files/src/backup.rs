//! OneNote's automatic backups: a folder holding dated copies of each section, named
//! `Section.one (On 3-14-2025).one`. From such copies the newest of each section is read, and
//! the report says which copy was taken and how many were left out.
//!
//! The date in the name is in the format of the machine that made it: `Y-M-D` when it starts
//! with the year, otherwise month first (OneNote's English format); copies whose dates tie or
//! cannot be read are ordered by the file's modification time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A date as (year, month, day).
type Date = (u32, u32, u32);

/// A section's copy: its date from the name, its modification time, its path, its label.
type Copy<'a> = (Option<Date>, SystemTime, &'a Path, String);

/// A section file chosen to be read, with its section's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCopy {
    pub path: PathBuf,
    pub name: String,
}

/// Of `files`, the newest copy of each section (files that are not dated copies are their own
/// section), in name order; and a note for each section whose older copies were left out.
pub fn newest_copies(files: &[PathBuf]) -> (Vec<BackupCopy>, Vec<String>) {
    let mut by_section: BTreeMap<String, Vec<Copy<'_>>> = BTreeMap::new();
    for path in files {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (section, date, label) = match dated_copy(&file) {
            Some((section, date, label)) => (section, date, label),
            None => (
                file.strip_suffix(".one").unwrap_or(&file).to_string(),
                None,
                String::new(),
            ),
        };
        let modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        by_section
            .entry(section)
            .or_default()
            .push((date, modified, path.as_path(), label));
    }
    let mut chosen = Vec::new();
    let mut notes = Vec::new();
    for (section, mut copies) in by_section {
        copies.sort_by_key(|copy| (copy.0, copy.1));
        let Some((_, _, path, label)) = copies.pop() else {
            continue;
        };
        if !copies.is_empty() {
            notes.push(format!(
                "{section}: the newest backup copy was read ({}), {} older {} left out",
                if label.is_empty() { "undated" } else { &label },
                copies.len(),
                if copies.len() == 1 { "copy" } else { "copies" }
            ));
        }
        chosen.push(BackupCopy {
            path: path.to_path_buf(),
            name: section,
        });
    }
    (chosen, notes)
}

/// `Section.one (On 3-14-2025).one` → (`Section`, its date as (year, month, day), `On 3-14-2025`).
fn dated_copy(file: &str) -> Option<(String, Option<Date>, String)> {
    let rest = file.strip_suffix(".one")?.strip_suffix(')')?;
    let open = rest.rfind(" (")?;
    let label = &rest[open + 2..];
    let date = label.split_once(' ')?.1;
    let section = rest[..open].strip_suffix(".one").unwrap_or(&rest[..open]);
    let numbers: Vec<u32> = date
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let parsed = match (
        numbers.as_slice(),
        date.split(|c: char| !c.is_ascii_digit()).next(),
    ) {
        ([y, m, d], Some(first)) if first.len() == 4 => Some((*y, *m, *d)),
        ([m, d, y], _) => Some((*y, *m, *d)),
        _ => None,
    };
    Some((section.to_string(), parsed, label.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_copies_are_recognised() {
        assert_eq!(
            dated_copy("Notes.one (On 3-14-2025).one"),
            Some(("Notes".into(), Some((2025, 3, 14)), "On 3-14-2025".into()))
        );
        assert_eq!(
            dated_copy("Notes.one (On 2025-03-14).one"),
            Some(("Notes".into(), Some((2025, 3, 14)), "On 2025-03-14".into()))
        );
        assert_eq!(dated_copy("Notes.one"), None);
    }

    #[test]
    fn the_newest_copy_of_each_section_is_taken() {
        let files: Vec<PathBuf> = [
            "b/Notes.one (On 1-2-2025).one",
            "b/Notes.one (On 12-1-2024).one",
            "b/Notes.one (On 1-10-2025).one",
            "b/Ideas.one",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let (chosen, notes) = newest_copies(&files);
        assert_eq!(
            chosen,
            vec![
                BackupCopy {
                    path: "b/Ideas.one".into(),
                    name: "Ideas".into()
                },
                BackupCopy {
                    path: "b/Notes.one (On 1-10-2025).one".into(),
                    name: "Notes".into()
                },
            ]
        );
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("On 1-10-2025") && notes[0].contains("2 older copies"));
    }
}
