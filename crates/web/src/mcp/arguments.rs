//! What the MCP tools' arguments mean: a `read_page` cursor (where the next part of a page
//! starts, in which version of it) and where that part ends, a `list_pages` cursor, the words
//! of a search, and a notebook's `location`. Each is checked before any OneNote call: an
//! argument that cannot be one is told back in words.

use graph::Location;

/// How much of a page one `read_page` call returns; the rest follows with the cursor.
pub const PAGE_CHUNK_BYTES: usize = 100_000;

/// Where a part of `markdown` starting at byte `start` ends: at most [`PAGE_CHUNK_BYTES`] on,
/// after a whole line where there is one. `None` when `start` is not a place a part begins.
pub struct Part {
    pub end: usize,
}

pub fn part_of(markdown: &str, start: usize) -> Option<Part> {
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
pub fn words_of(query: &str) -> Result<Vec<String>, String> {
    let words: Vec<String> = query.split_whitespace().map(str::to_string).collect();
    if words.is_empty() || words.len() > 8 || words.iter().any(|w| w.chars().count() > 50) {
        return Err("query must be 1 to 8 words of at most 50 characters each".into());
    }
    Ok(words)
}

/// A version of a page as a cursor carries it: the start of its Markdown's SHA-256, so any
/// change to what the page reads as is a new version, whatever its clock said.
pub fn version_of(markdown: &str) -> String {
    export::manifest::sha256_hex(markdown.as_bytes())[..16].to_string()
}

/// A `read_page` cursor, `{offset}v{version}`: where the next part starts, in the version of
/// the page the first part came from. No cursor is the start, of whatever version.
pub fn page_cursor(cursor: Option<&str>) -> Option<(usize, Option<String>)> {
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
pub fn offset(cursor: Option<&str>) -> Option<usize> {
    match cursor {
        None => Some(0),
        Some(c) if c.len() <= 12 && c.bytes().all(|b| b.is_ascii_digit()) => c.parse().ok(),
        Some(_) => None,
    }
}

/// The `location` argument: the user's own notebooks when left out.
pub fn location_of(word: Option<&str>) -> Result<Location, String> {
    Location::from_argument(word)
        .ok_or_else(|| "location is not one list_notebooks gave: take it from there".into())
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
