//! Placement: a resource joins the project network it names (`network`, same region),
//! else the generated `chatops` network of its region. Never "the first network there": adding
//! a network must not move, and so replace, running machines.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::super::GenerateError;
use super::super::model::ResourceSpec;
use super::super::slots::Slots;
use super::{Context, Net, Res, Subnet};
use crate::domain::{ParseError, Provider, ResourceKind};

/// The networks and (GCP) subnetworks of a project, and which one each resource joined.
pub(crate) struct Placement {
    pub networks: Vec<Net>,
    pub subnets: Vec<Subnet>,
    /// The project network a resource named, by kind and name.
    chosen: BTreeMap<ResourceKind, BTreeMap<String, Net>>,
}

/// The label of GCP's one generated network (subnetworks are per region).
pub(super) const GCP_GLUE: &str = "chatops";

/// Whether resources of `kind` live on a network of the project.
pub(crate) fn needs_network(provider: Provider, kind: ResourceKind) -> bool {
    match kind {
        ResourceKind::Vm | ResourceKind::Database | ResourceKind::K8s => true,
        // A GCP global HTTP load balancer has no regional network of its own.
        ResourceKind::LoadBalancer => provider != Provider::Gcp,
        ResourceKind::Storage | ResourceKind::Network => false,
    }
}

/// Places every network-bound resource: the project's networks, then one generated network per
/// region left over (GCP: one network with a subnetwork per region).
pub(crate) fn place(ctx: &Context, resources: &[&ResourceSpec]) -> Result<Placement, GenerateError> {
    let mut slots = Slots::default();
    let user = user_networks(ctx, resources, &mut slots)?;
    let mut chosen: BTreeMap<ResourceKind, BTreeMap<String, Net>> = BTreeMap::new();
    for r in resources.iter().filter(|r| needs_network(ctx.provider, r.kind)) {
        if let Some(net) = explicit_network(r, &user)? {
            chosen.entry(r.kind).or_default().insert(r.name.as_str().to_owned(), net);
        }
    }
    let named = |r: &ResourceSpec| chosen.get(&r.kind).is_some_and(|m| m.contains_key(r.name.as_str()));
    // Regions with network-bound resources that did not name a network of the project.
    // Inserted one by one, not collected: few regions, many resources.
    let mut glue = BTreeSet::new();
    for r in resources.iter().filter(|r| needs_network(ctx.provider, r.kind) && !named(r)) {
        glue.insert(r.region.as_str());
    }
    let (networks, subnets) = match ctx.provider {
        Provider::Gcp => {
            // Slots are taken in this order: the project's networks, the generated network, its
            // subnetworks.
            let generated = if glue.is_empty() { None } else { Some(gcp_glue_network(ctx, &mut slots)?) };
            let subnets = gcp_subnets(ctx, &user, &glue, &mut slots)?;
            let mut networks = user;
            networks.extend(generated);
            // Slots are below 250 and ids 6 hex digits, so this fits GCP's 63 characters.
            for n in networks.iter_mut() {
                n.firewall = format!("chatops-{}-deny-ingress-{}", ctx.project, n.index);
                n.iap_firewall = format!("chatops-{}-iap-ssh-{}", ctx.project, n.index);
            }
            (networks, subnets)
        }
        Provider::Aws | Provider::Azure => {
            let mut networks = user;
            for region in glue {
                networks.push(regional_glue_network(ctx, region, &mut slots)?);
            }
            (networks, Vec::new())
        }
    };
    Ok(Placement { networks, subnets, chosen })
}

impl Placement {
    /// The (network, subnetwork) labels a resource is placed on; empty for kinds without one.
    pub(crate) fn of(&self, ctx: &Context, r: &ResourceSpec) -> (Arc<str>, Arc<str>) {
        if !needs_network(ctx.provider, r.kind) {
            return (Arc::default(), Arc::default());
        }
        let glue_label = || ctx.names(r.region.as_str()).glue.clone();
        match (self.chosen.get(&r.kind).and_then(|m| m.get(r.name.as_str())), ctx.provider) {
            (Some(n), _) => {
                let label: Arc<str> = n.label.as_str().into();
                (label.clone(), label)
            }
            (None, Provider::Gcp) => (ctx.gcp_glue.clone(), glue_label()),
            (None, _) => (glue_label(), glue_label()),
        }
    }
}

