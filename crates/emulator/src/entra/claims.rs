//! The claims of the Graph access tokens the emulator issues (what its token endpoint writes and
//! its Graph reads back), and what a client's `claims` request parameter asks of them
//! (docs/protocol.md §5.1, §6.3).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The client capability that makes a client CAE-capable: it handles claims challenges, so it
/// may get long-lived tokens that Graph revokes early with a challenge.
pub const CAE_CAPABILITY: &str = "cp1";

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
    /// Client capabilities the token was issued for (`cp1`: CAE).
    #[serde(default)]
    pub xms_cc: Vec<String>,
}

impl AccessClaims {
    /// Whether the token was issued to a CAE-capable client.
    pub fn cae(&self) -> bool {
        self.xms_cc.iter().any(|c| c == CAE_CAPABILITY)
    }

    pub fn scopes(&self) -> BTreeSet<&str> {
        self.scp
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect()
    }
}

/// What a `claims` request parameter asks of the access token: authentication context class
/// references (`access_token.acrs`) and client capabilities (`access_token.xms_cc`). Anything
/// else in it (an `nbf` from a CAE challenge, say) needs no action: a new token is newer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimsRequest {
    pub acrs: Vec<String>,
    pub capabilities: Vec<String>,
}

impl ClaimsRequest {
    /// Reads the parameter; JSON that does not parse asks for nothing.
    pub fn parse(claims: Option<&str>) -> ClaimsRequest {
        let Some(parsed) = claims.and_then(|c| serde_json::from_str::<Value>(c).ok()) else {
            return ClaimsRequest::default();
        };
        let access_token = &parsed["access_token"];
        ClaimsRequest {
            acrs: value_or_values(&access_token["acrs"]),
            capabilities: value_or_values(&access_token["xms_cc"]),
        }
    }

    /// What it asks for, for the request log: `acrs=c1`, `xms_cc=cp1`.
    pub fn names(&self) -> Vec<String> {
        let acrs = self.acrs.iter().map(|a| format!("acrs={a}"));
        let capabilities = self.capabilities.iter().map(|c| format!("xms_cc={c}"));
        acrs.chain(capabilities).collect()
    }

    /// This request with `other`'s acrs and capabilities added.
    pub fn and(mut self, other: ClaimsRequest) -> ClaimsRequest {
        for acr in other.acrs {
            if !self.acrs.contains(&acr) {
                self.acrs.push(acr);
            }
        }
        for capability in other.capabilities {
            if !self.capabilities.contains(&capability) {
                self.capabilities.push(capability);
            }
        }
        self
    }
}

/// `{"value": "x"}` or `{"values": ["x", "y"]}`, as claims requests spell them.
fn value_or_values(claim: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(v) = claim["value"].as_str() {
        out.push(v.to_string());
    }
    if let Some(values) = claim["values"].as_array() {
        out.extend(values.iter().filter_map(|v| v.as_str().map(str::to_string)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ClaimsRequest;

    #[test]
    fn acrs_and_capabilities_are_read_from_either_spelling() {
        let request = ClaimsRequest::parse(Some(
            r#"{"access_token":{"acrs":{"essential":true,"value":"c1"},"xms_cc":{"values":["cp1"]},"nbf":{"essential":true,"value":"1700000000"}}}"#,
        ));
        assert_eq!(request.acrs, ["c1"]);
        assert_eq!(request.capabilities, ["cp1"]);
        assert_eq!(
            ClaimsRequest::parse(Some("nonsense")),
            ClaimsRequest::default()
        );
        assert_eq!(ClaimsRequest::parse(None), ClaimsRequest::default());
    }
}
