//! The view model the templates read: a [`ProjectSpec`] re-validated, sorted, given Terraform
//! labels and placed on networks, so templates only loop and never decide.
//!
//! [`build`] runs named steps: label the regions, place resources on networks ([`networks`]),
//! turn each resource into a [`Res`] ([`resources`]), then derive the lookups the templates share
//! (zones, images, provider aliases: [`lookups`]).

mod lookups;
mod networks;
mod resources;
mod settings;
mod wiring;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::GenerateError;
use super::blocks::{Handle, Item};
use super::model::ProjectSpec;
use super::validate::{ValidMemo, validated_with};
use crate::domain::names::tf_label;
use crate::domain::{ProjectId, Provider, ResourceKind};

/// Everything a template may print; every string in here is escaped when printed.
pub(crate) struct View {
    pub project_id: String,
    pub project_name: String,
    pub region: String,
    /// Each resource shared with the memo it may be reused from (see `resources`).
    pub vms: Vec<Arc<Res>>,
    pub dbs: Vec<Arc<Res>>,
    pub clusters: Vec<Arc<Res>>,
    pub buckets: Vec<Arc<Res>>,
    pub lbs: Vec<Arc<Res>>,
    /// The project's networks first (by name), then generated ones (by region).
    pub networks: Vec<Net>,
    /// GCP only: one subnetwork per network and region in use.
    pub subnets: Vec<Subnet>,
    /// GCP networks that host a Cloud SQL instance (they need private service access).
    pub db_networks: Vec<Net>,
    /// Regions that hold a network (AWS availability-zone lookups).
    pub regions: Vec<RegionRef>,
    /// Regions that hold a VM (zone lookups).
    pub zones: Vec<RegionRef>,
    /// AWS: one image lookup per region and architecture in use by VMs.
    pub images: Vec<Image>,
    /// AWS only: regions other than the default, each with a provider alias.
    pub aliases: Vec<RegionRef>,
    /// GCP: the APIs the project's resources need, enabled by `google_project_service`.
    pub apis: Vec<Api>,
    /// Remote state, when the project's cloud has a store (`terraform.backend.<cloud>`).
    pub backend: Option<Backend>,
    /// Azure: VMs and AKS nodes encrypt at host (`terraform.azure_encryption_at_host`).
    pub encryption_at_host: bool,
    /// Azure: networks that host a private PostgreSQL server (delegated subnet, private DNS).
    pub pg_networks: Vec<Net>,
}

/// A Google API a resource kind needs.
pub(crate) struct Api {
    /// Terraform label: the service's first name part (`compute`, `sqladmin`).
    pub label: String,
    /// `compute.googleapis.com`.
    pub service: String,
}

/// Where a project's state lives remotely.
pub(crate) struct Backend {
    /// GCS bucket, S3 bucket or Azure storage account.
    pub bucket: String,
    /// The project's key in it (GCS prefix, S3/azurerm key).
    pub key: String,
    /// S3: the bucket's region (configured, or the project's default under the single setting).
    pub region: String,
    /// azurerm: the blob container.
    pub container: String,
    /// azurerm: the storage account's resource group, when configured.
    pub resource_group: Option<String>,
}

/// One user resource, ready to print.
#[derive(Clone, Hash)]
pub(crate) struct Res {
    pub label: String,
    pub name: String,
    /// The name at the provider: `name`, or with the project suffix in a global namespace.
    pub physical: String,
    /// Public access was approved (databases only; see `options`).
    pub public: bool,
    /// The approved ranges a public resource admits.
    pub ingress: Vec<Ingress>,
    /// Shared with every resource of the region (as are its label and network labels).
    pub region: Arc<str>,
    pub region_label: Arc<str>,
    pub size: String,
    pub nodes: u32,
    /// Clusters: a slot (0-249) stable across regenerations that keeps their control-plane CIDRs
    /// apart; 0 for other kinds.
    pub index: usize,
    pub net: Arc<str>,
    pub subnet: Arc<str>,
    /// `aws.<alias>` when the resource is outside the default AWS region, else empty.
    pub provider: String,
    /// Azure only: the AKS DNS prefix derived from the name.
    pub dns_prefix: String,
    /// The size is an Arm (Graviton, Ampere, Axion) machine, so it needs an arm64 image.
    pub arm: bool,
    /// AWS VMs: label of the `aws_ami` data source for the region and architecture.
    pub image: String,
    /// Being decommissioned: written with its protection lifted, so `apply` can delete it next.
    pub decommissioning: bool,
    /// Load balancers: the VMs registered behind it, by name.
    pub targets: Vec<Peer>,
    /// Databases: the only VMs of its network that reach it, by name (empty: the whole network).
    pub clients: Vec<Peer>,
    /// GCP load balancers: one instance group per zone of its targets.
    pub groups: Vec<Group>,
    /// GCP load balancers: the network its targets are on.
    pub peer_net: String,
    /// GCP VMs: the network tags the firewall rules of its load balancers and databases target.
    pub tags: Vec<String>,
    /// GCP load balancers and databases with peers: the network tag of those peers.
    pub tag: String,
    /// Azure databases with clients: the priority of their allow rule on the network's NSG.
    pub priority: u32,
    /// GCP load balancers and databases with peers: the name of the firewall rule admitting them.
    pub fw_allow: String,
    /// GCP databases with clients: the name of the rule denying the rest of the network.
    pub fw_deny: String,
}

