//! The properties the fuzz targets check, shared with the regression test that replays saved
//! inputs (`crates/onenote-md/tests/fuzz_regressions.rs`), so a crash input kept there is checked
//! exactly as the fuzzer checked it.

// Each target uses half of this file.
#![allow(dead_code)]

use onenote_md::sanitize::{sanitize_page, sanitize_page_with_ink};
use onenote_md::{
    Conversion, Options, PageLink, PageMeta, is_valid_resource_id, strict_tree_agrees, to_markdown,
    to_markdown_with,
};
use scraper::Html;

/// `to_markdown` on any input: no panic; exactly one trailing newline; front matter first;
/// resource ids valid and file names plain relative paths (they become zip entry names).
pub fn check_markdown(data: &[u8]) {
    // The first line is the title (it goes into YAML front matter), the rest is the page.
    let text = String::from_utf8_lossy(data);
    let (title, html) = text.split_once('\n').unwrap_or(("", &text));
    let meta = PageMeta {
        title: title.to_string(),
        created: None,
        modified: None,
        // The same hostile line as the author: it goes into the front matter too.
        author: Some(title.to_string()),
        web_url: None,
        id: None,
    };
    check_conversion(&to_markdown(html, &meta));
}

/// What every conversion gives, whatever its input and options.
fn check_conversion(conversion: &Conversion) {
    let markdown = &conversion.markdown;
    assert!(
        markdown.ends_with('\n') && !markdown.ends_with("\n\n"),
        "the Markdown ends with exactly one newline: {markdown:?}"
    );
    assert!(
        markdown.starts_with("---\n"),
        "front matter first: {markdown:?}"
    );
    for resource in &conversion.resources {
        assert!(
            is_valid_resource_id(&resource.id) || resource.bytes.is_some(),
            "{resource:?}"
        );
        let name = &resource.file_name;
        assert!(
            !name.is_empty()
                && !name.starts_with('/')
                && !name.contains('\\')
                && !name
                    .split('/')
                    .any(|part| part.is_empty() || part == "." || part == ".."),
            "a zip-safe relative path: {name:?}"
        );
    }
}

/// A page with equations around the input's MathML, ink markers, and links: the fuzzer's bytes
/// go into each new path of the converter.
fn page_around(mathml: &str, href: &str) -> String {
    format!(
        "<html><head><title>t</title></head><body><div style=\"position:absolute;left:48px;top:115px\"><p>a <math display=\"block\">{mathml}</math> b</p><p><math>{mathml}</math></p><!-- InkNode is not supported --><p><a href=\"{}\">link</a></p><!-- InkNode is not supported --></div></body></html>",
        // Escaped, so the link is the `href` as given (`&sect…` is not read as `§…`).
        href.replace('&', "&amp;").replace('"', "&quot;")
    )
}

/// Equations: any MathML inside a page converts (as LaTeX or kept MathML) without panic, the
/// Markdown is well formed, and the page viewer's copy passes the sanitizer's checks.
pub fn check_mathml(data: &[u8]) {
    let mathml = String::from_utf8_lossy(data);
    let page = page_around(&mathml, "https://example.com/");
    check_conversion(&to_markdown(&page, &PageMeta::default()));
    // The page viewer keeps equations as MathML: the sanitizer's MathML allow-list must hold.
    check_sanitizer(page.as_bytes());
}

/// Ink: any InkML converts without panic, to drawings that are well-formed SVG; the page viewer
/// given it shows images only from the app or drawings it made itself.
pub fn check_inkml(data: &[u8]) {
    let ink = String::from_utf8_lossy(data);
    let page = page_around("<mi>x</mi>", "https://example.com/");
    let conversion = to_markdown_with(
        &page,
        &PageMeta::default(),
        &Options {
            ink: Some(&ink),
            ..Options::default()
        },
    );
    check_conversion(&conversion);
    for resource in &conversion.resources {
        if let Some(bytes) = &resource.bytes {
            let svg = std::str::from_utf8(bytes).expect("an SVG is UTF-8");
            assert!(
                svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
                "{svg}"
            );
            assert!(!svg.contains("<script") && !svg.contains(" on"), "{svg}");
        }
    }
    let viewer = sanitize_page_with_ink(&page, &|id| format!("{PROXY}{id}"), Some(&ink));
    for node in Html::parse_fragment(&viewer.body_html).tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        if let Some(src) = element.attr("src") {
            assert!(
                src.starts_with(PROXY) || src.starts_with("data:image/svg+xml;base64,"),
                "{src}"
            );
        }
    }
}

