//! The YAML front matter at the top of the Markdown file.
//!
//! Every value is written as a YAML double-quoted scalar, escaping what needs it, so a title like
//! `Q3: "final" #2` or one holding a newline can never break the YAML or smuggle in keys.

/// `---`, one `key: "value"` line per present field, `---`.
pub(crate) fn front_matter(fields: &[(&str, Option<&str>)]) -> String {
    let mut yaml = String::from("---\n");
    for (key, value) in fields {
        if let Some(value) = value {
            yaml.push_str(key);
            yaml.push_str(": ");
            yaml.push_str(&double_quoted(value));
            yaml.push('\n');
        }
    }
    yaml.push_str("---\n");
    yaml
}

/// A YAML double-quoted scalar: `\` and `"` escaped, and every character YAML treats as a line
/// break or will not print (controls, U+0085, U+2028, U+2029, the byte-order mark) written as
/// an escape.
fn double_quoted(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}') => {
                quoted.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_present_fields_quoted() {
        let yaml = front_matter(&[
            ("title", Some("Q3: \"final\" #2\nsecond line")),
            ("created", None),
            ("onenote_web_url", Some("https://x.example/?a=1&b=2")),
        ]);
        assert_eq!(
            yaml,
            "---\ntitle: \"Q3: \\\"final\\\" #2\\nsecond line\"\nonenote_web_url: \"https://x.example/?a=1&b=2\"\n---\n"
        );
    }

    #[test]
    fn escapes_invisible_line_breaks() {
        assert_eq!(double_quoted("a\u{2028}b\u{85}c"), "\"a\\u2028b\\u0085c\"");
    }
}
