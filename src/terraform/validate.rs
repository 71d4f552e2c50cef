//! The generator's own check of its input: every value re-parsed against the spec's provider.

use std::sync::Arc;

use super::GenerateError;
use super::model::{ProjectSpec, ResourceSpec};
use super::options::ResourceOptions;
use crate::domain::names::label_of;
use crate::domain::{MachineType, ParseError, Provider, Region, ResourceKind, ResourceName};

const MAX_NODES: u32 = 100;

/// The resources the last rendering found valid, for its provider: a resource spec equal to one
/// of them passes again without being parsed again (its checks read the spec and the provider
/// alone). The project-wide checks (Terraform names, peers) run every time. A rendering that fails
/// validation leaves the memo empty.
#[derive(Default)]
pub(crate) struct ValidMemo {
    provider: Option<Provider>,
    /// By [`ValidMemo::key`]; two resources with one key: the later is parsed each time.
    last: rustc_hash::FxHashMap<u64, Known>,
    /// Counts validations; never reset, so a round names one validation for good.
    round: u64,
}

/// A resource found valid, with the round since which it has been valid as it is. The spec is
/// held shared with the spec it was validated in: the same allocation again is the same resource,
/// known without comparing it (and, held, its address cannot be reused by another).
struct Known {
    spec: Arc<ResourceSpec>,
    since: u64,
}

impl Known {
    fn is(&self, r: &Arc<ResourceSpec>) -> bool {
        Arc::ptr_eq(&self.spec, r) || *self.spec == **r
    }
}

/// What a validation found: the resources sorted by kind then name, and for each the round since
/// which the memo has seen it as it is now (this round when it is new or changed), and its
/// [`ValidMemo::key`] (hashed once, for every memo that keeps resources by it).
pub(crate) struct Validated<'a> {
    pub resources: Vec<&'a ResourceSpec>,
    pub since: Vec<u64>,
    pub keys: Vec<u64>,
    /// This validation's round.
    pub round: u64,
}

impl ValidMemo {
    /// The key a resource is remembered by: its kind and name.
    pub(crate) fn key(r: &ResourceSpec) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        (r.kind, r.name.as_str()).hash(&mut h);
        h.finish()
    }
}

/// Re-validates every value against `spec.provider`, so a name parsed for another provider or
/// kind cannot slip through, and returns the resources sorted by kind then name; parses again
/// only what `memo` has not seen valid.
pub(crate) fn validated_with<'a>(spec: &'a ProjectSpec, memo: &mut ValidMemo) -> Result<Validated<'a>, GenerateError> {
    if spec.project_id.provider() != spec.provider {
        return Err(ParseError::new(
            "project id",
            spec.project_id.as_str(),
            format!("an id starting with {}-", spec.provider),
        )
        .into());
    }
    Region::parse(spec.provider, spec.default_region.as_str())?;
    let same_provider = memo.provider.take() == Some(spec.provider);
    let mut last = std::mem::take(&mut memo.last);
    memo.round += 1;
    let round = memo.round;
    let mut valid = rustc_hash::FxHashMap::with_capacity_and_hasher(spec.resources.len(), Default::default());
    let mut out = Vec::with_capacity(spec.resources.len());
    for shared in spec.resources.shared() {
        let r = &**shared;
        let key = ValidMemo::key(r);
        if let Some(known) = last.remove(&key).filter(|known| same_provider && known.is(shared)) {
            out.push((r, key, known.since));
            valid.insert(key, known);
            continue;
        }
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
        valid.entry(key).or_insert_with(|| Known { spec: shared.clone(), since: round });
        out.push((r, key, round));
    }
    out.sort_by(|(a, ..), (b, ..)| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let mut keys = Vec::with_capacity(out.len());
    let mut since = Vec::with_capacity(out.len());
    let out: Vec<&ResourceSpec> = out
        .into_iter()
        .map(|(r, key, round)| {
            keys.push(key);
            since.push(round);
            r
        })
        .collect();
    let mut seen = rustc_hash::FxHashSet::default();
    seen.reserve(out.len());
    for r in &out {
        if !seen.insert((r.kind, label_of(r.name.as_str()))) {
            return Err(GenerateError::Conflict(format!(
                "two {} resources map to the Terraform name `{}`",
                r.kind,
                r.name.tf_label()
            )));
        }
    }
    // Every resource passed: they are what the next rendering knows valid.
    *memo = ValidMemo { provider: Some(spec.provider), last: valid, round };
    Ok(Validated { resources: out, since, keys, round })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ProjectId;

    /// Whether `memo` holds `r` as found valid for `provider`.
    fn knows(memo: &ValidMemo, provider: Provider, r: &ResourceSpec) -> bool {
        memo.provider == Some(provider) && memo.last.get(&ValidMemo::key(r)).is_some_and(|known| *known.spec == *r)
    }

    /// A project of `provider` holding a bucket whose name was parsed for GCP.
    fn spec(provider: Provider, project: &str, region: &str) -> ProjectSpec {
        let region = Region::parse(provider, region).unwrap();
        let bucket = ResourceSpec::new(
            ResourceKind::Storage,
            ResourceName::parse(Provider::Gcp, ResourceKind::Storage, "team-assets").unwrap(),
            region.clone(),
        );
        ProjectSpec {
            project_id: ProjectId::parse(project).unwrap(),
            provider,
            default_region: region,
            project_name: "p".into(),
            resources: vec![bucket].into(),
            settings: Default::default(),
        }
    }

    #[test]
    fn what_the_memo_saw_valid_for_one_provider_is_parsed_again_for_another() {
        let mut memo = ValidMemo::default();
        let gcp = spec(Provider::Gcp, "gcp-abc123", "us-central1");
        assert_eq!(validated_with(&gcp, &mut memo).unwrap().resources.len(), 1);
        assert!(knows(&memo, Provider::Gcp, &gcp.resources[0]));
        // The very same bucket in an Azure project: a hyphen is no part of a storage account's name.
        let azure = spec(Provider::Azure, "azure-abc123", "us-central1");
        assert_eq!(azure.resources, gcp.resources);
        assert!(validated_with(&azure, &mut ValidMemo::default()).is_err());
        assert!(validated_with(&azure, &mut memo).is_err());
        // A changed resource is parsed again too: a node count out of range is refused.
        let mut changed = gcp.clone();
        changed.resources[0].node_count = Some(1_000);
        assert!(validated_with(&changed, &mut memo).is_err());
        assert_eq!(validated_with(&gcp, &mut memo).unwrap().resources.len(), 1);
    }
}
