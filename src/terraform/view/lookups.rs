//! What the templates look up once per region rather than per resource: availability zones,
//! machine images, AWS provider aliases, and the GCP networks that need private service access.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::super::model::ResourceSpec;
use super::{Context, Image, Net, RegionRef, Res};
use crate::domain::Provider;

pub(crate) struct Lookups {
    pub regions: Vec<RegionRef>,
    pub zones: Vec<RegionRef>,
    pub images: Vec<Image>,
    pub aliases: Vec<RegionRef>,
    pub db_networks: Vec<Net>,
}

impl Lookups {
    pub(crate) fn derive(
        ctx: &Context,
        resources: &[&ResourceSpec],
        networks: &[Net],
        vms: &[Arc<Res>],
        dbs: &[Arc<Res>],
    ) -> Self {
        let distinct = |it: &mut dyn Iterator<Item = &str>| -> Vec<RegionRef> {
            it.collect::<BTreeSet<_>>().into_iter().map(|r| ctx.region_ref(r)).collect()
        };
        let regions = distinct(&mut networks.iter().map(|n| n.region.as_str()));
        let zones = distinct(&mut vms.iter().map(|r| &*r.region));
        let (images, aliases) = if ctx.provider == Provider::Aws {
            let mut all = resources.iter().map(|r| r.region.as_str()).chain(networks.iter().map(|n| n.region.as_str()));
            (aws_images(vms), distinct(&mut all).into_iter().filter(|r| !r.provider.is_empty()).collect())
        } else {
            (Vec::new(), Vec::new())
        };
        let db_networks = if ctx.provider == Provider::Gcp {
            let used: BTreeSet<&str> = dbs.iter().map(|r| &*r.net).collect();
            networks.iter().filter(|n| used.contains(n.label.as_str())).cloned().collect()
        } else {
            Vec::new()
        };
        Lookups { regions, zones, images, aliases, db_networks }
    }
}

/// One Amazon Linux 2023 lookup per region and architecture in use.
fn aws_images(vms: &[Arc<Res>]) -> Vec<Image> {
    let mut images: Vec<Image> = Vec::new();
    for r in vms {
        if !images.iter().any(|i| i.label == r.image) {
            let arch = if r.arm { "arm64" } else { "x86_64" };
            images.push(Image { label: r.image.clone(), provider: r.provider.clone(), arch: arch.to_owned() });
        }
    }
    images.sort_by(|a, b| a.label.cmp(&b.label));
    images
}

/// Azure networks hosting a private PostgreSQL server: each gets a delegated subnet and a link
/// to the project's private DNS zone, so the server is reachable from the network by name.
pub(crate) fn azure_pg_networks(ctx: &Context, networks: &[Net], dbs: &[Arc<Res>]) -> Vec<Net> {
    if ctx.provider != Provider::Azure {
        return Vec::new();
    }
    let used: BTreeSet<&str> = dbs.iter().filter(|r| !r.public).map(|r| &*r.net).collect();
    let restricted: BTreeSet<&str> = dbs.iter().filter(|r| !r.clients.is_empty()).map(|r| &*r.net).collect();
    networks
        .iter()
        .filter(|n| used.contains(n.label.as_str()))
        .map(|n| Net { restricted: restricted.contains(n.label.as_str()), ..n.clone() })
        .collect()
}
