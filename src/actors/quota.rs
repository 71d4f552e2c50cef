//! The QuotaActor: the only writer of quota usage in its process.
//!
//! Each request is a set of conditional UPDATEs (see `store::quotas`), optionally together with the
//! writes that must succeed or fail with it (a lobby's session row, the resources an approval
//! records): the "effects". So a reservation never exists without its lobby, and an approval's quota,
//! resources, history and session status always agree.
//!
//! # Group commit
//!
//! A commit costs an fsync (SQLite with `synchronous=FULL`, PostgreSQL's WAL flush), far more than the
//! statements it makes durable. So requests that queue while a transaction is in flight are applied
//! together in the next one: each in its own SAVEPOINT (a nested sea-orm transaction), so a refused
//! request rolls back only itself and gets its own outcome, and every caller is answered only after
//! the commit that holds its change. A lone request runs in a transaction of its own, as before.
//!
//! Batching is done inside the actor: `handle` only buffers a request, and the first request into an
//! empty buffer sends the actor a `Flush`, which lands behind everything already queued. When the
//! `Flush` is handled, every request that queued meanwhile is in the buffer. This keeps supervision as
//! it was (a failure drops the buffered reply ports, so their callers get an error at once, and the
//! supervisor's restart gives a fresh, empty actor) and needs no second task or channel. A dedicated
//! batching task draining a tokio channel with `try_recv` would form the same batches but live outside
//! the supervision tree; the one extra mailbox message per batch is not where the time goes (the
//! statements are, about 50 µs each on SQLite here and a dozen per lobby request: see `BENCHMARKS.md`).
//!
//! Busy and serialization errors retry the whole batch with bounded backoff. A request whose caller
//! stopped waiting before its batch began (its call timed out under load) is dropped, not applied.

use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};

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

/// Requests applied in one transaction at most; a longer batch would hold the database's write lock
/// (SQLite) long enough to stall the other actors' writes, for no gain once the fsync is amortised.
pub const MAX_BATCH: usize = 256;

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
    /// Runs `effects`, then applies `op` to every line, atomically. `effects` may be `None`;
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
        /// Outcome, sent after the commit that holds the change.
        reply: RpcReplyPort<Result<(), ActorError>>,
    },
    /// Every quota row of a project.
    Usage {
        /// Project.
        project_id: String,
        /// Rows.
        reply: RpcReplyPort<Result<Vec<cloud_quotas::Model>, ActorError>>,
    },
    /// Applies the buffered requests; the actor sends it to itself.
    Flush,
    /// Test hook: fail the actor while a caller waits, as a bug would.
    InjectFailure(RpcReplyPort<Result<(), ActorError>>),
}

/// The QuotaActor.
pub struct QuotaActor;

/// One buffered change.
struct Request {
    project_id: String,
    op: QuotaOp,
    lines: Vec<QuotaAmount>,
    effects: Option<EffectsFactory>,
    reply: RpcReplyPort<Result<(), ActorError>>,
}

/// The connection and the requests waiting for the next transaction.
pub struct QuotaState {
    db: DatabaseConnection,
    pending: Vec<Request>,
}

impl Actor for QuotaActor {
    type Msg = QuotaMsg;
    type State = QuotaState;
    type Arguments = DatabaseConnection;

    async fn pre_start(&self, _: ActorRef<QuotaMsg>, db: DatabaseConnection) -> Result<QuotaState, ActorProcessingErr> {
        Ok(QuotaState { db, pending: Vec::new() })
    }

    async fn handle(
        &self,
        myself: ActorRef<QuotaMsg>,
        msg: QuotaMsg,
        state: &mut QuotaState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            QuotaMsg::Apply { project_id, op, lines, effects, reply } => {
                if state.pending.is_empty() {
                    myself.send_message(QuotaMsg::Flush)?;
                }
                state.pending.push(Request { project_id, op, lines, effects, reply });
            }
            QuotaMsg::Flush => state.flush(&myself).await?,
            QuotaMsg::Usage { project_id, reply } => {
                let _ = reply.send(quotas::usage(&state.db, &project_id).await.map_err(ActorError::from));
            }
            QuotaMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }
}

impl QuotaState {
    /// Applies up to [`MAX_BATCH`] buffered requests in one transaction and answers their callers.
    async fn flush(&mut self, myself: &ActorRef<QuotaMsg>) -> Result<(), ActorProcessingErr> {
        let rest = self.pending.split_off(self.pending.len().min(MAX_BATCH));
        let mut batch = std::mem::replace(&mut self.pending, rest);
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
        if batch.is_empty() {
            return Ok(());
        }
        let outcomes = if let [one] = batch.as_slice() {
            vec![with_retries(&one.project_id, || apply_once(&self.db, one)).await]
        } else {
            apply_batch(&self.db, &batch).await
        };
        for (request, outcome) in batch.into_iter().zip(outcomes) {
            let _ = request.reply.send(outcome.map_err(ActorError::from));
        }
        Ok(())
    }
}

/// Runs `attempt` until it succeeds, fails for good, or [`MAX_ATTEMPTS`] transient errors passed.
async fn with_retries<T, F, Fut>(what: &str, mut attempt: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        match attempt().await {
            Err(e) if e.is_transient() && attempts < MAX_ATTEMPTS => {
                tracing::debug!(what, attempts, "quota transaction retried after a transient error");
                tokio::time::sleep(Duration::from_millis(2u64 << attempts.min(8))).await;
            }
            other => return other,
        }
    }
}

/// A lone request: its own transaction, exactly as without batching.
async fn apply_once(db: &DatabaseConnection, request: &Request) -> StoreResult<()> {
    let txn = db.begin().await?;
    apply_request(&txn, request).await?;
    txn.commit().await.map_err(StoreError::from)
}

/// Several requests, one transaction, one savepoint each; one outcome per request. A transient
/// error anywhere retries the whole batch (refusals included: the state they saw is gone).
async fn apply_batch(db: &DatabaseConnection, batch: &[Request]) -> Vec<StoreResult<()>> {
    match with_retries("batch", || apply_batch_once(db, batch)).await {
        Ok(outcomes) => outcomes,
        // Nothing of the batch was committed: every caller gets the failure.
        Err(StoreError::Database(e)) => batch.iter().map(|_| Err(StoreError::Database(e.clone()))).collect(),
        Err(e) => {
            let text = e.to_string();
            batch.iter().map(|_| Err(StoreError::Database(DbErr::Custom(text.clone())))).collect()
        }
    }
}

async fn apply_batch_once(db: &DatabaseConnection, batch: &[Request]) -> StoreResult<Vec<StoreResult<()>>> {
    let txn = db.begin().await?;
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
    let (project_id, lines) = (request.project_id.as_str(), request.lines.as_slice());
    if let Some(make) = &request.effects {
        make()(txn).await?;
    }
    match request.op {
        QuotaOp::Reserve => quotas::reserve(txn, project_id, lines).await?,
        QuotaOp::Commit => quotas::commit(txn, project_id, lines).await?,
        QuotaOp::Release => quotas::release(txn, project_id, lines).await?,
        QuotaOp::Consume => quotas::consume(txn, project_id, lines).await?,
        QuotaOp::Free => quotas::free(txn, project_id, lines).await?,
    }
    Ok(())
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
