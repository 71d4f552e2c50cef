use cloud_chatops::domain::{Money, Provider, ResourceKind};
use cloud_chatops::store::{self, Conflict, StoreError, resources::NewResource};
use sea_orm::ConnectionTrait;

use crate::support::{counts, each_backend, new_project};

const P: &str = "gcp-00cafe";

fn res(kind: ResourceKind, name: &str, by: i64, micros: i64) -> NewResource {
    NewResource {
        project_id: P.into(),
        provider: Provider::Gcp,
        kind,
        name: name.into(),
        region: "us-central1".into(),
        config: serde_json::json!({ "machine_type": "e2-small" }),
        hourly_cost: Money::from_micros(micros),
        created_by: by,
        session_id: None,
    }
}

#[tokio::test]
async fn create_list_delete_and_spend() {
    each_backend(|t| async move {
        store::projects::create_with_id(&t.db, P, new_project(1, 5, "r")).await.unwrap();
        store::resources::create(&t.db, res(ResourceKind::Vm, "web-2", 5, 16_800)).await.unwrap();
        store::resources::create(&t.db, res(ResourceKind::Vm, "web-1", 6, 33_500)).await.unwrap();
        let db_row = store::resources::create(&t.db, res(ResourceKind::Database, "web-1", 5, 35_000)).await.unwrap();
        assert_eq!(db_row.config, serde_json::json!({ "machine_type": "e2-small" }));

        let names = |v: Vec<entities::cloud_resources::Model>| v.into_iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names(store::resources::list(&t.db, P, Some(ResourceKind::Vm)).await.unwrap()), ["web-1", "web-2"]);
        assert_eq!(store::resources::list(&t.db, P, None).await.unwrap().len(), 3);
        assert_eq!(store::resources::project_hourly_spend(&t.db, P).await.unwrap(), Money::from_micros(85_300));
        assert_eq!(
            store::resources::user_hourly_spend(&t.db, 5, 1, Provider::Gcp).await.unwrap(),
            Money::from_micros(51_800)
        );
        assert_eq!(store::resources::user_hourly_spend(&t.db, 5, 2, Provider::Gcp).await.unwrap(), Money::ZERO);

        store::resources::mark_deleted(&t.db, P, ResourceKind::Vm, "web-1").await.unwrap();
        assert_eq!(names(store::resources::list(&t.db, P, Some(ResourceKind::Vm)).await.unwrap()), ["web-2"]);
        assert!(matches!(
            store::resources::mark_deleted(&t.db, P, ResourceKind::Vm, "web-1").await,
            Err(StoreError::NotFound { .. })
        ));
        // A deleted name can be used again.
        store::resources::create(&t.db, res(ResourceKind::Vm, "web-1", 5, 1)).await.unwrap();
        t
    })
    .await;
}

#[tokio::test]
async fn duplicate_names_unknown_projects_and_bad_values_change_nothing() {
    each_backend(|t| async move {
        store::projects::create_with_id(&t.db, P, new_project(1, 5, "r")).await.unwrap();
        store::resources::create(&t.db, res(ResourceKind::Vm, "web-1", 5, 1)).await.unwrap();
        let before = counts(&t.db).await;
        let dup = store::resources::create(&t.db, res(ResourceKind::Vm, "web-1", 6, 2)).await;
        assert!(matches!(dup, Err(StoreError::Conflict(Conflict::Duplicate { entity: "resource", .. }))), "{dup:?}");
        let mut orphan = res(ResourceKind::Vm, "x", 5, 1);
        orphan.project_id = "gcp-404404".into();
        assert!(matches!(
            store::resources::create(&t.db, orphan).await,
            Err(StoreError::NotFound { entity: "project", .. })
        ));
        for bad in [
            res(ResourceKind::Vm, "", 5, 1),
            res(ResourceKind::Vm, "ok", 5, -1),
            res(ResourceKind::Vm, &"a".repeat(101), 5, 1),
        ] {
            assert!(matches!(store::resources::create(&t.db, bad).await, Err(StoreError::InvalidInput(_))));
        }
        assert_eq!(counts(&t.db).await, before);
        t
    })
    .await;
}

