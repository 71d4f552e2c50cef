//! `/cloud-whoami`: the member's role per provider with its limits, and what is left of the monthly
//! budget of each project they can see.

use super::reply::{BudgetView, RoleView, WhoAmIView};
use super::spec::{CommandSpec, Shape};
use super::{Invoker, Reply, Services, describe, member};
use crate::actors::ActorError;
use crate::domain::quota::ANY_REGION;
use crate::domain::{Money, Provider, QuotaType};

/// `/cloud-whoami` (no options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhoAmI;

impl WhoAmI {
    /// The command's name.
    pub const NAME: &'static str = "cloud-whoami";

    /// Its options (none).
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Show your roles, limits and the budget left in each project",
        admin_only: false,
        shape: Shape::Options(&[]),
    };

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let mut roles = Vec::new();
        let mut readable = Vec::new();
        let projects = services.records.projects_in(invoker.guild_id).await?;
        for provider in Provider::ALL {
            let actor = member(services, invoker, *provider).await?;
            let effective = actor.effective_permissions();
            // The member's running resources of this provider, in any project of the guild.
            let spend = match projects.iter().find(|p| p.provider == *provider) {
                Some(p) => services.records.spend(&p.id, invoker.user_id, invoker.guild_id, *provider).await?.1,
                None => Money::ZERO,
            };
            if effective.is_some() {
                readable.push(*provider);
            }
            roles.push(RoleView {
                provider: provider.to_string(),
                role: effective.as_ref().map(|p| p.role.to_string()),
                granted: actor.permissions.is_some(),
                summary: effective.as_ref().map(|p| describe(p)).unwrap_or_else(|| "no role".to_owned()),
                budget_limit: effective.as_ref().and_then(|p| p.budget_limit),
                monthly_spend: spend.monthly_from_hourly(),
            });
        }
        let mut budgets = Vec::new();
        for p in projects.iter().filter(|p| p.owner_user_id == invoker.user_id || readable.contains(&p.provider)) {
            let rows = services.records.quota_rows(&p.id).await?;
            let line = rows.iter().find(|q| q.resource_type == QuotaType::BudgetMonthly && q.region == ANY_REGION);
            let (committed, held) = line.map_or((0, 0), |q| (q.used, q.reserved));
            let budget = p.monthly_budget_micros.map(Money::from_micros);
            budgets.push(BudgetView {
                project_id: p.id.clone(),
                name: p.name.clone(),
                budget,
                committed: Money::from_micros(committed),
                held: Money::from_micros(held),
                remaining: budget
                    .map(|b| Money::from_micros(b.micros().saturating_sub(committed).saturating_sub(held))),
            });
        }
        Ok(Reply::WhoAmI(WhoAmIView {
            user_id: invoker.user_id,
            is_guild_admin: invoker.is_guild_admin,
            roles,
            projects: budgets,
        }))
    }
}