fn user_networks(ctx: &Context, resources: &[&ResourceSpec], slots: &mut Slots) -> Result<Vec<Net>, GenerateError> {
    let mut out = Vec::new();
    for r in resources.iter().filter(|r| r.kind == ResourceKind::Network) {
        out.push(Net {
            label: r.name.tf_label(),
            name: r.name.as_str().to_owned(),
            region: r.region.as_str().to_owned(),
            region_label: ctx.region_label(r.region.as_str()),
            index: slots.take(r.name.as_str())?,
            provider: ctx.alias(r.region.as_str()),
            egress: false,
            firewall: String::new(),
            iap_firewall: String::new(),
            restricted: false,
        });
    }
    Ok(out)
}

/// GCP: one generated global network; its subnetworks carry the regions.
fn gcp_glue_network(ctx: &Context, slots: &mut Slots) -> Result<Net, GenerateError> {
    Ok(Net {
        label: GCP_GLUE.to_owned(),
        name: format!("chatops-{}", ctx.project),
        region: ctx.default_region.clone(),
        region_label: ctx.region_label(&ctx.default_region),
        // Only names its SQL peering range; a slot keeps that name unique.
        index: slots.take("chatops")?,
        provider: String::new(),
        egress: false,
        firewall: String::new(),
        iap_firewall: String::new(),
        restricted: false,
    })
}

/// AWS and Azure: one generated network per region.
fn regional_glue_network(ctx: &Context, region: &str, slots: &mut Slots) -> Result<Net, GenerateError> {
    let pid = &ctx.project;
    let name = match ctx.provider {
        Provider::Azure => format!("vnet-chatops-{pid}-{region}"),
        _ => format!("chatops-{pid}-{region}"),
    };
    Ok(Net {
        label: ctx.glue_label(region),
        name,
        region: region.to_owned(),
        region_label: ctx.region_label(region),
        index: slots.take(&format!("chatops:{region}"))?,
        provider: ctx.alias(region),
        egress: false,
        firewall: String::new(),
        iap_firewall: String::new(),
        restricted: false,
    })
}

/// GCP subnetworks: each user network in its region, the generated network once per glue region.
fn gcp_subnets(
    ctx: &Context,
    user: &[Net],
    glue: &BTreeSet<&str>,
    slots: &mut Slots,
) -> Result<Vec<Subnet>, GenerateError> {
    let mut out: Vec<Subnet> = user
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
    for region in glue {
        out.push(Subnet {
            label: ctx.glue_label(region),
            name: format!("chatops-{}-{}", ctx.project, gcp_name_part(region)),
            net: GCP_GLUE.to_owned(),
            region: (*region).to_owned(),
            index: slots.take(&format!("chatops:{region}"))?,
            egress: false,
        });
    }
    Ok(out)
}

/// Private machines still need to reach package mirrors and registries: give the networks (and
/// GCP subnetworks) that host VMs or Kubernetes nodes NAT egress.
pub(crate) fn mark_egress(by_kind: &BTreeMap<ResourceKind, Vec<Arc<Res>>>, placement: &mut Placement) {
    let hosts = by_kind.iter().filter(|(k, _)| matches!(k, ResourceKind::Vm | ResourceKind::K8s)).flat_map(|(_, v)| v);
    let (mut nets, mut subnets) = (BTreeSet::new(), BTreeSet::new());
    for r in hosts {
        nets.insert(&*r.net);
        subnets.insert(&*r.subnet);
    }
    placement.networks.iter_mut().filter(|n| nets.contains(n.label.as_str())).for_each(|n| n.egress = true);
    placement.subnets.iter_mut().filter(|s| subnets.contains(s.label.as_str())).for_each(|s| s.egress = true);
}

/// The project network a resource asked for in `config.network`, checked to exist in its region.
fn explicit_network(r: &ResourceSpec, networks: &[Net]) -> Result<Option<Net>, GenerateError> {
    let Some(wanted) = &r.network else { return Ok(None) };
    let found = networks.iter().find(|n| n.name == wanted.as_str() && n.region == r.region.as_str());
    match found {
        Some(n) => Ok(Some(n.clone())),
        None => Err(ParseError::new(
            "network",
            wanted.as_str(),
            format!("the name of a network of this project in {}", r.region),
        )
        .into()),
    }
}

/// A region spelled as GCP names allow (real regions already are).
fn gcp_name_part(region: &str) -> String {
    region.chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' }).collect()
}
