//! onenote-files' integration tests, as one test binary: OneNote files made by OneNote
//! (vendored unchanged in `tests/files`, see its SOURCE.md) read and written by the export's
//! real runner.

mod damaged;
mod vault;
