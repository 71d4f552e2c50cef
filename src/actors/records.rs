//! The RecordsActor: projects, resources and sessions, for everything that is not a quota
//! change or a policy. Its handle offers one typed method per store call; the message carries the
//! call as a job, so adding a call is one method, not a message variant and a match arm.
//!
//! # Shared reads
//!
//! The reads every lobby opening makes (its project, the hourly spend its cost policies judge) are
//! `Read`s with a key: they are buffered like the QuotaActor's requests, and when the actor's `Flush`
//! comes, each distinct key is read once and every caller that asked for it gets that result. A
//! burst of a thousand openings in one project costs a few queries instead of three thousand, and no
//! answer is older than its question: the query runs after every request it answers was made.
//!
//! Every call is retried after a transient failure (SQLite busy, a PostgreSQL serialization
//! failure): a store call that failed that way changed nothing.

use std::any::Any;
use std::sync::Arc;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use entities::{cloud_projects, cloud_quotas, cloud_resources, deployment_history, deployment_sessions};

use super::retry::with_retries;
use super::{ActorError, ActorSlot, BoxFuture};
use crate::domain::validate::{Permissions, Policy};
use crate::domain::{Catalog, Money, Provider, ResourceKind};
use crate::store::projects::NewProject;
use crate::store::spec::StoreSpecSource;
use crate::store::{self, StoreResult};
use crate::terraform::{GenerateError, GeneratorSettings, ProjectSpec, SpecSource};

/// A store call's result, typed again by the handle that asked for it.
pub type Answer = Box<dyn Any + Send>;

/// A store call to run against the actor's connection; callable again after a transient failure.
pub type Job = Box<dyn for<'a> Fn(&'a DatabaseConnection) -> BoxFuture<'a, StoreResult<Answer>> + Send + Sync>;

/// A read's result, shared by every caller that asked for the same key.
pub type Shared = Arc<dyn Any + Send + Sync>;

/// A read to run once for every caller of its key; callable again after a transient failure.
pub type ReadJob = Box<dyn for<'a> Fn(&'a DatabaseConnection) -> BoxFuture<'a, StoreResult<Shared>> + Send + Sync>;

type ReadReply = RpcReplyPort<Result<Shared, ActorError>>;

/// Messages of the RecordsActor.
pub enum RecordsMsg {
    /// Runs a job.
    Run {
        /// The call.
        job: Job,
        /// Its result.
        reply: RpcReplyPort<Result<Answer, ActorError>>,
    },
    /// A read answered together with the identical reads queued with it.
    Read {
        /// What is read; equal keys must mean equal queries.
        key: String,
        /// The query.
        job: ReadJob,
        /// Result.
        reply: ReadReply,
    },
    /// Runs the buffered reads; the actor sends it to itself.
    Flush,
    /// Test hook: fail the actor while a caller waits.
    #[cfg(feature = "test-hooks")]
    InjectFailure(RpcReplyPort<Result<(), ActorError>>),
}

/// The RecordsActor.
pub struct RecordsActor;

/// The connection and the reads waiting for the next `Flush`, in arrival order of their keys.
pub struct RecordsState {
    db: DatabaseConnection,
    reads: Vec<(String, ReadJob, Vec<ReadReply>)>,
}

impl Actor for RecordsActor {
    type Msg = RecordsMsg;
    type State = RecordsState;
    type Arguments = DatabaseConnection;

    async fn pre_start(
        &self,
        _: ActorRef<RecordsMsg>,
        db: DatabaseConnection,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(RecordsState { db, reads: Vec::new() })
    }

    async fn handle(
        &self,
        myself: ActorRef<RecordsMsg>,
        msg: RecordsMsg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            RecordsMsg::Run { job, reply } => {
                let result = with_retries("records", || job(&state.db)).await;
                let _ = reply.send(result.map_err(ActorError::from));
            }
            RecordsMsg::Read { key, job, reply } => {
                if state.reads.is_empty() {
                    myself.send_message(RecordsMsg::Flush)?;
                }
                match state.reads.iter_mut().find(|(k, ..)| *k == key) {
                    Some((_, _, waiting)) => waiting.push(reply),
                    None => state.reads.push((key, job, vec![reply])),
                }
            }
            RecordsMsg::Flush => {
                for (_, job, waiting) in std::mem::take(&mut state.reads) {
                    let result = with_retries("records read", || job(&state.db)).await.map_err(ActorError::from);
                    for reply in waiting {
                        let _ = reply.send(result.clone());
                    }
                }
            }
            #[cfg(feature = "test-hooks")]
            RecordsMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }
}

