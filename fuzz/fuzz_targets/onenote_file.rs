//! Fuzzes OneNote file → vault page: any bytes read as a `.one` section by onenote_parser (a
//! panic there is caught, as `graphnote convert` catches it, and the file skipped), then every
//! page written as Graph's page HTML by onenote-files and converted to Markdown by onenote-md.
//! Nothing past the parser may panic, and libFuzzer's time and memory limits bound each input.

#![no_main]

use onenote_md::{PageMeta, to_markdown};
use onenote_parser::Parser;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let parsed = onenote_files::contained::quietly(|| {
        Parser::new().parse_section_buffer(data, typed_path::TypedPath::derive("Fuzz.one"))
    });
    let Ok(Ok(section)) = parsed else {
        return;
    };
    for (n, page) in section
        .page_series()
        .iter()
        .flat_map(|series| series.pages())
        .enumerate()
    {
        let html = onenote_files::page_html::render(page, &format!("p{n}"));
        assert!(html.html.starts_with("<html><head><title>"));
        let _ = to_markdown(&html.html, &PageMeta::default());
    }
});
