//! The OneNote-aware rewrite: page body → HTML made of allowed parts only.
//!
//! It walks the body in reading order and writes HTML as it goes, escaping every text and
//! attribute value itself. Elements it knows to be safe are written with a filtered set of
//! attributes; OneNote's special elements are replaced (`img` pointed at the app, `object` and
//! `iframe` turned into links); equations are written again as MathML alone
//! ([`crate::mathml`]); hidden elements (`script`, `style`, `svg`, forms …) are dropped with
//! their content; any other element is dropped but its content kept.

use std::collections::{HashSet, VecDeque};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use scraper::Node;
use scraper::node::Element;
use url::Url;

use super::css::filter_style;
use crate::dom::{self, DomNode};
use crate::failure_comment::missing_content_note;
use crate::ink::Drawing;
use crate::layout;
use crate::mathml;
use crate::note_tag::Tags;
use crate::resource::{ResourceCollector, display_name, resource_id_from_url};
use crate::{PageLink, ResourceRef};

/// How deep the rewrite follows nested elements before flattening to text.
const MAX_DEPTH: usize = 64;

/// Elements written as they are (with filtered attributes).
const KEPT_ELEMENTS: &[&str] = &[
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
    "pre",
    "code",
    "cite",
    "del",
    "blockquote",
];

/// Elements that carry note tags.
const TAGGABLE_ELEMENTS: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "span"];

/// Link schemes kept in the sanitized page.
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Where the app serves what a page points at.
pub struct AppUrls<'a> {
    /// The URL of a resource (image or attachment) by id, as for [`super::sanitize_page`].
    pub resource: &'a dyn Fn(&str) -> String,
    /// The URL that opens the page (or section) a link between pages names, if the app can
    /// (a relative URL of the app's). A OneNote link without one keeps its text, marked
    /// `<span class="onenote-link">`.
    pub page_link: &'a dyn Fn(&PageLink) -> Option<String>,
}

/// The rewritten body and what the policy needs to know about it.
#[derive(Debug, Default)]
pub(crate) struct Rewritten {
    pub html: String,
    pub resources: Vec<ResourceRef>,
    /// Every URL `resource_href` returned: the only relative URLs the policy lets through.
    pub app_urls: HashSet<String>,
}

/// Rewrites the page body (in reading order) inside one `div` carrying the body's style; ink
/// drawings stand where OneNote left its ink markers (the rest at the end).
pub(crate) fn rewrite_body(
    body: &DomNode<'_>,
    urls: &AppUrls<'_>,
    drawings: Vec<Drawing>,
) -> Rewritten {
    let mut rewriter = Rewriter {
        resource_href: urls.resource,
        page_href: urls.page_link,
        out: String::new(),
        resources: ResourceCollector::default(),
        app_urls: HashSet::new(),
        drawings: drawings.into(),
        drawings_placed: 0,
    };
    // The body's own style (OneNote's default font) applies to the whole page.
    let body_style = dom::element(body)
        .and_then(|e| dom::attr(e, "style"))
        .map(filter_style)
        .unwrap_or_default();
    rewriter.open_tag("div", &[("style", body_style)]);
    for node in layout::reading_order(body) {
        rewriter.node(&node, 0, false);
    }
    while rewriter.place_drawing() {}
    rewriter.out.push_str("</div>");
    Rewritten {
        html: rewriter.out,
        resources: rewriter.resources.into_refs(),
        app_urls: rewriter.app_urls,
    }
}

/// The HTML written so far, and the resources and app URLs it uses.
struct Rewriter<'f> {
    resource_href: &'f dyn Fn(&str) -> String,
    page_href: &'f dyn Fn(&PageLink) -> Option<String>,
    out: String,
    resources: ResourceCollector,
    app_urls: HashSet<String>,
    drawings: VecDeque<Drawing>,
    drawings_placed: usize,
}

