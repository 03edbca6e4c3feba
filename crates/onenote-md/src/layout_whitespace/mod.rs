//! The whitespace that only lays out a page's markup, dropped before parsing it for its text.
//!
//! OneNote writes its HTML one element to a line, indented with tabs (docs/protocol.md §10.5).
//! To an HTML parser each `>\n\t\t\t<` is a text node of its own, and in the Markdown converter's
//! profile these runs cost over a third of the parse: more tokens, more text nodes, more tree to
//! build and drop. The converter then throws them away, because whitespace collapses everywhere
//! it reads text but in `<pre>` and in MathML it keeps. So before parsing, a run of whitespace
//! between two tags that holds a newline (`>\n\t\t<`)
//!
//! * goes altogether when one of the two tags is a block boundary (`</p>`, `<li>`, `<br />`, …):
//!   there, as in a browser, whitespace at the edge of a block is not shown;
//! * becomes the newline alone between two other tags (`</span>\n\t<span>`), which collapses to
//!   the same one space.
//!
//! The second never changes the parsed tree but for the whitespace in its text nodes. The first
//! is only right where the parser builds the tree exactly as the tags say: HTML's parser mends
//! broken markup, and its mending can move whitespace away from the block boundary (a formatting
//! element left open is reopened at the next character, whitespace included; text inside a
//! `<table>` but outside its cells is moved before the table; a stray `</div>` is dropped). So
//! the first is done only on pages that [`Survey::strict`] finds written as a tree — OneNote's
//! own pages are — and pages pasted from elsewhere get the second.
//!
//! Text is never touched: a run next to a word keeps all its whitespace, and so do comments and
//! the content of `<title>`, `<style>` and the like. From the first `<pre`, `<listing` or
//! `<math` on nothing is changed. The look at the markup is one quick pass that reads tag names
//! and not attributes: a `<` inside an attribute value passes for a tag, which at worst drops
//! the layout whitespace inside such a value (or finds the page not strict). The page viewer
//! does not use any of this: its HTML goes to a browser as it came.

mod kind;

use std::borrow::Cow;
use std::ops::Range;

pub(crate) use kind::Kind;

/// A page's HTML with its layout whitespace dropped.
pub(crate) struct Prepared<'a> {
    pub html: Cow<'a, str>,
    /// How many `<` the HTML has: about how many elements it will parse into.
    pub tags: usize,
    /// Whether the survey found the whole page written as a tree (see [`Survey::strict`]), to
    /// its end: `crate::strict_tree` can build it without the HTML parser.
    pub written_as_tree: bool,
}

/// The HTML without the layout whitespace between its tags, up to the first verbatim element.
pub(crate) fn drop_layout_whitespace(html: &str) -> Prepared<'_> {
    let bytes = html.as_bytes();
    let survey = Survey::of(bytes);
    let mut kept: Option<String> = None;
    // `html[..copied]` is already in `kept`.
    let mut copied = 0;
    for gap in &survey.gaps {
        let drop_all = gap.at_block_boundary && survey.strict;
        if !drop_all && &bytes[gap.run.clone()] == b"\n" {
            continue;
        }
        let out = kept.get_or_insert_with(|| String::with_capacity(html.len()));
        // The run is ASCII between ASCII bytes: its ends are character boundaries.
        out.push_str(&html[copied..gap.run.start]);
        if !drop_all {
            out.push('\n');
        }
        copied = gap.run.end;
    }
    let html = match kept {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(&html[copied..]);
            Cow::Owned(out)
        }
    };
    Prepared {
        html,
        tags: survey.tags,
        written_as_tree: survey.strict && !survey.verbatim,
    }
}

/// A run of whitespace with a newline in it, between the `>` of one tag and the `<` of the
/// next.
struct Gap {
    run: Range<usize>,
    /// Whether one of the two tags is a block boundary.
    at_block_boundary: bool,
}

/// What one pass over the tags finds.
struct Survey {
    gaps: Vec<Gap>,
    /// Whether the parser builds the page's tree exactly as its tags say, up to the first
    /// verbatim element: it starts with `<html>`, every element is closed by its own end tag
    /// (but `html` and `body`, which may be left to the end of the file), and each is one the
    /// parser puts where it is written, with text only where text stays.
    strict: bool,
    /// Whether the survey stopped at a verbatim element (and so knows nothing of what follows).
    verbatim: bool,
    tags: usize,
}

