//! The MCP tools: the caller's notebooks, a section's pages, a page as graphnote's Markdown
//! (with its images and attachments as resources read through graphnote), and pages found by
//! words in their titles (OneNote) and text (the user's latest export, see `search`).
//!
//! Every call goes through the exports' OneNote access for the caller's account
//! (`exports::GraphSource`): the account's sealed sign-in, the one token path, and OneNote's
//! per-user budget shared with the user's own page views and exports. A tool costs the calls
//! its description names, no more.

use std::sync::Arc;

use axum::http::request::Parts;
use base64::Engine as _;
use export::{FetchError, Source};
use rmcp::Json;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, Resource, ResourceContents, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use super::resource_uri::ResourceUri;
use super::search::{in_vault, latest_export};
use super::token_endpoint::Issued;
use super::tool_output::{
    ExportOut, FileOut, NotebookList, NotebookOut, PageList, PageOut, PagePart, SearchResults,
};
use crate::exports::Exports;
use crate::exports::graph_source::GraphSource;
use crate::onenote::export::single_file;

/// How much of a page one `read_page` call returns; the rest follows with the cursor.
pub const PAGE_CHUNK_BYTES: usize = 100_000;
/// How many pages `search_pages` gives each way.
pub const SEARCH_RESULTS: usize = 20;
/// How many pages one `list_pages` call returns.
pub const PAGES_PER_CALL: usize = 100;
/// The largest file `resources/read` hands over (base64 inside JSON); larger ones are
/// downloaded from graphnote's page instead.
pub const MAX_RESOURCE_BYTES: usize = 20 * 1024 * 1024;

/// Who is calling: what their access token stands for, put in the request's extensions by
/// `endpoint::authenticate`.
#[derive(Debug, Clone)]
pub struct Caller(pub Issued);

/// The tools, for one request (rmcp makes one per request: the server is stateless).
#[derive(Clone)]
pub struct OneNoteTools {
    exports: Exports,
    /// `PUBLIC_URL`, for the pages a tool sends the user to.
    public_base: Arc<str>,
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

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchPages {
    /// The words to find: every one must be there, in any letter case (at most 8 words).
    query: String,
}

#[tool_router]
impl OneNoteTools {
    pub fn new(exports: Exports, public_base: Arc<str>) -> OneNoteTools {
        OneNoteTools {
            exports,
            public_base,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "The user's OneNote notebooks, each with its section groups and sections \
                       (ids, names, links to open them in OneNote). One OneNote call.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_notebooks(
        &self,
        Extension(parts): Extension<Parts>,
    ) -> Result<Json<NotebookList>, String> {
        let source = self.source(&parts)?;
        self.counted("list_notebooks", async {
            let tree = source.tree().await?;
            Ok(Json(NotebookList {
                notebooks: tree.iter().map(NotebookOut::from).collect(),
            }))
        })
        .await
    }

    #[tool(
        description = "A section's pages in OneNote's order, with their subpage levels (0 is a \
                       top-level page), 100 at a time: call again with `next_cursor` for more. \
                       One OneNote call.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_pages(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(ListPages { section_id, cursor }): Parameters<ListPages>,
    ) -> Result<Json<PageList>, String> {
        let source = self.source(&parts)?;
        if !onenote_md::is_valid_resource_id(&section_id) {
            return Err(
                "section_id is not a OneNote section id: take one from list_notebooks".into(),
            );
        }
        let start = offset(cursor.as_deref()).ok_or("cursor is not one that list_pages gave")?;
        self.counted("list_pages", async {
            let pages = source.section_pages(&section_id).await?;
            let shown: Vec<PageOut> = pages
                .iter()
                .skip(start)
                .take(PAGES_PER_CALL)
                .map(PageOut::from)
                .collect();
            let end = start + shown.len();
            Ok(Json(PageList {
                pages: shown,
                next_cursor: (end < pages.len()).then(|| end.to_string()),
            }))
        })
        .await
    }