/// A VM a load balancer or database names (`targets`, `clients`).
#[derive(Clone, Hash)]
pub(crate) struct Peer {
    pub name: String,
    pub label: String,
}

/// GCP: an unmanaged instance group of a load balancer's targets in one zone.
#[derive(Clone, Hash)]
pub(crate) struct Group {
    pub label: String,
    pub name: String,
    /// The region's label, which names its zone lookup.
    pub region_label: String,
    pub net: String,
    pub members: Vec<Peer>,
}

/// One approved ingress range, in the forms the providers take.
#[derive(Clone, Hash)]
pub(crate) struct Ingress {
    /// `ingress-<n>`, stable for a given set of ranges (they are sorted).
    pub name: String,
    pub cidr: String,
    pub first: String,
    pub last: String,
}

/// A network, the user's or generated.
#[derive(Clone, Hash)]
pub(crate) struct Net {
    pub label: String,
    pub name: String,
    pub region: String,
    pub region_label: String,
    pub index: usize,
    pub provider: String,
    /// Hosts VMs or Kubernetes nodes, so it gets NAT egress (nothing gets a public address).
    pub egress: bool,
    /// GCP: the name of its explicit deny-all ingress firewall rule.
    pub firewall: String,
    /// GCP: the name of the rule that lets IAP's TCP forwarding reach port 22 (`gcloud compute ssh
    /// --tunnel-through-iap`, with OS Login and IAM deciding who gets in).
    pub iap_firewall: String,
    /// Azure: a database of this network names its clients, so PostgreSQL from the rest of the
    /// network is denied.
    pub restricted: bool,
}

/// A GCP subnetwork of a network in one region.
#[derive(Hash)]
pub(crate) struct Subnet {
    pub label: String,
    pub name: String,
    pub net: String,
    pub region: String,
    pub index: usize,
    /// Hosts VMs or Kubernetes nodes, so it gets a Cloud NAT.
    pub egress: bool,
}

/// An AWS image lookup: Amazon Linux 2023 for one region and architecture.
pub(crate) struct Image {
    pub label: String,
    pub provider: String,
    /// `x86_64` or `arm64`, as AMI names spell it.
    pub arch: String,
}

/// A region with its Terraform label and (AWS) provider reference.
pub(crate) struct RegionRef {
    pub label: String,
    pub name: String,
    pub provider: String,
}

impl Item for Arc<Res> {
    fn label(&self) -> &str {
        &self.label
    }

    fn handle(&self) -> Option<Handle> {
        Some(self.clone())
    }

    fn is(&self, handle: &Handle) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(self), Arc::as_ptr(handle))
    }
}

impl Item for Net {
    fn label(&self) -> &str {
        &self.label
    }
}

impl Item for Subnet {
    fn label(&self) -> &str {
        &self.label
    }
}

/// What every step reads: the project's provider, id and default region, and the region labels.
pub(crate) struct Context {
    pub provider: Provider,
    pub project: ProjectId,
    pub default_region: String,
    /// Each region in use's name, label and generated network's label, shared by its resources.
    names: BTreeMap<String, RegionNames>,
    /// GCP: the label of the generated network, shared by the resources placed on it.
    gcp_glue: Arc<str>,
}

/// A region's names as resources print them, shared (not copied) by each of its resources.
pub(crate) struct RegionNames {
    pub name: Arc<str>,
    pub label: Arc<str>,
    /// The label of the region's generated network (GCP: subnetwork), `chatops_<region label>`.
    pub glue: Arc<str>,
}

