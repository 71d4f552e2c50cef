//! Verdicts over a lobby's [`Plan`]: a deploy is [`validate`]d as it always was; a stack is each of
//! its resources validated as if the ones before it were already reserved, then one verdict;
//! a resize is the resource at its new size judged on the difference; a destroy is judged by who
//! may delete and by the policies that protect the resource.

use std::collections::BTreeMap;

use super::input::{DeployRequest, Policy, ProjectContext, QuotaState, ValidationInput};
use super::permission::Member;
use super::verdict::{Findings, ItemCost, QuotaLine, Verdict};
use super::{Facts, permission, policy, request, validate};
use crate::domain::plan::{Plan, Resize, Stack, Target};
use crate::domain::quota::ANY_REGION;
use crate::domain::{Catalog, Money, QuotaType};

/// Everything a plan is judged against; as [`ValidationInput`], with the plan for the request.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The change.
    pub plan: &'a Plan,
    /// Who asks, with their grant for the project's provider.
    pub actor: &'a Member,
    /// The guild's active policies.
    pub policies: &'a [Policy],
    /// The project's quota rows.
    pub quotas: &'a [QuotaState],
    /// The project.
    pub project: &'a ProjectContext,
    /// Hourly cost of what the requester already runs.
    pub user_hourly_spend: Money,
    /// Prices and sizes.
    pub catalog: &'a Catalog,
}

