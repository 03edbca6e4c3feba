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
    /// When to stop using it and refresh instead (Unix seconds): [`REFRESH_MARGIN_SECS`] before
    /// it expires, or half-way through its life when it lives shorter than twice the margin
    /// (else a short-lived token would be refreshed before every call, by every caller).
    /// `None` in caches written before this was kept: the margin.
    #[serde(default)]
    pub refresh_on: Option<i64>,
    /// The order tokens came into this cache (higher: later). Which token was obtained last is
    /// what decides between tokens (see [`TokenCache::choose`]), not which expires last.
    #[serde(default)]
    pub obtained: u64,
    /// The claims challenge (JSON text) this token was obtained to meet, if any.
    #[serde(default)]
    pub claims: Option<String>,
}

impl CachedAccessToken {
    /// A token that arrived at `now` and lives `lifetime` seconds.
    pub fn new(secret: Secret, scopes: BTreeSet<String>, now: i64, lifetime: i64) -> Self {
        let margin = REFRESH_MARGIN_SECS.min(lifetime / 2);
        CachedAccessToken {
            secret,
            scopes,
            expires_on: now + lifetime,
            refresh_on: Some(now + lifetime - margin),
            obtained: 0,
            claims: None,
        }
    }

    fn fresh_at(&self, now: i64) -> bool {
        now < self
            .refresh_on
            .unwrap_or(self.expires_on - REFRESH_MARGIN_SECS)
    }
}

