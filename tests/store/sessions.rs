use chrono::TimeDelta;
use cloud_chatops::domain::{Provider, QuotaType, ResourceKind, SessionStatus};
use cloud_chatops::store::{self, Conflict, StoreError, quotas::QuotaAmount, sessions::NewSession};
use uuid::Uuid;

use crate::support::{TestDb, counts, each_backend, new_project};

const P: &str = "gcp-00beef";

fn lobby(minutes: i64) -> NewSession {
    NewSession {
        id: Uuid::new_v4(),
        project_id: P.into(),
        user_id: 111,
        guild_id: 1,
        channel_id: 42,
        provider: Provider::Gcp,
        kind: ResourceKind::Vm,
        request: serde_json::json!({ "name": "web-1", "machine_type": "e2-small" }).into(),
        verdict: serde_json::json!({ "outcome": "allowed" }).into(),
        reservation: vec![QuotaAmount::new(QuotaType::ComputeInstances, "us-central1", 1)],
        expires_at: store::now() + TimeDelta::minutes(minutes),
    }
}

async fn setup(t: &TestDb) {
    store::projects::create_with_id(&t.db, P, new_project(1, 111, "s")).await.unwrap();
}

#[tokio::test]
async fn create_get_list_attach_and_complete() {
    each_backend(|t| async move {
        setup(&t).await;
        let later = store::sessions::create(&t.db, lobby(30)).await.unwrap();
        let sooner = store::sessions::create(&t.db, lobby(5)).await.unwrap();
        assert_eq!(later.status, SessionStatus::Pending);
        let got = store::sessions::get(&t.db, later.id).await.unwrap();
        assert_eq!(got, later, "{}: round trip", t.backend);
        assert_eq!(store::sessions::reservation_of(&got).unwrap()[0].amount, 1);
        let pending: Vec<Uuid> = store::sessions::list_pending(&t.db).await.unwrap().iter().map(|s| s.id).collect();
        assert_eq!(pending, [sooner.id, later.id], "soonest deadline first");
        assert_eq!(store::sessions::list_pending_for_project(&t.db, P).await.unwrap().len(), 2);

        store::sessions::set_message(&t.db, later.id, 9_876_543_210).await.unwrap();
        assert_eq!(store::sessions::get(&t.db, later.id).await.unwrap().message_id, Some(9_876_543_210));

        let done = store::sessions::complete(&t.db, later.id, SessionStatus::Approved).await.unwrap();
        assert_eq!(done.status, SessionStatus::Approved);
        assert!(done.completed_at.is_some());
        let again = store::sessions::complete(&t.db, later.id, SessionStatus::Cancelled).await;
        assert!(
            matches!(&again, Err(StoreError::Conflict(Conflict::InvalidState { state, .. })) if state == "approved"),
            "{again:?}"
        );
        assert_eq!(
            store::sessions::get(&t.db, later.id).await.unwrap().status,
            SessionStatus::Approved,
            "second click changed nothing"
        );
        assert_eq!(store::sessions::list_pending(&t.db).await.unwrap().len(), 1);
        t
    })
    .await;
}

#[tokio::test]
async fn bad_session_calls_are_typed_errors_and_change_nothing() {
    each_backend(|t| async move {
        setup(&t).await;
        let s = store::sessions::create(&t.db, lobby(30)).await.unwrap();
        let before = counts(&t.db).await;
        let unknown = Uuid::new_v4();
        assert!(matches!(store::sessions::get(&t.db, unknown).await, Err(StoreError::NotFound { .. })));
        assert!(matches!(
            store::sessions::complete(&t.db, unknown, SessionStatus::Expired).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(store::sessions::set_message(&t.db, unknown, 1).await, Err(StoreError::NotFound { .. })));
        assert!(matches!(
            store::sessions::complete(&t.db, s.id, SessionStatus::Pending).await,
            Err(StoreError::InvalidInput(_))
        ));
        let mut orphan = lobby(30);
        orphan.project_id = "gcp-999999".into();
        assert!(matches!(
            store::sessions::create(&t.db, orphan).await,
            Err(StoreError::NotFound { entity: "project", .. })
        ));
        assert!(matches!(store::sessions::create(&t.db, lobby(-1)).await, Err(StoreError::InvalidInput(_))));
        assert_eq!(counts(&t.db).await, before);
        assert_eq!(store::sessions::get(&t.db, s.id).await.unwrap().status, SessionStatus::Pending);
        t
    })
    .await;
}

/// Ending a batch of lobbies looks each id up by its primary key: on SQLite without statistics the
/// planner would otherwise prefer the status index and walk every pending lobby for each batch.
#[tokio::test]
async fn ending_many_lobbies_looks_them_up_by_id() {
    use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};
    let t = TestDb::sqlite().await;
    let ids: Vec<Uuid> = (0..64).map(|_| Uuid::new_v4()).collect();
    let update = store::writes::end_sessions(&ids, SessionStatus::Expired, None).build(DbBackend::Sqlite);
    let explain = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!("EXPLAIN QUERY PLAN {}", update.sql),
        update.values.map(|v| v.0).unwrap_or_default(),
    );
    let plan: Vec<String> =
        t.db.query_all_raw(explain)
            .await
            .expect("plan")
            .iter()
            .map(|row| row.try_get_by::<String, _>("detail").expect("detail"))
            .collect();
    assert!(plan.iter().any(|d| d.contains("sqlite_autoindex_deployment_sessions_1")), "{plan:?}");
    assert!(!plan.iter().any(|d| d.contains("ix_sessions_status")), "{plan:?}");
    t.teardown().await;
}
