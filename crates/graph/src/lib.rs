//! A Microsoft Graph client for what graphnote uses. [`GraphClient`] sends requests with a
//! caller-supplied access token (this crate knows nothing about sign-in), retries throttled and
//! failing calls within a bounded wait, and returns typed [`GraphError`]s.
//!
//! # Layout
//!
//! `error` (typed failures with their causes), `ink_content` (a page's HTML and InkML parts)
//! and `location` (whose notebooks a call reads) are leaves; `gate` is the trait every OneNote call
//! passes and `budget` its in-process implementation (one instance); `client` sends requests
//! (token, retries, the gate); `me`, `onenote`, `shared` (groups' and sites' notebooks) and
//! `drive` (a notebook's own files) are the calls graphnote makes.

mod budget;
mod client;
pub mod drive;
mod error;
mod gate;
pub mod ink_content;
mod location;
mod me;
pub mod onenote;
pub mod shared;

pub use budget::{ACTIVE_FOR, Budget, Limits, WINDOW_MARGIN};
pub use client::{Binary, GraphClient, RetryPolicy};
pub use error::{GraphError, GraphErrorBody};
pub use gate::{GateFuture, OneNoteGate, Permit, Priority, RecentFuture, Windows};
pub use location::Location;
pub use shared::SharedPlace;
