//! Fuzzes the converter's inkml path: see `checks::check_inkml` for what must hold.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_inkml(data));
