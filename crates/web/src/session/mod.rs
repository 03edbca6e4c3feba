//! Server-side sessions. The browser holds only an opaque random id (256 bits) in a strict
//! cookie; the store holds the session under the id's SHA-256, with the user's token cache and
//! pending sign-ins sealed (AES-256-GCM, the id as associated data). Sessions expire after a
//! period of inactivity and at an absolute age; the id is replaced at every sign-in.

pub mod any_store;
pub mod cookie;
pub mod crypto;
mod memo;
mod onenote_gate;
mod recent;
pub mod redis_store;
pub mod sqlite;
pub mod store;

use std::sync::Arc;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use identity::{PendingSignIn, TokenCache};
use serde::{Deserialize, Serialize};

use crate::config::Config;
pub use any_store::AnyStore;
pub use cookie::CookieSettings;
use crypto::Cipher;
use memo::Memo;
pub use redis_store::RedisStore;
pub use store::{
    ClaimsChallenge, LockToken, SessionStore, StoreError, StoredSession, UserSummary, Written,
};

/// How many sign-ins may be in flight per session (several tabs).
const MAX_PENDING: usize = 5;
/// How long a sign-in may take from `/login` to the callback.
pub const PENDING_LIFETIME_SECS: i64 = 10 * 60;
/// `last_seen` is written back at most this often, to spare the store a write per request.
const TOUCH_INTERVAL_SECS: i64 = 60;
/// How many times an update is tried against concurrent writers before giving up.
const MAX_WRITE_ATTEMPTS: usize = 8;

/// A sign-in waiting for the provider's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub sign_in: PendingSignIn,
    /// Where to go afterwards (an app-relative path).
    pub next: String,
}

/// The sealed part of a session.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SessionSecrets {
    #[serde(default)]
    pub token_cache: Option<TokenCache>,
    #[serde(default)]
    pub pending: Vec<PendingLogin>,
}

/// One session, loaded for a request.
pub struct Session {
    /// The cookie value.
    id: String,
    /// Shared with the store's cache of records until changed ([`Session::record_mut`]).
    pub record: Arc<StoredSession>,
    /// Shared with the memo of opened secrets until changed ([`Session::secrets_mut`]): a
    /// request that only reads them (nearly all) copies no token.
    pub secrets: Arc<SessionSecrets>,
    /// Not in the store yet.
    pub is_new: bool,
}

impl Session {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The store key: the id's SHA-256, so the store never holds a usable cookie value.
    pub fn key(&self) -> String {
        store_key(&self.id)
    }

    pub fn user(&self) -> Option<&UserSummary> {
        self.record.user.as_ref()
    }

    /// The record, to change (copied first if the store's cache still shares it).
    pub fn record_mut(&mut self) -> &mut StoredSession {
        Arc::make_mut(&mut self.record)
    }

    /// The secrets, to change (copied first if the memo still shares them).
    pub fn secrets_mut(&mut self) -> &mut SessionSecrets {
        Arc::make_mut(&mut self.secrets)
    }

    /// Adds a pending sign-in, dropping expired and surplus ones.
    pub fn add_pending(&mut self, login: PendingLogin, now: i64) {
        let pending = &mut self.secrets_mut().pending;
        pending.retain(|p| now - p.sign_in.created_at < PENDING_LIFETIME_SECS);
        if pending.len() >= MAX_PENDING {
            pending.remove(0);
        }
        pending.push(login);
    }

    /// Takes the pending sign-in whose `state` matches, if it has not expired.
    pub fn take_pending(&mut self, state: &str, now: i64) -> Option<PendingLogin> {
        let position = self.secrets.pending.iter().position(|p| {
            aws_lc_rs::constant_time::verify_slices_are_equal(
                p.sign_in.state.as_bytes(),
                state.as_bytes(),
            )
            .is_ok()
        })?;
        let login = self.secrets_mut().pending.remove(position);
        (now - login.sign_in.created_at < PENDING_LIFETIME_SECS).then_some(login)
    }

    /// Forgets who is signed in and their tokens (pending sign-ins stay).
    pub fn sign_out_locally(&mut self) {
        let record = self.record_mut();
        record.user = None;
        record.sid = None;
        record.signed_in_at = None;
        if self.secrets.token_cache.is_some() {
            self.secrets_mut().token_cache = None;
        }
    }
}

