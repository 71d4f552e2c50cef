//! Gathers everything the validator judges a request against, through the actors' handles. Used
//! when a lobby opens and again when it is approved (with the lobby's own reservation taken out).

use entities::cloud_projects;

use crate::actors::ActorError;
use crate::actors::policy::PolicyHandle;
use crate::actors::records::RecordsHandle;
use crate::domain::plan::Plan;
use crate::domain::validate::{DeployRequest, Member, PlanInput, ProjectContext, QuotaState, Verdict, validate_plan};
use crate::domain::{Catalog, Money, QuotaType};
use crate::store::quotas::QuotaAmount;

/// The handles validation reads through.
#[derive(Clone)]
pub struct ValidationDeps {
    /// Permissions and policies.
    pub policy: PolicyHandle,
    /// Projects and spend.
    pub records: RecordsHandle,
    /// Prices.
    pub catalog: std::sync::Arc<Catalog>,
}

impl ValidationDeps {
    /// Validates `plan` by `requester` (with `is_guild_admin`) against the project's current state.
    /// `held` is a reservation the lobby already holds (its own), not counted twice.
    pub async fn verdict(
        &self,
        project: &cloud_projects::Model,
        requester: i64,
        is_guild_admin: bool,
        plan: &Plan,
        held: &[QuotaAmount],
    ) -> Result<Verdict, ActorError> {
        let provider = project.provider;
        let guild_id = project.guild_id;
        // Grants and policies are read from the database now, never from a cache: a change committed
        // by another process counts at once.
        let grant = self.policy.permissions(requester, guild_id, provider);
        let policies = self.policy.policies(guild_id);
        // Four reads, asked together: each actor answers a burst of them in one pass. The quota rows
        // come from the RecordsActor, not the QuotaActor: a read there would wait behind the writes
        // of every lobby opening with this one (BENCHMARKS.md).
        let (permissions, policies, rows, (project_spend, user_spend)) = tokio::try_join!(
            grant,
            policies,
            self.records.quota_rows(&project.id),
            self.records.spend(&project.id, requester, project.guild_id, provider),
        )?;
        let quotas: Vec<QuotaState> = rows
            .iter()
            .map(|r| {
                let quota_type: QuotaType = r.resource_type;
                let mine: i64 = held
                    .iter()
                    .filter(|h| h.quota_type == quota_type && (r.region == "*" || r.region == h.region))
                    .map(|h| h.amount)
                    .sum();
                QuotaState {
                    quota_type,
                    region: r.region.clone(),
                    used: r.used,
                    reserved: (r.reserved - mine).max(0),
                    limit: r.quota_limit,
                }
            })
            .collect();
        // The project's budget is its budget line (what other open lobbies hold counts too).
        let budget_line = quotas.iter().find(|q| q.quota_type == QuotaType::BudgetMonthly && q.region == "*");
        let reserved_monthly = budget_line.map_or(Money::ZERO, |q| Money::from_micros(q.reserved));
        let monthly_budget = match budget_line {
            Some(line) => Some(Money::from_micros(line.limit)),
            None => project.monthly_budget_micros.map(Money::from_micros),
        };
        let actor = Member { user_id: requester as u64, permissions, is_guild_admin };
        let context = ProjectContext {
            project_id: project.id.clone(),
            provider: project.provider,
            monthly_budget,
            current_hourly_spend: project_spend,
            reserved_monthly,
        };
        Ok(validate_plan(&PlanInput {
            plan,
            actor: &actor,
            policies: &policies,
            quotas: &quotas,
            project: &context,
            user_hourly_spend: user_spend,
            catalog: &self.catalog,
        }))
    }
}

/// The quota a request consumes, as reservation lines (empty when the catalogue cannot price it).
pub fn consumption(catalog: &Catalog, request: &DeployRequest) -> Vec<QuotaAmount> {
    catalog
        .quote(
            request.provider,
            request.kind,
            &request.region,
            request.size.as_deref(),
            request.node_count,
            request.count,
        )
        .map(|q| q.consumption.into_iter().map(|(t, n)| QuotaAmount::new(t, request.region.clone(), n)).collect())
        .unwrap_or_default()
}

