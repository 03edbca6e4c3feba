//! Links from one OneNote page to another, as the OneNote client writes them into pages, and what
//! they name (docs/protocol.md §10.9):
//!
//! * the client form, `onenote:https://…/Section.one#Page%20title&section-id={…}&page-id={…}&end`
//!   (GUIDs in braces or bare; a paragraph link adds `&object-id={…}&11`; a relative one starts
//!   `onenote:#…` and ends with `&base-path=…`);
//! * the web form, `https://…?wd=target(Section.one|{section}/Page title|{page}/[Paragraph|{object}/])`,
//!   percent-encoded, with `|` and `)` inside titles escaped by a backslash.
//!
//! The GUIDs are not Graph ids: a caller matches them against each page's own
//! `links.oneNoteClientUrl`, which carries the same `page-id`.

/// What a link to a OneNote page, section or paragraph names. GUIDs are lower case, without
/// braces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLink {
    pub section_id: Option<String>,
    pub page_id: Option<String>,
    /// The paragraph, for a link to part of a page.
    pub object_id: Option<String>,
    /// The page title the link carries (it may be out of date: the page may have been renamed).
    pub page_title: Option<String>,
    /// The linked paragraph's text, when the link carries it (web form only).
    pub paragraph_text: Option<String>,
}

/// Turns links between pages into relative paths: given to [`crate::to_markdown_with`], it
/// decides where each link leads. `None` leaves the link as it was (and reported in
/// [`crate::Conversion::unresolved_links`]).
pub trait LinkResolver {
    fn resolve(&self, link: &PageLink) -> Option<String>;
}

impl<F: Fn(&PageLink) -> Option<String>> LinkResolver for F {
    fn resolve(&self, link: &PageLink) -> Option<String> {
        self(link)
    }
}

impl PageLink {
    /// What `href` names, if it is a link to a OneNote page, section or paragraph.
    pub fn parse(href: &str) -> Option<PageLink> {
        let href = href.trim();
        if href.len() > 8192 {
            return None;
        }
        let lower = href.to_ascii_lowercase();
        if lower.starts_with("onenote:") {
            return client_link(href);
        }
        if (lower.starts_with("https://") || lower.starts_with("http://"))
            && (lower.contains("wd=target(") || lower.contains("wd=target%28"))
        {
            return web_link(href);
        }
        None
    }
}

fn client_link(href: &str) -> Option<PageLink> {
    let (_, fragment) = href.split_once('#')?;
    let mut parts = fragment.split('&');
    let first = parts.next().unwrap_or_default();
    let mut link = PageLink::default();
    let mut title = None;
    if first.contains('=') {
        assign(&mut link, first);
    } else if !first.is_empty() {
        title = Some(percent_decode(first));
    }
    for part in parts {
        assign(&mut link, part);
    }
    link.page_title = title.filter(|_| link.page_id.is_some());
    (link.section_id.is_some() || link.page_id.is_some()).then_some(link)
}

fn assign(link: &mut PageLink, part: &str) {
    let Some((name, value)) = part.split_once('=') else {
        return;
    };
    let slot = match name.to_ascii_lowercase().as_str() {
        "section-id" => &mut link.section_id,
        "page-id" => &mut link.page_id,
        "object-id" => &mut link.object_id,
        _ => return,
    };
    *slot = guid(&percent_decode(value));
}

fn web_link(href: &str) -> Option<PageLink> {
    let decoded = percent_decode(href);
    let start = decoded.find("wd=target(")? + "wd=target(".len();
    let target = &decoded[start..];
    let steps = split_unescaped(target);
    // Section.one|{section}/Page|{page}/Paragraph|{object}/)
    let mut ids = Vec::new();
    let mut names = Vec::new();
    for step in steps.iter().skip(1) {
        let (id, name) = step.split_once('/').unwrap_or((step.as_str(), ""));
        ids.push(guid(id));
        names.push(name.trim_end_matches(')').to_string());
    }
    let mut link = PageLink {
        section_id: ids.first().cloned().flatten(),
        page_id: ids.get(1).cloned().flatten(),
        object_id: ids.get(2).cloned().flatten(),
        ..PageLink::default()
    };
    let text = |i: usize| names.get(i).filter(|n| !n.is_empty()).cloned();
    link.page_title = text(0).filter(|_| link.page_id.is_some());
    link.paragraph_text = text(1).filter(|_| link.object_id.is_some());
    (link.section_id.is_some() || link.page_id.is_some()).then_some(link)
}

