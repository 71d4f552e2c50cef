//! The statements `cloud-chatops check` needs: every project, overdue lobbies, a project's quota
//! rows locked for a consistent reading, and the compare-and-set repairs of a quota row.
//!
//! Repairs are the one place a quota is written from a value computed in Rust, so each one is
//! guarded by the value it replaces and runs while the project's quota rows are locked: a lobby
//! opening or closing in another process either happened before the reading or waits for it.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use entities::{cloud_projects, cloud_quotas, deployment_sessions};

use super::{StoreResult, now};
use crate::domain::SessionStatus;

/// Every project, by id.
pub async fn all_projects<C: ConnectionTrait>(db: &C) -> StoreResult<Vec<cloud_projects::Model>> {
    Ok(cloud_projects::Entity::find().order_by_asc(cloud_projects::Column::Id).all(db).await?)
}

/// Pending lobbies whose deadline is before `at`, soonest first.
pub async fn overdue_sessions<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
) -> StoreResult<Vec<deployment_sessions::Model>> {
    Ok(deployment_sessions::Entity::find()
        .filter(deployment_sessions::Column::Status.eq(SessionStatus::Pending.as_str()))
        .filter(deployment_sessions::Column::ExpiresAt.lt(at))
        .order_by_asc(deployment_sessions::Column::ExpiresAt)
        .all(db)
        .await?)
}

/// Takes the write lock on a project's quota rows for the rest of the transaction (a no-op
/// UPDATE: row locks on PostgreSQL, the database write lock on SQLite), so every quota change
/// of the project, and the session and resource rows that ride with it, waits for the caller.
pub async fn lock_quotas<C: ConnectionTrait>(db: &C, project_id: &str) -> StoreResult<()> {
    cloud_quotas::Entity::update_many()
        .col_expr(cloud_quotas::Column::UpdatedAt, Expr::col(cloud_quotas::Column::UpdatedAt))
        .filter(cloud_quotas::Column::ProjectId.eq(project_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets a quota row's `used` and `reserved` if they still hold `seen`; returns whether it did.
pub async fn set_usage_if<C: ConnectionTrait>(
    db: &C,
    row_id: i64,
    seen: (i64, i64),
    set: (i64, i64),
) -> StoreResult<bool> {
    let res = cloud_quotas::Entity::update_many()
        .col_expr(cloud_quotas::Column::Used, Expr::value(set.0))
        .col_expr(cloud_quotas::Column::Reserved, Expr::value(set.1))
        .col_expr(cloud_quotas::Column::UpdatedAt, Expr::value(now()))
        .filter(cloud_quotas::Column::Id.eq(row_id))
        .filter(cloud_quotas::Column::Used.eq(seen.0))
        .filter(cloud_quotas::Column::Reserved.eq(seen.1))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
