//! The CheckpointActor (SQLite): looks at the write-ahead log file every [`CHECKPOINT_INTERVAL`]
//! on its own `send_after` timer and checkpoints it once it is past `wal::CHECKPOINT_BYTES` and has
//! changed since the last checkpoint, so the QuotaActor's commits never carry the copy (see
//! `store::wal`). Looking is a file-system call, not a query: a quiet database is never touched. A
//! checkpoint that finds the database busy copies what it can and tries again at the next tick;
//! nothing waits on this actor. With PostgreSQL it has nothing to do and sets no timer.
//!
//! The same tick checks the database file is still the one opened (its device and inode): a file
//! deleted or replaced under the process is reported once as a `wal::Fault`, and the front ends
//! stop serving.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

use super::{ActorError, ActorSlot};
use crate::store::StoreResult;
use crate::store::wal::{self, Checkpointed};

/// Time between two checkpoints.
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);

/// Messages of the CheckpointActor.
pub enum CheckpointMsg {
    /// Checkpoint now (the timer sends it).
    Tick,
    /// Checkpoint now and say what it did.
    Now(RpcReplyPort<Result<Option<Checkpointed>, ActorError>>),
    /// What the last checkpoint did, if there was one.
    Last(RpcReplyPort<Result<Option<Checkpointed>, ActorError>>),
}

/// The CheckpointActor.
pub struct CheckpointActor;

/// Its state.
pub struct CheckpointState {
    db: DatabaseConnection,
    log: Option<PathBuf>,
    /// The database file and the (device, inode) it had when the actor started.
    file: Option<(PathBuf, (u64, u64))>,
    /// A fault was reported; the file is not looked at again.
    faulted: bool,
    /// When the log file had last changed at the last checkpoint.
    checkpointed: Option<SystemTime>,
    last: Option<Checkpointed>,
    timer: Option<JoinHandle<Result<(), ractor::MessagingErr<CheckpointMsg>>>>,
}

impl Actor for CheckpointActor {
    type Msg = CheckpointMsg;
    type State = CheckpointState;
    type Arguments = DatabaseConnection;

    async fn pre_start(
        &self,
        myself: ActorRef<CheckpointMsg>,
        db: DatabaseConnection,
    ) -> Result<CheckpointState, ActorProcessingErr> {
        let log = wal::log_path(&db);
        let file = wal::database_path(&db).and_then(|path| wal::file_identity(&path).map(|id| (path, id)));
        if let Some((path, _)) = &file {
            wal::clear(path);
        }
        let timer = log.is_some().then(|| myself.send_after(CHECKPOINT_INTERVAL, || CheckpointMsg::Tick));
        Ok(CheckpointState { db, log, file, faulted: false, checkpointed: None, last: None, timer })
    }

    async fn post_stop(
        &self,
        _: ActorRef<CheckpointMsg>,
        state: &mut CheckpointState,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(timer) = state.timer.take() {
            timer.abort();
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<CheckpointMsg>,
        msg: CheckpointMsg,
        state: &mut CheckpointState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            CheckpointMsg::Tick => {
                state.check_file();
                let log = state.log.as_deref().and_then(wal::log_state);
                if let Some((bytes, changed)) = log
                    && bytes >= wal::CHECKPOINT_BYTES
                    && state.checkpointed != Some(changed)
                {
                    let _ = state.checkpoint(Some(changed)).await;
                }
                state.timer = Some(myself.send_after(CHECKPOINT_INTERVAL, || CheckpointMsg::Tick));
            }
            CheckpointMsg::Now(reply) => {
                let changed = state.log.as_deref().and_then(wal::log_state).map(|(_, changed)| changed);
                let _ = reply.send(state.checkpoint(changed).await.map_err(ActorError::from));
            }
            CheckpointMsg::Last(reply) => {
                let _ = reply.send(Ok(state.last));
            }
        }
        Ok(())
    }
}

impl CheckpointState {
    /// Reports, once, a database file that is no longer the one this process opened.
    fn check_file(&mut self) {
        let Some((path, opened)) = &self.file else { return };
        if !self.faulted && wal::file_identity(path) != Some(*opened) {
            self.faulted = true;
            wal::report(path, wal::Fault::FileReplaced(path.clone()));
        }
    }

    /// Checkpoints; `changed` is the log file's last change seen before it.
    async fn checkpoint(&mut self, changed: Option<SystemTime>) -> StoreResult<Option<Checkpointed>> {
        let done = wal::checkpoint(&self.db).await;
        match &done {
            Ok(Some(c)) => {
                tracing::debug!(log_frames = c.log_frames, copied = c.copied, "write-ahead log checkpointed");
                // A log copied only in part (a reader held its end) is not done: the next tick,
                // which sees the same unchanged log, copies the rest.
                if c.copied >= c.log_frames {
                    self.checkpointed = changed;
                }
                self.last = Some(*c);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "write-ahead log checkpoint failed; trying again at the next tick"),
        }
        done
    }
}

/// Typed access to the CheckpointActor.
#[derive(Clone)]
pub struct CheckpointHandle {
    slot: ActorSlot<CheckpointMsg>,
}

impl CheckpointHandle {
    /// A handle over a slot the supervisor fills.
    pub fn new(slot: ActorSlot<CheckpointMsg>) -> Self {
        Self { slot }
    }

    /// Checkpoints now; what it did (`None`: not a SQLite database in WAL mode).
    pub async fn checkpoint(&self) -> Result<Option<Checkpointed>, ActorError> {
        self.slot.call(CheckpointMsg::Now).await
    }

    /// What the last checkpoint did, answered after every tick already due.
    pub async fn last(&self) -> Result<Option<Checkpointed>, ActorError> {
        self.slot.call(CheckpointMsg::Last).await
    }
}
