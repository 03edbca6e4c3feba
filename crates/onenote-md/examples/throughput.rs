//! Conversion throughput, for the benchmark script.
//!
//! ```text
//! cargo run --release -p onenote-md --example throughput [DIR] [N]
//! ```
//!
//! Reads every `.html` file under `DIR` (default: this crate's `tests/corpus`) and converts the
//! whole set to Markdown `N` times (default 50) with onenote-md and, as the baseline, with
//! [htmd](https://crates.io/crates/htmd) (defaults), in alternating rounds — one round of each
//! in turn — so a noisy neighbour slows both alike. Prints:
//!
//! ```text
//! onenote-md: X.XX MB/s over N bytes
//! htmd: Y.YY MB/s over N bytes
//! onenote-md/htmd: Z.ZZx
//! ```
//!
//! where the bytes are those of HTML converted (file sizes × `N`) and the time is the wall time
//! of that converter's rounds. 1 MB = 1,000,000 bytes.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use std::{env, fs, io};

use onenote_md::{PageMeta, to_markdown};

const DEFAULT_ROUNDS: u64 = 50;

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("throughput: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let mut args = env::args().skip(1);
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"));
    let rounds = match args.next() {
        Some(n) => n
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("N must be a positive whole number, not {n:?}"))?,
        None => DEFAULT_ROUNDS,
    };

    let mut files = Vec::new();
    collect_html(&dir, &mut files).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    files.sort();
    let pages = files
        .iter()
        .map(|path| {
            fs::read(path)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .map_err(|e| format!("reading {}: {e}", path.display()))
        })
        .collect::<Result<Vec<String>, String>>()?;
    if pages.is_empty() {
        return Err(format!("no .html files under {}", dir.display()));
    }

    let meta = PageMeta::default();
    let bytes_per_round: u64 = pages.iter().map(|page| page.len() as u64).sum();
    let baseline = htmd::HtmlToMarkdown::new();
    let (mut ours, mut theirs) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..rounds {
        let start = Instant::now();
        for page in &pages {
            black_box(to_markdown(black_box(page), &meta));
        }
        ours += start.elapsed();
        let start = Instant::now();
        for page in &pages {
            let _ = black_box(baseline.convert(black_box(page)));
        }
        theirs += start.elapsed();
    }
    let total = bytes_per_round * rounds;
    let rate =
        |time: Duration| total as f64 / 1_000_000.0 / time.as_secs_f64().max(f64::MIN_POSITIVE);
    let (ours, theirs) = (rate(ours), rate(theirs));
    Ok(format!(
        "onenote-md: {ours:.2} MB/s over {total} bytes\nhtmd: {theirs:.2} MB/s over {total} bytes\nonenote-md/htmd: {:.2}x",
        ours / theirs
    ))
}

/// Every `.html` file under `dir`, in subdirectories too.
fn collect_html(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_html(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("html"))
        {
            files.push(path);
        }
    }
    Ok(())
}
