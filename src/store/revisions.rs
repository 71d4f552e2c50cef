//! A project's revision: every transaction that changes its resources takes the next one first
//! and stamps it on each row it writes (`cloud_resources.revision`). Taking it updates the
//! project's row, so such transactions follow each other per project, in every process: whoever
//! reads revision R reads every row stamped R or lower, committed. The Terraform generator reads
//! only the rows stamped after the revision it last read (`store::spec`).

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use entities::cloud_projects::{self, Column};

use super::{StoreError, StoreResult};

/// Takes `project_id`'s next revision; call it inside the transaction that changes the project's
/// resources, before writing them. An unknown project is "not found".
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
