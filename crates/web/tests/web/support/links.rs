//! Reading links out of pages and Markdown, and hashing what they point at.

use aws_lc_rs::digest;

/// Every `{marker}…{end}` in `text`: `links(html, "href=\"", '"')` gives every `href`.
pub fn links(text: &str, marker: &str, end: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        if let Some(j) = rest.find(end) {
            out.push(rest[..j].to_string());
        }
    }
    out
}

/// Relative link targets in Markdown (`](target)`, `src="target"`, `href="target"`), as a zip
/// must hold them: no scheme, no fragment-only links.
pub fn relative_links(markdown: &str) -> Vec<String> {
    let mut all = links(markdown, "](", ')');
    all.extend(links(markdown, "src=\"", '"'));
    all.extend(links(markdown, "href=\"", '"'));
    all.into_iter()
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches(['<', '>'])
                .to_string()
        })
        .filter(|l| !l.is_empty() && !l.contains(':') && !l.starts_with('#'))
        .collect()
}

/// SHA-256 in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    digest::digest(&digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
