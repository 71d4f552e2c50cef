//! A project's revision: every transaction that changes its resources takes the next one first
//! and stamps it on each row it writes (`cloud_resources.revision`). Taking it updates the
//! project's row, so such transactions follow each other per project, in every process: whoever
//! reads revision R reads every row stamped R or lower, committed. The Terraform generator reads
//! only the rows stamped after the revision it last read (`store::spec`).

use sea_orm::sea_query::{Expr, ExprTrait};
use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use entities::cloud_projects::{self, Column};

use super::{StoreError, StoreResult};

/// Takes `project_id`'s next revision; call it inside the transaction that changes the project's
/// resources, before writing them (a revision committed without its rows would be read as having
/// none). An unknown project is "not found".
pub async fn next<C: ConnectionTrait>(db: &C, project_id: &str) -> StoreResult<i64> {
    let updated = cloud_projects::Entity::update_many()
        .col_expr(Column::Revision, Expr::col(Column::Revision).add(1))
        .filter(Column::Id.eq(project_id))
        .exec_with_returning(db)
        .await?;
    match updated.first() {
        Some(project) => Ok(project.revision),
        None => Err(StoreError::not_found("project", project_id)),
    }
}

/// Locks the rows of `projects` (PostgreSQL: `SELECT … FOR UPDATE`, in id order) for a batch that
/// will take their revisions after locking their quota rows: the request-by-request path takes a
/// project's revision before its quota rows, so the batch takes the project's row first too, and
/// two processes never wait on each other in opposite orders. SQLite has one writer: nothing to do.
pub async fn lock<C: ConnectionTrait>(db: &C, projects: &BTreeSet<&str>) -> StoreResult<()> {
    if projects.is_empty() || db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    cloud_projects::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Id.is_in(projects.iter().copied()))
        .order_by_asc(Column::Id)
        .lock_exclusive()
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok(())
}
