use migration::SchemaManager;
use migration::{Migrator, MigratorTrait, TABLES};

use crate::support::{TestDb, each_backend};

async fn tables_present(t: &TestDb) -> Vec<bool> {
    let manager = SchemaManager::new(&t.db);
    let mut present = Vec::new();
    for table in TABLES {
        present.push(manager.has_table(table).await.expect("has_table"));
    }
    present
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    each_backend(|t| async move {
        assert_eq!(tables_present(&t).await, vec![true; 7], "{}: all tables after up", t.backend);
        Migrator::down(&t.db, None).await.expect("down");
        assert_eq!(tables_present(&t).await, vec![false; 7], "{}: no table after down", t.backend);
        Migrator::up(&t.db, None).await.expect("up again");
        assert_eq!(tables_present(&t).await, vec![true; 7], "{}: all tables after up again", t.backend);
        t
    })
    .await;
}

#[tokio::test]
async fn database_check_refuses_an_overcommitted_quota_row() {
    use sea_orm::ConnectionTrait;
    each_backend(|t| async move {
        cloud_chatops::store::projects::create_with_id(&t.db, "gcp-000001", crate::support::new_project(1, 1, "p"))
            .await
            .unwrap();
        let res =
            t.db.execute_unprepared(
                "UPDATE cloud_quotas SET used = quota_limit + 1 WHERE project_id = 'gcp-000001' \
                 AND resource_type = 'compute.instances'",
            )
            .await;
        assert!(res.is_err(), "{}: CHECK must refuse used > limit", t.backend);
        let res = t.db.execute_unprepared("UPDATE cloud_quotas SET reserved = -1").await;
        assert!(res.is_err(), "{}: CHECK must refuse negative reserved", t.backend);
        t
    })
    .await;
}

/// Migration 7: AWS databases, load balancers and clusters approved before their names carried the
/// project's suffix keep the name they were created with (`config.physical`); nothing else changes,
/// and running it again changes nothing more.
#[tokio::test]
async fn aws_names_approved_before_suffixes_are_pinned_by_the_migration() {
    use cloud_chatops::domain::{Money, Provider, ResourceKind};
    use cloud_chatops::store::{self, resources::NewResource};
    each_backend(|t| async move {
        const P: &str = "aws-00beef";
        let mut project = crate::support::new_project(1, 1, "p");
        project.provider = Provider::Aws;
        project.default_region = "us-east-1".into();
        store::projects::create_with_id(&t.db, P, project).await.unwrap();
        let row = |kind, name: &str| NewResource {
            project_id: P.into(),
            provider: Provider::Aws,
            kind,
            name: name.into(),
            region: "us-east-1".into(),
            config: serde_json::json!({ "size": "db.t4g.micro" }),
            hourly_cost: Money::from_micros(1_000),
            created_by: 1,
            session_id: None,
        };
        let rows = [
            (ResourceKind::Database, "orders", true),
            (ResourceKind::LoadBalancer, "edge", true),
            (ResourceKind::K8s, "eks1", true),
            (ResourceKind::Vm, "web", false),
            (ResourceKind::Storage, "assets", false),
        ];
        for (kind, name, _) in rows {
            store::resources::create(&t.db, row(kind, name)).await.unwrap();
        }
        let pins = |db: sea_orm::DatabaseConnection| async move {
            let live = store::resources::list(&db, P, None).await.unwrap();
            let pins: Vec<(String, Option<String>)> = live
                .iter()
                .map(|r| (r.name.clone(), r.config.get("physical").and_then(|v| v.as_str()).map(str::to_owned)))
                .collect();
            (db, pins)
        };
        let (db, before) = pins(t.db.clone()).await;
        assert!(before.iter().all(|(_, pin)| pin.is_none()), "{before:?}");
        // As an install that ran up to migration 6 before upgrading.
        Migrator::down(&db, Some(1)).await.expect("down one");
        Migrator::up(&db, None).await.expect("up");
        let (db, after) = pins(db).await;
        for (_, name, pinned) in rows {
            let pin = after.iter().find(|(n, _)| n == name).map(|(_, p)| p.clone()).unwrap();
            assert_eq!(pin.as_deref(), pinned.then_some(name), "{}: {name}", t.backend);
        }
        Migrator::down(&db, Some(1)).await.expect("down one again");
        Migrator::up(&db, None).await.expect("up again");
        assert_eq!(pins(db).await.1, after, "{}: a second run changes nothing", t.backend);
        let config = store::resources::list(&t.db, P, None).await.unwrap()[0].config.clone();
        assert_eq!(config.get("size").and_then(|v| v.as_str()), Some("db.t4g.micro"), "the rest of config is kept");
        t
    })
    .await;
}
