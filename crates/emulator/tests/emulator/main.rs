//! The emulator's integration tests, as one test binary: an in-process emulator on a random
//! port, driven over HTTP with tokens from its own token endpoint. [`support`] holds the shared
//! helpers.

mod support;

mod claims;
mod edits;
mod exporters;
mod graph_api;
mod graph_faults;
mod graph_hostile;
mod identity;
mod round_trip;
