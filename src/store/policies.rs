//! Infrastructure policies: create, list the active ones of a guild, deactivate.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use entities::infrastructure_policies::{self, Column};

use super::{Conflict, StoreError, StoreResult, now};
use crate::domain::validate::Policy;
use crate::domain::{Money, PolicyKind};

/// Longest policy name, pattern or value accepted.
pub const MAX_TEXT_LEN: usize = 100;
/// Most values one policy may list.
pub const MAX_VALUES: usize = 32;

/// A new policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicy {
    /// Guild it applies in.
    pub guild_id: i64,
    /// Display name.
    pub name: String,
    /// What it checks.
    pub kind: PolicyKind,
    /// Which requests it applies to (`*`, `type:compute.instances`, `type:database`, `name:web-*`).
    pub resource_pattern: String,
    /// Values allowed (regions, roles, ...).
    pub allowed_values: Vec<String>,
    /// Values refused (`public`, `0.0.0.0/0`, ...).
    pub denied_values: Vec<String>,
    /// Largest hourly cost for `cost` policies.
    pub max_cost_per_hour: Option<Money>,
    /// Violations need a CloudAdmin's approval instead of being refused.
    pub require_approval: bool,
    /// Lower runs first.
    pub priority: i32,
    /// Who created it.
    pub created_by: i64,
}

/// Stores a new active policy, taking the guild's next revision with it.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    new: NewPolicy,
) -> StoreResult<infrastructure_policies::Model> {
    let guild_id = new.guild_id;
    super::guild_revisions::changing(db, guild_id, async |txn| insert(txn, new).await).await
}

async fn insert<C: ConnectionTrait>(db: &C, new: NewPolicy) -> StoreResult<infrastructure_policies::Model> {
    let texts = [&new.name, &new.resource_pattern].into_iter().chain(&new.allowed_values).chain(&new.denied_values);
    for text in texts {
        if text.trim().is_empty() || text.chars().count() > MAX_TEXT_LEN || text.chars().any(char::is_control) {
            return Err(StoreError::InvalidInput(format!(
                "policy names, patterns and values must be 1 to {MAX_TEXT_LEN} printable characters"
            )));
        }
    }
    if new.allowed_values.len() > MAX_VALUES || new.denied_values.len() > MAX_VALUES {
        return Err(StoreError::InvalidInput(format!("a policy lists at most {MAX_VALUES} values")));
    }
    if new.max_cost_per_hour.is_some_and(|m| m < Money::ZERO) {
        return Err(StoreError::InvalidInput("max cost per hour must not be negative".into()));
    }
    let model = infrastructure_policies::ActiveModel {
        guild_id: Set(new.guild_id),
        name: Set(new.name.trim().to_owned()),
        policy_type: Set(new.kind),
        resource_pattern: Set(new.resource_pattern.trim().to_owned()),
        allowed_values: Set(serde_json::json!(new.allowed_values)),
        denied_values: Set(serde_json::json!(new.denied_values)),
        max_cost_per_hour_micros: Set(new.max_cost_per_hour.map(Money::micros)),
        require_approval: Set(new.require_approval),
        priority: Set(new.priority),
        is_active: Set(true),
        created_by: Set(new.created_by),
        created_at: Set(now()),
        ..Default::default()
    };
    Ok(infrastructure_policies::Entity::insert(model).exec_with_returning(db).await?)
}

/// A guild's active policies, lowest priority first, ties by id.
pub async fn list_active<C: ConnectionTrait>(
    db: &C,
    guild_id: i64,
) -> StoreResult<Vec<infrastructure_policies::Model>> {
    Ok(infrastructure_policies::Entity::find()
        .filter(Column::GuildId.eq(guild_id))
        .filter(Column::IsActive.eq(true))
        .order_by_asc(Column::Priority)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

/// Deactivates a guild's policy, taking the guild's next revision; another guild's policy id is
/// "not found".
pub async fn deactivate<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    guild_id: i64,
    policy_id: i64,
) -> StoreResult<()> {
    super::guild_revisions::changing(db, guild_id, async |txn| switch_off(txn, guild_id, policy_id).await).await
}

async fn switch_off<C: ConnectionTrait>(db: &C, guild_id: i64, policy_id: i64) -> StoreResult<()> {
    let res = infrastructure_policies::Entity::update_many()
        .col_expr(Column::IsActive, Expr::value(false))
        .filter(Column::Id.eq(policy_id))
        .filter(Column::GuildId.eq(guild_id))
        .filter(Column::IsActive.eq(true))
        .exec(db)
        .await?;
    if res.rows_affected == 1 {
        return Ok(());
    }
    match infrastructure_policies::Entity::find_by_id(policy_id).one(db).await? {
        Some(p) if p.guild_id == guild_id => Err(StoreError::Conflict(Conflict::InvalidState {
            entity: "policy",
            key: policy_id.to_string(),
            state: "inactive".into(),
            by: None,
        })),
        _ => Err(StoreError::not_found("policy", policy_id)),
    }
}

/// The validator's view of a stored policy. An unreadable type or value list makes a policy the
/// validator reports as broken (it fails closed) rather than one that silently passes.
pub fn to_policy(row: &infrastructure_policies::Model) -> Policy {
    let list = |v: &serde_json::Value| -> Vec<String> {
        serde_json::from_value(v.clone()).unwrap_or_else(|_| vec!["(unreadable)".to_owned()])
    };
    Policy {
        id: row.id,
        name: row.name.clone(),
        policy_type: row.policy_type,
        resource_pattern: row.resource_pattern.clone(),
        allowed_values: list(&row.allowed_values),
        denied_values: list(&row.denied_values),
        max_cost_per_hour: row.max_cost_per_hour_micros.map(Money::from_micros),
        require_approval: row.require_approval,
        priority: row.priority,
    }
}
