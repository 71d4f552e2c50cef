//! The view model the templates read: a [`ProjectSpec`] re-validated, sorted, given Terraform
//! labels and placed on networks, so templates only loop and never decide.
//!
//! Placement: a resource joins the project network named by its `config.network` (same region),
//! else the generated `chatops` network of its region. Never "the first network there": adding
//! a network must not move, and so replace, running machines.

use std::collections::{BTreeMap, BTreeSet};

use super::GenerateError;
use super::model::{ProjectSpec, ResourceSpec};
use super::slots::Slots;
use super::validate::validated;
use crate::domain::names::tf_label;
use crate::domain::{ParseError, Provider, ResourceKind};

/// Everything a template may print; every string in here is escaped when printed.
pub(crate) struct View {
    pub project_id: String,
    pub project_name: String,
    pub region: String,
    pub vms: Vec<Res>,
    pub dbs: Vec<Res>,
    pub clusters: Vec<Res>,
    pub buckets: Vec<Res>,
    pub lbs: Vec<Res>,
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
}

/// One user resource, ready to print.
pub(crate) struct Res {
    pub label: String,
    pub name: String,
    pub region: String,
    pub region_label: String,
    pub size: String,
    pub nodes: u32,
    /// A slot (0-249) stable across regenerations; keeps per-resource CIDRs apart.
    pub index: usize,
    pub net: String,
    pub subnet: String,
    /// `aws.<alias>` when the resource is outside the default AWS region, else empty.
    pub provider: String,
    /// Azure only: the AKS DNS prefix derived from the name.
    pub dns_prefix: String,
    /// The size is an Arm (Graviton, Ampere, Axion) machine, so it needs an arm64 image.
    pub arm: bool,
    /// AWS VMs: label of the `aws_ami` data source for the region and architecture.
    pub image: String,
}

/// A network, the user's or generated.
#[derive(Clone)]
pub(crate) struct Net {
    pub label: String,
    pub name: String,
    pub region: String,
    pub region_label: String,
    pub index: usize,
    pub provider: String,
    /// Hosts VMs or Kubernetes nodes, so it gets NAT egress (nothing gets a public address).
    pub egress: bool,
}

/// A GCP subnetwork of a network in one region.
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

fn default_size(provider: Provider, kind: ResourceKind) -> &'static str {
    use ResourceKind as K;
    match (provider, kind) {
        (Provider::Gcp, K::Database) => "db-custom-1-3840",
        (Provider::Gcp, K::K8s) => "e2-standard-2",
        (Provider::Gcp, _) => "e2-small",
        (Provider::Aws, K::Database) => "db.t3.micro",
        (Provider::Aws, K::K8s) => "t3.medium",
        (Provider::Aws, _) => "t3.micro",
        (Provider::Azure, K::Database) => "B_Standard_B1ms",
        (Provider::Azure, K::K8s) => "Standard_D2s_v3",
        (Provider::Azure, _) => "Standard_B2s",
    }
}

fn needs_network(provider: Provider, kind: ResourceKind) -> bool {
    match kind {
        ResourceKind::Vm | ResourceKind::Database | ResourceKind::K8s => true,
        // A GCP global HTTP load balancer has no regional network of its own.
        ResourceKind::LoadBalancer => provider != Provider::Gcp,
        ResourceKind::Storage | ResourceKind::Network => false,
    }
}

