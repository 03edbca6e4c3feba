//! Knobs the admin API can turn while the emulator runs: token lifetimes and OneNote limits.

use std::sync::RwLock;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Lifetimes of what the token endpoint issues, in seconds. `access_token = None` means "like
/// Entra": a random lifetime between 60 and 90 minutes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Lifetimes {
    #[serde(default)]
    pub access_token: Option<u64>,
    #[serde(default = "default_id_token")]
    pub id_token: u64,
    #[serde(default = "default_code")]
    pub code: u64,
    /// Refresh tokens expire after this long without use (Entra: 90 days).
    #[serde(default = "default_refresh_token")]
    pub refresh_token: u64,
}

fn default_id_token() -> u64 {
    3600
}
fn default_code() -> u64 {
    600
}
fn default_refresh_token() -> u64 {
    90 * 24 * 3600
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            access_token: None,
            id_token: default_id_token(),
            code: default_code(),
            refresh_token: default_refresh_token(),
        }
    }
}

impl Lifetimes {
    /// The lifetime of the next access token.
    pub fn next_access_token(&self) -> u64 {
        self.access_token
            .unwrap_or_else(|| rand::rng().random_range(3600..5400))
    }
}

/// OneNote's per-user, per-app limits (docs/protocol.md §10.7).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OneNoteLimits {
    #[serde(default = "default_per_minute")]
    pub per_minute: u32,
    #[serde(default = "default_per_hour")]
    pub per_hour: u32,
    #[serde(default = "default_concurrent")]
    pub concurrent: u32,
}

fn default_per_minute() -> u32 {
    120
}
fn default_per_hour() -> u32 {
    400
}
fn default_concurrent() -> u32 {
    5
}

impl Default for OneNoteLimits {
    fn default() -> Self {
        OneNoteLimits {
            per_minute: default_per_minute(),
            per_hour: default_per_hour(),
            concurrent: default_concurrent(),
        }
    }
}

/// The current settings, shared by all handlers.
#[derive(Default)]
pub struct Settings {
    lifetimes: RwLock<Lifetimes>,
    onenote: RwLock<OneNoteLimits>,
}

impl Settings {
    pub fn new(lifetimes: Lifetimes, onenote: OneNoteLimits) -> Settings {
        Settings {
            lifetimes: RwLock::new(lifetimes),
            onenote: RwLock::new(onenote),
        }
    }

    pub fn lifetimes(&self) -> Lifetimes {
        self.lifetimes.read().expect("settings lock").clone()
    }

    pub fn set_lifetimes(&self, value: Lifetimes) {
        *self.lifetimes.write().expect("settings lock") = value;
    }

    pub fn onenote_limits(&self) -> OneNoteLimits {
        self.onenote.read().expect("settings lock").clone()
    }

    pub fn set_onenote_limits(&self, value: OneNoteLimits) {
        *self.onenote.write().expect("settings lock") = value;
    }
}