/// Every lobby opening and approval sums spending: on SQLite both sums read the covering index
/// alone, so a member's spend is found without reading each resource of the guild's projects.
#[tokio::test]
async fn spend_sums_read_only_their_covering_index() {
    use sea_orm::{ConnectionTrait, QueryTrait, Statement, TransactionTrait};
    let t = crate::support::TestDb::sqlite().await;
    let queries = [store::resources::project_spend_query(P), store::resources::user_spend_query(5, 1, Provider::Gcp)];
    for query in queries {
        let backend = t.db.get_database_backend();
        let built = query.build(backend);
        // One connection: a real read first loads the schema as migrated (an EXPLAIN alone plans
        // with whatever schema its connection loaded last, and a pooled connection may have
        // loaded it before the migrations ran).
        let txn = t.db.begin().await.unwrap();
        txn.query_all_raw(Statement::from_string(backend, "SELECT count(*) FROM cloud_resources")).await.unwrap();
        let explain = Statement::from_sql_and_values(
            backend,
            format!("EXPLAIN QUERY PLAN {}", built.sql),
            built.values.map(|v| v.0).unwrap_or_default(),
        );
        let plan: Vec<String> = txn
            .query_all_raw(explain)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get_by_index::<String>(3).unwrap())
            .collect();
        txn.commit().await.unwrap();
        let resources: Vec<&String> = plan.iter().filter(|l| l.contains("cloud_resources")).collect();
        assert_eq!(resources.len(), 1, "{plan:?}");
        assert!(resources[0].contains("USING COVERING INDEX ix_resources_spend"), "{plan:?}");
    }
    t.teardown().await;
}

/// The spend every opening and approval asks for is remembered by revision: after every kind of
/// change, a memo that has summed the project before answers what the fresh sum does.
#[tokio::test]
async fn a_remembered_spend_is_the_fresh_sum_after_every_change() {
    use store::resources::Change;
    use store::spend::SpendMemo;
    each_backend(|t| async move {
        store::projects::create_with_id(&t.db, P, new_project(1, 5, "r")).await.unwrap();
        let memo = SpendMemo::default();
        let same = |step: &'static str| {
            let (db, memo) = (t.db.clone(), &memo);
            async move {
                let remembered = memo.project_hourly_spend(&db, P).await.unwrap();
                let fresh = store::resources::project_hourly_spend(&db, P).await.unwrap();
                // A memo that never read the project before agrees too.
                let first = SpendMemo::default().project_hourly_spend(&db, P).await.unwrap();
                assert_eq!((remembered, first), (fresh, fresh), "after {step}");
                fresh.micros()
            }
        };
        assert_eq!(same("nothing").await, 0);
        let web = store::resources::create(&t.db, res(ResourceKind::Vm, "web", 5, 16_800)).await.unwrap();
        let db = store::resources::create(&t.db, res(ResourceKind::Database, "orders", 5, 35_000)).await.unwrap();
        assert_eq!(same("two created").await, 51_800);
        let bigger = Change::Resize {
            set: serde_json::json!({ "size": "e2-medium" }).as_object().unwrap().clone(),
            hourly_cost: Money::from_micros(33_500),
        };
        // A key written after the lobby opened (migration 7's pinned name) survives the resize.
        t.db.execute_unprepared(&format!("UPDATE cloud_resources SET config = '{{\"machine_type\": \"e2-small\", \"physical\": \"web\"}}' WHERE id = {}", web.id))
            .await
            .unwrap();
        store::resources::change(&t.db, P, web.id, false, Money::from_micros(16_800), &bigger).await.unwrap();
        assert_eq!(same("a resize").await, 68_500);
        let row = store::resources::list(&t.db, P, Some(ResourceKind::Vm)).await.unwrap().remove(0);
        assert_eq!(row.config, serde_json::json!({ "machine_type": "e2-small", "physical": "web", "size": "e2-medium" }));
        store::resources::change(&t.db, P, db.id, false, Money::from_micros(35_000), &Change::Decommission)
            .await
            .unwrap();
        assert_eq!(same("a decommission").await, 33_500);
        store::resources::change(&t.db, P, db.id, true, Money::from_micros(35_000), &Change::Remove).await.unwrap();
        assert_eq!(same("a removal").await, 33_500);
        store::resources::mark_deleted(&t.db, P, ResourceKind::Vm, "web").await.unwrap();
        assert_eq!(same("a deletion").await, 0);
        // A name passed to a new row between two readings.
        store::resources::create(&t.db, res(ResourceKind::Vm, "web", 5, 10_000)).await.unwrap();
        store::resources::mark_deleted(&t.db, P, ResourceKind::Vm, "web").await.unwrap();
        store::resources::create(&t.db, res(ResourceKind::Vm, "web", 6, 12_000)).await.unwrap();
        assert_eq!(same("a name taken twice unread").await, 12_000);
        t
    })
    .await;
}
