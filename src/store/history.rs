//! Deployment history, the append-only audit log: append, list, purge.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use entities::deployment_history::{self, Column};

use super::json::{self, JsonColumns, JsonText};
use super::{StoreError, StoreResult, now};
use crate::domain::{Money, Provider, ResourceKind};

/// Longest error text kept in the log.
pub const MAX_ERROR_LEN: usize = 2_000;

/// One event to audit.
#[derive(Debug, Clone, Default)]
pub struct HistoryEntry {
    /// Guild.
    pub guild_id: i64,
    /// Member who acted.
    pub user_id: i64,
    /// Project, when the event concerns one.
    pub project_id: Option<String>,
    /// Lobby, when the event concerns one.
    pub session_id: Option<Uuid>,
    /// What happened (`deploy`, `cancel`, `expire`, `grant`, `policy`, `purge`, ...).
    pub action: String,
    /// Provider.
    pub provider: Option<Provider>,
    /// Resource kind.
    pub resource_type: Option<ResourceKind>,
    /// Resource name.
    pub resource_name: Option<String>,
    /// Anything else worth keeping, as JSON (an object).
    pub details: JsonText,
    /// The verdict, when there was one.
    pub verdict: Option<JsonText>,
    /// How it ended (`success`, `denied`, `cancelled`, `expired`, `failed`).
    pub outcome: String,
    /// Hourly cost involved.
    pub cost_hourly: Option<Money>,
    /// Error, when it failed.
    pub error: Option<String>,
}

/// Appends an event.
pub async fn append<C: ConnectionTrait>(db: &C, entry: HistoryEntry) -> StoreResult<deployment_history::Model> {
    Ok(deployment_history::Entity::insert(active_model(entry)?).exec_with_returning(db).await?)
}

/// The row of an event, checked; [`append`] stores one, `store::effects` many at once.
pub fn active_model(entry: HistoryEntry) -> StoreResult<deployment_history::ActiveModel> {
    json::assemble(parts(entry)?)
}

/// [`active_model`] with the JSON columns left unset and given as text beside it.
pub fn parts(
    entry: HistoryEntry,
) -> StoreResult<(deployment_history::ActiveModel, JsonColumns<deployment_history::ActiveModel>)> {
    if entry.action.is_empty() || entry.outcome.is_empty() {
        return Err(StoreError::InvalidInput("history entries need an action and an outcome".into()));
    }
    let details = if entry.details.is_null() { JsonText::default() } else { entry.details };
    let json = vec![(Column::Details, Some(details)), (Column::Verdict, entry.verdict)];
    let model = deployment_history::ActiveModel {
        guild_id: Set(entry.guild_id),
        user_id: Set(entry.user_id),
        project_id: Set(entry.project_id),
        session_id: Set(entry.session_id),
        action: Set(entry.action),
        provider: Set(entry.provider),
        resource_type: Set(entry.resource_type),
        resource_name: Set(entry.resource_name),
        outcome: Set(entry.outcome),
        cost_hourly_micros: Set(entry.cost_hourly.map(Money::micros)),
        error: Set(entry.error.map(|e| e.chars().take(MAX_ERROR_LEN).collect())),
        created_at: Set(now()),
        ..Default::default()
    };
    Ok((model, json))
}

/// The newest `limit` events of a guild, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    guild_id: i64,
    limit: u64,
) -> StoreResult<Vec<deployment_history::Model>> {
    Ok(deployment_history::Entity::find()
        .filter(Column::GuildId.eq(guild_id))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The newest `limit` events of one project, newest first (`/cloud-history`).
pub async fn recent_for_project<C: ConnectionTrait>(
    db: &C,
    project_id: &str,
    limit: u64,
) -> StoreResult<Vec<deployment_history::Model>> {
    Ok(deployment_history::Entity::find()
        .filter(Column::ProjectId.eq(project_id))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The events of one project, oldest first.
pub async fn list_for_project<C: ConnectionTrait>(
    db: &C,
    project_id: &str,
) -> StoreResult<Vec<deployment_history::Model>> {
    Ok(deployment_history::Entity::find()
        .filter(Column::ProjectId.eq(project_id))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

/// Deletes events older than `days` days; returns how many were removed.
pub async fn purge_older_than<C: ConnectionTrait>(db: &C, days: u32) -> StoreResult<u64> {
    if days == 0 {
        return Err(StoreError::InvalidInput("retention must be at least one day".into()));
    }
    purge_before(db, now() - TimeDelta::days(i64::from(days))).await
}

/// Deletes events created before `cutoff`; returns how many were removed.
pub async fn purge_before<C: ConnectionTrait>(db: &C, cutoff: DateTime<Utc>) -> StoreResult<u64> {
    let res = deployment_history::Entity::delete_many().filter(Column::CreatedAt.lt(cutoff)).exec(db).await?;
    Ok(res.rows_affected)
}