impl Rewriter<'_> {
    /// The next ink drawing as an image (a `data:` URL of the SVG built from its numbers);
    /// `false` when none is left.
    fn place_drawing(&mut self) -> bool {
        let Some(drawing) = self.drawings.pop_front() else {
            return false;
        };
        self.drawings_placed += 1;
        let src = format!("data:image/svg+xml;base64,{}", STANDARD.encode(drawing.svg));
        self.out.push_str("<p>");
        self.open_tag(
            "img",
            &[
                ("src", src.clone()),
                ("alt", format!("Ink drawing {}", self.drawings_placed)),
            ],
        );
        self.out.push_str("</p>");
        self.app_urls.insert(src);
        true
    }

    fn node(&mut self, node: &DomNode<'_>, depth: usize, in_link: bool) {
        match node.value() {
            Node::Text(text) => self.text(text),
            Node::Comment(comment) => {
                if comment.to_ascii_lowercase().contains("inknode") && self.place_drawing() {
                    return;
                }
                if let Some(note) = missing_content_note(comment) {
                    self.out.push_str("<p class=\"onenote-missing\"><strong>Note:</strong> OneNote could not show part of this page: ");
                    self.text(&note);
                    self.out.push_str("</p>");
                }
            }
            // Too deep to follow: keep the text (hidden elements give none).
            Node::Element(_) if depth >= MAX_DEPTH => self.text(&dom::text_content(node)),
            Node::Element(element) => self.element(node, element, depth + 1, in_link),
            _ => {}
        }
    }

    fn children(&mut self, node: &DomNode<'_>, depth: usize, in_link: bool) {
        for child in node.children() {
            self.node(&child, depth, in_link);
        }
    }

    fn element(&mut self, node: &DomNode<'_>, element: &Element, depth: usize, in_link: bool) {
        let name = element.name();
        match name {
            // Equations as MathML the browser draws: only MathML elements, their text and the
            // attributes that change what is drawn (the policy checks them again).
            "math" => self.out.push_str(&mathml::clean_source(node)),
            name if dom::is_hidden_element(name) => {}
            "img" => {
                self.tag_marker(element);
                self.image(element, in_link);
            }
            "object" => self.attachment(element, in_link),
            "iframe" => self.embed(element, in_link),
            "a" => {
                let href = dom::attr(element, "href").unwrap_or_default();
                match self.link_target(href) {
                    Target::Kept(href) if !in_link => {
                        self.open_tag("a", &[("href", href)]);
                        self.children(node, depth, true);
                        self.out.push_str("</a>");
                    }
                    Target::OneNote if !in_link => {
                        self.out.push_str("<span class=\"onenote-link\">");
                        self.children(node, depth, true);
                        self.out.push_str("</span>");
                    }
                    // A link we do not keep leaves its text.
                    _ => self.children(node, depth, in_link),
                }
            }
            "br" | "hr" => self.open_tag(name, &[]),
            name if KEPT_ELEMENTS.contains(&name) => {
                self.open_tag(name, &kept_attributes(element));
                if TAGGABLE_ELEMENTS.contains(&name) {
                    self.tag_marker(element);
                }
                self.children(node, depth, in_link);
                self.out.push_str(&format!("</{name}>"));
            }
            // Anything else (`font`, `center`, unknown tags): keep the content, drop the element.
            _ => self.children(node, depth, in_link),
        }
    }

    /// An image shown through the app. The `src` is the web rendition; when OneNote also has the
    /// original (`data-fullres-src`), the image links to it. An image from anywhere else leaves
    /// its alt text.
    fn image(&mut self, element: &Element, in_link: bool) {
        let alt = dom::collapse_whitespace(dom::attr(element, "alt").unwrap_or_default());
        let rendition = ["src", "data-fullres-src"].iter().find_map(|attribute| {
            let url = element.attr(attribute)?;
            Some((resource_id_from_url(url)?, url))
        });
        let Some((id, url)) = rendition else {
            self.text(&alt);
            return;
        };
        let content_type = dom::attr(element, "data-src-type");
        let src = self.app_url(&id);
        self.resources.image(&id, url, &alt, content_type);

        let original = dom::attr(element, "data-fullres-src").and_then(|url| {
            let full_id = resource_id_from_url(url)?;
            (full_id != id).then_some((full_id, url))
        });
        let link = match original {
            Some((full_id, url)) if !in_link => {
                let full_type = dom::attr(element, "data-fullres-src-type").or(content_type);
                self.resources.image(&full_id, url, &alt, full_type);
                Some(self.app_url(&full_id))
            }
            _ => None,
        };
        if let Some(href) = &link {
            self.open_tag("a", &[("href", href.clone())]);
        }
        let mut attributes = vec![("src", src), ("alt", alt)];
        for dimension in ["width", "height"] {
            if let Some(value) = element.attr(dimension).filter(|v| is_small_number(v)) {
                attributes.push((dimension, value.to_owned()));
            }
        }
        if let Some(style) = dom::attr(element, "style").map(filter_style) {
            attributes.push(("style", style));
        }
        self.open_tag("img", &attributes);
        if link.is_some() {
            self.out.push_str("</a>");
        }
    }

    /// `<object data-attachment=…>` → `<a href="{app url}?name={file name}">📎 name</a>`.
    fn attachment(&mut self, element: &Element, in_link: bool) {
        let raw_name = dom::attr(element, "data-attachment").unwrap_or("attachment");
        let label = format!("📎 {}", display_name(raw_name));
        let id_and_url = element
            .attr("data")
            .and_then(|url| Some((resource_id_from_url(url)?, url)));
        match id_and_url {
            Some((id, url)) if !in_link => {
                self.resources
                    .attachment(&id, url, raw_name, dom::attr(element, "type"));
                // The file's name goes with the link, so the download can carry it.
                let name: String =
                    url::form_urlencoded::byte_serialize(display_name(raw_name).as_bytes())
                        .collect();
                let href = format!("{}?name={name}", (self.resource_href)(&id));
                self.app_urls.insert(href.clone());
                self.open_tag("a", &[("href", href)]);
                self.text(&label);
                self.out.push_str("</a>");
            }
            _ => self.text(&label),
        }
    }

    /// A video embed → a link to the original video (`data-original-src`), when that is a web
    /// URL. An `iframe` without one is not OneNote's and is dropped.
    fn embed(&mut self, element: &Element, in_link: bool) {
        let Some(url) = dom::attr(element, "data-original-src").and_then(safe_web_link) else {
            return;
        };
        if in_link {
            self.text(&url);
        } else {
            self.open_tag("a", &[("href", url.clone())]);
            self.text(&url);
            self.out.push_str("</a>");
        }
    }

    /// A visible marker for note tags: `☐`/`☑` for tasks, `[Important]` for the rest.
    fn tag_marker(&mut self, element: &Element) {
        let Some(tags) = dom::attr(element, "data-tag").map(Tags::parse) else {
            return;
        };
        let task = tags.task();
        let mut marker: Vec<String> = task
            .map(|done| if done { "☑" } else { "☐" }.to_owned())
            .into_iter()
            .collect();
        marker.extend(
            tags.labels(task.is_some())
                .iter()
                .map(|label| format!("[{label}]")),
        );
        if !marker.is_empty() {
            self.out.push_str("<span class=\"onenote-tag\">");
            self.text(&marker.join(" "));
            self.out.push_str("</span> ");
        }
    }

    /// Where a link may lead: a link to another OneNote page (either form) where the app says
    /// (remembered so the policy lets it through), a web or mail address as it is, or nowhere.
    fn link_target(&mut self, href: &str) -> Target {
        if let Some(app_url) = PageLink::parse(href).and_then(|link| (self.page_href)(&link)) {
            self.app_urls.insert(app_url.clone());
            return Target::Kept(app_url);
        }
        if let Some(href) = safe_link(href) {
            return Target::Kept(href);
        }
        if href
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("onenote:")
        {
            Target::OneNote
        } else {
            Target::Dropped
        }
    }

    /// The app URL for a resource id, remembered so the policy lets it through.
    fn app_url(&mut self, id: &str) -> String {
        let url = (self.resource_href)(id);
        self.app_urls.insert(url.clone());
        url
    }

    fn text(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                c if c.is_control() && !c.is_ascii_whitespace() => {}
                c => self.out.push(c),
            }
        }
    }

    /// `<name a="v" …>`, skipping empty values, with values escaped.
    fn open_tag(&mut self, name: &str, attributes: &[(&str, String)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (attribute, value) in attributes {
            if value.is_empty() && *attribute != "alt" {
                continue;
            }
            self.out.push(' ');
            self.out.push_str(attribute);
            self.out.push_str("=\"");
            for c in value.chars() {
                match c {
                    '&' => self.out.push_str("&amp;"),
                    '"' => self.out.push_str("&quot;"),
                    '<' => self.out.push_str("&lt;"),
                    '>' => self.out.push_str("&gt;"),
                    c if c.is_control() => {}
                    c => self.out.push(c),
                }
            }
            self.out.push('"');
        }
        self.out.push('>');
    }
}

