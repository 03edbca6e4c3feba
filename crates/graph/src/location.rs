//! Whose OneNote a client's calls read: the signed-in user's own notebooks (`/me/onenote`), a
//! Microsoft 365 group's (`/groups/{id}/onenote`) or a SharePoint site's
//! (`/sites/{id}/onenote`). Ids from a browser or a form become a [`Location`] only when they
//! can be one, so nothing else ever reaches a Graph path.

use serde::{Deserialize, Serialize};

/// Whose OneNote a call reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Location {
    /// The signed-in user's own notebooks (`/me/onenote`).
    #[default]
    Me,
    /// A Microsoft 365 group's, by the group's id (a GUID).
    Group(String),
    /// A SharePoint site's, by Graph's site id (`host,site collection id,web id`).
    Site(String),
}

impl Location {
    /// A group's location, when `id` can be a group id (a GUID).
    pub fn group(id: &str) -> Option<Location> {
        is_guid(id).then(|| Location::Group(id.to_ascii_lowercase()))
    }

    /// A site's location, when `id` can be Graph's site id: a host name, then two GUIDs,
    /// separated by commas.
    pub fn site(id: &str) -> Option<Location> {
        let mut parts = id.split(',');
        let host = parts.next()?;
        let valid_host = !host.is_empty()
            && host.len() <= 253
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        let guids = parts.by_ref().take(2).filter(|p| is_guid(p)).count() == 2;
        (valid_host && guids && parts.next().is_none())
            .then(|| Location::Site(id.to_ascii_lowercase()))
    }

    /// The path segments before `onenote`.
    pub fn segments(&self) -> Vec<&str> {
        match self {
            Location::Me => vec!["me"],
            Location::Group(id) => vec!["groups", id],
            Location::Site(id) => vec!["sites", id],
        }
    }

    pub fn is_me(&self) -> bool {
        matches!(self, Location::Me)
    }

    /// The location in one word, as graphnote's MCP tools name it: `group:{id}` or
    /// `site:{id}`; `None` for the user's own notebooks.
    pub fn tagged(&self) -> Option<String> {
        match self {
            Location::Me => None,
            Location::Group(id) => Some(format!("group:{id}")),
            Location::Site(id) => Some(format!("site:{id}")),
        }
    }

    /// The location a form field or a tool argument names: the user's own notebooks when it is
    /// left out or empty, else [`Location::from_tagged`]'s; `None` when it cannot be one.
    pub fn from_argument(word: Option<&str>) -> Option<Location> {
        match word.map(str::trim).filter(|w| !w.is_empty()) {
            None => Some(Location::Me),
            Some(word) => Location::from_tagged(word),
        }
    }

    /// A location from [`Location::tagged`]'s word, when it can be one.
    pub fn from_tagged(word: &str) -> Option<Location> {
        match word.split_once(':')? {
            ("group", id) => Location::group(id),
            ("site", id) => Location::site(id),
            _ => None,
        }
    }
}

fn is_guid(id: &str) -> bool {
    id.len() == 36 && uuid_shape(id)
}

fn uuid_shape(id: &str) -> bool {
    id.char_indices().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => c == '-',
        _ => c.is_ascii_hexdigit(),
    })
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn only_well_formed_ids_make_locations() {
        let guid = "6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8";
        assert_eq!(Location::group(guid), Some(Location::Group(guid.into())));
        assert_eq!(Location::group("../me"), None);
        assert_eq!(Location::group(&format!("{guid}/x")), None);
        let site = format!("contoso.sharepoint.com,{guid},{guid}");
        assert_eq!(Location::site(&site), Some(Location::Site(site.clone())));
        for bad in [
            format!("contoso.sharepoint.com,{guid}"),
            format!("{site},{guid}"),
            format!("contoso/x,{guid},{guid}"),
            format!(",{guid},{guid}"),
        ] {
            assert_eq!(Location::site(&bad), None, "{bad}");
        }
        assert_eq!(Location::Site(site.clone()).segments()[0], "sites");
        for location in [Location::Group(guid.into()), Location::Site(site)] {
            let word = location.tagged().unwrap();
            assert_eq!(Location::from_tagged(&word), Some(location));
        }
        assert_eq!(Location::Me.tagged(), None);
        assert_eq!(Location::from_argument(None), Some(Location::Me));
        assert_eq!(Location::from_argument(Some(" ")), Some(Location::Me));
        assert_eq!(Location::from_argument(Some("group:x")), None);
        for bad in ["group", "group:", "me:x", "site:x", &format!("team:{guid}")] {
            assert_eq!(Location::from_tagged(bad), None, "{bad}");
        }
    }
}
