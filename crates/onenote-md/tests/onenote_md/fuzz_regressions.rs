//! Replays inputs through the fuzz targets' checks (`fuzz/checks.rs`): every file in
//! `tests/fuzz-regressions/` (inputs the fuzzer once found a problem with, kept so it stays
//! fixed) and the converter's corpus. `scripts/fuzz` runs the fuzzers themselves.

#[path = "../../../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut out = Vec::new();
    for dir in ["fuzz-regressions", "corpus"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let keep = dir == "fuzz-regressions" || path.extension().is_some_and(|e| e == "html");
            if keep && path.is_file() {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    assert!(out.len() > 10, "the saved inputs and the corpus are there");
    out
}

#[test]
fn saved_inputs_pass_the_markdown_checks() {
    for (name, data) in inputs() {
        let outcome = std::panic::catch_unwind(|| checks::check_markdown(&data));
        assert!(outcome.is_ok(), "{name}");
    }
}

#[test]
fn saved_inputs_pass_the_sanitizer_checks() {
    for (name, data) in inputs() {
        let outcome = std::panic::catch_unwind(|| checks::check_sanitizer(&data));
        assert!(outcome.is_ok(), "{name}");
    }
}

#[test]
fn saved_inputs_pass_the_checks_of_the_new_paths() {
    for (name, data) in inputs() {
        for (path, check) in [
            ("mathml", checks::check_mathml as fn(&[u8])),
            ("inkml", checks::check_inkml),
            ("page links", checks::check_page_links),
            ("strict tree", checks::check_strict_tree),
        ] {
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{path}: {name}");
        }
    }
    let ink =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ink-sketch.inkml"))
            .unwrap();
    checks::check_inkml(&ink);
}
