//! SQLite's write-ahead log: who checkpoints it, and when.
//!
//! By default the connection whose commit takes the log past 1,000 pages (4 MB) copies it into the
//! database file inside that commit. Here that is the QuotaActor, and every caller of its batch
//! waits for the copy and its fsync (~7 ms in a burst of 1,000 lobby openings, BENCHMARKS.md). So
//! `store::connect` raises the threshold to [`AUTOCHECKPOINT_PAGES`], a safety net, and the
//! CheckpointActor calls [`checkpoint`] once the log file has passed [`CHECKPOINT_BYTES`] and
//! changed, off every caller's path.
//!
//! The same look notices a database file deleted or replaced under the running process
//! ([`Fault`]); front ends [`watch`] for it and stop serving, and [`rescue`] saves what was
//! committed. SQLite's shared-memory index is kept in the process's heap (the `unix-excl` VFS,
//! see `store::connect`), so no `-shm` file can be truncated under it (a `SIGBUS`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::SystemTime;

use tokio::sync::watch;

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

/// What makes serving from a SQLite file unsafe, noticed by the CheckpointActor's look each second.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    /// The file at the database's path is gone or is another file: new work would go into a
    /// deleted file that no later start would find, while another process may create a fresh one.
    #[error("the database file {} was deleted or replaced while running; stopped serving", .0.display())]
    FileReplaced(PathBuf),
}

type Faults = watch::Sender<Option<Fault>>;

/// The faults of each database file open in this process, by path: the CheckpointActor reports,
/// the front ends wait. Keyed by the file because that is what a fault is about.
static WATCHES: LazyLock<Mutex<HashMap<PathBuf, Faults>>> = LazyLock::new(Default::default);

fn faults(path: &Path) -> Faults {
    let mut watches = WATCHES.lock().unwrap_or_else(|e| e.into_inner());
    watches.entry(path.to_path_buf()).or_insert_with(|| watch::channel(None).0).clone()
}

/// The database file of a SQLite connection (`None` for PostgreSQL and in-memory databases).
pub fn database_path(db: &DatabaseConnection) -> Option<PathBuf> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let path = db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf();
    let name = path.to_string_lossy();
    (!name.is_empty() && !name.contains(":memory:")).then_some(path)
}

/// Which file a path names now: (device, inode), or `None` if nothing is there.
pub fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.dev(), meta.ino()))
}

/// Records a fault of the database file; every [`Watch`] on it wakes.
pub fn report(path: &Path, fault: Fault) {
    tracing::error!(path = %path.display(), "{fault}");
    faults(path).send_replace(Some(fault));
}

/// Clears a fault (a new monitor found the file healthy).
pub fn clear(path: &Path) {
    faults(path).send_replace(None);
}

/// Waits for a fault of one database (never fires for PostgreSQL or an in-memory database).
#[derive(Clone)]
pub struct Watch {
    rx: Option<watch::Receiver<Option<Fault>>>,
}

/// A watch on the faults of `db`'s file.
pub fn watch(db: &DatabaseConnection) -> Watch {
    Watch { rx: database_path(db).map(|path| faults(&path).subscribe()) }
}

impl Watch {
    /// Completes when a fault is reported.
    pub async fn failed(&self) -> Fault {
        let Some(mut rx) = self.rx.clone() else { return std::future::pending().await };
        let fault = rx.wait_for(Option::is_some).await.ok().and_then(|f| f.clone());
        match fault {
            Some(fault) => fault,
            None => std::future::pending().await,
        }
    }

    /// The fault reported so far, if any.
    pub fn current(&self) -> Option<Fault> {
        self.rx.as_ref().and_then(|rx| rx.borrow().clone())
    }
}

/// Saves everything committed when the database file was deleted under the process: the open
/// connection still reads the deleted file (and its log), so `VACUUM INTO` writes a whole copy
/// beside the path, never over whatever now stands there. Returns where it went.
pub async fn rescue(db: &DatabaseConnection, fault: &Fault) -> StoreResult<Option<PathBuf>> {
    let Fault::FileReplaced(path) = fault;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut target = path.as_os_str().to_owned();
    target.push(format!(".rescued-{stamp}"));
    let target = PathBuf::from(target);
    super::backup::vacuum_into(db, &target).await?;
    Ok(Some(target))
}
