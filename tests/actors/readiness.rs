//! Readiness on a real actor tree: ready while the database answers and every actor runs; not
//! ready, naming the check, once an actor stays stopped or the database stops answering.

use std::time::{Duration, Instant};

use cloud_chatops::actors::supervisor::MAX_RESTARTS;
use cloud_chatops::ops::Readiness;
use cloud_chatops::ops::health::{Actors, Database};

use crate::harness::start;
use crate::support::{TestDb, settings};

/// Polls `done` until it holds, failing after 10 s.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within 10 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn ready_until_an_actor_stays_stopped_or_the_database_stops_answering() {
    let app = start(TestDb::sqlite().await, settings()).await;
    let probe = app.system.probe();
    let readiness =
        Readiness::new().with(Database::new(app.system.services.records.clone(), None)).with(Actors(probe.clone()));
    let report = readiness.report().await;
    assert!(report.is_ready(), "{}", report.body());

    // The generator fails past its restart budget: it stays stopped, and readiness says so.
    for _ in 0..=MAX_RESTARTS {
        until("the generator runs again", || !probe.stopped().contains(&"Terraform generator")).await;
        let _ = app.system.generator.inject_failure().await;
    }
    until("the generator stays stopped", || probe.stopped().contains(&"Terraform generator")).await;
    let report = readiness.report().await;
    assert_eq!(report.failures, [("actors", "not running: Terraform generator".to_owned())]);

    // The database's pool closed under the actors: the ping through the RecordsActor fails.
    app.db.db.clone().close().await.unwrap();
    let report = readiness.report().await;
    assert_eq!(report.body(), "not ready\ndatabase: not reachable\nactors: not running: Terraform generator\n");
    app.stop().await.teardown().await;
}