/// The id's store key: the SHA-256 in lower-case hex. Written with a table rather than
/// `format!` per byte, which made the hex (not the hash) a tenth of a signed-in request's
/// instructions.
pub fn store_key(id: &str) -> String {
    lower_hex(digest::digest(&digest::SHA256, id.as_bytes()).as_ref())
}

/// Bytes as lower-case hex.
pub fn lower_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Into bytes, then checked once: pushing chars one at a time checked the capacity and
    // encoded each as UTF-8 (callgrind: 827 instructions per store key that way, 485 this way).
    let mut out = vec![0; 2 * bytes.len()];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 0x0f)];
    }
    String::from_utf8(out).expect("hex digits are ASCII")
}

fn new_id() -> String {
    let mut raw = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// A cookie value can only be an id we made: 43 base64url characters.
fn plausible_id(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Loads, saves, rotates and ends sessions.
pub struct Sessions {
    pub store: AnyStore,
    cipher: Cipher,
    /// Opened secrets by sealed bytes (see [`Memo`]); the bool is `Opened::stale_key`.
    opened: Memo<(Arc<SessionSecrets>, bool)>,
    pub cookie: CookieSettings,
    idle_secs: i64,
    max_age_secs: i64,
}

impl Sessions {
    pub fn new(config: &Config, store: AnyStore) -> Sessions {
        Sessions {
            store,
            cipher: Cipher::new(&config.session_secrets),
            opened: Memo::default(),
            cookie: CookieSettings::from_config(config),
            idle_secs: config.session_idle.as_secs() as i64,
            max_age_secs: config.session_max_age.as_secs() as i64,
        }
    }

    /// A fresh, unsaved session.
    pub fn create(&self, now: i64) -> Session {
        Session {
            id: new_id(),
            record: Arc::new(StoredSession {
                created_at: now,
                last_seen: now,
                signed_in_at: None,
                user: None,
                sid: None,
                reauth_requested_at: None,
                challenge: None,
                sealed: vec![],
                revision: None,
            }),
            secrets: Arc::default(),
            is_new: true,
        }
    }

    /// The session named by the request's cookie, if it exists and has not expired. A cookie
    /// that is not one of ours, or names nothing, is simply no session.
    pub async fn load(
        &self,
        cookie_value: Option<&str>,
        now: i64,
    ) -> Result<Option<Session>, StoreError> {
        let Some(id) = cookie_value.filter(|v| plausible_id(v)) else {
            return Ok(None);
        };
        let Some((mut session, write_back)) = self.open(id, now).await? else {
            return Ok(None);
        };
        if write_back {
            // The touch (or the reseal under the newest key) is worth a write, not a retry:
            // if another request wrote the session meanwhile, theirs is newer still.
            session.record_mut().last_seen = now;
            if !self.write(&mut session, now).await? {
                return Ok(self.open(id, now).await?.map(|(fresh, _)| fresh));
            }
        }
        Ok(Some(session))
    }

    /// The stored session under `id`, opened, and whether it should be written back (its
    /// `last_seen` is old, it is sealed under an old key, or its secrets were unusable).
    /// Expired sessions are deleted and are no session.
    async fn open(&self, id: &str, now: i64) -> Result<Option<(Session, bool)>, StoreError> {
        let key = store_key(id);
        let Some(record) = self.store.load(&key).await? else {
            return Ok(None);
        };
        if now - record.last_seen > self.idle_secs || now - record.created_at > self.max_age_secs {
            self.opened.forget(&key);
            self.store.delete(&key).await?;
            return Ok(None);
        }
        let mut session = Session {
            id: id.to_string(),
            secrets: Arc::default(),
            record,
            is_new: false,
        };
        let mut write_back = now - session.record.last_seen > TOUCH_INTERVAL_SECS;
        if let Some((secrets, stale_key)) = self.opened.get(&key, &session.record.sealed) {
            session.secrets = secrets;
            write_back |= stale_key;
        } else if !session.record.sealed.is_empty() {
            match self.cipher.open(&session.record.sealed, id) {
                Ok(opened) => match serde_json::from_slice::<SessionSecrets>(&opened.plaintext) {
                    Ok(secrets) => {
                        session.secrets = Arc::new(secrets);
                        self.opened.put(
                            &key,
                            &session.record.sealed,
                            (session.secrets.clone(), opened.stale_key),
                        );
                        // Sealed under an older SESSION_SECRET key: seal again under the newest.
                        write_back |= opened.stale_key;
                    }
                    Err(e) => {
                        // Opened, but not secrets this version can read (written by another
                        // version, or damaged): unusable like a session that does not open.
                        tracing::warn!(error = %e, "a session's sealed data opened but could not be decoded; signing it out");
                        session.sign_out_locally();
                        write_back = true;
                    }
                },
                Err(e) => {
                    // Without the secrets the session is useless; keep the id, sign out.
                    tracing::warn!(error = %e, "a session's sealed data could not be opened; signing it out");
                    session.sign_out_locally();
                    write_back = true;
                }
            }
        }
        Ok(Some((session, write_back)))
    }

    /// Applies `change` to the session and saves it, without losing what concurrent requests
    /// wrote meanwhile. Writes are compare-and-set on the stored revision: when the session was
    /// written since this request loaded it (a refreshed token cache, another tab's pending
    /// sign-in, a touch), it is read again and `change` applied to that fresh copy, then
    /// written; so a request that loaded an old token cache can never put it back. `change`
    /// runs once per attempt and may refuse (its error is returned, nothing written).
    pub async fn update<T, E>(
        &self,
        session: &mut Session,
        now: i64,
        mut change: impl FnMut(&mut Session) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let out = change(session)?;
            if self.write(session, now).await? {
                return Ok(out);
            }
            // Written by someone else since we read it: start again from what they wrote.
            match self.open(&session.id, now).await? {
                Some((fresh, _)) => *session = fresh,
                None => return Err(StoreError::SessionEnded.into()),
            }
        }
        Err(StoreError::Contended.into())
    }

    /// Writes the session (sealing its secrets under the newest key) if the store still holds
    /// the revision it was loaded at (a new session: if nothing is stored under its id).
    /// `Ok(false)`: someone else wrote it first; nothing was written.
    async fn write(&self, session: &mut Session, now: i64) -> Result<bool, StoreError> {
        let plaintext = serde_json::to_vec(&*session.secrets).map_err(StoreError::Encode)?;
        let sealed = self.cipher.seal(&plaintext, &session.id);
        let record = session.record_mut();
        record.sealed = sealed;
        record.last_seen = now;
        // Nobody signed in yet (a sign-in under way, or a bot at /login): keep it only as long
        // as a sign-in may take, so anonymous traffic cannot fill the store.
        let idle = if session.record.user.is_some() {
            self.idle_secs
        } else {
            PENDING_LIFETIME_SECS.min(self.idle_secs)
        };
        let expires_at = (now + idle).min(session.record.created_at + self.max_age_secs);
        match self
            .store
            .save(&session.key(), &session.record, expires_at)
            .await?
        {
            Written::Saved(revision) => {
                session.record_mut().revision = Some(revision);
                session.is_new = false;
                Ok(true)
            }
            Written::Conflict => Ok(false),
        }
    }

    /// Gives the session a new id (at sign-in), so an id known before sign-in is worthless after.
    pub async fn rotate(&self, session: &mut Session, now: i64) -> Result<(), StoreError> {
        let old_key = session.key();
        let was_new = session.is_new;
        session.id = new_id();
        let record = session.record_mut();
        record.created_at = now;
        record.revision = None;
        if !self.write(session, now).await? {
            // Nothing can be stored under a fresh random id already.
            return Err(StoreError::Contended);
        }
        if !was_new {
            self.opened.forget(&old_key);
            self.store.delete(&old_key).await?;
        }
        Ok(())
    }

    pub async fn destroy(&self, session: &Session) -> Result<(), StoreError> {
        let key = session.key();
        self.opened.forget(&key);
        self.store.delete(&key).await
    }

    /// Reads the session's current state from the store again (another request, or another
    /// instance, may have changed it).
    pub async fn reload(&self, session: &mut Session, now: i64) -> Result<(), StoreError> {
        match self.open(&session.id, now).await? {
            Some((fresh, _)) => *session = fresh,
            None => return Err(StoreError::SessionEnded),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_store_key_is_the_ids_sha256_in_lower_case_hex() {
        assert_eq!(
            super::store_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
