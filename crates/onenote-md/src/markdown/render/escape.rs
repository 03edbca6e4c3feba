//! Escaping, so that page text is never read back as Markdown (or HTML) markup.
//!
//! Text is escaped where it is written: `*`, `_`, `` ` ``, `[`, `]`, `<`, `|`, `~`, `$` (which
//! starts an equation in Markdown that has them) and `\` always (an `_` inside a word is left alone: it cannot start emphasis), and `&` when it starts
//! an entity such as `&copy;`. (A `!` just before a link is escaped by the inline writer, which knows a link
//! follows.) Characters that only matter at the start of a line (`#`, `>`,
//! `-`, `+`, `=`, `1.`) are escaped there, after the line is laid out. Link destinations are
//! percent-encoded rather than escaped, and code spans get a fence longer than any backtick run
//! inside them.

/// The bytes [`push_text`] may escape, by byte.
static MAY_NEED_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let special = b"\\`*[]<|~$_&";
    let mut index = 0;
    while index < special.len() {
        table[special[index] as usize] = true;
        index += 1;
    }
    table
};

/// Escapes text for use in a Markdown paragraph, heading, table cell or link text.
pub(crate) fn text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    push_text(&mut escaped, text);
    escaped
}

/// [`text`], appended to `out`.
pub(crate) fn push_text(out: &mut String, text: &str) {
    // Most text has nothing to escape: copy it in one go.
    if !text.bytes().any(|b| MAY_NEED_ESCAPE[usize::from(b)]) {
        out.push_str(text);
        return;
    }
    let mut before: Option<char> = None;
    for (index, c) in text.char_indices() {
        let rest = &text[index + c.len_utf8()..];
        let needs_escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' | '$' => true,
            '_' => {
                !(before.is_some_and(|c| c.is_alphanumeric())
                    && rest.chars().next().is_some_and(|c| c.is_alphanumeric()))
            }
            '&' => starts_entity(rest),
            _ => false,
        };
        if needs_escape {
            out.push('\\');
        }
        out.push(c);
        before = Some(c);
    }
}

/// Whether the characters after a `&` would make it an HTML entity (`&copy;`, `&#169;`,
/// `&#xA9;`), which a Markdown parser would decode.
fn starts_entity(after: &str) -> bool {
    let name = after.strip_prefix('#').unwrap_or(after);
    let length = name
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    length > 0 && name.as_bytes().get(length) == Some(&b';')
}

/// Escapes what would start a block at the beginning of each line of a paragraph: an ATX
/// heading (`#`), a quote (`>`), a list (`-`, `+`, `1.`, `1)`), a setext underline (`=`) or a
/// thematic break (`-`). Markup this crate writes never starts with these characters.
pub(crate) fn line_starts(paragraph: String) -> String {
    if !paragraph
        .split('\n')
        .any(|line| line_start_escape(line).is_some())
    {
        return paragraph;
    }
    let mut escaped = String::with_capacity(paragraph.len() + 8);
    for (index, line) in paragraph.split('\n').enumerate() {
        if index > 0 {
            escaped.push('\n');
        }
        match line_start_escape(line) {
            Some(at) => {
                escaped.push_str(&line[..at]);
                escaped.push('\\');
                escaped.push_str(&line[at..]);
            }
            None => escaped.push_str(line),
        }
    }
    escaped
}

/// Where a backslash must go in this line so it does not start a block, if anywhere.
fn line_start_escape(line: &str) -> Option<usize> {
    match line.bytes().next()? {
        b'#' | b'>' | b'-' | b'+' | b'=' => Some(0),
        c if c.is_ascii_digit() => {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            matches!(line.as_bytes().get(digits), Some(b'.' | b')')).then_some(digits)
        }
        _ => None,
    }
}

/// A heading's text, with a closing run of `#` escaped (it would be taken as the optional
/// closing sequence and dropped).
pub(crate) fn heading_end(mut heading: String) -> String {
    let kept = heading.trim_end_matches('#').len();
    if kept < heading.len() {
        heading.insert(kept, '\\');
    }
    heading
}

