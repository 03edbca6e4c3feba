//! The Redis session store, for several app instances behind a load balancer without affinity.
//! Each session is a hash (`data`: the record's JSON, `rev`: its revision) that expires with a
//! Redis TTL, written by a compare-and-set script; a set per provider `sid` indexes sessions for
//! front-channel logout; `SET NX PX` + compare-and-delete is the cross-instance refresh lock. The connection is
//! made lazily and re-made after failures, so the app starts, reports "not ready" and recovers
//! on its own when Redis is away for a while.
//!
//! After Redis restarts (a failover, a deploy) the connection an instance holds is dead, and the
//! first command to use it finds out by failing. That command is not the user's fault, so every
//! call that fails because the connection was lost runs once more on a fresh one (the connection
//! manager reconnects on such a failure). If Redis is really gone, the second try fails at once
//! too and the request gets its 503 as before. Timeouts are not retried: a Redis that does not
//! answer would only make the user wait twice.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

use super::store::{LockToken, SessionStore, StoreError, StoredSession, Written};

const TIMEOUT: Duration = Duration::from_secs(2);

pub struct RedisStore {
    client: redis::Client,
    prefix: String,
    conn: Mutex<Option<ConnectionManager>>,
}

/// Whether `e` means the connection broke (worth one retry on a new one), rather than Redis
/// answering with an error or not answering in time.
fn lost_connection(e: &redis::RedisError) -> bool {
    !e.is_timeout() && (e.is_connection_dropped() || e.is_unrecoverable_error())
}

/// Compare-and-set of a session: KEYS[1] the session, KEYS[2] its `sid` set (or ""); ARGV: the
/// expected revision ("" for a new session), the record's JSON, the expiry (Unix seconds), the
/// session's store key (for the `sid` set). Returns the new revision, or 0 if the stored one is
/// not the expected one. A session written by a version without revisions (a plain string) is
/// revision 0.
const SAVE_SCRIPT: &str = r#"
local kind = redis.call("type", KEYS[1]).ok
local current = false
if kind == "hash" then
  current = redis.call("hget", KEYS[1], "rev")
elseif kind == "string" then
  current = "0"
end
if ARGV[1] == "" then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
local revision = (tonumber(current) or 0) + 1
if kind == "string" then redis.call("del", KEYS[1]) end
redis.call("hset", KEYS[1], "data", ARGV[2], "rev", revision)
redis.call("expireat", KEYS[1], ARGV[3])
if KEYS[2] ~= "" then
  redis.call("sadd", KEYS[2], ARGV[4])
  -- EXPIREAT … GT leaves a set without TTL alone; give a new set one.
  redis.call("expireat", KEYS[2], ARGV[3], "GT")
  redis.call("expireat", KEYS[2], ARGV[3], "NX")
end
return revision
"#;

const UNLOCK_SCRIPT: &str = r#"
if redis.call("get", KEYS[1]) == ARGV[1] then
  return redis.call("del", KEYS[1])
else
  return 0
end"#;

impl RedisStore {
    /// `url` is `redis://[:password@]host:port/db` or `rediss://…` (TLS); keys start with
    /// `prefix`. With TLS, `ca_pem` (the `CA_BUNDLE`) is trusted instead of the system roots.
    pub fn new(url: &str, prefix: &str, ca_pem: Option<&[u8]>) -> Result<RedisStore, StoreError> {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let unusable = StoreError::RedisUrl;
        let client = match ca_pem {
            Some(ca) if url.starts_with("rediss://") => redis::Client::build_with_tls(
                url,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca.to_vec()),
                },
            )
            .map_err(unusable)?,
            _ => redis::Client::open(url).map_err(unusable)?,
        };
        Ok(RedisStore {
            client,
            prefix: prefix.to_string(),
            conn: Mutex::new(None),
        })
    }

    async fn conn(&self) -> Result<ConnectionManager, StoreError> {
        let mut slot = self.conn.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1);
        let conn = tokio::time::timeout(
            TIMEOUT * 2,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        .map_err(|_| StoreError::RedisTimeout(TIMEOUT * 2))?
        .map_err(StoreError::Redis)?;
        *slot = Some(conn.clone());
        Ok(conn)
    }

    /// Runs `command` on the connection; if it fails because the connection was lost, once more
    /// on a fresh one (see the module comment).
    pub(crate) async fn run<T, F, Fut>(&self, command: F) -> Result<T, StoreError>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let conn = self.conn().await?;
        match command(conn).await {
            Err(e) if lost_connection(&e) => {
                tracing::info!(error = %e, "the Redis connection was lost; trying once more on a fresh one");
                let conn = self.conn().await?;
                command(conn).await.map_err(StoreError::Redis)
            }
            other => other.map_err(StoreError::Redis),
        }
    }

    /// What every key of this app starts with (`graphnote:`).
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    fn session_key(&self, key: &str) -> String {
        format!("{}session:{key}", self.prefix)
    }

    fn sid_key(&self, sid: &str) -> String {
        format!("{}sid:{sid}", self.prefix)
    }

    fn lock_key(&self, name: &str) -> String {
        format!("{}lock:{name}", self.prefix)
    }
}

