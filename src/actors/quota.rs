//! The QuotaActor: the only writer of quota usage in its process.
//!
//! Each request is a set of conditional changes to quota rows (see `store::quotas`), optionally
//! together with the writes that must succeed or fail with it (a lobby's session row, the resources
//! an approval records, the audit entry): its [`Write`]s. So a reservation never exists without its
//! lobby, and an approval's quota, resources, history and session status always agree.
//!
//! # Group commit
//!
//! Requests that queue while a transaction is in flight are applied together in the next one, and
//! every caller is answered only after the commit that holds its change. A batch first takes the
//! fast path of `store::quota_batch`: the quota rows are read once under the write lock, each
//! request is decided in arrival order in memory with the same guards, and the accepted requests'
//! effects and the touched rows are written in a handful of statements, whatever the batch size.
//! When the database does not behave as predicted (a lobby to end is no longer pending, a name is
//! taken) the transaction is rolled back and the batch applied request by request, each in its own
//! SAVEPOINT, so a refused request rolls back only itself. `Usage` reads queued with the batch are
//! answered after its commit, one SELECT for all of them.
//!
//! Batching is done inside the actor: `handle` only buffers a request, and the first request into an
//! empty buffer sends the actor a `Flush`, which lands behind everything already queued. When the
//! `Flush` is handled, every request that queued meanwhile is in the buffer. This keeps supervision as
//! it was (a failure drops the buffered reply ports, so their callers get an error at once, and the
//! supervisor's restart gives a fresh, empty actor) and needs no second task or channel.
//!
//! Busy and serialization errors retry the whole batch with bounded backoff. A request whose caller
//! stopped waiting before its batch began (its call timed out under load) is dropped, not applied.

use std::collections::BTreeSet;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

use entities::cloud_quotas;

use super::retry::with_retries;
use super::{ActorError, ActorSlot};
use crate::domain::QuotaType;
use crate::store::StoreResult;
use crate::store::history::HistoryEntry;
use crate::store::quota_batch::{self, Change};
use crate::store::quotas::{self, QuotaAmount};
pub use crate::store::quotas::{Move, QuotaOp};
pub use crate::store::writes::{Rows, Write};

/// Requests applied in one transaction at most; a longer batch would hold the database's write lock
/// (SQLite) long enough to stall the other actors' writes, for no gain once the fsync is amortised.
pub const MAX_BATCH: usize = 256;

/// Messages of the QuotaActor.
pub enum QuotaMsg {
    /// Writes `rows`, then applies `op` to every line, atomically; retried as a whole after a
    /// transient error.
    Apply {
        /// Project.
        project_id: String,
        /// Change.
        op: QuotaOp,
        /// Lines (may be empty when only the effects matter).
        lines: Vec<QuotaAmount>,
        /// Writes joined to the transaction, as checked rows (`Rows::of`), built by the caller.
        rows: Rows,
        /// Outcome, sent after the commit that holds the change.
        reply: RpcReplyPort<Result<(), ActorError>>,
    },
    /// Like `Apply`, with an operation per line (a resize commits what grows, frees what shrinks).
    Move {
        /// Project.
        project_id: String,
        /// Lines and their operations.
        moves: Vec<Move>,
        /// Writes joined to the transaction.
        rows: Rows,
        /// Outcome, sent after the commit that holds the change.
        reply: RpcReplyPort<Result<(), ActorError>>,
    },
    /// Every quota row of a project, read after the batch queued with it.
    Usage {
        /// Project.
        project_id: String,
        /// Rows.
        reply: RpcReplyPort<Result<Vec<cloud_quotas::Model>, ActorError>>,
    },
    /// Sets a project-wide limit (refused below used + reserved) and audits it, in one transaction.
    SetLimit {
        /// Project.
        project_id: String,
        /// Which quota.
        quota_type: QuotaType,
        /// The new limit (micro-dollars for the budget line).
        limit: i64,
        /// The audit entry written with it.
        audit: HistoryEntry,
        /// The row as it is now.
        reply: RpcReplyPort<Result<cloud_quotas::Model, ActorError>>,
    },
    /// Applies the buffered requests; the actor sends it to itself.
    Flush,
    /// Test hook: fail the actor while a caller waits.
    #[cfg(feature = "test-hooks")]
    InjectFailure(RpcReplyPort<Result<(), ActorError>>),
}

/// The QuotaActor.
pub struct QuotaActor;

/// One buffered change.
struct Request {
    project_id: String,
    moves: Vec<Move>,
    rows: Rows,
    reply: RpcReplyPort<Result<(), ActorError>>,
}

impl Request {
    fn change(&self) -> Change<'_> {
        Change { project_id: &self.project_id, moves: &self.moves, rows: &self.rows }
    }
}

