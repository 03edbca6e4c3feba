//! The `graphnote` binary's integration tests, as one test binary: the real binary started as
//! a person starts it, against an in-process emulator. [`support`] starts it.

mod support;

mod convert;
mod convert_files;
mod export_kill;
mod shutdown;
mod single_instance;
