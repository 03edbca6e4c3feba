//! `graphnote convert` on OneNote's own files, run as a person runs it: a `.onepkg` gives the
//! same vault as the folder it was made from, a zip of a notebook folder converts, damaged
//! sections are skipped with their reason while the rest converts (exit 1), and what cannot be
//! read at all, or would unpack outside its folder or without end, is refused in one line
//! (exit 2) with nothing written outside the output.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::scratch;

fn vendored() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../onenote-files/tests/files")
}

fn convert(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graphnote"))
        .arg("convert")
        .args(args)
        .output()
        .unwrap()
}

/// The onenote.rs sample notebook (a section, a section group, a recycle bin), as a folder
/// named `name` in `dir`.
fn sample_notebook(dir: &Path, name: &str) -> PathBuf {
    let notebook = dir.join(name);
    for part in sample_parts() {
        let to = notebook.join(part);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(vendored().join("onenote.rs").join(part), to).unwrap();
    }
    notebook
}

fn sample_parts() -> [&'static str; 7] {
    [
        "Open Notebook.onetoc2",
        "New Section 1.one",
        "New Section Group/New Section 1.one",
        "New Section Group/New Section 2.one",
        "New Section Group/Open Notebook.onetoc2",
        "OneNote_RecycleBin/OneNote_DeletedPages.one",
        "OneNote_RecycleBin/Open Notebook.onetoc2",
    ]
}

/// Every file under `root` but the report and manifest (they hold times), with its bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if !relative.starts_with("_export/") {
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn pages(root: &Path) -> Vec<String> {
    files(root)
        .into_keys()
        .filter(|p| p.ends_with(".md") && !p.ends_with("index.md"))
        .collect()
}

#[test]
fn a_onepkg_gives_the_same_vault_as_the_folder_it_was_made_from() {
    let dir = scratch("convert-onepkg");
    let notebook = sample_notebook(&dir, "Sample");
    // A package as OneNote writes one: a Cabinet holding the folder's files by relative name.
    let package = dir.join("Sample.onepkg");
    let mut builder = cab::CabinetBuilder::new();
    let folder = builder.add_folder(cab::CompressionType::MsZip);
    for part in sample_parts() {
        folder.add_file(part.replace('/', "\\"));
    }
    let mut writer = builder
        .build(std::fs::File::create(&package).unwrap())
        .unwrap();
    let mut parts = sample_parts().into_iter();
    while let Some(mut file) = writer.next_file().unwrap() {
        file.write_all(&std::fs::read(notebook.join(parts.next().unwrap())).unwrap())
            .unwrap();
    }
    writer.finish().unwrap();

    let (from_folder, from_package) = (dir.join("from-folder"), dir.join("from-package"));
    let output = convert(&[&notebook, Path::new("--out"), &from_folder]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = convert(&[&package, Path::new("--out"), &from_package]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let (a, b) = (files(&from_folder), files(&from_package));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert_eq!(a, b);
    assert_eq!(pages(&from_package).len(), 4, "{:?}", pages(&from_package));
    // Nothing unpacked is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&from_package)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_zip_of_a_notebook_folder_converts_like_the_folder() {
    let dir = scratch("convert-zip");
    let notebook = sample_notebook(&dir, "Sample");
    let archive = dir.join("Sample.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    for part in sample_parts() {
        zip.start_file(
            format!("Sample/{part}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&std::fs::read(notebook.join(part)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    let (from_folder, from_zip) = (dir.join("from-folder"), dir.join("from-zip"));
    assert_eq!(
        convert(&[&notebook, Path::new("--out"), &from_folder])
            .status
            .code(),
        Some(0)
    );
    let output = convert(&[&archive, Path::new("--out"), &from_zip]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(files(&from_folder), files(&from_zip));
}

#[test]
fn damaged_sections_are_skipped_with_their_reason_and_the_rest_converts() {
    let dir = scratch("convert-damaged");
    let notebook = dir.join("Damaged");
    std::fs::create_dir_all(&notebook).unwrap();
    let good = ["New Section 1.one", "New Section Group/New Section 2.one"];
    for part in good {
        let name = Path::new(part).file_name().unwrap();
        std::fs::copy(
            vendored().join("onenote.rs").join(part),
            notebook.join(name),
        )
        .unwrap();
    }
    let whole = std::fs::read(vendored().join("onenote.rs/Schnelle Notizen.one")).unwrap();
    std::fs::write(notebook.join("Truncated.one"), &whole[..whole.len() / 3]).unwrap();
    let mut flipped = whole.clone();
    // One bit of the header's file-format GUID: no longer a OneNote file of any kind.
    flipped[0x30] ^= 0x04;
    std::fs::write(notebook.join("Flipped.one"), &flipped).unwrap();

    let out = dir.join("vault");
    let output = convert(&[&notebook, Path::new("--out"), &out]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("2 skipped") && stderr.contains("report.md"),
        "{stderr}"
    );
    let report = std::fs::read_to_string(out.join("_export/report.md")).unwrap();
    for bad in ["Truncated.one", "Flipped.one"] {
        let line = report.lines().find(|l| l.contains(bad));
        assert!(
            line.is_some_and(|l| l.starts_with("- section") && l.len() > bad.len() + 30),
            "{bad} not reported with a reason:\n{report}"
        );
    }
    let pages = pages(&out);
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages.contains(&"Damaged/New Section 1/Test Page.md".to_string()));
}

#[test]
fn what_cannot_be_read_is_one_line_and_exit_2() {
    let dir = scratch("convert-unreadable");
    let out = dir.join("vault");
    // A path that is not there.
    let output = convert(&[&dir.join("nowhere.one"), Path::new("--out"), &out]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("nowhere.one: no such file or folder"),
        "{stderr}"
    );
    // A section that is no section.
    let junk = dir.join("junk.one");
    std::fs::write(&junk, b"not a OneNote file at all").unwrap();
    let output = convert(&[&junk, Path::new("--out"), &out]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("nothing could be read") && stderr.contains("junk.one"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Without --out.
    let output = convert(&[&junk]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr).unwrap().contains("--out"));
}

#[test]
fn an_archive_cannot_write_outside_its_folder_or_unpack_without_end() {
    let dir = scratch("convert-hostile");
    let section = std::fs::read(vendored().join("onenote.rs/New Section 1.one")).unwrap();
    let escape = dir.join("escape.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&escape).unwrap());
    zip.start_file(
        "../../escaped.one",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(&section).unwrap();
    zip.finish().unwrap();
    let out = dir.join("vault");
    let output = convert(&[&escape, Path::new("--out"), &out]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("would leave the folder"), "{stderr}");
    assert!(
        !dir.join("escaped.one").exists() && !out.parent().unwrap().join("escaped.one").exists()
    );

    // 200 MB of zeros compress to a few hundred kilobytes: far past the ratio allowed.
    let bomb = dir.join("bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    zip.start_file(
        "Notebook/Section.one",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
    let output = convert(&[&bomb, Path::new("--out"), &out]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unpacks to more than"), "{stderr}");
    let left: u64 = walk_size(&out);
    assert!(left < 1 << 20, "{left} bytes left in the output");
}

fn walk_size(root: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(root) else {
        return 0;
    };
    entries
        .map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk_size(&path)
            } else {
                path.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}