/// A token the resource refused, and the claims challenge that came with the refusal.
#[derive(Debug, Clone, Copy)]
pub struct Rejection<'a> {
    pub token: &'a Secret,
    /// The challenge's `claims` (JSON text, decoded from base64), if there was one.
    pub claims: Option<&'a str>,
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
    /// The access token to call the resource with for `scopes`, or `None`: refresh first.
    ///
    /// This is the one place that decides. Among the tokens that cover the scopes, the one
    /// obtained last wins — not the one that expires last: the provider gives tokens random
    /// lifetimes (Entra: 60–90 minutes, about a day for CAE), so an old token for a wider set of
    /// scopes can outlive a fresh one, and choosing it after a refresh hands out a token the
    /// resource has already refused (two scope sets in one cache made concurrent requests
    /// refresh again and again, and answer 401). A token past its `refresh_on` is not used.
    ///
    /// With a `rejected` token (the resource just refused it): that token is never chosen, nor
    /// one obtained before it (whatever killed it — a revocation, an early expiry — killed those
    /// too); and when the refusal came with a claims challenge, only a token obtained to meet
    /// that same challenge will do.
    pub fn choose<S: AsRef<str>>(
        &self,
        scopes: &[S],
        rejected: Option<Rejection<'_>>,
        now: i64,
    ) -> Option<&CachedAccessToken> {
        let wanted = resource_scopes(scopes);
        let refused_from = rejected.and_then(|r| self.obtained_of(r.token));
        self.access_tokens
            .iter()
            .filter(|t| wanted.is_subset(&t.scopes))
            .max_by_key(|t| t.obtained)
            .filter(|t| t.fresh_at(now))
            .filter(|t| match rejected {
                None => true,
                Some(r) => {
                    t.secret != *r.token
                        && refused_from.is_none_or(|refused| t.obtained > refused)
                        && r.claims.is_none_or(|c| t.claims.as_deref() == Some(c))
                }
            })
    }

    /// The resource refused `token`: forget it and every access token obtained before it, so
    /// no caller is handed them again. Returns whether anything was forgotten.
    pub fn forget_rejected(&mut self, token: &Secret) -> bool {
        let Some(refused) = self.obtained_of(token) else {
            return false;
        };
        let before = self.access_tokens.len();
        self.access_tokens.retain(|t| t.obtained > refused);
        self.access_tokens.len() != before
    }

    fn obtained_of(&self, token: &Secret) -> Option<u64> {
        self.access_tokens
            .iter()
            .find(|t| t.secret == *token)
            .map(|t| t.obtained)
    }

    /// Whether any token covers `scopes` (used or not): the user has granted them.
    pub fn has_scopes<S: AsRef<str>>(&self, scopes: &[S]) -> bool {
        let wanted = resource_scopes(scopes);
        self.access_tokens
            .iter()
            .any(|t| wanted.is_subset(&t.scopes))
    }

    /// Stores a new access token (the newest: see [`TokenCache::choose`]), replacing tokens for
    /// the same or fewer scopes, and a rotated refresh token when one came back.
    pub fn store(&mut self, mut token: CachedAccessToken, refresh_token: Option<Secret>) {
        token.obtained = 1 + self
            .access_tokens
            .iter()
            .map(|t| t.obtained)
            .max()
            .unwrap_or(0);
        self.access_tokens
            .retain(|t| !t.scopes.is_subset(&token.scopes));
        self.access_tokens.push(token);
        if let Some(rt) = refresh_token {
            self.refresh_token = Some(rt);
        }
    }

    /// The token stored last (what a refresh just obtained).
    pub fn newest(&self) -> Option<&CachedAccessToken> {
        self.access_tokens.iter().max_by_key(|t| t.obtained)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_with(tokens: Vec<CachedAccessToken>) -> TokenCache {
        let mut cache = TokenCache {
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
            access_tokens: vec![],
        };
        for token in tokens {
            cache.store(token, None);
        }
        cache
    }

    /// A token obtained at `now` = 1000 that expires at `expires_on`.
    fn token(secret: &str, scopes: &[&str], expires_on: i64) -> CachedAccessToken {
        CachedAccessToken::new(
            Secret::new(secret),
            resource_scopes(scopes),
            1000,
            expires_on - 1000,
        )
    }

    fn chosen(
        cache: &TokenCache,
        scopes: &[&str],
        rejected: Option<Rejection<'_>>,
    ) -> Option<String> {
        cache
            .choose(scopes, rejected, 1000)
            .map(|t| t.secret.expose().to_string())
    }

    #[test]
    fn the_token_obtained_last_wins_whatever_its_expiry() {
        // `wide` outlives `narrow`, but `narrow` came later (a refresh): it is the one to use.
        let cache = cache_with(vec![
            token("wide", &["User.Read", "Notes.Read"], 1000 + 5400),
            token("narrow", &["User.Read"], 1000 + 3600),
        ]);
        assert_eq!(
            chosen(&cache, &["user.read"], None).as_deref(),
            Some("narrow")
        );
        assert_eq!(
            chosen(&cache, &["Notes.Read"], None).as_deref(),
            Some("wide")
        );
        assert!(cache.has_scopes(&["https://graph.microsoft.com/Notes.Read"]));
    }

    #[test]
    fn a_token_near_its_end_is_not_used() {
        let cache = cache_with(vec![token("a", &["User.Read"], 1000 + 3600)]);
        assert!(cache.choose(&["User.Read"], None, 1000 + 3300).is_none());
        assert!(cache.choose(&["User.Read"], None, 1000 + 3299).is_some());
        // A token that lives ten minutes or less is used for half its life.
        let short = cache_with(vec![token("s", &["User.Read"], 1000 + 4)]);
        assert!(short.choose(&["User.Read"], None, 1001).is_some());
        assert!(short.choose(&["User.Read"], None, 1002).is_none());
    }

    #[test]
    fn a_rejected_token_and_those_before_it_are_never_chosen_again() {
        let mut cache = cache_with(vec![
            token("old", &["User.Read"], 1000 + 5000),
            token("notes", &["User.Read", "Notes.Read"], 1000 + 3600),
        ]);
        let refused = Secret::new("notes");
        let rejection = Rejection {
            token: &refused,
            claims: None,
        };
        assert_eq!(chosen(&cache, &["User.Read"], Some(rejection)), None);
        // Someone refreshed meanwhile: the newer token is the answer.
        cache.store(token("fresh", &["User.Read"], 1000 + 3600), None);
        assert_eq!(
            chosen(&cache, &["User.Read"], Some(rejection)).as_deref(),
            Some("fresh")
        );
        assert!(cache.forget_rejected(&refused));
        let left: Vec<&str> = cache
            .access_tokens
            .iter()
            .map(|t| t.secret.expose())
            .collect();
        assert_eq!(left, ["fresh"]);
        assert!(!cache.forget_rejected(&refused), "forgotten once");
    }

    #[test]
    fn a_claims_challenge_is_met_only_by_a_token_obtained_for_it() {
        let mut cache = cache_with(vec![token("old", &["User.Read"], 1000 + 3600)]);
        let refused = Secret::new("old");
        let challenge = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
        let rejection = Rejection {
            token: &refused,
            claims: Some(challenge),
        };
        // A refresh without the claims (say, for another page) does not meet it...
        cache.store(token("plain", &["User.Read"], 1000 + 3600), None);
        assert_eq!(chosen(&cache, &["User.Read"], Some(rejection)), None);
        // ...one with them does.
        let mut met = token("met", &["User.Read"], 1000 + 3600);
        met.claims = Some(challenge.to_string());
        cache.store(met, None);
        assert_eq!(
            chosen(&cache, &["User.Read"], Some(rejection)).as_deref(),
            Some("met")
        );
    }

    #[test]
    fn storing_replaces_narrower_tokens_and_rotates_the_refresh_token() {
        let mut cache = cache_with(vec![token("a", &["User.Read"], 10)]);
        cache.store(
            token("b", &["User.Read", "Notes.Read", "openid"], 20),
            Some(Secret::new("rt2")),
        );
        assert_eq!(cache.access_tokens.len(), 1);
        assert_eq!(cache.newest().unwrap().secret.expose(), "b");
        assert_eq!(cache.refresh_token.as_ref().unwrap().expose(), "rt2");
    }

    #[test]
    fn caches_written_before_the_order_was_kept_still_read() {
        let json = r#"{"account":{"home_account_id":"o.t","oid":null,"tid":null,"username":null,
            "name":null,"sid":null,"login_hint":null},"refresh_token":"rt","id_token":null,
            "access_tokens":[{"secret":"a","scopes":["user.read"],"expires_on":5000}]}"#;
        let cache: TokenCache = serde_json::from_str(json).unwrap();
        assert!(cache.choose(&["User.Read"], None, 4699).is_some());
        assert!(cache.choose(&["User.Read"], None, 4700).is_none());
    }
}
