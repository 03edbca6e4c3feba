//! Recognising Graph OneNote resource URLs and taking the resource id out of them.
//!
//! This is a security boundary. The web app serves `/onenote/resources/{id}` by fetching that id
//! from Graph for the signed-in user, and it takes ids only from here; it never fetches a URL
//! found in page HTML. So anything odd is rejected rather than repaired: percent-encoding, dot
//! segments, queries, characters outside the id alphabet. A page that really is from OneNote never
//! needs any of those.

use thiserror::Error;

/// The longest resource id accepted. Real ids are well under 100 characters.
const MAX_ID_LEN: usize = 200;

/// Why a URL is not a OneNote resource URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ResourceUrlError {
    #[error("not an absolute http(s) URL")]
    NotHttp,
    #[error(
        "the URL contains a character a resource URL never has (percent-encoding, whitespace, backslash, non-ASCII …)"
    )]
    UnsafeCharacter,
    #[error("the URL has a query or a fragment")]
    QueryOrFragment,
    #[error(
        "the path is not …/{{version}}/{{me|users/…|groups/…|sites/…}}/onenote/resources/{{id}}/$value (or /content)"
    )]
    NotAResourcePath,
    #[error("the resource id is not made of letters, digits and `!_.-`")]
    InvalidId,
}

/// The resource id in a Graph OneNote resource URL, in any of the spellings `/me/…`,
/// `/users/{id|upn}/…`, `/users('{upn}')/…`, with `$value` or `/content`; `None` for anything
/// else.
///
/// ```
/// use onenote_md::resource_id_from_url;
/// let url = "https://graph.microsoft.com/v1.0/users('ada@contoso.example')/onenote/resources/1-aa11!1-8e7d/$value";
/// assert_eq!(resource_id_from_url(url).as_deref(), Some("1-aa11!1-8e7d"));
/// assert_eq!(resource_id_from_url("https://evil.example/x.png"), None);
/// ```
pub fn resource_id_from_url(url: &str) -> Option<String> {
    parse_resource_url(url).ok()
}

/// Like [`resource_id_from_url`], but says why a URL was rejected.
pub fn parse_resource_url(url: &str) -> Result<String, ResourceUrlError> {
    let rest = strip_http_scheme(url).ok_or(ResourceUrlError::NotHttp)?;
    // One pass for both checks (this runs for every image and attachment of every page).
    let mut query_or_fragment = false;
    for byte in rest.bytes() {
        if !PLAIN_URL_BYTES[usize::from(byte)] {
            return Err(ResourceUrlError::UnsafeCharacter);
        }
        query_or_fragment |= matches!(byte, b'?' | b'#');
    }
    if query_or_fragment {
        return Err(ResourceUrlError::QueryOrFragment);
    }
    let (host, path) = rest
        .split_once('/')
        .ok_or(ResourceUrlError::NotAResourcePath)?;
    if host.is_empty() || host.contains('@') {
        // No host, or user info (`https://graph.microsoft.com@evil.example/…`).
        return Err(ResourceUrlError::NotHttp);
    }
    // Resource paths are short: the segments fit on the stack.
    let mut segments: [&str; 16] = [""; 16];
    let mut count = 0;
    for segment in path.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." || count == segments.len() {
            return Err(ResourceUrlError::NotAResourcePath);
        }
        segments[count] = segment;
        count += 1;
    }
    let id = resource_segment(&segments[..count]).ok_or(ResourceUrlError::NotAResourcePath)?;
    if !is_valid_resource_id(id) {
        return Err(ResourceUrlError::InvalidId);
    }
    Ok(id.to_owned())
}

/// Whether `id` looks like a OneNote resource id: 1 to 200 characters from `[A-Za-z0-9!_.-]`,
/// and not only dots (so never `.` or `..`).
///
/// The web app should check ids that come from a browser with this before using them.
pub fn is_valid_resource_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'!' | b'_' | b'.' | b'-'))
        && !id.bytes().all(|b| b == b'.')
}

/// The URL without `http://` or `https://` (any letter case), or `None` for other schemes.
fn strip_http_scheme(url: &str) -> Option<&str> {
    ["https://", "http://"].iter().find_map(|scheme| {
        let head = url.get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme)
            .then(|| &url[scheme.len()..])
    })
}

