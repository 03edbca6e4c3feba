//! OneNote's XHTML habits, undone before parsing.
//!
//! OneNote writes attachments and video embeds as self-closing tags, `<object … />` and
//! `<iframe … />` (docs/protocol.md §10.5). In HTML the `/` means nothing on these elements: a parser
//! leaves the `object` open, so everything after it on the page becomes its fallback content,
//! and an `iframe` swallows the rest of the document as raw text. Both are plainly not what
//! OneNote meant, so before parsing, `<object … />` becomes `<object …></object>` (the same for
//! `iframe`). Nothing else is touched.

use std::borrow::Cow;

/// Elements OneNote writes self-closing that HTML does not treat as empty.
const SELF_CLOSED_ELEMENTS: &[&str] = &["object", "iframe"];

/// The HTML with `<object … />` and `<iframe … />` written as an open and a close tag.
pub(crate) fn expand_self_closing(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut expanded: Option<String> = None;
    // `html[..copied]` is already in `expanded`.
    let mut copied = 0;
    let mut position = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[position..]) {
        let start = position + offset;
        // Most of a page is tags: look at the names only after a `<o` or `<i`.
        let might_match = bytes
            .get(start + 1)
            .is_some_and(|b| matches!(b.to_ascii_lowercase(), b'o' | b'i'));
        let Some(name) = might_match
            .then(|| {
                SELF_CLOSED_ELEMENTS
                    .iter()
                    .find(|name| is_start_tag(bytes, start + 1, name))
            })
            .flatten()
        else {
            position = start + 1;
            continue;
        };
        let Some(end) = tag_end(bytes, start + 1 + name.len()) else {
            break;
        };
        if bytes[end - 1] == b'/' {
            let out = expanded.get_or_insert_with(|| String::with_capacity(html.len() + 64));
            // `end - 1` and `end` are ASCII bytes, so these are character boundaries.
            out.push_str(&html[copied..end - 1]);
            out.push_str("></");
            out.push_str(name);
            out.push('>');
            copied = end + 1;
        }
        position = end + 1;
    }
    match expanded {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(&html[copied..]);
            Cow::Owned(out)
        }
    }
}

/// Whether `name` (any letter case) starts at `at` and is followed by what ends a tag name.
fn is_start_tag(bytes: &[u8], at: usize, name: &str) -> bool {
    let end = at + name.len();
    bytes
        .get(at..end)
        .is_some_and(|found| found.eq_ignore_ascii_case(name.as_bytes()))
        && bytes
            .get(end)
            .is_some_and(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
}

/// The index of the `>` that ends a tag whose attributes start at `from`, skipping quoted
/// attribute values (a quote starts a value only right after `=`).
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    let mut after_equals = false;
    for (index, &byte) in bytes.iter().enumerate().skip(from) {
        if let Some(open) = quote {
            if byte == open {
                quote = None;
            }
            continue;
        }
        match byte {
            b'>' => return Some(index),
            b'=' => {
                after_equals = true;
                continue;
            }
            b'"' | b'\'' if after_equals => quote = Some(byte),
            byte if byte.is_ascii_whitespace() => continue,
            _ => {}
        }
        after_equals = false;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_self_closing_objects_and_iframes() {
        assert_eq!(
            expand_self_closing(
                r#"<OBJECT data-attachment="a/b.pdf" data='x>y' /><p>after</p><iframe src=v/>"#
            ),
            r#"<OBJECT data-attachment="a/b.pdf" data='x>y' ></object><p>after</p><iframe src=v></iframe>"#
        );
    }

    #[test]
    fn leaves_everything_else_alone() {
        for html in [
            "<img src=x />",
            "<objects/>",
            "<object>",
            "<object data=\"unterminated",
            "<",
            "é<object/",
        ] {
            assert_eq!(expand_self_closing(html), html);
        }
    }
}
