//! NAT gateways are written per network, not per resource: the first VM or cluster on a network
//! brings one (private machines reach the internet through it). [`nat_gateways_added`] tells the
//! lobby whether a request brings one, so it can add `Catalog::nat_gateway_hourly` to the price.

use super::GenerateError;
use super::model::{ProjectSpec, ResourceSpec};
use super::view;
use crate::domain::{MachineType, Provider, Region, ResourceKind, ResourceName};

/// How many NAT gateways the generator writes for `spec` (AWS NAT gateways, GCP Cloud NATs).
pub fn nat_gateways(spec: &ProjectSpec) -> Result<usize, GenerateError> {
    let v = view::build(spec)?;
    Ok(match spec.provider {
        Provider::Gcp => v.subnets.iter().filter(|s| s.egress).count(),
        Provider::Aws => v.networks.iter().filter(|n| n.egress).count(),
        // Azure machines get no outbound path from the generator (no NAT gateway is written).
        Provider::Azure => 0,
    })
}

/// The NAT gateways that deploying a `kind` resource in `region` (on the project network
/// `network`, if named) adds to `spec`, the project as it is: 0 or 1, whatever the count.
pub fn nat_gateways_added(
    spec: &ProjectSpec,
    kind: ResourceKind,
    region: &str,
    network: Option<&str>,
) -> Result<usize, GenerateError> {
    if !matches!(kind, ResourceKind::Vm | ResourceKind::K8s) {
        return Ok(0);
    }
    let provider = spec.provider;
    // A stand-in of the same placement; its size and name do not change the networks.
    let mut probe = ResourceSpec::new(
        kind,
        ResourceName::parse(provider, kind, "chatops-nat-probe")?,
        Region::parse(provider, region)?,
    );
    probe.size = Some(MachineType::parse(provider, "probe")?);
    probe.node_count = Some(1);
    probe.network = network.map(|n| ResourceName::parse(provider, ResourceKind::Network, n)).transpose()?;
    let mut with = spec.clone();
    with.resources.push(probe);
    Ok(nat_gateways(&with)?.saturating_sub(nat_gateways(spec)?))
}
