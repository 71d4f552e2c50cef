//! The nearest compliant alternative to a denied deploy: the same request with another size, another
//! region, or both, judged by the validator itself — so the member's size limit and allowed regions,
//! the region and cost policies, quotas and budgets all count exactly as they will when the member
//! asks again.
//!
//! Only what a size or a region can fix is searched: a denial for the role, a kind the member may
//! not create, a security option or a per-request unit limit has no alternative here. Among the
//! candidates that are not denied, the nearest wins: allowed before needing approval, the same
//! region before another, no dearer than what was asked, the same machine family, the closest price
//! (so the largest size that fits), then catalogue order.

use super::input::DeployRequest;
use super::verdict::{Effect, Outcome, Verdict};
use crate::domain::{Catalog, Money};

/// What to ask for instead, with its price.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    /// The machine type, tier or node type (`None`: a kind without sizes).
    pub size: Option<String>,
    /// The region.
    pub region: String,
    /// Per unit, per hour.
    pub unit_hourly: Money,
    /// The whole request, per hour and per month.
    pub hourly: Money,
    /// Per month.
    pub monthly: Money,
    /// Whether it still needs a CloudAdmin's approval.
    pub needs_approval: bool,
}

/// What a denial says can be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Levers {
    size: bool,
    region: bool,
}

fn levers(verdict: &Verdict) -> Option<Levers> {
    let mut levers = Levers { size: false, region: false };
    for v in verdict.violations.iter().filter(|v| v.effect == Effect::Deny) {
        let rule = v.rule.as_str();
        if matches!(rule, "permission.allowed_regions" | "policy.region" | "request.region") {
            levers.region = true;
        } else if matches!(rule, "permission.max_vm_size" | "policy.cost" | "request.size")
            || rule.starts_with("quota.")
            || rule.starts_with("budget.")
        {
            levers.size = true;
        } else {
            // Neither a size nor a region can lift this one.
            return None;
        }
    }
    (levers.size || levers.region).then_some(levers)
}

/// The requests worth judging instead of a denied `request` (none when the verdict is not a denial
/// a size or a region could lift).
pub fn candidates(request: &DeployRequest, verdict: &Verdict, catalog: &Catalog) -> Vec<DeployRequest> {
    if verdict.outcome != Outcome::Denied {
        return Vec::new();
    }
    let Some(levers) = levers(verdict) else { return Vec::new() };
    let offered = catalog.provider(request.provider);
    let asked_size = verdict.size_name.clone().or_else(|| request.size.clone());
    let sizes: Vec<Option<String>> = match offered.size_names(request.kind) {
        names if levers.size && !names.is_empty() => names.into_iter().map(|n| Some(n.to_owned())).collect(),
        _ => vec![asked_size.clone()],
    };
    let regions: Vec<String> = if levers.region {
        offered.regions.iter().map(|r| r.name.clone()).collect()
    } else {
        vec![request.region.clone()]
    };
    let mut out = Vec::new();
    for region in &regions {
        for size in &sizes {
            if *size == asked_size && *region == request.region {
                continue;
            }
            out.push(DeployRequest { size: size.clone(), region: region.clone(), ..request.clone() });
        }
    }
    out
}

/// The nearest of the `judged` candidates that is not denied.
pub fn nearest(request: &DeployRequest, asked: &Verdict, judged: &[(DeployRequest, Verdict)]) -> Option<Suggestion> {
    let asked_price = asked.unit_hourly;
    let family = |size: Option<&str>| size.and_then(|s| s.split(['-', '.', '_']).next()).map(str::to_owned);
    let asked_family = family(asked.size_name.as_deref().or(request.size.as_deref()));
    judged
        .iter()
        .enumerate()
        .filter(|(_, (_, v))| v.outcome != Outcome::Denied)
        .min_by_key(|(i, (c, v))| {
            let dearer = v.unit_hourly > asked_price;
            let gap = (v.unit_hourly.micros() - asked_price.micros()).unsigned_abs();
            (
                v.outcome != Outcome::Allowed,
                c.region != request.region,
                dearer,
                family(v.size_name.as_deref()) != asked_family,
                gap,
                *i,
            )
        })
        .map(|(_, (c, v))| Suggestion {
            size: v.size_name.clone().or_else(|| c.size.clone()),
            region: c.region.clone(),
            unit_hourly: v.unit_hourly,
            hourly: v.hourly,
            monthly: v.monthly,
            needs_approval: v.outcome == Outcome::NeedsApproval,
        })
}