    #[tool(
        description = "Finds the user's pages by words, every word in any letter case: in \
                       their titles through OneNote (one OneNote call), and in their text \
                       through the user's most recent export from graphnote, if there is one \
                       (no OneNote call; the answer says when that export was made and where \
                       to update it).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search_pages(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(SearchPages { query }): Parameters<SearchPages>,
    ) -> Result<Json<SearchResults>, String> {
        let source = self.source(&parts)?;
        let words = words_of(&query)?;
        let titled = self
            .counted("search_pages", source.pages_titled(&words, SEARCH_RESULTS))
            .await?;
        let title_matches = titled.iter().map(PageOut::from).collect();
        let Some((job, vault)) = latest_export(&self.exports, &source.owner).await else {
            return Ok(Json(SearchResults {
                title_matches,
                text_matches: Vec::new(),
                export: None,
                note: format!(
                    "Only titles were searched: text is searched in the user's most recent \
                     export from graphnote, and they have none. They can start one at {}/onenote \
                     (Export), then search again.",
                    self.public_base
                ),
            }));
        };
        let found = tokio::task::spawn_blocking(move || in_vault(&vault, &words, SEARCH_RESULTS))
            .await
            .map_err(|_| "the search stopped unexpectedly: try again")?;
        let finished = job.finished.map_or("?".into(), crate::clock::date_time);
        let update_url = format!("{}/onenote/exports/{}", self.public_base, job.id);
        Ok(Json(SearchResults {
            title_matches,
            text_matches: found,
            note: format!(
                "Text was searched in the user's export finished {finished}: pages written \
                 since are not in it. They can update it at {update_url}."
            ),
            export: Some(ExportOut {
                id: job.id,
                finished,
                update_url,
            }),
        }))
    }

    #[tool(
        description = "One OneNote page as graphnote's Markdown, as its .md download holds it: \
                       YAML front matter (title, created, modified, link), headings, lists, \
                       tables, note tags, ink drawings as SVG images, math as LaTeX. The page's \
                       images and attachments come as resource links to read with \
                       resources/read. A page longer than 100,000 bytes comes in parts: \
                       `next_cursor` (and the text's last line) gives the next. Two OneNote \
                       calls per part.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = rmcp::handler::server::tool::schema_for_output::<PagePart>()
    )]
    async fn read_page(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(ReadPage { page_id, cursor }): Parameters<ReadPage>,
    ) -> Result<CallToolResult, String> {
        let source = self.source(&parts)?;
        if !onenote_md::is_valid_resource_id(&page_id) {
            return Err("page_id is not a OneNote page id: take one from list_pages".into());
        }
        let (start, seen) =
            page_cursor(cursor.as_deref()).ok_or("cursor is not one that read_page gave")?;
        let conversion = self
            .counted("read_page", async {
                let meta = source.page(&page_id).await?;
                let content = source.page_content(&page_id).await?;
                Ok(single_file(&meta, &content))
            })
            .await?;
        let version = version_of(&conversion.markdown);
        // The parts of a page are of one version of it: never the start of one and the rest of
        // another.
        if seen.is_some_and(|seen| seen != version) {
            return Err(
                "the page changed since its first part was read: read it again without a cursor"
                    .into(),
            );
        }
        let markdown = &conversion.markdown;
        let part = part_of(markdown, start)
            .ok_or("cursor is past the page's end: read it again without a cursor")?;
        let text = &markdown[start..part.end];
        let next_cursor = (part.end < markdown.len()).then(|| format!("{}v{version}", part.end));
        let files: Vec<FileOut> = conversion
            .resources
            .iter()
            .filter(|file| !file.id.is_empty() && text.contains(file.file_name.as_str()))
            .map(|file| FileOut {
                name: file.file_name.clone(),
                uri: ResourceUri::for_file(file).to_string(),
                mime_type: mime_of(file),
            })
            .collect();
        let mut shown = text.to_string();
        if let Some(next) = &next_cursor {
            shown.push_str(&format!(
                "\n[graphnote: the page goes on; call read_page with cursor \"{next}\" for the rest]\n"
            ));
        }
        let mut content = vec![ContentBlock::text(shown)];
        for file in &files {
            let mut link = Resource::new(file.uri.clone(), file.name.clone());
            if let Some(mime) = &file.mime_type {
                link = link.with_mime_type(mime.clone());
            }
            content.push(ContentBlock::resource_link(link));
        }
        let mut result = CallToolResult::success(content);
        let part = PagePart {
            markdown: text.to_string(),
            next_cursor,
            files,
        };
        result.structured_content = serde_json::to_value(part).ok();
        Ok(result)
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
            .map_err(|refused| ErrorData::invalid_request(refused, None))?;
        let Some(uri) = ResourceUri::parse(&request.uri) else {
            return Err(ErrorData::resource_not_found(
                "not a resource read_page gave",
                None,
            ));
        };
        let bytes = self
            .counted("resources/read", async { source.resource(&uri.id).await })
            .await
            .map_err(|said| ErrorData::invalid_request(said, None))?;
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
        let mime = mime_guess::from_path(&uri.name)
            .first_raw()
            .unwrap_or("application/octet-stream");
        let blob = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let contents = ResourceContents::blob(blob, request.uri).with_mime_type(mime);
        Ok(ReadResourceResult::new(vec![contents]).into())
    }
}

