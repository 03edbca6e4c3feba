//! Parsing Graph paths by hand. axum's path patterns cannot match OData key segments such as
//! `users('ada@contoso.example')` or `pages('1-…')`, so Graph routes are one catch-all and this
//! module turns the path into segments: percent-decoded, empty segments skipped, and every
//! `name(key)` segment split into `name` and `key` (quotes removed, `''` unescaped). The three
//! spellings `/me/…`, `/users/{id|upn}/…` and `/users('{upn}')/…` then look the same. Groups'
//! and sites' notebooks are under `/groups/{id}/…` and `/sites/{id}/…`.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::error::GraphError;

/// Whose data a path is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Me,
    /// `/users/{id|upn}` in any spelling, as written by the caller.
    User(String),
    /// `/groups/{id}`.
    Group(String),
    /// `/sites/{host,collection id,web id}`.
    Site(String),
}

/// A parsed `/v1.0/…` path.
#[derive(Debug, Clone)]
pub struct GraphPath {
    pub subject: Subject,
    /// Decoded segments after the subject.
    pub rest: Vec<String>,
}

/// Splits `/v1.0/…` into its subject and the remaining segments.
pub fn parse(path: &str) -> Result<GraphPath, GraphError> {
    let after_version = path.strip_prefix("/v1.0").unwrap_or(path);
    let segments = segments(after_version)?;
    let Some(first) = segments.first() else {
        return Err(GraphError::segment_not_found("v1.0"));
    };
    if first.eq_ignore_ascii_case("me") {
        return Ok(GraphPath {
            subject: Subject::Me,
            rest: segments[1..].to_vec(),
        });
    }
    let subject: fn(String) -> Subject = match first.to_ascii_lowercase().as_str() {
        "users" => Subject::User,
        "groups" => Subject::Group,
        "sites" => Subject::Site,
        _ => return Err(GraphError::segment_not_found(first)),
    };
    let Some(key) = segments.get(1) else {
        return Err(GraphError::segment_not_found(first));
    };
    Ok(GraphPath {
        subject: subject(key.clone()),
        rest: segments[2..].to_vec(),
    })
}

fn segments(path: &str) -> Result<Vec<String>, GraphError> {
    let mut out = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| GraphError::bad_request("The request URI is not valid UTF-8."))?
            .into_owned();
        match split_key(&decoded) {
            Some((name, key)) => {
                out.push(name.to_string());
                out.push(key);
            }
            None => out.push(decoded),
        }
    }
    Ok(out)
}

/// `name('key')` or `name(key)` → (`name`, `key`).
fn split_key(segment: &str) -> Option<(&str, String)> {
    let open = segment.find('(')?;
    let inner = segment.strip_suffix(')')?.get(open + 1..)?;
    let name = &segment[..open];
    if name.is_empty() {
        return None;
    }
    let key = match inner.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => inner.to_string(),
    };
    Some((name, key))
}

/// Characters escaped when a decoded segment is written back into a URL. OneNote ids keep their
/// `!`, UPNs their `@`, and `$value` its `$`, as Graph writes them.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Encodes one path segment for a URL the emulator hands out.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// An OData key inside `@odata.context`: `!` and `@` are percent-encoded there (docs/protocol.md §10.3).
pub fn odata_key(key: &str) -> String {
    encode_segment(key)
        .replace('!', "%21")
        .replace('@', "%40")
        .replace('\'', "''")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_spellings_of_a_user() {
        let a = parse("/v1.0/users('ada%40contoso.example')/onenote/pages").unwrap();
        let b = parse("/v1.0/users/ada@contoso.example/onenote/pages").unwrap();
        assert_eq!(a.subject, Subject::User("ada@contoso.example".into()));
        assert_eq!(a.subject, b.subject);
        assert_eq!(a.rest, ["onenote", "pages"]);
        let me = parse("/v1.0/me/onenote/pages('1-ab%2112-cd')/content").unwrap();
        assert_eq!(me.subject, Subject::Me);
        assert_eq!(me.rest, ["onenote", "pages", "1-ab!12-cd", "content"]);
    }

    #[test]
    fn unknown_roots_are_not_found() {
        assert_eq!(parse("/v1.0/teams/x").unwrap_err().code, "ResourceNotFound");
        assert!(parse("/v1.0/groups").is_err());
        assert_eq!(
            parse("/v1.0/sites/contoso.sharepoint.com,1,2/onenote")
                .unwrap()
                .subject,
            Subject::Site("contoso.sharepoint.com,1,2".into())
        );
        assert!(parse("/v1.0").is_err());
        assert!(parse("/v1.0/%ff").is_err());
    }

    #[test]
    fn keys_are_encoded_for_context_urls() {
        assert_eq!(odata_key("1-ab!12-cd"), "1-ab%2112-cd");
        assert_eq!(odata_key("ada@contoso.example"), "ada%40contoso.example");
    }
}
