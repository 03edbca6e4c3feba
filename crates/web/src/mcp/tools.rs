//! The MCP tools: the caller's notebooks, a section's pages, and a page as graphnote's
//! Markdown, with its images and attachments as resources read through graphnote.
//!
//! Every call goes through the exports' OneNote access for the caller's account
//! (`exports::GraphSource`): the account's sealed sign-in, the one token path, and OneNote's
//! per-user budget shared with the user's own page views and exports. A tool costs the calls
//! it names, no more: `read_page` is one content call (its metadata comes from the page itself).

use axum::http::request::Parts;
use base64::Engine as _;
use export::{FetchError, Source};
use graph::onenote::{GroupTree, NotebookTree, Page, Section};
use onenote_md::{CarriedFiles, Conversion, Options, PageMeta};
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, Resource, ResourceContents, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::resource_uri::ResourceUri;
use super::token_endpoint::Issued;
use crate::exports::Exports;
use crate::exports::graph_source::GraphSource;

/// How much of a page one `read_page` call returns; the rest follows with the cursor.
pub const PAGE_CHUNK_BYTES: usize = 100_000;
/// How many pages one `list_pages` call returns.
pub const PAGES_PER_CALL: usize = 100;
/// The largest file `resources/read` hands over (base64 inside JSON); larger ones are
/// downloaded from graphnote's page instead.
pub const MAX_RESOURCE_BYTES: usize = 20 * 1024 * 1024;

/// Who is calling: what their access token stands for, put in the request's extensions by
/// `endpoint::authenticate`.
#[derive(Debug, Clone)]
pub struct Caller(pub Issued);

/// Said if a call came without its caller (`endpoint::authenticate` sees to it that none does).
const NO_CALLER: &str = "graphnote could not tell who is calling";

/// The tools, for one request (rmcp makes one per request: the server is stateless).
#[derive(Clone)]
pub struct OneNoteTools {
    exports: Exports,
    tool_router: rmcp::handler::server::router::tool::ToolRouter<Self>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListPages {
    /// The section's id, from `list_notebooks`.
    section_id: String,
    /// Where to go on from, as the previous call's `next_cursor` gave it.
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadPage {
    /// The page's id, from `list_pages`.
    page_id: String,
    /// Where to go on from in a long page, as the previous call's last line gave it.
    cursor: Option<String>,
}

#[tool_router]
impl OneNoteTools {
    pub fn new(exports: Exports) -> OneNoteTools {
        OneNoteTools {
            exports,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "The user's OneNote notebooks, each with its section groups and sections \
                       (ids, names, links to open them in OneNote). One OneNote call."
    )]
    async fn list_notebooks(&self, Extension(parts): Extension<Parts>) -> CallToolResult {
        let Some(source) = self.source(&parts) else {
            return told(NO_CALLER);
        };
        counted("list_notebooks", async {
            let tree = source.tree().await?;
            let notebooks: Vec<NotebookOut> = tree.iter().map(NotebookOut::from).collect();
            Ok(CallToolResult::structured(
                serde_json::json!({ "notebooks": notebooks }),
            ))
        })
        .await
    }

    #[tool(
        description = "A section's pages in OneNote's order, with their subpage levels (0 is a \
                       top-level page), 100 at a time: call again with `next_cursor` for more. \
                       One OneNote call."
    )]
    async fn list_pages(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(ListPages { section_id, cursor }): Parameters<ListPages>,
    ) -> CallToolResult {
        let Some(source) = self.source(&parts) else {
            return told(NO_CALLER);
        };
        if !onenote_md::is_valid_resource_id(&section_id) {
            return told("section_id is not a OneNote section id: take one from list_notebooks");
        }
        let Some(start) = offset(cursor.as_deref()) else {
            return told("cursor is not one that list_pages gave");
        };
        counted("list_pages", async {
            let pages = source.section_pages(&section_id).await?;
            let shown: Vec<PageOut> = pages
                .iter()
                .skip(start)
                .take(PAGES_PER_CALL)
                .map(PageOut::from)
                .collect();
            let end = start + shown.len();
            let next_cursor = (end < pages.len()).then(|| end.to_string());
            Ok(CallToolResult::structured(serde_json::json!({
                "pages": shown,
                "next_cursor": next_cursor,
            })))
        })
        .await
    }

