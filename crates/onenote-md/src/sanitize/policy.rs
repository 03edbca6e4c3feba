//! The allow-list every sanitized page passes through last, enforced by ammonia.
//!
//! It repeats the rewrite's rules without knowing anything about OneNote, so that a bug in the
//! rewrite cannot put anything unsafe on the page: only listed elements and attributes survive,
//! URL attributes must be `http`, `https` or `mailto` (checked by ammonia) or one of the app URLs
//! the rewrite produced, styles are filtered again, and the content of script-like elements is
//! removed with them. MathML is kept (the browser draws equations) with its own element and
//! attribute lists, which hold no URL, script or HTML-carrying element.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ammonia::{Builder, UrlRelative};

use super::css::{ALLOWED_PROPERTIES, filter_style};
use super::rewrite::{is_direction, is_language_tag, is_small_number};
use crate::mathml::{MATH_ATTRIBUTES, MATH_ELEMENTS};

const TAGS: &[&str] = &[
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

/// Elements removed together with everything inside them.
const REMOVED_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "title",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "applet",
    "svg",
    "form",
    "textarea",
    "select",
    "button",
    "xmp",
    "noembed",
    "noframes",
    "plaintext",
    "frameset",
    "frame",
    "audio",
    "video",
    "canvas",
];

const GENERIC_ATTRIBUTES: &[&str] = &["style", "dir", "lang"];

const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "width", "height"]),
    ("ol", &["start"]),
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan"]),
];

/// The classes the rewrite uses, so the app's stylesheet can style them.
const CLASSES: &[(&str, &str)] = &[
    ("p", "onenote-missing"),
    ("span", "onenote-tag"),
    ("span", "onenote-link"),
];

/// Cleans rewritten HTML. `app_urls` are the only image sources and relative links allowed.
pub(super) fn clean(html: &str, app_urls: HashSet<String>) -> String {
    let app_urls = Arc::new(app_urls);
    let mut builder = Builder::empty();
    // MathML: its presentation elements and the attributes that change what is drawn. ammonia
    // also removes any element whose namespace changes where a browser's parser would not
    // change it (HTML smuggled into an equation).
    let math_attributes: HashSet<&str> = MATH_ATTRIBUTES.iter().copied().collect();
    builder
        .tags(TAGS.iter().chain(MATH_ELEMENTS).copied().collect())
        .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            TAG_ATTRIBUTES
                .iter()
                .map(|(tag, attributes)| (*tag, attributes.iter().copied().collect()))
                .chain(
                    MATH_ELEMENTS
                        .iter()
                        .map(|tag| (*tag, math_attributes.clone())),
                )
                .collect(),
        )
        .allowed_classes(
            CLASSES
                .iter()
                .fold(HashMap::new(), |mut classes, (tag, class)| {
                    classes
                        .entry(*tag)
                        .or_insert_with(HashSet::new)
                        .insert(*class);
                    classes
                }),
        )
        // `data` only for the ink drawings the rewrite made: an image source must be one of
        // `app_urls` exactly (see `filter_attribute`).
        .url_schemes(["http", "https", "mailto", "data"].into_iter().collect())
        // Relative URLs are needed for the app's own resource URLs; the attribute filter below
        // lets through only those.
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .filter_style_properties(ALLOWED_PROPERTIES.iter().copied().collect())
        .attribute_filter(move |element, attribute, value| {
            filter_attribute(&app_urls, element, attribute, value)
        });
    builder.clean(html).to_string()
}

fn filter_attribute<'u>(
    app_urls: &HashSet<String>,
    element: &str,
    attribute: &str,
    value: &'u str,
) -> Option<Cow<'u, str>> {
    let keep = match (element, attribute) {
        (element, attribute) if MATH_ELEMENTS.contains(&element) && attribute != "style" => {
            is_math_value(attribute, value)
        }
        ("img", "src") => app_urls.contains(value),
        ("a", "href") => app_urls.contains(value) || is_absolute_link(value),
        (_, "style") => {
            let filtered = filter_style(value);
            return (!filtered.is_empty()).then_some(Cow::Owned(filtered));
        }
        (_, "width" | "height" | "colspan" | "rowspan" | "start") => is_small_number(value),
        (_, "dir") => is_direction(value),
        (_, "lang") => is_language_tag(value),
        _ => true,
    };
    keep.then_some(Cow::Borrowed(value))
}

/// A MathML attribute's value as equations carry them: a fence or separator character for
/// `open`, `close` and `separators` (`(`, `⟨`, `,`), otherwise a word, a number or a length
/// (`block`, `bold`, `0.2em`, `-1`).
fn is_math_value(attribute: &str, value: &str) -> bool {
    let plain = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '+' | '%' | '#');
    let fence = |c: char| !c.is_control() && !matches!(c, '<' | '>' | '"' | '\'' | '&' | '=' | '`');
    match attribute {
        "open" | "close" | "separators" => value.chars().count() <= 8 && value.chars().all(fence),
        _ => value.chars().count() <= 32 && value.chars().all(plain),
    }
}

/// An absolute `http(s)://` or `mailto:` URL. (ammonia checks the scheme as well; this also
/// refuses scheme-relative `//host/…` URLs, which it would treat as relative.)
fn is_absolute_link(value: &str) -> bool {
    let lower = value.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
}
