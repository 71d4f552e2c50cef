//! The PolicyActor: the writer of grants and policies, each change audited.
//!
//! Reads are cached, and exact across processes: every change to a guild's grants or policies takes
//! the guild's next revision in its own transaction (`store::guild_revisions`), and every read asks
//! the guild's revision first (one primary-key read through the RecordsActor) and trusts what
//! [`PolicyHandle`] keeps only when it was read at that very revision. A change committed by any
//! process therefore counts at the next open or click, and an unchanged guild pays one small read
//! per decision instead of its policies and grants. Misses read through the RecordsActor's shared
//! reads, so a burst of lobbies costs one query per distinct member and one for the policies.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::DatabaseConnection;

use super::records::RecordsHandle;
use super::{ActorError, ActorSlot};
use crate::domain::Provider;
use crate::domain::validate::{Permissions, Policy};
use crate::store::history::{self, HistoryEntry};
use crate::store::permissions::{self, Grant};
use crate::store::policies::{self, NewPolicy};

/// Messages of the PolicyActor.
pub enum PolicyMsg {
    /// Grants (or replaces) a member's permissions and audits it.
    Grant { grant: Grant, reply: RpcReplyPort<Result<Permissions, ActorError>> },
    /// Revokes a member's grant; answers whether there was one.
    Revoke { user_id: i64, guild_id: i64, provider: Provider, by: i64, reply: RpcReplyPort<Result<bool, ActorError>> },
    /// Adds a policy and audits it.
    AddPolicy { policy: NewPolicy, reply: RpcReplyPort<Result<Policy, ActorError>> },
    /// Deactivates a guild's policy and audits it.
    RemovePolicy { guild_id: i64, policy_id: i64, by: i64, reply: RpcReplyPort<Result<(), ActorError>> },
    /// Test hook: fail the actor while a caller waits.
    #[cfg(feature = "test-hooks")]
    InjectFailure(RpcReplyPort<Result<(), ActorError>>),
}

/// The PolicyActor.
pub struct PolicyActor;

/// Its state: the connection.
pub struct PolicyState {
    db: DatabaseConnection,
}

impl Actor for PolicyActor {
    type Msg = PolicyMsg;
    type State = PolicyState;
    type Arguments = DatabaseConnection;

    async fn pre_start(
        &self,
        _: ActorRef<PolicyMsg>,
        db: DatabaseConnection,
    ) -> Result<PolicyState, ActorProcessingErr> {
        Ok(PolicyState { db })
    }

    async fn handle(
        &self,
        _: ActorRef<PolicyMsg>,
        msg: PolicyMsg,
        state: &mut PolicyState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            PolicyMsg::Grant { grant, reply } => {
                let _ = reply.send(state.grant(grant).await);
            }
            PolicyMsg::Revoke { user_id, guild_id, provider, by, reply } => {
                let _ = reply.send(state.revoke(user_id, guild_id, provider, by).await);
            }
            PolicyMsg::AddPolicy { policy, reply } => {
                let _ = reply.send(state.add_policy(policy).await);
            }
            PolicyMsg::RemovePolicy { guild_id, policy_id, by, reply } => {
                let _ = reply.send(state.remove_policy(guild_id, policy_id, by).await);
            }
            #[cfg(feature = "test-hooks")]
            PolicyMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }
}

impl PolicyState {
    async fn grant(&mut self, grant: Grant) -> Result<Permissions, ActorError> {
        let key = (grant.user_id, grant.guild_id, grant.provider);
        let (by, role) = (grant.granted_by, grant.permissions.role);
        let row = permissions::grant(&self.db, grant).await?;
        self.audit(key.1, by, "grant", serde_json::json!({ "user_id": key.0, "provider": key.2, "role": role })).await;
        Ok(permissions::to_permissions(&row))
    }

    async fn revoke(&mut self, user_id: i64, guild_id: i64, provider: Provider, by: i64) -> Result<bool, ActorError> {
        let existed = permissions::revoke(&self.db, user_id, guild_id, provider).await?;
        if existed {
            self.audit(guild_id, by, "revoke", serde_json::json!({ "user_id": user_id, "provider": provider })).await;
        }
        Ok(existed)
    }

    async fn add_policy(&mut self, new: NewPolicy) -> Result<Policy, ActorError> {
        let (guild_id, by) = (new.guild_id, new.created_by);
        let row = policies::create(&self.db, new).await?;
        let policy = policies::to_policy(&row);
        self.audit(guild_id, by, "policy_add", serde_json::json!({ "policy": &policy })).await;
        Ok(policy)
    }

    async fn remove_policy(&mut self, guild_id: i64, policy_id: i64, by: i64) -> Result<(), ActorError> {
        policies::deactivate(&self.db, guild_id, policy_id).await?;
        self.audit(guild_id, by, "policy_remove", serde_json::json!({ "policy_id": policy_id })).await;
        Ok(())
    }

