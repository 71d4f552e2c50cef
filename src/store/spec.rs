//! The generator's [`SpecSource`] over the database: a project and the resources its Terraform
//! holds (`store::resources::list_written`: live ones and those being decommissioned) mapped
//! into the generator's model (the store imports the model; the generator never imports the
//! store). Omitted sizes and node counts take the catalogue's defaults, as the lobby priced them;
//! a stored value that breaks a provider's rules stops the generation before any file is touched.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::Arc;

use entities::kinds::RecordStatus;
use lru::LruCache;
use sea_orm::{DatabaseConnection, FromQueryResult};

use crate::domain::names::{ProjectId, Region};
use crate::domain::{Catalog, ResourceKind};
use crate::store::{self, StoreError};
use crate::terraform::model::{GeneratorSettings, ProjectSpec, ResourceSpec};
use crate::terraform::{GenerateError, SpecSource};

// The recorded `config` a resource is read back from lives with the generator's model.
pub use crate::terraform::config::{resource_config, resource_spec, stored_node_count, stored_size};

/// Reads projects for the generator.
///
/// It remembers what it last read of each recently generated project (its revision and the specs
/// of its written rows) and reads only the rows stamped with a later revision
/// (`store::revisions`): an approval in a 1,000-resource project reads one row, not 1,000. The
/// project's own row is read every time, so a renamed project or a moved default region counts.
pub struct StoreSpecSource {
    db: DatabaseConnection,
    catalog: Arc<Catalog>,
    settings: GeneratorSettings,
    memo: std::sync::Mutex<LruCache<String, Arc<tokio::sync::Mutex<Option<Read>>>>>,
}

/// Projects whose last reading is kept.
const REMEMBERED_PROJECTS: usize = 128;

/// What was read of a project: up to which revision, and its written resources in the order a
/// spec lists them (kind in `ResourceKind` order, then name: rendering's order), each shared with
/// the specs handed out (an unchanged row is the same allocation every time), with where each row
/// id sits in that order.
struct Read {
    revision: i64,
    resources: BTreeMap<(ResourceKind, String), (i64, Arc<ResourceSpec>)>,
    places: HashMap<i64, (ResourceKind, String)>,
}

impl StoreSpecSource {
    /// Over a connection, pricing defaults from `catalog`.
    pub fn new(db: DatabaseConnection, catalog: Arc<Catalog>, settings: GeneratorSettings) -> Self {
        let memo = std::sync::Mutex::new(LruCache::new(NonZeroUsize::new(REMEMBERED_PROJECTS).expect("not zero")));
        Self { db, catalog, settings, memo }
    }

    async fn load_spec(&self, project_id: &str) -> Result<ProjectSpec, GenerateError> {
        let id = ProjectId::parse(project_id)?;
        let project = match store::projects::get(&self.db, project_id).await {
            Ok(p) => p,
            Err(StoreError::NotFound { .. }) => return Err(GenerateError::NotFound(project_id.to_owned())),
            Err(e) => return Err(source_error(e)),
        };
        let provider = project.provider;
        let entry = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.get_or_insert(project_id.to_owned(), Default::default).clone()
        };
        // One reading of a project at a time, so the remembered revision and rows stay a pair.
        let mut read = entry.lock().await;
        let known = read.as_ref().map(|r| r.revision).filter(|r| *r <= project.revision);
        if known != Some(project.revision) {
            // Every row stamped after `known` (or all written ones): rows stamped later than the
            // project's revision read above are read again next time, which changes nothing.
            let rows = written_rows(&self.db, project_id, known).await.map_err(source_error)?;
            let (mut resources, mut places) = match (known, read.take()) {
                (Some(_), Some(before)) => (before.resources, before.places),
                _ => Default::default(),
            };
            for row in rows {
                // A changed row leaves its place first, unless a later row holds it already: the
                // rows come in no order, and a name may have passed from a removed row to a new one.
                if let Some(place) = places.remove(&row.id)
                    && resources.get(&place).is_some_and(|(id, _)| *id == row.id)
                {
                    resources.remove(&place);
                }
                if row.status != RecordStatus::Active {
                    continue;
                }
                let mut spec =
                    resource_spec(provider, row.resource_type, &row.name, &row.region, &row.config, &self.catalog)?;
                spec.decommissioning = row.decommissioned_at.is_some();
                let place = (spec.kind, spec.name.as_str().to_owned());
                places.insert(row.id, place.clone());
                resources.insert(place, (row.id, Arc::new(spec)));
            }
            *read = Some(Read { revision: project.revision, resources, places });
        }
        let resources =
            read.as_ref().map(|r| r.resources.values().map(|(_, spec)| spec.clone()).collect()).unwrap_or_default();
        drop(read);
        Ok(ProjectSpec {
            project_id: id,
            provider,
            default_region: Region::parse(provider, &project.default_region)?,
            project_name: project.name,
            resources,
            settings: self.settings.clone(),
        })
    }
}

/// What the generator reads of a resource row.
#[derive(Debug, FromQueryResult)]
struct WrittenRow {
    id: i64,
    resource_type: ResourceKind,
    name: String,
    region: String,
    config: serde_json::Value,
    status: RecordStatus,
    decommissioned_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The project's written rows (`store::resources::list_written`'s filter), only the columns the
/// generator reads; or, `after` a revision, every row stamped later, whatever its status (a
/// removed one leaves the Terraform).
async fn written_rows(
    db: &DatabaseConnection,
    project_id: &str,
    after: Option<i64>,
) -> Result<Vec<WrittenRow>, StoreError> {
    use entities::cloud_resources::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let query = Entity::find()
        .select_only()
        .columns([
            Column::Id,
            Column::ResourceType,
            Column::Name,
            Column::Region,
            Column::Config,
            Column::Status,
            Column::DecommissionedAt,
        ])
        .filter(Column::ProjectId.eq(project_id));
    let query = match after {
        Some(revision) => query.filter(Column::Revision.gt(revision)),
        None => query.filter(Column::Status.eq(RecordStatus::Active)),
    };
    Ok(query.into_model::<WrittenRow>().all(db).await?)
}

fn source_error(e: StoreError) -> GenerateError {
    tracing::error!(error = %e, "generator could not read the project");
    GenerateError::Source("the database is unavailable".into())
}

impl SpecSource for StoreSpecSource {
    fn load(&self, project_id: &str) -> Pin<Box<dyn Future<Output = Result<ProjectSpec, GenerateError>> + Send + '_>> {
        let project_id = project_id.to_owned();
        Box::pin(async move { self.load_spec(&project_id).await })
    }
}
