//! Running an upload's export (see `upload`): the uploaded OneNote files are read and the vault
//! written on a blocking thread (parsing is work for the CPU, not for the async threads that
//! serve pages), by the export's own runner; the uploaded files are deleted when the run ends.

use std::path::PathBuf;
use std::sync::Arc;

use export::{Halt, JobFolder, Observer};
use onenote_files::ReadOptions;

use super::Exports;

/// The folder inside a job's folder that holds its uploaded files: packages and zips by their
/// own names (each becomes a notebook named after it, as `graphnote convert` names it), and
/// sections in [`SECTIONS`] (they form one notebook).
pub const UPLOADS: &str = "uploads";
/// The folder uploaded `.one` sections are kept in, and the notebook they form.
pub const SECTIONS: &str = "Uploaded sections";
/// The folder packages and zips are unpacked in while the job runs.
pub const UNPACKED: &str = "unpacked";

/// Runs an upload's export: the files are read and the vault written on a blocking thread
/// (parsing is work for the CPU, not the async threads that serve pages). The uploaded files
/// are deleted when the run ends, unless another instance took the job over.
pub async fn run(
    exports: &Exports,
    id: &str,
    observer: Arc<dyn Observer>,
) -> Result<export::Finished, Halt> {
    let root = exports.folder(id);
    let handle = tokio::runtime::Handle::current();
    let (uploads, work) = (root.join(UPLOADS), root.join(UNPACKED));
    let result = tokio::task::spawn_blocking(move || {
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work)
            .map_err(|e| Halt::Failed(format!("cannot prepare the files: {e}")))?;
        // Each package or zip by its own name, and the sections' folder.
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(&uploads)
            .map_err(|e| Halt::Failed(format!("the uploaded files are not there any more: {e}")))?
            .filter_map(|entry| Some(entry.ok()?.path()))
            .collect();
        inputs.sort();
        onenote_files::convert(
            &inputs,
            &work,
            ReadOptions::default(),
            &JobFolder::new(&root),
            observer.as_ref(),
            &handle,
        )
    })
    .await
    .unwrap_or_else(|e| {
        std::panic::resume_unwind(e.try_into_panic().unwrap_or_else(|_| Box::new("cancelled")))
    });
    if !matches!(result, Err(Halt::LeaseLost)) {
        let root = exports.folder(id);
        let _ = tokio::task::spawn_blocking(move || {
            let _ = std::fs::remove_dir_all(root.join(UPLOADS));
            let _ = std::fs::remove_dir_all(root.join(UNPACKED));
        })
        .await;
    }
    result
}