    /// Records an administrative change; a failure to audit is logged, the change itself stands.
    async fn audit(&self, guild_id: i64, user_id: i64, action: &str, details: serde_json::Value) {
        let entry = HistoryEntry {
            guild_id,
            user_id,
            action: action.into(),
            details: details.into(),
            outcome: "success".into(),
            ..Default::default()
        };
        if let Err(e) = history::append(&self.db, entry).await {
            tracing::error!(guild_id, user_id, action, error = %e, "could not audit an administrative change");
        }
    }
}

/// Typed access to grants and policies: writes through the PolicyActor, reads through the
/// RecordsActor and the guild's revision (see the module documentation).
#[derive(Clone)]
pub struct PolicyHandle {
    slot: ActorSlot<PolicyMsg>,
    records: RecordsHandle,
    cache: Arc<Mutex<HashMap<i64, GuildFacts>>>,
    stats: Arc<CacheStats>,
}

/// Guilds whose facts are kept; past it the cache starts over (guilds are few, each entry small).
const CACHED_GUILDS: usize = 4_096;

/// What was read of one guild, and at which revision.
#[derive(Default)]
struct GuildFacts {
    revision: i64,
    policies: Option<Arc<Vec<Policy>>>,
    grants: HashMap<(i64, Provider), Option<Permissions>>,
}

/// How often the kept facts were trusted and how often read again (tests and benchmarks).
#[derive(Debug, Default)]
pub struct CacheStats {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl CacheStats {
    /// (hits, misses) so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }
}

impl PolicyHandle {
    /// A handle over a slot the supervisor fills, reading through `records`.
    pub fn new(slot: ActorSlot<PolicyMsg>, records: RecordsHandle) -> Self {
        Self { slot, records, cache: Default::default(), stats: Default::default() }
    }

    /// How the cache has served so far.
    pub fn cache_stats(&self) -> (u64, u64) {
        self.stats.counts()
    }

    /// A member's permissions (`None`: no grant), as the database holds them now.
    pub async fn permissions(
        &self,
        user_id: i64,
        guild_id: i64,
        provider: Provider,
    ) -> Result<Option<Permissions>, ActorError> {
        let revision = self.records.guild_revision(guild_id).await?;
        let kept = self.kept(guild_id, revision, |f| f.grants.get(&(user_id, provider)).cloned());
        if let Some(grant) = kept {
            return Ok(grant);
        }
        let grant = self.records.permissions(user_id, guild_id, provider).await?;
        self.keep(guild_id, revision, |f| {
            f.grants.insert((user_id, provider), grant.clone());
        });
        Ok(grant)
    }

    /// A guild's active policies, by priority, as the database holds them now.
    pub async fn policies(&self, guild_id: i64) -> Result<Arc<Vec<Policy>>, ActorError> {
        let revision = self.records.guild_revision(guild_id).await?;
        if let Some(policies) = self.kept(guild_id, revision, |f| f.policies.clone()) {
            return Ok(policies);
        }
        let policies = self.records.policies(guild_id).await?;
        self.keep(guild_id, revision, |f| f.policies = Some(policies.clone()));
        Ok(policies)
    }

    /// What is kept of the guild, if it was read at `revision`.
    fn kept<T>(&self, guild_id: i64, revision: i64, get: impl FnOnce(&GuildFacts) -> Option<T>) -> Option<T> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let found = cache.get(&guild_id).filter(|f| f.revision == revision).and_then(get);
        let counter = if found.is_some() { &self.stats.hits } else { &self.stats.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps what was read after `revision` was: under it, unless a newer revision is kept already.
    fn keep(&self, guild_id: i64, revision: i64, put: impl FnOnce(&mut GuildFacts)) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHED_GUILDS && !cache.contains_key(&guild_id) {
            cache.clear();
        }
        let facts = cache.entry(guild_id).or_default();
        if facts.revision > revision {
            return;
        }
        if facts.revision < revision {
            *facts = GuildFacts { revision, ..GuildFacts::default() };
        }
        put(facts);
    }

    /// Grants (or replaces) permissions.
    pub async fn grant(&self, grant: Grant) -> Result<Permissions, ActorError> {
        self.slot.call(|reply| PolicyMsg::Grant { grant, reply }).await
    }

    /// Revokes a grant; whether there was one.
    pub async fn revoke(&self, user_id: i64, guild_id: i64, provider: Provider, by: i64) -> Result<bool, ActorError> {
        self.slot.call(|reply| PolicyMsg::Revoke { user_id, guild_id, provider, by, reply }).await
    }

    /// Adds a policy.
    pub async fn add_policy(&self, policy: NewPolicy) -> Result<Policy, ActorError> {
        self.slot.call(|reply| PolicyMsg::AddPolicy { policy, reply }).await
    }

    /// Deactivates a policy of the guild.
    pub async fn remove_policy(&self, guild_id: i64, policy_id: i64, by: i64) -> Result<(), ActorError> {
        self.slot.call(|reply| PolicyMsg::RemovePolicy { guild_id, policy_id, by, reply }).await
    }

    /// Test hook: makes the actor fail while this call waits.
    #[cfg(feature = "test-hooks")]
    pub async fn inject_failure(&self) -> Result<(), ActorError> {
        self.slot.call(PolicyMsg::InjectFailure).await
    }
}
