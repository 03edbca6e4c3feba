//! The Redis session store, for several app instances behind a load balancer without affinity.
//! Values expire with Redis TTLs; a set per provider `sid` indexes sessions for front-channel
//! logout; `SET NX PX` + compare-and-delete is the cross-instance refresh lock. The connection is
//! made lazily and re-made after failures, so the app starts, reports "not ready" and recovers
//! on its own when Redis is away for a while.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

use super::store::{LockToken, SessionStore, StoreError, StoredSession};

const TIMEOUT: Duration = Duration::from_secs(2);

pub struct RedisStore {
    client: redis::Client,
    prefix: String,
    conn: Mutex<Option<ConnectionManager>>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("redis: {e}"))
}

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
        let unusable = |e: redis::RedisError| StoreError(format!("not a usable Redis URL: {e}"));
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
        .map_err(|_| StoreError("redis: connection timed out".into()))?
        .map_err(unavailable)?;
        *slot = Some(conn.clone());
        Ok(conn)
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
    async fn load(&self, key: &str) -> Result<Option<StoredSession>, StoreError> {
        let mut conn = self.conn().await?;
        let data: Option<String> = conn.get(self.session_key(key)).await.map_err(unavailable)?;
        Ok(data.and_then(|d| serde_json::from_str(&d).ok()))
    }

    async fn save(
        &self,
        key: &str,
        session: &StoredSession,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let data = serde_json::to_string(session).map_err(unavailable)?;
        let at = expires_at.max(1) as u64;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(self.session_key(key))
            .arg(data)
            .arg("EXAT")
            .arg(at)
            .ignore();
        if let Some(sid) = &session.sid {
            pipe.sadd(self.sid_key(sid), key).ignore();
            pipe.cmd("EXPIREAT")
                .arg(self.sid_key(sid))
                .arg(at)
                .arg("GT")
                .ignore();
            // EXPIREAT … GT leaves a set without TTL alone; give a new set one.
            pipe.cmd("EXPIREAT")
                .arg(self.sid_key(sid))
                .arg(at)
                .arg("NX")
                .ignore();
        }
        pipe.query_async::<()>(&mut conn).await.map_err(unavailable)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.del::<_, ()>(self.session_key(key))
            .await
            .map_err(unavailable)
    }

    async fn delete_by_sid(&self, sid: &str) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        let keys: Vec<String> = conn
            .smembers(self.sid_key(sid))
            .await
            .map_err(unavailable)?;
        let mut deleted = 0;
        for key in &keys {
            let n: usize = conn.del(self.session_key(key)).await.map_err(unavailable)?;
            deleted += n;
        }
        conn.del::<_, ()>(self.sid_key(sid))
            .await
            .map_err(unavailable)?;
        Ok(deleted)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn try_lock(&self, name: &str, ttl_ms: u64) -> Result<Option<LockToken>, StoreError> {
        let mut conn = self.conn().await?;
        let token = uuid::Uuid::new_v4().to_string();
        let set: Option<String> = redis::cmd("SET")
            .arg(self.lock_key(name))
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(set.map(|_| LockToken(token)))
    }

    async fn unlock(&self, name: &str, token: LockToken) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        redis::Script::new(UNLOCK_SCRIPT)
            .key(self.lock_key(name))
            .arg(token.0)
            .invoke_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(unavailable)
    }
}
