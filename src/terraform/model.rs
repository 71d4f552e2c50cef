//! What the generator renders: a project and its active resources, already validated.
//! Deliberately free of database types so the store can map its rows into it.

use crate::domain::{MachineType, ProjectId, Provider, Region, ResourceKind, ResourceName};

/// A project and the resources to generate for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSpec {
    /// The chatops project id; also names the output directory.
    pub project_id: ProjectId,
    /// The provider every resource of the project belongs to.
    pub provider: Provider,
    /// Region of the provider block and of the Azure resource group.
    pub default_region: Region,
    /// Free text from the user; only ever emitted escaped, inside a string.
    pub project_name: String,
    /// The project's active resources, in any order (rendering sorts them).
    pub resources: Vec<ResourceSpec>,
}

/// One resource to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSpec {
    /// What it is.
    pub kind: ResourceKind,
    /// Its provider-valid name.
    pub name: ResourceName,
    /// Where it lives.
    pub region: Region,
    /// Machine type, database tier or Kubernetes node size; a safe default when absent.
    pub size: Option<MachineType>,
    /// Kubernetes node count (default 1); ignored by other kinds.
    pub node_count: Option<u32>,
    /// Extra settings recorded with the resource. Read: `network` (string), the name of a network
    /// of this project in the same region to join; without it the resource joins the generated
    /// `chatops` network of its region.
    pub config: serde_json::Value,
}

impl ResourceSpec {
    /// A resource with no size, node count or extra config.
    pub fn new(kind: ResourceKind, name: ResourceName, region: Region) -> Self {
        Self { kind, name, region, size: None, node_count: None, config: serde_json::Value::Null }
    }
}
