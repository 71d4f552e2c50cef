//! The generator's [`SpecSource`] over the database: a project and the resources its Terraform
//! holds (`store::resources::list_written`: live ones and those being decommissioned) mapped
//! into the generator's model (the store imports the model; the generator never imports the
//! store). Omitted sizes and node counts take the catalogue's defaults, as the lobby priced them;
//! a stored value that breaks a provider's rules stops the generation before any file is touched.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::domain::names::{ProjectId, Region};
use crate::domain::{Catalog, ResourceKind};
use crate::store::{self, StoreError};
use crate::terraform::model::{GeneratorSettings, ProjectSpec};
use crate::terraform::{GenerateError, SpecSource};

// The recorded `config` a resource is read back from lives with the generator's model.
pub use crate::terraform::config::{resource_config, resource_spec, stored_node_count, stored_size};

/// Reads projects for the generator.
pub struct StoreSpecSource {
    db: DatabaseConnection,
    catalog: Arc<Catalog>,
    settings: GeneratorSettings,
}

impl StoreSpecSource {
    /// Over a connection, pricing defaults from `catalog`.
    pub fn new(db: DatabaseConnection, catalog: Arc<Catalog>, settings: GeneratorSettings) -> Self {
        Self { db, catalog, settings }
    }

    async fn load_spec(&self, project_id: &str) -> Result<ProjectSpec, GenerateError> {
        let id = ProjectId::parse(project_id)?;
        let project = match store::projects::get(&self.db, project_id).await {
            Ok(p) => p,
            Err(StoreError::NotFound { .. }) => return Err(GenerateError::NotFound(project_id.to_owned())),
            Err(e) => return Err(source_error(e)),
        };
        let provider = project.provider;
        let rows = written_rows(&self.db, project_id).await.map_err(source_error)?;
        let mut resources = Vec::with_capacity(rows.len());
        for (kind, name, region, config, decommissioned_at) in &rows {
            let mut spec = resource_spec(provider, *kind, name, region, config, &self.catalog)?;
            spec.decommissioning = decommissioned_at.is_some();
            resources.push(spec);
        }
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

/// What the generator reads of a resource: type, name, region, config, decommissioned at.
type WrittenRow = (ResourceKind, String, String, serde_json::Value, Option<chrono::DateTime<chrono::Utc>>);

/// The rows `store::resources::list_written` returns (same filter, same order), only the columns
/// the generator reads: decoding whole rows was most of a large project's reading time.
async fn written_rows(db: &DatabaseConnection, project_id: &str) -> Result<Vec<WrittenRow>, StoreError> {
    use entities::cloud_resources::{Column, Entity};
    use entities::kinds::RecordStatus;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(Entity::find()
        .select_only()
        .columns([Column::ResourceType, Column::Name, Column::Region, Column::Config, Column::DecommissionedAt])
        .filter(Column::ProjectId.eq(project_id))
        .filter(Column::Status.eq(RecordStatus::Active))
        .order_by_asc(Column::ResourceType)
        .order_by_asc(Column::Name)
        .into_tuple()
        .all(db)
        .await?)
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
