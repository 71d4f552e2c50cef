//! Quotas: check, reserve, commit, release, consume, free and usage.
//!
//! Every change is one conditional UPDATE per quota row whose WHERE clause carries the guard
//! (`used + reserved + n <= quota_limit`, `reserved >= n`, ...), so the database, not this process,
//! decides; several processes sharing one PostgreSQL can never overshoot. A change touches the
//! project-wide row (`*`) and, when one exists, the row of the request's region. Several lines are
//! applied in one transaction: all of them or none.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionSession,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use entities::cloud_quotas::{self, Column};

use super::{Conflict, StoreError, StoreResult, now};
use crate::domain::QuotaType;
use crate::domain::quota::ANY_REGION;

/// Largest amount one call may move, far above any real request; refuses absurd input early.
pub const MAX_AMOUNT: i64 = 1_000_000;
/// Largest amount of a money line (micro-dollars: a billion dollars a month).
pub const MAX_MONEY_AMOUNT: i64 = 1_000_000_000_000_000;

/// `amount` units of `quota_type` for a request in `region`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuotaAmount {
    /// Quota type.
    pub quota_type: QuotaType,
    /// Region of the request (matches the `*` row and that region's row, if any).
    pub region: String,
    /// Units, positive.
    pub amount: i64,
}

impl QuotaAmount {
    /// Builds a line.
    pub fn new(quota_type: QuotaType, region: impl Into<String>, amount: i64) -> Self {
        Self { quota_type, region: region.into(), amount }
    }
}

/// What `check` found for one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaCheck {
    /// Whether `amount` more would fit in every matching row.
    pub allowed: bool,
    /// Used units of the tightest row.
    pub used: i64,
    /// Reserved units of the tightest row.
    pub reserved: i64,
    /// Limit of the tightest row.
    pub limit: i64,
    /// `limit - used - reserved` of the tightest row.
    pub available: i64,
}

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

impl QuotaOp {
    /// Whether `row` accepts `n` more of this change: the guard of its conditional UPDATE.
    pub fn fits(self, row: &cloud_quotas::Model, n: i64) -> bool {
        match self {
            QuotaOp::Reserve | QuotaOp::Consume => row.used + row.reserved + n <= row.quota_limit,
            QuotaOp::Commit | QuotaOp::Release => row.reserved >= n,
            QuotaOp::Free => row.used >= n,
        }
    }

    /// Applies `n` of this change to `row` in memory, as its UPDATE does in the database.
    pub fn apply_to(self, row: &mut cloud_quotas::Model, n: i64) {
        match self {
            QuotaOp::Reserve => row.reserved += n,
            QuotaOp::Consume => row.used += n,
            QuotaOp::Commit => {
                row.reserved -= n;
                row.used += n;
            }
            QuotaOp::Release => row.reserved -= n,
            QuotaOp::Free => row.used -= n,
        }
    }
}

/// Reports whether `amount` more units would fit, without changing anything.
pub async fn check<C: ConnectionTrait>(db: &C, project_id: &str, line: &QuotaAmount) -> StoreResult<QuotaCheck> {
    validate(line)?;
    let rows = rows_in_scope(db, project_id, line).await?;
    let tightest =
        rows.iter().min_by_key(|r| r.quota_limit - r.used - r.reserved).ok_or_else(|| not_found(project_id, line))?;
    let available = tightest.quota_limit - tightest.used - tightest.reserved;
    Ok(QuotaCheck {
        allowed: line.amount <= available,
        used: tightest.used,
        reserved: tightest.reserved,
        limit: tightest.quota_limit,
        available,
    })
}

/// Sets aside units for a pending lobby: `reserved += n` where `used + reserved + n <= limit`.
pub async fn reserve<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    lines: &[QuotaAmount],
) -> StoreResult<()> {
    apply(db, project_id, lines, QuotaOp::Reserve).await
}