/// [`candidates`] judged by `judge` (the validator with the request's facts), then [`nearest`].
pub fn search(
    request: &DeployRequest,
    verdict: &Verdict,
    catalog: &Catalog,
    judge: impl Fn(&DeployRequest) -> Verdict,
) -> Option<Suggestion> {
    let judged: Vec<(DeployRequest, Verdict)> =
        candidates(request, verdict, catalog).into_iter().map(|c| (c.clone(), judge(&c))).collect();
    nearest(request, verdict, &judged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::{Member, Permissions, Policy, ProjectContext, QuotaState, ValidationInput, validate};
    use crate::domain::{PolicyKind, Provider, ResourceKind, Role};

    fn request(size: &str, region: &str) -> DeployRequest {
        DeployRequest {
            provider: Provider::Gcp,
            kind: ResourceKind::Vm,
            name: "web".into(),
            region: region.into(),
            size: Some(size.into()),
            node_count: None,
            count: 1,
            options: Default::default(),
            links: Default::default(),
            egress_hourly: Default::default(),
        }
    }

    fn find(
        catalog: &Catalog,
        request: &DeployRequest,
        member: &Member,
        policies: &[Policy],
    ) -> (Verdict, Option<Suggestion>) {
        let quotas: Vec<QuotaState> = Vec::new();
        let project = ProjectContext {
            project_id: "gcp-abc123".into(),
            provider: Provider::Gcp,
            monthly_budget: None,
            current_hourly_spend: Money::ZERO,
            reserved_monthly: Money::ZERO,
        };
        let judge = |r: &DeployRequest| {
            validate(&ValidationInput {
                request: r,
                actor: member,
                policies,
                quotas: &quotas,
                project: &project,
                user_hourly_spend: Money::ZERO,
                catalog,
            })
        };
        let verdict = judge(request);
        let found = search(request, &verdict, catalog, judge);
        (verdict, found)
    }

    fn user(permissions: Permissions) -> Member {
        Member { user_id: 1, permissions: Some(permissions), is_guild_admin: false }
    }

    fn policy(kind: PolicyKind, allowed: &[&str], denied: &[&str], max: Option<Money>) -> Policy {
        Policy {
            id: 1,
            name: "p".into(),
            policy_type: kind,
            resource_pattern: "*".into(),
            allowed_values: allowed.iter().map(|s| (*s).to_owned()).collect(),
            denied_values: denied.iter().map(|s| (*s).to_owned()).collect(),
            max_cost_per_hour: max,
            require_approval: false,
            priority: 100,
        }
    }

    #[test]
    fn a_cloud_user_denied_a_large_machine_is_offered_the_largest_medium_of_its_family() {
        let catalog = Catalog::builtin();
        let member = user(Permissions::for_role(Role::CloudUser));
        let (verdict, found) = find(&catalog, &request("e2-standard-8", "us-central1"), &member, &[]);
        assert_eq!(verdict.outcome, Outcome::Denied);
        let found = found.expect("an alternative");
        assert_eq!((found.size.as_deref(), found.region.as_str()), (Some("e2-standard-2"), "us-central1"));
        let priced = catalog.quote(Provider::Gcp, ResourceKind::Vm, "us-central1", Some("e2-standard-2"), None, 1);
        assert_eq!(found.unit_hourly, priced.unwrap().unit_hourly, "with its price");
        assert!(!found.needs_approval);
    }

    #[test]
    fn a_denied_region_is_replaced_by_an_allowed_one_at_the_same_size() {
        let catalog = Catalog::builtin();
        let mut grant = Permissions::for_role(Role::CloudUser);
        grant.allowed_regions = Some(vec!["europe-west1".into()]);
        let (_, found) = find(&catalog, &request("e2-small", "us-central1"), &user(grant), &[]);
        let found = found.expect("an alternative");
        assert_eq!((found.size.as_deref(), found.region.as_str()), (Some("e2-small"), "europe-west1"));

        // A region policy narrows it further; the grant's list and the policy must both agree.
        let admin = user(Permissions::for_role(Role::CloudAdmin));
        let regions = policy(PolicyKind::Region, &[], &["us-*"], None);
        let (_, found) = find(&catalog, &request("e2-small", "us-central1"), &admin, &[regions]);
        assert!(!found.expect("an alternative").region.starts_with("us-"));
    }

    #[test]
    fn a_cost_policy_gets_the_nearest_size_under_its_limit() {
        let catalog = Catalog::builtin();
        let admin = user(Permissions::for_role(Role::CloudAdmin));
        let cost = policy(PolicyKind::Cost, &[], &[], Some(Money::from_micros(50_000)));
        let (verdict, found) = find(&catalog, &request("e2-standard-4", "us-central1"), &admin, &[cost]);
        assert_eq!(verdict.outcome, Outcome::Denied);
        let found = found.expect("an alternative");
        assert!(found.unit_hourly <= Money::from_micros(50_000), "{found:?}");
        assert_eq!(found.size.as_deref(), Some("e2-medium"), "the dearest e2 under $0.05/h");
    }

    #[test]
    fn what_no_size_or_region_can_fix_has_no_alternative() {
        let catalog = Catalog::builtin();
        let viewer = user(Permissions::for_role(Role::CloudViewer));
        assert_eq!(find(&catalog, &request("e2-standard-8", "us-central1"), &viewer, &[]).1, None);
        let allowed = user(Permissions::for_role(Role::CloudUser));
        let (verdict, found) = find(&catalog, &request("e2-small", "us-central1"), &allowed, &[]);
        assert_eq!((verdict.outcome, found), (Outcome::Allowed, None), "nothing to suggest when allowed");
        let security = policy(PolicyKind::Security, &[], &["public"], None);
        let mut public = request("e2-standard-8", "us-central1");
        public.options.insert("access".into(), "public".into());
        assert_eq!(find(&catalog, &public, &allowed, &[security]).1, None, "the security denial stays");
    }
}
