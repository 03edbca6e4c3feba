//! OneNote files made by OneNote (vendored unchanged in `tests/files`, see its SOURCE.md)
//! through the export's runner into a vault, checked as a person would check it by looking:
//! every page there once, where its notebook, section group, section and level put it; every
//! picture and file byte for byte what the parser reads from the section; ink drawn; tags,
//! lists, tables and formatting as Markdown writes them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aws_lc_rs::digest;
use export::{Halt, JobFolder, Manifest, Observer, Status};
use onenote_files::ReadOptions;
use onenote_parser::Parser;
use onenote_parser::contents::{Content, OutlineElement, OutlineItem};
use onenote_parser::page::PageContent;

fn files() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/files")
}

struct Quiet;

impl Observer for Quiet {
    fn progress(&self, _: &Status) {}
    fn stop(&self) -> Option<Halt> {
        None
    }
}

/// A converted vault: its folder, manifest and status.
struct Vault {
    dir: tempfile::TempDir,
    manifest: Manifest,
    status: Status,
}

impl Vault {
    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(path)).unwrap()
    }

    fn page(&self, path: &str) -> String {
        let entry = self.manifest.pages.values().find(|p| p.path == path);
        assert!(
            entry.is_some(),
            "no page {path} in {:?}",
            self.manifest
                .pages
                .values()
                .map(|p| &p.path)
                .collect::<Vec<_>>()
        );
        self.read(path)
    }

    /// Every page's Markdown, one after another.
    fn every_page(&self) -> String {
        self.manifest
            .pages
            .values()
            .map(|p| self.read(&p.path))
            .collect()
    }

    fn paths(&self) -> BTreeSet<String> {
        self.manifest
            .pages
            .values()
            .map(|p| p.path.clone())
            .collect()
    }
}

fn convert(inputs: &[PathBuf], options: ReadOptions) -> Vault {
    let dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let folder = JobFolder::unzipped(dir.path(), work.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let finished = onenote_files::convert(
        inputs,
        work.path(),
        options,
        &folder,
        &Quiet,
        runtime.handle(),
    )
    .unwrap();
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(dir.path().join(export::MANIFEST_PATH)).unwrap())
            .unwrap();
    Vault {
        dir,
        manifest,
        status: finished.status,
    }
}

/// The onenote.rs sample notebook, its section group and recycle bin (no other samples).
fn sample_notebook() -> PathBuf {
    let dir = tempfile::tempdir().unwrap().keep().join("Sample notebook");
    let from = files().join("onenote.rs");
    for part in [
        "Open Notebook.onetoc2",
        "New Section 1.one",
        "New Section Group/New Section 1.one",
        "New Section Group/New Section 2.one",
        "New Section Group/Open Notebook.onetoc2",
        "OneNote_RecycleBin/OneNote_DeletedPages.one",
        "OneNote_RecycleBin/Open Notebook.onetoc2",
    ] {
        let to = dir.join(part);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from.join(part), to).unwrap();
    }
    dir
}

