//! What the MCP tools answer: each tool's result as a type, whose JSON Schema the tool declares
//! as its output schema (MCP clients check `structuredContent` against it).

use graph::onenote::{GroupTree, NotebookTree, Page, Section};
use schemars::JsonSchema;
use serde::Serialize;

use super::search::TextMatch;

/// `list_notebooks`' answer.
#[derive(Serialize, JsonSchema)]
pub struct NotebookList {
    pub notebooks: Vec<NotebookOut>,
}

/// `list_pages`' answer.
#[derive(Serialize, JsonSchema)]
pub struct PageList {
    pub pages: Vec<PageOut>,
    /// Give it back as `cursor` for the next pages; none when these are the last.
    pub next_cursor: Option<String>,
}

/// `read_page`'s answer: a part of the page (the whole of a page up to 100,000 bytes).
#[derive(Serialize, JsonSchema)]
pub struct PagePart {
    pub markdown: String,
    /// Give it back as `cursor` for the rest of the page; none when this is its end.
    pub next_cursor: Option<String>,
    /// The page's images and attachments this part links to, to read with `resources/read`.
    pub files: Vec<FileOut>,
}

/// `search_pages`' answer.
#[derive(Serialize, JsonSchema)]
pub struct SearchResults {
    /// Pages whose title holds every word, as OneNote finds them (newest first).
    pub title_matches: Vec<PageOut>,
    /// Pages whose text holds every word, in the user's most recent export.
    pub text_matches: Vec<TextMatch>,
    /// The export the text was searched in; none when the user has no finished export.
    pub export: Option<ExportOut>,
    /// What the text search covered, and what the user can do to widen it.
    pub note: String,
}

/// The export a text search read.
#[derive(Serialize, JsonSchema)]
pub struct ExportOut {
    pub id: String,
    /// When it finished (`2026-12-04 21:17 UTC`).
    pub finished: String,
    /// Where the user brings it up to date.
    pub update_url: String,
}

/// A file a page's Markdown links to.
#[derive(Serialize, JsonSchema)]
pub struct FileOut {
    /// The relative path the Markdown links to (`resources/…`).
    pub name: String,
    /// Where `resources/read` reads it.
    pub uri: String,
    pub mime_type: Option<String>,
}

/// A notebook as `list_notebooks` gives it.
#[derive(Serialize, JsonSchema)]
pub struct NotebookOut {
    id: String,
    name: String,
    /// For a team's or a SharePoint site's notebook: where it is (`group:{id}`, `site:{id}`),
    /// to pass as `location` to list_pages and read_page. None for the user's own.
    location: Option<String>,
    /// The team's or site's name (`Your notebooks` for the user's own, when shared ones are
    /// listed too).
    place: Option<String>,
    web_url: Option<String>,
    sections: Vec<SectionOut>,
    section_groups: Vec<GroupOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct GroupOut {
    id: String,
    name: String,
    sections: Vec<SectionOut>,
    section_groups: Vec<GroupOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct SectionOut {
    id: String,
    name: String,
    web_url: Option<String>,
}

impl NotebookOut {
    /// The notebook `tree`, which is at `location`.
    pub fn at(tree: &NotebookTree, location: &graph::Location) -> NotebookOut {
        NotebookOut {
            location: location.tagged(),
            ..NotebookOut::from(tree)
        }
    }
}

impl From<&NotebookTree> for NotebookOut {
    fn from(tree: &NotebookTree) -> NotebookOut {
        NotebookOut {
            id: tree.notebook.id.clone(),
            name: tree.notebook.display_name.clone(),
            location: None,
            place: tree.place.clone(),
            web_url: tree.notebook.links.web_url().map(str::to_string),
            sections: tree.sections.iter().map(SectionOut::from).collect(),
            section_groups: tree.groups.iter().map(GroupOut::from).collect(),
        }
    }
}

impl From<&GroupTree> for GroupOut {
    fn from(tree: &GroupTree) -> GroupOut {
        GroupOut {
            id: tree.group.id.clone(),
            name: tree.group.display_name.clone(),
            sections: tree.sections.iter().map(SectionOut::from).collect(),
            section_groups: tree.groups.iter().map(GroupOut::from).collect(),
        }
    }
}

impl From<&Section> for SectionOut {
    fn from(section: &Section) -> SectionOut {
        SectionOut {
            id: section.id.clone(),
            name: section.display_name.clone(),
            web_url: section.links.web_url().map(str::to_string),
        }
    }
}

/// A page as `list_pages` gives it.
#[derive(Serialize, JsonSchema)]
pub struct PageOut {
    id: String,
    title: String,
    level: i32,
    created: Option<String>,
    modified: Option<String>,
    web_url: Option<String>,
}

impl From<&Page> for PageOut {
    fn from(page: &Page) -> PageOut {
        PageOut {
            id: page.id.clone(),
            title: page.title_or_untitled().to_string(),
            level: page.level.unwrap_or(0),
            created: page.created_date_time.clone(),
            modified: page.last_modified_date_time.clone(),
            web_url: page.links.web_url().map(str::to_string),
        }
    }
}
