//! The floor `scripts/bench` measures file conversion against: onenote_parser alone reading
//! every `.one` under a folder and walking each page's contents — no HTML, no Markdown, nothing
//! written. `graphnote convert` cannot be faster than this.
//!
//! `parse_only FOLDER` prints one JSON object: pages, bytes and seconds over the files that
//! parsed, each file with its page count, and the files that did not parse. With
//! `--read-data` it also reads every picture's and attached file's bytes (what a conversion
//! cannot skip: the parser leaves them in the file until asked).

use std::path::{Path, PathBuf};
use std::time::Instant;

use onenote_parser::Parser;
use onenote_parser::contents::{Content, OutlineElement, OutlineItem};
use onenote_parser::page::PageContent;

/// Reads every picture and file under `items` to the end; their bytes.
fn read_items(items: &[OutlineItem]) -> u64 {
    items
        .iter()
        .map(|item| match item {
            OutlineItem::Element(element) => read_element(element),
            OutlineItem::Group(group) => read_items(group.outlines()),
        })
        .sum()
}

fn read_element(element: &OutlineElement) -> u64 {
    let own: u64 = element
        .contents()
        .iter()
        .map(|content| match content {
            Content::Image(image) => image.read().map_or(0, drain),
            Content::EmbeddedFile(file) => drain(file.read()),
            Content::Table(table) => table
                .contents()
                .iter()
                .flat_map(|row| row.contents())
                .flat_map(|cell| cell.contents())
                .map(read_element)
                .sum(),
            _ => 0,
        })
        .sum();
    own + read_items(element.children())
}

fn drain(mut reader: Box<dyn std::io::Read>) -> u64 {
    std::io::copy(&mut reader, &mut std::io::sink()).unwrap_or(0)
}

fn sections(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            sections(&path, out);
        } else if path.extension().is_some_and(|e| e == "one") {
            out.push(path);
        }
    }
}

fn main() {
    let folder = std::env::args()
        .nth(1)
        .expect("usage: parse_only FOLDER [--read-data]");
    let read_data = std::env::args().any(|a| a == "--read-data");
    let mut data = 0u64;
    let mut files = Vec::new();
    sections(Path::new(&folder), &mut files);
    let started = Instant::now();
    let (mut pages, mut bytes, mut contents) = (0usize, 0u64, 0usize);
    let mut parsed = Vec::new();
    let mut failed = Vec::new();
    for file in files {
        let typed = typed_path::TypedPath::derive(file.to_str().expect("a UTF-8 path"));
        match Parser::new().parse_section(typed) {
            Ok(section) => {
                let here: Vec<_> = section
                    .page_series()
                    .iter()
                    .flat_map(|s| s.pages())
                    .collect();
                contents += here.iter().map(|p| p.contents().len()).sum::<usize>();
                if read_data {
                    for page in &here {
                        for content in page.contents() {
                            data += match content {
                                PageContent::Outline(outline) => read_items(outline.items()),
                                PageContent::Image(image) => image.read().map_or(0, drain),
                                PageContent::EmbeddedFile(file) => drain(file.read()),
                                _ => 0,
                            };
                        }
                    }
                }
                pages += here.len();
                let size = std::fs::metadata(&file).map_or(0, |m| m.len());
                bytes += size;
                parsed.push(serde_json::json!([
                    file.display().to_string(),
                    here.len(),
                    size
                ]));
            }
            Err(_) => failed.push(file.display().to_string()),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "pages": pages,
            "bytes": bytes,
            "seconds": seconds,
            "contents": contents,
            "data_bytes": data,
            "files": parsed,
            "failed": failed,
        })
    );
}