type UsageReply = RpcReplyPort<Result<Vec<cloud_quotas::Model>, ActorError>>;

/// The connection and the requests waiting for the next transaction.
pub struct QuotaActorState {
    db: DatabaseConnection,
    pending: Vec<Request>,
    usage: Vec<(String, UsageReply)>,
}

impl Actor for QuotaActor {
    type Msg = QuotaMsg;
    type State = QuotaActorState;
    type Arguments = DatabaseConnection;

    async fn pre_start(
        &self,
        _: ActorRef<QuotaMsg>,
        db: DatabaseConnection,
    ) -> Result<QuotaActorState, ActorProcessingErr> {
        Ok(QuotaActorState { db, pending: Vec::new(), usage: Vec::new() })
    }

    async fn handle(
        &self,
        myself: ActorRef<QuotaMsg>,
        msg: QuotaMsg,
        state: &mut QuotaActorState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            QuotaMsg::Apply { project_id, op, lines, rows, reply } => {
                state.schedule(&myself)?;
                let moves = lines.into_iter().map(|line| (op, line)).collect();
                state.pending.push(Request { project_id, moves, rows, reply });
            }
            QuotaMsg::Move { project_id, moves, rows, reply } => {
                state.schedule(&myself)?;
                state.pending.push(Request { project_id, moves, rows, reply });
            }
            QuotaMsg::Usage { project_id, reply } => {
                state.schedule(&myself)?;
                state.usage.push((project_id, reply));
            }
            QuotaMsg::SetLimit { project_id, quota_type, limit, audit, reply } => {
                let result = with_retries("quota limit", || {
                    let (db, project_id, audit) = (&state.db, project_id.as_str(), audit.clone());
                    async move {
                        let txn = db.begin().await?;
                        let row = quotas::set_limit(&txn, project_id, quota_type, limit).await?;
                        crate::store::history::append(&txn, audit).await?;
                        txn.commit().await?;
                        Ok(row)
                    }
                })
                .await;
                let _ = reply.send(result.map_err(ActorError::from));
            }
            QuotaMsg::Flush => state.flush(&myself).await?,
            #[cfg(feature = "test-hooks")]
            QuotaMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }
}

impl QuotaActorState {
    /// Sends the `Flush` that will find this request buffered, unless one is already on its way.
    fn schedule(&self, myself: &ActorRef<QuotaMsg>) -> Result<(), ActorProcessingErr> {
        if self.pending.is_empty() && self.usage.is_empty() {
            myself.send_message(QuotaMsg::Flush)?;
        }
        Ok(())
    }

    /// Applies up to [`MAX_BATCH`] buffered requests in one transaction and answers their callers,
    /// then the usage reads.
    async fn flush(&mut self, myself: &ActorRef<QuotaMsg>) -> Result<(), ActorProcessingErr> {
        let rest = self.pending.split_off(self.pending.len().min(MAX_BATCH));
        let mut batch = std::mem::replace(&mut self.pending, rest);
        let usage = if self.pending.is_empty() { std::mem::take(&mut self.usage) } else { Vec::new() };
        if !self.pending.is_empty() {
            myself.send_message(QuotaMsg::Flush)?;
        }
        // A caller that gave up waiting (its call timed out under load) was told the change failed:
        // applying it now would leave, say, a reservation and a session row nobody knows of.
        let queued = batch.len();
        batch.retain(|r| !r.reply.is_closed());
        if batch.len() < queued {
            tracing::warn!(abandoned = queued - batch.len(), "quota requests dropped: their callers stopped waiting");
        }
        if !batch.is_empty() {
            let outcomes = apply_batch(&self.db, &batch).await;
            for (request, outcome) in batch.into_iter().zip(outcomes) {
                let _ = request.reply.send(outcome.map_err(ActorError::from));
            }
        }
        answer_usage(&self.db, usage).await;
        Ok(())
    }
}

