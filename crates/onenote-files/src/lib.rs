//! OneNote's own files as a source of the export: `.one` sections, a notebook folder with its
//! `.onetoc2`, a `.onepkg` package, a `.zip` of a notebook folder, or a folder of any of these
//! (a backup folder's dated copies too), read with
//! [`onenote_parser`](https://github.com/msiemens/onenote.rs), and each page given to the export
//! as the HTML Graph would give for it. The export's runner then writes the same vault it writes
//! from Graph: one layout, one converter, one link resolver, one manifest and report.
//!
//! Files come from users: an archive never unpacks outside its folder or past its limits
//! ([`unpack`]); a file the parser refuses, or panics on, is skipped with its name and the
//! reason, and the rest still converts ([`reading`], [`contained`]).
//!
//! # Layout
//!
//! Leaves first; each module uses only modules above it.
//!
//! - `unpack` (a `.onepkg` or `.zip` into a folder, with limits), `backup` (the newest of
//!   dated copies), `ink` (strokes as InkML), `math_text` (an equation's text as
//!   MathML tokens), `contained` (the parser's panics kept to the file
//!   being read): leaves.
//! - `section_file`: one section read for its listing, or whole (uses `contained`).
//! - `toc_order`: a notebook's order from its table of contents (uses `section_file`).
//! - `reading`: paths → listed notebooks (uses `unpack`, `backup`, `section_file`,
//!   `toc_order`).
//! - `page_html`: one page as Graph's page HTML (uses `ink`, `math_text`).
//! - `source`: the export's [`export::Source`] over what was read, one section read whole at a
//!   time (uses `reading`, `section_file`, `contained`, `page_html`).
//! - `conversion`: files to a vault in one call (uses `reading`, `source`).

pub mod backup;
pub mod contained;
pub mod conversion;
pub mod ink;
pub mod math_text;
pub mod page_html;
pub mod reading;
pub mod section_file;
pub mod source;
pub mod toc_order;
pub mod unpack;

pub use conversion::convert;
pub use reading::{InputError, Library, ReadOptions, is_onenote_path, read};
pub use source::FileSource;
