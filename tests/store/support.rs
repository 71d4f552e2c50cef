//! Test databases: a fresh SQLite database always, and a fresh PostgreSQL schema when
//! `TEST_DATABASE_URL` is set. Every test runs its body once per backend.

use std::future::Future;

use sea_orm::{ConnectionTrait, DatabaseConnection};

use cloud_chatops::domain::Provider;
use cloud_chatops::settings::Settings;
use cloud_chatops::store::{self, projects::NewProject};

/// One isolated database.
pub struct TestDb {
    /// Connection, migrated.
    pub db: DatabaseConnection,
    /// "sqlite" or "postgres", for assertion messages.
    pub backend: &'static str,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh SQLite file database (a file, so several pooled connections see the same data).
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        let db = store::open(&url).await.expect("open sqlite");
        TestDb { db, backend: "sqlite", schema: None, _dir: Some(dir) }
    }

    /// A fresh schema in the PostgreSQL database named by `TEST_DATABASE_URL`.
    pub async fn postgres(url: &str) -> TestDb {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = store::connect(url).await.expect("connect to TEST_DATABASE_URL");
        admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
        admin.close().await.ok();
        let db = store::connect_in_schema(url, Some(&schema)).await.expect("connect in schema");
        store::migrate(&db).await.expect("migrate postgres");
        TestDb { db, backend: "postgres", schema: Some(schema), _dir: None }
    }

    /// Drops the PostgreSQL schema; SQLite files go with the temp dir.
    pub async fn teardown(self) {
        if let Some(schema) = &self.schema {
            self.db.execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE")).await.expect("drop schema");
        }
        self.db.close().await.ok();
    }
}

/// Runs `body` against SQLite, then against PostgreSQL when `TEST_DATABASE_URL` is set.
pub async fn each_backend<F, Fut>(body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = TestDb>,
{
    let t = body(TestDb::sqlite().await).await;
    t.teardown().await;
    if let Some(url) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        let t = body(TestDb::postgres(&url).await).await;
        t.teardown().await;
    }
}

/// The default settings, as a fresh install has them.
pub fn settings() -> Settings {
    Settings::load_from(std::path::Path::new("/nonexistent"), Default::default()).expect("default settings")
}

/// A new gcp project in `guild` owned by `owner`, with the default quotas.
pub fn new_project(guild: i64, owner: i64, name: &str) -> NewProject {
    NewProject {
        guild_id: guild,
        owner_user_id: owner,
        provider: Provider::Gcp,
        name: name.into(),
        default_region: "us-central1".into(),
        monthly_budget: None,
        quotas: settings().quotas.lines(),
    }
}

/// Row counts of the seven tables, to prove a refused call changed nothing.
pub async fn counts(db: &DatabaseConnection) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for table in migration::TABLES {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("one row");
        out.push((table.to_owned(), row.try_get::<i64>("", "n").expect("n")));
    }
    out
}
