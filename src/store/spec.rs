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
use sea_orm::{DatabaseConnection, FromQueryResult};

use crate::domain::names::{ProjectId, Region};
use crate::domain::{Catalog, ResourceKind};
use crate::store::revisions::Remembered;
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
    memo: Remembered<Read>,
}

/// Projects whose last reading is kept.
const REMEMBERED_PROJECTS: usize = 128;

/// What was read of a project: its written resources in the order a spec lists them (kind in
/// `ResourceKind` order, then name: rendering's order), each shared with the specs handed out (an
/// unchanged row is the same allocation every time), with where each row id sits in that order.
#[derive(Default)]
struct Read {
    resources: BTreeMap<(ResourceKind, String), (i64, Arc<ResourceSpec>)>,
    places: HashMap<i64, (ResourceKind, String)>,
}

impl StoreSpecSource {
    /// Over a connection, pricing defaults from `catalog`.
    pub fn new(db: DatabaseConnection, catalog: Arc<Catalog>, settings: GeneratorSettings) -> Self {
        let memo = Remembered::new(NonZeroUsize::new(REMEMBERED_PROJECTS).expect("not zero"));
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
        // Every row stamped after the revision read up to (or all written ones).
        let update = async |known, mut read: Read| {
            for row in written_rows(&self.db, project_id, known).await.map_err(source_error)? {
                // A changed row leaves its place first, unless a later row holds it already: the
                // rows come in no order, and a name may have passed from a removed row to a new one.
                if let Some(place) = read.places.remove(&row.id)
                    && read.resources.get(&place).is_some_and(|(id, _)| *id == row.id)
                {
                    read.resources.remove(&place);
                }
                if row.status != RecordStatus::Active {
                    continue;
                }
                let mut spec =
                    resource_spec(provider, row.resource_type, &row.name, &row.region, &row.config, &self.catalog)?;
                spec.decommissioning = row.decommissioned_at.is_some();
                let place = (spec.kind, spec.name.as_str().to_owned());
                read.places.insert(row.id, place.clone());
                read.resources.insert(place, (row.id, Arc::new(spec)));
            }
            Ok::<_, GenerateError>(read)
        };
        let shared = |read: &Read| read.resources.values().map(|(_, spec)| spec.clone()).collect();
        let resources = self.memo.with(project_id, project.revision, update, shared).await?;
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
