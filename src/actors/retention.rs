//! The RetentionActor: purges deployment history older than `history.retention_days`, once when it
//! starts and then every [`PURGE_INTERVAL`] on its own `send_after` timer, and records each purge
//! in the history it purges (action `purge`), in the same transaction, so the log says what it lost.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::{DatabaseConnection, TransactionTrait};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::{ActorError, ActorSlot};
use crate::store::history::HistoryEntry;
use crate::store::{self, StoreResult};

/// Time between two purges.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// Time before a purge that failed (database down) is tried again.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// What one purge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Events deleted.
    pub count: u64,
    /// Events created before this were deleted.
    pub cutoff: DateTime<Utc>,
}

/// What the actor needs.
#[derive(Clone)]
pub struct RetentionArgs {
    /// Database.
    pub db: DatabaseConnection,
    /// Days of history kept.
    pub retention_days: u32,
    /// Told after each purge (tests and metrics); `None` in production.
    pub observer: Option<UnboundedSender<Purged>>,
}

/// Messages of the RetentionActor.
pub enum RetentionMsg {
    /// Purge now and schedule the next one.
    Purge,
    /// The last successful purge. Answered after the start-up purge, which is queued first.
    LastPurge(RpcReplyPort<Result<Option<Purged>, ActorError>>),
    /// Test hook: fail the actor while a caller waits.
    #[cfg(feature = "test-hooks")]
    InjectFailure(RpcReplyPort<Result<(), ActorError>>),
}

/// The RetentionActor.
pub struct RetentionActor;

/// Its state.
pub struct RetentionState {
    args: RetentionArgs,
    last: Option<Purged>,
    timer: Option<JoinHandle<Result<(), ractor::MessagingErr<RetentionMsg>>>>,
}

impl Actor for RetentionActor {
    type Msg = RetentionMsg;
    type State = RetentionState;
    type Arguments = RetentionArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<RetentionMsg>,
        args: RetentionArgs,
    ) -> Result<RetentionState, ActorProcessingErr> {
        // The first purge runs once the actor is up, not inside start-up.
        myself.send_message(RetentionMsg::Purge)?;
        Ok(RetentionState { args, last: None, timer: None })
    }

    async fn post_stop(&self, _: ActorRef<RetentionMsg>, state: &mut RetentionState) -> Result<(), ActorProcessingErr> {
        if let Some(timer) = state.timer.take() {
            timer.abort();
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<RetentionMsg>,
        msg: RetentionMsg,
        state: &mut RetentionState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            RetentionMsg::Purge => {
                let next = match purge(&state.args.db, state.args.retention_days).await {
                    Ok(purged) => {
                        tracing::info!(count = purged.count, cutoff = %purged.cutoff, "history purged");
                        state.last = Some(purged);
                        if let Some(observer) = &state.args.observer {
                            let _ = observer.send(purged);
                        }
                        PURGE_INTERVAL
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "history purge failed; will try again");
                        RETRY_INTERVAL
                    }
                };
                state.timer = Some(myself.send_after(next, || RetentionMsg::Purge));
            }
            RetentionMsg::LastPurge(reply) => {
                let _ = reply.send(Ok(state.last));
            }
            #[cfg(feature = "test-hooks")]
            RetentionMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }
}

/// Deletes what is older than the retention and records the purge, in one transaction.
async fn purge(db: &DatabaseConnection, retention_days: u32) -> StoreResult<Purged> {
    let cutoff = store::now() - TimeDelta::days(i64::from(retention_days.max(1)));
    let txn = db.begin().await?;
    let count = store::history::purge_before(&txn, cutoff).await?;
    let entry = HistoryEntry {
        action: "purge".into(),
        outcome: "success".into(),
        details: serde_json::json!({ "count": count, "cutoff": cutoff, "retention_days": retention_days }).into(),
        ..Default::default()
    };
    store::history::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(Purged { count, cutoff })
}

/// A cloneable handle to the [`RetentionActor`]; it follows the actor across restarts.
#[derive(Clone)]
pub struct RetentionHandle {
    slot: ActorSlot<RetentionMsg>,
}

impl RetentionHandle {
    /// A handle over the supervisor's slot.
    pub fn new(slot: ActorSlot<RetentionMsg>) -> Self {
        Self { slot }
    }

    /// The last successful purge (waits for the start-up purge).
    pub async fn last_purge(&self) -> Result<Option<Purged>, ActorError> {
        self.slot.call(RetentionMsg::LastPurge).await
    }

    /// Test hook: makes the actor fail while this call waits.
    #[cfg(feature = "test-hooks")]
    pub async fn inject_failure(&self) -> Result<(), ActorError> {
        self.slot.call(RetentionMsg::InjectFailure).await
    }
}
