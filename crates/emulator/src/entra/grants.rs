//! Everything the identity side remembers between requests: authorize requests waiting for the
//! user, the user's browser sessions at the emulator (single sign-on), consents, authorization
//! codes and refresh tokens. Held in memory: an emulator restart signs everybody out, as a
//! revoked session would.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use uuid::Uuid;

use super::scopes::ScopeSet;
use crate::clock::unix_now;

/// A random opaque value in Entra's modern style (`1.A…`).
pub fn opaque_token(prefix: &str, bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut raw);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(raw))
}

/// How the authorize response goes back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// A PKCE challenge from the authorize request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkceChallenge {
    pub challenge: String,
    pub s256: bool,
}

/// A validated authorize request.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    /// The `{tenant}` path segment it was sent to.
    pub authority: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub scopes: ScopeSet,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub pkce: Option<PkceChallenge>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    pub max_age: Option<i64>,
    pub claims: Option<String>,
    pub client_info: bool,
}

/// An authorize request waiting for the sign-in or consent form to come back.
#[derive(Debug, Clone)]
pub struct Pending {
    pub request: AuthorizeRequest,
    /// Set once the user has signed in for this request.
    pub user: Option<Uuid>,
    pub browser_session: Option<String>,
    pub created: i64,
}

/// A signed-in browser at the emulator (the SSO cookie's server side).
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub user: Uuid,
    /// The `sid` claim: one per sign-in, used by front-channel logout.
    pub sid: Uuid,
    pub auth_time: i64,
    /// Clients that got tokens in this session (they are told about sign-out).
    pub clients: BTreeSet<String>,
    /// Authentication contexts this session passed a second factor for (step-up).
    pub satisfied_acrs: BTreeSet<String>,
}

/// An authorization code and what it was bound to.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub request: AuthorizeRequest,
    pub user: Uuid,
    pub sid: Uuid,
    pub auth_time: i64,
    pub expires_at: i64,
    pub redeemed: bool,
    /// Authentication contexts the sign-in passed a second factor for.
    pub satisfied_acrs: BTreeSet<String>,
}

/// A refresh token's server side.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user: Uuid,
    pub sid: Uuid,
    pub auth_time: i64,
    pub issued_at: i64,
    /// Sliding: every use pushes the expiry of the new token out again.
    pub expires_at: i64,
    pub revoked: bool,
    /// Authentication contexts the sign-in behind it passed a second factor for.
    pub satisfied_acrs: BTreeSet<String>,
}

#[derive(Default)]
struct State {
    pending: HashMap<String, Pending>,
    sessions: HashMap<String, BrowserSession>,
    consents: HashMap<(Uuid, String), BTreeSet<String>>,
    codes: HashMap<String, AuthCode>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    /// Access tokens (by `uti`) issued and not yet past their expiry: expiry and user.
    live_access_tokens: HashMap<String, (i64, Option<Uuid>)>,
    /// Access tokens the admin API expired early, with their expiry.
    expired_access_tokens: HashMap<String, i64>,
    /// Access tokens whose user's sessions were revoked while they were live: their expiry and
    /// when. Graph answers CAE-capable clients' such tokens with a claims challenge.
    revoked_access_tokens: HashMap<String, (i64, i64)>,
}

/// What a refresh-token lookup found.
pub enum RefreshLookup {
    Valid(RefreshGrant),
    Unknown,
    Expired,
    Revoked,
}

/// What a code redemption found.
pub enum CodeLookup {
    Valid(Box<AuthCode>),
    Unknown,
    Redeemed,
    Expired,
}

/// The identity side's memory.
#[derive(Default)]
pub struct Grants {
    state: Mutex<State>,
}

/// Pending requests and codes older than this are swept.
const SWEEP_AFTER_SECS: i64 = 3600;