impl SessionStore for RedisStore {
    async fn load(&self, key: &str) -> Result<Option<Arc<StoredSession>>, StoreError> {
        let key = self.session_key(key);
        let fields: Result<(Option<String>, Option<u64>), StoreError> = self
            .run(|mut conn| {
                let key = key.clone();
                async move {
                    redis::cmd("HMGET")
                        .arg(key)
                        .arg("data")
                        .arg("rev")
                        .query_async(&mut conn)
                        .await
                }
            })
            .await;
        let (data, revision) = match fields {
            Ok(fields) => fields,
            // Written by a version without revisions: a plain string, revision 0.
            Err(StoreError::Redis(e)) if e.code() == Some("WRONGTYPE") => {
                let data: Option<String> = self
                    .run(|mut conn| {
                        let key = key.clone();
                        async move { conn.get(key).await }
                    })
                    .await?;
                (data, Some(0))
            }
            Err(e) => return Err(e),
        };
        Ok(data
            .and_then(|d| super::store::decode_record(&d))
            .map(|mut session| {
                session.revision = Some(revision.unwrap_or(0));
                Arc::new(session)
            }))
    }

    async fn save(
        &self,
        key: &str,
        session: &StoredSession,
        expires_at: i64,
    ) -> Result<Written, StoreError> {
        let data = serde_json::to_string(session).map_err(StoreError::Encode)?;
        let at = expires_at.max(1) as u64;
        let session_key = self.session_key(key);
        let sid_key = session
            .sid
            .as_deref()
            .map(|sid| self.sid_key(sid))
            .unwrap_or_default();
        let expected = session.revision.map(|r| r.to_string()).unwrap_or_default();
        let script = redis::Script::new(SAVE_SCRIPT);
        // One script, applied atomically: safe to send again if the connection broke before
        // the answer came (a repeat finds the revision moved and answers "conflict"; the caller
        // then reloads and finds its own write).
        let revision: u64 = self
            .run(|mut conn| {
                let mut invocation = script.key(&session_key);
                invocation
                    .key(&sid_key)
                    .arg(&expected)
                    .arg(&data)
                    .arg(at)
                    .arg(key);
                async move { invocation.invoke_async(&mut conn).await }
            })
            .await?;
        Ok(match revision {
            0 => Written::Conflict,
            n => Written::Saved(n),
        })
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let key = self.session_key(key);
        self.run(|mut conn| {
            let key = key.clone();
            async move { conn.del::<_, ()>(key).await }
        })
        .await
    }

    async fn delete_by_sid(&self, sid: &str) -> Result<usize, StoreError> {
        let sid_key = self.sid_key(sid);
        let keys: Vec<String> = self
            .run(|mut conn| {
                let sid_key = sid_key.clone();
                async move { conn.smembers(sid_key).await }
            })
            .await?;
        let mut deleted = 0;
        for key in &keys {
            let key = self.session_key(key);
            let n: usize = self
                .run(|mut conn| {
                    let key = key.clone();
                    async move { conn.del(key).await }
                })
                .await?;
            deleted += n;
        }
        self.run(|mut conn| {
            let sid_key = sid_key.clone();
            async move { conn.del::<_, ()>(sid_key).await }
        })
        .await?;
        Ok(deleted)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.run(
            |mut conn| async move { redis::cmd("PING").query_async::<String>(&mut conn).await },
        )
        .await
        .map(|_| ())
    }

    async fn try_lock(&self, name: &str, ttl_ms: u64) -> Result<Option<LockToken>, StoreError> {
        let key = self.lock_key(name);
        let token = uuid::Uuid::new_v4().to_string();
        // A lost connection means the SET never reached Redis (or its answer never came back:
        // then the retry finds the key taken, and the lock expires by itself after `ttl_ms`).
        let set: Option<String> = self
            .run(|mut conn| {
                let (key, token) = (key.clone(), token.clone());
                async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(token)
                        .arg("NX")
                        .arg("PX")
                        .arg(ttl_ms)
                        .query_async(&mut conn)
                        .await
                }
            })
            .await?;
        Ok(set.map(|_| LockToken(token)))
    }

    async fn unlock(&self, name: &str, token: LockToken) -> Result<(), StoreError> {
        let key = self.lock_key(name);
        self.run(|mut conn| {
            let (key, token) = (key.clone(), token.0.clone());
            async move {
                redis::Script::new(UNLOCK_SCRIPT)
                    .key(key)
                    .arg(token)
                    .invoke_async::<i64>(&mut conn)
                    .await
            }
        })
        .await
        .map(|_| ())
    }
}
