//! A signed-in user's token cache: their account, refresh token and access tokens by scope set.
//! It serialises to JSON so the web app can keep it (encrypted) in a server-side session, one
//! cache per user, as MSAL's per-user caches in the Python sample do.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::id_token::IdTokenClaims;
use crate::secret::Secret;

/// OIDC scopes are about the sign-in, not a resource; they never decide which token to use.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

/// Access tokens with less than this left are refreshed before use (MSAL's margin).
pub const REFRESH_MARGIN_SECS: i64 = 300;

/// Who is signed in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Account {
    /// `oid.tid` (MSAL's home account id).
    pub home_account_id: String,
    pub oid: Option<String>,
    pub tid: Option<String>,
    pub username: Option<String>,
    pub name: Option<String>,
    /// The sign-in session at the provider (front-channel logout names it).
    pub sid: Option<String>,
    /// Opaque hint for logout (`logout_hint`).
    pub login_hint: Option<String>,
}

impl Account {
    pub fn from_claims(claims: &IdTokenClaims) -> Account {
        let home = match (&claims.oid, &claims.tid) {
            (Some(oid), Some(tid)) => format!("{oid}.{tid}"),
            _ => claims.sub.clone(),
        };
        Account {
            home_account_id: home,
            oid: claims.oid.clone(),
            tid: claims.tid.clone(),
            username: claims
                .preferred_username
                .clone()
                .or_else(|| claims.email.clone()),
            name: claims.name.clone(),
            sid: claims.sid.clone(),
            login_hint: claims.login_hint.clone(),
        }
    }

    /// A name to show: display name, else username, else the account id.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.username.as_deref())
            .unwrap_or(&self.home_account_id)
    }
}

/// An access token and what it is good for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CachedAccessToken {
    pub secret: Secret,
    /// Resource scopes, lower-cased.
    pub scopes: BTreeSet<String>,
    /// Unix seconds.
    pub expires_on: i64,
}

/// One user's tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenCache {
    pub account: Account,
    pub refresh_token: Option<Secret>,
    /// The raw ID token of the sign-in, kept for `id_token_hint`.
    pub id_token: Option<Secret>,
    pub access_tokens: Vec<CachedAccessToken>,
}

/// Lower-cased resource scopes of a scope list.
pub fn resource_scopes<S: AsRef<str>>(scopes: &[S]) -> BTreeSet<String> {
    scopes
        .iter()
        .flat_map(|s| s.as_ref().split_whitespace())
        .map(str::to_ascii_lowercase)
        .filter(|s| !OIDC_SCOPES.contains(&s.as_str()))
        .map(|s| {
            // `https://graph.microsoft.com/User.Read` and `User.Read` are the same permission.
            s.rsplit_once('/')
                .map(|(_, name)| name.to_string())
                .unwrap_or(s)
        })
        .collect()
}

impl TokenCache {
    /// A cached access token covering `scopes` with more than `REFRESH_MARGIN_SECS` left.
    pub fn usable_access_token<S: AsRef<str>>(
        &self,
        scopes: &[S],
        now: i64,
    ) -> Option<&CachedAccessToken> {
        let wanted = resource_scopes(scopes);
        self.access_tokens
            .iter()
            .filter(|t| wanted.is_subset(&t.scopes) && t.expires_on - now > REFRESH_MARGIN_SECS)
            .max_by_key(|t| t.expires_on)
    }

    /// Whether any token covers `scopes` (used or not): the user has granted them.
    pub fn has_scopes<S: AsRef<str>>(&self, scopes: &[S]) -> bool {
        let wanted = resource_scopes(scopes);
        self.access_tokens
            .iter()
            .any(|t| wanted.is_subset(&t.scopes))
    }

    /// Stores a new access token, replacing tokens for the same scopes, and a rotated refresh
    /// token when one came back.
    pub fn store(&mut self, token: CachedAccessToken, refresh_token: Option<Secret>) {
        self.access_tokens
            .retain(|t| !t.scopes.is_subset(&token.scopes));
        self.access_tokens.push(token);
        if let Some(rt) = refresh_token {
            self.refresh_token = Some(rt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_with(tokens: Vec<CachedAccessToken>) -> TokenCache {
        TokenCache {
            account: Account {
                home_account_id: "o.t".into(),
                oid: None,
                tid: None,
                username: None,
                name: None,
                sid: None,
                login_hint: None,
            },
            refresh_token: Some(Secret::new("rt")),
            id_token: None,
            access_tokens: tokens,
        }
    }

    fn token(secret: &str, scopes: &[&str], expires_on: i64) -> CachedAccessToken {
        CachedAccessToken {
            secret: Secret::new(secret),
            scopes: resource_scopes(scopes),
            expires_on,
        }
    }

    #[test]
    fn picks_a_token_covering_the_scopes_with_time_left() {
        let cache = cache_with(vec![
            token("a", &["User.Read"], 1000 + 3600),
            token("b", &["User.Read", "Notes.Read"], 1000 + 200),
        ]);
        assert_eq!(
            cache
                .usable_access_token(&["user.read"], 1000)
                .unwrap()
                .secret
                .expose(),
            "a"
        );
        // Under five minutes left counts as expired.
        assert!(cache.usable_access_token(&["Notes.Read"], 1000).is_none());
        assert!(cache.has_scopes(&["https://graph.microsoft.com/Notes.Read"]));
    }

    #[test]
    fn storing_replaces_narrower_tokens_and_rotates_the_refresh_token() {
        let mut cache = cache_with(vec![token("a", &["User.Read"], 10)]);
        cache.store(
            token("b", &["User.Read", "Notes.Read", "openid"], 20),
            Some(Secret::new("rt2")),
        );
        assert_eq!(cache.access_tokens.len(), 1);
        assert_eq!(cache.refresh_token.as_ref().unwrap().expose(), "rt2");
    }
}