impl Survey {
    fn of(bytes: &[u8]) -> Survey {
        let mut survey = Survey {
            // Room for the gaps of a page laid out one element to a line, so that the list is
            // not regrown on the way.
            gaps: Vec::with_capacity((bytes.len() / 32).min(4096)),
            strict: true,
            verbatim: false,
            tags: 0,
        };
        // The elements open, innermost last.
        let mut open: Vec<(Kind, &[u8])> = Vec::with_capacity(32);
        // The kind of the tag (or comment: `Unknown`) before the text that reaches up to the
        // next `<`; `None` when that text starts at a `<` that is text.
        let mut previous: Option<Kind> = None;
        // Where the text before the next `<` starts, or (`false`) the tag whose `>` it starts
        // after.
        let mut text_from = (0, true);
        let mut at = 0;
        while let Some(offset) = memchr::memchr(b'<', &bytes[at..]) {
            let start = at + offset;
            survey.tags += 1;
            if survey.strict {
                let text_stays = open.last().is_some_and(|(kind, _)| kind.holds_text());
                survey.strict = text_stays || !has_text(bytes, text_from, start);
            }
            let rest = &bytes[start + 1..];
            if rest.starts_with(b"!--") || matches!(rest.first(), Some(b'!' | b'?')) {
                // A comment, doctype or processing instruction: skipped whole.
                let end = if rest.starts_with(b"!--") {
                    memchr::memmem::find(&rest[3..], b"-->").map(|end| start + 4 + end + 3)
                } else {
                    memchr::memchr(b'>', rest).map(|end| start + 2 + end)
                };
                if let Some(kind) = previous {
                    survey.note_gap(bytes, start, kind, Kind::Unknown);
                }
                previous = Some(Kind::Unknown);
                at = end.unwrap_or(bytes.len());
                text_from = (at, true);
                continue;
            }
            at = start + 1;
            let name = tag_name(bytes, start);
            if name.is_empty() {
                // A `<` that is text.
                previous = None;
                survey.strict &= open.last().is_some_and(|(kind, _)| kind.holds_text());
                continue;
            }
            let kind = Kind::of(name);
            if let Some(before) = previous {
                survey.note_gap(bytes, start, before, kind);
            }
            previous = Some(kind);
            let closing = rest.first() == Some(&b'/');
            let name_end = start + 1 + usize::from(closing) + name.len();
            text_from = (name_end, false);
            if kind == Kind::Verbatim {
                survey.tags += memchr::memchr_iter(b'<', &bytes[at..]).count();
                survey.verbatim = true;
                return survey;
            }
            if survey.strict {
                survey.strict = if closing {
                    open.pop()
                        .is_some_and(|(_, innermost)| innermost.eq_ignore_ascii_case(name))
                } else {
                    let holds = match open.last() {
                        Some((parent, _)) => parent.holds_as_written(kind),
                        None => kind == Kind::Html,
                    };
                    // A link inside a link is closed by the parser, not by its end tag.
                    let nested_link = name.eq_ignore_ascii_case(b"a")
                        && open.iter().any(|(_, e)| e.eq_ignore_ascii_case(b"a"));
                    if !kind.is_void(name) {
                        open.push((kind, name));
                    }
                    holds && !nested_link
                };
            }
            if !closing && kind.is_raw_text(name) {
                at = raw_text_end(bytes, name_end, name).unwrap_or(bytes.len());
                previous = None;
            }
        }
        survey.strict &= !has_text(bytes, text_from, bytes.len())
            && open
                .iter()
                .all(|(kind, _)| matches!(kind, Kind::Html | Kind::Body));
        survey
    }

