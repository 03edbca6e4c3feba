//! Reading values out of the app's HTML pages.

pub use emulator::testing::unescape_html;

/// The (entity-decoded) attribute value that follows `marker` (which ends with `="`).
pub fn attribute_after(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(unescape_html(&html[start..end]))
}
