//! Property tests.
//!
//! * Neither `to_markdown` nor `sanitize_page` panics, on arbitrary strings or on tag soup built
//!   from the tags and attributes OneNote pages (and attackers) use, nested and left unclosed.
//! * Sanitized output is always safe: no `<script`, no `javascript:`, no `on…=` attributes, only
//!   allowed elements (checked on the parsed DOM as well as on the text).
//! * Markdown is well formed, and script content never leaks into it.
//! * Text survives Markdown: any text, with any mix of bold, italic, strike-through, code and
//!   links, reads back from a CommonMark parser as the same characters with the same formatting.

use crate::support::{RESOURCE_PREFIX, assert_safe, markdown_to_html};
use onenote_md::sanitize::sanitize_page;
use onenote_md::{PageMeta, to_markdown};
use proptest::prelude::*;
use scraper::{ElementRef, Html, Node, Selector};

/// Text put inside `script` and `style` elements; it must never reach any output.
const SCRIPT_MARK: &str = "SCRIPTMARK";

const TAGS: &[&str] = &[
    "div",
    "p",
    "span",
    "b",
    "i",
    "u",
    "s",
    "strong",
    "em",
    "sup",
    "sub",
    "del",
    "a",
    "br",
    "img",
    "object",
    "iframe",
    "ul",
    "ol",
    "li",
    "table",
    "tbody",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h6",
    "pre",
    "code",
    "blockquote",
    "hr",
    "cite",
    "font",
    "script",
    "style",
    "svg",
    "math",
    "form",
    "input",
    "textarea",
    "title",
    "head",
    "body",
    "noscript",
    "template",
    "base",
    "meta",
    "html",
    "select",
    "option",
    "button",
    "frameset",
    "xmp",
];

const URLS: &[&str] = &[
    "https://graph.microsoft.com/v1.0/users('ada@contoso.example')/onenote/resources/1-aa!1-8e/$value",
    "https://graph.microsoft.com/v1.0/me/onenote/resources/0-f7!1-73!10456/content",
    "https://graph.microsoft.com/v1.0/me/onenote/resources/../../x/$value",
    "https://example.com/page?a=1&b=2",
    "mailto:ada@contoso.example",
    "onenote:https://contoso/Notes.one#Page&section-id={1}",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "//evil.example/x",
    "/relative",
    "",
];

const STYLES: &[&str] = &[
    "position:absolute;left:48px;top:120px;width:624px",
    "position:absolute;left:10px;top:5px",
    "font-family:Consolas;font-size:10pt",
    "font-family:'Courier New'",
    "font-weight:bold",
    "font-weight:normal",
    "font-style:italic",
    "text-decoration:line-through",
    "text-decoration:underline",
    "color:#ff0000;background-color:yellow",
    "background:url(javascript:alert(1))",
    "width:expression(alert(1))",
    "@import 'x'",
    "color:red\\;x",
    "list-style-type:none",
    "",
];

const NAMES: &[&str] = &[
    "report.pdf",
    "Report.PDF",
    "../../etc/passwd",
    "a\"b<c>.txt",
    "見積書.docx",
    "",
    "CON",
    "x\u{202E}fdp.exe",
];

const TEXTS: &[&str] = &[
    "Hello",
    " world ",
    "*stars* and _underscores_",
    "[brackets](x) ![img](y)",
    "# hash",
    "- dash",
    "1. one",
    "| pipe |",
    "`tick` ``two``",
    "<angle> &amp; &lt;b&gt;",
    "\\ backslash",
    "~tilde~",
    "مرحبا بالعالم",
    "שלום",
    "会议记录",
    "🎉👩🏽‍💻",
    "\u{A0}\u{A0}indented",
    "\n\t  \n",
    "",
];

