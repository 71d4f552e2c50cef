//! Permissions: get, grant (insert or replace), revoke.

use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use entities::user_cloud_permissions::{self, Column};

use super::{StoreError, StoreResult, now};
use crate::domain::validate::Permissions;
use crate::domain::{Money, Provider, Role};

/// Longest list of allowed regions accepted in one grant.
pub const MAX_REGIONS: usize = 32;

/// What a grant gives a member for one provider in one guild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Member receiving the grant.
    pub user_id: i64,
    /// Guild it applies in.
    pub guild_id: i64,
    /// Provider it applies to.
    pub provider: Provider,
    /// Role, flags and limits.
    pub permissions: Permissions,
    /// Who granted it.
    pub granted_by: i64,
}

impl Grant {
    /// The defaults of a role (see [`Permissions::for_role`]).
    pub fn for_role(user_id: i64, guild_id: i64, provider: Provider, role: Role, granted_by: i64) -> Grant {
        Grant { user_id, guild_id, provider, permissions: Permissions::for_role(role), granted_by }
    }
}

/// Inside a transaction: refuses, as [`Conflict::OverBudget`](super::Conflict::OverBudget), a change
/// that makes a member's resources (in the guild, for the provider) cost more a month than their
/// grant's current budget. The grant row is locked first (PostgreSQL: `FOR UPDATE`; SQLite: a no-op
/// update takes the write lock), so two processes approving for one member are decided one after
/// the other, each seeing what the other committed.
pub async fn hold_budget<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    guild_id: i64,
    provider: Provider,
    adds_hourly: Money,
) -> StoreResult<()> {
    let scoped = |q: sea_orm::Select<user_cloud_permissions::Entity>| {
        q.filter(Column::UserId.eq(user_id)).filter(Column::GuildId.eq(guild_id)).filter(Column::Provider.eq(provider))
    };
    let grant = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => scoped(user_cloud_permissions::Entity::find()).lock_exclusive().one(db).await?,
        _ => {
            user_cloud_permissions::Entity::update_many()
                .col_expr(Column::Id, Expr::col(Column::Id))
                .filter(Column::UserId.eq(user_id))
                .filter(Column::GuildId.eq(guild_id))
                .filter(Column::Provider.eq(provider))
                .exec(db)
                .await?;
            scoped(user_cloud_permissions::Entity::find()).one(db).await?
        }
    };
    let Some(limit) = grant.and_then(|g| g.budget_limit_micros).map(Money::from_micros) else { return Ok(()) };
    let spent_hourly = super::resources::user_hourly_spend(db, user_id, guild_id, provider).await?;
    let spent = spent_hourly.monthly_from_hourly();
    let after = Money::from_micros(spent_hourly.micros().saturating_add(adds_hourly.micros())).monthly_from_hourly();
    if after > limit {
        let adds = adds_hourly.monthly_from_hourly();
        return Err(StoreError::Conflict(super::Conflict::OverBudget { user_id, spent, adds, limit }));
    }
    Ok(())
}

/// The validator's view of a stored grant; unreadable values fall back to the strictest reading.
pub fn to_permissions(row: &user_cloud_permissions::Model) -> Permissions {
    Permissions {
        role: row.role,
        can_create_vm: row.can_create_vm,
        can_create_db: row.can_create_db,
        can_create_k8s: row.can_create_k8s,
        can_create_network: row.can_create_network,
        can_create_storage: row.can_create_storage,
        can_delete: row.can_delete,
        max_vm_size: row.max_vm_size,
        // An empty list would allow every region; an unreadable one allows none.
        allowed_regions: row
            .allowed_regions
            .as_ref()
            .map(|v| serde_json::from_value(v.clone()).unwrap_or_else(|_| vec!["(unreadable)".to_owned()])),
        budget_limit: row.budget_limit_micros.map(Money::from_micros),
    }
}

