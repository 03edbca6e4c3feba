//! Note tags (`data-tag="shape[:status]"`, comma-separated for several), checked and normalised as
//! OneNote does: unknown shapes are error 20139, a `completed` status on a shape without a check
//! box is 20140, and `definition` comes back as `remember-for-later` (docs/protocol.md §10.5).

/// Every built-in shape.
const SHAPES: &[&str] = &[
    "to-do",
    "important",
    "question",
    "definition",
    "highlight",
    "contact",
    "address",
    "phone-number",
    "web-site-to-visit",
    "idea",
    "password",
    "critical",
    "project-a",
    "project-b",
    "remember-for-later",
    "movie-to-see",
    "book-to-read",
    "music-to-listen-to",
    "source-for-article",
    "remember-for-blog",
    "discuss-with-person-a",
    "discuss-with-person-b",
    "discuss-with-manager",
    "send-in-email",
    "schedule-meeting",
    "call-back",
    "to-do-priority-1",
    "to-do-priority-2",
    "client-request",
];

/// Shapes drawn with a check box, which alone may be `:completed`.
const CHECK_BOXES: &[&str] = &[
    "to-do",
    "discuss-with-person-a",
    "discuss-with-person-b",
    "discuss-with-manager",
    "schedule-meeting",
    "call-back",
    "to-do-priority-1",
    "to-do-priority-2",
    "client-request",
];

/// Why a `data-tag` value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagError {
    UnknownShape(String),
    BadStatus(String),
}

/// The output form of a `data-tag` value.
pub fn normalise(value: &str) -> Result<String, TagError> {
    let mut out = Vec::new();
    for tag in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let lower = tag.to_ascii_lowercase();
        let (shape, status) = match lower.split_once(':') {
            Some((shape, status)) => (shape.trim().to_string(), Some(status.trim().to_string())),
            None => (lower.clone(), None),
        };
        if !SHAPES.contains(&shape.as_str()) {
            return Err(TagError::UnknownShape(tag.to_string()));
        }
        let shape = if shape == "definition" {
            "remember-for-later".to_string()
        } else {
            shape
        };
        match status.as_deref() {
            None => out.push(shape),
            Some("completed") if CHECK_BOXES.contains(&shape.as_str()) => {
                out.push(format!("{shape}:completed"))
            }
            Some(_) => return Err(TagError::BadStatus(tag.to_string())),
        }
    }
    Ok(out.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_and_normalised() {
        assert_eq!(normalise("to-do:completed").unwrap(), "to-do:completed");
        assert_eq!(
            normalise("idea,send-in-email").unwrap(),
            "idea, send-in-email"
        );
        assert_eq!(normalise("definition").unwrap(), "remember-for-later");
        assert!(matches!(
            normalise("sparkles"),
            Err(TagError::UnknownShape(_))
        ));
        assert!(matches!(
            normalise("idea:completed"),
            Err(TagError::BadStatus(_))
        ));
    }
}