#[derive(Debug, Clone)]
enum Soup {
    Text(&'static str),
    Comment(&'static str),
    Element {
        tag: &'static str,
        attributes: Vec<(&'static str, &'static str)>,
        children: Vec<Soup>,
        closed: bool,
    },
}

fn attribute() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop_oneof![
        (
            prop::sample::select(
                &[
                    "src",
                    "data-fullres-src",
                    "href",
                    "data",
                    "data-original-src"
                ][..]
            ),
            prop::sample::select(URLS)
        ),
        prop::sample::select(STYLES).prop_map(|style| ("style", style)),
        prop::sample::select(
            &[
                "to-do",
                "to-do:completed",
                "important, idea",
                "call-back",
                "<x>",
                ""
            ][..]
        )
        .prop_map(|tag| ("data-tag", tag)),
        prop::sample::select(NAMES).prop_map(|name| ("data-attachment", name)),
        prop::sample::select(NAMES).prop_map(|name| ("alt", name)),
        prop::sample::select(&["image/png", "image/svg+xml", "application/pdf", ""][..])
            .prop_map(|t| ("data-src-type", t)),
        prop::sample::select(&["onclick", "onerror", "onload", "ONMOUSEOVER"][..])
            .prop_map(|handler| (handler, "alert(1)")),
        prop::sample::select(&["rtl", "ltr", "\" onclick=\"x"][..]).prop_map(|dir| ("dir", dir)),
        prop::sample::select(&["3", "-1", "99999999999", "x"][..])
            .prop_map(|start| ("start", start)),
        Just(("face", "Consolas")),
    ]
}

fn soup() -> impl Strategy<Value = Soup> {
    let leaf = prop_oneof![
        prop::sample::select(TEXTS).prop_map(Soup::Text),
        prop::sample::select(
            &[
                " InkNode is not supported ",
                " plain comment ",
                "--><script>x</script><!--"
            ][..]
        )
        .prop_map(Soup::Comment),
    ];
    leaf.prop_recursive(6, 96, 6, |inner| {
        (
            prop::sample::select(TAGS),
            prop::collection::vec(attribute(), 0..4),
            prop::collection::vec(inner, 0..6),
            prop::bool::weighted(0.85),
        )
            .prop_map(|(tag, attributes, children, closed)| Soup::Element {
                tag,
                attributes,
                children,
                closed,
            })
    })
}

/// Writes the soup as HTML, with `layout` between every two neighbouring tags (as a page laid
/// out one element to a line has).
fn write_soup(node: &Soup, html: &mut String, layout: &str) {
    let tag_start = |html: &mut String| {
        if html.ends_with('>') {
            html.push_str(layout);
        }
        html.push('<');
    };
    match node {
        Soup::Text(text) => html.push_str(&text.replace('&', "&amp;").replace('<', "&lt;")),
        Soup::Comment(comment) => {
            tag_start(html);
            html.push_str(&format!("!--{comment}-->"));
        }
        Soup::Element {
            tag,
            attributes,
            children,
            closed,
        } => {
            tag_start(html);
            html.push_str(tag);
            for (name, value) in attributes {
                html.push_str(&format!(" {name}=\"{}\"", value.replace('"', "&quot;")));
            }
            html.push('>');
            if matches!(*tag, "script" | "style") {
                html.push_str(&format!("{SCRIPT_MARK} alert(1)"));
            } else {
                for child in children {
                    write_soup(child, html, layout);
                }
            }
            if *closed {
                tag_start(html);
                html.push_str(&format!("/{tag}>"));
            }
        }
    }
}

fn soup_page(nodes: &[Soup]) -> String {
    laid_out_soup_page(nodes, "")
}

fn laid_out_soup_page(nodes: &[Soup], layout: &str) -> String {
    let mut body = String::new();
    for node in nodes {
        write_soup(node, &mut body, layout);
    }
    format!(
        "<html lang=\"en\"><head><title>Soup</title></head><body data-absolute-enabled=\"true\" style=\"font-family:Calibri\">{body}</body></html>"
    )
}

fn check_markdown(html: &str) {
    let conversion = to_markdown(html, &PageMeta::default());
    let markdown = &conversion.markdown;
    assert!(markdown.starts_with("---\n"), "{markdown}");
    assert!(
        markdown.ends_with('\n') && !markdown.ends_with("\n\n"),
        "{markdown:?}"
    );
    assert!(!markdown.contains("\n\n\n"), "{markdown}");
    assert!(!markdown.contains(SCRIPT_MARK), "{markdown}");
    for resource in &conversion.resources {
        assert!(onenote_md::is_valid_resource_id(&resource.id));
        assert!(resource.file_name.starts_with("resources/") && !resource.file_name.contains(".."));
        assert_eq!(resource.file_name.matches('/').count(), 1);
    }
    // Whatever the Markdown says, a Markdown renderer must not get a script out of it.
    let rendered = markdown_to_html(markdown);
    let document = Html::parse_document(&rendered);
    let active =
        Selector::parse("script, style, iframe, object, embed, svg, math, form").expect("selector");
    assert_eq!(
        document.select(&active).count(),
        0,
        "{markdown}\n{rendered}"
    );
}

fn check_sanitized(html: &str) {
    let page = sanitize_page(html, &|id| format!("{RESOURCE_PREFIX}{id}"));
    let body = &page.body_html;
    assert_safe(body);
    let lower = body.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{body}");
    assert!(
        !lower.contains(SCRIPT_MARK.to_ascii_lowercase().as_str()),
        "{body}"
    );
    assert!(!has_handler_attribute_text(&lower), "{body}");
}

/// ` on…=` inside a tag of the markup: an event-handler attribute, as text. (Only inside tags:
/// page text may well say `a ona=`, and the sanitizer escapes every `<` of text.)
fn has_handler_attribute_text(html: &str) -> bool {
    html.split('<')
        .skip(1)
        .map(|tag| tag.split('>').next().unwrap_or_default())
        .any(|tag| {
            tag.match_indices(" on").any(|(at, _)| {
                let rest = &tag[at + 3..];
                let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
                name_len > 0 && rest[name_len..].trim_start().starts_with('=')
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_string_is_handled(input in any::<String>()) {
        let markdown = to_markdown(&input, &PageMeta::default());
        prop_assert!(markdown.markdown.ends_with('\n'));
        let page = sanitize_page(&input, &|id| format!("{RESOURCE_PREFIX}{id}"));
        assert_safe(&page.body_html);
    }

    #[test]
    fn html_like_strings_are_handled(input in r#"[<>/="' a-z!&;#\-]{0,300}"#) {
        check_markdown(&input);
        check_sanitized(&input);
    }

    #[test]
    fn tag_soup_is_handled_safely(nodes in prop::collection::vec(soup(), 1..5)) {
        let html = soup_page(&nodes);
        check_markdown(&html);
        check_sanitized(&html);
    }

    /// Whitespace collapses, so markup laid out one element to a line converts as it does with
    /// a single space between its tags: whatever the converter drops of the layout before
    /// parsing (at block boundaries all of it, misnested formatting or not) it may drop.
    /// (Whitespace is content in a `<pre>`, and in a `<math>` kept as MathML: a `div` and a
    /// `span` stand in for them.)
    #[test]
    fn layout_whitespace_between_tags_changes_nothing(
        nodes in prop::collection::vec(soup(), 1..5),
        layout in prop::sample::select(&["\n", "\n\t\t", " \r\n  \n\t"][..]),
    ) {
        let nodes: Vec<Soup> = nodes.iter().map(without_verbatim).collect();
        let spaced = to_markdown(&laid_out_soup_page(&nodes, " "), &PageMeta::default());
        let laid_out = to_markdown(&laid_out_soup_page(&nodes, layout), &PageMeta::default());
        prop_assert_eq!(laid_out, spaced);
    }

    /// The same for well-formed pages, like OneNote's own: there the layout at block boundaries
    /// goes altogether.
    #[test]
    fn layout_whitespace_in_well_formed_pages_changes_nothing(
        nodes in prop::collection::vec(soup(), 1..5),
        layout in prop::sample::select(&["\n", "\n\t\t", " \r\n  \n\t"][..]),
    ) {
        let nodes: Vec<Soup> = nodes
            .iter()
            .filter_map(|node| well_formed(node, Context::Flow))
            .collect();
        let spaced = to_markdown(&laid_out_soup_page(&nodes, " "), &PageMeta::default());
        let laid_out = to_markdown(&laid_out_soup_page(&nodes, layout), &PageMeta::default());
        prop_assert_eq!(laid_out, spaced);
    }
}

/// Where an element of a well-formed page sits.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    /// Blocks and inline content: `body`, `div`, `li`, `td`, `blockquote`.
    Flow,
    /// Inline content only: `p`, headings, `span`, `b`, ….
    Phrasing {
        in_link: bool,
    },
    List,
    Table,
    Row,
}

/// The soup mended into a page the parser builds as written: each element one its parent may
/// hold (a `<td>` in a `<tr>`, an `<li>` or a list in a list, no `<div>` in a `<p>`, no link in
/// a link), every element
/// closed, text only where text may be. (`<pre>` and `<math>` go as in [`without_verbatim`].)
fn well_formed(node: &Soup, context: Context) -> Option<Soup> {
    const FLOW: &[&str] = &[
        "div",
        "p",
        "ul",
        "ol",
        "table",
        "h1",
        "h2",
        "h3",
        "h6",
        "blockquote",
        "hr",
    ];
    const PHRASING: &[&str] = &[
        "span", "b", "i", "u", "s", "strong", "em", "sup", "sub", "del", "a", "br", "img", "code",
        "cite", "font", "object",
    ];
    let (tag, attributes, children) = match node {
        Soup::Text(_) | Soup::Comment(_)
            if matches!(context, Context::List | Context::Table | Context::Row) =>
        {
            return None;
        }
        // (A `<` in a comment or an attribute value makes the converter's quick look at the
        // tags take the page for one that is not well formed: those are left out, to test the
        // pages that are.)
        Soup::Comment(comment) if comment.contains('<') => return None,
        Soup::Text(_) | Soup::Comment(_) => return Some(node.clone()),
        Soup::Element {
            tag,
            attributes,
            children,
            ..
        } => (*tag, attributes, children),
    };
    let tag = match context {
        Context::List if matches!(tag, "ul" | "ol") => tag,
        Context::List => "li",
        Context::Table => "tr",
        Context::Row => "td",
        Context::Phrasing { in_link: true } if tag == "a" => "span",
        Context::Phrasing { .. } if !PHRASING.contains(&tag) => "span",
        Context::Flow if !FLOW.contains(&tag) && !PHRASING.contains(&tag) => "div",
        _ => tag,
    };
    let inner = match tag {
        "ul" | "ol" => Context::List,
        "table" => Context::Table,
        "tr" => Context::Row,
        "div" | "li" | "td" | "blockquote" => Context::Flow,
        _ => Context::Phrasing {
            in_link: tag == "a" || context == Context::Phrasing { in_link: true },
        },
    };
    let children = if matches!(tag, "br" | "img" | "hr") {
        Vec::new()
    } else {
        children
            .iter()
            .filter_map(|child| well_formed(child, inner))
            .collect()
    };
    Some(Soup::Element {
        tag,
        attributes: attributes
            .iter()
            .filter(|(_, value)| !value.contains('<'))
            .copied()
            .collect(),
        children,
        closed: !matches!(tag, "br" | "img" | "hr"),
    })
}

/// The soup with each `<pre>` a `<div>` and each `<math>` a `<span>`.
fn without_verbatim(node: &Soup) -> Soup {
    match node {
        Soup::Element {
            tag,
            attributes,
            children,
            closed,
        } => Soup::Element {
            tag: match *tag {
                "pre" => "div",
                "math" => "span",
                tag => tag,
            },
            attributes: attributes.clone(),
            children: children.iter().map(without_verbatim).collect(),
            closed: *closed,
        },
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Text survives Markdown, with its formatting.

/// A run of text and how it is formatted in the page.
#[derive(Debug, Clone)]
struct Segment {
    text: String,
    bold: bool,
    italic: bool,
    strike: bool,
    code: bool,
    link: bool,
    /// Formatting written as OneNote does (a styled span) rather than as tags.
    styled: bool,
}

fn segment() -> impl Strategy<Value = Segment> {
    (
        r#"[a-zA-Z0-9 *_\[\]#|<>`~!&;:().\\\-+="']{1,10}|[é中ع🎉 ]{1,4}"#,
        any::<[bool; 6]>(),
    )
        .prop_map(
            |(text, [bold, italic, strike, code, link, styled])| Segment {
                text,
                bold,
                italic,
                strike,
                code,
                link,
                styled,
            },
        )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn segment_html(segment: &Segment) -> String {
    let mut html = escape_html(&segment.text);
    if segment.styled {
        let mut style = String::new();
        if segment.bold {
            style.push_str("font-weight:bold;");
        }
        if segment.italic {
            style.push_str("font-style:italic;");
        }
        if segment.strike {
            style.push_str("text-decoration:line-through;");
        }
        if segment.code {
            style.push_str("font-family:Consolas;");
        }
        html = format!("<span style=\"{style}\">{html}</span>");
    } else {
        for (on, tag) in [
            (segment.code, "code"),
            (segment.strike, "s"),
            (segment.italic, "i"),
            (segment.bold, "b"),
        ] {
            if on {
                html = format!("<{tag}>{html}</{tag}>");
            }
        }
    }
    if segment.link {
        html = format!("<a href=\"https://example.com/x\">{html}</a>");
    }
    html
}

/// (character, bold, italic, strike) for every visible character.
type Styled = Vec<(char, bool, bool, bool)>;

fn expected_styles(segments: &[Segment]) -> Styled {
    segments
        .iter()
        .flat_map(|s| {
            s.text
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(move |c| (c, s.bold, s.italic, s.strike))
        })
        .collect()
}

fn rendered_styles(
    element: ElementRef<'_>,
    bold: bool,
    italic: bool,
    strike: bool,
    out: &mut Styled,
) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => out.extend(
                text.chars()
                    .filter(|c| !c.is_whitespace())
                    .map(|c| (c, bold, italic, strike)),
            ),
            Node::Element(e) => {
                let name = e.name();
                if let Some(child) = ElementRef::wrap(child) {
                    rendered_styles(
                        child,
                        bold || matches!(name, "strong" | "b"),
                        italic || matches!(name, "em" | "i"),
                        strike || matches!(name, "del" | "s"),
                        out,
                    );
                }
            }
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn text_and_formatting_survive_markdown(mut segments in prop::collection::vec(segment(), 1..8)) {
        // Plain text at the end keeps an all-monospace paragraph from becoming a code block.
        segments.push(Segment {
            text: " end".to_owned(),
            bold: false,
            italic: false,
            strike: false,
            code: false,
            link: false,
            styled: false,
        });
        let body: String = segments.iter().map(segment_html).collect();
        let html = format!("<html><head><title>t</title></head><body><p>{body}</p></body></html>");
        let markdown = to_markdown(&html, &PageMeta::default()).markdown;
        let rendered = markdown_to_html(&markdown);
        let document = Html::parse_document(&rendered);
        let mut actual = Styled::new();
        rendered_styles(document.root_element(), false, false, false, &mut actual);
        let expected = expected_styles(&segments);
        prop_assert_eq!(
            &actual, &expected,
            "\nhtml: {}\nmarkdown: {}\nrendered: {}", html, markdown, rendered
        );
    }
}
