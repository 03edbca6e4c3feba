//! One `.one` section file: read once for its listing (name, identity, each page's title,
//! dates, level and link id) and let go, then read again, whole, when its pages are written.
//! Keeping every parsed section for the whole conversion would keep every file's bytes in
//! memory (the parser holds a OneDrive-packaged file whole); this way one section at a time
//! is, and listings are made on every core.

use std::path::{Path, PathBuf};

use onenote_parser::Parser;
use onenote_parser::errors::ErrorKind;
use onenote_parser::section::Section;

use crate::contained::quietly;

/// A section as listed.
#[derive(Debug, Clone)]
pub struct SectionFile {
    pub path: PathBuf,
    pub name: String,
    /// The identity in the file's header (a GUID, lower case).
    pub identity: String,
    pub pages: Vec<PageListing>,
    /// What the parser warned about, with the page it concerns.
    pub warnings: Vec<String>,
}

/// A page as listed.
#[derive(Debug, Clone)]
pub struct PageListing {
    pub title: Option<String>,
    pub created: time::UtcDateTime,
    pub modified: time::UtcDateTime,
    pub level: i32,
    pub author: Option<String>,
    /// The page's GUID, as links to it name it.
    pub link_target_id: String,
}

/// What the report says of a password-protected section: OneNote encrypts its pages, and
/// graphnote never asks for or guesses a password.
pub const PASSWORD_PROTECTED: &str = "the section is password-protected (OneNote encrypts its \
    pages): remove the password in OneNote (Review › Password), then convert it again";

/// Reads the section at `path` whole; the reason when it cannot be read.
pub fn parse(path: &Path) -> Result<Section, String> {
    quietly(|| Parser::new().parse_section(typed(path).to_path()))?.map_err(|e| {
        let reason = e.to_string();
        if reason == ErrorKind::PasswordProtected.to_string() {
            PASSWORD_PROTECTED.to_string()
        } else {
            reason
        }
    })
}

/// Lists the section at `path`.
pub fn list(path: &Path) -> Result<SectionFile, String> {
    let section = parse(path)?;
    let pages = section
        .page_series()
        .iter()
        .flat_map(|series| series.pages())
        .map(|page| PageListing {
            title: page.title_text().map(str::to_string),
            created: page.created_time(),
            modified: page.updated_time(),
            level: page.level(),
            author: page
                .author()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string),
            link_target_id: page.link_target_id().to_string(),
        })
        .collect();
    let warnings = section
        .report()
        .warnings()
        .iter()
        .map(|warning| match warning.page() {
            Some((_, title)) => format!("page “{title}”: {}", warning.message()),
            None => warning.message().to_string(),
        })
        .collect();
    Ok(SectionFile {
        path: path.to_path_buf(),
        name: section.display_name().to_string(),
        identity: section.file_identity().to_string(),
        pages,
        warnings,
    })
}

/// Lists every section of `paths`, on every core, in the order given.
pub fn list_all(paths: &[PathBuf]) -> Vec<Result<SectionFile, String>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Result<SectionFile, String>>> = vec![None; paths.len()];
    let slots = std::sync::Mutex::new(&mut results);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(path) = paths.get(n) else {
                        break;
                    };
                    let listed = list(path);
                    slots.lock().unwrap_or_else(|e| e.into_inner())[n] = Some(listed);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not read".into())))
        .collect()
}

pub(crate) fn typed(path: &Path) -> typed_path::TypedPathBuf {
    use std::os::unix::ffi::OsStrExt;
    typed_path::TypedPath::unix(path.as_os_str().as_bytes()).to_path_buf()
}
