//! Fuzzes `onenote_md::to_markdown` with any page HTML and title: see `checks::check_markdown`
//! for what must hold.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_markdown(data));
