//! Consistent copies of a SQLite database while it serves: `VACUUM INTO` reads one snapshot (a
//! read transaction, so commits made meanwhile are either all in the copy or not at all) and
//! writes a whole, compacted database. The copy goes to a temporary file beside the target, is
//! synced, then renamed over it, so a crash never leaves a half-written backup under the name.
//!
//! PostgreSQL has `pg_dump` for this; [`BackupError::NotSqlite`] says so.

use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::StoreError;

/// Why a backup was not written. The text is for the operator: it names the file, never SQL.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL (or in memory): this command is for the SQLite file.
    #[error(
        "the database is not a SQLite file; back up PostgreSQL with pg_dump (pg_dump -Fc -f <file> \"$DATABASE_URL\")"
    )]
    NotSqlite,
    /// The target exists and `--force` was not given.
    #[error("{} already exists; add --force to replace it", .0.display())]
    Exists(PathBuf),
    /// The target's folder does not exist or the path names a folder.
    #[error("cannot write {}: {reason}", .path.display())]
    Target {
        /// Where the copy was to go.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Writing or syncing the copy failed.
    #[error("writing the copy to {} failed: {source}", .path.display())]
    Io {
        /// Where the copy was to go.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// There is no database file to copy.
    #[error("there is no database at {}", .0.display())]
    NoDatabase(PathBuf),
    /// Another process holds the file and did not answer on the control socket.
    #[error("{} is held by another process that does not answer on its control socket; run `backup` as the same user in the same folder as the bot, or stop it first", .0.display())]
    Held(PathBuf),
    /// The database could not be read.
    #[error("the database could not be copied: {0}")]
    Database(#[from] StoreError),
}

/// The file a SQLite URL names (`None`: not SQLite, or in memory).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    use std::str::FromStr;
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let options = sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename().to_path_buf();
    (!path.as_os_str().is_empty()).then_some(path)
}

/// Copies the database at `url` when no process serves it: opens it (no migration: the copy is
/// the file as it stands), copies, closes.
pub async fn copy_file(url: &str, target: &Path, force: bool) -> Result<Written, BackupError> {
    let file = sqlite_file(url).ok_or(BackupError::NotSqlite)?;
    if !file.is_file() {
        return Err(BackupError::NoDatabase(file));
    }
    check_target(target, force)?;
    let db = super::connect(url).await?;
    let written = copy_to(&db, target, force).await;
    db.close().await.ok();
    match written {
        Err(BackupError::Database(e)) if e.is_transient() => Err(BackupError::Held(file)),
        other => other,
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The copy.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Checks a target before any work: an absolute path, not a folder, in a folder that exists, and
/// not already there unless `force`.
pub fn check_target(target: &Path, force: bool) -> Result<(), BackupError> {
    let problem = |reason: &str| BackupError::Target { path: target.to_path_buf(), reason: reason.to_owned() };
    if !target.is_absolute() {
        return Err(problem("the path must be absolute"));
    }
    if target.is_dir() {
        return Err(problem("it is a folder; name the file to write"));
    }
    if !target.parent().is_some_and(Path::is_dir) {
        return Err(problem("its folder does not exist"));
    }
    if target.exists() && !force {
        return Err(BackupError::Exists(target.to_path_buf()));
    }
    Ok(())
}

/// Writes a consistent copy of `db` to `target` (absolute), replacing it only when `force`.
pub async fn copy_to(db: &DatabaseConnection, target: &Path, force: bool) -> Result<Written, BackupError> {
    if super::wal::database_path(db).is_none() {
        return Err(BackupError::NotSqlite);
    }
    check_target(target, force)?;
    let io = |source| BackupError::Io { path: target.to_path_buf(), source };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = target.with_file_name(format!(".{name}.partial-{}", uuid::Uuid::new_v4().simple()));
    if let Err(e) = vacuum_into(db, &partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    let finish = || -> std::io::Result<u64> {
        // A copy of the database is as private as the database.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o600))?;
        let file = std::fs::File::open(&partial)?;
        file.sync_all()?;
        let bytes = file.metadata()?.len();
        std::fs::rename(&partial, target)?;
        if let Some(parent) = target.parent() {
            std::fs::File::open(parent)?.sync_all()?;
        }
        Ok(bytes)
    };
    match finish() {
        Ok(bytes) => Ok(Written { path: target.to_path_buf(), bytes }),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(io(e))
        }
    }
}

/// `VACUUM INTO` a file that must not exist yet: a whole copy of what is committed.
pub async fn vacuum_into(db: &DatabaseConnection, target: &Path) -> Result<(), StoreError> {
    let literal = target.to_string_lossy().replace('\'', "''");
    db.execute_raw(Statement::from_string(DbBackend::Sqlite, format!("VACUUM INTO '{literal}'"))).await?;
    Ok(())
}

/// How a copy's time is written in its name (UTC, to the second).
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// The file name of a timestamped copy of `database` (`cloud_chatops-20261207T170000Z.db`).
pub fn stamped_name(database: &Path, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}{}.db", stamp_prefix(database), at.format(STAMP))
}

/// What every timestamped copy of `database` starts with (`cloud_chatops-`).
pub fn stamp_prefix(database: &Path) -> String {
    let stem = database.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "database".into());
    format!("{stem}-")
}

/// The time a timestamped copy of `database` was taken, from its name (`None`: not such a copy).
pub fn stamp_of(path: &Path, database: &Path) -> Option<chrono::DateTime<chrono::Utc>> {
    let name = path.file_name()?.to_str()?;
    let stamp = name.strip_prefix(&stamp_prefix(database))?.strip_suffix(".db")?;
    chrono::NaiveDateTime::parse_from_str(stamp, STAMP).ok().map(|t| t.and_utc())
}

/// The timestamped copies of `database` in `dir`, oldest first (their names sort by time).
pub fn stamped_copies(dir: &Path, database: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut copies: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| stamp_of(p, database).is_some()).collect();
    copies.sort();
    copies
}