/// The member's grant for a provider in a guild, if any.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    guild_id: i64,
    provider: Provider,
) -> StoreResult<Option<user_cloud_permissions::Model>> {
    Ok(user_cloud_permissions::Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::GuildId.eq(guild_id))
        .filter(Column::Provider.eq(provider.as_str()))
        .one(db)
        .await?)
}

/// Every grant of a guild, by user then provider.
pub async fn list_for_guild<C: ConnectionTrait>(
    db: &C,
    guild_id: i64,
) -> StoreResult<Vec<user_cloud_permissions::Model>> {
    Ok(user_cloud_permissions::Entity::find()
        .filter(Column::GuildId.eq(guild_id))
        .order_by_asc(Column::UserId)
        .order_by_asc(Column::Provider)
        .all(db)
        .await?)
}

/// Grants or replaces the member's permissions for a provider in a guild (an upsert), taking the
/// guild's next revision with it.
pub async fn grant<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    grant: Grant,
) -> StoreResult<user_cloud_permissions::Model> {
    let guild_id = grant.guild_id;
    super::guild_revisions::changing(db, guild_id, async |txn| upsert(txn, grant).await).await
}

async fn upsert<C: ConnectionTrait>(db: &C, grant: Grant) -> StoreResult<user_cloud_permissions::Model> {
    let p = &grant.permissions;
    if p.budget_limit.is_some_and(|b| b < Money::ZERO) {
        return Err(StoreError::InvalidInput("budget must not be negative".into()));
    }
    if let Some(regions) = &p.allowed_regions
        && (regions.len() > MAX_REGIONS || regions.iter().any(|r| r.is_empty() || r.len() > 64))
    {
        return Err(StoreError::InvalidInput(format!(
            "allowed regions: 1 to {MAX_REGIONS} names of 1 to 64 characters"
        )));
    }
    let model = user_cloud_permissions::ActiveModel {
        user_id: Set(grant.user_id),
        guild_id: Set(grant.guild_id),
        provider: Set(grant.provider),
        role: Set(p.role),
        can_create_vm: Set(p.can_create_vm),
        can_create_db: Set(p.can_create_db),
        can_create_k8s: Set(p.can_create_k8s),
        can_create_network: Set(p.can_create_network),
        can_create_storage: Set(p.can_create_storage),
        can_delete: Set(p.can_delete),
        max_vm_size: Set(p.max_vm_size),
        allowed_regions: Set(p.allowed_regions.as_ref().map(|r| serde_json::json!(r))),
        budget_limit_micros: Set(p.budget_limit.map(Money::micros)),
        granted_by: Set(grant.granted_by),
        granted_at: Set(now()),
        ..Default::default()
    };
    let on_conflict = OnConflict::columns([Column::UserId, Column::GuildId, Column::Provider])
        .update_columns([
            Column::Role,
            Column::CanCreateVm,
            Column::CanCreateDb,
            Column::CanCreateK8s,
            Column::CanCreateNetwork,
            Column::CanCreateStorage,
            Column::CanDelete,
            Column::MaxVmSize,
            Column::AllowedRegions,
            Column::BudgetLimitMicros,
            Column::GrantedBy,
            Column::GrantedAt,
        ])
        .to_owned();
    user_cloud_permissions::Entity::insert(model).on_conflict(on_conflict).exec(db).await?;
    get(db, grant.user_id, grant.guild_id, grant.provider)
        .await?
        .ok_or_else(|| StoreError::not_found("permission", grant.user_id))
}

/// Removes the member's grant for a provider; returns whether there was one.
pub async fn revoke<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user_id: i64,
    guild_id: i64,
    provider: Provider,
) -> StoreResult<bool> {
    super::guild_revisions::changing(db, guild_id, async |txn| remove(txn, user_id, guild_id, provider).await).await
}

async fn remove<C: ConnectionTrait>(db: &C, user_id: i64, guild_id: i64, provider: Provider) -> StoreResult<bool> {
    let res = user_cloud_permissions::Entity::delete_many()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::GuildId.eq(guild_id))
        .filter(Column::Provider.eq(provider.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}
