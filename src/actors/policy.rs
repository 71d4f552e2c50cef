//! The PolicyActor: guild policies and member permissions, cached. Every write that changes them
//! goes through this actor and invalidates what it touched; entries also expire after a short time,
//! so a change made by another process sharing the database shows up soon.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use sea_orm::DatabaseConnection;
use tokio::time::Instant;

use super::{ActorError, ActorSlot};
use crate::domain::Provider;
use crate::domain::validate::{Permissions, Policy};
use crate::store::history::{self, HistoryEntry};
use crate::store::permissions::{self, Grant};
use crate::store::policies::{self, NewPolicy};

/// How long a cached entry is trusted.
pub const CACHE_TTL: Duration = Duration::from_secs(30);
/// Entries kept before the permission cache is cleared.
const MAX_ENTRIES: usize = 50_000;

type PermissionKey = (i64, i64, Provider);

/// Messages of the PolicyActor.
pub enum PolicyMsg {
    /// A member's permissions for a provider in a guild (`None`: no grant).
    Permissions {
        user_id: i64,
        guild_id: i64,
        provider: Provider,
        reply: RpcReplyPort<Result<Option<Permissions>, ActorError>>,
    },
    /// A guild's active policies, by priority.
    Policies { guild_id: i64, reply: RpcReplyPort<Result<Arc<Vec<Policy>>, ActorError>> },
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

/// Its state: the connection and the caches.
pub struct PolicyState {
    db: DatabaseConnection,
    policies: HashMap<i64, (Instant, Arc<Vec<Policy>>)>,
    permissions: HashMap<PermissionKey, (Instant, Option<Permissions>)>,
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
        Ok(PolicyState { db, policies: HashMap::new(), permissions: HashMap::new() })
    }

    async fn handle(
        &self,
        _: ActorRef<PolicyMsg>,
        msg: PolicyMsg,
        state: &mut PolicyState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            PolicyMsg::Permissions { user_id, guild_id, provider, reply } => {
                let _ = reply.send(state.permissions(user_id, guild_id, provider).await);
            }
            PolicyMsg::Policies { guild_id, reply } => {
                let _ = reply.send(state.policies(guild_id).await);
            }
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

fn fresh(at: Instant) -> bool {
    at.elapsed() < CACHE_TTL
}

impl PolicyState {
    async fn permissions(
        &mut self,
        user_id: i64,
        guild_id: i64,
        provider: Provider,
    ) -> Result<Option<Permissions>, ActorError> {
        let key = (user_id, guild_id, provider);
        if let Some((at, cached)) = self.permissions.get(&key)
            && fresh(*at)
        {
            return Ok(cached.clone());
        }
        let loaded =
            permissions::get(&self.db, user_id, guild_id, provider).await?.map(|row| permissions::to_permissions(&row));
        if self.permissions.len() >= MAX_ENTRIES {
            self.permissions.clear();
        }
        self.permissions.insert(key, (Instant::now(), loaded.clone()));
        Ok(loaded)
    }

    async fn policies(&mut self, guild_id: i64) -> Result<Arc<Vec<Policy>>, ActorError> {
        if let Some((at, cached)) = self.policies.get(&guild_id)
            && fresh(*at)
        {
            return Ok(cached.clone());
        }
        let rows = policies::list_active(&self.db, guild_id).await?;
        let loaded = Arc::new(rows.iter().map(policies::to_policy).collect::<Vec<_>>());
        if self.policies.len() >= MAX_ENTRIES {
            self.policies.clear();
        }
        self.policies.insert(guild_id, (Instant::now(), loaded.clone()));
        Ok(loaded)
    }

    async fn grant(&mut self, grant: Grant) -> Result<Permissions, ActorError> {
        let key = (grant.user_id, grant.guild_id, grant.provider);
        let (by, role) = (grant.granted_by, grant.permissions.role);
        let row = permissions::grant(&self.db, grant).await?;
        self.permissions.remove(&key);
        self.audit(key.1, by, "grant", serde_json::json!({ "user_id": key.0, "provider": key.2, "role": role })).await;
        Ok(permissions::to_permissions(&row))
    }

    async fn revoke(&mut self, user_id: i64, guild_id: i64, provider: Provider, by: i64) -> Result<bool, ActorError> {
        let existed = permissions::revoke(&self.db, user_id, guild_id, provider).await?;
        self.permissions.remove(&(user_id, guild_id, provider));
        if existed {
            self.audit(guild_id, by, "revoke", serde_json::json!({ "user_id": user_id, "provider": provider })).await;
        }
        Ok(existed)
    }

    async fn add_policy(&mut self, new: NewPolicy) -> Result<Policy, ActorError> {
        let (guild_id, by) = (new.guild_id, new.created_by);
        let row = policies::create(&self.db, new).await?;
        self.policies.remove(&guild_id);
        let policy = policies::to_policy(&row);
        self.audit(guild_id, by, "policy_add", serde_json::json!({ "policy": &policy })).await;
        Ok(policy)
    }

    async fn remove_policy(&mut self, guild_id: i64, policy_id: i64, by: i64) -> Result<(), ActorError> {
        policies::deactivate(&self.db, guild_id, policy_id).await?;
        self.policies.remove(&guild_id);
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

/// Typed access to the PolicyActor.
#[derive(Clone)]
pub struct PolicyHandle {
    slot: ActorSlot<PolicyMsg>,
}

impl PolicyHandle {
    /// A handle over a slot the supervisor fills.
    pub fn new(slot: ActorSlot<PolicyMsg>) -> Self {
        Self { slot }
    }

    /// A member's permissions (`None`: no grant).
    pub async fn permissions(
        &self,
        user_id: i64,
        guild_id: i64,
        provider: Provider,
    ) -> Result<Option<Permissions>, ActorError> {
        self.slot.call(|reply| PolicyMsg::Permissions { user_id, guild_id, provider, reply }).await
    }

    /// A guild's active policies, by priority.
    pub async fn policies(&self, guild_id: i64) -> Result<Arc<Vec<Policy>>, ActorError> {
        self.slot.call(|reply| PolicyMsg::Policies { guild_id, reply }).await
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