/// Turns a reservation into usage: `reserved -= n, used += n` where `reserved >= n`.
pub async fn commit<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    lines: &[QuotaAmount],
) -> StoreResult<()> {
    apply(db, project_id, lines, QuotaOp::Commit).await
}

/// Gives a reservation back: `reserved -= n` where `reserved >= n`.
pub async fn release<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    lines: &[QuotaAmount],
) -> StoreResult<()> {
    apply(db, project_id, lines, QuotaOp::Release).await
}

/// Uses units directly, without a lobby: `used += n` where `used + reserved + n <= limit`.
pub async fn consume<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    lines: &[QuotaAmount],
) -> StoreResult<()> {
    apply(db, project_id, lines, QuotaOp::Consume).await
}

/// Returns used units when resources are deleted: `used -= n` where `used >= n`.
pub async fn free<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    lines: &[QuotaAmount],
) -> StoreResult<()> {
    apply(db, project_id, lines, QuotaOp::Free).await
}

/// Every quota row of a project, by type then region.
pub async fn usage<C: ConnectionTrait>(db: &C, project_id: &str) -> StoreResult<Vec<cloud_quotas::Model>> {
    Ok(cloud_quotas::Entity::find()
        .filter(Column::ProjectId.eq(project_id))
        .order_by_asc(Column::ResourceType)
        .order_by_asc(Column::Region)
        .all(db)
        .await?)
}

/// Every quota row of every project, by project, type and region (the metrics' quota gauges).
pub async fn all<C: ConnectionTrait>(db: &C) -> StoreResult<Vec<cloud_quotas::Model>> {
    Ok(cloud_quotas::Entity::find()
        .order_by_asc(Column::ProjectId)
        .order_by_asc(Column::ResourceType)
        .order_by_asc(Column::Region)
        .all(db)
        .await?)
}

/// Every quota row of several projects, by project, type and region (one query for many readers).
pub async fn usage_of<C: ConnectionTrait>(db: &C, project_ids: &[&str]) -> StoreResult<Vec<cloud_quotas::Model>> {
    Ok(cloud_quotas::Entity::find()
        .filter(Column::ProjectId.is_in(project_ids.iter().copied()))
        .order_by_asc(Column::ProjectId)
        .order_by_asc(Column::ResourceType)
        .order_by_asc(Column::Region)
        .all(db)
        .await?)
}

/// Applies `op` to every line, all or none (in a savepoint when `db` is already a transaction).
pub async fn apply<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    lines: &[QuotaAmount],
    op: QuotaOp,
) -> StoreResult<()> {
    let moves: Vec<Move> = lines.iter().map(|line| (op, line.clone())).collect();
    apply_moves(db, project_id, &moves).await
}

