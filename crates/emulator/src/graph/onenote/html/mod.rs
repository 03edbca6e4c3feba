//! OneNote page HTML. Pages arrive in OneNote's *input* HTML (what clients POST, and what seeds
//! are written in), are converted once into the small output tree below ([`convert`]), and are
//! written out as OneNote's *output* HTML on every read ([`render`]), with generated ids when
//! `includeIDs=true` asks for them (docs/protocol.md §10.5).

pub mod convert;
pub mod render;
mod style;
mod tags;
mod text;
pub mod tree;

pub use convert::{ConvertError, Converted, Part, ResourceSink, convert, fragment};
pub use render::{preview_text, render_page};
pub use tree::{Element, Node, is_inline};
