//! Making OneNote page HTML safe to show inside the app's own page.
//!
//! Two layers, so that a mistake in one is caught by the other:
//!
//! 1. `rewrite` applies what we know about OneNote: images and attachments are pointed at the
//!    app (`resource_href(id)`), attachments and video embeds become links, positioned blocks
//!    are put in reading order and flow, note tags become visible markers, and only allowed
//!    elements and attributes are written out, with styles filtered by `css`.
//! 2. `policy` runs the result through an [ammonia] allow-list that knows nothing about OneNote:
//!    whatever the rewrite let through that is not plainly safe is removed. It also accepts only
//!    image sources and relative links the rewrite itself produced (the app's resource URLs,
//!    and the `data:` URLs of ink drawings it drew).
//!
//! What is kept: structural and text elements (`div`, `p`, `span`, `h1`–`h6`, lists, tables,
//! `br`, `b`, `i`, `u`, `s`, `strong`, `em`, `sup`, `sub`, `a`, `img`, `pre`, `code`, `cite`,
//! `del`, `blockquote`, `hr`), a safe subset of inline styles, `dir` and `lang`, and equations as
//! MathML (presentation elements and the attributes that change the drawing; no `annotation-xml`,
//! no links, no events). Links keep only `http`, `https` and `mailto` targets and get
//! `rel="noopener noreferrer"` (no `target`); a link to another OneNote page leads where the app
//! says ([`AppUrls::page_link`]) or stays as text marked `onenote-link`. Never kept: scripts, styles, event handlers, forms,
//! frames, `object`/`embed`, SVG, `base`, `meta`, images from anywhere but the app.

mod css;
mod policy;
mod rewrite;

pub use rewrite::AppUrls;

use crate::ResourceRef;
use crate::page::Page;

/// A page ready to embed in the app's HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanitizedPage {
    /// The page title from `<title>`, as plain text (escape it when you put it in HTML).
    pub title: String,
    /// The page body as safe HTML, to be inserted as is.
    pub body_html: String,
    /// The resources `body_html` points at (through `resource_href`), in order of appearance.
    pub resources: Vec<ResourceRef>,
}

/// Makes OneNote page HTML safe to embed in the app's page: `resource_href(id)` gives the app
/// URL to use for a resource id (e.g. `/onenote/resources/{id}`). Ids passed to it are always
/// valid resource ids (see [`crate::is_valid_resource_id`]). An attachment's link adds its file
/// name as a query, `?name=report.pdf` (form-encoded), for the download to carry.
///
/// ```
/// use onenote_md::sanitize::sanitize_page;
/// let html = r#"<html><head><title>Plan</title></head><body><p onclick="x()">Hi<script>x()</script></p>
///   <img src="https://graph.microsoft.com/v1.0/me/onenote/resources/1-ab!1-cd/$value" alt="Map"></body></html>"#;
/// let page = sanitize_page(html, &|id| format!("/onenote/resources/{id}"));
/// assert_eq!(page.title, "Plan");
/// assert!(page.body_html.contains(r#"<p>Hi</p>"#));
/// assert!(page.body_html.contains(r#"src="/onenote/resources/1-ab!1-cd""#));
/// assert_eq!(page.resources[0].id, "1-ab!1-cd");
/// ```
pub fn sanitize_page(page_html: &str, resource_href: &dyn Fn(&str) -> String) -> SanitizedPage {
    sanitize_page_with_ink(page_html, resource_href, None)
}

/// [`sanitize_page`], with the page's ink (the InkML of `includeInkML=true`) drawn where OneNote
/// left its ink markers: SVG images built from the strokes' numbers, never from the input's
/// markup, as `data:` URLs.
pub fn sanitize_page_with_ink(
    page_html: &str,
    resource_href: &dyn Fn(&str) -> String,
    ink: Option<&str>,
) -> SanitizedPage {
    let urls = AppUrls {
        resource: resource_href,
        page_link: &|_| None,
    };
    sanitize_page_in_app(page_html, &urls, ink)
}

/// [`sanitize_page_with_ink`], with links between pages leading where `urls.page_link` says.
pub fn sanitize_page_in_app(
    page_html: &str,
    urls: &AppUrls<'_>,
    ink: Option<&str>,
) -> SanitizedPage {
    let page = Page::parse(page_html);
    let drawings = ink.map(crate::ink::drawings).unwrap_or_default();
    let rewritten = match page.body() {
        Some(body) => rewrite::rewrite_body(&body, urls, drawings),
        None => rewrite::Rewritten::default(),
    };
    SanitizedPage {
        title: page.title(),
        body_html: policy::clean(&rewritten.html, rewritten.app_urls),
        resources: rewritten.resources,
    }
}
