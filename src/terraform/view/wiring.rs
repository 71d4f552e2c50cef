//! A stack's wiring: a load balancer's `targets` registered behind it, a database's `clients` the
//! only machines of its network that reach it. Every name must be a VM of the project on the same
//! network, or the project is refused before anything is written.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::super::GenerateError;
use super::super::model::ResourceSpec;
use super::{Context, Group, Peer, Res};
use crate::domain::{ParseError, Provider, ResourceKind};

/// Azure: first priority of the per-database allow rules on a network's security group.
const AZURE_FIRST_PRIORITY: u32 = 200;

/// Fills `targets`, `clients`, the GCP instance groups and network tags, and the Azure rule
/// priorities, from the specs (sorted by kind then name, as `by_kind` was built).
pub(crate) fn wire(
    ctx: &Context,
    resources: &[&ResourceSpec],
    by_kind: &mut BTreeMap<ResourceKind, Vec<Arc<Res>>>,
) -> Result<(), GenerateError> {
    // Nothing names a peer (most projects): nothing to wire.
    if resources.iter().all(|r| r.targets.is_empty() && r.clients.is_empty()) {
        return Ok(());
    }
    let vms: BTreeMap<String, VmRef> = by_kind
        .get(&ResourceKind::Vm)
        .into_iter()
        .flatten()
        .map(|r| {
            let vm = VmRef {
                name: r.name.clone(),
                label: r.label.clone(),
                net: r.net.to_string(),
                region: r.region.to_string(),
                region_label: r.region_label.to_string(),
            };
            (r.name.clone(), vm)
        })
        .collect();
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let specs = |kind| resources.iter().filter(move |r: &&&ResourceSpec| r.kind == kind);

    let lbs = by_kind.entry(ResourceKind::LoadBalancer).or_default();
    for (spec, lb) in specs(ResourceKind::LoadBalancer).zip(lbs.iter_mut()) {
        if spec.targets.is_empty() {
            continue;
        }
        // Copied before it is changed: the memo keeps the resource as built, unwired.
        let lb = Arc::make_mut(lb);
        let members = resolve(&vms, "targets", &spec.targets, lb, ctx.provider != Provider::Gcp)?;
        if ctx.provider == Provider::Gcp && !members.is_empty() {
            // A global load balancer reaches its backends on their network: one network for all.
            let net = &vms[&members[0].name].net;
            if let Some(other) = members.iter().find(|m| &vms[&m.name].net != net) {
                return Err(ParseError::new("targets", &other.name, "VMs all on one network").into());
            }
            lb.peer_net = net.clone();
            lb.tag = gcp_name(&lb.name, "lb");
            lb.fw_allow = gcp_name(&lb.name, "lb-backends");
            lb.groups = groups(&vms, &lb.name, &members);
            for m in &members {
                tags.entry(m.name.clone()).or_default().push(lb.tag.clone());
            }
        }
        lb.targets = members;
    }

    let dbs = by_kind.entry(ResourceKind::Database).or_default();
    let mut next_priority: BTreeMap<String, u32> = BTreeMap::new();
    for (spec, db) in specs(ResourceKind::Database).zip(dbs.iter_mut()) {
        if spec.clients.is_empty() {
            continue;
        }
        let db = Arc::make_mut(db);
        let members = resolve(&vms, "clients", &spec.clients, db, true)?;
        match ctx.provider {
            Provider::Gcp => {
                db.tag = gcp_name(&db.name, "sql-client");
                db.fw_allow = gcp_name(&db.name, "sql-clients");
                db.fw_deny = gcp_name(&db.name, "sql-others");
                for m in &members {
                    tags.entry(m.name.clone()).or_default().push(db.tag.clone());
                }
            }
            Provider::Azure if db.public => {
                return Err(ParseError::new(
                    "clients",
                    &db.name,
                    "a private database (clients reach it inside its network)",
                )
                .into());
            }
            Provider::Azure => {
                let p = next_priority.entry(db.net.to_string()).or_insert(AZURE_FIRST_PRIORITY);
                db.priority = *p;
                *p += 1;
            }
            Provider::Aws => {}
        }
        db.clients = members;
    }

    for vm in by_kind.entry(ResourceKind::Vm).or_default() {
        if let Some(mut t) = tags.remove(&vm.name) {
            t.sort();
            t.dedup();
            Arc::make_mut(vm).tags = t;
        }
    }
    Ok(())
}

/// What wiring needs of a VM.
struct VmRef {
    name: String,
    label: String,
    net: String,
    region: String,
    region_label: String,
}

/// The VMs `names` refers to, each checked to exist (and, with `same_net`, to be on `owner`'s network).
fn resolve(
    vms: &BTreeMap<String, VmRef>,
    field: &'static str,
    names: &[crate::domain::ResourceName],
    owner: &Res,
    same_net: bool,
) -> Result<Vec<Peer>, GenerateError> {
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        let Some(vm) = vms.get(n.as_str()) else {
            return Err(ParseError::new(field, n.as_str(), "the name of a VM of this project").into());
        };
        if same_net && *vm.net != *owner.net {
            return Err(ParseError::new(field, n.as_str(), format!("a VM on the network of `{}`", owner.name)).into());
        }
        out.push(Peer { name: vm.name.clone(), label: vm.label.clone() });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// GCP: one unmanaged instance group per zone (region) the targets are in.
fn groups(vms: &BTreeMap<String, VmRef>, lb: &str, members: &[Peer]) -> Vec<Group> {
    let mut by_region: BTreeMap<&str, Vec<Peer>> = BTreeMap::new();
    for m in members {
        by_region.entry(vms[&m.name].region_label.as_str()).or_default().push(m.clone());
    }
    by_region
        .into_iter()
        .map(|(region_label, members)| {
            let vm = &vms[&members[0].name];
            Group {
                label: format!("{}_{region_label}", crate::domain::names::tf_label(lb)),
                name: gcp_name(lb, &vm.region.replace(|c: char| !c.is_ascii_alphanumeric(), "-")),
                region_label: region_label.to_owned(),
                net: vm.net.clone(),
                members,
            }
        })
        .collect()
}

/// A GCP name (firewall rule, network tag, instance group) derived from a resource's: `<base>-<suffix>`,
/// shortened with a hash of the base to fit 63 characters, so two bases never share one.
pub(crate) fn gcp_name(base: &str, suffix: &str) -> String {
    let plain = format!("{base}-{suffix}");
    if plain.len() <= 63 {
        return plain;
    }
    let hash = crate::terraform::slots::fnv1a(base);
    let keep = 63 - suffix.len() - 10;
    let head: String = base.chars().take(keep).collect();
    format!("{head}-{:08x}-{suffix}", hash as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_gcp_names_fit_and_stay_apart() {
        assert_eq!(gcp_name("shop-lb", "lb"), "shop-lb-lb");
        let (a, b) = (format!("{}a", "x".repeat(62)), format!("{}b", "x".repeat(62)));
        let (na, nb) = (gcp_name(&a, "sql-client"), gcp_name(&b, "sql-client"));
        assert!(na.len() <= 63 && nb.len() <= 63, "{na} {nb}");
        assert_ne!(na, nb);
        assert!(na.ends_with("-sql-client"));
    }
}
