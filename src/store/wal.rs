//! SQLite's write-ahead log: who checkpoints it, and when.
//!
//! By default the connection whose commit takes the log past 1,000 pages (4 MB) copies it into the
//! database file inside that commit. Here that is the QuotaActor, and every caller of its batch
//! waits for the copy and its fsync (~7 ms in a burst of 1,000 lobby openings, BENCHMARKS.md). So
//! `store::connect` raises the threshold to [`AUTOCHECKPOINT_PAGES`], a safety net, and the
//! CheckpointActor calls [`checkpoint`] once the log file has passed [`CHECKPOINT_BYTES`] and
//! changed, off every caller's path.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::StoreResult;

/// Pages the log may reach before the committing connection checkpoints it itself (~40 MB).
pub const AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Size of the log file past which the CheckpointActor checkpoints: SQLite's own default threshold.
pub const CHECKPOINT_BYTES: u64 = 1_000 * 4_096;

/// The log file of a SQLite database (`None` for PostgreSQL).
pub fn log_path(db: &DatabaseConnection) -> Option<PathBuf> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let mut path = db.get_sqlite_connection_pool().connect_options().get_filename().as_os_str().to_owned();
    path.push("-wal");
    Some(PathBuf::from(path))
}

/// The log file's size and last change, if it exists (an in-memory database has none).
pub fn log_state(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// What one checkpoint did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    /// Frames in the log.
    pub log_frames: i64,
    /// Frames copied into the database file.
    pub copied: i64,
}

/// Copies what it can of the log into the database file without waiting for readers or the
/// writer (`PASSIVE`); `None` when the database is not SQLite, or not in WAL mode.
pub async fn checkpoint(db: &DatabaseConnection) -> StoreResult<Option<Checkpointed>> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let sql = "PRAGMA wal_checkpoint(PASSIVE)";
    let Some(row) = db.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql)).await? else {
        return Ok(None);
    };
    let (log_frames, copied): (i64, i64) = (row.try_get_by_index(1)?, row.try_get_by_index(2)?);
    // -1, -1: the database is not in WAL mode (an in-memory database).
    Ok((log_frames >= 0).then_some(Checkpointed { log_frames, copied }))
}