fn sha256(bytes: &[u8]) -> String {
    digest::digest(&digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The pages of every section file under `folder`, as the parser reads them alone.
fn pages_in(section: &Path) -> Vec<String> {
    let path = section.to_str().unwrap();
    let section = Parser::new()
        .parse_section(typed_path::TypedPath::derive(path))
        .unwrap();
    section
        .page_series()
        .iter()
        .flat_map(|s| s.pages())
        .map(|p| p.title_text().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_notebook_folder_keeps_its_section_groups_as_folders_and_leaves_the_recycle_bin_out() {
    let notebook = sample_notebook();
    let vault = convert(
        &[notebook.join("Open Notebook.onetoc2")],
        ReadOptions::default(),
    );
    assert!(
        vault.status.skipped.is_empty(),
        "{:?}",
        vault.status.skipped
    );
    let expected: BTreeSet<String> = [
        "Sample notebook/New Section 1/Test Page.md",
        "Sample notebook/New Section Group/New Section 1/Test Page 2.md",
        "Sample notebook/New Section Group/New Section 2/Test Page 3.md",
        "Sample notebook/New Section Group/New Section 2/Test Page 4.md",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(vault.paths(), expected);
    // Each section's page count is what the parser reads in that file.
    for (section, folder) in [
        ("New Section 1.one", "Sample notebook/New Section 1/"),
        (
            "New Section Group/New Section 2.one",
            "Sample notebook/New Section Group/New Section 2/",
        ),
    ] {
        let in_file = pages_in(&notebook.join(section));
        let in_vault = vault
            .paths()
            .iter()
            .filter(|p| p.starts_with(folder))
            .count();
        assert_eq!(in_file.len(), in_vault, "{section}");
    }
    assert!(vault.dir.path().join("Sample notebook/index.md").is_file());
    assert!(
        vault
            .dir
            .path()
            .join("Sample notebook/New Section Group/New Section 2/index.md")
            .is_file()
    );
    assert!(!vault.dir.path().join("Sample notebook/_deleted").exists());
}

#[test]
fn deleted_pages_come_in_under_deleted_when_asked() {
    let notebook = sample_notebook();
    let vault = convert(
        &[notebook.join("Open Notebook.onetoc2")],
        ReadOptions {
            include_deleted: true,
        },
    );
    let deleted: Vec<String> = vault
        .paths()
        .into_iter()
        .filter(|p| p.starts_with("Sample notebook/_deleted/"))
        .collect();
    let in_bin = pages_in(&notebook.join("OneNote_RecycleBin/OneNote_DeletedPages.one"));
    assert!(!in_bin.is_empty());
    assert_eq!(deleted.len(), in_bin.len(), "{deleted:?}");
}

#[test]
fn text_formatting_links_lists_and_headings_read_as_markdown() {
    let vault = convert(&[sample_notebook()], ReadOptions::default());
    let page = vault.page("Sample notebook/New Section 1/Test Page.md");
    for expected in [
        "# ABCDEF",
        "**Lorem** ipsum *dolor* sit <u>amet</u>, consetetur ~~sadipscing~~ elitr, <sub>sed</sub> diam <sup>nonumy</sup>",
        "[magna](https://example.com)",
        // A bulleted list nested three deep, and a numbered one.
        "- Lorem ipsum",
        "  - Lorem ipsum",
        "    - Lorem ipsum",
        "1. Lorem ipsum",
        "   1. Lorem ipsum",
        "4. Lorem ipsum",
    ] {
        assert!(page.contains(expected), "{expected:?} not in:\n{page}");
    }
    assert!(page.starts_with("---\ntitle: \"Test Page\"\ncreated: \"2020-10-27T10:47:23"));
}

#[test]
fn note_tags_are_tasks_and_labels() {
    let vault = convert(&[sample_notebook()], ReadOptions::default());
    let page = vault.page("Sample notebook/New Section 1/Test Page.md");
    assert!(page.contains("\n- [ ] ABCDEF\n"), "{page}");
    assert!(page.contains("\n- [x] ABCDEFG\n"), "{page}");
    assert!(page.contains("**[Important]** ABCDEFGH"), "{page}");
}

#[test]
fn tables_keep_their_cells_and_an_empty_row_stays_a_row() {
    let vault = convert(&[sample_notebook()], ReadOptions::default());
    let page = vault.page("Sample notebook/New Section 1/Test Page.md");
    assert!(
        page.contains("| A | B | C |\n| --- | --- | --- |\n| 1 | 2 | 3 |"),
        "{page}"
    );
    assert!(page.contains("| A | B |\n| --- | --- |\n"), "{page}");
}

#[test]
fn ink_is_drawn_as_svg_the_page_links() {
    let vault = convert(&[sample_notebook()], ReadOptions::default());
    let page = vault.page("Sample notebook/New Section 1/Test Page.md");
    assert!(
        page.contains("![Ink drawing 1](resources/ink-drawing-1.svg)"),
        "{page}"
    );
    let svg = vault.read("Sample notebook/New Section 1/resources/ink-drawing-1.svg");
    assert!(svg.starts_with("<svg") && svg.contains("<path"), "{svg}");
}

/// Every picture and file of every page, as the parser reads it.
fn parser_files(section: &Path) -> BTreeMap<String, usize> {
    fn element(e: &OutlineElement, out: &mut BTreeMap<String, usize>) {
        for content in e.contents() {
            match content {
                Content::Image(i) => add(i.read(), out),
                Content::EmbeddedFile(f) => add(Some(f.read()), out),
                Content::Table(t) => {
                    for row in t.contents() {
                        for cell in row.contents() {
                            cell.contents().iter().for_each(|c| element(c, out));
                        }
                    }
                }
                _ => {}
            }
        }
        items(e.children(), out);
    }
    fn items(list: &[OutlineItem], out: &mut BTreeMap<String, usize>) {
        for item in list {
            match item {
                OutlineItem::Element(e) => element(e, out),
                OutlineItem::Group(g) => items(g.outlines(), out),
            }
        }
    }
    fn add(reader: Option<Box<dyn std::io::Read>>, out: &mut BTreeMap<String, usize>) {
        let mut bytes = Vec::new();
        reader.unwrap().read_to_end(&mut bytes).unwrap();
        *out.entry(sha256(&bytes)).or_insert(0usize) += 1;
    }
    let section = Parser::new()
        .parse_section(typed_path::TypedPath::derive(section.to_str().unwrap()))
        .unwrap();
    let mut out = BTreeMap::new();
    for page in section.page_series().iter().flat_map(|s| s.pages()) {
        for content in page.contents() {
            match content {
                PageContent::Outline(o) => items(o.items(), &mut out),
                PageContent::Image(i) => add(i.read(), &mut out),
                PageContent::EmbeddedFile(f) => add(Some(f.read()), &mut out),
                _ => {}
            }
        }
    }
    out
}

#[test]
fn pictures_and_files_are_byte_for_byte_what_the_section_holds() {
    for section in [
        "onenote.rs/New Section 1.one",
        "onenote.rs/New Section Group/New Section 2.one",
        "onenote.rs/handwriting_recognition.one",
        "tika/testOneNoteEmbeddedWordDoc.one",
        "tika/testOneNoteEmbeddedImage.one",
        "interop-testsuites/FileSyncandWOPI/Setup/SUT/OneWithFileData.one",
    ] {
        let path = files().join(section);
        let expected = parser_files(&path);
        assert!(!expected.is_empty(), "{section} holds no files");
        let vault = convert(&[path], ReadOptions::default());
        let mut written: BTreeMap<String, usize> = BTreeMap::new();
        for page in vault.manifest.pages.values() {
            for resource in page.resources.iter().filter(|r| !r.id.is_empty()) {
                let bytes = std::fs::read(vault.dir.path().join(&resource.path)).unwrap();
                assert_eq!(sha256(&bytes), resource.sha256);
                *written.entry(resource.sha256.clone()).or_insert(0usize) += 1;
            }
        }
        assert_eq!(written, expected, "{section}");
    }
}

#[test]
fn every_vendored_section_converts_with_every_page_once() {
    let mut sections = Vec::new();
    let mut stack = vec![files()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "one") {
                sections.push(path);
            }
        }
    }
    sections.sort();
    assert!(sections.len() >= 20);
    let mut read = 0;
    for section in sections {
        // A section the parser alone refuses (password-protected, or damaged on purpose by its
        // project) must be reported as skipped; every other one converts whole.
        let path = section.to_str().unwrap();
        let parsed = Parser::new().parse_section(typed_path::TypedPath::derive(path));
        match parsed {
            Ok(parsed) => {
                read += 1;
                let vault = convert(std::slice::from_ref(&section), ReadOptions::default());
                let count: usize = parsed.page_series().iter().map(|s| s.pages().len()).sum();
                assert_eq!(vault.manifest.pages.len(), count, "{path}");
                assert!(vault.status.skipped.is_empty(), "{path}");
                let paths = vault.paths();
                assert_eq!(paths.len(), count, "{path}: two pages at one path");
            }
            Err(_) => {
                let work = tempfile::tempdir().unwrap();
                let library = onenote_files::read(
                    std::slice::from_ref(&section),
                    work.path(),
                    ReadOptions::default(),
                )
                .unwrap();
                assert!(library.notebooks.is_empty(), "{path}");
                assert_eq!(library.skipped.len(), 1, "{path}");
                assert!(library.skipped[0].name.ends_with(".one"), "{path}");
            }
        }
    }
    assert!(read >= 20, "only {read} sections read");
}

#[test]
fn handwriting_keeps_the_words_onenote_read_in_it() {
    let path = files().join("onenote.rs/handwriting_recognition.one");
    let section = Parser::new()
        .parse_section(typed_path::TypedPath::derive(path.to_str().unwrap()))
        .unwrap();
    let recognised: Vec<String> = section
        .page_series()
        .iter()
        .flat_map(|s| s.pages())
        .filter_map(|p| p.ink_recognition().map(|r| r.text()))
        .filter(|t| !t.trim().is_empty())
        .collect();
    assert!(
        !recognised.is_empty(),
        "the sample has recognised handwriting"
    );
    let vault = convert(&[path], ReadOptions::default());
    let pages = vault.every_page();
    assert!(
        pages.contains("Handwriting, as OneNote read it:"),
        "{pages}"
    );
    for text in recognised {
        for word in text.split_whitespace() {
            assert!(
                pages.contains(word),
                "{word:?} is not in the vault:\n{pages}"
            );
        }
    }
}

#[test]
fn ink_on_a_page_is_one_picture_with_every_stroke() {
    fn strokes(ink: &onenote_parser::contents::Ink) -> usize {
        ink.ink_strokes().len() + ink.child_groups().iter().map(strokes).sum::<usize>()
    }
    let path = files().join("onenote.rs/handwriting_recognition.one");
    let section = Parser::new()
        .parse_section(typed_path::TypedPath::derive(path.to_str().unwrap()))
        .unwrap();
    let page = section
        .page_series()
        .iter()
        .flat_map(|s| s.pages())
        .max_by_key(|p| p.contents().iter().filter(|c| c.ink().is_some()).count())
        .unwrap();
    let on_the_page: Vec<_> = page.contents().iter().filter_map(|c| c.ink()).collect();
    assert!(
        on_the_page.len() > 10,
        "the sample's handwriting is many ink objects"
    );
    let expected: usize = on_the_page.iter().map(|ink| strokes(ink)).sum();
    let vault = convert(&[path], ReadOptions::default());
    let entry = vault
        .manifest
        .pages
        .values()
        .find(|p| Some(p.title.as_str()) == page.title_text())
        .unwrap();
    let drawings: Vec<_> = entry
        .resources
        .iter()
        .filter(|r| r.path.ends_with(".svg"))
        .collect();
    assert_eq!(drawings.len(), 1, "{drawings:?}");
    let svg = vault.read(&drawings[0].path);
    assert_eq!(svg.matches("<path").count(), expected);
}

#[test]
fn a_page_says_who_wrote_it_when_the_file_does() {
    let mut seen = 0;
    for section in [
        "onenote.rs/New Section 1.one",
        "tika/testOneNote1.one",
        "tika/testOneNote2016.one",
        "interop-testsuites/FileSyncandWOPI/Setup/SUT/OneWithFileData.one",
    ] {
        let path = files().join(section);
        let parsed = Parser::new()
            .parse_section(typed_path::TypedPath::derive(path.to_str().unwrap()))
            .unwrap();
        let authors: Vec<Option<String>> = parsed
            .page_series()
            .iter()
            .flat_map(|s| s.pages())
            .map(|p| {
                p.author()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
            })
            .collect();
        let vault = convert(&[path], ReadOptions::default());
        let mut entries: Vec<_> = vault.manifest.pages.iter().collect();
        // Page ids end in their place in the section: s1-p1, s1-p2, …
        entries.sort_by_key(|(id, _)| id.rsplit('p').next().and_then(|n| n.parse::<usize>().ok()));
        assert_eq!(entries.len(), authors.len(), "{section}");
        for ((_, entry), author) in entries.iter().zip(&authors) {
            let page = vault.read(&entry.path);
            let front = page.split("\n---\n").next().unwrap();
            match author {
                Some(author) => {
                    seen += 1;
                    let line = format!("author: \"{author}\"");
                    assert!(front.contains(&line), "{section}: {line} not in\n{front}");
                }
                None => assert!(!front.contains("author:"), "{section}: {front}"),
            }
        }
    }
    assert!(seen > 0, "no vendored page names its author");
}

#[test]
fn a_password_protected_section_is_skipped_with_why_and_the_others_convert() {
    // OfficeDev's password-protected section beside a readable one, as a folder of sections.
    let folder = tempfile::tempdir().unwrap().keep().join("Mixed");
    std::fs::create_dir_all(&folder).unwrap();
    let locked = files().join("interop-testsuites/FileSyncandWOPI/Setup/SUT/Encryption.one");
    let open = files().join("onenote.rs/New Section 1.one");
    std::fs::copy(&locked, folder.join("Locked.one")).unwrap();
    std::fs::copy(&open, folder.join("Open.one")).unwrap();
    let vault = convert(std::slice::from_ref(&folder), ReadOptions::default());
    let skipped: Vec<_> = vault
        .status
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [(
            "Mixed/Locked.one",
            onenote_files::section_file::PASSWORD_PROTECTED
        )]
    );
    let report = vault.read(export::REPORT_PATH);
    assert!(report.contains("password-protected"), "{report}");
    let pages: BTreeSet<String> = vault.paths();
    let expected: BTreeSet<String> = pages_in(&open)
        .iter()
        .map(|title| format!("Mixed/Open/{title}.md"))
        .collect();
    assert_eq!(pages, expected);
}

#[test]
fn an_equation_comes_out_as_latex() {
    // The handwriting sample holds one equation, "𝑎=𝑏" (math italic letters), alone in its
    // paragraph: display math.
    let path = files().join("onenote.rs/handwriting_recognition.one");
    let vault = convert(&[path], ReadOptions::default());
    let pages = vault.every_page();
    assert!(pages.contains("\n$$\na=b\n$$\n"), "{pages}");
    assert!(!pages.contains("𝑎"), "{pages}");
}