impl OneNoteTools {
    /// The caller's OneNote, at page-view priority.
    fn source(&self, parts: &Parts) -> Result<GraphSource, String> {
        let Caller(issued) = parts
            .extensions
            .get::<Caller>()
            .ok_or("graphnote could not tell who is calling")?;
        Ok(GraphSource {
            graph: self.exports.graph.clone(),
            tokens: self.exports.tokens.clone(),
            credentials: self.exports.credentials.clone(),
            scopes: self.exports.scopes.clone(),
            owner: issued.account.clone(),
            places: crate::exports::places::Places::own(),
        })
    }

    /// A call's outcome, counted by tool and outcome; a failure in words the assistant can act
    /// on (and pass on to the user).
    async fn counted<T>(
        &self,
        tool: &'static str,
        call: impl Future<Output = Result<T, FetchError>>,
    ) -> Result<T, String> {
        let result = call.await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(FetchError::Transient { .. }) => "throttled",
            Err(FetchError::NeedsOwner(_)) => "signed_out",
            Err(_) => "failed",
        };
        metrics::counter!("graphnote_mcp_tool_calls_total", "tool" => tool, "outcome" => outcome)
            .increment(1);
        result.map_err(|e| self.said(&e))
    }

    fn said(&self, e: &FetchError) -> String {
        match e {
            FetchError::Transient {
                retry_after: Some(after),
                ..
            } => format!(
                "OneNote's limit for this user: try again in about {} s",
                after.as_secs().max(1)
            ),
            FetchError::Transient { message, .. } => {
                format!("OneNote did not answer ({message}): try again in a minute")
            }
            FetchError::NeedsOwner(_) => format!(
                "graphnote needs the user to sign in again (or to allow OneNote): they must open \
                 {}/onenote, then reconnect this app",
                self.public_base
            ),
            FetchError::Failed(why) | FetchError::Fatal(why) => why.clone(),
        }
    }
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

/// The words of a search: 1 to 8 words of at most 50 characters each.
fn words_of(query: &str) -> Result<Vec<String>, String> {
    let words: Vec<String> = query.split_whitespace().map(str::to_string).collect();
    if words.is_empty() || words.len() > 8 || words.iter().any(|w| w.chars().count() > 50) {
        return Err("query must be 1 to 8 words of at most 50 characters each".into());
    }
    Ok(words)
}

/// A version of a page as a cursor carries it: the start of its Markdown's SHA-256, so any
/// change to what the page reads as is a new version, whatever its clock said.
fn version_of(markdown: &str) -> String {
    export::manifest::sha256_hex(markdown.as_bytes())[..16].to_string()
}

/// A `read_page` cursor, `{offset}v{version}`: where the next part starts, in the version of
/// the page the first part came from. No cursor is the start, of whatever version.
fn page_cursor(cursor: Option<&str>) -> Option<(usize, Option<String>)> {
    let Some(cursor) = cursor else {
        return Some((0, None));
    };
    let (at, version) = cursor.split_once('v')?;
    let well_formed = version.len() == 16
        && version
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    Some((
        offset(Some(at))?,
        well_formed.then(|| version.to_string())?.into(),
    ))
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
    fn a_page_cursor_names_where_and_which_version() {
        assert_eq!(page_cursor(None), Some((0, None)));
        assert_eq!(
            page_cursor(Some("100000v0123456789abcdef")),
            Some((100000, Some("0123456789abcdef".into())))
        );
        for bad in [
            "100000",
            "v0123456789abcdef",
            "12v",
            "1v0123456789abcdeg",
            "1v0123456789ABCDEF",
            "-1v0123456789abcdef",
            "1v0123456789abcdef0",
        ] {
            assert_eq!(page_cursor(Some(bad)), None, "{bad}");
        }
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
