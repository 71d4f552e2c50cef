//! The BackupActor: a requested copy through the running tree (SQLite copies, PostgreSQL is told to
//! use pg_dump), periodic copies every interval on paused time with only the newest kept, and a
//! schedule that survives a restart (the next copy is due an interval after the newest on disk).

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use cloud_chatops::actors::backup::{BackupActor, BackupArgs, Schedule, first_due};
use cloud_chatops::seed;
use cloud_chatops::store::backup::{Written, stamped_copies, stamped_name};
use ractor::Actor;

use crate::harness::start_on;
use crate::support::{TestDb, each_backend, settings};

const HOUR: Duration = Duration::from_secs(3600);

/// Moves paused time on by `by` and lets every timer due meanwhile deliver.
async fn advance(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    tokio::time::resume();
}

async fn next(written: &mut tokio::sync::mpsc::UnboundedReceiver<Written>) -> Written {
    tokio::time::timeout(Duration::from_secs(20), written.recv()).await.expect("a backup in time").unwrap()
}

#[tokio::test]
async fn a_requested_copy_is_made_by_the_running_tree_or_refused_for_postgres() {
    each_backend(|db| async move {
        let backend = db.backend;
        let app = start_on(db, settings()).await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("copy.db");
        let copied = app.system.backup.copy_to(target.clone(), false).await.expect("the actor answers");
        match backend {
            "sqlite" => {
                let written = copied.expect("SQLite is copied");
                assert_eq!(written.path, target);
                assert_eq!(written.bytes, std::fs::metadata(&target).unwrap().len());
                let again = app.system.backup.copy_to(target.clone(), false).await.unwrap();
                assert!(again.unwrap_err().contains("already exists"), "no overwrite without force");
                assert!(app.system.backup.copy_to(target.clone(), true).await.unwrap().is_ok());
                let relative = app.system.backup.copy_to(PathBuf::from("copy.db"), false).await.unwrap();
                assert!(relative.unwrap_err().contains("absolute"), "the control socket sends absolute paths only");
            }
            _ => {
                let refused = copied.expect_err("PostgreSQL has pg_dump");
                assert!(refused.contains("pg_dump"), "{refused}");
                assert!(!target.exists());
            }
        }
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn periodic_copies_come_every_interval_and_only_the_newest_are_kept() {
    let db = TestDb::sqlite().await;
    seed::load(&db.db, &settings().quotas, &cloud_chatops::domain::Catalog::builtin()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("backups");
    let (tx, mut written) = tokio::sync::mpsc::unbounded_channel();
    let schedule = Schedule { dir: folder.clone(), interval: HOUR, keep: 2 };
    let args = BackupArgs { db: db.db.clone(), schedule: Some(schedule), observer: Some(tx) };
    let (actor, join) = Actor::spawn(None, BackupActor, args).await.unwrap();

    let first = next(&mut written).await;
    assert!(first.path.starts_with(std::fs::canonicalize(&folder).unwrap()), "the folder was created: {first:?}");
    let database = database_file(&db);
    assert_eq!(stamped_copies(&folder, &database).len(), 1, "none on disk: the first is taken at once");

    advance(HOUR - Duration::from_secs(60)).await;
    assert!(written.try_recv().is_err(), "no copy before the interval");
    advance(Duration::from_secs(120)).await;
    let second = next(&mut written).await;
    assert_ne!(second.path, first.path, "each copy has its own time stamp");
    advance(HOUR).await;
    let third = next(&mut written).await;
    let kept = stamped_copies(&folder, &database);
    assert_eq!(kept, vec![second.path.clone(), third.path.clone()], "the oldest beyond keep = 2 is deleted");
    let copy = cloud_chatops::store::connect(&format!("sqlite://{}?mode=rwc", third.path.display())).await.unwrap();
    let projects = cloud_chatops::store::projects::list_for_guild(&copy, seed::GUILD_ID).await.unwrap();
    assert_eq!(projects.len(), 1, "a copy is a whole database");
    copy.close().await.unwrap();

    actor.stop(None);
    join.await.unwrap();
    db.teardown().await;
}

#[test]
fn after_a_restart_the_next_copy_is_due_an_interval_after_the_newest_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let database = Path::new("/srv/chatops/cloud_chatops.db");
    let schedule = Schedule { dir: dir.path().to_path_buf(), interval: HOUR, keep: 3 };
    let now = Utc::now();
    assert_eq!(first_due(&schedule, database, now), Duration::ZERO, "no copy yet: at once");
    let stamp = |ago: TimeDelta| std::fs::write(dir.path().join(stamped_name(database, now - ago)), b"x").unwrap();
    stamp(TimeDelta::hours(3));
    assert_eq!(first_due(&schedule, database, now), Duration::ZERO, "overdue after downtime: at once");
    stamp(TimeDelta::minutes(20));
    let due = first_due(&schedule, database, now);
    assert!((Duration::from_secs(39 * 60)..=Duration::from_secs(40 * 60)).contains(&due), "{due:?}");
    // Another database's copies in the same folder do not count.
    let other = Path::new("/srv/other.db");
    assert_eq!(first_due(&schedule, other, now), Duration::ZERO);
    std::fs::write(dir.path().join("cloud_chatops-not-a-time.db"), b"x").unwrap();
    assert_eq!(stamped_copies(dir.path(), database).len(), 2, "only time-stamped copies are the actor's");
}

fn database_file(db: &TestDb) -> PathBuf {
    cloud_chatops::store::wal::database_path(&db.db).expect("a SQLite file")
}
