//! Many quota changes in a few statements: the QuotaActor's fast path for a batch.
//!
//! [`apply`] takes the write lock, reads every quota row the batch touches once, decides each
//! change in arrival order in memory with the very guards of `store::quotas` ([`QuotaOp::fits`]),
//! writes the effects of the accepted changes in multi-row statements and then each touched quota
//! row once, as a compare-and-set on the values it read. So a batch of a hundred reservations costs
//! about five statements instead of six hundred, and every change still gets its own outcome.
//!
//! It answers `Ok(None)` when the database did not behave as predicted (a lobby to end was no longer
//! pending, a name was taken, a row changed under the compare-and-set): the caller rolls back and
//! applies the batch change by change, which tells the changes apart exactly. Nothing is ever
//! decided from a stale read: the rows are read under the write lock (SQLite: a no-op UPDATE first;
//! PostgreSQL: `FOR UPDATE`), and the compare-and-set would catch it if they were not.

use std::collections::BTreeSet;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use entities::cloud_quotas::{self, Column};

use super::quotas::{Move, not_found, refusal, validate};
use super::writes::{self, Rows};
use super::{StoreResult, now};
use crate::domain::quota::ANY_REGION;

/// One change of a batch.
pub struct Change<'a> {
    /// Project.
    pub project_id: &'a str,
    /// Lines, each with its own operation, all or none.
    pub moves: &'a [Move],
    /// Writes that stand or fall with the lines, as checked rows.
    pub rows: &'a Rows,
}

/// Applies `changes` on `txn` (a transaction of the caller's): one outcome per change, or `None`
/// when the caller must roll back and apply them one by one (see the module documentation).
pub async fn apply<C: ConnectionTrait>(txn: &C, changes: &[Change<'_>]) -> StoreResult<Option<Vec<StoreResult<()>>>> {
    if changes.iter().any(|c| c.rows.in_order_only()) {
        return Ok(None);
    }
    // Projects whose resources the batch records are locked before their quota rows, in the order
    // the request-by-request path takes them (the revision, then the quota rows).
    let recording: BTreeSet<&str> = changes.iter().flat_map(|c| c.rows.recorded_projects()).collect();
    super::revisions::lock(txn, &recording).await?;
    let projects: BTreeSet<&str> = changes.iter().map(|c| c.project_id).collect();
    let read = rows_of(txn, projects).await?;
    let mut rows = read.clone();
    let mut accepted: Vec<&Rows> = Vec::with_capacity(changes.len());
    let mut outcomes = Vec::with_capacity(changes.len());
    for change in changes {
        let outcome = decide(&mut rows, change);
        match outcome {
            Ok(()) => accepted.push(change.rows),
            // Change by change, an effect that depends on the database (ending a lobby, taking a
            // name) runs before the lines and its failure is the one reported: it cannot be predicted.
            Err(_) if change.rows.depend_on_state() => return Ok(None),
            Err(_) => {}
        }
        outcomes.push(outcome);
    }
    match writes::write_all(txn, &accepted).await {
        Ok(true) => {}
        Ok(false) => return Ok(None),
        Err(e) if e.is_transient() => return Err(e),
        Err(e) => {
            tracing::debug!(error = %e, "batched effects refused; applying the batch change by change");
            return Ok(None);
        }
    }
    for (row, before) in rows.iter().zip(&read) {
        if (row.used, row.reserved) == (before.used, before.reserved) {
            continue;
        }
        let set = cloud_quotas::Entity::update_many()
            .col_expr(Column::Used, Expr::value(row.used))
            .col_expr(Column::Reserved, Expr::value(row.reserved))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::Id.eq(row.id))
            .filter(Column::Used.eq(before.used))
            .filter(Column::Reserved.eq(before.reserved))
            .filter(Column::QuotaLimit.eq(before.quota_limit))
            .exec(txn)
            .await?;
        if set.rows_affected != 1 {
            return Ok(None);
        }
    }
    Ok(Some(outcomes))
}

/// The quota rows of `projects`, read under the write lock, in id order.
async fn rows_of<C: ConnectionTrait>(txn: &C, projects: BTreeSet<&str>) -> StoreResult<Vec<cloud_quotas::Model>> {
    let mut query = cloud_quotas::Entity::find().filter(Column::ProjectId.is_in(projects)).order_by_asc(Column::Id);
    match txn.get_database_backend() {
        DbBackend::Postgres => query = query.lock_exclusive(),
        // SQLite has one writer: take its lock before reading, so nothing can change the rows
        // between this read and the writes (a no-op UPDATE takes the lock and matches nothing).
        _ => {
            cloud_quotas::Entity::update_many()
                .col_expr(Column::Used, Expr::col(Column::Used))
                .filter(Expr::val(1).eq(0))
                .exec(txn)
                .await?;
        }
    }
    Ok(query.all(txn).await?)
}

/// Decides one change against `rows` and, when every line fits, applies it to them: the same
/// outcome, line for line, as `store::quotas::apply` on the same state. Lines are applied in place
/// as they pass and undone if a later one fails, so nothing is copied on the way to a yes.
fn decide(rows: &mut [cloud_quotas::Model], change: &Change<'_>) -> StoreResult<()> {
    for (_, line) in change.moves {
        validate(line)?;
    }
    let mut undo: Vec<(usize, i64, i64)> = Vec::new();
    let outcome = apply_lines(rows, change, &mut undo);
    if outcome.is_err() {
        for &(i, used, reserved) in undo.iter().rev() {
            (rows[i].used, rows[i].reserved) = (used, reserved);
        }
    }
    outcome
}

/// Applies each line of `change` to the rows in its scope, recording in `undo` what it changed.
fn apply_lines(
    rows: &mut [cloud_quotas::Model],
    change: &Change<'_>,
    undo: &mut Vec<(usize, i64, i64)>,
) -> StoreResult<()> {
    for (op, line) in change.moves {
        let in_scope = |r: &cloud_quotas::Model| {
            r.project_id == change.project_id
                && r.resource_type == line.quota_type
                && (r.region == ANY_REGION || r.region == line.region)
        };
        let scoped: Vec<usize> = (0..rows.len()).filter(|&i| in_scope(&rows[i])).collect();
        if scoped.is_empty() {
            return Err(not_found(change.project_id, line));
        }
        if scoped.iter().any(|&i| !op.fits(&rows[i], line.amount)) {
            let shown: Vec<_> = scoped.iter().map(|&i| rows[i].clone()).collect();
            return Err(refusal(line, *op, &shown));
        }
        for i in scoped {
            undo.push((i, rows[i].used, rows[i].reserved));
            op.apply_to(&mut rows[i], line.amount);
        }
    }
    Ok(())
}