impl<'a> PlanInput<'a> {
    fn for_request(&self, request: &'a DeployRequest) -> ValidationInput<'a> {
        ValidationInput {
            request,
            actor: self.actor,
            policies: self.policies,
            quotas: self.quotas,
            project: self.project,
            user_hourly_spend: self.user_hourly_spend,
            catalog: self.catalog,
        }
    }
}

/// Judges a plan; never panics, whatever the input.
pub fn validate_plan(input: &PlanInput<'_>) -> Verdict {
    match input.plan {
        Plan::Deploy(request) => validate(&input.for_request(request)),
        Plan::Stack(stack) => stack_verdict(input, stack),
        Plan::Resize(resize) => resize_verdict(input, resize),
        Plan::Destroy(target) => destroy_verdict(input, target),
    }
}

/// Whether a quota row counts a line of `quota_type` in `region`.
fn counts(row: &QuotaState, quota_type: QuotaType, region: &str) -> bool {
    row.quota_type == quota_type && (row.region == ANY_REGION || row.region == region)
}

/// Each resource judged with the ones before it reserved; one verdict naming the resource of each
/// problem, quota lines summed per type, the price of each and of all.
fn stack_verdict(input: &PlanInput<'_>, stack: &Stack) -> Verdict {
    let mut quotas: Vec<QuotaState> = input.quotas.to_vec();
    let mut project = input.project.clone();
    let mut user_spend = input.user_hourly_spend;
    let mut out = Findings::default();
    let mut lines: BTreeMap<(QuotaType, String), QuotaLine> = BTreeMap::new();
    let (mut hourly, mut items) = (Money::ZERO, Vec::new());
    for item in &stack.items {
        let v = validate(&ValidationInput {
            quotas: &quotas,
            project: &project,
            user_hourly_spend: user_spend,
            ..input.for_request(item)
        });
        for mut violation in v.violations {
            violation.message = format!("{}: {}", item.name, violation.message);
            out.violations.push(violation);
        }
        for warning in v.warnings {
            if !out.warnings.contains(&warning) {
                out.warnings.push(warning);
            }
        }
        for line in v.quota {
            let key = (line.quota_type, line.region.clone());
            let original = input.quotas.iter().find(|r| r.quota_type == line.quota_type && r.region == line.region);
            let merged = lines.entry(key).or_insert_with(|| QuotaLine {
                requested: 0,
                reserved: original.map_or(line.reserved, |r| r.reserved),
                ..line.clone()
            });
            merged.requested += line.requested;
        }
        // What this item takes counts against the next ones, as its reservation would.
        if let Ok(quote) =
            input.catalog.quote(item.provider, item.kind, &item.region, item.size.as_deref(), item.node_count, 1)
        {
            for (quota_type, amount) in &quote.consumption {
                for row in quotas.iter_mut().filter(|r| counts(r, *quota_type, &item.region)) {
                    row.reserved = row.reserved.saturating_add(*amount);
                }
            }
        }
        user_spend = Money::from_micros(user_spend.micros().saturating_add(v.hourly.micros()));
        project.reserved_monthly =
            Money::from_micros(project.reserved_monthly.micros().saturating_add(v.monthly.micros()));
        hourly = Money::from_micros(hourly.micros().saturating_add(v.hourly.micros()));
        items.push(ItemCost { name: item.name.clone(), kind: item.kind, size: v.size_name, hourly: v.hourly });
    }
    Verdict {
        outcome: out.outcome(),
        violations: out.violations,
        quota: lines.into_values().collect(),
        size_name: None,
        unit_hourly: Money::ZERO,
        hourly,
        monthly: hourly.monthly_from_hourly(),
        warnings: out.warnings,
        hourly_before: None,
        items,
    }
}

/// The resource at its new size, judged as a deploy of it would be but on the difference: its
/// current consumption and cost are taken out of the figures first. Deleting rights are needed too,
/// as for a destroy.
fn resize_verdict(input: &PlanInput<'_>, resize: &Resize) -> Verdict {
    let target = &resize.target;
    let request = resize.as_request(input.project.provider);
    let held = |quota_type: QuotaType| {
        target.consumption.iter().filter(|(t, _)| *t == quota_type).map(|(_, n)| *n).sum::<i64>()
    };
    let quotas: Vec<QuotaState> = input
        .quotas
        .iter()
        .map(|row| {
            let mut row = row.clone();
            if counts(&row, row.quota_type, &target.region) {
                row.used = (row.used - held(row.quota_type)).max(0);
            }
            row
        })
        .collect();
    let mut project = input.project.clone();
    project.current_hourly_spend =
        Money::from_micros((project.current_hourly_spend.micros() - target.hourly.micros()).max(0));
    let own = u64::try_from(target.created_by).is_ok_and(|id| id == input.actor.user_id);
    let user_spend = if own {
        Money::from_micros((input.user_hourly_spend.micros() - target.hourly.micros()).max(0))
    } else {
        input.user_hourly_spend
    };
    let mut v = validate(&ValidationInput {
        quotas: &quotas,
        project: &project,
        user_hourly_spend: user_spend,
        ..input.for_request(&request)
    });
    let mut out = Findings { violations: std::mem::take(&mut v.violations), warnings: std::mem::take(&mut v.warnings) };
    if request.size == target.size && request.node_count == target.node_count {
        out.deny("request.size", format!("{} already has this size; nothing would change", target.name));
    }
    removal_rights(input, &request, &mut out);
    // Lines show the real figures and the difference the resize makes.
    for line in &mut v.quota {
        let was = held(line.quota_type);
        line.used = line.used.saturating_add(was);
        line.requested = line.requested.saturating_sub(was);
    }
    // A quota refusal states those same figures (it was worked out without the resource's own).
    let mut short = v.quota.iter().filter(|l| !l.fits());
    for violation in out.violations.iter_mut().filter(|x| x.rule.starts_with("quota.")) {
        if let Some(line) = short.find(|l| violation.rule == format!("quota.{}", l.quota_type)) {
            violation.message = super::quota::shortfall(line);
        }
    }
    v.outcome = out.outcome();
    v.violations = out.violations;
    v.warnings = out.warnings;
    v.hourly_before = Some(target.hourly);
    v
}

/// Who may delete, and what protects the resource; nothing to reserve, and what it frees shown as
/// negative quota lines.
fn destroy_verdict(input: &PlanInput<'_>, target: &Target) -> Verdict {
    let request = DeployRequest {
        provider: input.project.provider,
        kind: target.kind,
        name: target.name.clone(),
        region: target.region.clone(),
        size: target.size.clone(),
        node_count: target.node_count,
        count: 1,
        options: Default::default(),
        links: Default::default(),
        egress_hourly: Money::ZERO,
    };
    let mut out = Findings::default();
    removal_rights(input, &request, &mut out);
    if target.decommissioning {
        out.warn(format!(
            "{}'s deletion protection was lifted by an earlier destroy; this one removes it",
            target.name
        ));
    } else if target.protected {
        out.warn(format!(
            "{} has deletion protection: approval lifts it and frees its quota now; after the next \
             `terraform apply`, destroy it again to remove it",
            target.name
        ));
    }
    // A decommissioned resource gave its quota and its cost back with the first destroy.
    let quota = target
        .consumption
        .iter()
        .filter(|(t, _)| *t != QuotaType::BudgetMonthly && !target.decommissioning)
        .flat_map(|(quota_type, amount)| {
            input.quotas.iter().filter(|r| counts(r, *quota_type, &target.region)).map(move |row| QuotaLine {
                quota_type: *quota_type,
                region: row.region.clone(),
                used: row.used,
                reserved: row.reserved,
                requested: -amount,
                limit: row.limit,
            })
        })
        .collect();
    Verdict {
        outcome: out.outcome(),
        violations: out.violations,
        quota,
        size_name: target.size.clone(),
        unit_hourly: Money::ZERO,
        hourly: Money::ZERO,
        monthly: Money::ZERO,
        warnings: out.warnings,
        hourly_before: Some(if target.decommissioning { Money::ZERO } else { target.hourly }),
        items: Vec::new(),
    }
}

/// The member must be allowed to delete (CloudAdmin, or a grant with `can_delete`), and every
/// policy whose pattern covers the resource has its say: a permission policy as for a deploy, any
/// other one that asks for approval makes the removal need a CloudAdmin's approval.
fn removal_rights(input: &PlanInput<'_>, request: &DeployRequest, out: &mut Findings) {
    let input = input.for_request(request);
    let mut scratch = Findings::default();
    let sizing = request::size(&input, 1, request.node_count, &mut scratch);
    let facts = Facts { input, sizing };
    permission::check_removal(&facts, out);
    policy::check_removal(&facts, out);
}

/// The consumption of an existing resource, as the catalogue prices it (its budget line: what it
/// costs a month).
pub fn consumption_of(catalog: &Catalog, provider: crate::domain::Provider, target: &Target) -> Vec<(QuotaType, i64)> {
    let mut lines = catalog
        .quote(provider, target.kind, &target.region, target.size.as_deref(), target.node_count, 1)
        .map(|q| q.consumption)
        .unwrap_or_default();
    lines.push((QuotaType::BudgetMonthly, target.hourly.monthly_from_hourly().micros()));
    lines.retain(|(_, n)| *n > 0);
    lines
}
