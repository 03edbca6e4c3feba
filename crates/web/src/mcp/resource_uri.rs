//! The URIs `read_page` gives a page's images and attachments, which the client reads back
//! with `resources/read`: `graphnote://onenote/resources/{id}/{name}`, a file OneNote keeps,
//! fetched by its OneNote id (the name gives its type). Never a Graph URL: the client could
//! not use one without the user's Microsoft token, which never leaves graphnote. (What a page
//! carries inline, as ink drawings, is in its Markdown as `data:` URLs, as in the `.md`
//! download.)

use std::fmt;

use onenote_md::ResourceRef;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

const RESOURCES: &str = "graphnote://onenote/resources/";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUri {
    /// The OneNote resource id.
    pub id: String,
    /// The file's name, whose extension says its type.
    pub name: String,
}

impl ResourceUri {
    /// The URI of `file`, a OneNote resource a page's Markdown links to.
    pub fn for_file(file: &ResourceRef) -> ResourceUri {
        let name = file.file_name.rsplit('/').next().unwrap_or_default();
        ResourceUri {
            id: file.id.clone(),
            name: name.to_string(),
        }
    }

    /// A URI this module made, or `None`.
    pub fn parse(uri: &str) -> Option<ResourceUri> {
        let (id, name) = uri.strip_prefix(RESOURCES)?.split_once('/')?;
        let name = percent_decode_str(name).decode_utf8().ok()?.into_owned();
        let safe = onenote_md::is_valid_resource_id(id) && !name.contains(['/', '\\']);
        safe.then(|| ResourceUri {
            id: id.to_string(),
            name,
        })
    }
}

impl fmt::Display for ResourceUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = utf8_percent_encode(&self.name, NON_ALPHANUMERIC);
        write!(f, "{RESOURCES}{}/{name}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_read_back_as_they_were_made() {
        let made = ResourceUri {
            id: "0-abc123!1-def".into(),
            name: "floor plan (v2).png".into(),
        };
        assert_eq!(ResourceUri::parse(&made.to_string()), Some(made));
    }

    #[test]
    fn hostile_uris_are_refused() {
        for uri in [
            "https://graph.microsoft.com/v1.0/me/onenote/resources/1/$value",
            "graphnote://onenote/resources/../x/a.png",
            "graphnote://onenote/resources/1/a%2Fb.png",
            "graphnote://onenote/resources/1/a%5Cb.png",
            "graphnote://onenote/pages/1/x.svg",
            "graphnote://onenote/resources/a b/x.png",
            "graphnote://onenote/resources/1",
        ] {
            assert_eq!(ResourceUri::parse(uri), None, "{uri}");
        }
    }
}
