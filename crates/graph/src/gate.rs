//! The gate every OneNote call passes. OneNote limits each app per user (docs/protocol.md
//! §10.7: 5 requests at once, 120 a minute, 400 an hour), however many instances of the app
//! there are; a call that would break a limit waits for its turn here instead of being answered
//! 429 by OneNote. One instance keeps the count in memory ([`crate::Budget`]); several share it
//! through their store (the web app's Redis gate).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::error::GraphError;

/// Who is waiting: a person looking at a page, or a background job (an export).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// A page view or download: goes ahead of background work and always finds a concurrency
    /// slot that background work leaves free.
    Interactive,
    /// Work nobody is waiting for right now.
    Background,
}

/// A future the gate returns (the trait is object-safe: the client holds `dyn OneNoteGate`).
pub type GateFuture<'a> = Pin<Box<dyn Future<Output = Result<Permit, GraphError>> + Send + 'a>>;

/// What a user's windows hold now (see [`OneNoteGate::recent`]).
pub type RecentFuture<'a> = Pin<Box<dyn Future<Output = Result<Windows, GraphError>> + Send + 'a>>;

/// A user's windows as they stand: what an estimate of when more calls can go starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Windows {
    /// How long ago each of the user's calls of the last hour started, oldest first.
    pub ages: Vec<Duration>,
    /// Whether the user is browsing (a page view in the last [`crate::ACTIVE_FOR`]), so that
    /// background work keeps to the smaller share (see [`crate::Limits::for_background`]).
    pub user_active: bool,
}

/// Keeps each user's OneNote calls within the limits.
pub trait OneNoteGate: Send + Sync {
    /// Waits for `user`'s turn, at most `max_wait`. Fails with [`GraphError::Paced`] (and how
    /// long the wait would be) when the turn is further away than that, so a caller can say
    /// "keeping to OneNote's limit, next call at …" — or wait again.
    fn acquire<'a>(
        &'a self,
        user: &'a str,
        priority: Priority,
        max_wait: Duration,
    ) -> GateFuture<'a>;

    /// What `user`'s windows hold now: how long ago each call of the last hour started, and
    /// whether the user is browsing.
    fn recent<'a>(&'a self, user: &'a str) -> RecentFuture<'a>;
}

/// Holding this is being one of the user's calls in flight; dropping it ends that.
pub struct Permit {
    _held: Box<dyn Send + Sync>,
}

impl Permit {
    /// A permit that releases its slot when `held` is dropped.
    pub fn new(held: impl Send + Sync + 'static) -> Permit {
        Permit {
            _held: Box::new(held),
        }
    }
}
