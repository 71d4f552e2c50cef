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
