//! The order a notebook's table of contents (`.onetoc2`) gives its sections and section groups,
//! read without reading the sections: the parser walks the table of contents (and each section
//! group's) through a file system that notes each section it is asked to open, in order, and
//! opens none. The sections themselves are then read by `section_file`, each once for its
//! listing and once for its pages.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use onenote_parser::FileSystem;
use onenote_parser::Parser;
use onenote_parser::fs::FileSource;
use onenote_parser::fs::native_fs::NativeFs;
use typed_path::{TypedPath, TypedPathBuf};

use crate::section_file::typed;

/// Every section file the table of contents at `toc` lists (section groups' in place), in the
/// notebook's order; the reason when it cannot be read.
pub fn sections_in_order(toc: &std::path::Path) -> Result<Vec<PathBuf>, String> {
    let opened = Mutex::new(Vec::new());
    let fs = Noting {
        opened: &opened,
        native: NativeFs {},
    };
    crate::contained::quietly(|| Parser::new_with_fs(fs).parse_notebook(typed(toc).to_path()))?
        .map_err(|e| e.to_string())?;
    Ok(opened.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// The native file system, except that a section asked for is noted and not opened.
#[derive(Clone, Copy)]
struct Noting<'a> {
    opened: &'a Mutex<Vec<PathBuf>>,
    native: NativeFs,
}

impl Noting<'_> {
    fn note(&self, path: TypedPath) -> Option<std::io::Error> {
        if !path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(b"one"))
        {
            return None;
        }
        use std::os::unix::ffi::OsStrExt;
        let path = PathBuf::from(std::ffi::OsStr::from_bytes(path.as_bytes()));
        self.opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path);
        Some(std::io::Error::other("noted, not read"))
    }
}

impl FileSystem for Noting<'_> {
    fn is_directory(&self, path: TypedPath) -> Result<bool, std::io::Error> {
        self.native.is_directory(path)
    }
    fn read_dir(&self, path: TypedPath) -> Result<Vec<TypedPathBuf>, std::io::Error> {
        self.native.read_dir(path)
    }
    fn read_file(&self, path: TypedPath) -> Result<Vec<u8>, std::io::Error> {
        match self.note(path) {
            Some(noted) => Err(noted),
            None => self.native.read_file(path),
        }
    }
    fn write_file(&self, _: TypedPath, _: &[u8]) -> Result<(), std::io::Error> {
        Err(std::io::Error::other("read only"))
    }
    fn stream_to_file(
        &self,
        _: TypedPath,
        _: &mut dyn std::io::Read,
    ) -> Result<(), std::io::Error> {
        Err(std::io::Error::other("read only"))
    }
    fn make_dir(&self, _: TypedPath) -> Result<(), std::io::Error> {
        Err(std::io::Error::other("read only"))
    }
    fn canonicalize(&self, path: TypedPath) -> Result<TypedPathBuf, std::io::Error> {
        self.native.canonicalize(path)
    }
    fn exists(&self, path: TypedPath) -> Result<bool, std::io::Error> {
        self.native.exists(path)
    }
    fn open_file(&self, path: TypedPath) -> Result<Arc<dyn FileSource>, std::io::Error> {
        match self.note(path) {
            Some(noted) => Err(noted),
            None => self.native.open_file(path),
        }
    }
}
