//! Fuzzes the converter's tree builder for pages written as a tree against html5ever: see
//! `checks::check_strict_tree`.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_strict_tree(data));
