//! The URIs `read_page` gives a page's images and attachments, which the client reads back
//! with `resources/read`: never a Graph URL (the client could not use one without the user's
//! Microsoft token, which never leaves graphnote).
//!
//! - `graphnote://onenote/resources/{id}/{name}`: a file OneNote keeps (an image, an
//!   attachment), fetched by its OneNote id; the name gives its type.
//! - `graphnote://onenote/pages/{page-id}/{file}`: a file the converter makes from the page
//!   itself (an ink drawing as SVG, a picture the page carries inline), made again from the
//!   page.

use std::fmt;

use onenote_md::ResourceRef;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

const RESOURCES: &str = "graphnote://onenote/resources/";
const PAGES: &str = "graphnote://onenote/pages/";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceUri {
    OneNote { id: String, name: String },
    OnPage { page_id: String, file_name: String },
}

impl ResourceUri {
    /// The URI of `file`, a file of page `page_id`'s Markdown.
    pub fn for_file(page_id: &str, file: &ResourceRef) -> ResourceUri {
        if file.id.is_empty() {
            ResourceUri::OnPage {
                page_id: page_id.to_string(),
                file_name: file.file_name.clone(),
            }
        } else {
            let name = file.file_name.rsplit('/').next().unwrap_or_default();
            ResourceUri::OneNote {
                id: file.id.clone(),
                name: name.to_string(),
            }
        }
    }

    /// A URI this module made, or `None`.
    pub fn parse(uri: &str) -> Option<ResourceUri> {
        let decode = |s: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        };
        if let Some(rest) = uri.strip_prefix(RESOURCES) {
            let (id, name) = rest.split_once('/')?;
            let name = decode(name)?;
            let safe = onenote_md::is_valid_resource_id(id) && !name.contains(['/', '\\']);
            return safe.then(|| ResourceUri::OneNote {
                id: id.to_string(),
                name,
            });
        }
        let rest = uri.strip_prefix(PAGES)?;
        let (page_id, file_name) = rest.split_once('/')?;
        let file_name = decode(file_name)?;
        let safe = onenote_md::is_valid_resource_id(page_id) && !file_name.contains("..");
        safe.then(|| ResourceUri::OnPage {
            page_id: page_id.to_string(),
            file_name,
        })
    }

    /// The file's name, whose extension says its type.
    pub fn file_name(&self) -> &str {
        match self {
            ResourceUri::OneNote { name, .. } => name,
            ResourceUri::OnPage { file_name, .. } => file_name,
        }
    }
}

impl fmt::Display for ResourceUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceUri::OneNote { id, name } => {
                write!(
                    f,
                    "{RESOURCES}{id}/{}",
                    utf8_percent_encode(name, NON_ALPHANUMERIC)
                )
            }
            ResourceUri::OnPage { page_id, file_name } => write!(
                f,
                "{PAGES}{page_id}/{}",
                utf8_percent_encode(file_name, NON_ALPHANUMERIC)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_read_back_as_they_were_made() {
        let made = [
            ResourceUri::OneNote {
                id: "0-abc123!1-def".into(),
                name: "floor plan (v2).png".into(),
            },
            ResourceUri::OnPage {
                page_id: "0-page!1-x".into(),
                file_name: "resources/ink 1.svg".into(),
            },
        ];
        for uri in made {
            assert_eq!(ResourceUri::parse(&uri.to_string()), Some(uri));
        }
    }

    #[test]
    fn hostile_uris_are_refused() {
        for uri in [
            "https://graph.microsoft.com/v1.0/me/onenote/resources/1/$value",
            "graphnote://onenote/resources/../x/a.png",
            "graphnote://onenote/resources/1/a%2Fb.png",
            "graphnote://onenote/pages/1/..%2F..%2Fetc",
            "graphnote://onenote/pages/a b/x.svg",
            "graphnote://onenote/resources/1",
        ] {
            assert_eq!(ResourceUri::parse(uri), None, "{uri}");
        }
    }
}
