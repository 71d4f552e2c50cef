//! History retention: the RetentionActor purges what is older than `history.retention_days` when it
//! starts and every 24 hours after, and records each purge. Time-based parts run on paused time
//! (no database call is awaited while paused).

use std::time::Duration;

use chrono::TimeDelta;
use cloud_chatops::actors::retention::{PURGE_INTERVAL, Purged, RetentionActor, RetentionArgs};
use cloud_chatops::domain::Catalog;
use cloud_chatops::seed;
use cloud_chatops::store::{self, history::HistoryEntry};
use ractor::Actor;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, IntoActiveModel};

use crate::harness::start_on;
use crate::support::{TestDb, each_backend, settings};

/// Appends an event dated `days` ago.
async fn event(db: &DatabaseConnection, days: i64, action: &str) -> i64 {
    let entry = HistoryEntry {
        guild_id: seed::GUILD_ID,
        user_id: seed::USER_ID,
        action: action.into(),
        outcome: "success".into(),
        ..Default::default()
    };
    let mut row = store::history::append(db, entry).await.unwrap().into_active_model();
    row.created_at = Set(store::now() - TimeDelta::days(days));
    row.update(db).await.unwrap().id
}

async fn actions(db: &DatabaseConnection) -> Vec<String> {
    let mut all = store::history::list(db, seed::GUILD_ID, 1_000).await.unwrap();
    all.extend(store::history::list(db, 0, 1_000).await.unwrap());
    let mut names: Vec<String> = all.into_iter().map(|h| h.action).collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_system_purges_at_start_and_records_the_purge() {
    each_backend(|db| async move {
        seed::load(&db.db, &settings().quotas, &Catalog::builtin()).await.unwrap();
        let before = actions(&db.db).await.len();
        event(&db.db, 120, "ancient").await;
        event(&db.db, 91, "old").await;
        event(&db.db, 89, "kept").await;

        let app = start_on(db, settings()).await;
        let purged = app.system.retention.last_purge().await.unwrap().expect("the start-up purge ran");
        assert_eq!(purged.count, 2);
        let age = store::now() - purged.cutoff;
        assert!((age - TimeDelta::days(90)).num_seconds().abs() < 60, "cutoff is 90 days back: {age}");

        let left = actions(&app.db.db).await;
        assert!(!left.iter().any(|a| a == "ancient" || a == "old"), "{left:?}");
        assert!(left.iter().any(|a| a == "kept"), "{left:?}");
        let record = store::history::list(&app.db.db, 0, 10).await.unwrap();
        let record = record.iter().find(|h| h.action == "purge").expect("the purge is recorded");
        assert_eq!(record.details["count"], 2);
        assert!(record.details["cutoff"].is_string(), "{}", record.details);
        assert_eq!(left.len(), before + 2, "seed events + kept + purge record");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn the_next_purge_comes_24_hours_later_not_before() {
    let db = TestDb::sqlite().await;
    event(&db.db, 100, "old").await;
    let (tx, mut purges) = tokio::sync::mpsc::unbounded_channel::<Purged>();
    let args = RetentionArgs { db: db.db.clone(), retention_days: 90, observer: Some(tx) };
    let (actor, join) = Actor::spawn(None, RetentionActor, args).await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(20), purges.recv()).await.unwrap().unwrap();
    assert_eq!(first.count, 1, "once at start");
    event(&db.db, 95, "old again").await;

    tokio::time::pause();
    tokio::time::advance(PURGE_INTERVAL - Duration::from_secs(60)).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    tokio::time::resume();
    assert!(purges.try_recv().is_err(), "no purge before 24 hours");
    assert!(actions(&db.db).await.contains(&"old again".to_owned()));

    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(120)).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    tokio::time::resume();
    let second = tokio::time::timeout(Duration::from_secs(20), purges.recv()).await.unwrap().unwrap();
    assert_eq!(second.count, 1, "the event that aged past the cutoff meanwhile");
    assert!(!actions(&db.db).await.contains(&"old again".to_owned()));
    let records = store::history::list(&db.db, 0, 10).await.unwrap();
    assert_eq!(records.iter().filter(|h| h.action == "purge").count(), 2);

    actor.stop(None);
    join.await.unwrap();
    db.teardown().await;
}
