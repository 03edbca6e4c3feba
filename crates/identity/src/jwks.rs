//! The provider's signing keys, cached by `kid`. An unknown `kid` triggers one re-fetch (keys
//! rotate), but no more often than once a second, so forged tokens naming random keys cannot
//! turn the app into a JWKS-fetching amplifier. Concurrent misses share one fetch.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use crate::error::IdentityError;
use crate::http::unreachable;

/// Keys are re-fetched at least this often even when every `kid` is known (Entra: daily).
const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// The smallest gap between two fetches caused by unknown `kid`s.
const MIN_REFETCH_GAP: Duration = Duration::from_secs(1);

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    #[serde(default)]
    kid: Option<String>,
    kty: String,
    #[serde(default, rename = "use")]
    use_: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

struct Fetched {
    keys: HashMap<String, Arc<DecodingKey>>,
    at: Instant,
}

/// A JWKS cache for one `jwks_uri`.
pub struct JwksCache {
    uri: String,
    http: reqwest::Client,
    current: RwLock<Option<Fetched>>,
    fetching: Mutex<()>,
}

impl JwksCache {
    pub fn new(uri: String, http: reqwest::Client) -> JwksCache {
        JwksCache {
            uri,
            http,
            current: RwLock::new(None),
            fetching: Mutex::new(()),
        }
    }

    /// The key for `kid`, fetching the key set when it is unknown or stale.
    pub async fn key(&self, kid: &str) -> Result<Option<Arc<DecodingKey>>, IdentityError> {
        if let Some(key) = self.cached(kid, true).await {
            return Ok(Some(key));
        }
        let _one_fetch = self.fetching.lock().await;
        // Another task may have fetched while this one waited.
        if let Some(key) = self.cached(kid, true).await {
            return Ok(Some(key));
        }
        let recently = self
            .current
            .read()
            .await
            .as_ref()
            .is_some_and(|f| f.at.elapsed() < MIN_REFETCH_GAP);
        if recently {
            return Ok(self.cached(kid, false).await);
        }
        let fetched = self.fetch().await?;
        let key = fetched.keys.get(kid).cloned();
        *self.current.write().await = Some(fetched);
        Ok(key)
    }

    async fn cached(&self, kid: &str, fresh_only: bool) -> Option<Arc<DecodingKey>> {
        let current = self.current.read().await;
        let fetched = current.as_ref()?;
        if fresh_only && fetched.at.elapsed() > MAX_AGE {
            return None;
        }
        fetched.keys.get(kid).cloned()
    }

    async fn fetch(&self) -> Result<Fetched, IdentityError> {
        let bad = |source: crate::error::BoxError| IdentityError::BadMetadata {
            what: "key set",
            url: self.uri.clone(),
            source,
        };
        let response = self
            .http
            .get(&self.uri)
            .send()
            .await
            .map_err(|e| unreachable(&self.uri, e))?;
        if !response.status().is_success() {
            return Err(bad(format!("HTTP {}", response.status()).into()));
        }
        let set: JwkSet = response
            .json()
            .await
            .map_err(|e| bad(e.without_url().into()))?;
        let mut keys = HashMap::new();
        for jwk in set.keys {
            let usable = jwk.kty == "RSA" && jwk.use_.as_deref().is_none_or(|u| u == "sig");
            if let (true, Some(kid), Some(n), Some(e)) = (usable, jwk.kid, jwk.n, jwk.e)
                && let Ok(key) = DecodingKey::from_rsa_components(&n, &e)
            {
                keys.insert(kid, Arc::new(key));
            }
        }
        tracing::debug!(uri = %self.uri, keys = keys.len(), "fetched signing keys");
        Ok(Fetched {
            keys,
            at: Instant::now(),
        })
    }
}
