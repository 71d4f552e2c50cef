//! What the generator renders: a project and the resources its Terraform holds (live ones and
//! those being decommissioned), already validated.
//! Deliberately free of database types so the store can map its rows into it.

pub use super::options::{Access, Cidr, ResourceOptions};
pub use super::resources::Resources;
use crate::domain::{Catalog, MachineType, ParseError, ProjectId, Provider, Region, ResourceKind, ResourceName};

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
    /// The resources its Terraform holds, in any order (rendering sorts them), each shared.
    pub resources: Resources,
    /// How this installation wants its Terraform (remote state, Azure host encryption).
    pub settings: GeneratorSettings,
}

/// The `[terraform]` settings that change what is generated (not where).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GeneratorSettings {
    /// Remote state per cloud; a cloud without a store keeps local state.
    pub state: crate::domain::state::StateStores,
    /// Azure VMs and AKS nodes encrypt at host (needs the subscription feature
    /// `Microsoft.Compute/EncryptionAtHost`).
    pub azure_encryption_at_host: bool,
}

impl From<&crate::settings::TerraformSettings> for GeneratorSettings {
    fn from(s: &crate::settings::TerraformSettings) -> Self {
        // Checked when the settings loaded; settings that never were (a test's) keep local state.
        Self { state: s.state_stores().unwrap_or_default(), azure_encryption_at_host: s.azure_encryption_at_host }
    }
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
    /// Machine type, database tier or Kubernetes node size: required for those kinds, filled from
    /// the catalogue's defaults by [`ResourceSpec::with_defaults`] when the request named none.
    pub size: Option<MachineType>,
    /// Kubernetes node count: required for clusters, filled like `size`.
    pub node_count: Option<u32>,
    /// The options approved with it.
    pub options: ResourceOptions,
    /// A network of this project in the same region to join; without it the resource joins the
    /// generated `chatops` network of its region.
    pub network: Option<ResourceName>,
    /// Being decommissioned: still written, with its protection lifted (deletion protection off,
    /// buckets emptied on destroy), so the next destroy removes it and `apply` can delete it.
    pub decommissioning: bool,
    /// Load balancers: the project's VMs registered behind it (a stack's `targets`).
    pub targets: Vec<ResourceName>,
    /// Databases: the project's VMs that may reach it; when set, nothing else on its network can
    /// (a stack's `clients`). Empty: reachable from its network, as before stacks.
    pub clients: Vec<ResourceName>,
    /// The name it is written with at the cloud when that is not today's rule's
    /// ([`physical_name_of`](crate::domain::names::physical_name_of)): AWS databases, load
    /// balancers and clusters approved before their names carried the project's suffix keep the
    /// name they were created with (the `physical` key of their `config`), so nothing is renamed.
    pub physical: Option<ResourceName>,
}

impl ResourceSpec {
    /// A live resource with no size, node count, options or network.
    pub fn new(kind: ResourceKind, name: ResourceName, region: Region) -> Self {
        Self {
            kind,
            name,
            region,
            size: None,
            node_count: None,
            options: ResourceOptions::default(),
            network: None,
            decommissioning: false,
            targets: Vec::new(),
            clients: Vec::new(),
            physical: None,
        }
    }

    /// Fills a missing size and node count with the catalogue's defaults for `provider`: exactly
    /// what [`Catalog::quote`] priced, so what is written is what was charged.
    pub fn with_defaults(mut self, provider: Provider, catalog: &Catalog) -> Result<Self, ParseError> {
        let size = self.size.as_ref().map(|s| s.as_str().to_owned());
        let resolved = catalog.resolve(provider, self.kind, size.as_deref(), self.node_count);
        self.size = resolved.size.map(|s| MachineType::parse(provider, s)).transpose()?;
        self.node_count = resolved.node_count;
        Ok(self)
    }
}

/// Most VMs one load balancer's `targets` or one database's `clients` may name.
pub const MAX_PEERS: usize = 50;

/// Parses a comma-separated list of VM names (`targets`, `clients`): each a valid VM name of
/// `provider`, none twice, at most [`MAX_PEERS`]. Whether each names a VM of the project is
/// checked when the project is built (a [`GenerateError`](super::GenerateError) before writing).
pub fn parse_vm_names(provider: Provider, field: &'static str, text: &str) -> Result<Vec<ResourceName>, ParseError> {
    let expected = "comma-separated VM names";
    let mut out: Vec<ResourceName> = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err(ParseError::new(field, text, expected));
        }
        let name = ResourceName::parse(provider, ResourceKind::Vm, part)?;
        if out.contains(&name) {
            return Err(ParseError::new(field, part, "each VM named once"));
        }
        out.push(name);
    }
    if out.len() > MAX_PEERS {
        return Err(ParseError::new(field, &format!("{} names", out.len()), format!("at most {MAX_PEERS} VMs")));
    }
    Ok(out)
}
