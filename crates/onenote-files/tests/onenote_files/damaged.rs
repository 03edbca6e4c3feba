//! Damaged copies of real sections — cut short anywhere, or with bits flipped anywhere — are
//! read as users' files are: each either reads (and every page and resource of it can be
//! asked for) or is skipped with a reason; no panic reaches the caller and none takes long.
//! The positions are drawn from a seed printed on failure (`DAMAGE_SEED` repeats a run). What
//! the fuzzer found is kept in `tests/fuzz-regressions/` and read the same way.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use export::Source;
use onenote_files::{FileSource, ReadOptions};

/// How long one damaged file may take (a debug build; far less in release).
const PATIENCE: Duration = Duration::from_secs(20);

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn sections() -> Vec<PathBuf> {
    let files = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/files");
    [
        "onenote.rs/New Section 1.one",
        "onenote.rs/New Section Group/New Section 1.one",
        "onenote.rs/non-legacy/New Section 2.one",
        "tika/testOneNote2016.one",
        "tika/testOneNoteFromOffice365.one",
        "interop-testsuites/FileSyncandWOPI/Setup/SUT/OneWithFileData.one",
    ]
    .iter()
    .map(|p| files.join(p))
    .collect()
}

/// Reads `bytes` as a section file and asks for everything in it.
fn read_everything(bytes: &[u8], what: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Damaged.one");
    std::fs::write(&path, bytes).unwrap();
    let started = Instant::now();
    let library = onenote_files::read(&[path], dir.path(), ReadOptions::default()).unwrap();
    let read = !library.notebooks.is_empty();
    assert!(
        read || library.skipped.len() == 1,
        "{what}: neither read nor skipped"
    );
    if !read {
        assert!(!library.skipped[0].reason.is_empty(), "{what}: no reason");
        return false;
    }
    let source = FileSource::new(library);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        for tree in source.tree().await.unwrap() {
            for section in &tree.sections {
                for page in source.section_pages(&section.id).await.unwrap() {
                    match source.page_content(&page.id).await {
                        Ok(content) => {
                            // Every resource the page points at can be asked for: bytes or a
                            // reason, never a panic.
                            for id in resource_ids(&content.html) {
                                let _ = source.resource(&id).await;
                            }
                            // And the converter takes the page.
                            let _ = onenote_md::to_markdown(
                                &content.html,
                                &onenote_md::PageMeta::default(),
                            );
                        }
                        Err(e) => assert!(
                            !e.to_string().contains("reader stopped"),
                            "{what}: writing a page panicked: {e}"
                        ),
                    }
                }
            }
        }
    });
    assert!(
        started.elapsed() < PATIENCE,
        "{what}: took {:?}",
        started.elapsed()
    );
    true
}

fn resource_ids(html: &str) -> Vec<String> {
    html.split("/onenote/resources/")
        .skip(1)
        .filter_map(|rest| rest.split('/').next().map(str::to_string))
        .collect()
}

#[test]
fn cut_short_or_bit_flipped_sections_are_read_or_skipped_never_a_panic() {
    let seed = std::env::var("DAMAGE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("DAMAGE_SEED={seed}");
    let mut rng = Rng(seed);
    let (mut tried, mut read) = (0, 0);
    for section in sections() {
        let whole = std::fs::read(&section).unwrap();
        let name = section.file_name().unwrap().to_string_lossy().into_owned();
        for _ in 0..6 {
            let cut = rng.below(whole.len());
            tried += 1;
            read += usize::from(read_everything(
                &whole[..cut],
                &format!("{name} cut at {cut} (seed {seed})"),
            ));
        }
        for _ in 0..6 {
            let mut flipped = whole.clone();
            let mut flips = Vec::new();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(flipped.len());
                let bit = 1u8 << rng.below(8);
                flipped[at] ^= bit;
                flips.push((at, bit));
            }
            tried += 1;
            read += usize::from(read_everything(
                &flipped,
                &format!("{name} flipped at {flips:?} (seed {seed})"),
            ));
        }
    }
    eprintln!("{read} of {tried} damaged sections read, the rest skipped");
}

/// Inputs the fuzzer found (`scripts/fuzz onenote_file`), kept so they stay harmless: each is
/// read or skipped with a reason like any damaged section. Without the parser's patch (see
/// vendor/onenote_parser/PATCHED.md) the first of them overflows the stack and aborts this test.
#[test]
fn what_the_fuzzer_found_is_read_or_skipped() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    found.sort();
    assert!(!found.is_empty());
    for path in found {
        let bytes = std::fs::read(&path).unwrap();
        read_everything(&bytes, &path.display().to_string());
    }
}
