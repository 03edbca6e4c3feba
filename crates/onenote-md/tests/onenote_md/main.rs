//! onenote-md's integration tests, as one test binary: golden files of the corpus, the
//! Markdown read back by a CommonMark parser, the sanitizer, resource URLs, property tests and
//! the fuzzers' regression inputs. [`support`] holds the shared helpers.

mod support;

mod commonmark;
mod fuzz_regressions;
mod golden;
mod properties;
mod resource_url;
mod sanitize;
