//! `GET …/pages/{id}/content?includeInkML=true`: the page's HTML and, when it has ink, its InkML.
//!
//! Graph answers a page with ink as `multipart/mixed; boundary="…"` holding a `text/html` part and
//! an `application/inkml+xml` part, and a page without ink as plain `text/html`
//! (docs/protocol.md §10.9). The body is already in memory and has two parts, so it is split here
//! rather than through a streaming multipart parser (those are built for form uploads).

/// A page's content with its ink.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageContent {
    pub html: String,
    /// The InkML part, when the page has ink.
    pub ink: Option<String>,
}

/// The parts of a `multipart/*` body as `(content type, body)`; `None` when the content type
/// names no boundary or the body has no parts.
pub fn split_multipart(content_type: &str, body: &str) -> Option<Vec<(String, String)>> {
    let boundary = content_type.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
    })?;
    if boundary.is_empty() || boundary.len() > 200 {
        return None;
    }
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in body.split(&delimiter).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk
            .strip_prefix("\r\n")
            .or_else(|| chunk.strip_prefix('\n'))
            .unwrap_or(chunk);
        let (head, content) = chunk
            .split_once("\r\n\r\n")
            .or_else(|| chunk.split_once("\n\n"))
            .unwrap_or(("", chunk));
        let part_type = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-type")
                    .then(|| value.trim().to_ascii_lowercase())
            })
            .unwrap_or_default();
        let content = content
            .strip_suffix("\r\n")
            .or_else(|| content.strip_suffix('\n'))
            .unwrap_or(content);
        parts.push((part_type, content.to_string()));
    }
    (!parts.is_empty()).then_some(parts)
}

/// The content of a page answer: its HTML and ink from a multipart body, or the HTML alone.
pub fn page_content(content_type: &str, body: String) -> PageContent {
    if !content_type.to_ascii_lowercase().starts_with("multipart/") {
        return PageContent {
            html: body,
            ink: None,
        };
    }
    let Some(parts) = split_multipart(content_type, &body) else {
        return PageContent {
            html: body,
            ink: None,
        };
    };
    let part = |kind: &str| {
        parts
            .iter()
            .find(|(t, _)| t.starts_with(kind))
            .map(|(_, content)| content.clone())
    };
    PageContent {
        html: part("text/html").unwrap_or_default(),
        ink: part("application/inkml+xml"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_ink_parts() {
        let body = "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>\r\n</html>\r\n--b1\r\nContent-Type: application/inkml+xml; charset=utf-8\r\n\r\n<inkml:ink/>\r\n--b1--\r\n";
        let content = page_content("multipart/mixed; boundary=\"b1\"", body.into());
        assert_eq!(content.html, "<html>\r\n</html>");
        assert_eq!(content.ink.as_deref(), Some("<inkml:ink/>"));
        let plain = page_content("text/html; charset=utf-8", "<html></html>".into());
        assert_eq!((plain.html.as_str(), plain.ink), ("<html></html>", None));
        assert_eq!(split_multipart("multipart/mixed", body), None);
    }
}
