//! Fuzzes the converter's mathml path: see `checks::check_mathml` for what must hold.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_mathml(data));
