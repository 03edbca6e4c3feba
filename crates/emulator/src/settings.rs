//! Knobs the admin API can turn while the emulator runs: token lifetimes, OneNote limits, step-up
//! and jitter on the answers.

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
    /// The lifetime of the next access token: the configured one, else Entra's: 60–90 minutes,
    /// or about a day for a CAE-capable client (its tokens are revoked early by a claims
    /// challenge instead).
    pub fn next_access_token(&self, cae: bool) -> u64 {
        self.access_token.unwrap_or_else(|| {
            if cae {
                rand::rng().random_range(20 * 3600..28 * 3600)
            } else {
                rand::rng().random_range(3600..5400)
            }
        })
    }
}

/// Step-up authentication: Graph calls under `path` need a token carrying the authentication
/// context `acrs` (a claims challenge otherwise), which only a second factor at the authorize
/// endpoint gives; a refresh token from a sign-in without it is answered AADSTS50076.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StepUp {
    /// A Graph path prefix, e.g. `/v1.0/me/onenote`.
    pub path: String,
    #[serde(default = "default_acrs")]
    pub acrs: String,
}

fn default_acrs() -> String {
    "c1".into()
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
    /// The most sections a user may have for `GET …/onenote/pages` (all pages at once); past it
    /// the call is error 20266 and clients must list pages section by section. Microsoft does not
    /// say where the limit lies; the default is [UNCONFIRMED].
    #[serde(default = "default_sections_for_all_pages")]
    pub sections_for_all_pages: u32,
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
fn default_sections_for_all_pages() -> u32 {
    1_000
}

impl Default for OneNoteLimits {
    fn default() -> Self {
        OneNoteLimits {
            per_minute: default_per_minute(),
            per_hour: default_per_hour(),
            concurrent: default_concurrent(),
            sections_for_all_pages: default_sections_for_all_pages(),
        }
    }
}

/// Jitter on the answers of the token endpoint and Graph, as a real network and a busy service
/// give them: a `share` of requests (0.0–1.0) is held back by a random 0..=`max_ms` ms, either
/// before it is handled or after (half of them each way), so a client's concurrent requests
/// arrive and return in shuffled order. Tests of races turn it on; it is off by default.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Jitter {
    pub max_ms: u64,
    #[serde(default = "default_share")]
    pub share: f64,
}

fn default_share() -> f64 {
    0.5
}

/// The longest jitter the admin API accepts.
pub const MAX_JITTER_MS: u64 = 5_000;

/// Where a jittered request is held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    Before(std::time::Duration),
    After(std::time::Duration),
}

impl Jitter {
    /// Whether it makes sense: a share between 0 and 1, a delay of at most [`MAX_JITTER_MS`].
    pub fn is_valid(&self) -> bool {
        (0.0..=1.0).contains(&self.share) && self.max_ms <= MAX_JITTER_MS
    }

    /// The hold for one request, if it is one of the share that gets one.
    pub fn draw(&self) -> Option<Hold> {
        let mut rng = rand::rng();
        if self.max_ms == 0 || !rng.random_bool(self.share.clamp(0.0, 1.0)) {
            return None;
        }
        let delay = std::time::Duration::from_millis(rng.random_range(0..=self.max_ms));
        Some(if rng.random_bool(0.5) {
            Hold::Before(delay)
        } else {
            Hold::After(delay)
        })
    }
}

/// The current settings, shared by all handlers.
#[derive(Default)]
pub struct Settings {
    lifetimes: RwLock<Lifetimes>,
    onenote: RwLock<OneNoteLimits>,
    step_up: RwLock<Option<StepUp>>,
    jitter: RwLock<Option<Jitter>>,
}

impl Settings {
    pub fn new(lifetimes: Lifetimes, onenote: OneNoteLimits) -> Settings {
        Settings {
            lifetimes: RwLock::new(lifetimes),
            onenote: RwLock::new(onenote),
            step_up: RwLock::new(None),
            jitter: RwLock::new(None),
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

    pub fn step_up(&self) -> Option<StepUp> {
        self.step_up.read().expect("settings lock").clone()
    }

    pub fn set_step_up(&self, value: Option<StepUp>) {
        *self.step_up.write().expect("settings lock") = value;
    }

    pub fn jitter(&self) -> Option<Jitter> {
        *self.jitter.read().expect("settings lock")
    }

    pub fn set_jitter(&self, value: Option<Jitter>) {
        *self.jitter.write().expect("settings lock") = value;
    }
}
