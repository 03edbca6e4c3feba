//! A notebook seeded from OneNote's own files: a notebook folder (its `.onetoc2`, `.one`
//! sections and section-group subfolders) becomes the notebook's sections and pages, so the page
//! API serves what the files hold while the user's drive serves the files themselves
//! (`graph::drive`). A client can then read the same notebook both ways and compare.
//!
//! The pages are written as the *input* HTML a client would POST, like every seeded page: the
//! title, times and level of each page, its text as paragraphs (tables as tables), its pictures
//! and attached files with their bytes. Ink, tags and formatting are left out: what the emulator
//! needs is a page API answer a client can check the file reading against, not a second reader.
//! The files are read with onenote_parser, which the emulator uses for nothing else.

use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use onenote_parser::contents::{Content, EmbeddedFile, Image, Outline, OutlineItem, Table};
use onenote_parser::page::{Page, PageContent};
use onenote_parser::section::Section;
use time::format_description::well_known::Rfc3339;

use super::onenote::{
    NotebookSeed, PageSeed, ResourceData, ResourceSeed, SectionGroupSeed, SectionSeed,
};

/// The folder OneNote keeps deleted pages in: not part of the notebook the page API shows.
pub const RECYCLE_BIN: &str = "OneNote_RecycleBin";
/// How deep outlines and tables are followed (a hostile file could nest without end).
const MAX_DEPTH: usize = 32;

/// `seed` with its sections and section groups read from the notebook folder `folder`: each
/// `.one` file a section, each subfolder a section group, in name order (OneNote shows a
/// section that lies in the folder whether or not the `.onetoc2` lists it). A file the parser
/// cannot read is left out with a warning.
pub fn notebook(seed: &NotebookSeed, folder: &Path) -> NotebookSeed {
    let mut notebook = seed.clone();
    let (sections, groups) = folder_entries(folder, 0);
    notebook.sections = sections;
    notebook.section_groups = groups;
    notebook
}

fn folder_entries(folder: &Path, depth: usize) -> (Vec<SectionSeed>, Vec<SectionGroupSeed>) {
    let (mut sections, mut groups) = (Vec::new(), Vec::new());
    let Ok(entries) = std::fs::read_dir(folder) else {
        tracing::warn!(folder = %folder.display(), "a seeded notebook folder cannot be read");
        return (sections, groups);
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if name != RECYCLE_BIN && depth < MAX_DEPTH {
                let (sections, section_groups) = folder_entries(&path, depth + 1);
                groups.push(SectionGroupSeed {
                    display_name: name,
                    sections,
                    section_groups,
                });
            }
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("one"))
        {
            let typed = typed_path::TypedPath::unix(path.as_os_str().as_bytes()).to_path_buf();
            match onenote_parser::Parser::new().parse_section(typed.to_path()) {
                Ok(parsed) => sections.push(section(&parsed)),
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "a seeded section cannot be read")
                }
            }
        }
    }
    (sections, groups)
}

fn section(section: &Section) -> SectionSeed {
    let pages = section
        .page_series()
        .iter()
        .flat_map(|series| series.pages())
        .map(page)
        .collect();
    SectionSeed::new(section.display_name(), pages)
}

fn page(page: &Page) -> PageSeed {
    let mut body = Body::default();
    for content in page.contents() {
        match content {
            PageContent::Outline(outline) => body.outline(outline),
            PageContent::Image(image) => body.image(image),
            PageContent::EmbeddedFile(file) => body.file(file),
            PageContent::Ink(_) | PageContent::Unknown => {}
        }
    }
    let mut seed = PageSeed::new(page.title_text().unwrap_or_default().trim(), body.html);
    seed.level = page.level().clamp(0, 2) as u8;
    seed.created = page.created_time().format(&Rfc3339).ok();
    seed.modified = page.updated_time().format(&Rfc3339).ok();
    seed.resources = body.resources;
    seed
}

/// A page's input HTML and the resources it names.
#[derive(Default)]
struct Body {
    html: String,
    resources: Vec<ResourceSeed>,
}

impl Body {
    fn outline(&mut self, outline: &Outline) {
        self.items(outline.items(), 0);
    }

    fn items(&mut self, items: &[OutlineItem], depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for item in items {
            match item {
                OutlineItem::Element(element) => {
                    self.contents(element.contents(), depth);
                    self.items(element.children(), depth + 1);
                }
                OutlineItem::Group(group) => self.items(group.outlines(), depth + 1),
            }
        }
    }

    fn contents(&mut self, contents: &[Content], depth: usize) {
        for content in contents {
            match content {
                Content::RichText(text) => {
                    let text = visible(text.text());
                    let text = text.trim();
                    if !text.is_empty() {
                        self.html.push_str("<p>");
                        escape_into(&mut self.html, text);
                        self.html.push_str("</p>");
                    }
                }
                Content::Table(table) => self.table(table, depth),
                Content::Image(image) => self.image(image),
                Content::EmbeddedFile(file) => self.file(file),
                Content::Ink(_) | Content::Unknown => {}
            }
        }
    }

    fn table(&mut self, table: &Table, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        self.html.push_str("<table>");
        for row in table.contents() {
            self.html.push_str("<tr>");
            for cell in row.contents() {
                self.html.push_str("<td>");
                for element in cell.contents() {
                    self.contents(element.contents(), depth + 1);
                }
                self.html.push_str("</td>");
            }
            self.html.push_str("</tr>");
        }
        self.html.push_str("</table>");
    }

    fn image(&mut self, image: &Image) {
        let Some(bytes) = image.read().and_then(|mut r| {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut r, &mut bytes).ok()?;
            Some(bytes)
        }) else {
            return;
        };
        let kind = match image
            .extension()
            .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
        {
            Some(e) if e == "jpg" || e == "jpeg" => "image/jpeg",
            Some(e) if e == "gif" => "image/gif",
            Some(e) if e == "bmp" => "image/bmp",
            _ => "image/png",
        };
        let name = self.resource(kind, bytes);
        let _ = write!(self.html, "<img src=\"name:{name}\" alt=\"");
        escape_into(&mut self.html, image.alt_text().unwrap_or_default());
        self.html.push_str("\">");
    }

    fn file(&mut self, file: &EmbeddedFile) {
        let mut bytes = Vec::new();
        if std::io::Read::read_to_end(&mut file.read(), &mut bytes).is_err() {
            return;
        }
        let name = self.resource("application/octet-stream", bytes);
        self.html.push_str("<object data-attachment=\"");
        escape_into(&mut self.html, file.filename());
        let _ = write!(
            self.html,
            "\" data=\"name:{name}\" type=\"application/octet-stream\"></object>"
        );
    }

    /// Keeps `bytes` as the page's next resource; its name.
    fn resource(&mut self, content_type: &str, bytes: Vec<u8>) -> String {
        let name = format!("r{}", self.resources.len() + 1);
        self.resources.push(ResourceSeed {
            name: name.clone(),
            content_type: content_type.into(),
            data: ResourceData::Base64(STANDARD.encode(bytes)),
        });
        name
    }
}

/// Text as OneNote shows it: without the hidden `\u{fddf}HYPERLINK "target"` marker that
/// comes before a link's words.
fn visible(text: &str) -> String {
    const MARKER: &str = "\u{fddf}HYPERLINK \"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(MARKER) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARKER.len()..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
}
