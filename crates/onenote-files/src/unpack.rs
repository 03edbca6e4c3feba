//! Unpacking a `.onepkg` (a Cabinet archive, what OneNote's File › Export › Notebook writes) or a
//! `.zip` (what OneDrive's Download of a notebook folder gives) into a folder on disk, which is
//! then read as any notebook folder is.
//!
//! Both come from users, so both are hostile: an entry's name never leaves the folder (`..`,
//! absolute paths, drive letters and `:` are refused, `\` is a separator as on Windows, where
//! these archives are made), links are not followed or made, and what is written is counted as
//! it is written (the sizes an archive declares are not trusted). Limits:
//!
//! * [`MAX_ENTRIES`] files: a notebook has tens of sections, a folder of notebooks hundreds;
//! * everything unpacked at most [`MAX_RATIO`] times the archive's size (OneNote's sections
//!   compress to about a half or a third; a hundredfold is a bomb) plus [`RATIO_ALLOWANCE`]
//!   for tiny archives, and never more than [`MAX_UNPACKED`].
//!
//! The parser's own `onepkg` feature unpacks into memory without a limit, which is why it is not
//! used.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The most files one archive may hold.
pub const MAX_ENTRIES: usize = 20_000;
/// How many times its own size an archive may unpack to.
pub const MAX_RATIO: u64 = 50;
/// What any archive may unpack to, whatever its size.
pub const RATIO_ALLOWANCE: u64 = 64 * 1024 * 1024;
/// The most any archive may unpack to.
pub const MAX_UNPACKED: u64 = 32 * 1024 * 1024 * 1024;
/// How deep an entry may lie: notebooks nest section groups a few levels; the parser follows
/// them one inside the other, so thousands of levels would exhaust its stack.
pub const MAX_ENTRY_DEPTH: usize = 32;

/// Why an archive was not unpacked (in words that follow its name).
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("is not a readable {kind} archive: {reason}")]
    Unreadable { kind: &'static str, reason: String },
    #[error("holds more than {MAX_ENTRIES} files")]
    TooManyEntries,
    #[error("unpacks to more than {limit} bytes (a limit of {MAX_RATIO} times its size)")]
    TooLarge { limit: u64 },
    #[error(
        "holds an entry named {0:?}, which would leave the folder it unpacks into or lie deeper \
         than {MAX_ENTRY_DEPTH} folders"
    )]
    UnsafeName(String),
    #[error("could not be unpacked on disk: {0}")]
    Disk(io::Error),
}

/// The limit on what an archive of `size` bytes may unpack to.
pub fn unpacked_limit(size: u64) -> u64 {
    size.saturating_mul(MAX_RATIO)
        .saturating_add(RATIO_ALLOWANCE)
        .min(MAX_UNPACKED)
}

/// Unpacks the `.onepkg` at `archive` into `into`.
pub fn unpack_cab(archive: &Path, into: &Path) -> Result<(), UnpackError> {
    let unreadable = |e: io::Error| UnpackError::Unreadable {
        kind: "Cabinet (.onepkg)",
        reason: e.to_string(),
    };
    let file = File::open(archive).map_err(UnpackError::Disk)?;
    let size = file.metadata().map_err(UnpackError::Disk)?.len();
    let mut cabinet = cab::Cabinet::new(io::BufReader::new(file)).map_err(unreadable)?;
    let names: Vec<String> = cabinet
        .folder_entries()
        .flat_map(|folder| folder.file_entries())
        .map(|entry| entry.name().to_string())
        .take(MAX_ENTRIES + 1)
        .collect();
    if names.len() > MAX_ENTRIES {
        return Err(UnpackError::TooManyEntries);
    }
    let mut budget = unpacked_limit(size);
    let limit = budget;
    for name in names {
        let target = into.join(safe_relative(&name)?);
        let mut reader = cabinet.read_file(&name).map_err(unreadable)?;
        write_bounded(&mut reader, &target, &mut budget, limit)?;
    }
    Ok(())
}

