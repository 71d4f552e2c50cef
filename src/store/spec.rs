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
use crate::terraform::model::{GeneratorSettings, ProjectSpec, ResourceOptions, ResourceSpec, parse_vm_names};
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

/// The size a resource row was priced with: `size` (approvals), or `machine_type` (sample data
/// loaded by earlier versions).
pub fn stored_size(config: &serde_json::Value) -> Option<&str> {
    config.get("size").or_else(|| config.get("machine_type")).and_then(|v| v.as_str())
}

/// The node count a resource row was priced with, if it named one.
pub fn stored_node_count(config: &serde_json::Value) -> Option<u32> {
    config.get("node_count").and_then(|v| v.as_u64()).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
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

/// A resource as the generator sees it, from what a lobby records (`config`: `size`,
/// `node_count`, `options`, `network`, and a stack's `targets` / `clients`, comma-separated VM
/// names). Pure: the lobby maps the resources it is about to create with it and asks
/// [`terraform::check_plan`](crate::terraform::check_plan) whether they render beside the
/// project's, so the approval cannot fail to write them.
pub fn resource_spec(
    provider: Provider,
    kind: ResourceKind,
    name: &str,
    region: &str,
    config: &serde_json::Value,
    catalog: &Catalog,
) -> Result<ResourceSpec, GenerateError> {
    let mut spec =
        ResourceSpec::new(kind, ResourceName::parse(provider, kind, name)?, Region::parse(provider, region)?);
    spec.size = stored_size(config).map(|s| MachineType::parse(provider, s)).transpose()?;
    spec.node_count = stored_node_count(config);
    spec.options = ResourceOptions::parse(provider, kind, &stored_options(config)?)?;
    spec.network = match text_field(config, "network")? {
        None => None,
        Some(name) => Some(ResourceName::parse(provider, ResourceKind::Network, name)?),
    };
    if let Some(names) = text_field(config, "targets")? {
        spec.targets = parse_vm_names(provider, "targets", names)?;
    }
    if let Some(names) = text_field(config, "clients")? {
        spec.clients = parse_vm_names(provider, "clients", names)?;
    }
    Ok(spec.with_defaults(provider, catalog)?)
}

/// A top-level text field of a resource's `config`; absent and `null` are `None`.
fn text_field<'a>(config: &'a serde_json::Value, key: &'static str) -> Result<Option<&'a str>, ParseError> {
    match config.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or_else(|| ParseError::new(key, &v.to_string(), "a text value")),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_of(kind: ResourceKind, config: serde_json::Value) -> Result<ResourceSpec, GenerateError> {
        resource_spec(Provider::Aws, kind, "shop-x", "us-east-1", &config, &Catalog::builtin())
    }

    #[test]
    fn a_stack_config_maps_its_network_targets_and_clients() {
        let lb = spec_of(
            ResourceKind::LoadBalancer,
            serde_json::json!({ "network": "shop-net", "targets": "shop-vm-1, shop-vm-2" }),
        )
        .unwrap();
        assert_eq!(lb.network.as_ref().map(|n| n.as_str()), Some("shop-net"));
        assert_eq!(lb.targets.iter().map(|n| n.as_str()).collect::<Vec<_>>(), ["shop-vm-1", "shop-vm-2"]);
        let db = spec_of(ResourceKind::Database, serde_json::json!({ "clients": "shop-vm-1" })).unwrap();
        assert_eq!(db.clients.len(), 1);
        assert!(db.size.is_some(), "the catalogue's default, as priced");
        let plain = spec_of(ResourceKind::Database, serde_json::json!({ "targets": null })).unwrap();
        assert!(plain.targets.is_empty() && plain.clients.is_empty() && !plain.decommissioning);
    }

    #[test]
    fn bad_wiring_in_a_config_is_refused() {
        for bad in [
            serde_json::json!({ "targets": 3 }),
            serde_json::json!({ "targets": "" }),
            serde_json::json!({ "targets": "a,,b" }),
            serde_json::json!({ "targets": "a, a" }),
            serde_json::json!({ "targets": "bad\"name" }),
            serde_json::json!({ "clients": ["a"] }),
        ] {
            assert!(spec_of(ResourceKind::LoadBalancer, bad.clone()).is_err(), "{bad}");
        }
        let many = (0..=crate::terraform::model::MAX_PEERS).map(|i| format!("vm-{i}")).collect::<Vec<_>>().join(",");
        assert!(spec_of(ResourceKind::Database, serde_json::json!({ "clients": many })).is_err());
    }
}