    /// Notes the run of whitespace that ends at `next` (a `<`), if it follows a `>` and holds a
    /// newline.
    fn note_gap(&mut self, bytes: &[u8], next: usize, before: Kind, after: Kind) {
        let mut start = next;
        let mut has_newline = false;
        while let Some(&byte) = start.checked_sub(1).and_then(|i| bytes.get(i)) {
            match byte {
                b'\n' => has_newline = true,
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            start -= 1;
        }
        if !has_newline || start == 0 || bytes[start - 1] != b'>' {
            return;
        }
        self.gaps.push(Gap {
            run: start..next,
            at_block_boundary: before.is_block_boundary() || after.is_block_boundary(),
        });
    }
}

/// Whether there is text other than whitespace before `end`, starting at `from.0` (exactly,
/// when `from.1`) or after the first `>` from there (the end of the tag whose name ends at
/// `from.0`; a tag without one counts as text).
fn has_text(bytes: &[u8], from: (usize, bool), end: usize) -> bool {
    let (from, exact) = from;
    let segment = &bytes[from.min(end)..end];
    let text = if exact {
        segment
    } else {
        match memchr::memchr(b'>', segment) {
            Some(tag_end) => &segment[tag_end + 1..],
            None => return true,
        }
    };
    !text
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C'))
}

/// Where the end tag `</name` (any letter case) of a raw-text element starts, looking from
/// `from`.
fn raw_text_end(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(&bytes[from..], b"</")
        .map(|offset| from + offset)
        .find(|&start| tag_name(bytes, start).eq_ignore_ascii_case(name))
}

/// The name of the tag that starts at `start` (a `<`), without its `/`; empty when there is no
/// name (a `<` that is text).
fn tag_name(bytes: &[u8], start: usize) -> &[u8] {
    let from = start + 1 + usize::from(bytes.get(start + 1) == Some(&b'/'));
    let rest = bytes.get(from..).unwrap_or_default();
    if !rest.first().is_some_and(u8::is_ascii_alphabetic) {
        return &[];
    }
    let length = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    &rest[..length]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped(html: &str) -> String {
        drop_layout_whitespace(html).html.into_owned()
    }

    /// A strict page around `body`.
    fn page(body: &str) -> String {
        format!("<html>\n<head>\n\t<title>t</title>\n</head>\n<body>{body}</body>\n</html>")
    }

    #[test]
    fn drops_the_whitespace_at_block_boundaries_of_a_strict_page() {
        assert_eq!(
            dropped(&page(
                "\n\t<div>\n\t\t<p>a</p> \r\n  \n\t<P>b</P>\n</div>\n"
            )),
            "<html><head><title>t</title></head><body><div><p>a</p><P>b</P></div></body></html>"
        );
        assert_eq!(
            dropped(&page("<p><span>a</span><br />\n\t<span>b</span></p>")),
            page("<p><span>a</span><br /><span>b</span></p>").replace(['\n', '\t'], "")
        );
    }

    #[test]
    fn keeps_a_newline_between_inline_tags() {
        assert_eq!(
            dropped(&page(
                "<p><b>a</b>\n\t\t<i>b</i>\n\t<!-- c -->\n\t<img src=x></p>"
            )),
            page("<p><b>a</b>\n<i>b</i>\n<!-- c -->\n<img src=x></p>")
                .replace(['\t'], "")
                .replace(">\n<head>\n<title>", "><head><title>")
                .replace("</title>\n</head>\n<body>", "</title></head><body>")
                .replace("</body>\n</html>", "</body></html>")
        );
    }

    #[test]
    fn only_keeps_the_newline_where_the_parser_mends_the_markup() {
        for (mended, why) in [
            (
                "<ul><li><i>a</ul>\n\t<table><tr><td>b</table>",
                "reopened <i>",
            ),
            ("<b><p>a</b>\n\t<p>b</p>", "misnested"),
            ("<a>x<a>y</a></a>\n\t<p>b</p>", "link in a link"),
            ("<p>x</p></div>\n\t<p>b</p>", "stray end tag"),
            (
                "<table>x<tr><td>a</td></tr></table>\n\t<p>b</p>",
                "text moved out of the table",
            ),
            ("<p>a<div>b</div></p>\n\t<p>c</p>", "block in a paragraph"),
            ("<p>a</p>\n\t<x-y>b</x-y>", "an element not followed"),
        ] {
            let result = dropped(&page(mended));
            assert!(
                result.contains(&mended.replace('\t', "")),
                "{why}: {result}"
            );
        }
        assert!(
            dropped("<p>a</p>\n\t<p>b</p>").contains("</p>\n<p>"),
            "no <html>"
        );
    }

    #[test]
    fn leaves_comments_and_raw_text_alone() {
        let html = "<html><head><title>a</p>\n\t<p>b</TITLE><style>p>\n\t<p{}</style></head>\n\t<body><p>a</p><!-- x>\n\t<p -->\n\t<p>b</p></body></html>";
        assert_eq!(
            dropped(html),
            "<html><head><title>a</p>\n\t<p>b</TITLE><style>p>\n\t<p{}</style></head><body><p>a</p><!-- x>\n\t<p --><p>b</p></body></html>"
        );
    }

    #[test]
    fn keeps_everything_from_the_first_verbatim_element_on() {
        for verbatim in [
            "<PRE>\n\t<b>code</b></PRE>",
            "<listing>\n\t<b>code</b></listing>",
            "<p><math>\n\t<mi>x</mi>\n</math></p>\n\t<p>a</p>",
        ] {
            assert!(dropped(&page(verbatim)).contains(verbatim));
        }
        assert!(
            dropped(&page("<div>\n\t<p>a</p>\n\t<pre>\n\t<b>code</b></pre>"))
                .contains("<div><p>a</p><pre>\n\t<b>code</b></pre>")
        );
        // `<prefix>` is not a `<pre>`.
        assert!(dropped("<prefix>\n\t<p>a</p>").contains("<prefix>\n<p>a</p>"));
    }
}