    #[tool(
        description = "One OneNote page as Markdown: YAML front matter (title, created, id), \
                       headings, lists, tables, note tags as text, ink as SVG images, math as \
                       LaTeX. Images and attachments come as resource links to read with \
                       resources/read. A page longer than 100,000 bytes comes in parts: the last \
                       line says which cursor gives the next. One OneNote call per part."
    )]
    async fn read_page(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(ReadPage { page_id, cursor }): Parameters<ReadPage>,
    ) -> CallToolResult {
        let Some(source) = self.source(&parts) else {
            return told(NO_CALLER);
        };
        if !onenote_md::is_valid_resource_id(&page_id) {
            return told("page_id is not a OneNote page id: take one from list_pages");
        }
        let Some(start) = offset(cursor.as_deref()) else {
            return told("cursor is not one that read_page gave");
        };
        counted("read_page", async {
            let conversion = converted(&source, &page_id).await?;
            let markdown = &conversion.markdown;
            let Some(part) = part_of(markdown, start) else {
                return Ok(told(
                    "cursor is past the page's end (or the page changed): read it again without a cursor",
                ));
            };
            let mut text = markdown[start..part.end].to_string();
            if part.end < markdown.len() {
                text.push_str(&format!(
                    "\n[graphnote: the page goes on; call read_page with cursor \"{}\" for the rest]\n",
                    part.end
                ));
            }
            let mut content = vec![ContentBlock::text(text)];
            for file in &conversion.resources {
                let shown_here = markdown[start..part.end].contains(file.file_name.as_str());
                if !shown_here {
                    continue;
                }
                let uri = ResourceUri::for_file(&page_id, file).to_string();
                let mut link = Resource::new(uri, file.file_name.clone());
                if let Some(mime) = mime_of(file) {
                    link = link.with_mime_type(mime);
                }
                content.push(ContentBlock::resource_link(link));
            }
            Ok(CallToolResult::success(content))
        })
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for OneNoteTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("graphnote", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "Read the user's OneNote: list_notebooks, then list_pages of a section, then \
             read_page. OneNote allows about 400 calls an hour per user, shared with the user's \
             own use of graphnote: read what you need, not everything.",
        )
    }

    /// An image or attachment of a page `read_page` linked to.
    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let parts = context
            .extensions
            .get::<Parts>()
            .ok_or_else(|| ErrorData::internal_error("no request", None))?;
        let source = self
            .source(parts)
            .ok_or_else(|| ErrorData::invalid_request(NO_CALLER, None))?;
        let Some(uri) = ResourceUri::parse(&request.uri) else {
            return Err(ErrorData::resource_not_found(
                "not a resource read_page gave",
                None,
            ));
        };
        let bytes = match &uri {
            ResourceUri::OneNote { id, .. } => source.resource(id).await,
            ResourceUri::OnPage { page_id, file_name } => converted(&source, page_id)
                .await
                .and_then(|c| carried_file(c, file_name)),
        };
        let bytes = bytes.map_err(|e| ErrorData::internal_error(said(&e), None))?;
        if bytes.len() > MAX_RESOURCE_BYTES {
            return Err(ErrorData::invalid_request(
                format!(
                    "the file is {} MB, more than the {} MB graphnote hands over here: download it from the page in graphnote",
                    bytes.len() / 1_000_000,
                    MAX_RESOURCE_BYTES / 1_000_000
                ),
                None,
            ));
        }
        let mime = mime_guess::from_path(uri.file_name())
            .first_raw()
            .unwrap_or("application/octet-stream");
        let blob = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let contents = ResourceContents::blob(blob, request.uri).with_mime_type(mime);
        Ok(ReadResourceResult::new(vec![contents]).into())
    }
}

impl OneNoteTools {
    /// The caller's OneNote, at page-view priority.
    fn source(&self, parts: &Parts) -> Option<GraphSource> {
        let Caller(issued) = parts.extensions.get::<Caller>()?;
        Some(GraphSource {
            graph: self.exports.graph.clone(),
            tokens: self.exports.tokens.clone(),
            credentials: self.exports.credentials.clone(),
            scopes: self.exports.scopes.clone(),
            owner: issued.account.clone(),
        })
    }
}

/// The page `page_id` as Markdown, its files the converter made (ink drawings, pictures the
/// page carries) kept with their bytes.
async fn converted(source: &GraphSource, page_id: &str) -> Result<Conversion, FetchError> {
    let content = source.page_content(page_id).await?;
    Ok(onenote_md::to_markdown_with(
        &content.html,
        &PageMeta {
            id: Some(page_id.to_string()),
            ..PageMeta::default()
        },
        &Options {
            ink: content.ink.as_deref(),
            carried_files: CarriedFiles::Files,
            ..Options::default()
        },
    ))
}

fn carried_file(conversion: Conversion, file_name: &str) -> Result<Vec<u8>, FetchError> {
    conversion
        .resources
        .into_iter()
        .find(|r| r.file_name == file_name)
        .and_then(|r| r.bytes)
        .ok_or_else(|| FetchError::Failed("the page no longer has that file".into()))
}

/// Where a part of `markdown` starting at byte `start` ends: at most [`PAGE_CHUNK_BYTES`] on,
/// after a whole line where there is one. `None` when `start` is not a place a part begins.
struct Part {
    end: usize,
}

