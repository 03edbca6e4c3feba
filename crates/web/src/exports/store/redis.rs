//! Export jobs in Redis, for several instances: each job a hash (`data`, `rev`) written by a
//! compare-and-set script that keeps the indexes in the same step — sorted sets of all jobs,
//! the unfinished ones and each owner's by creation time, and the finished ones by when they
//! finished — leases as `SET … PX` keys renewed only by their holder (a script), and named
//! values as plain keys. Jobs written before the indexes were kept are indexed once, by a
//! script, the first time a list is read.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::backend::{JobBackend, JobError, Row};
use crate::session::{RedisStore, StoreError};

/// KEYS: the job, all jobs, unfinished jobs, finished jobs, the owner's jobs. ARGV: id, data,
/// created, unfinished (0/1), finished ("" or Unix seconds), expected revision ("" for a new
/// job). 1 when written.
const WRITE_SCRIPT: &str = r#"
local current = redis.call("hget", KEYS[1], "rev")
if ARGV[6] == "" then
  if current then return 0 end
elseif current ~= ARGV[6] then
  return 0
end
redis.call("hset", KEYS[1], "data", ARGV[2], "rev", (tonumber(current) or 0) + 1)
redis.call("zadd", KEYS[2], ARGV[3], ARGV[1])
redis.call("zadd", KEYS[5], ARGV[3], ARGV[1])
if ARGV[4] == "1" then
  redis.call("zadd", KEYS[3], ARGV[3], ARGV[1])
else
  redis.call("zrem", KEYS[3], ARGV[1])
end
if ARGV[5] ~= "" then
  redis.call("zadd", KEYS[4], ARGV[5], ARGV[1])
else
  redis.call("zrem", KEYS[4], ARGV[1])
end
return 1
"#;

/// KEYS: the job, all jobs, unfinished, finished; ARGV: id, the owners' key prefix.
const DELETE_SCRIPT: &str = r#"
local data = redis.call("hget", KEYS[1], "data")
if data then
  local ok, job = pcall(cjson.decode, data)
  if ok and type(job.owner) == "string" then
    redis.call("zrem", ARGV[2] .. job.owner, ARGV[1])
  end
end
redis.call("del", KEYS[1])
redis.call("zrem", KEYS[2], ARGV[1])
redis.call("zrem", KEYS[3], ARGV[1])
redis.call("zrem", KEYS[4], ARGV[1])
return 1
"#;

/// Indexes the jobs written before there were indexes. KEYS: all jobs, unfinished, finished,
/// the marker; ARGV: the jobs' key prefix, the owners' key prefix.
const INDEX_SCRIPT: &str = r#"
if redis.call("exists", KEYS[4]) == 1 then return 0 end
local ids = redis.call("zrange", KEYS[1], 0, -1, "withscores")
for i = 1, #ids, 2 do
  local id, created = ids[i], ids[i + 1]
  local data = redis.call("hget", ARGV[1] .. id, "data")
  if data then
    local ok, job = pcall(cjson.decode, data)
    if ok then
      if type(job.owner) == "string" then redis.call("zadd", ARGV[2] .. job.owner, created, id) end
      if job.state == "queued" or job.state == "running" or job.state == "waiting" then
        redis.call("zadd", KEYS[2], created, id)
      end
      if type(job.finished) == "number" then redis.call("zadd", KEYS[3], job.finished, id) end
    end
  end
end
redis.call("set", KEYS[4], "1")
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
    /// Whether the jobs written before the indexes are known to be indexed.
    indexed: AtomicBool,
}

fn failed(e: StoreError) -> JobError {
    JobError::Redis(e)
}

impl RedisJobs {
    /// `SET` of a value, kept for `ttl_ms` when given (Redis lets it go then), else for good.
    async fn set_value(
        &self,
        name: &str,
        value: &[u8],
        ttl_ms: Option<u64>,
    ) -> Result<(), JobError> {
        let key = self.key("value", name);
        self.store
            .run(|mut conn| {
                let mut set = redis::cmd("SET");
                set.arg(&key).arg(value);
                if let Some(ttl_ms) = ttl_ms {
                    set.arg("PX").arg(ttl_ms);
                }
                async move { set.query_async::<()>(&mut conn).await }
            })
            .await
            .map_err(failed)
    }

    pub fn new(store: Arc<RedisStore>) -> RedisJobs {
        RedisJobs {
            store,
            indexed: AtomicBool::new(false),
        }
    }

    fn key(&self, kind: &str, name: &str) -> String {
        format!("{}export:{kind}:{name}", self.store.prefix())
    }

    fn index(&self, which: &str) -> String {
        format!("{}export:{which}", self.store.prefix())
    }

    /// Runs a Lua script with these keys and arguments; its integer answer.
    async fn script(
        &self,
        source: &str,
        keys: &[String],
        args: &[String],
    ) -> Result<i64, JobError> {
        let script = redis::Script::new(source);
        self.store
            .run(|mut conn| {
                let mut invocation = script.prepare_invoke();
                for key in keys {
                    invocation.key(key);
                }
                for arg in args {
                    invocation.arg(arg);
                }
                async move { invocation.invoke_async(&mut conn).await }
            })
            .await
            .map_err(failed)
    }

