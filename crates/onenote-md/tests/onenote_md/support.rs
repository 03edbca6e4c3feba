//! Helpers shared by the integration test modules.

use scraper::{ElementRef, Html, Node};

const ALLOWED_ELEMENTS: &[&str] = &[
    "div",
    "p",
    "span",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "br",
    "hr",
    "b",
    "i",
    "u",
    "s",
    "strong",
    "em",
    "sup",
    "sub",
    "a",
    "img",
    "pre",
    "code",
    "cite",
    "del",
    "blockquote",
];

/// MathML's presentation elements (MathML Core's, and the older ones OneNote's equations use):
/// the only elements allowed in the MathML namespace, and nothing but them inside an equation.
const MATH_ELEMENTS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "mtext",
    "ms",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mlabeledtr",
    "mtd",
    "mstyle",
    "mfenced",
    "menclose",
    "mpadded",
    "mphantom",
    "mmultiscripts",
    "mprescripts",
    "none",
    "merror",
    "maction",
];

/// MathML attributes that only change how an equation is drawn.
const MATH_ATTRIBUTES: &[&str] = &[
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "separators",
    "accent",
    "accentunder",
    "linethickness",
    "open",
    "close",
    "notation",
    "columnalign",
    "rowalign",
    "scriptlevel",
    "displaystyle",
    "lspace",
    "rspace",
    "depth",
];

const MATHML_NAMESPACE: &str = "http://www.w3.org/1998/Math/MathML";

pub const RESOURCE_PREFIX: &str = "/onenote/resources/";

/// Every way the sanitized HTML could run script, load something from elsewhere, or break out.
pub fn assert_safe(body_html: &str) {
    let fragment = Html::parse_fragment(body_html);
    for node in fragment.tree.nodes() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        let name = element.name();
        if name == "html" || name == "body" {
            continue; // the fragment parser's own wrapper
        }
        let is_math = &*element.name.ns == MATHML_NAMESPACE;
        let in_math = node
            .ancestors()
            .filter_map(|a| a.value().as_element())
            .any(|a| &*a.name.ns == MATHML_NAMESPACE);
        if is_math {
            assert!(
                MATH_ELEMENTS.contains(&name),
                "MathML <{name}> survived in {body_html}"
            );
        } else {
            assert!(
                !in_math,
                "<{name}> ({}) inside an equation in {body_html}",
                element.name.ns
            );
            assert!(
                ALLOWED_ELEMENTS.contains(&name),
                "element <{name}> survived in {body_html}"
            );
        }
        for (attribute, value) in element.attrs() {
            if is_math && attribute != "style" {
                assert!(
                    MATH_ATTRIBUTES.contains(&attribute)
                        || attribute == "width"
                        || attribute == "height",
                    "attribute {attribute} on MathML <{name}> in {body_html}"
                );
                assert!(
                    !value.contains(['<', '>', '"', '\'', '=', '&', ':']),
                    "{attribute}={value:?} on MathML <{name}> in {body_html}"
                );
                continue;
            }
            let lower = value.to_ascii_lowercase();
            assert!(
                !attribute.starts_with("on"),
                "handler {attribute} survived in {body_html}"
            );
            assert!(
                !lower.contains("javascript:")
                    && !lower.contains("vbscript:")
                    && !lower.contains("data:"),
                "{attribute}={value} survived in {body_html}"
            );
            match attribute {
                "src" => assert!(
                    value.starts_with(RESOURCE_PREFIX),
                    "img src {value} in {body_html}"
                ),
                "href" => assert!(
                    value.starts_with(RESOURCE_PREFIX)
                        || lower.starts_with("https://")
                        || lower.starts_with("http://")
                        || lower.starts_with("mailto:"),
                    "href {value} in {body_html}"
                ),
                "style" => {
                    let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
                    for forbidden in [
                        "url(",
                        "expression",
                        "@import",
                        "\\",
                        "position",
                        "behavior",
                        "binding",
                        "left:",
                        "top:",
                    ] {
                        assert!(
                            !squeezed.contains(forbidden),
                            "style {value} in {body_html}"
                        );
                    }
                }
                "dir" | "lang" | "alt" | "width" | "height" | "rel" | "class" | "start"
                | "colspan" | "rowspan" => {}
                other => panic!("attribute {other} survived in {body_html}"),
            }
        }
        if name == "a" {
            assert_eq!(
                element.attr("rel"),
                Some("noopener noreferrer"),
                "{body_html}"
            );
            assert_eq!(element.attr("target"), None, "{body_html}");
        }
    }
}

/// Markdown (with YAML front matter) rendered to HTML by a CommonMark + GFM parser.
pub fn markdown_to_html(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_MATH;
    let mut rendered = String::new();
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    rendered
}

/// Elements whose content a reader never sees.
const HIDDEN: &[&str] = &[
    "script", "style", "head", "title", "noscript", "template", "svg", "math", "textarea",
    "select", "button", "input", "iframe", "object", "xmp", "noembed", "noframes",
];

/// Elements that separate words even without whitespace between them.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "td",
    "th",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "br",
    "hr",
    "body",
    "html",
];

/// The words a reader sees in HTML: text outside hidden elements, split at whitespace and at
/// block boundaries.
pub fn visible_words(html: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let mut text = String::new();
    collect_text(document.root_element(), &mut text);
    text.split_whitespace().map(str::to_owned).collect()
}

fn collect_text(element: ElementRef<'_>, text: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(t) => text.push_str(t),
            // An equation is one word, whichever way it is written (MathML in the page, LaTeX
            // in a `math` span or kept MathML in a code block once rendered).
            Node::Element(e)
                if e.name() == "math"
                    || e.attr("class")
                        .is_some_and(|c| c.split(' ').any(|c| c == "math"))
                    || e.attr("class") == Some("language-mathml") =>
            {
                text.push_str(" EQUATION ");
            }
            Node::Element(e) if HIDDEN.contains(&e.name()) => {}
            Node::Element(e) => {
                let block = BLOCKS.contains(&e.name());
                if block {
                    text.push(' ');
                }
                if let Some(child) = ElementRef::wrap(child) {
                    collect_text(child, text);
                }
                if block {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }
}
