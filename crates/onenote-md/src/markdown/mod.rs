//! OneNote page HTML → Markdown.
//!
//! [`to_markdown`] reads the page (`convert`, into the `model`), writes it (`render`), and puts
//! the front matter on top. The conventions it writes are listed here once:
//!
//! * Front matter: `title`, `created`, `modified`, `onenote_web_url`, each only when known.
//! * The page title lives in the front matter only; it is not repeated as a `#` heading. A
//!   heading the page itself has is kept.
//! * Bold `**`, italic `*`, strike-through `~~`; underline, superscript and subscript have no
//!   Markdown, so they are written as `<u>`, `<sup>`, `<sub>`. Where `**`-style markers would be
//!   misread (next to punctuation inside a word, or nested inside a word), that paragraph uses
//!   `<strong>`, `<em>`, `<del>` instead.
//! * Note tags: see [`crate::note_tag`]. `- [ ] Book the venue`, `**[Important]** Budget …`;
//!   where Markdown has no task (headings, table cells) the box is a glyph: `## ☐ Speakers`,
//!   `| ☑ Venue |`.
//! * Equations: LaTeX, `$…$` in a line and `$$…$$` on a line of their own; one LaTeX cannot say
//!   stays MathML in a fenced `mathml` block.
//! * Ink: an SVG image per drawing (`![Ink drawing 1](resources/ink-drawing-1.svg)`) where OneNote
//!   left its ink marker, when the InkML is given; otherwise the marker's note.
//! * Links to other OneNote pages: relative links where the caller's resolver knows the page.
//! * Images `![alt](resources/name.png)` (the original, `data-fullres-src`, when there is one),
//!   attachments `[📎 report.pdf](resources/report.pdf)`, video embeds a plain link to the
//!   original video; file names as in `resource::names`. An image that is not a OneNote
//!   resource leaves only its alt text.
//! * Monospace paragraphs become fenced code blocks (neighbours join into one), monospace spans
//!   inline code.
//! * Tables are GFM tables when every cell is one simple paragraph, HTML tables otherwise.
//! * Content OneNote could not export: `> **Note:** OneNote could not export part of this page: …`.

mod convert;
mod front_matter;
mod model;
mod normalize;
mod render;

use crate::conversion::{Conversion, Options, PageMeta};
use crate::page::Page;

/// Converts OneNote page HTML (as returned by `GET …/pages/{id}/content`) to Markdown, and lists
/// the images and attachments the Markdown links to. The same as [`to_markdown_with`] and no
/// options: no ink, links as they are, carried images as files.
///
/// ```
/// use onenote_md::{PageMeta, to_markdown};
/// let html = r#"<html><head><title>Plan</title></head><body>
///   <div style="position:absolute;left:48px;top:120px"><p data-tag="to-do">Book the venue</p></div>
/// </body></html>"#;
/// let conversion = to_markdown(html, &PageMeta::default());
/// assert_eq!(conversion.markdown, "---\ntitle: \"Plan\"\n---\n\n- [ ] Book the venue\n");
/// ```
pub fn to_markdown(page_html: &str, meta: &PageMeta) -> Conversion {
    to_markdown_with(page_html, meta, &Options::default())
}

/// Converts OneNote page HTML to Markdown with what [`Options`] gives: the page's ink, a resolver
/// for links between pages, and where carried files go.
pub fn to_markdown_with(page_html: &str, meta: &PageMeta, options: &Options<'_>) -> Conversion {
    let page = Page::parse_for_text(page_html);
    let mut converter = convert::Converter::new(*options);
    let regions = page
        .body()
        .map(|body| converter.body(&body))
        .unwrap_or_default();

    let title = if meta.title.trim().is_empty() {
        page.title()
    } else {
        meta.title.clone()
    };
    let created = meta.created.clone().or_else(|| page.created());
    let fields = [
        ("title", Some(title.as_str())),
        ("created", created.as_deref()),
        ("modified", meta.modified.as_deref()),
        ("author", meta.author.as_deref()),
        ("onenote_web_url", meta.web_url.as_deref()),
        ("onenote_id", meta.id.as_deref()),
    ];
    let body = render::document(&regions);
    let mut markdown =
        String::with_capacity(front_matter::front_matter_len(&fields) + body.len() + 1);
    front_matter::write_front_matter(&mut markdown, &fields);
    if !body.is_empty() {
        markdown.push('\n');
        markdown.push_str(&body);
    }
    let (resources, unresolved_links) = converter.finish();
    Conversion {
        markdown: tidy(&markdown),
        resources,
        unresolved_links,
    }
}

/// Final layout: no trailing spaces (they would be hard breaks), at most one blank line in a
/// row, exactly one newline at the end.
fn tidy(markdown: &str) -> String {
    let mut tidy = String::with_capacity(markdown.len() + 1);
    let mut blank_run = 0;
    let mut line_start = 0;
    // `memchr` rather than `str::lines`: this runs over every line of every page.
    let line_ends = memchr::memchr_iter(b'\n', markdown.as_bytes()).chain([markdown.len()]);
    for line_end in line_ends {
        let line = &markdown[line_start..line_end];
        line_start = line_end + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = line.trim_end_matches([' ', '\t']);
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        tidy.push_str(line);
        tidy.push('\n');
    }
    while tidy.ends_with("\n\n") {
        tidy.pop();
    }
    if tidy.is_empty() {
        tidy.push('\n');
    }
    tidy
}
