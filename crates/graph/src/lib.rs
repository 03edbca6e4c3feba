//! A Microsoft Graph client for what graphnote uses. [`GraphClient`] sends requests with a
//! caller-supplied access token (this crate knows nothing about sign-in), retries throttled and
//! failing calls within a bounded wait, and returns typed [`GraphError`]s.

mod budget;
mod client;
mod error;
mod me;
pub mod onenote;

pub use budget::{Budget, Limits};
pub use client::{Binary, GraphClient, RetryPolicy};
pub use error::{GraphError, GraphErrorBody};
