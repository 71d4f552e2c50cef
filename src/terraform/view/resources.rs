//! Each user resource as the templates print it: label, placement, size, provider alias, image.

use std::collections::BTreeMap;

use std::sync::Arc;

use super::super::GenerateError;
use super::super::model::{Access, ResourceSpec};
use super::super::slots::Slots;
use super::super::validate::Validated;
use super::networks::Placement;
use super::{Context, Ingress, Res};
use crate::domain::names::physical_name_of;
use crate::domain::{Provider, ResourceKind};

/// The resources built by the last renderings, kept so that a resource whose inputs are unchanged
/// is shared rather than built again. A resource is built from its spec, its place (cluster slot,
/// network and subnetwork labels) and the project's context (provider, id, default region, region
/// labels): a kept one is reused only when its spec has been valid as it is since before it was
/// built (`Validated::since`), its place is the same, and the context is too.
#[derive(Default)]
pub(crate) struct BuiltMemo {
    context: Option<ContextKey>,
    /// By `ValidMemo::key`; the resource kept says which kind and name it is.
    last: rustc_hash::FxHashMap<u64, Built>,
}

/// What a resource's building read of the project, besides the resource itself.
struct ContextKey {
    provider: Provider,
    project: crate::domain::ProjectId,
    default_region: String,
    /// Each region in use with its label.
    regions: Vec<(String, Arc<str>)>,
}

impl ContextKey {
    fn of(ctx: &Context) -> Self {
        ContextKey {
            provider: ctx.provider,
            project: ctx.project.clone(),
            default_region: ctx.default_region.clone(),
            regions: ctx.regions().map(|(r, n)| (r.to_owned(), n.label.clone())).collect(),
        }
    }

    /// Whether `ctx` is the context this key was taken of (compared, not copied).
    fn matches(&self, ctx: &Context) -> bool {
        self.provider == ctx.provider
            && self.project == ctx.project
            && self.default_region == ctx.default_region
            && self.regions.len() == ctx.regions().count()
            && self.regions.iter().zip(ctx.regions()).all(|((r, l), (cr, cn))| r == cr && *l == cn.label)
    }
}

/// A resource as built (before wiring), with the validation round it was built in and its place.
struct Built {
    kind: ResourceKind,
    round: u64,
    index: usize,
    net: Arc<str>,
    subnet: Arc<str>,
    res: Arc<Res>,
}

/// The resources grouped by kind, each in name order.
pub(crate) fn by_kind(
    ctx: &Context,
    valid: &Validated<'_>,
    placement: &Placement,
    memo: &mut BuiltMemo,
) -> Result<BTreeMap<ResourceKind, Vec<Arc<Res>>>, GenerateError> {
    let mut last = std::mem::take(&mut memo.last);
    // Forgotten until this building succeeds.
    let context = match memo.context.take() {
        Some(known) if known.matches(ctx) => known,
        _ => {
            last.clear();
            ContextKey::of(ctx)
        }
    };
    let resources = &valid.resources;
    let mut next = rustc_hash::FxHashMap::with_capacity_and_hasher(resources.len(), Default::default());
    // Clusters get CIDR slots of their own (control-plane ranges), stable per name.
    let mut cluster_slots = Slots::default();
    let mut out: BTreeMap<ResourceKind, Vec<Arc<Res>>> = BTreeMap::new();
    for ((r, &since), &key) in resources.iter().zip(&valid.since).zip(&valid.keys) {
        let list = out.entry(r.kind).or_insert_with(|| {
            // Sorted by kind: the rest of this kind follow this one.
            Vec::with_capacity(resources.iter().filter(|o| o.kind == r.kind).count())
        });
        // Only clusters print theirs; a position would change every block after an insertion.
        let index = if r.kind == ResourceKind::K8s { cluster_slots.take(r.name.as_str())? } else { 0 };
        let (net, subnet) = placement.of(ctx, r);
        let kept = last.remove(&key).filter(|b| {
            b.round >= since
                && b.index == index
                && b.net == net
                && b.subnet == subnet
                && b.kind == r.kind
                && b.res.name == r.name.as_str()
        });
        let res = match kept {
            Some(built) => built.res,
            None => Arc::new(res(ctx, r, net.clone(), subnet.clone(), index)?),
        };
        next.entry(key).or_insert_with(|| Built {
            kind: r.kind,
            round: valid.round,
            index,
            net,
            subnet,
            res: res.clone(),
        });
        list.push(res);
    }
    *memo = BuiltMemo { context: Some(context), last: next };
    Ok(out)
}

fn res(ctx: &Context, r: &ResourceSpec, net: Arc<str>, subnet: Arc<str>, index: usize) -> Result<Res, GenerateError> {
    // Validation made sure sized kinds carry the size the catalogue priced.
    let size = r.size.as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default();
    let region = r.region.as_str();
    let names = ctx.names(region);
    let arm = is_arm(ctx.provider, &size);
    let name = r.name.as_str().to_owned();
    // Validation parsed the name; a pinned one is kept, else the rule of its namespace applies.
    let physical = match &r.physical {
        Some(pinned) => pinned.as_str().to_owned(),
        None => physical_name_of(ctx.provider, r.kind, &r.name, &ctx.project)?,
    };
    Ok(Res {
        label: r.name.tf_label(),
        name,
        physical,
        public: r.options.access == Access::Public,
        ingress: r
            .options
            .ingress
            .iter()
            .enumerate()
            .map(|(i, c)| Ingress {
                name: format!("ingress-{}", i + 1),
                cidr: c.to_string(),
                first: c.first().to_string(),
                last: c.last().to_string(),
            })
            .collect(),
        region: names.name.clone(),
        nodes: r.node_count.unwrap_or_default(),
        index,
        net,
        subnet,
        provider: ctx.alias(region),
        // Only AKS clusters print them.
        dns_prefix: if r.kind == ResourceKind::K8s { dns_prefix(r.name.as_str()) } else { String::new() },
        arm,
        decommissioning: r.decommissioning,
        targets: Vec::new(),
        clients: Vec::new(),
        groups: Vec::new(),
        peer_net: String::new(),
        tags: Vec::new(),
        tag: String::new(),
        priority: 0,
        fw_allow: String::new(),
        fw_deny: String::new(),
        // Only AWS machines look their image up.
        image: if ctx.provider == Provider::Aws {
            format!("{}_al2023_{}", names.label, if arm { "arm64" } else { "x86_64" })
        } else {
            String::new()
        },
        region_label: names.label.clone(),
        size,
    })
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
