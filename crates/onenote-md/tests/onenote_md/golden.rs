//! Golden-file tests for `to_markdown`.
//!
//! Every `tests/corpus/NAME.html` (a page as OneNote's API returns it) is converted and compared
//! with `tests/corpus/NAME.md`, and the resources it reports with `NAME.resources` (one line per
//! resource: kind, id, file name, content type; the file is absent when there are none).
//! An optional `NAME.meta` gives the page metadata, one `key: value` per line (`title`,
//! `created`, `modified`, `web_url`); without it the metadata is empty and the page's own
//! `<title>` and `<meta name="created">` are used.
//!
//! To regenerate the expected files after an intended change, run
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test -p onenote-md --test onenote_md golden::
//! ```
//!
//! and then read every changed `.md` (`git diff crates/onenote-md/tests/corpus`): a person
//! accepting the Markdown is the real test.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use onenote_md::{PageMeta, ResourceKind, ResourceRef, to_markdown};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn corpus_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .map(|entry| entry.expect("readable corpus entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    pages
}

fn read_meta(path: &Path) -> PageMeta {
    let mut meta = PageMeta::default();
    let Ok(text) = fs::read_to_string(path) else {
        return meta;
    };
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match key.trim() {
            "title" => meta.title = value,
            "created" => meta.created = Some(value),
            "modified" => meta.modified = Some(value),
            "web_url" => meta.web_url = Some(value),
            other => panic!("{}: unknown meta key {other}", path.display()),
        }
    }
    meta
}

fn describe_resources(resources: &[ResourceRef]) -> String {
    let mut text = String::new();
    for resource in resources {
        let kind = match resource.kind {
            ResourceKind::Image => "image",
            ResourceKind::Attachment => "attachment",
        };
        let content_type = resource.content_type.as_deref().unwrap_or("-");
        writeln!(
            text,
            "{kind}\t{}\t{}\t{content_type}",
            resource.id, resource.file_name
        )
        .expect("writing to a String");
    }
    text
}

/// Compares `actual` with the file at `path` (absent file = empty), or rewrites the file.
fn check(path: &Path, actual: &str, update: bool, failures: &mut Vec<String>) {
    let expected = fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return;
    }
    if update {
        if actual.is_empty() {
            fs::remove_file(path).expect("remove stale golden file");
        } else {
            fs::write(path, actual).expect("write golden file");
        }
        return;
    }
    failures.push(format!(
        "{} differs.\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    ));
}

#[test]
fn corpus_converts_to_the_expected_markdown() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let pages = corpus_pages();
    assert!(pages.len() >= 12, "the corpus has {} pages", pages.len());
    let mut failures = Vec::new();
    for page in &pages {
        let html = fs::read_to_string(page).expect("readable page");
        let meta = read_meta(&page.with_extension("meta"));
        let conversion = to_markdown(&html, &meta);
        check(
            &page.with_extension("md"),
            &conversion.markdown,
            update,
            &mut failures,
        );
        check(
            &page.with_extension("resources"),
            &describe_resources(&conversion.resources),
            update,
            &mut failures,
        );
    }
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ (UPDATE_GOLDEN=1 rewrites them):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Properties every corpus page's Markdown must have, whatever its expected text.
#[test]
fn corpus_markdown_is_well_formed() {
    for page in corpus_pages() {
        let html = fs::read_to_string(&page).expect("readable page");
        let conversion = to_markdown(&html, &PageMeta::default());
        let markdown = &conversion.markdown;
        let name = page.display();
        assert!(markdown.starts_with("---\n"), "{name}: front matter first");
        assert!(
            markdown.ends_with('\n') && !markdown.ends_with("\n\n"),
            "{name}: one final newline"
        );
        assert!(
            !markdown.contains("\n\n\n"),
            "{name}: no runs of blank lines"
        );
        for resource in &conversion.resources {
            let file = &resource.file_name;
            assert!(file.starts_with("resources/"), "{name}: {file}");
            assert_eq!(file.matches('/').count(), 1, "{name}: {file}");
            assert!(!file.contains(".."), "{name}: {file}");
            assert!(!file.chars().any(char::is_control), "{name}: {file}");
            assert!(
                onenote_md::is_valid_resource_id(&resource.id),
                "{name}: {}",
                resource.id
            );
        }
        let mut lower_names: Vec<String> = conversion
            .resources
            .iter()
            .map(|r| r.file_name.to_lowercase())
            .collect();
        lower_names.sort();
        lower_names.dedup();
        assert_eq!(
            lower_names.len(),
            conversion.resources.len(),
            "{name}: unique file names"
        );
    }
}
