//! The vault as one zip, written as a stream: each file is read from disk and deflated into the
//! archive in turn, so memory holds one buffer, never the archive or a whole file. The zip is
//! written beside its final name and renamed into place when complete, so a download never
//! meets half an archive.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

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

/// Writes the zip of everything under `root` to `target`; returns its size in bytes.
pub fn write(root: &Path, target: &Path) -> Result<u64, zip::result::ZipError> {
    let partial: PathBuf = target.with_extension("zip.part");
    let mut writer = zip::ZipWriter::new(BufWriter::new(fs::File::create(&partial)?));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    for path in files(root)? {
        let mut file = fs::File::open(path.split('/').fold(root.to_path_buf(), |p, s| p.join(s)))?;
        let big = file.metadata()?.len() >= u64::from(u32::MAX);
        writer.start_file(path.as_str(), options.large_file(big))?;
        std::io::copy(&mut file, &mut writer)?;
    }
    let out = writer.finish()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    fs::rename(&partial, target)?;
    Ok(fs::metadata(target)?.len())
}
