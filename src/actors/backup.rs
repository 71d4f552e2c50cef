//! The BackupActor (SQLite): the one place the running process copies its database. It answers
//! `cloud-chatops backup <file>` (through the control socket, `ops::control`) and, when
//! `database.backup_dir` is set, writes a timestamped copy there every `backup_interval_secs` on
//! its own `send_after` timer, keeping the newest `backup_keep`.
//!
//! The schedule survives restarts: at start the next copy is due one interval after the newest
//! copy already in the folder (at once when that is overdue or there is none), so a process that
//! restarts every hour still backs up once a day. With PostgreSQL it has nothing to do.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::{ActorError, ActorSlot};
use crate::ops::metrics;
use crate::store::backup::{self, BackupError, Written};
use crate::store::wal;

/// The longest wait before a periodic backup that failed is tried again.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// How long a requested copy may take (a large database on a slow disk).
pub const COPY_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Periodic backups: where, how often, how many kept.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The folder (created when missing).
    pub dir: PathBuf,
    /// Time between two copies.
    pub interval: Duration,
    /// Copies kept; older ones are deleted after each new one.
    pub keep: usize,
}

/// What the actor needs.
#[derive(Clone)]
pub struct BackupArgs {
    /// Database.
    pub db: DatabaseConnection,
    /// Periodic backups, if any.
    pub schedule: Option<Schedule>,
    /// Told after each periodic backup (tests); `None` in production.
    pub observer: Option<UnboundedSender<Written>>,
}

impl BackupArgs {
    /// The arguments the settings ask for.
    pub fn from_settings(db: DatabaseConnection, settings: &crate::settings::DatabaseSettings) -> BackupArgs {
        let schedule = settings.backup_dir().map(|dir| Schedule {
            dir,
            interval: Duration::from_secs(settings.backup_interval_secs),
            keep: settings.backup_keep,
        });
        BackupArgs { db, schedule, observer: None }
    }
}

/// Messages of the BackupActor.
pub enum BackupMsg {
    /// Write a copy to `target` (absolute), replacing it only when `force`.
    Now {
        /// Where.
        target: PathBuf,
        /// Replace an existing file.
        force: bool,
        /// What was written, or why not.
        reply: RpcReplyPort<Result<Result<Written, String>, ActorError>>,
    },
    /// The periodic copy is due (the timer sends it).
    Tick,
}

/// The BackupActor.
pub struct BackupActor;

/// Its state.
pub struct BackupState {
    args: BackupArgs,
    /// Wall time and monotonic time when the actor started: a periodic copy is stamped with the
    /// first plus the time elapsed on the second, the clock its timer runs on (so paused time in
    /// tests moves the stamps too).
    clock: (DateTime<Utc>, tokio::time::Instant),
    /// The database file (`None`: PostgreSQL or in memory, nothing to copy).
    file: Option<PathBuf>,
    timer: Option<JoinHandle<Result<(), ractor::MessagingErr<BackupMsg>>>>,
}

impl Actor for BackupActor {
    type Msg = BackupMsg;
    type State = BackupState;
    type Arguments = BackupArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<BackupMsg>,
        args: BackupArgs,
    ) -> Result<BackupState, ActorProcessingErr> {
        let file = wal::database_path(&args.db);
        let timer = match (&args.schedule, &file) {
            (Some(schedule), Some(file)) => {
                let due = first_due(schedule, file, Utc::now());
                tracing::info!(dir = %schedule.dir.display(), in_secs = due.as_secs(), "periodic backups scheduled");
                Some(myself.send_after(due, || BackupMsg::Tick))
            }
            _ => None,
        };
        Ok(BackupState { args, clock: (Utc::now(), tokio::time::Instant::now()), file, timer })
    }

    async fn post_stop(&self, _: ActorRef<BackupMsg>, state: &mut BackupState) -> Result<(), ActorProcessingErr> {
        if let Some(timer) = state.timer.take() {
            timer.abort();
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<BackupMsg>,
        msg: BackupMsg,
        state: &mut BackupState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            BackupMsg::Now { target, force, reply } => {
                let written = backup::copy_to(&state.args.db, &target, force).await;
                metrics::backup("requested", written.is_ok());
                match &written {
                    Ok(w) => tracing::info!(path = %w.path.display(), bytes = w.bytes, "backup written"),
                    Err(e) => tracing::warn!(error = %e, "backup refused"),
                }
                let _ = reply.send(Ok(written.map_err(|e| e.to_string())));
            }
            BackupMsg::Tick => {
                let next = match state.periodic().await {
                    Ok(written) => {
                        if let Some(observer) = &state.args.observer {
                            let _ = observer.send(written);
                        }
                        state.args.schedule.as_ref().map(|s| s.interval)
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "periodic backup failed; trying again later");
                        state.args.schedule.as_ref().map(|s| s.interval.min(RETRY_INTERVAL))
                    }
                };
                if let Some(next) = next {
                    state.timer = Some(myself.send_after(next, || BackupMsg::Tick));
                }
            }
        }
        Ok(())
    }
}

impl BackupState {
    /// Writes the periodic copy and deletes the oldest beyond `keep`.
    async fn periodic(&mut self) -> Result<Written, BackupError> {
        let (Some(schedule), Some(file)) = (&self.args.schedule, &self.file) else {
            return Err(BackupError::NotSqlite);
        };
        let io = |source| BackupError::Io { path: schedule.dir.clone(), source };
        std::fs::create_dir_all(&schedule.dir).map_err(io)?;
        let dir = std::fs::canonicalize(&schedule.dir).map_err(io)?;
        let (wall, started) = self.clock;
        let now = wall + chrono::TimeDelta::from_std(started.elapsed()).unwrap_or_default();
        let target = dir.join(backup::stamped_name(file, now));
        // Two ticks in one second (a clock step back) overwrite their own copy, never another's.
        let written = backup::copy_to(&self.args.db, &target, true).await;
        metrics::backup("periodic", written.is_ok());
        let written = written?;
        let copies = backup::stamped_copies(&dir, file);
        for old in copies.iter().take(copies.len().saturating_sub(schedule.keep)) {
            if let Err(e) = std::fs::remove_file(old) {
                tracing::warn!(path = %old.display(), error = %e, "an old backup could not be deleted");
            }
        }
        tracing::info!(path = %written.path.display(), bytes = written.bytes, "periodic backup written");
        Ok(written)
    }
}

/// When the first periodic copy is due: an interval after the newest one in the folder, at once
/// when that has passed or there is none.
pub fn first_due(schedule: &Schedule, file: &std::path::Path, now: DateTime<Utc>) -> Duration {
    let newest = backup::stamped_copies(&schedule.dir, file).last().and_then(|p| backup::stamp_of(p, file));
    let Some(newest) = newest else { return Duration::ZERO };
    let age = (now - newest).to_std().unwrap_or(Duration::ZERO);
    schedule.interval.saturating_sub(age)
}

/// Typed access to the BackupActor.
#[derive(Clone)]
pub struct BackupHandle {
    slot: ActorSlot<BackupMsg>,
}

impl BackupHandle {
    /// A handle over a slot the supervisor fills.
    pub fn new(slot: ActorSlot<BackupMsg>) -> Self {
        Self { slot }
    }

    /// Writes a consistent copy of the database to `target`; the outer error is the actor's, the
    /// inner one the operator's (the file exists, the folder is missing, not SQLite).
    pub async fn copy_to(&self, target: PathBuf, force: bool) -> Result<Result<Written, String>, ActorError> {
        self.slot.call_within(|reply| BackupMsg::Now { target, force, reply }, COPY_TIMEOUT).await
    }
}