/// Builds the view for `spec`, or says why it cannot be generated.
pub(crate) fn build(spec: &ProjectSpec) -> Result<View, GenerateError> {
    let provider = spec.provider;
    let resources = validated(spec)?;
    let pid = spec.project_id.as_str();
    let default_region = spec.default_region.as_str();
    let region_labels = region_labels(spec, &resources)?;
    let rl = |r: &str| region_labels[r].clone();
    let alias = |r: &str| {
        if provider == Provider::Aws && r != default_region { format!("aws.{}", rl(r)) } else { String::new() }
    };

    let mut slots = Slots::default();
    let mut networks: Vec<Net> = Vec::new();
    for r in resources.iter().filter(|r| r.kind == ResourceKind::Network) {
        networks.push(Net {
            label: r.name.tf_label(),
            name: r.name.as_str().to_owned(),
            region: r.region.as_str().to_owned(),
            region_label: rl(r.region.as_str()),
            index: slots.take(r.name.as_str())?,
            provider: alias(r.region.as_str()),
            egress: false,
        });
    }
    let user_networks = networks.clone();
    let mut chosen: BTreeMap<(ResourceKind, String), Net> = BTreeMap::new();
    for r in resources.iter().filter(|r| needs_network(provider, r.kind)) {
        if let Some(net) = explicit_network(r, &user_networks)? {
            chosen.insert((r.kind, r.name.as_str().to_owned()), net);
        }
    }
    let chosen_net = |r: &ResourceSpec| chosen.get(&(r.kind, r.name.as_str().to_owned()));

    // Regions with network-bound resources that did not name a network of the project.
    let glue_regions: BTreeSet<&str> = resources
        .iter()
        .filter(|r| needs_network(provider, r.kind) && chosen_net(r).is_none())
        .map(|r| r.region.as_str())
        .collect();
    let gcp_glue = "chatops".to_owned();
    if provider == Provider::Gcp && !glue_regions.is_empty() {
        networks.push(Net {
            label: gcp_glue.clone(),
            name: format!("chatops-{pid}"),
            region: default_region.to_owned(),
            region_label: rl(default_region),
            // Only names its SQL peering range; a slot keeps that name unique.
            index: slots.take("chatops")?,
            provider: String::new(),
            egress: false,
        });
    } else if provider != Provider::Gcp {
        for region in &glue_regions {
            let name = match provider {
                Provider::Azure => format!("vnet-chatops-{pid}-{region}"),
                _ => format!("chatops-{pid}-{region}"),
            };
            networks.push(Net {
                label: format!("chatops_{}", rl(region)),
                name,
                region: (*region).to_owned(),
                region_label: rl(region),
                index: slots.take(&format!("chatops:{region}"))?,
                provider: alias(region),
                egress: false,
            });
        }
    }

    // GCP subnetworks: each user network in its region, the generated one per glue region.
    let mut subnets: Vec<Subnet> = user_networks
        .iter()
        .map(|n| Subnet {
            label: n.label.clone(),
            name: n.name.clone(),
            net: n.label.clone(),
            region: n.region.clone(),
            index: n.index,
            egress: false,
        })
        .collect();
    if provider == Provider::Gcp {
        for region in &glue_regions {
            subnets.push(Subnet {
                label: format!("chatops_{}", rl(region)),
                name: format!("chatops-{pid}-{}", gcp_name_part(region)),
                net: gcp_glue.clone(),
                region: (*region).to_owned(),
                index: slots.take(&format!("chatops:{region}"))?,
                egress: false,
            });
        }
    } else {
        subnets.clear();
    }

    let place = |r: &ResourceSpec| -> (String, String) {
        if !needs_network(provider, r.kind) {
            return (String::new(), String::new());
        }
        let region = r.region.as_str();
        match (chosen_net(r), provider) {
            (Some(n), _) => (n.label.clone(), n.label.clone()),
            (None, Provider::Gcp) => (gcp_glue.clone(), format!("chatops_{}", rl(region))),
            (None, _) => {
                let label = format!("chatops_{}", rl(region));
                (label.clone(), label)
            }
        }
    };

    let mut cluster_slots = Slots::default();
    let mut by_kind: BTreeMap<ResourceKind, Vec<Res>> = BTreeMap::new();
    for r in &resources {
        let list = by_kind.entry(r.kind).or_default();
        let (net, subnet) = place(r);
        let size = r.size.as_ref().map_or_else(|| default_size(provider, r.kind).to_owned(), |s| s.as_str().to_owned());
        list.push(Res {
            label: r.name.tf_label(),
            name: r.name.as_str().to_owned(),
            region: r.region.as_str().to_owned(),
            region_label: rl(r.region.as_str()),
            size: r.size.as_ref().map_or_else(|| default_size(provider, r.kind).to_owned(), |s| s.as_str().to_owned()),
            nodes: r.node_count.unwrap_or(1),
            index: if r.kind == ResourceKind::K8s { cluster_slots.take(r.name.as_str())? } else { list.len() },
            net,
            subnet,
            provider: alias(r.region.as_str()),
            dns_prefix: dns_prefix(r.name.as_str()),
            arm: is_arm(provider, &size),
            image: format!(
                "{}_al2023_{}",
                rl(r.region.as_str()),
                if is_arm(provider, &size) { "arm64" } else { "x86_64" }
            ),
        });
    }
    // Private machines still need to reach package mirrors and registries: give the networks
    // (and GCP subnetworks) that host them NAT egress.
    for r in by_kind.iter().filter(|(k, _)| matches!(k, ResourceKind::Vm | ResourceKind::K8s)).flat_map(|(_, v)| v) {
        networks.iter_mut().filter(|n| n.label == r.net).for_each(|n| n.egress = true);
        subnets.iter_mut().filter(|s| s.label == r.subnet).for_each(|s| s.egress = true);
    }
    let mut take = |k| by_kind.remove(&k).unwrap_or_default();
    let vms = take(ResourceKind::Vm);
    let dbs = take(ResourceKind::Database);
    let clusters = take(ResourceKind::K8s);
    let buckets = take(ResourceKind::Storage);
    let lbs = take(ResourceKind::LoadBalancer);

    let region_ref = |r: &str| RegionRef { label: rl(r), name: r.to_owned(), provider: alias(r) };
    let distinct = |it: &mut dyn Iterator<Item = &str>| -> Vec<RegionRef> {
        it.collect::<BTreeSet<_>>().into_iter().map(region_ref).collect()
    };
    let regions = distinct(&mut networks.iter().map(|n| n.region.as_str()));
    let zones = distinct(&mut vms.iter().map(|r| r.region.as_str()));
    let mut images: Vec<Image> = Vec::new();
    if provider == Provider::Aws {
        for r in &vms {
            if !images.iter().any(|i| i.label == r.image) {
                let arch = if r.arm { "arm64" } else { "x86_64" };
                images.push(Image { label: r.image.clone(), provider: r.provider.clone(), arch: arch.to_owned() });
            }
        }
        images.sort_by(|a, b| a.label.cmp(&b.label));
    }
    let aliases = if provider == Provider::Aws {
        let mut all = resources.iter().map(|r| r.region.as_str()).chain(networks.iter().map(|n| n.region.as_str()));
        distinct(&mut all).into_iter().filter(|r| !r.provider.is_empty()).collect()
    } else {
        Vec::new()
    };
    let db_nets: BTreeSet<&str> = dbs.iter().map(|r| r.net.as_str()).collect();
    let db_networks = if provider == Provider::Gcp {
        networks.iter().filter(|n| db_nets.contains(n.label.as_str())).cloned().collect()
    } else {
        Vec::new()
    };

    Ok(View {
        project_id: pid.to_owned(),
        project_name: spec.project_name.clone(),
        region: default_region.to_owned(),
        vms,
        dbs,
        clusters,
        buckets,
        lbs,
        networks,
        subnets,
        db_networks,
        regions,
        zones,
        images,
        aliases,
    })
}

