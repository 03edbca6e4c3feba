//! Concurrent writes to one session never lose a refreshed token cache. Three requests of one
//! user each load the session and later write it: one writes a refreshed token cache, two only
//! touch it. Every order of their six steps (90 interleavings) is played against SQLite and
//! against a real Redis, and the refreshed cache must be what the store holds at the end.

use std::collections::HashMap;
use std::sync::Arc;

use identity::cache::Account;
use identity::{Secret, TokenCache};
use web::config::SessionStoreConfig;
use web::session::{AnyStore, Session, Sessions, StoreError, UserSummary};

use crate::support::*;

/// Who does what: the refresher writes a new cache, the others only touch.
#[derive(Clone, Copy, PartialEq)]
enum Actor {
    Refresher,
    Toucher(usize),
}

fn sessions(store: &SessionStoreConfig) -> Arc<Sessions> {
    let env: HashMap<&str, &str> = HashMap::from([
        ("CLIENT_ID", "client"),
        ("CLIENT_SECRET", "secret"),
        ("PUBLIC_URL", "http://127.0.0.1:5000"),
        ("SESSION_SECRET", "test-secret-0123456789abcdefghijklmnop"),
    ]);
    let config = web::Config::from_env(|k| env.get(k).map(|v| v.to_string())).unwrap();
    Arc::new(Sessions::new(&config, AnyStore::open(store, None).unwrap()))
}

fn cache(refresh_token: &str) -> TokenCache {
    TokenCache {
        account: Account {
            home_account_id: "oid.tid".into(),
            oid: Some("oid".into()),
            tid: Some("tid".into()),
            username: Some("ada@contoso.example".into()),
            name: Some("Ada".into()),
            sid: None,
            login_hint: None,
        },
        refresh_token: Some(Secret::new(refresh_token)),
        id_token: None,
        access_tokens: vec![],
    }
}

/// Every order of two steps (load, write) for each actor.
fn interleavings(actors: &[Actor]) -> Vec<Vec<Actor>> {
    fn go(left: &mut Vec<(Actor, usize)>, order: &mut Vec<Actor>, out: &mut Vec<Vec<Actor>>) {
        if left.iter().all(|(_, n)| *n == 0) {
            out.push(order.clone());
            return;
        }
        for i in 0..left.len() {
            if left[i].1 > 0 {
                left[i].1 -= 1;
                order.push(left[i].0);
                go(left, order, out);
                order.pop();
                left[i].1 += 1;
            }
        }
    }
    let mut left: Vec<(Actor, usize)> = actors.iter().map(|a| (*a, 2)).collect();
    let mut out = Vec::new();
    go(&mut left, &mut Vec::new(), &mut out);
    out
}

async fn play(sessions: &Sessions, order: &[Actor]) -> Result<(), StoreError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut session = sessions.create(now);
    session.record_mut().user = Some(UserSummary {
        home_account_id: "oid.tid".into(),
        name: "Ada".into(),
        username: None,
        tenant_id: None,
    });
    sessions
        .update(&mut session, now, |s| {
            s.secrets_mut().token_cache = Some(cache("old"));
            Ok::<_, StoreError>(())
        })
        .await?;
    let id = session.id().to_string();

    let mut loaded: Vec<(Actor, Session)> = Vec::new();
    for actor in order {
        match loaded.iter().position(|(a, _)| a == actor) {
            None => {
                let session = sessions.load(Some(&id), now).await?.unwrap();
                loaded.push((*actor, session));
            }
            Some(i) => {
                let (_, mut session) = loaded.remove(i);
                match actor {
                    Actor::Refresher => {
                        sessions
                            .update(&mut session, now, |s| {
                                s.secrets_mut().token_cache = Some(cache("refreshed"));
                                Ok::<_, StoreError>(())
                            })
                            .await?
                    }
                    Actor::Toucher(_) => {
                        sessions
                            .update(&mut session, now, |s| {
                                s.record_mut().last_seen = now;
                                Ok::<_, StoreError>(())
                            })
                            .await?
                    }
                }
            }
        }
    }
    let stored = sessions.load(Some(&id), now).await?.unwrap();
    let refresh_token = stored
        .secrets
        .token_cache
        .clone()
        .and_then(|c| c.refresh_token)
        .map(|t| t.expose().to_string());
    assert_eq!(
        refresh_token.as_deref(),
        Some("refreshed"),
        "the refreshed cache was lost in the order {:?}",
        order
            .iter()
            .map(|a| match a {
                Actor::Refresher => "R".to_string(),
                Actor::Toucher(n) => format!("T{n}"),
            })
            .collect::<Vec<_>>()
    );
    Ok(())
}

async fn every_interleaving(store: SessionStoreConfig) {
    let sessions = sessions(&store);
    let orders = interleavings(&[Actor::Refresher, Actor::Toucher(1), Actor::Toucher(2)]);
    assert_eq!(orders.len(), 90);
    for order in orders {
        play(&sessions, &order).await.unwrap();
    }
}

#[tokio::test]
async fn no_interleaving_loses_a_refreshed_cache_in_sqlite() {
    let dir = TempDir::new();
    every_interleaving(SessionStoreConfig::Sqlite(dir.0.join("s.sqlite3"))).await;
}

#[tokio::test]
async fn no_interleaving_loses_a_refreshed_cache_in_redis() {
    let redis = RedisServer::start().await;
    every_interleaving(SessionStoreConfig::Redis(redis.url())).await;
}