/// Answers every queued usage read with one SELECT.
async fn answer_usage(db: &DatabaseConnection, waiting: Vec<(String, UsageReply)>) {
    if waiting.is_empty() {
        return;
    }
    let projects: Vec<&str> = waiting.iter().map(|(p, _)| p.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    let rows = with_retries("usage", || quotas::usage_of(db, &projects)).await;
    for (project, reply) in waiting {
        let answer = match &rows {
            Ok(rows) => Ok(rows.iter().filter(|r| r.project_id == project).cloned().collect()),
            Err(e) => Err(ActorError::from(e.clone())),
        };
        let _ = reply.send(answer);
    }
}

/// One transaction for the whole batch; one outcome per request. A transient error anywhere retries
/// the whole batch (refusals included: the state they saw is gone).
async fn apply_batch(db: &DatabaseConnection, batch: &[Request]) -> Vec<StoreResult<()>> {
    match with_retries("batch", || apply_batch_once(db, batch)).await {
        Ok(outcomes) => outcomes,
        // Nothing of the batch was committed: every caller gets the failure.
        Err(e) => batch.iter().map(|_| Err(e.clone())).collect(),
    }
}

async fn apply_batch_once(db: &DatabaseConnection, batch: &[Request]) -> StoreResult<Vec<StoreResult<()>>> {
    let changes: Vec<Change<'_>> = batch.iter().map(Request::change).collect();
    let txn = db.begin().await?;
    match quota_batch::apply(&txn, &changes).await {
        Ok(Some(outcomes)) => {
            txn.commit().await?;
            return Ok(outcomes);
        }
        Ok(None) => txn.rollback().await?,
        Err(e) if e.is_transient() => return Err(e),
        Err(e) => {
            tracing::debug!(error = %e, "quota batch fast path failed; applying request by request");
            txn.rollback().await?;
        }
    }
    apply_one_by_one(db, batch).await
}

/// The exact fallback: one transaction, one savepoint per request (none for a lone request).
async fn apply_one_by_one(db: &DatabaseConnection, batch: &[Request]) -> StoreResult<Vec<StoreResult<()>>> {
    let txn = db.begin().await?;
    if let [one] = batch {
        return match apply_request(&txn, one).await {
            Ok(()) => {
                txn.commit().await?;
                Ok(vec![Ok(())])
            }
            Err(e) if e.is_transient() => Err(e),
            Err(e) => {
                txn.rollback().await?;
                Ok(vec![Err(e)])
            }
        };
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for request in batch {
        let savepoint = txn.begin().await?;
        match apply_request(&savepoint, request).await {
            Ok(()) => {
                savepoint.commit().await?;
                outcomes.push(Ok(()));
            }
            Err(e) if e.is_transient() => return Err(e),
            Err(e) => {
                savepoint.rollback().await?;
                outcomes.push(Err(e));
            }
        }
    }
    txn.commit().await?;
    Ok(outcomes)
}

/// The request's effects, then its conditional updates, on `txn` (a transaction or a savepoint).
///
/// Effects go first because they carry the lobby's own guard (the session's `pending -> ...` update):
/// a repeated ending then fails on that guard, naming the state the lobby is in, instead of on the
/// quota's aggregate `reserved` column, which other lobbies share.
async fn apply_request(txn: &DatabaseTransaction, request: &Request) -> StoreResult<()> {
    request.rows.write(txn).await?;
    quotas::apply_moves(txn, &request.project_id, &request.moves).await
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
        writes: Vec<Write>,
    ) -> Result<(), ActorError> {
        let project_id = project_id.to_owned();
        // Checked and rendered here, in the caller's task, so the actor only copies them.
        let rows = Rows::of(writes)?;
        self.slot.call(|reply| QuotaMsg::Apply { project_id, op, lines, rows, reply }).await
    }

    /// Applies a move per line and the writes that go with them, atomically.
    pub async fn apply_moves(&self, project_id: &str, moves: Vec<Move>, writes: Vec<Write>) -> Result<(), ActorError> {
        let project_id = project_id.to_owned();
        let rows = Rows::of(writes)?;
        self.slot.call(|reply| QuotaMsg::Move { project_id, moves, rows, reply }).await
    }

    /// Reserves `lines` for a lobby.
    pub async fn reserve(&self, project_id: &str, lines: Vec<QuotaAmount>) -> Result<(), ActorError> {
        self.apply(project_id, QuotaOp::Reserve, lines, Vec::new()).await
    }

    /// Commits a lobby's reservation.
    pub async fn commit(&self, project_id: &str, lines: Vec<QuotaAmount>) -> Result<(), ActorError> {
        self.apply(project_id, QuotaOp::Commit, lines, Vec::new()).await
    }

    /// The project's quota rows.
    pub async fn usage(&self, project_id: &str) -> Result<Vec<cloud_quotas::Model>, ActorError> {
        let project_id = project_id.to_owned();
        self.slot.call(|reply| QuotaMsg::Usage { project_id, reply }).await
    }

    /// Sets a project's limit for a quota type, with its audit entry; refused (changing nothing)
    /// below what is used and reserved.
    pub async fn set_limit(
        &self,
        project_id: &str,
        quota_type: QuotaType,
        limit: i64,
        audit: HistoryEntry,
    ) -> Result<cloud_quotas::Model, ActorError> {
        let project_id = project_id.to_owned();
        self.slot.call(|reply| QuotaMsg::SetLimit { project_id, quota_type, limit, audit, reply }).await
    }

    /// Test hook: makes the actor fail while this call waits.
    #[cfg(feature = "test-hooks")]
    pub async fn inject_failure(&self) -> Result<(), ActorError> {
        self.slot.call(QuotaMsg::InjectFailure).await
    }
}