    /// Runs the write script for `row` (`revision` `None`: a new job).
    async fn write(&self, row: Row, revision: Option<u64>) -> Result<bool, JobError> {
        let keys = [
            self.key("job", &row.id),
            self.index("jobs"),
            self.index("unfinished"),
            self.index("finished"),
            self.key("owner", &row.owner),
        ];
        let args = [
            row.id,
            row.data,
            row.created.to_string(),
            if row.unfinished { "1" } else { "0" }.to_string(),
            row.finished.map(|f| f.to_string()).unwrap_or_default(),
            revision.map(|r| r.to_string()).unwrap_or_default(),
        ];
        Ok(self.script(WRITE_SCRIPT, &keys, &args).await? == 1)
    }

    /// Indexes jobs written before the indexes were kept (once per store: a marker in Redis
    /// says it is done, and this instance remembers having seen it).
    async fn indexed(&self) -> Result<(), JobError> {
        if self.indexed.load(Ordering::Relaxed) {
            return Ok(());
        }
        let keys = [
            self.index("jobs"),
            self.index("unfinished"),
            self.index("finished"),
            self.index("indexed"),
        ];
        let prefixes = [self.key("job", ""), self.key("owner", "")];
        self.script(INDEX_SCRIPT, &keys, &prefixes).await?;
        self.indexed.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// The records of the ids in the sorted set `index` (scores from `min`, up to `max`).
    async fn records(&self, index: String, min: &str, max: &str) -> Result<Vec<String>, JobError> {
        self.indexed().await?;
        let (min, max) = (min.to_string(), max.to_string());
        let ids: Vec<String> = self
            .store
            .run(|mut conn| {
                let (index, min, max) = (index.clone(), min.clone(), max.clone());
                async move {
                    redis::cmd("ZRANGE")
                        .arg(index)
                        .arg(min)
                        .arg(max)
                        .arg("BYSCORE")
                        .query_async(&mut conn)
                        .await
                }
            })
            .await
            .map_err(failed)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
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
            .await
            .map_err(failed)?;
        Ok(records.into_iter().flatten().collect())
    }
}

impl JobBackend for RedisJobs {
    async fn insert(&self, row: Row) -> Result<(), JobError> {
        match self.write(row, None).await? {
            true => Ok(()),
            false => Err(JobError::Contended),
        }
    }

    async fn get(&self, id: &str) -> Result<Option<(String, u64)>, JobError> {
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
            .await
            .map_err(failed)?;
        Ok(data.zip(revision))
    }

    async fn replace(&self, row: Row, revision: u64) -> Result<bool, JobError> {
        self.write(row, Some(revision)).await
    }

    async fn unfinished(&self) -> Result<Vec<String>, JobError> {
        self.records(self.index("unfinished"), "-inf", "+inf").await
    }

    async fn owned_by(&self, owner: &str) -> Result<Vec<String>, JobError> {
        self.records(self.key("owner", owner), "-inf", "+inf").await
    }

    async fn finished_before(&self, at: i64) -> Result<Vec<String>, JobError> {
        self.records(self.index("finished"), "-inf", &format!("({at}"))
            .await
    }

    async fn delete(&self, id: &str) -> Result<(), JobError> {
        let keys = [
            self.key("job", id),
            self.index("jobs"),
            self.index("unfinished"),
            self.index("finished"),
        ];
        let args = [id.to_string(), self.key("owner", "")];
        self.script(DELETE_SCRIPT, &keys, &args).await?;
        Ok(())
    }

    async fn lease(&self, name: &str, holder: &str, ttl_ms: u64) -> Result<bool, JobError> {
        let key = self.key("lease", name);
        let script = redis::Script::new(LEASE_SCRIPT);
        let held: i64 = self
            .store
            .run(|mut conn| {
                let mut script = script.key(&key);
                script.arg(holder).arg(ttl_ms);
                async move { script.invoke_async(&mut conn).await }
            })
            .await
            .map_err(failed)?;
        Ok(held == 1)
    }

    async fn release(&self, name: &str, holder: &str) -> Result<(), JobError> {
        let key = self.key("lease", name);
        let script = redis::Script::new(RELEASE_SCRIPT);
        let _: i64 = self
            .store
            .run(|mut conn| {
                let mut script = script.key(&key);
                script.arg(holder);
                async move { script.invoke_async(&mut conn).await }
            })
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn put_value(&self, name: &str, value: &[u8]) -> Result<(), JobError> {
        self.set_value(name, value, None).await
    }

    async fn put_expiring(&self, name: &str, value: &[u8], ttl_ms: u64) -> Result<(), JobError> {
        self.set_value(name, value, Some(ttl_ms.max(1))).await
    }

    async fn value(&self, name: &str) -> Result<Option<Vec<u8>>, JobError> {
        let key = self.key("value", name);
        self.store
            .run(|mut conn| {
                let key = key.clone();
                async move { redis::cmd("GET").arg(key).query_async(&mut conn).await }
            })
            .await
            .map_err(failed)
    }

    async fn remove_value(&self, name: &str) -> Result<(), JobError> {
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
            .map_err(failed)
    }
}