/// Sets a project's limit for a quota type (the project-wide row): refused, changing nothing, when
/// it is below what is used and reserved. The budget line also updates the project's budget.
pub async fn set_limit<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    quota_type: QuotaType,
    limit: i64,
) -> StoreResult<cloud_quotas::Model> {
    let max = if quota_type == QuotaType::BudgetMonthly { MAX_MONEY_AMOUNT } else { MAX_AMOUNT };
    if !(0..=max).contains(&limit) {
        return Err(StoreError::InvalidInput(format!("a {quota_type} limit must be between 0 and {max}, got {limit}")));
    }
    let txn = db.begin().await?;
    // The guarded UPDATE first: it takes the write lock (SQLite) and decides.
    let changed = cloud_quotas::Entity::update_many()
        .col_expr(Column::QuotaLimit, Expr::value(limit))
        .col_expr(Column::UpdatedAt, Expr::value(now()))
        .filter(Column::ProjectId.eq(project_id))
        .filter(Column::ResourceType.eq(quota_type))
        .filter(Column::Region.eq(ANY_REGION))
        .filter(Expr::col(Column::Used).add(Expr::col(Column::Reserved)).lte(limit))
        .exec(&txn)
        .await?
        .rows_affected;
    let found = cloud_quotas::Entity::find()
        .filter(Column::ProjectId.eq(project_id))
        .filter(Column::ResourceType.eq(quota_type))
        .filter(Column::Region.eq(ANY_REGION))
        .one(&txn)
        .await?;
    let row = match found {
        Some(row) => row,
        // A project created without a budget gets its first one now.
        None if quota_type == QuotaType::BudgetMonthly => {
            let row = open_budget(&txn, project_id, limit).await?;
            txn.commit().await?;
            return Ok(row);
        }
        None => return Err(StoreError::not_found("quota", format!("{project_id}/{quota_type}"))),
    };
    if changed == 0 {
        return Err(StoreError::InvalidInput(format!(
            "{quota_type} of {project_id} cannot go below what is used and reserved ({} + {})",
            row.used, row.reserved
        )));
    }
    if quota_type == QuotaType::BudgetMonthly {
        entities::cloud_projects::Entity::update_many()
            .col_expr(entities::cloud_projects::Column::MonthlyBudgetMicros, Expr::value(limit))
            .filter(entities::cloud_projects::Column::Id.eq(project_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// The first budget line of a project created without one: `used` is what its resources cost a
/// month now (what `check` holds the line to), and it must fit under the limit. Refused while
/// lobbies of the project are open: they were priced without a budget, so none holds its share of
/// the line, and their approval would leave `used` short of the spend.
async fn open_budget<C: ConnectionTrait>(txn: &C, project_id: &str, limit: i64) -> StoreResult<cloud_quotas::Model> {
    use entities::cloud_projects;
    use sea_orm::ActiveValue::Set;
    let project = cloud_projects::Entity::find_by_id(project_id.to_owned())
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::not_found("project", project_id))?;
    let open = super::sessions::list_pending_for_project(txn, project_id).await?.len();
    if open > 0 {
        return Err(StoreError::InvalidInput(format!(
            "{project_id} has no budget yet and {open} open lobb{} priced without one; approve or cancel {} first",
            if open == 1 { "y" } else { "ies" },
            if open == 1 { "it" } else { "them" }
        )));
    }
    let used = super::resources::project_hourly_spend(txn, project_id).await?.monthly_from_hourly().micros();
    if used > limit {
        return Err(StoreError::InvalidInput(format!(
            "{} of {project_id} cannot go below what its resources cost a month ({})",
            QuotaType::BudgetMonthly,
            crate::domain::Money::from_micros(used).cents()
        )));
    }
    let row = cloud_quotas::ActiveModel {
        project_id: Set(project.id.clone()),
        resource_type: Set(QuotaType::BudgetMonthly),
        region: Set(ANY_REGION.to_owned()),
        quota_limit: Set(limit),
        used: Set(used),
        reserved: Set(0),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row = cloud_quotas::Entity::insert(row).exec_with_returning(txn).await?;
    cloud_projects::Entity::update_many()
        .col_expr(cloud_projects::Column::MonthlyBudgetMicros, Expr::value(limit))
        .filter(cloud_projects::Column::Id.eq(project_id))
        .exec(txn)
        .await?;
    Ok(row)
}

/// One line and what to do with it.
pub type Move = (QuotaOp, QuotaAmount);

/// Applies each move's operation to its line, all or none (in a savepoint when `db` is already a
/// transaction): a resize commits what grows and frees what shrinks in one change.
pub async fn apply_moves<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    moves: &[Move],
) -> StoreResult<()> {
    for (_, line) in moves {
        validate(line)?;
    }
    let txn = db.begin().await?;
    for (op, line) in moves {
        apply_line(&txn, project_id, line, *op).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn apply_line<C: ConnectionTrait>(db: &C, project_id: &str, line: &QuotaAmount, op: QuotaOp) -> StoreResult<()> {
    let n = line.amount;
    let (used, reserved, limit) = (Expr::col(Column::Used), Expr::col(Column::Reserved), Expr::col(Column::QuotaLimit));
    let mut update = cloud_quotas::Entity::update_many().col_expr(Column::UpdatedAt, Expr::value(now()));
    let guard = match op {
        QuotaOp::Reserve => {
            update = update.col_expr(Column::Reserved, reserved.clone().add(n));
            used.add(reserved).add(n).lte(limit)
        }
        QuotaOp::Consume => {
            update = update.col_expr(Column::Used, used.clone().add(n));
            used.add(reserved).add(n).lte(limit)
        }
        QuotaOp::Commit => {
            update = update.col_expr(Column::Reserved, reserved.clone().sub(n)).col_expr(Column::Used, used.add(n));
            reserved.gte(n)
        }
        QuotaOp::Release => {
            update = update.col_expr(Column::Reserved, reserved.clone().sub(n));
            reserved.gte(n)
        }
        QuotaOp::Free => {
            update = update.col_expr(Column::Used, used.clone().sub(n));
            used.gte(n)
        }
    };
    // The UPDATE runs first so a transaction takes the write lock before it reads (SQLite).
    let changed = update.filter(scope(project_id, line)).filter(guard).exec(db).await?.rows_affected;
    let matched = cloud_quotas::Entity::find().filter(scope(project_id, line)).count(db).await?;
    if matched == 0 {
        return Err(not_found(project_id, line));
    }
    if changed == matched {
        return Ok(());
    }
    let rows = rows_in_scope(db, project_id, line).await?;
    Err(refusal(line, op, &rows))
}

/// The conflict to report for the first row whose guard refused `line`.
pub(super) fn refusal(line: &QuotaAmount, op: QuotaOp, rows: &[cloud_quotas::Model]) -> StoreError {
    let n = line.amount;
    let quota_type = line.quota_type.as_str().to_owned();
    let conflict = match op {
        QuotaOp::Reserve | QuotaOp::Consume => {
            // Rows that accepted the change already hold `n` more; undo that in the figure shown.
            let row = rows.iter().min_by_key(|r| r.quota_limit - r.used - r.reserved).expect("rows is not empty");
            Conflict::QuotaExhausted {
                quota_type,
                region: row.region.clone(),
                requested: n,
                available: Ord::max(row.quota_limit - row.used - row.reserved, 0),
                limit: row.quota_limit,
            }
        }
        QuotaOp::Commit | QuotaOp::Release => {
            Conflict::NotHeld { quota_type, requested: n, held: rows.iter().map(|r| r.reserved).min().unwrap_or(0) }
        }
        QuotaOp::Free => {
            Conflict::NotHeld { quota_type, requested: n, held: rows.iter().map(|r| r.used).min().unwrap_or(0) }
        }
    };
    StoreError::Conflict(conflict)
}

fn scope(project_id: &str, line: &QuotaAmount) -> Condition {
    Condition::all()
        .add(Column::ProjectId.eq(project_id))
        .add(Column::ResourceType.eq(line.quota_type.as_str()))
        .add(Column::Region.is_in([ANY_REGION, line.region.as_str()]))
}

async fn rows_in_scope<C: ConnectionTrait>(
    db: &C,
    project_id: &str,
    line: &QuotaAmount,
) -> StoreResult<Vec<cloud_quotas::Model>> {
    Ok(cloud_quotas::Entity::find().filter(scope(project_id, line)).all(db).await?)
}

pub(super) fn validate(line: &QuotaAmount) -> StoreResult<()> {
    let max = if line.quota_type == QuotaType::BudgetMonthly { MAX_MONEY_AMOUNT } else { MAX_AMOUNT };
    if line.amount <= 0 || line.amount > max {
        return Err(StoreError::InvalidInput(format!(
            "quota amount for {} must be between 1 and {max}, got {}",
            line.quota_type, line.amount
        )));
    }
    Ok(())
}

pub(super) fn not_found(project_id: &str, line: &QuotaAmount) -> StoreError {
    StoreError::not_found("quota", format!("{project_id}/{}", line.quota_type))
}
