//! The generator's own check of its input: every value re-parsed against the spec's provider.

use std::collections::BTreeSet;

use super::GenerateError;
use super::model::{ProjectSpec, ResourceSpec};
use super::options::ResourceOptions;
use crate::domain::{MachineType, ParseError, Region, ResourceKind, ResourceName};

const MAX_NODES: u32 = 100;

/// Re-validates every value against `spec.provider`, so a name parsed for another provider or
/// kind cannot slip through, and returns the resources sorted by kind then name.
pub(crate) fn validated(spec: &ProjectSpec) -> Result<Vec<ResourceSpec>, GenerateError> {
    if spec.project_id.provider() != spec.provider {
        return Err(ParseError::new(
            "project id",
            spec.project_id.as_str(),
            format!("an id starting with {}-", spec.provider),
        )
        .into());
    }
    Region::parse(spec.provider, spec.default_region.as_str())?;
    let mut out = Vec::with_capacity(spec.resources.len());
    for r in &spec.resources {
        ResourceName::parse(spec.provider, r.kind, r.name.as_str())?;
        Region::parse(spec.provider, r.region.as_str())?;
        let sized = matches!(r.kind, ResourceKind::Vm | ResourceKind::Database | ResourceKind::K8s);
        match &r.size {
            Some(size) => drop(MachineType::parse(spec.provider, size.as_str())?),
            // Never a silent default of the generator's own: the loader fills in what was priced.
            None if sized => {
                return Err(ParseError::new(
                    "size",
                    r.name.as_str(),
                    "a size (the catalogue's default when none was asked)",
                )
                .into());
            }
            None => {}
        }
        match r.node_count {
            Some(n) if !(1..=MAX_NODES).contains(&n) => {
                return Err(ParseError::new("node count", &n.to_string(), "1 to 100").into());
            }
            None if r.kind == ResourceKind::K8s => {
                return Err(
                    ParseError::new("node count", r.name.as_str(), "a node count (the catalogue's default)").into()
                );
            }
            _ => {}
        }
        ResourceOptions::parse(spec.provider, r.kind, &r.options.to_map())?;
        if let Some(net) = &r.network {
            ResourceName::parse(spec.provider, ResourceKind::Network, net.as_str())?;
        }
        peers(spec, r, "targets", &r.targets, ResourceKind::LoadBalancer)?;
        peers(spec, r, "clients", &r.clients, ResourceKind::Database)?;
        out.push(r.clone());
    }
    out.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let mut seen = BTreeSet::new();
    for r in &out {
        if !seen.insert((r.kind, r.name.tf_label())) {
            return Err(GenerateError::Conflict(format!(
                "two {} resources map to the Terraform name `{}`",
                r.kind,
                r.name.tf_label()
            )));
        }
    }
    Ok(out)
}

/// `targets` belong to load balancers and `clients` to databases; each names a VM validly.
fn peers(
    spec: &ProjectSpec,
    r: &ResourceSpec,
    field: &'static str,
    names: &[ResourceName],
    owner: ResourceKind,
) -> Result<(), GenerateError> {
    if names.is_empty() {
        return Ok(());
    }
    if r.kind != owner {
        return Err(
            ParseError::new(field, r.name.as_str(), format!("{field} only on a {}", owner.display_name())).into()
        );
    }
    if names.len() > super::model::MAX_PEERS {
        return Err(ParseError::new(field, r.name.as_str(), format!("at most {} VMs", super::model::MAX_PEERS)).into());
    }
    for n in names {
        ResourceName::parse(spec.provider, ResourceKind::Vm, n.as_str())?;
    }
    Ok(())
}
