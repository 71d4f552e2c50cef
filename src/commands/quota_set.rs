//! `/cloud-quota-set`: guild administrators set a project's limit for one quota type. A limit below
//! what is used and reserved is refused and changes nothing; `budget.monthly` is in US dollars and
//! also sets the project's monthly budget.

use super::args::Args;
use super::spec::{Choice, CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, views};
use crate::actors::ActorError;
use crate::domain::{Money, QuotaType};
use crate::store::history::HistoryEntry;
use crate::store::json::JsonText;

/// `/cloud-quota-set project_id quota_type limit`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaSet {
    /// Project.
    pub project_id: String,
    /// Which quota.
    pub quota_type: QuotaType,
    /// The new limit: a count, or micro-dollars for the budget line.
    pub limit: i64,
}

fn quota_types() -> Vec<Choice> {
    QuotaType::ALL.iter().map(|q| Choice { label: q.as_str(), value: q.as_str() }).collect()
}

impl QuotaSet {
    /// The command's name.
    pub const NAME: &'static str = "cloud-quota-set";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Set a project's quota limit (administrators)",
        admin_only: true,
        shape: Shape::Options(&[
            super::PROJECT_ID,
            OptionSpec::of("quota_type", "Which quota", OptionKind::Choice(quota_types)).required(),
            OptionSpec::of(
                "limit",
                "New limit (a count; USD per month for budget.monthly)",
                OptionKind::Number {
                    min: Money::ZERO,
                    what: "a count of resources, or for budget.monthly an amount in USD per month",
                },
            )
            .required(),
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<QuotaSet, CommandError> {
        let project_id = o.required("project_id")?;
        let quota_type: QuotaType =
            o.parse("quota_type")?.ok_or_else(|| CommandError("/cloud-quota-set needs `quota_type`".into()))?;
        let amount = o.money("limit")?.ok_or_else(|| CommandError("/cloud-quota-set needs `limit`".into()))?;
        let limit = if quota_type == QuotaType::BudgetMonthly {
            amount.micros()
        } else if amount.micros() % 1_000_000 == 0 {
            amount.micros() / 1_000_000
        } else {
            return Err(CommandError(format!("`limit` of {quota_type} must be a whole number")));
        };
        Ok(QuotaSet { project_id, quota_type, limit })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        if !invoker.is_guild_admin {
            return Ok(Reply::refused("setting quotas needs Discord's Administrator or Manage Server permission"));
        }
        let project = services.records.project(invoker.guild_id, &self.project_id).await?;
        let audit = HistoryEntry {
            guild_id: invoker.guild_id,
            user_id: invoker.user_id,
            project_id: Some(project.id.clone()),
            action: "quota-set".into(),
            provider: Some(project.provider),
            details: JsonText::of(&serde_json::json!({ "quota_type": self.quota_type, "limit": self.limit }))
                .unwrap_or_default(),
            outcome: "success".into(),
            ..HistoryEntry::default()
        };
        let row = services.quota.set_limit(&project.id, self.quota_type, self.limit, audit).await?;
        Ok(Reply::QuotaSet { project_id: project.id, quota: views::quota(&row) })
    }
}
