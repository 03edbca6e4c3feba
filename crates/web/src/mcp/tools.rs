//! The MCP tools: the caller's notebooks (and their teams' and sites', when the user allowed
//! graphnote to read those), a section's pages, a page as graphnote's Markdown (with its images
//! and attachments as resources read through graphnote), and pages found by words in their
//! titles (OneNote) and text (the user's latest export, see `search`).
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

pub use super::arguments::PAGE_CHUNK_BYTES;
use super::arguments::{location_of, offset, page_cursor, part_of, version_of, words_of};
use super::resource_uri::ResourceUri;
use super::search::{in_vault, latest_export};
use super::token_endpoint::Issued;
use super::tool_output::{
    ExportOut, FileOut, NotebookList, NotebookOut, PageList, PageOut, PagePart, SearchResults,
};
use crate::exports::Exports;
use crate::exports::graph_source::GraphSource;
use crate::exports::places::Places;
use crate::features::Feature;
use crate::onenote::export::single_file;
use crate::tokens::TokenHome as _;
use graph::Location;

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
    /// For a team's or site's notebook, its `location` from `list_notebooks`; leave out for the
    /// user's own notebooks.
    location: Option<String>,
    /// Where to go on from, as the previous call's `next_cursor` gave it.
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadPage {
    /// The page's id, from `list_pages`.
    page_id: String,
    /// For a page of a team's or site's notebook, the notebook's `location` from
    /// `list_notebooks`; leave out for the user's own pages.
    location: Option<String>,
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
                       (ids, names, links to open them in OneNote) — and, when the user allowed \
                       graphnote to read them, the notebooks of their teams and SharePoint \
                       sites, each with its `place` (the team's or site's name) and \
                       `location` (pass it to list_pages and read_page). One OneNote call, \
                       plus one per team or site.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_notebooks(
        &self,
        Extension(parts): Extension<Parts>,
    ) -> Result<Json<NotebookList>, String> {
        let caller = caller(&parts)?;
        let places = if self.allows_shared(caller).await {
            Places::everything()
        } else {
            Places::own()
        };
        let source = self.source_for(caller, places);
        self.counted("list_notebooks", async {
            let tree = source.tree().await?;
            let notebooks = tree
                .iter()
                .map(|t| NotebookOut::at(t, &source.places.of(&t.notebook.id)))
                .collect();
            Ok(Json(NotebookList { notebooks }))
        })
        .await
    }

    #[tool(
        description = "A section's pages in OneNote's order, with their subpage levels (0 is a \
                       top-level page), 100 at a time: call again with `next_cursor` for more. \
                       For a team's or site's section, pass the notebook's `location`. One \
                       OneNote call.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_pages(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(ListPages {
            section_id,
            location,
            cursor,
        }): Parameters<ListPages>,
    ) -> Result<Json<PageList>, String> {
        let location = location_of(location.as_deref())?;
        let source = self.source(&parts, &location)?;
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
        let source = self.source(&parts, &Location::Me)?;
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
                       `next_cursor` (and the text's last line) gives the next. For a page of \
                       a team's or site's notebook, pass the notebook's `location`. Two OneNote \
                       calls per part.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = rmcp::handler::server::tool::schema_for_output::<PagePart>()
    )]
    async fn read_page(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(ReadPage {
            page_id,
            location,
            cursor,
        }): Parameters<ReadPage>,
    ) -> Result<CallToolResult, String> {
        let location = location_of(location.as_deref())?;
        let source = self.source(&parts, &location)?;
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
                uri: ResourceUri::for_file(file, &location).to_string(),
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
        let Some(uri) = ResourceUri::parse(&request.uri) else {
            return Err(ErrorData::resource_not_found(
                "not a resource read_page gave",
                None,
            ));
        };
        let source = self
            .source(parts, &uri.location)
            .map_err(|refused| ErrorData::invalid_request(refused, None))?;
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
    /// The caller's OneNote at `location`, at page-view priority.
    fn source(&self, parts: &Parts, location: &Location) -> Result<GraphSource, String> {
        Ok(self.source_for(caller(parts)?, Places::at(location.clone())))
    }

    /// The caller's OneNote at `places`: the shared notebooks' permission for anything but
    /// the user's own notebooks.
    fn source_for(&self, caller: &Issued, places: Places) -> GraphSource {
        let scopes = if places.everything || !places.fixed.is_me() {
            self.exports.shared_scopes.clone()
        } else {
            self.exports.scopes.clone()
        };
        GraphSource {
            graph: self.exports.graph.clone(),
            tokens: self.exports.tokens.clone(),
            credentials: self.exports.credentials.clone(),
            scopes,
            owner: caller.account.clone(),
            places,
        }
    }

    /// Whether the caller's kept sign-in holds the shared notebooks' permission (the user
    /// allowed it in graphnote).
    async fn allows_shared(&self, caller: &Issued) -> bool {
        let mut home = self.exports.credentials.home(&caller.account);
        home.load().await.is_ok()
            && home
                .cache()
                .is_some_and(|c| c.has_scopes(Feature::Shared.scopes()))
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

fn mime_of(file: &onenote_md::ResourceRef) -> Option<String> {
    file.content_type.clone().or_else(|| {
        mime_guess::from_path(&file.file_name)
            .first_raw()
            .map(str::to_string)
    })
}

/// Who is calling, as `endpoint::authenticate` put it in the request.
fn caller(parts: &Parts) -> Result<&Issued, String> {
    parts
        .extensions
        .get::<Caller>()
        .map(|Caller(issued)| issued)
        .ok_or_else(|| "graphnote could not tell who is calling".into())
}
