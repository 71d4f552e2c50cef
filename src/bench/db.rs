//! Fresh databases for each benchmark: a SQLite file in a new temporary directory (WAL,
//! `synchronous=FULL`, as `store::connect` sets), or a new schema in the PostgreSQL of `DATABASE_URL`,
//! dropped afterwards.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::store;

/// Where the benchmarks run.
#[derive(Debug, Clone)]
pub enum Target {
    /// A fresh SQLite file per benchmark.
    Sqlite,
    /// A fresh schema per benchmark in this PostgreSQL database.
    Postgres(String),
}

impl Target {
    /// PostgreSQL when `DATABASE_URL` names one, SQLite otherwise.
    pub fn from_env() -> Target {
        match std::env::var("DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => Target::Postgres(url),
            _ => Target::Sqlite,
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Target::Sqlite => "sqlite",
            Target::Postgres(_) => "postgres",
        }
    }

    /// The backend and its durability, for the report (never the URL: it may hold a password).
    pub fn describe(&self) -> String {
        match self {
            Target::Sqlite => "SQLite (file in the temp dir, WAL, synchronous=FULL)".into(),
            Target::Postgres(_) => "PostgreSQL (DATABASE_URL, a fresh schema per benchmark)".into(),
        }
    }

    /// A new, migrated, empty database.
    pub async fn fresh(&self) -> anyhow::Result<BenchDb> {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        match self {
            Target::Sqlite => {
                let dir = std::env::temp_dir().join(format!("cloud-chatops-bench-{tag}"));
                std::fs::create_dir_all(&dir)?;
                let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
                let db = store::open(&url).await?;
                Ok(BenchDb { db, schema: None, dir: Some(dir) })
            }
            Target::Postgres(url) => {
                let schema = format!("bench_{tag}");
                let admin = store::connect(url).await?;
                admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await?;
                admin.close().await.ok();
                let db = store::connect_in_schema(url, Some(&schema)).await?;
                store::migrate(&db).await?;
                Ok(BenchDb { db, schema: Some(schema), dir: None })
            }
        }
    }
}

/// One benchmark's database.
pub struct BenchDb {
    /// Connection, migrated.
    pub db: DatabaseConnection,
    schema: Option<String>,
    dir: Option<PathBuf>,
}

impl BenchDb {
    /// Drops the schema or deletes the file.
    pub async fn drop(self) {
        if let Some(schema) = &self.schema
            && let Err(e) = self.db.execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE")).await
        {
            eprintln!("could not drop the benchmark schema {schema}: {e}");
        }
        self.db.close().await.ok();
        if let Some(dir) = &self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
    }
}
