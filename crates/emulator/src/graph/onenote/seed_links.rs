//! Links between seeded pages. A seed cannot know the ids its pages will get, so its HTML names
//! them by path (display names joined by ` > `) and the emulator writes the links OneNote would:
//!
//! | in the seed | becomes |
//! |---|---|
//! | `seed:client/Notebook > Section > Page` | the page's `onenote:` client URL (`…#Page&section-id={…}&page-id={…}&end`) |
//! | `seed:page/Notebook > Section > Page` | the page's web URL (`…?wd=target(Section.one\|{…}/Page\|{…}/)`) |
//! | `seed:client/…#para` and `seed:page/…#para` | a link to the paragraph with `data-id="para"` on that page (its object id; the web form also carries its text) |
//! | `seed:section/Notebook > Section` | the section's client URL |
//! | `seed:missing` | a client URL to a page that does not exist (a page deleted since the link was made) |
//!
//! Section groups are path steps like sections (`Notebook > Group > Section > Page`).

use std::collections::HashMap;

use super::entities::{LinkForm, View};
use super::store::{Library, Page, Section, derived_uuid};
use crate::seed::PageSeed;

/// The resolver of one library's seed links.
pub struct SeedLinks<'a> {
    view: View<'a>,
    /// Page path → page index.
    pages: HashMap<String, usize>,
    /// Section path → section index.
    sections: HashMap<String, usize>,
    /// Page index → its seed HTML (for the text of linked paragraphs).
    bodies: HashMap<usize, &'a str>,
}

impl<'a> SeedLinks<'a> {
    pub fn new(lib: &'a Library, base_url: &'a str, bodies: &'a [(usize, PageSeed)]) -> Self {
        let mut sections = HashMap::new();
        for (i, section) in lib.sections.iter().enumerate() {
            sections.insert(section_path(lib, section), i);
        }
        let mut pages = HashMap::new();
        for (i, page) in lib.pages.iter().enumerate() {
            if let Some(section) = lib.section(&page.section) {
                let path = format!("{} > {}", section_path(lib, section), page.title);
                pages.entry(path).or_insert(i);
            }
        }
        SeedLinks {
            view: View { lib, base_url },
            pages,
            sections,
            bodies: bodies.iter().map(|(i, s)| (*i, s.body.as_str())).collect(),
        }
    }

    /// `html` with every `seed:` link written as OneNote writes links (unknown paths are left
    /// as they are and logged: a seed's mistake, visible in the page).
    pub fn resolve(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(start) = rest.find("\"seed:") {
            out.push_str(&rest[..=start]);
            let after = &rest[start + 1..];
            let Some(end) = after.find('"') else {
                out.push_str(after);
                return out;
            };
            let link = &after[..end];
            match self.url(link) {
                Some(url) => out.push_str(&url.replace('&', "&amp;")),
                None => {
                    tracing::warn!(link, "a seed link names nothing");
                    out.push_str(link);
                }
            }
            rest = &after[end..];
        }
        out.push_str(rest);
        out
    }

    fn url(&self, link: &str) -> Option<String> {
        let lib = self.view.lib;
        if link == "seed:missing" {
            let section = lib.sections.first()?;
            let gone = Page {
                id: format!(
                    "1-{}!999-{}",
                    derived_uuid(&["deleted"]).simple(),
                    section.guid
                ),
                title: "Deleted page".into(),
                ..lib.pages.first()?.clone()
            };
            return Some(
                self.view
                    .links_to(section, Some(&gone), None, LinkForm::InPage)
                    .0,
            );
        }
        let (kind, path) = link.strip_prefix("seed:")?.split_once('/')?;
        if kind == "section" {
            let section = &lib.sections[*self.sections.get(path)?];
            return Some(self.view.links_to(section, None, None, LinkForm::InPage).0);
        }
        let (path, paragraph) = match path.split_once('#') {
            Some((path, id)) => (path, Some(id)),
            None => (path, None),
        };
        let page = &lib.pages[*self.pages.get(path)?];
        let section: &Section = lib.section(&page.section)?;
        let paragraph = match paragraph {
            Some(id) => Some((
                self.paragraph_text(path, id)?,
                derived_uuid(&["object", &page.id, id]),
            )),
            None => None,
        };
        let (client, web) = self.view.links_to(
            section,
            Some(page),
            paragraph
                .as_ref()
                .map(|(text, guid)| (text.as_str(), *guid)),
            LinkForm::InPage,
        );
        match kind {
            "client" => Some(client),
            "page" => Some(web),
            _ => None,
        }
    }

    /// The text of the element with `data-id="{id}"` on the page at `path`, as seeded.
    fn paragraph_text(&self, path: &str, id: &str) -> Option<String> {
        let html = self.bodies.get(self.pages.get(path)?)?;
        let fragment = scraper::Html::parse_fragment(html);
        let selector = scraper::Selector::parse(&format!("[data-id=\"{id}\"]")).ok()?;
        let element = fragment.select(&selector).next()?;
        Some(element.text().collect::<String>().trim().to_string())
    }
}

/// `Notebook > Group > … > Section`.
fn section_path(lib: &Library, section: &Section) -> String {
    let mut names = vec![section.display_name.clone()];
    let mut group = section.parent_group.clone();
    while let Some(id) = group {
        match lib.group(&id) {
            Some(g) => {
                names.push(g.display_name.clone());
                group = g.parent_group.clone();
            }
            None => break,
        }
    }
    if let Some(notebook) = lib.notebook(&section.notebook) {
        names.push(notebook.display_name.clone());
    }
    names.reverse();
    names.join(" > ")
}
