//! OneNote's comments about content it could not export.
//!
//! When the API cannot return part of a page (ink, some embedded content) it leaves an HTML
//! comment where the content was, such as `<!-- The content of this page could not be rendered
//! … -->` or one mentioning `InkNode`. A person reading the export deserves to know something is
//! missing, so both outputs show these comments as a visible note; every other comment is
//! dropped.

/// Phrases that mark a comment as OneNote saying it left something out (compared lower-case).
const FAILURE_PHRASES: &[&str] = &[
    "could not be rendered",
    "could not be retrieved",
    "could not be exported",
    "could not be displayed",
    "cannot be rendered",
    "cannot be displayed",
    "not supported",
    "unsupported",
    "inknode",
    // `<!-- Processing ParagraphNode failed -->`, left where an equation could not be exported.
    " failed",
];

/// Longest note text kept, in characters.
const MAX_NOTE_CHARS: usize = 500;

/// The comment's text, tidied for display, when it reports missing content; `None` otherwise.
pub(crate) fn missing_content_note(comment: &str) -> Option<String> {
    let lower = comment.to_lowercase();
    if !FAILURE_PHRASES.iter().any(|phrase| lower.contains(phrase)) {
        return None;
    }
    let text: String = comment
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NOTE_CHARS)
        .collect();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_failure_comments_only() {
        assert_eq!(
            missing_content_note(" The content of this page could not be rendered\n  completely. "),
            Some("The content of this page could not be rendered completely.".to_owned())
        );
        assert!(missing_content_note("InkNode is not supported").is_some());
        assert_eq!(missing_content_note(" StartFragment "), None);
        assert_eq!(
            missing_content_note(" Processing ParagraphNode failed "),
            Some("Processing ParagraphNode failed".to_owned())
        );
    }
}
