//! OneNote's own files as a source of the export: `.one` sections, a notebook folder with its
//! `.onetoc2`, a `.onepkg` package, a `.zip` of a notebook folder, or a folder of any of these
//! (a backup folder's dated copies too), read with
//! [`onenote_parser`](https://github.com/msiemens/onenote.rs), and each page given to the export
//! as the HTML Graph would give for it. The export's runner then writes the same vault it writes
//! from Graph: one layout, one converter, one link resolver, one manifest and report.
//!
//! Files come from users: an archive never unpacks outside its folder or past its limits
//! ([`unpack`]); a file the parser refuses, or panics on, is skipped with its name and the
//! reason, and the rest still converts ([`reading`]).
//!
//! # Layout
//!
//! Leaves first; each module uses only modules above it.
//!
//! - `unpack` (a `.onepkg` or `.zip` into a folder, with limits), `backup` (the newest of
//!   dated copies), `ink` (strokes as InkML): leaves.
//! - `reading`: paths → parsed notebooks (uses `unpack`, `backup`).
//! - `page_html`: one page as Graph's page HTML (uses `ink`).
//! - `source`: the export's [`export::Source`] over what was read (uses `reading`,
//!   `page_html`).

pub mod backup;
pub mod ink;
pub mod page_html;
pub mod reading;
pub mod source;
pub mod unpack;

pub use reading::{InputError, Library, ReadOptions, is_onenote_path, read};
pub use source::FileSource;
