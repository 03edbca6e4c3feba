//! OneNote's per-user limits shared by every instance on one Redis (graph's in-process budget
//! serves one instance, on SQLite). For each (app, user) Redis holds the calls in flight (a
//! sorted set of leases: a crashed instance's slots expire by themselves) and the start times of
//! the last hour's calls (a sorted set, for the per-minute and per-hour windows), the
//! interactive callers waiting (background work lets them go first), and a mark that lives
//! `graph::ACTIVE_FOR` after the user's last page view (background work then keeps to half of
//! each window instead of three quarters). One Lua script decides,
//! atomically and on Redis's clock, whether a call may start now or how long it must wait.

use std::sync::Arc;
use std::time::Duration;

use graph::{GateFuture, GraphError, Limits, OneNoteGate, Permit, Priority, RecentFuture, Windows};
use rand::Rng;

use super::redis_store::RedisStore;

/// How long a call's slot is held if its instance never gives it back (it crashed): longer
/// than any Graph call may take (the client's timeout is 60 s).
const LEASE: Duration = Duration::from_secs(120);
/// How often a caller that found every slot taken looks again.
const SLOT_POLL: Duration = Duration::from_millis(40);
/// How long an interactive caller counts as waiting without looking again.
const WAITING_TTL: Duration = Duration::from_secs(5);

/// KEYS: slots, starts, waiting, active. ARGV: token, lease ms, concurrent, per minute, per
/// hour, priority (`i` interactive, `b` background), how long a waiting mark lasts (ms), the
/// window margin (ms; see `graph::WINDOW_MARGIN`: a call counts against the windows that much
/// longer), background's per minute and per hour while the user is active, how long a user
/// counts as active after a page view (ms). For background work, ARGV 4 and 5 are its share
/// while the user is away (see `graph::Limits::for_background`).
/// Returns {0, 0} (go), {1, ms} (a window is full: wait ms), {2, 0} (every slot taken), {3, 0}
/// (background: an interactive caller waits).
const ACQUIRE: &str = r#"
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local token, lease = ARGV[1], tonumber(ARGV[2])
local concurrent, per_minute, per_hour = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local background = ARGV[6] == "b"
local margin = tonumber(ARGV[8])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now - 3600000 - margin)
redis.call("ZREMRANGEBYSCORE", KEYS[3], "-inf", now)
if background then
  if redis.call("ZCARD", KEYS[3]) > 0 then return {3, 0} end
  -- Background work leaves one slot free for page views.
  if concurrent > 1 then concurrent = concurrent - 1 end
  -- and keeps to the smaller share while the user browses.
  if redis.call("EXISTS", KEYS[4]) == 1 then
    per_minute, per_hour = tonumber(ARGV[9]), tonumber(ARGV[10])
  end
else
  redis.call("ZADD", KEYS[3], now + tonumber(ARGV[7]), token)
  redis.call("PEXPIRE", KEYS[3], tonumber(ARGV[7]))
  redis.call("SET", KEYS[4], "1", "PX", tonumber(ARGV[11]))
end
if redis.call("ZCARD", KEYS[1]) >= concurrent then return {2, 0} end
local in_hour = redis.call("ZCARD", KEYS[2])
local function wait(ms)
  -- A page view waiting for a window stays marked as waiting until its turn comes.
  if not background then redis.call("ZADD", KEYS[3], now + ms + tonumber(ARGV[7]), token) end
  return {1, ms}
end
if in_hour >= per_hour then
  local leaving = redis.call("ZRANGE", KEYS[2], in_hour - per_hour, in_hour - per_hour, "WITHSCORES")
  return wait(tonumber(leaving[2]) + 3600000 - now + margin)
end
local minute_ago = "(" .. (now - 60000 - margin)
local in_minute = redis.call("ZCOUNT", KEYS[2], minute_ago, "+inf")
if in_minute >= per_minute then
  local leaving = redis.call("ZRANGEBYSCORE", KEYS[2], minute_ago, "+inf", "WITHSCORES", "LIMIT", in_minute - per_minute, 1)
  return wait(tonumber(leaving[2]) + 60000 - now + margin)
end
redis.call("ZADD", KEYS[1], now + lease, token)
redis.call("ZADD", KEYS[2], now, token)
redis.call("PEXPIRE", KEYS[1], lease * 2)
redis.call("PEXPIRE", KEYS[2], 3600000 + margin + lease)
if not background then redis.call("ZREM", KEYS[3], token) end
return {0, 0}
"#;

/// The gate in Redis for one app.
pub struct RedisGate {
    store: Arc<RedisStore>,
    /// `graphnote:onenote:{client_id}:`
    prefix: String,
    limits: Limits,
}

impl RedisGate {
    pub fn new(store: Arc<RedisStore>, client_id: &str, limits: Limits) -> RedisGate {
        let prefix = format!(
            "{}onenote:{}:",
            store.prefix(),
            client_id.to_ascii_lowercase()
        );
        RedisGate {
            store,
            prefix,
            limits,
        }
    }

