//! The URIs `read_page` gives a page's images and attachments, which the client reads back
//! with `resources/read`: `graphnote://onenote/resources/{id}/{name}`, a file OneNote keeps,
//! fetched by its OneNote id (the name gives its type) — under
//! `graphnote://onenote/groups/{group}/…` or `…/sites/{site}/…` for a team's or a site's page. Never a Graph URL: the client could
//! not use one without the user's Microsoft token, which never leaves graphnote. (What a page
//! carries inline, as ink drawings, is in its Markdown as `data:` URLs, as in the `.md`
//! download.)

use std::fmt;

use graph::Location;
use onenote_md::ResourceRef;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

const ROOT: &str = "graphnote://onenote/";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUri {
    /// Whose notebook the page is in.
    pub location: Location,
    /// The OneNote resource id.
    pub id: String,
    /// The file's name, whose extension says its type.
    pub name: String,
}

impl ResourceUri {
    /// The URI of `file`, a OneNote resource a page's Markdown links to.
    pub fn for_file(file: &ResourceRef, location: &Location) -> ResourceUri {
        let name = file.file_name.rsplit('/').next().unwrap_or_default();
        ResourceUri {
            location: location.clone(),
            id: file.id.clone(),
            name: name.to_string(),
        }
    }

    /// A URI this module made, or `None`.
    pub fn parse(uri: &str) -> Option<ResourceUri> {
        let rest = uri.strip_prefix(ROOT)?;
        let (location, rest) = match rest.split_once('/')? {
            ("resources", rest) => (Location::Me, rest),
            ("groups", rest) => {
                let (id, rest) = rest.split_once('/')?;
                (Location::group(id)?, rest.strip_prefix("resources/")?)
            }
            ("sites", rest) => {
                let (id, rest) = rest.split_once('/')?;
                (Location::site(id)?, rest.strip_prefix("resources/")?)
            }
            _ => return None,
        };
        let (id, name) = rest.split_once('/')?;
        let name = percent_decode_str(name).decode_utf8().ok()?.into_owned();
        let safe = onenote_md::is_valid_resource_id(id) && !name.contains(['/', '\\']);
        safe.then(|| ResourceUri {
            location,
            id: id.to_string(),
            name,
        })
    }
}

impl fmt::Display for ResourceUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = utf8_percent_encode(&self.name, NON_ALPHANUMERIC);
        let place = match &self.location {
            Location::Me => String::new(),
            Location::Group(id) => format!("groups/{id}/"),
            Location::Site(id) => format!("sites/{id}/"),
        };
        write!(f, "{ROOT}{place}resources/{}/{name}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_read_back_as_they_were_made() {
        let guid = "6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8";
        for location in [
            Location::Me,
            Location::Group(guid.into()),
            Location::Site(format!("contoso.sharepoint.com,{guid},{guid}")),
        ] {
            let made = ResourceUri {
                location,
                id: "0-abc123!1-def".into(),
                name: "floor plan (v2).png".into(),
            };
            assert_eq!(ResourceUri::parse(&made.to_string()), Some(made));
        }
        assert_eq!(
            ResourceUri {
                location: Location::Me,
                id: "1-a".into(),
                name: "a.png".into()
            }
            .to_string(),
            "graphnote://onenote/resources/1-a/a%2Epng",
            "the user's own files keep the URIs clients already hold"
        );
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
            "graphnote://onenote/groups/../resources/1/x.png",
            "graphnote://onenote/groups/not-a-guid/resources/1/x.png",
            "graphnote://onenote/sites/x/resources/1/x.png",
            "graphnote://onenote/teams/6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8/resources/1/x.png",
        ] {
            assert_eq!(ResourceUri::parse(uri), None, "{uri}");
        }
    }
}
