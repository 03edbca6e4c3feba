//! Export jobs in Redis, for several instances: each job a hash (`data`, `rev`) written by a
//! compare-and-set script, a sorted set of job ids by creation time, leases as `SET … PX` keys
//! renewed only by their holder (a script), and named values as plain keys.

use std::sync::Arc;

use crate::session::{RedisStore, StoreError};

/// KEYS[1] the job; ARGV: the expected revision, the new data. 1 when written.
const REPLACE_SCRIPT: &str = r#"
if redis.call("hget", KEYS[1], "rev") ~= ARGV[1] then return 0 end
redis.call("hset", KEYS[1], "data", ARGV[2], "rev", tonumber(ARGV[1]) + 1)
return 1
"#;

/// KEYS[1] the lease; ARGV: holder, ttl (ms). 1 when the holder has it now.
const LEASE_SCRIPT: &str = r#"
local holder = redis.call("get", KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1
"#;

const RELEASE_SCRIPT: &str = r#"
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end
return 0
"#;

pub struct RedisJobs {
    store: Arc<RedisStore>,
}

impl RedisJobs {
    pub fn new(store: Arc<RedisStore>) -> RedisJobs {
        RedisJobs { store }
    }

    fn key(&self, kind: &str, name: &str) -> String {
        format!("{}export:{kind}:{name}", self.store.prefix())
    }

    fn index(&self) -> String {
        format!("{}export:jobs", self.store.prefix())
    }

    pub async fn insert(&self, id: &str, created: i64, data: &str) -> Result<(), StoreError> {
        let (key, index) = (self.key("job", id), self.index());
        self.store
            .run(|mut conn| {
                let mut pipe = redis::pipe();
                pipe.atomic()
                    .hset_multiple(&key, &[("data", data), ("rev", "1")])
                    .ignore()
                    .zadd(&index, id, created)
                    .ignore();
                async move { pipe.query_async::<()>(&mut conn).await }
            })
            .await
    }

    pub async fn get(&self, id: &str) -> Result<Option<(String, u64)>, StoreError> {
        let key = self.key("job", id);
        let (data, revision): (Option<String>, Option<u64>) = self
            .store
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
            .await?;
        Ok(data.zip(revision))
    }

    pub async fn replace(&self, id: &str, revision: u64, data: &str) -> Result<bool, StoreError> {
        let key = self.key("job", id);
        let script = redis::Script::new(REPLACE_SCRIPT);
        let written: i64 = self
            .store
            .run(|mut conn| {
                let mut script = script.key(&key);
                script.arg(revision.to_string()).arg(data);
                async move { script.invoke_async(&mut conn).await }
            })
            .await?;
        Ok(written == 1)
    }

    pub async fn all(&self) -> Result<Vec<String>, StoreError> {
        let index = self.index();
        let ids: Vec<String> = self
            .store
            .run(|mut conn| {
                let index = index.clone();
                async move {
                    redis::cmd("ZRANGE")
                        .arg(index)
                        .arg(0)
                        .arg(-1)
                        .query_async(&mut conn)
                        .await
                }
            })
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Every record in one round trip: each instance lists the jobs every poll.
        let keys: Vec<String> = ids.iter().map(|id| self.key("job", id)).collect();
        let records: Vec<Option<String>> = self
            .store
            .run(|mut conn| {
                let mut pipe = redis::pipe();
                for key in &keys {
                    pipe.hget(key, "data");
                }
                async move { pipe.query_async(&mut conn).await }
            })
            .await?;
        Ok(records.into_iter().flatten().collect())
    }

    pub async fn delete(&self, id: &str) -> Result<(), StoreError> {
        let (key, index) = (self.key("job", id), self.index());
        self.store
            .run(|mut conn| {
                let mut pipe = redis::pipe();
                pipe.atomic().del(&key).ignore().zrem(&index, id).ignore();
                async move { pipe.query_async::<()>(&mut conn).await }
            })
            .await
    }

    pub async fn lease(&self, name: &str, holder: &str, ttl_ms: u64) -> Result<bool, StoreError> {
        let key = self.key("lease", name);
        let script = redis::Script::new(LEASE_SCRIPT);
        let held: i64 = self
            .store
            .run(|mut conn| {
                let mut script = script.key(&key);
                script.arg(holder).arg(ttl_ms);
                async move { script.invoke_async(&mut conn).await }
            })
            .await?;
        Ok(held == 1)
    }

    pub async fn release(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        let key = self.key("lease", name);
        let script = redis::Script::new(RELEASE_SCRIPT);
        let _: i64 = self
            .store
            .run(|mut conn| {
                let mut script = script.key(&key);
                script.arg(holder);
                async move { script.invoke_async(&mut conn).await }
            })
            .await?;
        Ok(())
    }

    pub async fn put_value(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        let key = self.key("value", name);
        self.store
            .run(|mut conn| {
                let key = key.clone();
                async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(value)
                        .query_async::<()>(&mut conn)
                        .await
                }
            })
            .await
    }

    pub async fn value(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = self.key("value", name);
        self.store
            .run(|mut conn| {
                let key = key.clone();
                async move { redis::cmd("GET").arg(key).query_async(&mut conn).await }
            })
            .await
    }

    pub async fn remove_value(&self, name: &str) -> Result<(), StoreError> {
        let key = self.key("value", name);
        self.store
            .run(|mut conn| {
                let key = key.clone();
                async move {
                    redis::cmd("DEL")
                        .arg(key)
                        .query_async::<()>(&mut conn)
                        .await
                }
            })
            .await
    }
}
