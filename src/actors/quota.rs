//! The QuotaActor: the only writer of quota usage in its process.
//!
//! Each request is one transaction of conditional UPDATEs (see `store::quotas`), optionally together
//! with the writes that must succeed or fail with it (a lobby's session row, the resources an approval
//! records): the "effects". So a reservation never exists without its lobby, and an approval's quota,
//! resources, history and session status always agree. Busy and serialization errors are retried with
//! bounded backoff.

use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

use entities::cloud_quotas;

use super::{ActorError, ActorSlot, BoxFuture};
use crate::store::quotas::{self, QuotaAmount};
use crate::store::{StoreError, StoreResult};

/// Writes that run in the same transaction as a quota change.
pub type Effects = Box<dyn for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, StoreResult<()>> + Send>;

/// Builds the effects anew for each attempt of the transaction.
pub type EffectsFactory = Box<dyn Fn() -> Effects + Send + Sync>;

/// Attempts of one transaction before a transient error is reported.
const MAX_ATTEMPTS: u32 = 8;

/// Which change to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaOp {
    /// Set aside for a pending lobby.
    Reserve,
    /// Turn a reservation into usage.
    Commit,
    /// Give a reservation back.
    Release,
    /// Use directly.
    Consume,
    /// Give usage back (resources deleted).
    Free,
}

/// Messages of the QuotaActor.
pub enum QuotaMsg {
    /// Applies `op` to every line, then `effects`, in one transaction. `effects` may be `None`;
    /// it is retried together with the lines, so it must be safe to run again after a rollback.
    Apply {
        /// Project.
        project_id: String,
        /// Change.
        op: QuotaOp,
        /// Lines (may be empty when only the effects matter).
        lines: Vec<QuotaAmount>,
        /// Writes joined to the transaction; a factory so a retry can run them again.
        effects: Option<EffectsFactory>,
        /// Outcome.
        reply: RpcReplyPort<Result<(), ActorError>>,
    },
    /// Every quota row of a project.
    Usage {
        /// Project.
        project_id: String,
        /// Rows.
        reply: RpcReplyPort<Result<Vec<cloud_quotas::Model>, ActorError>>,
    },
    /// Test hook: fail the actor while a caller waits, as a bug would.
    InjectFailure(RpcReplyPort<Result<(), ActorError>>),
}

/// The QuotaActor.
pub struct QuotaActor;

impl Actor for QuotaActor {
    type Msg = QuotaMsg;
    type State = DatabaseConnection;
    type Arguments = DatabaseConnection;

    async fn pre_start(
        &self,
        _: ActorRef<QuotaMsg>,
        db: DatabaseConnection,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(db)
    }

    async fn handle(
        &self,
        _: ActorRef<QuotaMsg>,
        msg: QuotaMsg,
        db: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            QuotaMsg::Apply { project_id, op, lines, effects, reply } => {
                let result = apply(db, &project_id, op, &lines, effects.as_deref()).await;
                let _ = reply.send(result.map_err(ActorError::from));
            }
            QuotaMsg::Usage { project_id, reply } => {
                let _ = reply.send(quotas::usage(db, &project_id).await.map_err(ActorError::from));
            }
            QuotaMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }
}

async fn apply(
    db: &DatabaseConnection,
    project_id: &str,
    op: QuotaOp,
    lines: &[QuotaAmount],
    effects: Option<&(dyn Fn() -> Effects + Send + Sync)>,
) -> StoreResult<()> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match apply_once(db, project_id, op, lines, effects).await {
            Err(e) if e.is_transient() && attempt < MAX_ATTEMPTS => {
                tracing::debug!(project_id, attempt, "quota transaction retried after a transient error");
                tokio::time::sleep(Duration::from_millis(2u64 << attempt.min(8))).await;
            }
            other => return other,
        }
    }
}

async fn apply_once(
    db: &DatabaseConnection,
    project_id: &str,
    op: QuotaOp,
    lines: &[QuotaAmount],
    effects: Option<&(dyn Fn() -> Effects + Send + Sync)>,
) -> StoreResult<()> {
    let txn = db.begin().await?;
    match op {
        QuotaOp::Reserve => quotas::reserve(&txn, project_id, lines).await?,
        QuotaOp::Commit => quotas::commit(&txn, project_id, lines).await?,
        QuotaOp::Release => quotas::release(&txn, project_id, lines).await?,
        QuotaOp::Consume => quotas::consume(&txn, project_id, lines).await?,
        QuotaOp::Free => quotas::free(&txn, project_id, lines).await?,
    }
    if let Some(make) = effects {
        make()(&txn).await?;
    }
    txn.commit().await.map_err(StoreError::from)
}

/// Typed access to the QuotaActor.
#[derive(Clone)]
pub struct QuotaHandle {
    slot: ActorSlot<QuotaMsg>,
}

impl QuotaHandle {
    /// A handle over a slot the supervisor fills.
    pub fn new(slot: ActorSlot<QuotaMsg>) -> Self {
        Self { slot }
    }

    /// Applies a change and the writes that go with it, atomically.
    pub async fn apply(
        &self,
        project_id: &str,
        op: QuotaOp,
        lines: Vec<QuotaAmount>,
        effects: Option<EffectsFactory>,
    ) -> Result<(), ActorError> {
        let project_id = project_id.to_owned();
        self.slot.call(|reply| QuotaMsg::Apply { project_id, op, lines, effects, reply }).await
    }

    /// Reserves `lines` for a lobby.
    pub async fn reserve(&self, project_id: &str, lines: Vec<QuotaAmount>) -> Result<(), ActorError> {
        self.apply(project_id, QuotaOp::Reserve, lines, None).await
    }

    /// Commits a lobby's reservation.
    pub async fn commit(&self, project_id: &str, lines: Vec<QuotaAmount>) -> Result<(), ActorError> {
        self.apply(project_id, QuotaOp::Commit, lines, None).await
    }

    /// Releases a lobby's reservation.
    pub async fn release(&self, project_id: &str, lines: Vec<QuotaAmount>) -> Result<(), ActorError> {
        self.apply(project_id, QuotaOp::Release, lines, None).await
    }

    /// Uses quota directly.
    pub async fn consume(&self, project_id: &str, lines: Vec<QuotaAmount>) -> Result<(), ActorError> {
        self.apply(project_id, QuotaOp::Consume, lines, None).await
    }

    /// The project's quota rows.
    pub async fn usage(&self, project_id: &str) -> Result<Vec<cloud_quotas::Model>, ActorError> {
        let project_id = project_id.to_owned();
        self.slot.call(|reply| QuotaMsg::Usage { project_id, reply }).await
    }

    /// Test hook: makes the actor fail while this call waits.
    pub async fn inject_failure(&self) -> Result<(), ActorError> {
        self.slot.call(QuotaMsg::InjectFailure).await
    }
}
