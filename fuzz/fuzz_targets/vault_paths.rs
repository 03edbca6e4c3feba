//! Fuzzes the export's path registry (`export::paths::VaultPaths`) with hostile names: folders,
//! pages and files claimed in any order under any folder it gave, and kept paths of an "earlier
//! export" made of the same bytes. Whatever the names, nothing panics, and every path handed out
//! is unique as the strictest file system compares (NFC, case-folded), no file stands where a
//! folder is or above anything, every name is valid on Linux, macOS and Windows, and every path
//! stays within `MAX_PATH_UNITS`.

#![no_main]

use std::collections::HashSet;

use export::paths::{CONTENT_ROOM, Kind, MAX_PATH_UNITS, VaultPaths, valid_everywhere};
use unicode_normalization::UnicodeNormalization;

fn fold(path: &str) -> String {
    path.nfc().flat_map(char::to_lowercase).collect()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut paths = VaultPaths::new();
    let mut folders = vec![String::new()];
    let mut files: Vec<String> = Vec::new();
    let mut rest = data;
    while rest.len() >= 3 {
        let (op, parent, len) = (rest[0] % 4, rest[1] as usize, rest[2] as usize % 64);
        rest = &rest[3..];
        let take = len.min(rest.len());
        let name = String::from_utf8_lossy(&rest[..take]).into_owned();
        rest = &rest[take..];
        let parent = folders[parent % folders.len()].clone();
        match op {
            0 => {
                if let Some(folder) = paths.folder(&parent, &name, CONTENT_ROOM) {
                    folders.push(folder);
                }
            }
            1 => {
                let page = paths.page(&parent, &name);
                files.push(page.file);
                if page.children != parent {
                    folders.push(page.children);
                }
            }
            2 => {
                let (stem, ext) = match name.rsplit_once('.') {
                    Some((stem, ext)) => (stem, Some(ext)),
                    None => (name.as_str(), None),
                };
                files.push(paths.file(&parent, stem, ext));
            }
            _ => {
                // A kept path is taken only if it breaks no rule; then it counts like the rest.
                let kept = if parent.is_empty() { name.clone() } else { format!("{parent}/{name}") };
                if paths.keep(&kept, Kind::File) {
                    files.push(kept);
                }
            }
        }
    }
    let file_keys: HashSet<String> = files.iter().map(|f| fold(f)).collect();
    assert_eq!(file_keys.len(), files.len(), "two files share a path: {files:?}");
    for folder in folders.iter().filter(|f| !f.is_empty()) {
        assert!(!file_keys.contains(&fold(folder)), "{folder:?} is a file and a folder");
    }
    for path in files.iter().chain(folders.iter().filter(|f| !f.is_empty())) {
        let parts: Vec<&str> = path.split('/').collect();
        for end in 1..parts.len() {
            assert!(
                !file_keys.contains(&fold(&parts[..end].join("/"))),
                "{path:?} is below a file"
            );
        }
        for part in &parts {
            assert!(valid_everywhere(part), "{part:?} in {path:?}");
        }
        assert!(path.encode_utf16().count() <= MAX_PATH_UNITS, "{path:?} is too long");
    }
});