impl Context {
    fn new(spec: &ProjectSpec, resources: &[&super::model::ResourceSpec]) -> Result<Self, GenerateError> {
        let names = region_labels(spec, resources)?
            .into_iter()
            .map(|(r, l)| {
                let names = RegionNames {
                    name: r.as_str().into(),
                    label: l.as_str().into(),
                    glue: format!("chatops_{l}").into(),
                };
                (r, names)
            })
            .collect();
        Ok(Self {
            provider: spec.provider,
            project: spec.project_id.clone(),
            default_region: spec.default_region.as_str().to_owned(),
            names,
            gcp_glue: networks::GCP_GLUE.into(),
        })
    }

    /// The label of the generated network (GCP: subnetwork) of a region in use.
    pub fn glue_label(&self, region: &str) -> String {
        self.names[region].glue.to_string()
    }

    /// The shared names of a region in use.
    pub fn names(&self, region: &str) -> &RegionNames {
        &self.names[region]
    }

    /// The Terraform label of a region in use.
    pub fn region_label(&self, region: &str) -> String {
        self.names[region].label.to_string()
    }

    /// Every region in use with its names, by region.
    pub fn regions(&self) -> impl Iterator<Item = (&str, &RegionNames)> {
        self.names.iter().map(|(r, n)| (r.as_str(), n))
    }

    /// `aws.<alias>` for an AWS region other than the default, else empty.
    pub fn alias(&self, region: &str) -> String {
        if self.provider == Provider::Aws && region != self.default_region {
            format!("aws.{}", self.region_label(region))
        } else {
            String::new()
        }
    }

    fn region_ref(&self, region: &str) -> RegionRef {
        RegionRef { label: self.region_label(region), name: region.to_owned(), provider: self.alias(region) }
    }
}

/// Builds the view for `spec`, or says why it cannot be generated.
pub(crate) fn build(spec: &ProjectSpec) -> Result<View, GenerateError> {
    build_with(spec, &mut ViewMemo::default())
}

/// What the last view building kept: the resources found valid and the resources built.
#[derive(Default)]
pub(crate) struct ViewMemo {
    valid: ValidMemo,
    built: resources::BuiltMemo,
}

/// [`build`], re-validating only the resources `memo` has not seen valid, and building again only
/// the resources whose inputs changed.
pub(crate) fn build_with(spec: &ProjectSpec, memo: &mut ViewMemo) -> Result<View, GenerateError> {
    let valid = validated_with(spec, &mut memo.valid)?;
    let resources = &valid.resources;
    let ctx = Context::new(spec, resources)?;
    let mut placement = networks::place(&ctx, resources)?;
    let mut by_kind = resources::by_kind(&ctx, &valid, &placement, &mut memo.built)?;
    wiring::wire(&ctx, resources, &mut by_kind)?;
    networks::mark_egress(&by_kind, &mut placement);
    let mut take = |k| by_kind.remove(&k).unwrap_or_default();
    let (vms, dbs, clusters, buckets, lbs) = (
        take(ResourceKind::Vm),
        take(ResourceKind::Database),
        take(ResourceKind::K8s),
        take(ResourceKind::Storage),
        take(ResourceKind::LoadBalancer),
    );
    let lookups = lookups::Lookups::derive(&ctx, resources, &placement.networks, &vms, &dbs);
    let pg_networks = lookups::azure_pg_networks(&ctx, &placement.networks, &dbs);
    Ok(View {
        apis: settings::google_apis(&ctx, resources),
        backend: settings::backend(&ctx, &spec.settings)?,
        encryption_at_host: spec.settings.azure_encryption_at_host,
        pg_networks,
        project_id: ctx.project.as_str().to_owned(),
        project_name: spec.project_name.clone(),
        region: ctx.default_region.clone(),
        vms,
        dbs,
        clusters,
        buckets,
        lbs,
        networks: placement.networks,
        subnets: placement.subnets,
        db_networks: lookups.db_networks,
        regions: lookups.regions,
        zones: lookups.zones,
        images: lookups.images,
        aliases: lookups.aliases,
    })
}

/// Labels for every region in use; two regions that would share a label are refused.
fn region_labels(
    spec: &ProjectSpec,
    resources: &[&super::model::ResourceSpec],
) -> Result<BTreeMap<String, String>, GenerateError> {
    let mut labels = BTreeMap::new();
    let mut used = BTreeSet::new();
    // Inserted one by one: a project has a few regions and many resources, so collecting first
    // would sort every resource's region.
    let mut regions = BTreeSet::new();
    regions.insert(spec.default_region.as_str());
    for r in resources {
        regions.insert(r.region.as_str());
    }
    for region in regions {
        let label = tf_label(region);
        if !used.insert(label.clone()) {
            return Err(GenerateError::Conflict(format!("regions clash on the Terraform name `{label}`")));
        }
        labels.insert(region.to_owned(), label);
    }
    Ok(labels)
}