/// Unpacks the `.zip` at `archive` into `into`.
pub fn unpack_zip(archive: &Path, into: &Path) -> Result<(), UnpackError> {
    let unreadable = |e: zip::result::ZipError| UnpackError::Unreadable {
        kind: "zip",
        reason: e.to_string(),
    };
    let file = File::open(archive).map_err(UnpackError::Disk)?;
    let size = file.metadata().map_err(UnpackError::Disk)?.len();
    let mut zip = zip::ZipArchive::new(io::BufReader::new(file)).map_err(unreadable)?;
    if zip.len() > MAX_ENTRIES {
        return Err(UnpackError::TooManyEntries);
    }
    let mut budget = unpacked_limit(size);
    let limit = budget;
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(unreadable)?;
        if entry.is_dir() || entry.is_symlink() {
            continue;
        }
        let name = entry.name().map_err(unreadable)?.into_owned();
        let target = into.join(safe_relative(&name)?);
        write_bounded(&mut entry, &target, &mut budget, limit)?;
    }
    Ok(())
}

/// The path an archive's entry name stands for inside the folder, or why it cannot be one.
pub fn safe_relative(name: &str) -> Result<PathBuf, UnpackError> {
    let unsafe_name = || UnpackError::UnsafeName(name.chars().take(200).collect());
    let mut path = PathBuf::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => continue,
            ".." => return Err(unsafe_name()),
            _ if part.contains([':', '\0']) || part.len() > 255 => return Err(unsafe_name()),
            _ => path.push(part),
        }
    }
    if path.as_os_str().is_empty() || path.components().count() > MAX_ENTRY_DEPTH {
        return Err(unsafe_name());
    }
    Ok(path)
}

/// Copies `reader` into a new file at `target`, spending `budget`.
fn write_bounded(
    reader: &mut dyn Read,
    target: &Path,
    budget: &mut u64,
    limit: u64,
) -> Result<(), UnpackError> {
    if let Some(folder) = target.parent() {
        std::fs::create_dir_all(folder).map_err(UnpackError::Disk)?;
    }
    // `create_new`: two entries of one name, or a name that is already a folder, are refused
    // rather than one silently overwriting the other.
    let mut out = File::options()
        .write(true)
        .create_new(true)
        .open(target)
        .map_err(UnpackError::Disk)?;
    let copied = io::copy(&mut reader.take(*budget + 1), &mut out).map_err(|e| {
        if e.kind() == io::ErrorKind::InvalidData {
            UnpackError::Unreadable {
                kind: "archive",
                reason: e.to_string(),
            }
        } else {
            UnpackError::Disk(e)
        }
    })?;
    if copied > *budget {
        return Err(UnpackError::TooLarge { limit });
    }
    *budget -= copied;
    out.flush().map_err(UnpackError::Disk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside() {
        assert_eq!(
            safe_relative("Notebook\\Group/Section.one").unwrap(),
            PathBuf::from("Notebook/Group/Section.one")
        );
        let deep = "a/".repeat(MAX_ENTRY_DEPTH) + "x.one";
        for name in [
            "../x.one",
            "a/../../x",
            "C:\\x.one",
            "",
            "/",
            "a\0b",
            deep.as_str(),
        ] {
            assert!(safe_relative(name).is_err(), "{name:?}");
        }
        // A leading slash is not a way out: the name is taken inside the folder.
        assert_eq!(safe_relative("/etc/x").unwrap(), PathBuf::from("etc/x"));
    }

    #[test]
    fn the_limit_grows_with_the_archive_but_not_without_end() {
        assert_eq!(unpacked_limit(0), RATIO_ALLOWANCE);
        assert_eq!(unpacked_limit(1000), 1000 * MAX_RATIO + RATIO_ALLOWANCE);
        assert_eq!(unpacked_limit(u64::MAX), MAX_UNPACKED);
    }
}
