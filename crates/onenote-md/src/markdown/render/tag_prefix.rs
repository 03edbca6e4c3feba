//! What goes before a heading's or a table cell's text for its note tags: the check box glyph
//! (☐/☑) and the tags' labels. Shared by the Markdown and the HTML writers, so it imports
//! nothing above it.

use crate::note_tag::Tags;

/// What goes before the text where there is no task list: the check box glyph, then each label
/// written by `label`.
pub(super) fn boxed_prefix(tags: &Tags, label: impl Fn(&str) -> String) -> String {
    let (check_box, labels) = tags.boxed();
    let mut prefix = check_box.map(|b| format!("{b} ")).unwrap_or_default();
    for text in labels {
        prefix.push_str(&label(&text));
    }
    prefix
}
