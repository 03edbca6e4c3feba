//! Links between pages inside the vault: a link the converter meets is resolved by the
//! `page-id` (or `section-id`) it carries, against the ids of the pages and sections in the
//! export, never by guessing from titles; the result is a relative link from the page being
//! written. Links to what is not in the export stay OneNote links, and are reported.

use std::collections::HashMap;

use onenote_md::PageLink;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::layout::Plan;

/// What may not stand as it is in a path of a Markdown link.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'(')
    .add(b')')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'`')
    .add(b'|');

/// The vault paths of what links can name.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pages: HashMap<String, String>,
    sections: HashMap<String, String>,
}

impl Targets {
    pub fn of(plan: &Plan) -> Targets {
        let mut targets = Targets::default();
        for page in &plan.pages {
            if let Some(id) = &page.link_id {
                targets.pages.insert(id.clone(), page.path.clone());
            }
        }
        for section in &plan.sections {
            if let Some(id) = &section.link_id {
                targets.sections.insert(id.clone(), section.index.clone());
            }
        }
        targets
    }

    /// The relative link from the page at `from` to what `link` names, if it is in the vault.
    pub fn resolve(&self, from: &str, link: &PageLink) -> Option<String> {
        let target = match &link.page_id {
            Some(page) => self.pages.get(page)?,
            None => self.sections.get(link.section_id.as_ref()?)?,
        };
        Some(relative(from, target))
    }
}

/// The relative URL from the file `from` to the file `to` (both relative to the vault's root),
/// each segment percent-encoded.
pub fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut out: Vec<String> = vec!["..".to_string(); from_dirs.len() - common];
    out.extend(
        to_parts[common..]
            .iter()
            .map(|segment| utf8_percent_encode(segment, PATH_SEGMENT).to_string()),
    );
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_between_vault_files() {
        assert_eq!(relative("N/S/A.md", "N/S/B.md"), "B.md");
        assert_eq!(relative("N/S/A.md", "N/T/B c.md"), "../T/B%20c.md");
        assert_eq!(relative("N/S/A/Child.md", "N/S/A.md"), "../A.md");
        assert_eq!(
            relative("N/S/A.md", "M/X/Y/Q? (2).md"),
            "../../M/X/Y/Q%3F%20%282%29.md"
        );
        assert_eq!(
            relative("N/S/A.md", "N/S/resources/x.png"),
            "resources/x.png"
        );
    }
}