/// The project network a resource asked for in `config.network`, checked to exist in its region.
fn explicit_network(r: &ResourceSpec, networks: &[Net]) -> Result<Option<Net>, GenerateError> {
    let Some(wanted) = r.config.get("network") else { return Ok(None) };
    let found = wanted.as_str().and_then(|w| networks.iter().find(|n| n.name == w && n.region == r.region.as_str()));
    match found {
        Some(n) => Ok(Some(n.clone())),
        None => Err(ParseError::new(
            "network",
            &wanted.to_string(),
            format!("the name of a network of this project in {}", r.region),
        )
        .into()),
    }
}

/// Labels for every region in use; two regions that would share a label are refused.
fn region_labels(spec: &ProjectSpec, resources: &[ResourceSpec]) -> Result<BTreeMap<String, String>, GenerateError> {
    let mut labels = BTreeMap::new();
    let mut used = BTreeSet::new();
    let all = std::iter::once(spec.default_region.as_str()).chain(resources.iter().map(|r| r.region.as_str()));
    for region in all.collect::<BTreeSet<_>>() {
        let label = tf_label(region);
        if !used.insert(label.clone()) {
            return Err(GenerateError::Conflict(format!("regions clash on the Terraform name `{label}`")));
        }
        labels.insert(region.to_owned(), label);
    }
    Ok(labels)
}

