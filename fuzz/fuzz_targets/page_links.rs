//! Fuzzes the converter's page links path: see `checks::check_page_links` for what must hold.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_page_links(data));
