//! Writing a page's output tree as OneNote's output HTML: the `<head>` with title and
//! `<meta name="created">` (seven fractional digits), the body with `data-absolute-enabled`, one
//! block element per line (tab-indented), inline content kept on its block's line. `img`, `br`
//! and `object` are written self-closing (`<object … />`) as OneNote's own output is. With
//! `includeIDs=true`, blocks get generated ids like `p:{guid}{7}`.

use std::fmt::Write;

use time::OffsetDateTime;
use uuid::Uuid;

use super::tree::{Element, Node, is_inline};
use crate::clock::onenote_meta_created;

/// Elements that get an `id` with `includeIDs=true`.
const IDENTIFIED: &[&str] = &[
    "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "td", "img",
    "object", "iframe",
];

/// Elements written without an end tag.
const SELF_CLOSING: &[&str] = &["img", "br", "object"];

/// The full output document of a page.
pub fn render_page(
    title: &str,
    lang: &str,
    created: OffsetDateTime,
    body: &[Node],
    include_ids: Option<Uuid>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<html lang=\"{}\">", escape_attr(lang));
    out.push_str("\t<head>\n");
    let _ = writeln!(out, "\t\t<title>{}</title>", escape_text(title));
    out.push_str("\t\t<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\" />\n");
    let _ = writeln!(
        out,
        "\t\t<meta name=\"created\" content=\"{}\" />",
        onenote_meta_created(created)
    );
    out.push_str("\t</head>\n");
    out.push_str(
        "\t<body data-absolute-enabled=\"true\" style=\"font-family:Calibri;font-size:11pt\">\n",
    );
    let mut writer = Writer {
        out,
        ids: include_ids.map(|guid| (guid, 0)),
    };
    for node in body {
        writer.block(node, 2);
    }
    let mut out = writer.out;
    out.push_str("\t</body>\n</html>\n");
    out
}

/// Only the body's content (tests and previews of single fragments).
pub fn render_body(body: &[Node]) -> String {
    let mut writer = Writer {
        out: String::new(),
        ids: None,
    };
    for node in body {
        writer.block(node, 0);
    }
    writer.out
}

/// The page's text for `/preview`: whitespace collapsed, at most 300 characters.
pub fn preview_text(body: &[Node]) -> String {
    fn collect(node: &Node, out: &mut String) {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Comment(_) => {}
            Node::Element(e) => {
                for child in &e.children {
                    collect(child, out);
                }
                if !is_inline(node) || e.name == "br" {
                    out.push(' ');
                }
            }
        }
    }
    let mut text = String::new();
    for node in body {
        collect(node, &mut text);
    }
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(300).collect()
}

struct Writer {
    out: String,
    /// The page's id guid and the last number handed out.
    ids: Option<(Uuid, u32)>,
}

impl Writer {
    fn block(&mut self, node: &Node, depth: usize) {
        let indent = "\t".repeat(depth);
        match node {
            Node::Element(e)
                if !e.children.is_empty() && e.children.iter().all(|c| !is_inline(c)) =>
            {
                let _ = write!(self.out, "{indent}");
                self.open(e);
                self.out.push('\n');
                for child in &e.children {
                    self.block(child, depth + 1);
                }
                let _ = writeln!(self.out, "{indent}</{}>", e.name);
            }
            _ => {
                self.out.push_str(&indent);
                self.inline(node);
                self.out.push('\n');
            }
        }
    }

    fn inline(&mut self, node: &Node) {
        match node {
            Node::Text(t) => self.out.push_str(&escape_text(t)),
            Node::Comment(c) => {
                let _ = write!(self.out, "<!-- {c} -->");
            }
            Node::Element(e) => {
                self.open(e);
                if SELF_CLOSING.contains(&e.name) {
                    return;
                }
                for child in &e.children {
                    self.inline(child);
                }
                let _ = write!(self.out, "</{}>", e.name);
            }
        }
    }

    fn open(&mut self, e: &Element) {
        let _ = write!(self.out, "<{}", e.name);
        if let Some((guid, n)) = &mut self.ids
            && IDENTIFIED.contains(&e.name)
        {
            *n += 1;
            let _ = write!(self.out, " id=\"{}:{{{guid}}}{{{n}}}\"", e.name);
        }
        for (name, value) in &e.attrs {
            let _ = write!(self.out, " {name}=\"{}\"", escape_attr(value));
        }
        self.out.push_str(if SELF_CLOSING.contains(&e.name) {
            " />"
        } else {
            ">"
        });
    }
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn escape_attr(text: &str) -> String {
    escape_text(text).replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn documents_have_onenote_head_and_body() {
        let body = vec![
            Element::new("div")
                .attr("style", "position:absolute")
                .children(vec![
                    Element::new("p")
                        .children(vec![Node::Text("a < b & \"c\"".into())])
                        .into(),
                ])
                .into(),
        ];
        let html = render_page("T&C", "en-GB", datetime!(2025-01-02 09:00 UTC), &body, None);
        assert!(html.starts_with("<html lang=\"en-GB\">\n\t<head>\n\t\t<title>T&amp;C</title>"));
        assert!(html.contains("<meta name=\"created\" content=\"2025-01-02T09:00:00.0000000\" />"));
        assert!(html.contains(
            "\t\t<div style=\"position:absolute\">\n\t\t\t<p>a &lt; b &amp; \"c\"</p>\n\t\t</div>\n"
        ));
        let guid = Uuid::nil();
        let with_ids = render_page(
            "T",
            "en-GB",
            datetime!(2025-01-02 09:00 UTC),
            &body,
            Some(guid),
        );
        assert!(
            with_ids.contains("<div id=\"div:{00000000-0000-0000-0000-000000000000}{1}\""),
            "{with_ids}"
        );
        assert!(with_ids.contains("<p id=\"p:{00000000-0000-0000-0000-000000000000}{2}\">"));
        assert_eq!(preview_text(&body), "a < b & \"c\"");
    }
}