impl Grants {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("grants lock")
    }

    // --- authorize requests waiting for the user ----------------------------------------------

    pub fn add_pending(
        &self,
        request: AuthorizeRequest,
        browser_session: Option<String>,
    ) -> String {
        let ticket = opaque_token("", 24);
        let mut state = self.lock();
        let now = unix_now();
        state
            .pending
            .retain(|_, p| now - p.created < SWEEP_AFTER_SECS);
        state.pending.insert(
            ticket.clone(),
            Pending {
                request,
                user: None,
                browser_session,
                created: now,
            },
        );
        ticket
    }

    pub fn pending(&self, ticket: &str) -> Option<Pending> {
        self.lock().pending.get(ticket).cloned()
    }

    pub fn update_pending(&self, ticket: &str, user: Uuid, browser_session: String) {
        if let Some(p) = self.lock().pending.get_mut(ticket) {
            p.user = Some(user);
            p.browser_session = Some(browser_session);
        }
    }

    pub fn take_pending(&self, ticket: &str) -> Option<Pending> {
        self.lock().pending.remove(ticket)
    }

    // --- browser sessions ---------------------------------------------------------------------

    pub fn start_session(&self, user: Uuid) -> (String, BrowserSession) {
        let id = opaque_token("", 32);
        let session = BrowserSession {
            user,
            sid: Uuid::new_v4(),
            auth_time: unix_now(),
            clients: BTreeSet::new(),
            satisfied_acrs: BTreeSet::new(),
        };
        self.lock().sessions.insert(id.clone(), session.clone());
        (id, session)
    }

    pub fn session(&self, id: &str) -> Option<BrowserSession> {
        self.lock().sessions.get(id).cloned()
    }

    pub fn note_client_in_session(&self, id: &str, client_id: &str) {
        if let Some(s) = self.lock().sessions.get_mut(id) {
            s.clients.insert(client_id.to_string());
        }
    }

    pub fn end_session(&self, id: &str) -> Option<BrowserSession> {
        self.lock().sessions.remove(id)
    }

    // --- consent ------------------------------------------------------------------------------

    pub fn consented(&self, user: Uuid, client_id: &str) -> BTreeSet<String> {
        self.lock()
            .consents
            .get(&(user, client_id.to_ascii_lowercase()))
            .cloned()
            .unwrap_or_default()
    }

    pub fn grant_consent<'a>(
        &self,
        user: Uuid,
        client_id: &str,
        scopes: impl IntoIterator<Item = &'a str>,
    ) {
        self.lock()
            .consents
            .entry((user, client_id.to_ascii_lowercase()))
            .or_default()
            .extend(scopes.into_iter().map(str::to_string));
    }

    // --- codes --------------------------------------------------------------------------------

    pub fn issue_code(&self, code: AuthCode) -> String {
        let value = opaque_token("1.A", 48);
        let mut state = self.lock();
        let now = unix_now();
        state
            .codes
            .retain(|_, c| now - c.expires_at < SWEEP_AFTER_SECS);
        state.codes.insert(value.clone(), code);
        value
    }

    /// Marks the code redeemed and returns it, or says why it cannot be used.
    pub fn redeem_code(&self, value: &str) -> CodeLookup {
        let mut state = self.lock();
        let Some(code) = state.codes.get_mut(value) else {
            return CodeLookup::Unknown;
        };
        if code.redeemed {
            return CodeLookup::Redeemed;
        }
        if unix_now() >= code.expires_at {
            return CodeLookup::Expired;
        }
        code.redeemed = true;
        CodeLookup::Valid(Box::new(code.clone()))
    }

    // --- refresh tokens -----------------------------------------------------------------------

    pub fn issue_refresh_token(&self, grant: RefreshGrant) -> String {
        let value = opaque_token("1.A", 96);
        self.lock().refresh_tokens.insert(value.clone(), grant);
        value
    }

    pub fn refresh_token(&self, value: &str) -> RefreshLookup {
        let state = self.lock();
        let Some(grant) = state.refresh_tokens.get(value) else {
            return RefreshLookup::Unknown;
        };
        if grant.revoked {
            return RefreshLookup::Revoked;
        }
        if unix_now() >= grant.expires_at {
            return RefreshLookup::Expired;
        }
        RefreshLookup::Valid(grant.clone())
    }

    /// Revokes every refresh token the user holds now (as a password reset would), ends the
    /// user's browser sessions so the next sign-in asks for the password, and marks the user's
    /// live access tokens revoked (CAE clients get a claims challenge for them).
    pub fn revoke_user(&self, user: Uuid) -> usize {
        let mut state = self.lock();
        let mut revoked = 0;
        for grant in state.refresh_tokens.values_mut() {
            if grant.user == user && !grant.revoked {
                grant.revoked = true;
                revoked += 1;
            }
        }
        state.sessions.retain(|_, s| s.user != user);
        let now = unix_now();
        let theirs: Vec<(String, i64)> = state
            .live_access_tokens
            .iter()
            .filter(|(_, (_, owner))| *owner == Some(user))
            .map(|(uti, (expires, _))| (uti.clone(), *expires))
            .collect();
        for (uti, expires) in theirs {
            state.revoked_access_tokens.insert(uti, (expires, now));
        }
        revoked
    }

    /// Remembers an issued access token so the admin API can expire or revoke it early.
    pub fn note_access_token(&self, uti: &str, expires_at: i64, user: Option<Uuid>) {
        let mut state = self.lock();
        let now = unix_now();
        state.live_access_tokens.retain(|_, (exp, _)| *exp > now);
        state.expired_access_tokens.retain(|_, exp| *exp > now);
        state.revoked_access_tokens.retain(|_, (exp, _)| *exp > now);
        state
            .live_access_tokens
            .insert(uti.to_string(), (expires_at, user));
    }

    /// Makes every access token issued so far count as expired.
    pub fn expire_access_tokens(&self) -> usize {
        let mut state = self.lock();
        let live: Vec<(String, i64)> = state
            .live_access_tokens
            .drain()
            .map(|(uti, (expires, _))| (uti, expires))
            .collect();
        let count = live.len();
        state.expired_access_tokens.extend(live);
        count
    }

    /// When the user's sessions were revoked, if that happened while this token was live.
    pub fn access_token_revoked_at(&self, uti: &str) -> Option<i64> {
        self.lock()
            .revoked_access_tokens
            .get(uti)
            .map(|(_, at)| *at)
    }

    /// Records that the browser session passed a second factor for `acrs`.
    pub fn satisfy_acrs(&self, session_id: &str, acrs: &str) {
        if let Some(session) = self.lock().sessions.get_mut(session_id) {
            session.satisfied_acrs.insert(acrs.to_string());
        }
    }

    pub fn access_token_expired_early(&self, uti: &str) -> bool {
        self.lock().expired_access_tokens.contains_key(uti)
    }

    /// Revokes the refresh tokens issued in this browser session (at sign-out, as Entra ends
    /// the session's grants); returns how many.
    pub fn end_refresh_tokens_of_session(&self, sid: Uuid) -> usize {
        let mut grants = self.lock();
        let mut ended = 0;
        for grant in grants.refresh_tokens.values_mut() {
            if grant.sid == sid && !grant.revoked {
                grant.revoked = true;
                ended += 1;
            }
        }
        ended
    }
}
