//! The generator's [`SpecSource`] over the database: a project and the resources its Terraform
//! holds (`store::resources::list_written`: live ones and those being decommissioned) mapped
//! into the generator's model (the store imports the model; the generator never imports the
//! store). Omitted sizes and node counts take the catalogue's defaults, as the lobby priced them;
//! a stored value that breaks a provider's rules stops the generation before any file is touched.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::domain::names::{MachineType, ProjectId, Region, ResourceName};
use crate::domain::{Catalog, ParseError, Provider, ResourceKind};
use crate::store::{self, StoreError};
use crate::terraform::model::{GeneratorSettings, ProjectSpec, ResourceOptions, ResourceSpec};
use crate::terraform::{GenerateError, SpecSource};

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
        let rows = store::resources::list_written(&self.db, project_id, None).await.map_err(source_error)?;
        let mut resources = Vec::with_capacity(rows.len());
        for row in &rows {
            resources.push(resource(provider, row, &self.catalog)?);
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

/// The size a resource row was priced with: `size` (approvals), or `machine_type` (sample data
/// loaded by earlier versions).
pub fn stored_size(config: &serde_json::Value) -> Option<&str> {
    config.get("size").or_else(|| config.get("machine_type")).and_then(|v| v.as_str())
}

/// The node count a resource row was priced with, if it named one.
pub fn stored_node_count(config: &serde_json::Value) -> Option<u32> {
    config.get("node_count").and_then(|v| v.as_u64()).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn resource(
    provider: Provider,
    row: &entities::cloud_resources::Model,
    catalog: &Catalog,
) -> Result<ResourceSpec, GenerateError> {
    let kind: ResourceKind = row.resource_type;
    let mut spec =
        ResourceSpec::new(kind, ResourceName::parse(provider, kind, &row.name)?, Region::parse(provider, &row.region)?);
    spec.size = stored_size(&row.config).map(|s| MachineType::parse(provider, s)).transpose()?;
    spec.node_count = stored_node_count(&row.config);
    spec.options = ResourceOptions::parse(provider, kind, &stored_options(&row.config)?)?;
    spec.network = match row.config.get("network") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => {
            let name = v.as_str().ok_or_else(|| ParseError::new("network", &v.to_string(), "a network name"))?;
            Some(ResourceName::parse(provider, ResourceKind::Network, name)?)
        }
    };
    spec.decommissioning = row.decommissioned_at.is_some();
    Ok(spec.with_defaults(provider, catalog)?)
}

/// The `options` object a resource was approved with, as the request carried it.
fn stored_options(config: &serde_json::Value) -> Result<BTreeMap<String, String>, ParseError> {
    match config.get("options") {
        None | Some(serde_json::Value::Null) => Ok(BTreeMap::new()),
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => Ok((k.clone(), s.to_owned())),
                None => Err(ParseError::new("option", k, "a text value")),
            })
            .collect(),
        Some(other) => Err(ParseError::new("options", &other.to_string(), "an object of options")),
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
