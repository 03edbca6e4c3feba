//! What the file reader writes for OneNote files converted directly, as `graphnote convert`
//! does: what an upload's or a fast export's zip must hold, byte for byte.

use std::collections::BTreeMap;
use std::path::Path;

use super::TempDir;

/// What converting `input` on the command line writes: every file but the report and manifest
/// (they hold times), by vault path. Blocking: call it off the async threads.
pub fn converted_on_the_command_line(input: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = TempDir::new();
    let work = TempDir::new();
    struct Quiet;
    impl export::Observer for Quiet {
        fn progress(&self, _: &export::Status) {}
        fn stop(&self) -> Option<export::Halt> {
            None
        }
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    onenote_files::convert(
        &[input.to_path_buf()],
        &work.0,
        onenote_files::ReadOptions::default(),
        &export::JobFolder::unzipped(&out.0, &work.0),
        &Quiet,
        runtime.handle(),
    )
    .unwrap();
    let mut files = BTreeMap::new();
    let mut stack = vec![out.0.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(&out.0)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if !relative.starts_with("_export/") {
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}