fn part_of(markdown: &str, start: usize) -> Option<Part> {
    if start > markdown.len() || !markdown.is_char_boundary(start) {
        return None;
    }
    if start == markdown.len() && start != 0 {
        return None;
    }
    let mut end = (start + PAGE_CHUNK_BYTES).min(markdown.len());
    while !markdown.is_char_boundary(end) {
        end -= 1;
    }
    if end < markdown.len()
        && let Some(newline) = markdown[start..end].rfind('\n')
    {
        end = start + newline + 1;
    }
    Some(Part { end })
}

/// A cursor as a number (none is 0).
fn offset(cursor: Option<&str>) -> Option<usize> {
    match cursor {
        None => Some(0),
        Some(c) if c.len() <= 12 && c.bytes().all(|b| b.is_ascii_digit()) => c.parse().ok(),
        Some(_) => None,
    }
}

fn mime_of(file: &onenote_md::ResourceRef) -> Option<String> {
    file.content_type.clone().or_else(|| {
        mime_guess::from_path(&file.file_name)
            .first_raw()
            .map(str::to_string)
    })
}

/// A tool call's outcome in words the assistant can act on, counted by tool and outcome.
async fn counted(
    tool: &'static str,
    call: impl Future<Output = Result<CallToolResult, FetchError>>,
) -> CallToolResult {
    let result = call.await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(FetchError::Transient { .. }) => "throttled",
        Err(FetchError::NeedsOwner(_)) => "signed_out",
        Err(_) => "failed",
    };
    metrics::counter!("graphnote_mcp_tool_calls_total", "tool" => tool, "outcome" => outcome)
        .increment(1);
    result.unwrap_or_else(|e| told(&said(&e)))
}

/// What went wrong, for the assistant (and through it the user).
fn said(e: &FetchError) -> String {
    match e {
        FetchError::Transient {
            retry_after: Some(after),
            ..
        } => format!(
            "OneNote asks graphnote to wait: try again in {} seconds",
            after.as_secs().max(1)
        ),
        FetchError::Transient { message, .. } => {
            format!("OneNote did not answer ({message}): try again in a minute")
        }
        FetchError::NeedsOwner(_) => "graphnote needs the user to sign in again: reconnect \
                                      this client to graphnote"
            .into(),
        FetchError::Failed(why) | FetchError::Fatal(why) => why.clone(),
    }
}

fn told(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

/// A notebook as `list_notebooks` gives it.
#[derive(Serialize)]
struct NotebookOut {
    id: String,
    name: String,
    web_url: Option<String>,
    sections: Vec<SectionOut>,
    section_groups: Vec<GroupOut>,
}

#[derive(Serialize)]
struct GroupOut {
    id: String,
    name: String,
    sections: Vec<SectionOut>,
    section_groups: Vec<GroupOut>,
}

#[derive(Serialize)]
struct SectionOut {
    id: String,
    name: String,
    web_url: Option<String>,
}

impl From<&NotebookTree> for NotebookOut {
    fn from(tree: &NotebookTree) -> NotebookOut {
        NotebookOut {
            id: tree.notebook.id.clone(),
            name: tree.notebook.display_name.clone(),
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
#[derive(Serialize)]
struct PageOut {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_page_comes_in_parts_that_join_to_the_whole() {
        let line = "a line of text, é and 𝑎 too\n";
        let markdown = line.repeat(PAGE_CHUNK_BYTES / line.len() * 3 + 7);
        let mut joined = String::new();
        let mut start = 0;
        while start < markdown.len() {
            let part = part_of(&markdown, start).expect("a cursor the last part gave");
            assert!(part.end - start <= PAGE_CHUNK_BYTES);
            assert!(markdown[start..part.end].ends_with('\n'));
            joined.push_str(&markdown[start..part.end]);
            start = part.end;
        }
        assert_eq!(joined, markdown);
        assert!(part_of(&markdown, markdown.len()).is_none());
        assert!(part_of(&markdown, markdown.len() + 1).is_none());
        // Inside a character: no.
        let inside = markdown.find('é').unwrap() + 1;
        assert!(part_of(&markdown, inside).is_none());
        // A short page is one part; an empty one too.
        assert_eq!(part_of("short", 0).unwrap().end, 5);
        assert_eq!(part_of("", 0).unwrap().end, 0);
    }

    #[test]
    fn cursors_are_numbers_only() {
        assert_eq!(offset(None), Some(0));
        assert_eq!(offset(Some("120")), Some(120));
        assert_eq!(offset(Some("-1")), None);
        assert_eq!(offset(Some("1e9")), None);
        assert_eq!(offset(Some("9999999999999")), None);
    }
}
