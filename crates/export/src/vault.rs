//! The vault on disk, under the job's folder: files written whole or not at all (a temporary file
//! renamed into place, so a crash never leaves half a page that a resume would take for done),
//! files removed (pages deleted in OneNote), and the `index.md` pages.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::layout::Plan;
use crate::links::relative;

/// The vault's root folder.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
    /// Whether each file is on the disk before `write` returns (an export job's vault: its
    /// journal says the page is done). `graphnote convert` writes without: run again, it
    /// converts again, and a thousand fsyncs are most of its time.
    synced: bool,
}

impl Vault {
    pub fn new(root: PathBuf) -> Vault {
        Vault { root, synced: true }
    }

    /// A vault whose files are left to the system to write out.
    pub fn unsynced(root: PathBuf) -> Vault {
        Vault {
            root,
            synced: false,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file at `path` (relative to the root, `/`-separated, made by [`crate::layout`]).
    pub fn file(&self, path: &str) -> PathBuf {
        path.split('/').fold(self.root.clone(), |p, s| p.join(s))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.file(path).is_file()
    }

    /// Writes `bytes` at `path`, replacing what was there.
    pub fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.file(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        let temporary = target.with_file_name(format!(
            ".{}.part",
            target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("file")
        ));
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        if self.synced {
            file.sync_data()?;
        }
        fs::rename(&temporary, &target)
    }

    pub fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        fs::read(self.file(path))
    }

    /// Removes the file at `path`, and the folders it leaves empty up to the root.
    pub fn remove(&self, path: &str) -> std::io::Result<()> {
        let target = self.file(path);
        match fs::remove_file(&target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut dir = target.parent();
        while let Some(d) = dir {
            if d == self.root || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }
}

/// The `index.md` of every section and notebook: their pages in OneNote's order (subpages
/// indented under their parent), as `(path, text)`.
pub fn index_pages(plan: &Plan) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for notebook in &plan.notebooks {
        let index = notebook.index.clone();
        let mut text = format!("# {}\n", markdown_text(&notebook.name));
        for id in &notebook.sections {
            let Some(section) = plan.section(id) else {
                continue;
            };
            let mut title = section.groups.clone();
            title.push(section.name.clone());
            text.push_str(&format!("\n## {}\n\n", markdown_text(&title.join(" › "))));
            let pages = page_list(plan, id, &index);
            text.push_str(if pages.is_empty() {
                "*(no pages)*\n"
            } else {
                &pages
            });
        }
        out.push((index, text));
    }
    for section in &plan.sections {
        let index = section.index.clone();
        let pages = page_list(plan, &section.id, &index);
        let pages = if pages.is_empty() {
            "*(no pages)*\n".to_string()
        } else {
            pages
        };
        out.push((
            index,
            format!("# {}\n\n{pages}", markdown_text(&section.name)),
        ));
    }
    out
}

/// `- [Title](path)` for each page of `section`, linked from the file `from`.
fn page_list(plan: &Plan, section: &str, from: &str) -> String {
    plan.pages
        .iter()
        .filter(|p| p.section == section)
        .map(|p| {
            let title = if p.title.trim().is_empty() {
                "Untitled page"
            } else {
                &p.title
            };
            format!(
                "{}- [{}](<{}>)\n",
                "  ".repeat(p.level.max(0) as usize),
                markdown_text(title),
                relative(from, &p.path).replace('>', "%3E")
            )
        })
        .collect()
}

/// Text that reads as itself in Markdown (link text, headings).
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '$' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}
