//! The vault as one zip, written as a stream: each file is read from disk and deflated into the
//! archive in turn, so memory holds one buffer, never the archive or a whole file. The zip is
//! written beside its final name and renamed into place when complete, so a download never
//! meets half an archive. Each entry is dated when its page last changed in OneNote (a page's
//! files with their page), so a vault sorts by date in Obsidian or a file manager; the date is
//! in the entry's header (DOS time, UTC) and in its extended timestamp, which unzip tools use to
//! set the file's time exactly.

use std::collections::HashMap;
use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::manifest::Manifest;

/// When each file of a vault last changed (Unix seconds), for its zip entry.
#[derive(Debug, Clone, Default)]
pub struct Dates {
    by_path: HashMap<String, i64>,
    /// For files no page dates (index pages, `_export/`): when the archive is written.
    otherwise: i64,
}

impl Dates {
    /// Each page's `lastModifiedDateTime` for the page and its files.
    pub fn of(manifest: &Manifest) -> Dates {
        let mut by_path = HashMap::new();
        for page in manifest.pages.values() {
            let Some(at) = page.modified.as_deref().and_then(unix_seconds) else {
                continue;
            };
            by_path.insert(page.path.clone(), at);
            for resource in &page.resources {
                by_path.insert(resource.path.clone(), at);
            }
        }
        let otherwise = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Dates { by_path, otherwise }
    }

    fn of_path(&self, path: &str) -> i64 {
        self.by_path.get(path).copied().unwrap_or(self.otherwise)
    }
}

/// An RFC 3339 time (as Graph writes them) in Unix seconds.
fn unix_seconds(text: &str) -> Option<i64> {
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339);
    Some(at.ok()?.unix_timestamp())
}

/// `at` as the zip header's DOS time (UTC; DOS time has no zone), clamped to what it can hold.
fn dos_time(at: i64) -> zip::DateTime {
    let at =
        time::OffsetDateTime::from_unix_timestamp(at).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    zip::DateTime::from_date_and_time(
        at.year().clamp(1980, 2107) as u16,
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    )
    .unwrap_or_default()
}

/// The size of every file under `root` (temporary files left out), in bytes.
pub fn size(root: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for path in files(root)? {
        total += fs::metadata(path.split('/').fold(root.to_path_buf(), |p, s| p.join(s)))?.len();
    }
    Ok(total)
}

/// Every file under `root`, as `/`-separated paths relative to it, sorted. Temporary files
/// (`.name.part`) are left out.
pub fn files(root: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut folders = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = folders.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry.file_type()?;
            if kind.is_dir() {
                folders.push((entry.path(), path));
            } else if kind.is_file() && !(name.starts_with('.') && name.ends_with(".part")) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes the zip of everything under `root` to `target`, dated by `dates`; returns its size in
/// bytes.
pub fn write(root: &Path, target: &Path, dates: &Dates) -> Result<u64, zip::result::ZipError> {
    let partial: PathBuf = target.with_extension("zip.part");
    let mut writer = zip::ZipWriter::new(BufWriter::new(fs::File::create(&partial)?));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    for path in files(root)? {
        let mut file = fs::File::open(path.split('/').fold(root.to_path_buf(), |p, s| p.join(s)))?;
        let big = file.metadata()?.len() >= u64::from(u32::MAX);
        let at = dates.of_path(&path);
        let dated = options
            .large_file(big)
            .last_modified_time(dos_time(at))
            .with_extended_timestamp(u32::try_from(at).ok(), None, None)?;
        writer.start_file(path.as_str(), dated)?;
        std::io::copy(&mut file, &mut writer)?;
    }
    let out = writer.finish()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    fs::rename(&partial, target)?;
    Ok(fs::metadata(target)?.len())
}