/// Printable ASCII that needs no escaping in a URL, by byte. `%` is left out on purpose: real
/// resource URLs are never percent-encoded, and decoding is where path tricks hide.
static PLAIN_URL_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).is_ascii_graphic()
            && !matches!(
                byte as u8,
                b'%' | b'\\' | b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'|' | b'^'
            );
        byte += 1;
    }
    table
};

/// The id segment of a path shaped `…/{version}/{owner}/onenote/resources/{id}/{$value|content}`,
/// where owner is `me`, `users/{x}`, `users('{x}')`, the same with `groups` or `sites` (a
/// group's or a SharePoint site's notebooks), or `siteCollections/{x}/sites/{y}`.
fn resource_segment<'a>(segments: &[&'a str]) -> Option<&'a str> {
    let [before @ .., onenote, resources, id, value] = segments else {
        return None;
    };
    let fixed_parts_match = onenote.eq_ignore_ascii_case("onenote")
        && resources.eq_ignore_ascii_case("resources")
        && (*value == "$value" || value.eq_ignore_ascii_case("content"));
    (fixed_parts_match && owner_then_version(before)).then_some(*id)
}

/// Whether the segments end with a Graph version followed by one of the owner spellings.
fn owner_then_version(segments: &[&str]) -> bool {
    let is_version = |s: &str| s == "v1.0" || s == "beta";
    match segments {
        [.., version, me] if me.eq_ignore_ascii_case("me") && is_version(version) => true,
        [.., version, owner] if is_quoted_owner(owner) && is_version(version) => true,
        [.., version, kind, _owner] if is_owner_kind(kind) && is_version(version) => true,
        [.., version, collections, _, sites, _]
            if collections.eq_ignore_ascii_case("siteCollections")
                && sites.eq_ignore_ascii_case("sites")
                && is_version(version) =>
        {
            true
        }
        _ => false,
    }
}

/// `users`, `groups` or `sites`.
fn is_owner_kind(segment: &str) -> bool {
    ["users", "groups", "sites"]
        .iter()
        .any(|kind| segment.eq_ignore_ascii_case(kind))
}

/// `users('ada@contoso.example')` (or `groups('…')`, `sites('…')`), with something between the
/// quotes.
fn is_quoted_owner(segment: &str) -> bool {
    segment
        .split_once("('")
        .is_some_and(|(kind, key)| is_owner_kind(kind) && key.len() > 2 && key.ends_with("')"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_owner_spellings_and_both_endings() {
        let id = "0-f717b5fa5eaa454da7ecdf72a8c137fe!1-73DBAF9B7E5C4B4C!10456";
        for owner in [
            "me",
            "users/ada@contoso.example",
            "users('ada@contoso.example')",
            "groups/6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8",
            "groups('6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8')",
            "sites/contoso.sharepoint.com,1,2",
            "sites('contoso.sharepoint.com,1,2')",
            "siteCollections/1/sites/2",
        ] {
            for ending in ["$value", "content"] {
                let url = format!(
                    "https://graph.microsoft.com/v1.0/{owner}/onenote/resources/{id}/{ending}"
                );
                assert_eq!(parse_resource_url(&url), Ok(id.to_owned()), "{url}");
            }
        }
    }

    #[test]
    fn other_roots_are_not_owners() {
        let id = "1-aa11!1-8e7d";
        for owner in ["teams/1", "groups", "users('')", "drives('x')", "me/x"] {
            let url =
                format!("https://graph.microsoft.com/v1.0/{owner}/onenote/resources/{id}/$value");
            assert_eq!(
                parse_resource_url(&url),
                Err(ResourceUrlError::NotAResourcePath),
                "{url}"
            );
        }
    }

    #[test]
    fn dot_only_ids_are_not_ids() {
        assert!(!is_valid_resource_id("."));
        assert!(!is_valid_resource_id(".."));
        assert!(is_valid_resource_id("a.b"));
        assert!(!is_valid_resource_id(""));
        assert!(!is_valid_resource_id(&"a".repeat(201)));
    }
}