/// An inline code span: a fence longer than any backtick run in the code, padded with spaces
/// where CommonMark would otherwise strip or misread them. In a GFM table cell `|` is escaped
/// even in code (GFM splits cells before it parses code).
pub(crate) fn code_span(code: &str, in_table: bool) -> String {
    let fence = "`".repeat(longest_backtick_run(code) + 1);
    let pad = code.starts_with('`')
        || code.ends_with('`')
        || (code.starts_with(' ') && code.ends_with(' ') && !code.trim().is_empty());
    let mut body = if pad {
        format!(" {code} ")
    } else {
        code.to_owned()
    };
    if in_table {
        body = body.replace('|', "\\|");
    }
    format!("{fence}{body}{fence}")
}

/// The fence for a fenced code block: at least three backticks, longer than any run inside.
pub(crate) fn code_fence(code: &str) -> String {
    "`".repeat((longest_backtick_run(code) + 1).max(3))
}

/// A web URL as a link destination: characters that would end or confuse the destination (space,
/// `<`, `>`, parentheses, `\`, `|`, controls) are percent-encoded; the URL means the same.
pub(crate) fn url_destination(url: &str) -> String {
    percent_encode(url, |c| {
        matches!(c, ' ' | '<' | '>' | '(' | ')' | '\\' | '|' | '"' | '`') || c.is_control()
    })
}

/// A relative file path as a link destination. A file name is not a URL yet, so `%`, `#` and
/// `?` are encoded too (`50% off.pdf` → `50%25%20off.pdf`).
pub(crate) fn path_destination(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    push_path_destination(&mut encoded, path);
    encoded
}

/// [`path_destination`], appended to `out`.
pub(crate) fn push_path_destination(out: &mut String, path: &str) {
    push_percent_encoded(out, path, |c| {
        matches!(
            c,
            ' ' | '<' | '>' | '(' | ')' | '\\' | '|' | '"' | '`' | '%' | '#' | '?'
        ) || c.is_control()
            || c.is_whitespace()
    });
}

/// Text for HTML element content.
pub(crate) fn html_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Text for a double-quoted HTML attribute value.
pub(crate) fn html_attribute(value: &str) -> String {
    html_text(value).replace('"', "&quot;")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn percent_encode(text: &str, needs_encoding: impl Fn(char) -> bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    push_percent_encoded(&mut encoded, text, needs_encoding);
    encoded
}

fn push_percent_encoded(out: &mut String, text: &str, needs_encoding: impl Fn(char) -> bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if !text.chars().any(&needs_encoding) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        if needs_encoding(c) {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xF)]));
            }
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_metacharacters() {
        assert_eq!(
            text("*a* _b_ [c](d) <e> | ~f~ `g` \\"),
            "\\*a\\* \\_b\\_ \\[c\\](d) \\<e> \\| \\~f\\~ \\`g\\` \\\\"
        );
        assert_eq!(
            text("snake_case AT&T &amp; wow!"),
            "snake_case AT&T \\&amp; wow!"
        );
    }

    #[test]
    fn escapes_block_starts_only_at_line_starts() {
        assert_eq!(
            line_starts("# a\n- b\n2024. c\nd - e\n+ f\n> g".to_owned()),
            "\\# a\n\\- b\n2024\\. c\nd - e\n\\+ f\n\\> g"
        );
        assert_eq!(heading_end("C#".to_owned()), "C\\#");
        assert_eq!(heading_end("Issue ##".to_owned()), "Issue \\##");
    }

    #[test]
    fn code_spans_outlast_their_backticks() {
        assert_eq!(code_span("a`b", false), "``a`b``");
        assert_eq!(code_span("`x`", false), "`` `x` ``");
        assert_eq!(code_span("a|b", true), "`a\\|b`");
        assert_eq!(code_fence("```rust"), "````");
    }

    #[test]
    fn destinations_are_percent_encoded() {
        assert_eq!(
            url_destination("https://en.wikipedia.org/wiki/Rust_(language) x"),
            "https://en.wikipedia.org/wiki/Rust_%28language%29%20x"
        );
        assert_eq!(
            path_destination("resources/50% off #1.pdf"),
            "resources/50%25%20off%20%231.pdf"
        );
    }
}
