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
use std::sync::Arc;

use entities::kinds::RecordStatus;
use lru::LruCache;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};

use super::{StoreResult, projects};
use crate::domain::Money;

/// Remembers the spend of recently asked projects; shared by every reader of one process.
pub struct SpendMemo {
    projects: std::sync::Mutex<LruCache<String, Arc<tokio::sync::Mutex<Option<Summed>>>>>,
}

/// Projects whose spend is kept.
const REMEMBERED_PROJECTS: usize = 256;

/// Up to which revision a project's spend was summed, and each counted row's hourly cost.
struct Summed {
    revision: i64,
    costs: HashMap<i64, i64>,
}

impl Default for SpendMemo {
    fn default() -> Self {
        let size = NonZeroUsize::new(REMEMBERED_PROJECTS).expect("not zero");
        SpendMemo { projects: std::sync::Mutex::new(LruCache::new(size)) }
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
            Err(super::StoreError::NotFound { .. }) => return Ok(Money::ZERO),
            Err(e) => return Err(e),
        };
        let entry = {
            let mut projects = self.projects.lock().unwrap_or_else(|e| e.into_inner());
            projects.get_or_insert(project_id.to_owned(), Default::default).clone()
        };
        // One reading of a project at a time, so the revision and the costs stay a pair.
        let mut summed = entry.lock().await;
        let known = summed.as_ref().map(|s| s.revision).filter(|r| *r <= revision);
        if known != Some(revision) {
            let rows = changed_rows(db, project_id, known).await?;
            let mut costs = match (known, summed.take()) {
                (Some(_), Some(before)) => before.costs,
                _ => HashMap::new(),
            };
            for row in rows {
                if row.status == RecordStatus::Active && row.decommissioned_at.is_none() {
                    costs.insert(row.id, row.hourly_cost_micros);
                } else {
                    costs.remove(&row.id);
                }
            }
            *summed = Some(Summed { revision, costs });
        }
        let total = summed.as_ref().map_or(0, |s| s.costs.values().sum());
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
