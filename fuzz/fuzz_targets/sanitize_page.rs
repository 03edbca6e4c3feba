//! Fuzzes `onenote_md::sanitize::sanitize_page` with any page HTML: see
//! `checks::check_sanitizer` for what must hold (above all: nothing in the output can run
//! script).

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_sanitizer(data));
