//! OneNote through Graph: the notebook hierarchy, a section's pages, a page's metadata and HTML,
//! and page resources. Every call counts against the user's OneNote [`Budget`](crate::Budget),
//! and lists follow `@odata.nextLink` (only to this Graph endpoint).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::{Binary, Collection, GraphClient};
use crate::error::GraphError;

/// A reference to a parent entity.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EntityRef {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Href {
    #[serde(default)]
    pub href: Option<String>,
}

/// `links` of notebooks, sections and pages.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Links {
    #[serde(default)]
    pub one_note_web_url: Option<Href>,
    #[serde(default)]
    pub one_note_client_url: Option<Href>,
}

impl Links {
    pub fn web_url(&self) -> Option<&str> {
        self.one_note_web_url.as_ref()?.href.as_deref()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notebook {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub last_modified_date_time: Option<String>,
    #[serde(default)]
    pub links: Links,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionGroup {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub parent_notebook: Option<EntityRef>,
    #[serde(default)]
    pub parent_section_group: Option<EntityRef>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub parent_notebook: Option<EntityRef>,
    #[serde(default)]
    pub parent_section_group: Option<EntityRef>,
    #[serde(default)]
    pub links: Links,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub created_date_time: Option<String>,
    #[serde(default)]
    pub last_modified_date_time: Option<String>,
    #[serde(default)]
    pub level: Option<i32>,
    #[serde(default)]
    pub order: Option<i32>,
    #[serde(default)]
    pub links: Links,
    #[serde(default)]
    pub parent_section: Option<EntityRef>,
    /// Who wrote the page. Not Graph's (its pages do not say): a page read from OneNote's own
    /// files does, and the export writes it into the front matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

impl Page {
    pub fn title_or_untitled(&self) -> &str {
        match self.title.as_deref() {
            Some(t) if !t.trim().is_empty() => t,
            _ => "Untitled page",
        }
    }
}

/// A section group and what it holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GroupTree {
    pub group: SectionGroup,
    pub sections: Vec<Section>,
    pub groups: Vec<GroupTree>,
}

/// A notebook and what it holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NotebookTree {
    pub notebook: Notebook,
    pub sections: Vec<Section>,
    pub groups: Vec<GroupTree>,
    /// The folder the notebook goes in when an export holds notebooks of several places
    /// (`Your notebooks`, a team's or a site's name); `None` puts it at the vault's top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// What a page of a section's list is read with (all that [`Page`] holds but its section,
/// which the caller knows).
const PAGE_FIELDS: &str = "id,title,createdDateTime,lastModifiedDateTime,level,order,links";
/// What a notebook of the tree is read with.
const NOTEBOOK_FIELDS: &str = "id,displayName,isDefault,lastModifiedDateTime,links";
/// A notebook's sections, and its section groups at every depth with theirs.
const TREE_EXPANSION: &str = "sections($select=id,displayName,links),\
     sectionGroups($levels=max;$select=id,displayName;$expand=sections($select=id,displayName,links))";

/// A notebook as the one-call tree gives it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpandedNotebook {
    #[serde(flatten)]
    notebook: Notebook,
    #[serde(default)]
    sections: Vec<Section>,
    #[serde(default)]
    section_groups: Vec<ExpandedGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpandedGroup {
    #[serde(flatten)]
    group: SectionGroup,
    #[serde(default)]
    sections: Vec<Section>,
    #[serde(default)]
    section_groups: Vec<ExpandedGroup>,
}

impl ExpandedNotebook {
    fn tree(self) -> NotebookTree {
        NotebookTree {
            notebook: self.notebook,
            sections: self.sections,
            groups: ExpandedGroup::trees(self.section_groups),
            place: None,
        }
    }
}

impl ExpandedGroup {
    fn trees(groups: Vec<ExpandedGroup>) -> Vec<GroupTree> {
        groups
            .into_iter()
            .map(|g| GroupTree {
                group: g.group,
                sections: g.sections,
                groups: ExpandedGroup::trees(g.section_groups),
            })
            .collect()
    }
}

/// Lists are followed at most this many pages deep (a loop in `nextLink` must not hang us).
const MAX_LIST_PAGES: usize = 200;

impl GraphClient {
    /// `…/v1.0/{me|groups/{id}|sites/{id}}/onenote/{segments}` for this client's location.
    fn onenote_url(&self, segments: &[&str]) -> Url {
        let mut url = self.url("");
        if let Ok(mut path) = url.path_segments_mut() {
            // Each segment is percent-encoded: an id can never add path levels.
            path.extend(self.location.segments())
                .push("onenote")
                .extend(segments);
        }
        url
    }

    async fn onenote_json<T: DeserializeOwned>(
        &self,
        token: &str,
        user: &str,
        url: Url,
    ) -> Result<T, GraphError> {
        let response = self
            .get_budgeted(token, url, "application/json", Some(user))
            .await?;
        response
            .json()
            .await
            .map_err(|e| GraphError::Decode(e.without_url()))
    }

    /// Every item of a OneNote collection, following `@odata.nextLink`.
    async fn list_all<T: DeserializeOwned>(
        &self,
        token: &str,
        user: &str,
        first: Url,
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            let page: Collection<T> = self.onenote_json(token, user, url).await?;
            items.extend(page.value);
            if pages >= MAX_LIST_PAGES {
                break;
            }
            next = self.next_link(page.next_link.as_deref())?;
        }
        Ok(items)
    }

    /// The user's notebooks with their section groups (nested) and sections, in one call:
    /// `notebooks?$expand=sections,sectionGroups($levels=max;$expand=sections)` (docs/protocol.md
    /// §10.4). Where OneNote refuses that expansion (`20103`, `20143`), the tree is assembled
    /// from three lists instead.
    pub async fn onenote_tree(
        &self,
        token: &str,
        user: &str,
    ) -> Result<Vec<NotebookTree>, GraphError> {
        let mut url = self.onenote_url(&["notebooks"]);
        url.query_pairs_mut()
            .append_pair("$select", NOTEBOOK_FIELDS)
            .append_pair("$expand", TREE_EXPANSION);
        match self.list_all::<ExpandedNotebook>(token, user, url).await {
            Ok(notebooks) => Ok(notebooks.into_iter().map(ExpandedNotebook::tree).collect()),
            Err(GraphError::Rejected { code, .. }) if code == "20103" || code == "20143" => {
                self.onenote_tree_from_lists(token, user).await
            }
            Err(e) => Err(e),
        }
    }

    /// The tree from three lists, assembled from the parent references Graph includes by
    /// default.
    async fn onenote_tree_from_lists(
        &self,
        token: &str,
        user: &str,
    ) -> Result<Vec<NotebookTree>, GraphError> {
        let (notebooks, groups, sections) = tokio::try_join!(
            self.list_all::<Notebook>(token, user, self.onenote_url(&["notebooks"])),
            self.list_all::<SectionGroup>(token, user, self.onenote_url(&["sectionGroups"])),
            self.list_all::<Section>(token, user, self.onenote_url(&["sections"])),
        )?;
        Ok(assemble(notebooks, groups, sections))
    }

    pub async fn section(&self, token: &str, user: &str, id: &str) -> Result<Section, GraphError> {
        self.onenote_json(token, user, self.onenote_url(&["sections", id]))
            .await
    }

    /// Every page of a section, in the section's own order (OneNote's `order`, which needs
    /// `pagelevel=true`; Graph lists pages newest first), with subpage levels. Fetched 100 at a
    /// time with `$top`/`$skip`, since Graph gives no `nextLink` when `$top` is set, and only
    /// the fields used (`$select`).
    pub async fn section_pages(
        &self,
        token: &str,
        user: &str,
        id: &str,
    ) -> Result<Vec<Page>, GraphError> {
        const BATCH: usize = 100;
        const MAX_PAGES: usize = 5000;
        let mut pages: Vec<Page> = Vec::new();
        loop {
            let mut url = self.onenote_url(&["sections", id, "pages"]);
            url.query_pairs_mut()
                .append_pair("pagelevel", "true")
                .append_pair("$select", PAGE_FIELDS)
                .append_pair("$top", &BATCH.to_string())
                .append_pair("$skip", &pages.len().to_string());
            let batch: Collection<Page> = self.onenote_json(token, user, url).await?;
            let done = batch.value.len() < BATCH;
            pages.extend(batch.value);
            if done || pages.len() >= MAX_PAGES {
                break;
            }
        }
        pages.sort_by(|a, b| {
            a.order
                .cmp(&b.order)
                .then_with(|| a.created_date_time.cmp(&b.created_date_time))
        });
        Ok(pages)
    }

    /// Up to `top` of the user's pages whose title holds every one of `words` (any letter
    /// case), newest first: OneNote's `$filter` on `/pages` (its `$search` was retired). The
    /// words are put in OData string literals, quotes doubled.
    pub async fn pages_titled(
        &self,
        token: &str,
        user: &str,
        words: &[String],
        top: usize,
    ) -> Result<Vec<Page>, GraphError> {
        let filter = words
            .iter()
            .map(|w| {
                let literal = w.to_lowercase().replace('\'', "''");
                format!("contains(tolower(title),'{literal}')")
            })
            .collect::<Vec<_>>()
            .join(" and ");
        let mut url = self.onenote_url(&["pages"]);
        url.query_pairs_mut()
            .append_pair("$filter", &filter)
            .append_pair("$select", PAGE_FIELDS)
            .append_pair("$orderby", "lastModifiedDateTime desc")
            .append_pair("$top", &top.to_string());
        let found: Collection<Page> = self.onenote_json(token, user, url).await?;
        Ok(found.value)
    }

    pub async fn page(&self, token: &str, user: &str, id: &str) -> Result<Page, GraphError> {
        self.onenote_json(token, user, self.onenote_url(&["pages", id]))
            .await
    }

    /// The page's HTML.
    pub async fn page_content(
        &self,
        token: &str,
        user: &str,
        id: &str,
    ) -> Result<String, GraphError> {
        let url = self.onenote_url(&["pages", id, "content"]);
        let response = self
            .get_budgeted(token, url, "text/html", Some(user))
            .await?;
        response
            .text()
            .await
            .map_err(|e| GraphError::Transport(e.without_url()))
    }

    /// The page's HTML and its ink, if it has any (`includeInkML=true`).
    pub async fn page_content_with_ink(
        &self,
        token: &str,
        user: &str,
        id: &str,
    ) -> Result<crate::ink_content::PageContent, GraphError> {
        let mut url = self.onenote_url(&["pages", id, "content"]);
        url.query_pairs_mut().append_pair("includeInkML", "true");
        let response = self
            .get_budgeted(token, url, "text/html, multipart/mixed", Some(user))
            .await?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("text/html")
            .to_string();
        let body = response
            .text()
            .await
            .map_err(|e| GraphError::Transport(e.without_url()))?;
        Ok(crate::ink_content::page_content(&content_type, body))
    }

    /// A page resource's bytes (`/resources/{id}/$value`).
    pub async fn resource(&self, token: &str, user: &str, id: &str) -> Result<Binary, GraphError> {
        let url = self.onenote_url(&["resources", id, "$value"]);
        let response = self.get_budgeted(token, url, "*/*", Some(user)).await?;
        crate::client::into_binary(response).await
    }
}

fn assemble(
    notebooks: Vec<Notebook>,
    groups: Vec<SectionGroup>,
    sections: Vec<Section>,
) -> Vec<NotebookTree> {
    fn parent_group(id: Option<&EntityRef>) -> Option<&str> {
        id.map(|r| r.id.as_str())
    }
    fn build_groups(
        parent_notebook: &str,
        parent_group_id: Option<&str>,
        groups: &[SectionGroup],
        sections: &[Section],
        depth: usize,
    ) -> Vec<GroupTree> {
        if depth > 32 {
            return vec![];
        }
        groups
            .iter()
            .filter(|g| {
                parent_group(g.parent_section_group.as_ref()) == parent_group_id
                    && (parent_group_id.is_some()
                        || g.parent_notebook
                            .as_ref()
                            .is_some_and(|n| n.id == parent_notebook))
            })
            .map(|g| GroupTree {
                group: g.clone(),
                sections: sections
                    .iter()
                    .filter(|s| {
                        parent_group(s.parent_section_group.as_ref()) == Some(g.id.as_str())
                    })
                    .cloned()
                    .collect(),
                groups: build_groups(parent_notebook, Some(&g.id), groups, sections, depth + 1),
            })
            .collect()
    }
    notebooks
        .into_iter()
        .map(|notebook| NotebookTree {
            sections: sections
                .iter()
                .filter(|s| {
                    s.parent_section_group.is_none()
                        && s.parent_notebook
                            .as_ref()
                            .is_some_and(|n| n.id == notebook.id)
                })
                .cloned()
                .collect(),
            groups: build_groups(&notebook.id, None, &groups, &sections, 0),
            place: None,
            notebook,
        })
        .collect()
}