/// `a|b\|c|d)` → `["a", "b|c", "d"]`: steps split on `|` that no backslash escapes, up to the
/// first unescaped `)`.
fn split_unescaped(target: &str) -> Vec<String> {
    let mut steps = vec![String::new()];
    let mut chars = target.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    steps.last_mut().expect("one step").push(next);
                }
            }
            '|' => steps.push(String::new()),
            ')' => break,
            _ => steps.last_mut().expect("one step").push(c),
        }
    }
    steps
}

/// A GUID, lower case and without braces; `None` when it is not one.
fn guid(text: &str) -> Option<String> {
    let bare = text.trim().trim_start_matches('{').trim_end_matches('}');
    let is_guid = bare.len() == 36
        && bare.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    is_guid.then(|| bare.to_ascii_lowercase())
}

/// `%XX` sequences decoded (as UTF-8, lossily); anything malformed is kept as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTION: &str = "c9dd40df-8465-4f7b-b76d-a637df5572eb";
    const PAGE: &str = "93ef28b4-6406-4203-9f6e-3efcdde08a6b";
    const OBJECT: &str = "b6549208-5dac-4164-82b5-5ffaf4d80e51";

    #[test]
    fn client_links_in_every_spelling() {
        let braced = format!(
            "onenote:https://contoso-my.sharepoint.com/personal/ada/Documents/Notebooks/Ada%27s%20Notebook/Reference.one#Weekly%20plan&section-id={{{SECTION}}}&page-id={{{}}}&end",
            PAGE.to_uppercase()
        );
        let link = PageLink::parse(&braced).unwrap();
        assert_eq!(link.section_id.as_deref(), Some(SECTION));
        assert_eq!(link.page_id.as_deref(), Some(PAGE));
        assert_eq!(link.page_title.as_deref(), Some("Weekly plan"));
        assert_eq!(link.object_id, None);

        let bare = format!("onenote:https://x/S.one#T&section-id={SECTION}&page-id={PAGE}&end");
        assert_eq!(
            PageLink::parse(&bare).unwrap().page_id.as_deref(),
            Some(PAGE)
        );

        let paragraph = format!(
            "onenote:#Meeting&section-id={{{SECTION}}}&page-id={{{PAGE}}}&object-id={{{OBJECT}}}&11&base-path=https://d.docs.live.net/x/S.one"
        );
        let link = PageLink::parse(&paragraph).unwrap();
        assert_eq!(link.object_id.as_deref(), Some(OBJECT));

        let section = format!("onenote:https://x/Journal.one#section-id={{{SECTION}}}&end");
        let link = PageLink::parse(&section).unwrap();
        assert_eq!(
            (link.section_id.as_deref(), link.page_id),
            (Some(SECTION), None)
        );
    }

    #[test]
    fn web_links_with_escapes() {
        let href = format!(
            "https://contoso-my.sharepoint.com/personal/ada/Documents/Notebooks/N?wd=target%28Reference.one%7C{SECTION}%2FQ3%5C%7C%20plan%7C{PAGE}%2F%29"
        );
        let link = PageLink::parse(&href).unwrap();
        assert_eq!(link.section_id.as_deref(), Some(SECTION));
        assert_eq!(link.page_id.as_deref(), Some(PAGE));
        assert_eq!(link.page_title.as_deref(), Some("Q3| plan"));
    }

    #[test]
    fn other_links_are_not_page_links() {
        for href in [
            "https://example.com/?wd=target(x)",
            "onenote:https://x/S.one",
            "mailto:a@b",
            "onenote:#x&page-id=not-a-guid&end",
        ] {
            assert_eq!(PageLink::parse(href), None, "{href}");
        }
    }
}
