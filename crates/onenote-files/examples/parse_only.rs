//! The floor `scripts/bench` measures file conversion against: onenote_parser alone reading
//! every `.one` under a folder and walking each page's contents — no HTML, no Markdown, nothing
//! written. `graphnote convert` cannot be faster than this.
//!
//! `parse_only FOLDER` prints one JSON object: pages, bytes and seconds over the files that
//! parsed, each file with its page count, and the files that did not parse.

use std::path::{Path, PathBuf};
use std::time::Instant;

use onenote_parser::Parser;

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
    let folder = std::env::args().nth(1).expect("usage: parse_only FOLDER");
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
            "files": parsed,
            "failed": failed,
        })
    );
}
