//! The export job store's contract, run against both backends — SQLite and a real Redis — so
//! the worker and the routes can rely on the same behaviour whichever the app runs on: records
//! written only by compare-and-set, state changes only through the state machine, the
//! unfinished and per-owner indexes kept with every write, leases held by one holder at a time
//! and taken over when they lapse, named values.

use std::sync::Arc;
use std::time::Duration;

use export::{Scope, Status};
use web::exports::job::{Job, JobState};
use web::exports::machine::Event;
use web::exports::store::{JobError, JobStore};
use web::session::RedisStore;

use crate::support::*;

fn job(id: &str, owner: &str, created: i64) -> Job {
    Job {
        id: id.into(),
        owner: owner.into(),
        scope: Scope::All,
        label: "All notebooks".into(),
        state: JobState::Queued,
        reason: None,
        status: Status::default(),
        created,
        created_ms: 0,
        started: None,
        finished: None,
        archive_bytes: None,
        updating: false,
        fast: false,
        location: graph::Location::Me,
    }
}

fn ids(jobs: &[Job]) -> Vec<&str> {
    jobs.iter().map(|j| j.id.as_str()).collect()
}

async fn contract(store: &JobStore) {
    store.insert(&job("a", "ada", 10)).await.unwrap();
    store.insert(&job("b", "bob", 20)).await.unwrap();
    store.insert(&job("c", "ada", 30)).await.unwrap();
    assert_eq!(ids(&store.unfinished().await.unwrap()), ["a", "b", "c"]);
    assert_eq!(ids(&store.owned_by("ada").await.unwrap()), ["a", "c"]);
    assert!(store.owned_by("nobody").await.unwrap().is_empty());

    // State changes go through the state machine, and the indexes follow them.
    let running = store
        .apply("a", Event::Start, |_| {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(running.state, JobState::Running);
    let refused = store.apply("a", Event::OwnerBack, |_| {}).await;
    assert!(matches!(refused, Err(JobError::Refused(_))), "{refused:?}");
    store
        .apply("a", Event::Finish, |j| j.finished = Some(100))
        .await
        .unwrap();
    store
        .apply("c", Event::Cancel, |j| j.finished = Some(200))
        .await
        .unwrap();
    assert_eq!(ids(&store.unfinished().await.unwrap()), ["b"]);
    assert_eq!(ids(&store.owned_by("ada").await.unwrap()), ["a", "c"]);
    assert_eq!(ids(&store.finished_before(150).await.unwrap()), ["a"]);
    assert_eq!(ids(&store.finished_before(201).await.unwrap()), ["a", "c"]);
    // An update queues a finished export again: unfinished, no longer finished.
    store
        .apply("a", Event::Update, |j| j.finished = None)
        .await
        .unwrap();
    assert_eq!(ids(&store.unfinished().await.unwrap()), ["a", "b"]);
    assert_eq!(ids(&store.finished_before(201).await.unwrap()), ["c"]);

    // Two writers on one record: the loser's change is applied again to the winner's record.
    let (first, second) = tokio::join!(
        store.modify("b", |j| {
            j.status.pages_done += 1;
            Ok::<_, JobError>(true)
        }),
        store.modify("b", |j| {
            j.status.pages_done += 10;
            Ok::<_, JobError>(true)
        }),
    );
    first.unwrap();
    second.unwrap();
    assert_eq!(store.get("b").await.unwrap().unwrap().status.pages_done, 11);
    assert!(store.get("missing").await.unwrap().is_none());
    assert!(
        store
            .apply("missing", Event::Start, |_| {})
            .await
            .unwrap()
            .is_none()
    );

    // Deleting takes a job out of every index.
    store.delete("c").await.unwrap();
    assert!(store.get("c").await.unwrap().is_none());
    assert_eq!(ids(&store.owned_by("ada").await.unwrap()), ["a"]);
    assert!(store.finished_before(i64::MAX).await.unwrap().is_empty());

    // Leases: one holder at a time; renewable by the holder; taken over once lapsed.
    assert!(store.lease("owner:ada", "one", 300).await.unwrap());
    assert!(!store.lease("owner:ada", "two", 300).await.unwrap());
    assert!(store.lease("owner:ada", "one", 300).await.unwrap());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(store.lease("owner:ada", "two", 300).await.unwrap());
    store.release("owner:ada", "one").await.unwrap();
    assert!(
        !store.lease("owner:ada", "one", 300).await.unwrap(),
        "only the holder releases"
    );
    store.release("owner:ada", "two").await.unwrap();
    assert!(store.lease("owner:ada", "one", 300).await.unwrap());

    // Two exports asked for in the same second run in the order they were asked for (ids are
    // random: here the later one's sorts first).
    let mut late = job("a-late", "eve", 50);
    late.created_ms = 50_900;
    let mut early = job("z-early", "eve", 50);
    early.created_ms = 50_100;
    store.insert(&late).await.unwrap();
    store.insert(&early).await.unwrap();
    assert_eq!(
        ids(&store.owned_by("eve").await.unwrap()),
        ["z-early", "a-late"]
    );

    // Values.
    assert!(store.value("cancel:a").await.unwrap().is_none());
    store.put_value("cancel:a", b"1").await.unwrap();
    store.put_value("cancel:a", b"2").await.unwrap();
    assert_eq!(
        store.value("cancel:a").await.unwrap().as_deref(),
        Some(&b"2"[..])
    );
    store.remove_value("cancel:a").await.unwrap();
    assert!(store.value("cancel:a").await.unwrap().is_none());

    // Values with a lifetime are there until it passes, then gone; a value stored for good
    // afterwards under the same name stays.
    store.put_expiring("code:x", b"1", 300).await.unwrap();
    store.put_expiring("code:y", b"2", 60_000).await.unwrap();
    assert_eq!(
        store.value("code:x").await.unwrap().as_deref(),
        Some(&b"1"[..])
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(store.value("code:x").await.unwrap().is_none());
    assert!(store.value("code:y").await.unwrap().is_some());
    store.put_expiring("code:x", b"3", 300).await.unwrap();
    store.put_value("code:x", b"4").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        store.value("code:x").await.unwrap().as_deref(),
        Some(&b"4"[..])
    );
}

#[tokio::test]
async fn the_sqlite_job_store_keeps_the_contract() {
    let dir = TempDir::new();
    let store = JobStore::sqlite(&dir.0.join("jobs.sqlite3")).unwrap();
    contract(&store).await;
}

#[tokio::test]
async fn in_sqlite_what_has_expired_is_deleted_not_only_hidden() {
    let dir = TempDir::new();
    let path = dir.0.join("jobs.sqlite3");
    let store = JobStore::sqlite(&path).unwrap();
    store.put_expiring("token:old", b"1", 100).await.unwrap();
    assert!(store.lease("spent:old", "holder", 100).await.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    store.put_expiring("token:new", b"2", 60_000).await.unwrap();
    let file = rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| -> i64 { file.query_row(sql, [], |row| row.get(0)).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM export_values WHERE name = 'token:old'"),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM export_leases WHERE name = 'spent:old'"),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM export_values WHERE name = 'token:new'"),
        1
    );
}

#[tokio::test]
async fn the_redis_job_store_keeps_the_contract() {
    let redis = RedisServer::start().await;
    let sessions = RedisStore::new(&redis.url(), "graphnote:", None).unwrap();
    let store = JobStore::redis(Arc::new(sessions));
    contract(&store).await;
}

/// A SQLite job store made by the version before the indexes: its jobs are indexed on opening.
#[tokio::test]
async fn an_older_sqlite_job_store_is_indexed_when_opened() {
    let dir = TempDir::new();
    let path = dir.0.join("jobs.sqlite3");
    let old = rusqlite::Connection::open(&path).unwrap();
    old.execute_batch(
        "CREATE TABLE export_jobs (id TEXT PRIMARY KEY, created INTEGER NOT NULL, \
         data TEXT NOT NULL, revision INTEGER NOT NULL);",
    )
    .unwrap();
    let queued = serde_json::to_string(&job("old", "ada", 5)).unwrap();
    old.execute(
        "INSERT INTO export_jobs (id, created, data, revision) VALUES ('old', 5, ?1, 1)",
        [queued],
    )
    .unwrap();
    drop(old);
    let store = JobStore::sqlite(&path).unwrap();
    assert_eq!(ids(&store.unfinished().await.unwrap()), ["old"]);
    assert_eq!(ids(&store.owned_by("ada").await.unwrap()), ["old"]);
}