/// What becomes of a link.
enum Target {
    /// A link with this `href`.
    Kept(String),
    /// A OneNote link the app cannot follow: its text, marked as such.
    OneNote,
    /// Its text only.
    Dropped,
}

/// The attributes kept on an ordinary element, filtered.
fn kept_attributes(element: &Element) -> Vec<(&'static str, String)> {
    let mut kept = Vec::new();
    if let Some(style) = dom::attr(element, "style") {
        kept.push(("style", filter_style(style)));
    }
    if let Some(dir) = dom::attr(element, "dir").filter(|d| is_direction(d)) {
        kept.push(("dir", dir.to_ascii_lowercase()));
    }
    if let Some(lang) = dom::attr(element, "lang").filter(|l| is_language_tag(l)) {
        kept.push(("lang", lang.to_owned()));
    }
    let numeric: &[&'static str] = match element.name() {
        "ol" => &["start"],
        "td" | "th" => &["colspan", "rowspan"],
        _ => &[],
    };
    for &attribute in numeric {
        if let Some(value) = element.attr(attribute).filter(|v| is_small_number(v)) {
            kept.push((attribute, value.to_owned()));
        }
    }
    kept
}

/// An `href` worth keeping: an absolute `http`, `https` or `mailto` URL, normalised. Tabs and
/// newlines are removed first, as browsers do (`java\tscript:` is `javascript:`).
fn safe_link(href: &str) -> Option<String> {
    let cleaned: String = href
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = Url::parse(cleaned.trim()).ok()?;
    let web = matches!(url.scheme(), "http" | "https");
    let allowed = LINK_SCHEMES.contains(&url.scheme()) && (!web || url.host().is_some());
    allowed.then(|| url.to_string())
}

/// Like [`safe_link`], for `http` and `https` only.
fn safe_web_link(href: &str) -> Option<String> {
    safe_link(href).filter(|url| url.starts_with("http://") || url.starts_with("https://"))
}

/// A number like `400`: a width, height, span or list start.
pub(super) fn is_small_number(value: &str) -> bool {
    (1..=5).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// `ltr`, `rtl` or `auto`.
pub(super) fn is_direction(value: &str) -> bool {
    ["ltr", "rtl", "auto"]
        .iter()
        .any(|d| value.eq_ignore_ascii_case(d))
}

/// A BCP 47-looking tag such as `en-GB` or `ar`.
pub(super) fn is_language_tag(value: &str) -> bool {
    (1..=35).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
