//! OneNote files to a vault in one call, for `graphnote convert` and the web app's upload job
//! alike: the files are read ([`crate::read`]) and the export's runner writes them
//! ([`crate::FileSource`]). Reading parses every section, so this runs on a thread that may
//! block, and drives the runner on `runtime`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use export::{Finished, Halt, JobFolder, Observer, Patience, Scope};

use crate::reading::{ReadOptions, read};
use crate::source::FileSource;

/// A file either reads or it does not: trying again changes nothing.
const ONCE: Patience = Patience {
    attempts: 1,
    first_wait: Duration::ZERO,
    max_wait: Duration::ZERO,
};

/// Converts `inputs` into `folder`'s vault; packages and zips are unpacked under `work`.
/// Nothing readable among the inputs is [`Halt::Failed`] with each file's reason.
pub fn convert(
    inputs: &[PathBuf],
    work: &Path,
    options: ReadOptions,
    folder: &JobFolder,
    observer: &dyn Observer,
    runtime: &tokio::runtime::Handle,
) -> Result<Finished, Halt> {
    let library = read(inputs, work, options).map_err(|e| Halt::Failed(e.to_string()))?;
    if library.notebooks.is_empty() {
        return Err(Halt::Failed(library.why_nothing()));
    }
    let source = FileSource::new(library);
    runtime.block_on(export::run(&source, folder, &Scope::Files, observer, ONCE))
}
