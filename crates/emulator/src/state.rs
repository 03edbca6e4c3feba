//! The emulator's shared state: the directory, keys, grants, settings and request log, plus the
//! base URL it is reached at (issuers and endpoint URLs are built from it).

use std::sync::Arc;

use uuid::Uuid;

use crate::directory::Directory;
use crate::entra::grants::Grants;
use crate::entra::id_token_faults::IdTokenFaults;
use crate::graph::faults::Faults;
use crate::graph::onenote::seeding;
use crate::graph::onenote::store::OneNoteStore;
use crate::graph::throttle::Throttle;
use crate::graph::verified_tokens::VerifiedTokens;
use crate::keys::{KeyError, KeySet};
use crate::request_log::RequestLog;
use crate::seed::Seed;
use crate::settings::{Lifetimes, OneNoteLimits, Settings};

/// Everything handlers share.
pub struct Emulator {
    /// `scheme://host:port`, no trailing slash.
    pub base_url: String,
    pub directory: Directory,
    pub keys: KeySet,
    pub grants: Grants,
    pub settings: Settings,
    pub log: Arc<RequestLog>,
    pub id_token_faults: IdTokenFaults,
    /// Every user's OneNote notebooks, sections and pages.
    pub onenote: OneNoteStore,
    /// OneNote's per-app-per-user request budgets.
    pub throttle: Throttle,
    /// Fault rules for Graph calls (admin API).
    pub graph_faults: Faults,
    /// Access tokens already verified (see [`VerifiedTokens`]).
    pub verified_tokens: VerifiedTokens,
    /// Every user's drive: the notebooks seeded from files, as OneDrive holds them.
    pub drives: crate::graph::drive::store::Drives,
    /// Documents a test publishes over the emulator's HTTPS (`/_emulator/documents/{name}`):
    /// an MCP client's metadata document, served as a real host would serve it.
    pub documents: std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>,
}

pub type SharedEmulator = Arc<Emulator>;

/// Builds an [`Emulator`].
pub struct EmulatorBuilder {
    seed: Seed,
    keys: Option<KeySet>,
    lifetimes: Lifetimes,
    onenote_limits: OneNoteLimits,
}

impl EmulatorBuilder {
    pub fn new(seed: Seed) -> Self {
        EmulatorBuilder {
            seed,
            keys: None,
            lifetimes: Lifetimes::default(),
            onenote_limits: OneNoteLimits::default(),
        }
    }

    /// Uses these signing keys (e.g. kept in a data dir) instead of fresh in-memory ones.
    pub fn keys(mut self, keys: KeySet) -> Self {
        self.keys = Some(keys);
        self
    }

    pub fn lifetimes(mut self, lifetimes: Lifetimes) -> Self {
        self.lifetimes = lifetimes;
        self
    }

    pub fn onenote_limits(mut self, limits: OneNoteLimits) -> Self {
        self.onenote_limits = limits;
        self
    }

    /// Builds the emulator for clients that reach it at `base_url`.
    pub fn build(self, base_url: &str) -> Result<SharedEmulator, KeyError> {
        let keys = match self.keys {
            Some(keys) => keys,
            None => KeySet::ephemeral()?,
        };
        let base_url = base_url.trim_end_matches('/').to_string();
        let onenote = OneNoteStore::new(seeding::libraries(&self.seed, &base_url));
        Ok(Arc::new(Emulator {
            base_url,
            directory: Directory::new(&self.seed),
            keys,
            grants: Grants::default(),
            settings: Settings::new(self.lifetimes, self.onenote_limits),
            log: Arc::new(RequestLog::default()),
            id_token_faults: IdTokenFaults::default(),
            onenote,
            throttle: Throttle::default(),
            graph_faults: Faults::default(),
            verified_tokens: VerifiedTokens::default(),
            drives: crate::graph::drive::store::Drives::from_seed(&self.seed),
            documents: Default::default(),
        }))
    }
}

impl Emulator {
    /// The v2 issuer of a tenant: `{base}/{tid}/v2.0`.
    pub fn issuer_for(&self, tenant_id: Uuid) -> String {
        format!("{}/{}/v2.0", self.base_url, tenant_id)
    }

    /// The host (with port) clients use, as discovery reports it in `msgraph_host`.
    pub fn host(&self) -> &str {
        self.base_url
            .split_once("://")
            .map(|(_, host)| host)
            .unwrap_or(&self.base_url)
    }
}