/// Typed access to the RecordsActor.
#[derive(Clone)]
pub struct RecordsHandle {
    slot: ActorSlot<RecordsMsg>,
    /// Projects' spend summed so far, shared by every clone of the handle.
    spend: Arc<store::spend::SpendMemo>,
}

impl RecordsHandle {
    /// A handle over a slot the supervisor fills.
    pub fn new(slot: ActorSlot<RecordsMsg>) -> Self {
        Self { slot, spend: Default::default() }
    }

    async fn run<T, F>(&self, call: F) -> Result<T, ActorError>
    where
        T: Send + 'static,
        F: for<'a> Fn(&'a DatabaseConnection) -> BoxFuture<'a, StoreResult<T>> + Send + Sync + 'static,
    {
        let job: Job = Box::new(move |db| {
            let attempt = call(db);
            Box::pin(async move { attempt.await.map(|v| Box::new(v) as Answer) })
        });
        let answer = self.slot.call(|reply| RecordsMsg::Run { job, reply }).await?;
        answer.downcast::<T>().map(|v| *v).map_err(|_| ActorError::Unavailable("records"))
    }

    /// Runs `call` once for every identical read (same `key`) queued with this one.
    async fn read<T, F>(&self, key: String, call: F) -> Result<T, ActorError>
    where
        T: Clone + Send + Sync + 'static,
        F: for<'a> Fn(&'a DatabaseConnection) -> BoxFuture<'a, StoreResult<T>> + Send + Sync + 'static,
    {
        let job: ReadJob = Box::new(move |db| {
            let attempt = call(db);
            Box::pin(async move { attempt.await.map(|v| Arc::new(v) as Shared) })
        });
        let shared = self.slot.call(|reply| RecordsMsg::Read { key, job, reply }).await?;
        shared.downcast_ref::<T>().cloned().ok_or(ActorError::Unavailable("records"))
    }

    /// Creates a project with its default quotas.
    pub async fn create_project(&self, new: NewProject) -> Result<cloud_projects::Model, ActorError> {
        self.run(move |db| {
            let new = new.clone();
            Box::pin(async move { store::projects::create(db, new).await })
        })
        .await
    }

    /// A project of this guild (another guild's is "not found").
    pub async fn project(&self, guild_id: i64, project_id: &str) -> Result<cloud_projects::Model, ActorError> {
        let id = project_id.to_owned();
        let key = format!("project {guild_id} {id}");
        self.read(key, move |db| {
            let id = id.clone();
            Box::pin(async move { store::projects::get_in_guild(db, guild_id, &id).await })
        })
        .await
    }

    /// Whether the database answers a trivial query (readiness and the watchdog ask).
    pub async fn ping(&self) -> Result<(), ActorError> {
        self.run(|db| Box::pin(async move { store::ping(db).await })).await
    }

    /// Every quota row of every project (the metrics' quota gauges, refreshed at each scrape).
    pub async fn all_quota_rows(&self) -> Result<Vec<cloud_quotas::Model>, ActorError> {
        self.run(|db| Box::pin(async move { store::quotas::all(db).await })).await
    }

    /// Every project of a guild.
    pub async fn projects_in(&self, guild_id: i64) -> Result<Vec<cloud_projects::Model>, ActorError> {
        self.run(move |db| Box::pin(async move { store::projects::list_for_guild(db, guild_id).await })).await
    }

    /// A project's active resources, optionally of one kind.
    pub async fn resources(
        &self,
        project_id: &str,
        kind: Option<ResourceKind>,
    ) -> Result<Vec<cloud_resources::Model>, ActorError> {
        let id = project_id.to_owned();
        self.run(move |db| {
            let id = id.clone();
            Box::pin(async move { store::resources::list(db, &id, kind).await })
        })
        .await
    }

    /// Every resource a project's Terraform holds: the live ones and those being decommissioned.
    pub async fn written_resources(
        &self,
        project_id: &str,
        kind: Option<ResourceKind>,
    ) -> Result<Vec<cloud_resources::Model>, ActorError> {
        // Every lobby that opens reads them: opens queued together share one query.
        let id = project_id.to_owned();
        let key = format!("written {id} {kind:?}");
        self.read(key, move |db| {
            let id = id.clone();
            Box::pin(async move { store::resources::list_written(db, &id, kind).await })
        })
        .await
    }

    /// Hourly spend of a project and of a member (in the guild, for the provider).
    pub async fn spend(
        &self,
        project_id: &str,
        user_id: i64,
        guild_id: i64,
        provider: Provider,
    ) -> Result<(Money, Money), ActorError> {
        let id = project_id.to_owned();
        let key = format!("spend {id} {user_id} {guild_id} {provider}");
        let memo = self.spend.clone();
        self.read(key, move |db| {
            let (id, memo) = (id.clone(), memo.clone());
            Box::pin(async move {
                // Summed up to the revision last read, plus the rows changed since.
                let project = memo.project_hourly_spend(db, &id).await?;
                let user = store::resources::user_hourly_spend(db, user_id, guild_id, provider).await?;
                Ok((project, user))
            })
        })
        .await
    }

    /// A project's quota rows, for validation: a read on the RecordsActor's connection, shared by
    /// the lobbies opening together, so it never waits behind the QuotaActor's writes. Every
    /// change it reflects is committed; the QuotaActor's conditional updates still decide.
    pub async fn quota_rows(&self, project_id: &str) -> Result<Vec<cloud_quotas::Model>, ActorError> {
        let id = project_id.to_owned();
        let key = format!("quota {id}");
        self.read(key, move |db| {
            let id = id.clone();
            Box::pin(async move { store::quotas::usage(db, &id).await })
        })
        .await
    }

    /// A member's grant for a provider in a guild, as the validator reads it (`None`: no grant).
    pub async fn permissions(
        &self,
        user_id: i64,
        guild_id: i64,
        provider: Provider,
    ) -> Result<Option<Permissions>, ActorError> {
        let key = format!("permissions {user_id} {guild_id} {provider}");
        self.read(key, move |db| {
            Box::pin(async move {
                let row = store::permissions::get(db, user_id, guild_id, provider).await?;
                Ok(row.map(|row| store::permissions::to_permissions(&row)))
            })
        })
        .await
    }

    /// A guild's revision now: what its grants and policies were last changed with (0: never).
    pub async fn guild_revision(&self, guild_id: i64) -> Result<i64, ActorError> {
        let key = format!("guild revision {guild_id}");
        self.read(key, move |db| Box::pin(async move { store::guild_revisions::get(db, guild_id).await })).await
    }

    /// A guild's active policies, by priority.
    pub async fn policies(&self, guild_id: i64) -> Result<Arc<Vec<Policy>>, ActorError> {
        let key = format!("policies {guild_id}");
        self.read(key, move |db| {
            Box::pin(async move {
                let rows = store::policies::list_active(db, guild_id).await?;
                Ok(Arc::new(rows.iter().map(store::policies::to_policy).collect::<Vec<_>>()))
            })
        })
        .await
    }

    /// The newest `limit` audit events of a project, newest first.
    pub async fn history(&self, project_id: &str, limit: u64) -> Result<Vec<deployment_history::Model>, ActorError> {
        let id = project_id.to_owned();
        self.run(move |db| {
            let id = id.clone();
            Box::pin(async move { store::history::recent_for_project(db, &id, limit).await })
        })
        .await
    }

    /// A project as the generator reads it (its live resources, defaults filled in): what a
    /// lobby's preview applies its plan to. The inner error is the generator's.
    pub async fn project_spec(
        &self,
        project_id: &str,
        catalog: Arc<Catalog>,
        settings: GeneratorSettings,
    ) -> Result<Result<ProjectSpec, GenerateError>, ActorError> {
        let id = project_id.to_owned();
        self.run(move |db| {
            let source = StoreSpecSource::new(db.clone(), catalog.clone(), settings.clone());
            let id = id.clone();
            Box::pin(async move { Ok(source.load(&id).await) })
        })
        .await
    }

    /// A lobby.
    pub async fn session(&self, id: Uuid) -> Result<deployment_sessions::Model, ActorError> {
        self.run(move |db| Box::pin(async move { store::sessions::get(db, id).await })).await
    }

    /// The guild's lobbies whose id starts with `prefix`, at most `limit`.
    pub async fn sessions_with_prefix(
        &self,
        guild_id: i64,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Uuid>, ActorError> {
        let prefix = prefix.to_owned();
        self.run(move |db| {
            let prefix = prefix.clone();
            Box::pin(async move { store::sessions::ids_with_prefix(db, guild_id, &prefix, limit).await })
        })
        .await
    }

    /// Every pending lobby.
    pub async fn pending_sessions(&self) -> Result<Vec<deployment_sessions::Model>, ActorError> {
        self.run(|db| Box::pin(async move { store::sessions::list_pending(db).await })).await
    }

    /// Records the front end's message id of a lobby.
    pub async fn set_session_message(&self, id: Uuid, message_id: i64) -> Result<(), ActorError> {
        self.run(move |db| Box::pin(async move { store::sessions::set_message(db, id, message_id).await })).await
    }

    /// Test hook: makes the actor fail while this call waits.
    #[cfg(feature = "test-hooks")]
    pub async fn inject_failure(&self) -> Result<(), ActorError> {
        self.slot.call(RecordsMsg::InjectFailure).await
    }
}