/// What a lobby holds while open: what its new resources consume (a resize: what grows) and, when
/// the project has a budget, what they add a month against the budget line (micro-dollars).
/// Nothing for a denied request, nor for a destroy.
pub fn reservation(
    catalog: &Catalog,
    project: &cloud_projects::Model,
    plan: &Plan,
    verdict: &Verdict,
) -> Vec<QuotaAmount> {
    if verdict.outcome == crate::domain::validate::Outcome::Denied {
        return Vec::new();
    }
    let (mut lines, region) = match plan {
        Plan::Deploy(request) => (consumption(catalog, request), request.region.clone()),
        Plan::Stack(stack) => {
            let lines = stack.items.iter().flat_map(|item| consumption(catalog, item)).collect();
            (merged(lines), stack.items.first().map(|i| i.region.clone()).unwrap_or_default())
        }
        Plan::Resize(resize) => {
            let grown = resize_delta(catalog, project.provider, resize).into_iter().filter(|l| l.amount > 0).collect();
            (grown, resize.target.region.clone())
        }
        Plan::Destroy(_) => return Vec::new(),
    };
    let added = match plan {
        Plan::Resize(r) => verdict.monthly.micros() - r.target.hourly.monthly_from_hourly().micros(),
        _ => verdict.monthly.micros(),
    };
    if project.monthly_budget_micros.is_some() && added > 0 {
        lines.push(QuotaAmount::new(QuotaType::BudgetMonthly, region, added));
    }
    lines
}

/// Lines of the same type and region added together.
fn merged(lines: Vec<QuotaAmount>) -> Vec<QuotaAmount> {
    let mut out: Vec<QuotaAmount> = Vec::new();
    for line in lines {
        match out.iter_mut().find(|l| l.quota_type == line.quota_type && l.region == line.region) {
            Some(same) => same.amount += line.amount,
            None => out.push(line),
        }
    }
    out
}

/// What a resize changes per quota type: new consumption minus the current one (positive grows,
/// negative shrinks; the budget line is not among them).
pub fn resize_delta(
    catalog: &Catalog,
    provider: crate::domain::Provider,
    resize: &crate::domain::plan::Resize,
) -> Vec<QuotaAmount> {
    let region = &resize.target.region;
    let new = consumption(catalog, &resize.as_request(provider));
    let mut types: Vec<QuotaType> = new.iter().map(|l| l.quota_type).collect();
    types.extend(resize.target.consumption.iter().map(|(t, _)| *t).filter(|t| *t != QuotaType::BudgetMonthly));
    types.sort();
    types.dedup();
    types
        .into_iter()
        .filter_map(|t| {
            let after: i64 = new.iter().filter(|l| l.quota_type == t).map(|l| l.amount).sum();
            let before: i64 = resize.target.consumption.iter().filter(|(q, _)| *q == t).map(|(_, n)| *n).sum();
            (after != before).then(|| QuotaAmount::new(t, region.clone(), after - before))
        })
        .collect()
}

/// Names of the resources a plan creates or changes: a deploy's name, or `name-1` .. `name-N` for a
/// count above one; a stack's resources; the target of a destroy or resize.
pub fn plan_names(plan: &Plan) -> Vec<String> {
    match plan {
        Plan::Deploy(request) => resource_names(request),
        Plan::Stack(stack) => stack.items.iter().map(|i| i.name.clone()).collect(),
        Plan::Destroy(target) => vec![target.name.clone()],
        Plan::Resize(resize) => vec![resize.target.name.clone()],
    }
}

/// Resource names of a request: the name itself, or `name-1` .. `name-N` for a batch.
pub fn resource_names(request: &DeployRequest) -> Vec<String> {
    if request.count <= 1 {
        vec![request.name.clone()]
    } else {
        (1..=request.count).map(|i| format!("{}-{i}", request.name)).collect()
    }
}
