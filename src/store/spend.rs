//! A project's hourly spend, remembered by revision: every lobby opening and approval asks for it,
//! and summing it reads every live resource of the project (1,000 index entries in a large one).
//!
//! Every transaction that changes a project's resources stamps the project's next revision on the
//! rows it writes (`store::revisions`), as the generator's spec source relies on too. So what was
//! summed up to revision R, plus the rows stamped after R, is the spend now: a reading after an
//! approval reads that approval's row, not the project's thousand. The project's revision is read
//! before the rows, so a row stamped later is read again next time, which changes nothing; a row
//! stamped at or below the revision read is committed with it. [`super::resources::project_hourly_spend`]
//! stays the fresh sum, and a test holds this against it after every kind of change.

use std::collections::HashMap;
use std::num::NonZeroUsize;

use entities::kinds::RecordStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};

use super::revisions::Remembered;
use super::{StoreError, StoreResult, projects};
use crate::domain::Money;

/// Remembers the spend of recently asked projects; shared by every reader of one process.
pub struct SpendMemo {
    /// Each counted row's hourly cost, by row id.
    projects: Remembered<HashMap<i64, i64>>,
}

/// Projects whose spend is kept.
const REMEMBERED_PROJECTS: usize = 256;

impl Default for SpendMemo {
    fn default() -> Self {
        SpendMemo { projects: Remembered::new(NonZeroUsize::new(REMEMBERED_PROJECTS).expect("not zero")) }
    }
}

/// What a spend reads of a resource row.
#[derive(Debug, FromQueryResult)]
struct CostRow {
    id: i64,
    status: RecordStatus,
    hourly_cost_micros: i64,
    decommissioned_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl SpendMemo {
    /// The hourly cost of the project's active resources not being decommissioned, as
    /// [`super::resources::project_hourly_spend`] sums it.
    pub async fn project_hourly_spend<C: ConnectionTrait>(&self, db: &C, project_id: &str) -> StoreResult<Money> {
        let revision = match projects::get(db, project_id).await {
            Ok(project) => project.revision,
            // Nothing to sum, as the fresh sum finds.
            Err(StoreError::NotFound { .. }) => return Ok(Money::ZERO),
            Err(e) => return Err(e),
        };
        let update = async |known, mut costs: HashMap<i64, i64>| {
            for row in changed_rows(db, project_id, known).await? {
                if row.status == RecordStatus::Active && row.decommissioned_at.is_none() {
                    costs.insert(row.id, row.hourly_cost_micros);
                } else {
                    costs.remove(&row.id);
                }
            }
            Ok::<_, StoreError>(costs)
        };
        let total = self.projects.with(project_id, revision, update, |costs| costs.values().sum()).await?;
        Ok(Money::from_micros(total))
    }
}

/// The project's counted rows; or, `after` a revision, every row stamped later, whatever its state.
async fn changed_rows<C: ConnectionTrait>(db: &C, project_id: &str, after: Option<i64>) -> StoreResult<Vec<CostRow>> {
    use entities::cloud_resources::{Column, Entity};
    let query = Entity::find()
        .select_only()
        .columns([Column::Id, Column::Status, Column::HourlyCostMicros, Column::DecommissionedAt])
        .filter(Column::ProjectId.eq(project_id));
    let query = match after {
        Some(revision) => query.filter(Column::Revision.gt(revision)),
        None => query.filter(Column::Status.eq(RecordStatus::Active)).filter(Column::DecommissionedAt.is_null()),
    };
    Ok(query.into_model::<CostRow>().all(db).await?)
}
