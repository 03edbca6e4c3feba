//! OneDrive and SharePoint files through Graph, as far as a notebook's own files need it: the
//! drive item a notebook's web address names, a folder's children, and a file's bytes streamed
//! to disk. None of these calls is a OneNote call: they pass no OneNote budget (the drive API
//! throttles on its own, with 429 or 503 and `Retry-After`, which the client's retries honour).
//!
//! From a notebook to its files: Graph's `/shares/{share-id}/driveItem` turns a web address into
//! the item it names. Its documentation says "To access a shared item using a sharing URL,
//! encode the URL using base64 […] convert the base64 encoded result to unpadded base64url
//! format […] append u! to the beginning of the string"
//! (<https://learn.microsoft.com/graph/api/shares-get>); a notebook's `links.oneNoteWebUrl` is
//! such an address in OneDrive for Business and SharePoint, where it names the notebook's
//! `package` item. This is used rather than a path in the user's drive because a notebook's
//! path is not in the OneNote API's answers, and a path in `/me/drive` cannot reach a notebook
//! that lives in a SharePoint library. Where it does not resolve (a personal OneDrive's
//! notebook address, say) the caller falls back to the page API.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::header;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::GraphClient;
use crate::error::GraphError;

/// A drive item, as far as reading a notebook's files needs it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DriveItem {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub e_tag: Option<String>,
    #[serde(default)]
    pub c_tag: Option<String>,
    #[serde(default)]
    pub last_modified_date_time: Option<String>,
    #[serde(default)]
    pub parent_reference: Option<ParentReference>,
    /// Present on folders.
    #[serde(default)]
    pub folder: Option<serde_json::Value>,
    /// Present on files.
    #[serde(default)]
    pub file: Option<serde_json::Value>,
    /// Present on packages; a notebook's is `{"type": "oneNote"}`.
    #[serde(default)]
    pub package: Option<serde_json::Value>,
}

impl DriveItem {
    pub fn is_file(&self) -> bool {
        self.file.is_some()
    }

    pub fn is_folder(&self) -> bool {
        self.folder.is_some() || self.package.is_some()
    }

    /// The drive that holds the item.
    pub fn drive_id(&self) -> Option<&str> {
        self.parent_reference.as_ref()?.drive_id.as_deref()
    }

    /// What changes when the item's content changes: its `cTag`, else its `eTag`.
    pub fn version(&self) -> Option<&str> {
        self.c_tag.as_deref().or(self.e_tag.as_deref())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ParentReference {
    #[serde(default)]
    pub drive_id: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Deserialize)]
struct Children {
    value: Vec<DriveItem>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

/// What is asked of each item: only what is used.
const SELECT: &str =
    "id,name,size,eTag,cTag,lastModifiedDateTime,parentReference,folder,file,package";
/// Children are followed at most this many pages deep (a loop in `nextLink` must not hang us).
const MAX_CHILD_PAGES: usize = 100;

/// `u!` and the address in unpadded base64url: how `/shares/` takes a web address.
pub fn share_id(web_url: &str) -> String {
    format!("u!{}", URL_SAFE_NO_PAD.encode(web_url))
}

impl GraphClient {
    fn drive_url(&self, segments: &[&str]) -> Url {
        let mut url = self.url("");
        if let Ok(mut path) = url.path_segments_mut() {
            // Each segment is percent-encoded: an id can never add path levels.
            path.pop_if_empty().extend(segments);
        }
        url.query_pairs_mut().append_pair("$select", SELECT);
        url
    }

    /// The drive item a web address (a notebook's `oneNoteWebUrl`) names.
    pub async fn shared_drive_item(
        &self,
        token: &str,
        web_url: &str,
    ) -> Result<DriveItem, GraphError> {
        let url = self.drive_url(&["shares", &share_id(web_url), "driveItem"]);
        self.get_json(token, url).await
    }

    /// A folder's (or package's) children, every page of them.
    pub async fn drive_children(
        &self,
        token: &str,
        drive_id: &str,
        item_id: &str,
    ) -> Result<Vec<DriveItem>, GraphError> {
        let mut items = Vec::new();
        let mut next = Some(self.drive_url(&["drives", drive_id, "items", item_id, "children"]));
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            let page: Children = self.get_json(token, url).await?;
            items.extend(page.value);
            if pages >= MAX_CHILD_PAGES {
                break;
            }
            if let Some(link) = page.next_link {
                let url =
                    Url::parse(&link).map_err(|_| GraphError::BadNextLink("it is not a URL"))?;
                if !self.is_own(&url) {
                    return Err(GraphError::BadNextLink("it points outside Graph"));
                }
                next = Some(url);
            }
        }
        Ok(items)
    }

    /// Streams a file's bytes to `to` (never whole in memory); the number written. Graph answers
    /// the content call with a redirect to a pre-authenticated address: it is followed without
    /// the token, and only to `https` or to this Graph endpoint's own origin.
    pub async fn download_drive_file(
        &self,
        token: &str,
        drive_id: &str,
        item_id: &str,
        to: &Path,
    ) -> Result<u64, GraphError> {
        let mut url = self.url("");
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .extend(["drives", drive_id, "items", item_id, "content"]);
        }
        let first = self
            .get_allowing_redirect(token, url, "application/octet-stream")
            .await?;
        let response = if first.status().is_redirection() {
            let location = first
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| Url::parse(v).ok())
                .ok_or(GraphError::BadRedirect("it has no address"))?;
            if location.scheme() != "https" && !self.same_origin(&location) {
                return Err(GraphError::BadRedirect(
                    "it is neither https nor Graph's own",
                ));
            }
            self.get_unauthenticated(location).await?
        } else {
            first
        };
        write_body(response, to).await
    }
}

/// Writes a response's body to `to`, chunk by chunk.
async fn write_body(mut response: reqwest::Response, to: &Path) -> Result<u64, GraphError> {
    use tokio::io::AsyncWriteExt;
    let io = GraphError::Write;
    let mut file = tokio::fs::File::create(to).await.map_err(io)?;
    let mut written = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| GraphError::Transport(e.without_url()))?
    {
        file.write_all(&chunk).await.map_err(io)?;
        written += chunk.len() as u64;
    }
    file.flush().await.map_err(io)?;
    Ok(written)
}
