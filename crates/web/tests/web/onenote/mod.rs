//! OneNote in the app, end to end against the emulator: incremental consent, browsing every
//! notebook, section group and section, every page's view, Markdown (against golden files) and
//! zip (every link resolves to a file whose bytes are the emulator's resource), hostile page
//! content shown inert, isolation between users, and ids that are not ids.
//!
//! Golden files live in `tests/golden/`; run with `UPDATE_GOLDEN=1` to rewrite them after a
//! deliberate change to the converter or the seed, and read the diff.

mod browsing;
mod isolation;
mod sample_routes;
mod screens;
mod shared;
mod throttling;

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::PathBuf;

use crate::support::*;
use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The id in the first `href="{prefix}{id}">{text}<` of a page.
fn link_to(html: &str, prefix: &str, text: &str) -> Option<String> {
    let marker = format!("\">{text}<");
    let end = html.find(&marker)?;
    let start = html[..end].rfind(prefix)? + prefix.len();
    Some(html[start..end].to_string())
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/ada")
}

fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
