//! Golden-file tests for `to_markdown`.
//!
//! Every `tests/corpus/NAME.html` (a page as OneNote's API returns it) is converted and compared
//! with `tests/corpus/NAME.md`, and the resources it reports with `NAME.resources` (one line per
//! resource: kind, id — `carried` for a file the page carries itself —, file name, content type;
//! the file is absent when there are none). The bytes of carried files are compared with
//! `NAME.files/resources/…`. An optional `NAME.inkml` is the page's ink, as `graphnote convert`
//! reads it beside a page; so `graphnote convert` gives these same files for the corpus.
//!
//! Pages in `tests/corpus/with-context/` need what only a caller has: `NAME.meta` gives the page
//! metadata, one `key: value` per line (`title`, `created`, `modified`, `web_url`; without it the
//! page's own `<title>` and `<meta name="created">` are used), and `NAME.links` a link resolver
//! (lines `page|section<TAB>guid<TAB>path`); the links it leaves are compared with
//! `NAME.unresolved`.
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

use onenote_md::{
    Conversion, Options, PageLink, PageMeta, ResourceKind, ResourceRef, to_markdown,
    to_markdown_with,
};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn pages_in(dir: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(dir)
        .expect("the corpus folder exists")
        .map(|entry| entry.expect("readable corpus entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    pages
}

fn corpus_pages() -> Vec<PathBuf> {
    let mut pages = pages_in(&corpus_dir());
    pages.extend(pages_in(&corpus_dir().join("with-context")));
    pages
}

/// A corpus page converted with what its side files give.
pub fn convert_corpus_page(page: &Path) -> Conversion {
    let html = fs::read_to_string(page).expect("readable page");
    let meta = read_meta(&page.with_extension("meta"));
    let ink = fs::read_to_string(page.with_extension("inkml")).ok();
    let links: Vec<(String, String, String)> = fs::read_to_string(page.with_extension("links"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some((
                fields.next()?.to_owned(),
                fields.next()?.to_owned(),
                fields.next()?.to_owned(),
            ))
        })
        .collect();
    let resolve = |link: &PageLink| {
        let (kind, id) = match &link.page_id {
            Some(page) => ("page", page),
            None => ("section", link.section_id.as_ref()?),
        };
        links
            .iter()
            .find(|(k, i, _)| k == kind && i == id)
            .map(|(_, _, path)| path.clone())
    };
    let options = Options {
        ink: ink.as_deref(),
        links: (!links.is_empty()).then_some(&resolve as &dyn onenote_md::LinkResolver),
        ..Options::default()
    };
    to_markdown_with(&html, &meta, &options)
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
            "id" => meta.id = Some(value),
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
        let id = if resource.bytes.is_some() {
            "carried"
        } else {
            &resource.id
        };
        writeln!(text, "{kind}\t{id}\t{}\t{content_type}", resource.file_name)
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
        let conversion = convert_corpus_page(page);
        check(
            &page.with_extension("unresolved"),
            &conversion
                .unresolved_links
                .iter()
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
            update,
            &mut failures,
        );
        let files = page.with_extension("files");
        for resource in &conversion.resources {
            let Some(bytes) = &resource.bytes else {
                continue;
            };
            let path = files.join(&resource.file_name);
            if update {
                fs::create_dir_all(path.parent().expect("a folder")).expect("create files folder");
                fs::write(&path, bytes).expect("write carried file");
            } else if fs::read(&path).ok().as_ref() != Some(bytes) {
                failures.push(format!("{} differs", path.display()));
            }
        }
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
                onenote_md::is_valid_resource_id(&resource.id) || resource.bytes.is_some(),
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
