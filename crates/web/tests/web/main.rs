//! The web app's integration tests, as one test binary (one link instead of one per file): the
//! app in-process on random ports, against an in-process emulator, a private `redis-server` and
//! a real headless Chromium where a page is involved. [`support`] is the shared harness.

mod support;

mod adversarial;
mod browser;
mod exports;
mod headers;
mod job_store;
mod mcp;
mod onenote;
mod operations;
mod pages;
mod redis;
mod security;
mod session_writes;
mod several_instances;
mod signin;
