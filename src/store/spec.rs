//! The generator's [`SpecSource`] over the database (the store maps its rows into the generator's
//! model; the generator never imports the store): a project and its active resources. A stored
//! value that breaks a provider's naming rules
//! stops the generation before any file is touched.

use std::future::Future;
use std::pin::Pin;

use sea_orm::DatabaseConnection;

use crate::domain::names::{MachineType, ProjectId, Region, ResourceName};
use crate::store::{self, StoreError};
use crate::terraform::model::{ProjectSpec, ResourceSpec};
use crate::terraform::{GenerateError, SpecSource};

/// Reads projects for the generator.
pub struct StoreSpecSource {
    db: DatabaseConnection,
}

impl StoreSpecSource {
    /// Over a connection.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn load_spec(&self, project_id: &str) -> Result<ProjectSpec, GenerateError> {
        let id = ProjectId::parse(project_id)?;
        let project = match store::projects::get(&self.db, project_id).await {
            Ok(p) => p,
            Err(StoreError::NotFound { .. }) => return Err(GenerateError::NotFound(project_id.to_owned())),
            Err(e) => return Err(source_error(e)),
        };
        let provider = project.provider;
        let rows = store::resources::list(&self.db, project_id, None).await.map_err(source_error)?;
        let mut resources = Vec::with_capacity(rows.len());
        for row in &rows {
            let kind = row.resource_type;
            let mut spec = ResourceSpec::new(
                kind,
                ResourceName::parse(provider, kind, &row.name)?,
                Region::parse(provider, &row.region)?,
            );
            spec.size = match row.config.get("size").and_then(|v| v.as_str()) {
                Some(size) => Some(MachineType::parse(provider, size)?),
                None => None,
            };
            spec.node_count =
                row.config.get("node_count").and_then(|v| v.as_u64()).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
            spec.config = row.config.clone();
            resources.push(spec);
        }
        Ok(ProjectSpec {
            project_id: id,
            provider,
            default_region: Region::parse(provider, &project.default_region)?,
            project_name: project.name,
            resources,
        })
    }
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
