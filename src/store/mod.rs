//! Typed async functions over the seven tables. The only module that builds SQL.
//!
//! Every function takes any sea-orm connection (`&DatabaseConnection` or a `&DatabaseTransaction`), so
//! callers can compose several calls into one transaction. Quota changes are conditional UPDATEs that
//! the database enforces; the one read-modify-write, `quota_batch`, reads under the write lock and
//! writes back as a compare-and-set, falling back to the conditional UPDATEs on any mismatch.

pub mod backup;
pub mod check;
pub mod error;
pub mod guild_revisions;
pub mod history;
pub mod json;
pub mod nodelay;
pub mod permissions;
pub mod policies;
pub mod projects;
pub mod quota_batch;
pub mod quotas;
pub mod resources;
pub mod revisions;
pub mod seed;
pub mod sessions;
pub mod spec;
pub mod spend;
pub mod wal;
pub mod writes;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

pub use error::{Conflict, StoreError, StoreResult};

/// A trivial query (`SELECT 1`): whether the database answers at all (readiness, the watchdog).
pub async fn ping<C: sea_orm::ConnectionTrait>(db: &C) -> StoreResult<()> {
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), "SELECT 1");
    db.query_one_raw(statement).await?;
    Ok(())
}

/// The database used when nothing else is configured: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://cloud_chatops.db?mode=rwc";

/// Opens the database. SQLite gets WAL, foreign keys, a busy timeout and `synchronous=FULL`.
pub async fn connect(url: &str) -> StoreResult<DatabaseConnection> {
    connect_in_schema(url, None).await
}

/// Opens the database with a PostgreSQL schema as the search path (tests isolate themselves this way).
pub async fn connect_in_schema(url: &str, schema: Option<&str>) -> StoreResult<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_owned());
    if let Some(schema) = schema {
        opts.set_schema_search_path(schema.to_owned());
    }
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if in_memory {
            // Every pooled connection to `sqlite::memory:` would be a separate empty database.
            opts.max_connections(1).min_connections(1);
        } else {
            opts.max_connections(8);
        }
        // A pooled SQLite connection is a file handle in this process: pinging it on every acquire
        // (sqlx's default) only costs each transaction and read a round trip to its worker thread.
        opts.test_before_acquire(false);
        opts.map_sqlx_sqlite_opts(move |o| {
            let o = o
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full);
            if in_memory {
                o
            } else {
                // unix-excl keeps the write-ahead log's index in this process's heap instead of a
                // memory-mapped `-shm` file, which another process could truncate or make
                // unwritable under us (SIGBUS). The price: the file serves one process at a time,
                // which the embedded default is for (several processes share PostgreSQL).
                o.vfs("unix-excl")
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .pragma("wal_autocheckpoint", wal::AUTOCHECKPOINT_PAGES.to_string())
            }
        });
    } else {
        opts.max_connections(16);
        // Replaces sea-orm's own per-connection hook, so it sets the schema's search path itself.
        let search_path = schema.map(|s| format!("SET search_path = \"{}\"", s.replace('"', "\"\"")));
        opts.map_sqlx_postgres_pool_opts(move |pool| {
            let search_path = search_path.clone();
            pool.after_connect(move |conn, _| {
                let search_path = search_path.clone();
                Box::pin(async move {
                    nodelay::set_on_tcp_sockets();
                    if let Some(sql) = search_path {
                        sea_orm::sqlx::Executor::execute(conn, sea_orm::sqlx::AssertSqlSafe(sql)).await?;
                    }
                    Ok(())
                })
            })
        });
    }
    Ok(Database::connect(opts).await?)
}

/// Applies every pending migration (see [`upgrade`]).
pub async fn migrate(db: &DatabaseConnection) -> StoreResult<()> {
    upgrade(db).await.map(drop)
}

/// What [`upgrade`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgraded {
    /// Migrations applied now.
    pub applied: usize,
    /// Migrations applied in all.
    pub total: usize,
    /// The copy of the SQLite file taken before the schema changed (`None`: nothing changed, a new
    /// database, or PostgreSQL).
    pub kept: Option<std::path::PathBuf>,
}

/// Applies every pending migration. A SQLite file whose schema is about to change is first copied
/// whole to `<file>.pre-migrate-<time>.bak`, so an upgrade can be undone by putting it back.
pub async fn upgrade(db: &DatabaseConnection) -> StoreResult<Upgraded> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    let before = Migrator::get_applied_migrations(db).await?.len();
    let mut kept = None;
    if pending > 0
        && before > 0
        && let Some(file) = wal::database_path(db)
    {
        let mut target = file.as_os_str().to_owned();
        target.push(format!(".pre-migrate-{}.bak", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
        let target = std::path::PathBuf::from(target);
        backup::vacuum_into(db, &target).await?;
        tracing::info!(copy = %target.display(), pending, "the database was copied before its schema changes");
        kept = Some(target);
    }
    Migrator::up(db, None).await?;
    Ok(Upgraded { applied: pending, total: before + pending, kept })
}

/// Opens and migrates the database in one call, as start-up does.
pub async fn open(url: &str) -> StoreResult<DatabaseConnection> {
    let db = connect(url).await?;
    migrate(&db).await?;
    Ok(db)
}

/// The current time, truncated to microseconds so it round-trips through both databases unchanged.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(now)
}
