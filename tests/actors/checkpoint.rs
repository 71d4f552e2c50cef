//! SQLite's write-ahead log is checkpointed by the CheckpointActor, not inside the QuotaActor's
//! commits: the connections raise SQLite's own threshold to a safety net, and the actor copies the
//! log into the database file once it has grown past 4 MB.

use cloud_chatops::actors::checkpoint::CHECKPOINT_INTERVAL;
use cloud_chatops::seed;
use cloud_chatops::store::wal::{self, AUTOCHECKPOINT_PAGES, CHECKPOINT_BYTES};
use cloud_chatops::store::{self, history::HistoryEntry, json::JsonText};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::harness::{USER, start};
use crate::support::{TestDb, each_backend, settings};

#[tokio::test]
async fn connections_leave_the_checkpoint_to_the_actor() {
    let db = TestDb::sqlite().await;
    for _ in 0..3 {
        // Every pooled connection has the raised threshold, not SQLite's 1,000 pages.
        let row = db
            .db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_autocheckpoint"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), i64::from(AUTOCHECKPOINT_PAGES));
    }
    db.teardown().await;
}

#[tokio::test]
async fn a_checkpoint_copies_the_whole_log_and_postgres_has_none() {
    each_backend(|db| async move {
        let backend = db.backend;
        let app = start(db, settings()).await;
        app.open_vm(USER, "web-ckpt", "e2-micro").await;
        let done = app.system.checkpoint.checkpoint().await.unwrap();
        if backend == "sqlite" {
            let done = done.expect("a SQLite file database has a log");
            assert!(done.log_frames > 0, "{done:?}");
            assert_eq!(done.copied, done.log_frames, "nothing else reads or writes: all of it is copied");
        } else {
            assert_eq!(done, None, "{backend}");
        }
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn the_actor_checkpoints_a_grown_log_by_itself() {
    let app = start(TestDb::sqlite().await, settings()).await;
    let log = wal::log_path(&app.db.db).unwrap();
    let file = log.with_file_name(log.file_name().unwrap().to_string_lossy().trim_end_matches("-wal"));
    let file_size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let before = file_size();
    // About 6 MB of audit entries, written in a transaction the actor's timer cannot split.
    let details = JsonText::of(&serde_json::json!({ "padding": "x".repeat(60_000) })).unwrap();
    let txn = sea_orm::TransactionTrait::begin(&app.db.db).await.unwrap();
    for i in 0..100 {
        let entry = HistoryEntry {
            guild_id: seed::GUILD_ID,
            user_id: seed::USER_ID,
            action: format!("bulk-{i}"),
            outcome: "success".into(),
            details: details.clone(),
            ..Default::default()
        };
        store::history::append(&txn, entry).await.unwrap();
    }
    txn.commit().await.unwrap();
    assert!(wal::log_state(&log).unwrap().0 >= CHECKPOINT_BYTES, "the log holds the writes");
    assert!(file_size() < before + CHECKPOINT_BYTES, "SQLite itself did not checkpoint them");

    // The actor looks at each tick of its timer and copies the whole log once it has grown. On a
    // loaded machine its real-time tick may already have come during the write above; otherwise the
    // next tick (paused time) does it. No one else checkpoints: the connections' threshold is 40 MB.
    // Done: the grown log copied whole. (An earlier tick may have copied a smaller log, the sample
    // data's, while the write was open; or copied part of the grown one while a reader held its
    // end, which the next tick finishes.)
    let done = |d: &Option<wal::Checkpointed>| {
        d.as_ref().is_some_and(|d| d.log_frames as u64 * 4_096 >= CHECKPOINT_BYTES && d.copied == d.log_frames)
    };
    for _ in 0..5 {
        if done(&app.system.checkpoint.last().await.unwrap()) {
            break;
        }
        tokio::time::pause();
        tokio::time::advance(CHECKPOINT_INTERVAL).await;
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        tokio::time::resume();
    }
    let done = app.system.checkpoint.last().await.unwrap().expect("the tick checkpointed");
    assert!(done.log_frames as u64 * 4_096 >= CHECKPOINT_BYTES, "{done:?}");
    assert_eq!(done.copied, done.log_frames, "{done:?}");
    assert!(file_size() >= before + CHECKPOINT_BYTES, "the database file holds the writes now");
    app.stop().await.teardown().await;
}