/// Whether a machine type is an Arm one; its image (and EKS AMI type) must match.
fn is_arm(provider: Provider, size: &str) -> bool {
    match provider {
        // Graviton families carry a `g` after the generation digit: t4g, m7gd, c6gn, im4gn, g5g.
        Provider::Aws => {
            let family = size.strip_prefix("db.").unwrap_or(size).split('.').next().unwrap_or_default();
            let after_letters = family.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let features = after_letters.trim_start_matches(|c: char| c.is_ascii_digit());
            !after_letters.is_empty() && features.contains('g')
        }
        // Ampere / Axion families: t2a, c4a, n4a.
        Provider::Gcp => matches!(size.split('-').next(), Some("t2a" | "c4a" | "n4a")),
        // Ampere sizes carry a `p` in their features: Standard_D2ps_v5, Standard_B2pls_v2.
        Provider::Azure => {
            let family = size.strip_prefix("Standard_").unwrap_or(size).split('_').next().unwrap_or_default();
            let after_letters = family.trim_start_matches(|c: char| c.is_ascii_uppercase());
            let features = after_letters.trim_start_matches(|c: char| c.is_ascii_digit());
            !after_letters.is_empty() && features.contains('p')
        }
    }
}

/// A region spelled as GCP names allow (real regions already are).
fn gcp_name_part(region: &str) -> String {
    region.chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' }).collect()
}

/// AKS DNS prefixes allow 1-54 letters, digits and hyphens, starting and ending alphanumeric.
fn dns_prefix(name: &str) -> String {
    let mapped: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(54).collect();
    let trimmed = mapped.trim_matches('-');
    if trimmed.is_empty() { "chatops".to_owned() } else { trimmed.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_sizes_are_recognised() {
        for arm in ["t4g.small", "m7gd.large", "c6gn.xlarge", "im4gn.large", "g5g.xlarge", "db.t4g.micro"] {
            assert!(is_arm(Provider::Aws, arm), "{arm}");
        }
        for x86 in ["t3.micro", "g4dn.xlarge", "m7i.large", "inf2.xlarge", "db.t3.micro", "x2iedn.xlarge"] {
            assert!(!is_arm(Provider::Aws, x86), "{x86}");
        }
        assert!(is_arm(Provider::Gcp, "t2a-standard-2") && is_arm(Provider::Gcp, "c4a-highcpu-4"));
        assert!(!is_arm(Provider::Gcp, "e2-small") && !is_arm(Provider::Gcp, "n2-standard-2"));
        assert!(is_arm(Provider::Azure, "Standard_D2ps_v5") && is_arm(Provider::Azure, "Standard_B2pls_v2"));
        assert!(!is_arm(Provider::Azure, "Standard_B2s") && !is_arm(Provider::Azure, "Standard_D2s_v3"));
    }

    #[test]
    fn aks_dns_prefixes_follow_azure_rules() {
        assert_eq!(dns_prefix("aks_main"), "aks-main");
        assert_eq!(dns_prefix(&format!("a{}", "b".repeat(70))).len(), 54);
        assert_eq!(dns_prefix("x_"), "x");
    }
}
