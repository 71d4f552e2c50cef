//! Gathers everything the validator judges a request against, through the actors' handles. Used
//! when a lobby opens and again when it is approved (with the lobby's own reservation taken out).

use entities::cloud_projects;

use crate::actors::ActorError;
use crate::actors::policy::PolicyHandle;
use crate::actors::records::RecordsHandle;
use crate::domain::validate::{DeployRequest, Member, ProjectContext, QuotaState, ValidationInput, Verdict, validate};
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
    /// Validates `request` by `requester` (with `is_guild_admin`) against the project's current state.
    /// `held` is a reservation the request already holds (its own lobby's), not counted twice.
    pub async fn verdict(
        &self,
        project: &cloud_projects::Model,
        requester: i64,
        is_guild_admin: bool,
        request: &DeployRequest,
        held: &[QuotaAmount],
    ) -> Result<Verdict, ActorError> {
        let provider = request.provider;
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
        // What other open lobbies hold against the project's budget line.
        let reserved_monthly = quotas
            .iter()
            .find(|q| q.quota_type == QuotaType::BudgetMonthly && q.region == "*")
            .map_or(Money::ZERO, |q| Money::from_micros(q.reserved));
        let actor = Member { user_id: requester as u64, permissions, is_guild_admin };
        let context = ProjectContext {
            project_id: project.id.clone(),
            provider: project.provider,
            monthly_budget: project.monthly_budget_micros.map(Money::from_micros),
            current_hourly_spend: project_spend,
            reserved_monthly,
        };
        Ok(validate(&ValidationInput {
            request,
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

/// What a lobby holds while open: the request's consumption and, when the project has a budget,
/// its monthly cost against the budget line (micro-dollars). Nothing for a denied request.
pub fn reservation(
    catalog: &Catalog,
    project: &cloud_projects::Model,
    request: &DeployRequest,
    verdict: &Verdict,
) -> Vec<QuotaAmount> {
    if verdict.outcome == crate::domain::validate::Outcome::Denied {
        return Vec::new();
    }
    let mut lines = consumption(catalog, request);
    if project.monthly_budget_micros.is_some() && verdict.monthly > Money::ZERO {
        lines.push(QuotaAmount::new(QuotaType::BudgetMonthly, request.region.clone(), verdict.monthly.micros()));
    }
    lines
}

/// Resource names of a request: the name itself, or `name-1` .. `name-N` for a batch.
pub fn resource_names(request: &DeployRequest) -> Vec<String> {
    if request.count <= 1 {
        vec![request.name.clone()]
    } else {
        (1..=request.count).map(|i| format!("{}-{i}", request.name)).collect()
    }
}