/// Links between pages: any `href` parses without panic; a resolver is asked only about page
/// links, what it leaves is reported, and what it answers is what the Markdown links to.
pub fn check_page_links(data: &[u8]) {
    let href = String::from_utf8_lossy(data);
    // The resolver sees the `href` as HTML gives it: line breaks normalised and NUL replaced
    // (https://html.spec.whatwg.org/#preprocessing-the-input-stream).
    let as_html = href
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\0', "\u{FFFD}");
    let parsed = PageLink::parse(&as_html);
    let resolve = |link: &PageLink| {
        assert_eq!(
            Some(link),
            parsed.as_ref(),
            "the resolver sees the link as parsed"
        );
        link.page_id
            .as_ref()
            .filter(|id| id.ends_with('0'))
            .map(|_| "Resolved.md".to_string())
    };
    let page = page_around("<mi>x</mi>", &href);
    let conversion = to_markdown_with(
        &page,
        &PageMeta::default(),
        &Options {
            links: Some(&resolve),
            ..Options::default()
        },
    );
    check_conversion(&conversion);
    assert!(conversion.unresolved_links.len() <= 1);
    if !conversion.unresolved_links.is_empty() {
        assert!(parsed.is_some(), "only page links are reported");
    }
}

const PROXY: &str = "/onenote/resources/";

/// Elements that must never come out of the sanitizer.
const FORBIDDEN: [&str; 17] = [
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "textarea",
    "svg",
    "base",
    "meta",
    "link",
    "annotation-xml",
    "mglyph",
];

const MATHML: &str = "http://www.w3.org/1998/Math/MathML";

fn dangerous_url(value: &str) -> bool {
    // Browsers ignore ASCII whitespace and control characters inside a scheme.
    let squeezed = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:", "file:"]
        .iter()
        .any(|scheme| squeezed.starts_with(scheme))
}

/// A CSS value with its escapes decoded (`\\75 rl(` is `url(`). The sanitizer keeps no
/// escapes of its own, but its CSS serializer writes some (`624e-px` as `624\\65 -px`).
fn css_unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut hex = String::new();
        while hex.len() < 6 && chars.peek().is_some_and(|h| h.is_ascii_hexdigit()) {
            hex.push(chars.next().unwrap());
        }
        if hex.is_empty() {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            if chars.peek().is_some_and(|w| w.is_whitespace()) {
                chars.next();
            }
            let code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
        }
    }
    out
}

/// `sanitize_page` on any input: no panic, and the output — parsed the way a browser parses
/// it — has no script: no `<script>` or other element that runs or embeds code, no event
/// handler, no `javascript:`/`vbscript:`/`data:` URL, no image from anywhere but the app, no CSS
/// that can run or fetch; every resource id handed to the app is valid.
pub fn check_sanitizer(data: &[u8]) {
    let html = String::from_utf8_lossy(data);
    let page = sanitize_page(&html, &|id| {
        assert!(is_valid_resource_id(id), "resource_href got {id:?}");
        format!("{PROXY}{id}")
    });
    let body = &page.body_html;
    assert!(
        !body.to_ascii_lowercase().contains("<script"),
        "a script tag: {body}"
    );
    let parsed = Html::parse_fragment(body);
    for node in parsed.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let tag = element.name();
        assert!(!FORBIDDEN.contains(&tag), "<{tag}> survived: {body}");
        // Equations stay MathML: nothing of another namespace inside one (where HTML inside
        // MathML could be read differently by the browser's parser).
        let in_math = node
            .ancestors()
            .filter_map(|a| a.value().as_element())
            .any(|a| &*a.name.ns == MATHML);
        assert!(
            !in_math || &*element.name.ns == MATHML,
            "<{tag}> inside an equation: {body}"
        );
        for (name, value) in element.attrs() {
            let name = name.to_ascii_lowercase();
            assert!(
                &*element.name.ns != MATHML || !(name.contains("href") || name.contains(':')),
                "{name} on MathML <{tag}>: {body}"
            );
            assert!(!name.starts_with("on"), "an event handler {name}: {body}");
            assert!(name != "srcdoc" && name != "formaction", "{name}: {body}");
            if matches!(
                name.as_str(),
                "href" | "src" | "action" | "xlink:href" | "poster" | "background"
            ) {
                assert!(!dangerous_url(value), "{name}={value:?}: {body}");
            }
            if tag == "img" && name == "src" {
                assert!(
                    value.starts_with(PROXY),
                    "an image from elsewhere: {value:?}"
                );
            }
            if name == "style" {
                // As the browser reads it: escapes decoded, case and spaces ignored.
                let style: String = css_unescape(value)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .flat_map(char::to_lowercase)
                    .collect();
                for bad in [
                    "expression(",
                    "url(",
                    "image(",
                    "image-set(",
                    "javascript:",
                    "@import",
                    "behavior:",
                    "-moz-binding",
                    "/*",
                ] {
                    assert!(!style.contains(bad), "style {value:?}: {body}");
                }
            }
        }
    }
    for resource in &page.resources {
        assert!(is_valid_resource_id(&resource.id), "{resource:?}");
    }
}

/// The converter's own tree builder for pages written as a tree, on any input: wherever it
/// builds a tree (of the page as given, or as the converter prepares it), the tree is the one
/// html5ever builds.
pub fn check_strict_tree(data: &[u8]) {
    strict_tree_agrees(&String::from_utf8_lossy(data));
}
