//! Races, shaken out: several real `graphnote serve` processes on one private Redis, one user,
//! bursts of concurrent requests spread over the instances with no affinity, round after round
//! — with both cores kept busy by spinning threads and the emulator holding a random share of
//! its answers back by 0–200 ms. A race that shows once in twenty rounds fails these tests.
//!
//! A test binary of its own: the spinning threads would slow every other test running beside
//! them, and `cargo test` runs one test binary at a time.

mod harness;

mod mcp;
mod tokens;
