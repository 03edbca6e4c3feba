//! `graphnote convert PATH… --out DIR` for OneNote's own files: `.one` sections, a notebook
//! folder (its `.onetoc2`), a `.onepkg`, a `.zip` of a notebook folder, or a folder of any of
//! these. The files are read ([`onenote_files::read`]) and written by the export's runner as
//! the same vault a Graph export gives: `DIR/Notebook/Section group/Section/Page.md`, each
//! section's files in `resources/`, `index.md` pages, `_export/manifest.json` and
//! `_export/report.md`. Converting into a folder that already holds such a vault updates it.
//!
//! Exit status: 0 when everything converted; 1 when something was skipped (one line here, the
//! details in the report); 2 for bad usage or when nothing could be read.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use export::{Halt, JobFolder, Observer, Status};
use onenote_files::ReadOptions;

/// How `convert` reads OneNote files.
pub struct FileArgs<'a> {
    pub inputs: &'a [PathBuf],
    pub out: Option<&'a Path>,
    pub include_deleted: bool,
}

/// Whether `inputs` are OneNote's files rather than saved page HTML: any of them is a OneNote
/// file, or a folder without `.html` pages that holds one (within a few levels).
pub fn applies(inputs: &[PathBuf]) -> bool {
    inputs.iter().any(|input| {
        if input.is_dir() {
            !has_files(input, |p| has_extension(p, "html"), 0)
                && has_files(input, onenote_files::is_onenote_path, 3)
        } else {
            onenote_files::is_onenote_path(input)
        }
    })
}

/// Whether `folder`, or a folder in it down to `depth` levels, holds a file `wanted` takes.
fn has_files(folder: &Path, wanted: fn(&Path) -> bool, depth: usize) -> bool {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            depth > 0 && has_files(&path, wanted, depth - 1)
        } else {
            wanted(&path)
        }
    })
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case(extension))
}

pub async fn run(args: FileArgs<'_>) -> ExitCode {
    match convert(&args).await {
        Ok(status) if status.skipped.is_empty() => ExitCode::SUCCESS,
        Ok(status) => {
            let out = args.out.map(show).unwrap_or_default();
            let first = &status.skipped[0];
            eprintln!(
                "graphnote convert: {} skipped ({} {}: {}{}); see {out}/{}",
                status.skipped.len(),
                first.kind,
                first.name,
                first.reason,
                if status.skipped.len() > 1 {
                    ", …"
                } else {
                    ""
                },
                export::REPORT_PATH
            );
            ExitCode::from(1)
        }
        Err(message) => {
            eprintln!("graphnote convert: {message}");
            ExitCode::from(2)
        }
    }
}

async fn convert(args: &FileArgs<'_>) -> Result<Status, String> {
    let out = args
        .out
        .ok_or("give --out DIR to convert OneNote files (they become a folder of Markdown)")?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: cannot be written: {e}", show(out)))?;
    let work = WorkFolder::new(out)?;
    let options = ReadOptions {
        include_deleted: args.include_deleted,
    };
    let (inputs, vault, scratch) = (args.inputs.to_vec(), out.to_path_buf(), work.0.clone());
    let runtime = tokio::runtime::Handle::current();
    // Reading parses every section: off the runtime's threads.
    let finished = tokio::task::spawn_blocking(move || {
        let observer = Bar::new();
        let folder = JobFolder::unzipped(&vault, &scratch);
        let finished =
            onenote_files::convert(&inputs, &scratch, options, &folder, &observer, &runtime);
        observer.done();
        finished
    })
    .await
    .map_err(|e| format!("stopped: {e}"))?;
    match finished {
        Ok(finished) => Ok(finished.status),
        Err(Halt::Failed(why) | Halt::NeedsOwner(why)) => Err(why),
        Err(Halt::Cancelled | Halt::LeaseLost) => Err("stopped".into()),
    }
}

/// A folder for unpacked archives and the run's progress, inside the output (on the disk the
/// user chose for the result) and removed at the end, whatever happens.
struct WorkFolder(PathBuf);

impl WorkFolder {
    fn new(out: &Path) -> Result<WorkFolder, String> {
        let path = out.join(format!(".graphnote-convert-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("{}: cannot be written: {e}", show(out)))?;
        Ok(WorkFolder(path))
    }
}

impl Drop for WorkFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Progress on standard error when it is a terminal: pages, sections' worth of bytes written.
struct Bar {
    terminal: bool,
    last: Mutex<Option<Instant>>,
}

impl Bar {
    fn new() -> Bar {
        Bar {
            terminal: std::io::stderr().is_terminal(),
            last: Mutex::new(None),
        }
    }

    fn done(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

impl Observer for Bar {
    fn progress(&self, status: &Status) {
        if !self.terminal {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        *last = Some(Instant::now());
        let total = status.pages_total as usize;
        let width = 30;
        let filled = (status.pages_done as usize * width)
            .checked_div(total)
            .unwrap_or(0);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {}/{} pages, {} resources, {:.1} MB  ",
            "#".repeat(filled.min(width)),
            " ".repeat(width - filled.min(width)),
            status.pages_done,
            total,
            status.resources_done,
            status.bytes as f64 / 1e6
        );
        let _ = err.flush();
    }

    fn stop(&self) -> Option<Halt> {
        None
    }
}

fn show(path: &Path) -> String {
    path.display().to_string()
}