    async fn try_once(
        &self,
        keys: &Keys,
        token: &str,
        priority: Priority,
    ) -> Result<Turn, GraphError> {
        let script = redis::Script::new(ACQUIRE);
        let (priority, limits) = match priority {
            Priority::Interactive => ("i", self.limits),
            Priority::Background => ("b", self.limits.for_background(false)),
        };
        let while_active = self.limits.for_background(true);
        let (code, wait_ms): (i64, i64) = self
            .store
            .run(|mut conn| {
                let mut invocation = script.key(&keys.slots);
                invocation
                    .key(&keys.starts)
                    .key(&keys.waiting)
                    .key(&keys.active)
                    .arg(token)
                    .arg(LEASE.as_millis() as u64)
                    .arg(limits.concurrent.max(1))
                    .arg(limits.per_minute.max(1))
                    .arg(limits.per_hour.max(1))
                    .arg(priority)
                    .arg(WAITING_TTL.as_millis() as u64)
                    .arg(graph::WINDOW_MARGIN.as_millis() as u64)
                    .arg(while_active.per_minute.max(1))
                    .arg(while_active.per_hour.max(1))
                    .arg(graph::ACTIVE_FOR.as_millis() as u64);
                async move { invocation.invoke_async(&mut conn).await }
            })
            .await
            .map_err(|e| GraphError::GateUnavailable(Box::new(e)))?;
        Ok(match code {
            0 => Turn::Go,
            1 => Turn::Wait(Duration::from_millis(wait_ms.max(1) as u64)),
            _ => Turn::Poll,
        })
    }

    async fn acquire_inner(
        &self,
        user: &str,
        priority: Priority,
        max_wait: Duration,
    ) -> Result<Permit, GraphError> {
        let keys = Keys::new(&self.prefix, user);
        let token = uuid::Uuid::new_v4().to_string();
        let deadline = tokio::time::Instant::now() + max_wait;
        loop {
            let pause = match self.try_once(&keys, &token, priority).await? {
                Turn::Go => {
                    return Ok(Permit::new(Slot {
                        store: self.store.clone(),
                        slots: keys.slots,
                        token,
                    }));
                }
                Turn::Wait(wait) => wait,
                Turn::Poll => jittered(SLOT_POLL),
            };
            if tokio::time::Instant::now() + pause > deadline {
                self.give_up(&keys, &token, priority).await;
                let retry_after = match pause {
                    p if p > SLOT_POLL * 2 => p,
                    _ => Duration::from_secs(1),
                };
                return Err(GraphError::Paced { retry_after });
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// An interactive caller that stops waiting takes its waiting mark away.
    async fn give_up(&self, keys: &Keys, token: &str, priority: Priority) {
        if priority == Priority::Interactive {
            let (waiting, token) = (keys.waiting.clone(), token.to_string());
            let _ = self
                .store
                .run(|mut conn| {
                    let (waiting, token) = (waiting.clone(), token.clone());
                    async move {
                        redis::cmd("ZREM")
                            .arg(waiting)
                            .arg(token)
                            .query_async::<i64>(&mut conn)
                            .await
                    }
                })
                .await;
        }
    }
}

impl OneNoteGate for RedisGate {
    fn acquire<'a>(
        &'a self,
        user: &'a str,
        priority: Priority,
        max_wait: Duration,
    ) -> GateFuture<'a> {
        Box::pin(self.acquire_inner(user, priority, max_wait))
    }

    fn recent<'a>(&'a self, user: &'a str) -> RecentFuture<'a> {
        Box::pin(async move {
            let keys = Keys::new(&self.prefix, user);
            // Redis's clock, as the script that records the starts uses.
            let (time, starts, active): ((i64, i64), Vec<(String, i64)>, bool) = self
                .store
                .run(|mut conn| {
                    let (starts, active) = (keys.starts.clone(), keys.active.clone());
                    async move {
                        redis::pipe()
                            .cmd("TIME")
                            .cmd("ZRANGE")
                            .arg(starts)
                            .arg(0)
                            .arg(-1)
                            .arg("WITHSCORES")
                            .cmd("EXISTS")
                            .arg(active)
                            .query_async(&mut conn)
                            .await
                    }
                })
                .await
                .map_err(|e| GraphError::GateUnavailable(Box::new(e)))?;
            let now_ms = time.0 * 1000 + time.1 / 1000;
            Ok(Windows {
                ages: starts
                    .into_iter()
                    .map(|(_, at)| Duration::from_millis((now_ms - at).max(0) as u64))
                    .filter(|age| *age < Duration::from_secs(3600) + graph::WINDOW_MARGIN)
                    .collect(),
                user_active: active,
            })
        })
    }
}

/// What one look at the limits said.
enum Turn {
    Go,
    /// A window is full; it has room again after this long.
    Wait(Duration),
    /// Every slot is taken (or, for background work, a page view is waiting): look again soon.
    Poll,
}

/// The keys of one user.
struct Keys {
    slots: String,
    starts: String,
    waiting: String,
    /// Present while the user counts as browsing (`graph::ACTIVE_FOR` after a page view).
    active: String,
}

impl Keys {
    fn new(prefix: &str, user: &str) -> Keys {
        Keys {
            slots: format!("{prefix}{user}:slots"),
            starts: format!("{prefix}{user}:starts"),
            waiting: format!("{prefix}{user}:waiting"),
            active: format!("{prefix}{user}:active"),
        }
    }
}

/// A held slot; dropping it gives the slot back (in the background: a drop cannot wait). If
/// that fails, the lease runs out instead.
struct Slot {
    store: Arc<RedisStore>,
    slots: String,
    token: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (store, slots, token) = (
            self.store.clone(),
            std::mem::take(&mut self.slots),
            std::mem::take(&mut self.token),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = store
                    .run(|mut conn| {
                        let (slots, token) = (slots.clone(), token.clone());
                        async move {
                            redis::cmd("ZREM")
                                .arg(slots)
                                .arg(token)
                                .query_async::<i64>(&mut conn)
                                .await
                        }
                    })
                    .await;
            });
        }
    }
}

/// `base` give or take a quarter, so instances polling the same user do not move in step.
fn jittered(base: Duration) -> Duration {
    let millis = base.as_millis() as u64;
    Duration::from_millis(rand::rng().random_range(millis * 3 / 4..=millis * 5 / 4))
}
