//! `/cloud-history`: a project's audit trail (who requested, who decided, the verdict, the cost),
//! newest first.

use entities::deployment_history;

use super::args::Args;
use super::reply::HistoryView;
use super::spec::{CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, can_read, member};
use crate::actors::ActorError;
use crate::domain::Money;

/// Events shown when no `limit` is given.
pub const DEFAULT_LIMIT: i64 = 100;
/// Most events one reply carries (the CSV holds them all).
pub const MAX_LIMIT: i64 = 1_000;

/// `/cloud-history project_id [limit]`.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// Project.
    pub project_id: String,
    /// Newest events to show.
    pub limit: i64,
}

impl History {
    /// The command's name.
    pub const NAME: &'static str = "cloud-history";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Show a project's audit trail: requests, approvals, refusals, costs",
        admin_only: false,
        shape: Shape::Options(&[
            super::PROJECT_ID,
            OptionSpec::of(
                "limit",
                "Newest events to show (default 100)",
                OptionKind::Integer { min: 1, max: MAX_LIMIT },
            ),
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<History, CommandError> {
        Ok(History { project_id: o.required("project_id")?, limit: o.integer("limit")?.unwrap_or(DEFAULT_LIMIT) })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let project = services.records.project(invoker.guild_id, &self.project_id).await?;
        let provider = project.provider;
        if !can_read(&member(services, invoker, provider).await?) && project.owner_user_id != invoker.user_id {
            return Ok(Reply::refused(format!("viewing {provider} history needs a role; ask an administrator")));
        }
        let rows = services.records.history(&project.id, self.limit as u64).await?;
        Ok(Reply::History { project_id: project.id, entries: rows.iter().map(view).collect() })
    }
}

/// An audit row as the member reads it: the requester from the entry's details (an approval is
/// recorded under the approver), the verdict's outcome from its stored verdict.
pub fn view(row: &deployment_history::Model) -> HistoryView {
    let requested_by = row.details.get("requested_by").and_then(|v| v.as_i64()).unwrap_or(row.user_id);
    HistoryView {
        at: row.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        action: row.action.clone(),
        outcome: row.outcome.clone(),
        requested_by,
        decided_by: (row.user_id != requested_by).then_some(row.user_id),
        verdict: row.verdict.as_ref().and_then(|v| v.get("outcome")).and_then(|o| o.as_str()).map(str::to_owned),
        resource_type: row.resource_type.map(|k| k.to_string()),
        resource_name: row.resource_name.clone(),
        hourly: row.cost_hourly_micros.map(Money::from_micros),
        session_id: row.session_id,
        change: change(row),
    }
}

/// What an event changed, read from its details: `step 1 of 2: protection lifted`, `e2-small ->
/// e2-medium`, `compute.instances limit 20`.
fn change(row: &deployment_history::Model) -> Option<String> {
    use crate::domain::QuotaType;
    use crate::domain::plan::Plan;
    let details = &row.details;
    match row.action.as_str() {
        "quota-set" => {
            let quota = details.get("quota_type")?.as_str()?;
            let limit = details.get("limit")?.as_i64()?;
            let shown = if quota == QuotaType::BudgetMonthly.as_str() {
                format!("{}/month", Money::from_micros(limit).cents())
            } else {
                limit.to_string()
            };
            Some(format!("{quota} limit {shown}"))
        }
        "destroy" | "resize" => match serde_json::from_value::<Plan>(details.get("plan")?.clone()).ok()? {
            Plan::Destroy(t) if t.protected && !t.decommissioning => {
                Some("step 1 of 2: deletion protection lifted, quota and cost freed".into())
            }
            Plan::Destroy(t) if t.decommissioning => Some("step 2 of 2: removed from the Terraform".into()),
            Plan::Destroy(_) => Some("removed from the Terraform".into()),
            Plan::Resize(r) => {
                use crate::domain::plan::sized;
                let t = &r.target;
                let to = sized(r.size.as_deref().or(t.size.as_deref()), r.node_count.or(t.node_count));
                Some(format!("{} -> {to}", sized(t.size.as_deref(), t.node_count)))
            }
            _ => None,
        },
        _ => None,
    }
}
