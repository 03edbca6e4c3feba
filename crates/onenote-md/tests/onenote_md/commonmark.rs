//! The corpus Markdown read back by a CommonMark + GFM parser (pulldown-cmark).
//!
//! The golden files pin the exact text; these tests check what it *means*: every word of the
//! page survives (none lost, none eaten by misread markup), nothing active appears, and the
//! structures we meant (task lists, tables, nesting) are what a parser sees.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::golden::convert_corpus_page;
use crate::support::{markdown_to_html, visible_words};
use onenote_md::{Conversion, PageMeta, to_markdown};
use scraper::{Html, Selector};

fn page_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let top = dir.join(format!("{name}.html"));
    if top.exists() {
        top
    } else {
        dir.join("with-context").join(format!("{name}.html"))
    }
}

/// A corpus page and its Markdown rendered by pulldown-cmark, converted without options.
fn corpus(name: &str) -> (String, String) {
    let html = fs::read_to_string(page_path(name)).expect("corpus page");
    let rendered = markdown_to_html(&to_markdown(&html, &PageMeta::default()).markdown);
    (html, rendered)
}

/// A corpus page's Markdown rendered by pulldown-cmark, converted with its side files (ink,
/// links), as the golden test converts it.
fn corpus_with_context(name: &str) -> (Conversion, String) {
    let conversion = convert_corpus_page(&page_path(name));
    let rendered = markdown_to_html(&conversion.markdown);
    (conversion, rendered)
}

fn corpus_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names: Vec<String> = Vec::new();
    for dir in [dir.clone(), dir.join("with-context")] {
        names.extend(fs::read_dir(dir).expect("corpus dir").filter_map(|entry| {
            let path = entry.expect("entry").path();
            (path.extension()? == "html").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        }));
    }
    names.sort();
    names
}

fn count(rendered: &str, selector: &str) -> usize {
    let selector = Selector::parse(selector).expect("valid selector");
    Html::parse_document(rendered).select(&selector).count()
}

#[test]
fn every_word_of_every_page_survives() {
    for name in corpus_names() {
        let (html, rendered) = corpus(&name);
        let mut available: HashMap<String, usize> = HashMap::new();
        for word in visible_words(&rendered) {
            *available.entry(word).or_default() += 1;
        }
        for word in visible_words(&html) {
            let left = available.entry(word.clone()).or_default();
            assert!(
                *left > 0,
                "{name}: the word {word:?} is missing from\n{rendered}"
            );
            *left -= 1;
        }
    }
}

#[test]
fn nothing_active_is_rendered() {
    for name in corpus_names() {
        let (_, rendered) = corpus(&name);
        for element in [
            "script", "style", "iframe", "object", "embed", "form", "svg", "math", "base", "meta",
        ] {
            assert_eq!(
                count(&rendered, element),
                0,
                "{name}: <{element}> in\n{rendered}"
            );
        }
        let document = Html::parse_document(&rendered);
        for element in document.select(&Selector::parse("[href], [src]").expect("selector")) {
            for url in [element.attr("href"), element.attr("src")]
                .into_iter()
                .flatten()
            {
                let ok = ["https://", "http://", "mailto:", "onenote:", "resources/"]
                    .iter()
                    .any(|prefix| url.starts_with(prefix));
                assert!(ok, "{name}: link to {url}");
            }
            assert!(
                element
                    .value()
                    .attrs()
                    .all(|(attribute, _)| !attribute.starts_with("on"))
            );
        }
    }
}

#[test]
fn weekly_plan_has_its_structure() {
    let (_, rendered) = corpus("weekly-plan");
    assert_eq!(count(&rendered, "li input[type=checkbox]"), 2, "{rendered}");
    assert_eq!(
        count(&rendered, "li input[type=checkbox][checked]"),
        1,
        "{rendered}"
    );
    assert_eq!(count(&rendered, "table tr"), 2);
    assert_eq!(count(&rendered, "h1"), 1);
    assert_eq!(
        count(
            &rendered,
            "img[src='resources/floor-plan.png'][alt='Floor plan']"
        ),
        1
    );
    assert_eq!(count(&rendered, "a[href='resources/budget.xlsx']"), 1);
}

#[test]
fn metacharacters_stay_text() {
    let (_, rendered) = corpus("markdown-metacharacters");
    // The page has two headings, one strong phrase (written as HTML) and nothing else special.
    assert_eq!(
        count(
            &rendered,
            "h1, ul, ol, blockquote, hr, code, pre, em, img, table"
        ),
        0,
        "{rendered}"
    );
    assert_eq!(count(&rendered, "h2"), 1);
    assert_eq!(count(&rendered, "h3"), 1);
    assert_eq!(count(&rendered, "a"), 1, "only the real link: {rendered}");
    let text: String = Html::parse_document(&rendered)
        .root_element()
        .text()
        .collect();
    for literal in [
        "*not emphasis*",
        "_not either_",
        "[not a link](http://example.com)",
        "![not an image](x.png)",
        "# not a heading",
        "- not a list",
        "1. not an ordered list",
        "> not a quote",
        "<b>brackets</b>",
        "``double``",
        "&copy; &#169; AT&T",
        "~~double~~",
        "Backslash \\ and \\* and trailing backslash \\",
        "wow!link",
        "Heading ending in C#",
        "Issue ###",
    ] {
        assert!(text.contains(literal), "{literal:?} missing from {text}");
    }
}

