//! The YAML front matter at the top of the Markdown file.
//!
//! Every value is written as a YAML double-quoted scalar, escaping what needs it, so a title like
//! `Q3: "final" #2` or one holding a newline can never break the YAML or smuggle in keys.

/// `---`, one `key: "value"` line per present field, `---`, written at the end of `out`.
pub(crate) fn write_front_matter(out: &mut String, fields: &[(&str, Option<&str>)]) {
    out.push_str("---\n");
    for (key, value) in fields {
        if let Some(value) = value {
            out.push_str(key);
            out.push_str(": ");
            push_double_quoted(out, value);
            out.push('\n');
        }
    }
    out.push_str("---\n");
}

/// How long the front matter of these fields is, about: room to reserve for it.
pub(crate) fn front_matter_len(fields: &[(&str, Option<&str>)]) -> usize {
    let field_len =
        |(key, value): &(&str, Option<&str>)| value.map_or(0, |v| key.len() + v.len() + 6);
    8 + fields.iter().map(field_len).sum::<usize>()
}

/// A YAML double-quoted scalar, written at the end of `out`: `\` and `"` escaped, and every
/// character YAML treats as a line break or will not print (controls, U+0085, U+2028, U+2029,
/// the byte-order mark) written as an escape.
fn push_double_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}') => {
                use std::fmt::Write;
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_present_fields_quoted() {
        let mut yaml = String::new();
        write_front_matter(
            &mut yaml,
            &[
                ("title", Some("Q3: \"final\" #2\nsecond line")),
                ("created", None),
                ("onenote_web_url", Some("https://x.example/?a=1&b=2")),
            ],
        );
        assert_eq!(
            yaml,
            "---\ntitle: \"Q3: \\\"final\\\" #2\\nsecond line\"\nonenote_web_url: \"https://x.example/?a=1&b=2\"\n---\n"
        );
    }

    #[test]
    fn escapes_invisible_line_breaks() {
        let mut quoted = String::new();
        push_double_quoted(&mut quoted, "a\u{2028}b\u{85}c");
        assert_eq!(quoted, "\"a\\u2028b\\u0085c\"");
    }
}
