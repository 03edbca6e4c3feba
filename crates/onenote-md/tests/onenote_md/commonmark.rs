//! The corpus Markdown read back by a CommonMark + GFM parser (pulldown-cmark).
//!
//! The golden files pin the exact text; these tests check what it *means*: every word of the
//! page survives (none lost, none eaten by misread markup), nothing active appears, and the
//! structures we meant (task lists, tables, nesting) are what a parser sees.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use crate::support::{markdown_to_html, visible_words};
use onenote_md::{PageMeta, to_markdown};
use scraper::{Html, Selector};

fn corpus(name: &str) -> (String, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(format!("{name}.html"));
    let html = fs::read_to_string(&path).expect("corpus page");
    let rendered = markdown_to_html(&to_markdown(&html, &PageMeta::default()).markdown);
    (html, rendered)
}

fn corpus_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|entry| {
            let path = entry.expect("entry").path();
            (path.extension()? == "html").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
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