#[test]
fn deep_lists_nest_seven_levels() {
    let (_, rendered) = corpus("deep-lists");
    let deepest = "ul > li > ul > li > ol > li > ul > li > ul > li > ol > li > ul > li";
    assert_eq!(count(&rendered, deepest), 1, "{rendered}");
    assert_eq!(count(&rendered, "ol[start='3'] > li"), 3, "{rendered}");
    assert_eq!(
        count(&rendered, "ol[start='3'] > li > ol > li"),
        2,
        "{rendered}"
    );
    assert_eq!(
        count(&rendered, "ol[start='3'] > li > ul > li"),
        1,
        "{rendered}"
    );
}

#[test]
fn tables_are_tables_at_any_depth() {
    let (_, rendered) = corpus("tables");
    assert_eq!(count(&rendered, "table"), 3, "{rendered}");
    assert_eq!(count(&rendered, "table table"), 1);
    assert_eq!(count(&rendered, "thead th"), 3);
    assert_eq!(count(&rendered, "td ul li"), 2);
    assert_eq!(count(&rendered, "td code"), 2);

    let (_, rendered) = corpus("table-in-table-in-list");
    assert_eq!(count(&rendered, "ul > li table table"), 1, "{rendered}");
    assert_eq!(count(&rendered, "ul > li"), 3, "{rendered}");
    assert_eq!(count(&rendered, "li table pre code"), 1, "{rendered}");
}

#[test]
fn code_blocks_and_tasks_read_back() {
    let (_, rendered) = corpus("code-snippets");
    let document = Html::parse_document(&rendered);
    let blocks: Vec<String> = document
        .select(&Selector::parse("pre code").expect("selector"))
        .map(|code| code.text().collect())
        .collect();
    assert_eq!(blocks.len(), 3, "{rendered}");
    assert!(blocks[0].contains("set -eu\n\nfor crate"));
    assert!(blocks[0].contains("\n    cargo build -p \"$crate\" && echo"));
    assert!(blocks[1].starts_with("```rust\n"));
    assert_eq!(
        count(&rendered, "li input[type=checkbox] ~ code"),
        1,
        "{rendered}"
    );

    let (_, rendered) = corpus("note-tags");
    assert_eq!(count(&rendered, "li input[type=checkbox]"), 6, "{rendered}");
    assert_eq!(
        count(&rendered, "ol > li input[type=checkbox]"),
        2,
        "{rendered}"
    );
}

#[test]
fn a_preformatted_block_and_the_code_line_after_it_stay_two_blocks() {
    let html = r#"<html><head><title>Code</title></head><body><div>
<pre>fn main() {
    println!("hello");
}</pre>
<p style="font-family:Consolas">SELECT id FROM pages;</p>
<p style="font-family:Consolas">SELECT title FROM pages;</p>
</div></body></html>"#;
    let conversion = to_markdown(html, &PageMeta::default());
    let rendered = markdown_to_html(&conversion.markdown);
    let blocks = texts(&rendered, "pre code");
    assert_eq!(blocks.len(), 2, "{}", conversion.markdown);
    assert!(blocks[0].starts_with("fn main()") && blocks[0].ends_with('}'));
    // OneNote's lines of code, one paragraph each, are still one block.
    assert_eq!(
        blocks[1], "SELECT id FROM pages;\nSELECT title FROM pages;",
        "{}",
        conversion.markdown
    );
}

fn texts(rendered: &str, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).expect("valid selector");
    Html::parse_document(rendered)
        .select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

#[test]
fn check_boxes_show_on_headings_cells_and_every_shape() {
    let (_, rendered) = corpus_with_context("tags-on-headings-and-cells");
    assert_eq!(
        texts(&rendered, "h2"),
        ["☐ Confirm speakers", "☑ Book the venue"],
        "{rendered}"
    );
    assert!(texts(&rendered, "h3")[0].starts_with("☑"), "{rendered}");
    let cells = texts(&rendered, "td");
    assert!(cells.contains(&"☐ Print badges".to_string()), "{cells:?}");
    assert!(cells.contains(&"☑ Order lanyards".to_string()), "{cells:?}");
    // Eight completed check-box shapes as paragraphs, one in a list: all checked.
    assert_eq!(
        count(&rendered, "li input[type=checkbox][checked]"),
        9,
        "{rendered}"
    );
    assert_eq!(
        count(&rendered, "li input[type=checkbox]:not([checked])"),
        1
    );
}

