//! The claims of the Graph access tokens the emulator issues: what its token endpoint writes and
//! its Graph reads back.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The claims of a Graph access token that the emulator's Graph relies on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub appid: String,
    #[serde(default)]
    pub app_displayname: String,
    pub tid: Uuid,
    /// Absent for app-only tokens.
    #[serde(default)]
    pub oid: Option<Uuid>,
    /// Delegated scopes, space-separated (absent for app-only tokens).
    #[serde(default)]
    pub scp: Option<String>,
    /// Application permissions (app-only tokens).
    #[serde(default)]
    pub roles: Vec<String>,
    pub uti: String,
    /// Authentication context class references satisfied (claims challenges).
    #[serde(default)]
    pub acrs: Vec<String>,
}

impl AccessClaims {
    pub fn scopes(&self) -> BTreeSet<&str> {
        self.scp
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect()
    }
}