#[test]
fn every_failure_comment_is_a_note_where_it_stood() {
    let (_, rendered) = corpus_with_context("failure-comments-in-place");
    let document = Html::parse_document(&rendered);
    let blocks: Vec<String> = document
        .select(&Selector::parse("body > p, body > blockquote").unwrap())
        .map(|e| format!("{}:{}", e.value().name(), e.text().collect::<String>()))
        .collect();
    let shape: Vec<&str> = blocks
        .iter()
        .map(|b| b.split(':').next().unwrap())
        .collect();
    assert_eq!(
        shape,
        [
            "p",
            "blockquote",
            "p",
            "blockquote",
            "p",
            "blockquote",
            "p",
            "blockquote",
            "p"
        ],
        "{blocks:#?}"
    );
    assert!(blocks[1].contains("Processing ParagraphNode failed"));
    assert!(blocks[5].contains("InkNode"));
}

#[test]
fn super_and_subscript_styles_are_sup_and_sub() {
    let (_, rendered) = corpus_with_context("super-and-subscript-styles");
    assert_eq!(texts(&rendered, "sub"), ["2", "2"], "{rendered}");
    assert_eq!(
        texts(&rendered, "sup"),
        ["2", "st", "n", "Raised"],
        "{rendered}"
    );
}

#[test]
fn data_url_images_become_files() {
    let (conversion, rendered) = corpus_with_context("data-url-images");
    assert_eq!(count(&rendered, "img[src^='resources/']"), 2, "{rendered}");
    let carried: Vec<_> = conversion
        .resources
        .iter()
        .filter(|r| r.bytes.is_some())
        .collect();
    assert_eq!(carried.len(), 2);
    assert!(carried[0].bytes.as_ref().unwrap().starts_with(b"\x89PNG"));
    // Not raster images: nothing but their alt text.
    let text: String = Html::parse_document(&rendered)
        .root_element()
        .text()
        .collect();
    assert!(text.contains("Script") && text.contains("Vector") && text.contains("Broken"));
}

#[test]
fn equations_are_latex_or_kept_mathml() {
    let (_, rendered) = corpus_with_context("equations");
    let display = texts(&rendered, ".math-display");
    assert!(
        display.contains(&"x=\\frac{-b\\pm\\sqrt{b^2-4ac}}{2a}".to_string()),
        "{display:?}"
    );
    assert_eq!(display.len(), 2, "{rendered}");
    let inline = texts(&rendered, ".math-inline");
    assert!(inline.contains(&"e^{i\\pi}+1=0".to_string()), "{inline:?}");
    assert!(
        inline.iter().any(|m| m.contains("\\begin{matrix}")),
        "{inline:?}"
    );
    assert_eq!(
        count(&rendered, "pre code.language-mathml"),
        1,
        "{rendered}"
    );
    assert_eq!(
        count(&rendered, "blockquote"),
        1,
        "the failure comment: {rendered}"
    );
}

#[test]
fn ink_is_an_svg_image_where_it_stood() {
    let (conversion, rendered) = corpus_with_context("ink-sketch");
    let document = Html::parse_document(&rendered);
    let order: Vec<String> = document
        .select(&Selector::parse("body > p").unwrap())
        .map(
            |p| match p.select(&Selector::parse("img").unwrap()).next() {
                Some(img) => img.attr("src").unwrap_or_default().to_string(),
                None => p.text().collect(),
            },
        )
        .collect();
    assert_eq!(
        order,
        [
            "Drawn on a tablet:",
            "resources/ink-drawing-1.svg",
            "And a signature:",
            "resources/ink-drawing-2.svg"
        ]
    );
    let svg = String::from_utf8(conversion.resources[0].bytes.clone().unwrap()).unwrap();
    assert_eq!(svg.matches("<path ").count(), 2, "{svg}");
    assert!(svg.contains("stroke=\"#1F4E79\""));
    // Without the InkML, the marker's note stays.
    let (_, plain) = corpus("ink-sketch");
    assert_eq!(count(&plain, "blockquote"), 2);
}

#[test]
fn links_between_pages_are_relative_where_resolved() {
    let (conversion, rendered) = corpus_with_context("page-links");
    let hrefs: Vec<String> = Html::parse_document(&rendered)
        .select(&Selector::parse("a").unwrap())
        .map(|a| a.attr("href").unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        &hrefs[..4],
        [
            "Tables.md",
            "../Quick%20Notes/Weekly%20plan.md",
            "../Quick%20Notes/Meeting%20notes.md",
            "../Journal/"
        ]
    );
    assert!(
        hrefs[4].starts_with("onenote:"),
        "the deleted page's link stays: {hrefs:?}"
    );
    assert_eq!(
        hrefs[5],
        "https://learn.microsoft.com/graph/integrate-with-onenote"
    );
    assert_eq!(conversion.unresolved_links.len(), 1);
    assert!(conversion.unresolved_links[0].contains("Old%20plans"));
}
