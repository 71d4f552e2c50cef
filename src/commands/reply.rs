//! `Reply`: the view models every front end renders the same way. Serialised with a `kind` tag
//! (`lobby`, `deployed`, `error`, ...) for the console's `--json` mode.

use serde::Serialize;
use uuid::Uuid;

use crate::domain::validate::Verdict;
use crate::domain::validate::suggest::Suggestion;
use crate::domain::{LobbyKind, Money, SessionStatus};

/// Everything a command can answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
// A lobby is most replies' content and each reply lives only until it is rendered: boxing it would
// cost every front end and test a `Box` for no memory anyone holds on to.
#[allow(clippy::large_enum_variant)]
pub enum Reply {
    /// `/cloud-init` created a project.
    ProjectCreated { project: ProjectView },
    /// A lobby opened (or its current state, shown again).
    Lobby(LobbyView),
    /// A deploy lobby was approved: resources recorded and Terraform written.
    Deployed(DeployedView),
    /// A stack lobby was approved: all its resources recorded and written.
    StackDeployed(DeployedView),
    /// A resize lobby was approved: `from` → `to`, `hourly_before` → `hourly`.
    Resized(DeployedView),
    /// Step 1 of 2 of a protected resource's destroy: protection lifted, quota and cost freed.
    Decommissioned(DeployedView),
    /// A destroy lobby was approved: the resource left the Terraform (`hourly_before` is saved).
    Destroyed(DeployedView),
    /// A lobby ended without deploying (cancelled, expired or failed).
    LobbyClosed { session_id: Uuid, project_id: String, status: SessionStatus, by: Option<i64>, reason: String },
    /// `/cloud-list`.
    Resources { project_id: String, resources: Vec<ResourceView> },
    /// `/cloud-quota`.
    Quota { project_id: String, lines: Vec<QuotaView> },
    /// `/cloud-projects`.
    Projects { projects: Vec<ProjectView> },
    /// `/cloud-grant`.
    Granted { user_id: i64, provider: String, role: String, summary: String },
    /// A grant was removed.
    Revoked { user_id: i64, provider: String, existed: bool },
    /// `/cloud-policy add`.
    PolicyAdded { policy: PolicyView },
    /// `/cloud-policy list`.
    Policies { policies: Vec<PolicyView> },
    /// `/cloud-policy remove`.
    PolicyRemoved { policy_id: i64 },
    /// `/cloud-history`: a project's audit trail, newest first.
    History { project_id: String, entries: Vec<HistoryView> },
    /// `/cloud-whoami`.
    WhoAmI(WhoAmIView),
    /// `preview`, "View Terraform": what approval would write. Shown only to the member.
    Preview(PreviewView),
    /// `/cloud-quota-set`: the limit as it is now.
    QuotaSet { project_id: String, quota: QuotaView },
    /// The member may not do this; nothing changed. Shown only to them.
    Refused { message: String },
    /// The request could not be carried out; nothing changed. Shown only to them.
    Error { message: String },
}

impl Reply {
    /// The approval this reply reports, whichever kind of lobby was approved.
    pub fn approval(&self) -> Option<&DeployedView> {
        match self {
            Reply::Deployed(d)
            | Reply::StackDeployed(d)
            | Reply::Resized(d)
            | Reply::Decommissioned(d)
            | Reply::Destroyed(d) => Some(d),
            _ => None,
        }
    }

    /// A refusal.
    pub fn refused(message: impl Into<String>) -> Reply {
        Reply::Refused { message: message.into() }
    }

    /// An error.
    pub fn error(message: impl Into<String>) -> Reply {
        Reply::Error { message: message.into() }
    }

    /// Whether only the member who acted should see it (Discord: ephemeral).
    pub fn is_private(&self) -> bool {
        matches!(self, Reply::Refused { .. } | Reply::Error { .. } | Reply::Preview(_))
    }
}

/// A project.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProjectView {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub default_region: String,
    pub owner_user_id: i64,
    pub monthly_budget: Option<Money>,
}

/// A lobby as its message shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LobbyView {
    pub session_id: Uuid,
    /// Deploy, destroy, resize or stack.
    pub lobby: LobbyKind,
    pub project_id: String,
    pub provider: String,
    pub resource_type: String,
    pub resource_name: String,
    pub region: String,
    pub count: u32,
    pub requested_by: i64,
    pub verdict: Verdict,
    /// Unix seconds of the deadline.
    pub expires_at: i64,
    pub status: SessionStatus,
    /// Whether the Approve button is live.
    pub can_approve: bool,
    /// A resize: the size it has now (the verdict's `size_name` is the new one).
    pub size_before: Option<String>,
    /// A cluster's resize: its node count now and after (`None` for other kinds).
    pub nodes_before: Option<u32>,
    pub nodes_after: Option<u32>,
    /// A stack: its template.
    pub template: Option<String>,
    /// A denied deploy: the nearest request that would pass, with its price.
    pub suggestion: Option<Suggestion>,
    /// New resources whose provider names live in a global namespace (buckets, storage accounts,
    /// Azure PostgreSQL servers): (name, the unique name the Terraform gives it).
    pub written_as: Vec<(String, String)>,
    /// Who can reach each new resource once applied (access, ingress, internet-facing).
    pub exposure: Vec<ExposureView>,
}

/// One new resource's exposure on a lobby's card.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExposureView {
    pub resource: String,
    #[serde(flatten)]
    pub exposure: crate::terraform::exposure::Exposure,
}

/// An approved lobby.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeployedView {
    pub session_id: Uuid,
    pub project_id: String,
    pub approved_by: i64,
    pub resources: Vec<String>,
    pub hourly: Money,
    pub monthly: Money,
    /// Terraform directory, relative to the output root.
    pub terraform_dir: Option<String>,
    pub files: Vec<String>,
    /// Set when the resources were recorded but Terraform could not be written (repairable).
    pub warning: Option<String>,
    /// Resize and destroy: the hourly price before (for a destroy, what it saves).
    pub hourly_before: Option<Money>,
    /// Resize and destroy: the monthly price before.
    pub monthly_before: Option<Money>,
    /// Resize: the size before and after (`e2-small`, `e2-standard-2 ×3`).
    pub from: Option<String>,
    /// Resize: the size after.
    pub to: Option<String>,
    /// Stack: its name and template.
    pub stack: Option<(String, String)>,
}

/// A resource in `/cloud-list`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResourceView {
    pub resource_type: String,
    pub name: String,
    pub region: String,
    pub size: Option<String>,
    pub hourly: Money,
    pub created_by: i64,
}

/// One quota line in `/cloud-quota`. In JSON the amounts of `budget.monthly` are money (decimal
/// strings of USD, as every amount of money is), the others counts.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaView {
    pub quota_type: String,
    pub region: String,
    pub used: i64,
    pub reserved: i64,
    pub limit: i64,
    pub available: i64,
}

/// A policy.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PolicyView {
    pub id: i64,
    pub name: String,
    pub policy_type: String,
    pub resource_pattern: String,
    pub allowed_values: Vec<String>,
    pub denied_values: Vec<String>,
    pub max_cost_per_hour: Option<Money>,
    pub require_approval: bool,
    pub priority: i32,
}

/// One audit event in `/cloud-history`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HistoryView {
    /// When, RFC 3339 in UTC to the second.
    pub at: String,
    /// What happened (`request`, `deploy`, `destroy`, `cancel`, `expire`, `quota-set`, ...).
    pub action: String,
    /// How it ended (`pending`, `success`, `denied`, `cancelled`, `expired`, `failed`, ...).
    pub outcome: String,
    /// Who asked for it.
    pub requested_by: i64,
    /// Who approved, cancelled or refused it, when not the requester's own request.
    pub decided_by: Option<i64>,
    /// The verdict's outcome, when the event had one (`allowed`, `needs_approval`, `denied`).
    pub verdict: Option<String>,
    pub resource_type: Option<String>,
    pub resource_name: Option<String>,
    /// Hourly cost involved.
    pub hourly: Option<Money>,
    pub session_id: Option<Uuid>,
    /// What changed, where the action alone does not say: a destroy's step, a resize's sizes, the
    /// limit a `quota-set` set.
    pub change: Option<String>,
}

/// `/cloud-whoami`: the member's roles per provider and what is left of each budget.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WhoAmIView {
    pub user_id: i64,
    /// Holds Discord's Administrator or Manage Server permission.
    pub is_guild_admin: bool,
    /// One per provider.
    pub roles: Vec<RoleView>,
    /// The projects the member can see, with their budgets.
    pub projects: Vec<BudgetView>,
}

/// The member's role for one provider.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoleView {
    pub provider: String,
    /// `None`: no role (read nothing, deploy nothing).
    pub role: Option<String>,
    /// Whether the role is a grant, or a guild administrator's default.
    pub granted: bool,
    /// What it allows, in words (kinds, VM size, regions, budget).
    pub summary: String,
    /// The member's own monthly budget, if the grant sets one.
    pub budget_limit: Option<Money>,
    /// What the member's resources cost per month now, for this provider.
    pub monthly_spend: Money,
}

/// A project's monthly budget as the member sees it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BudgetView {
    pub project_id: String,
    pub name: String,
    /// `None`: no budget set.
    pub budget: Option<Money>,
    /// Committed by running resources, per month.
    pub committed: Money,
    /// Held by open lobbies, per month.
    pub held: Money,
    /// What is left (`budget - committed - held`).
    pub remaining: Option<Money>,
}

/// A lobby's Terraform before approval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PreviewView {
    pub session_id: Uuid,
    pub project_id: String,
    /// The project's directory under the output root.
    pub dir: String,
    /// Every file generated now or after approval.
    pub files: Vec<PreviewFile>,
}

/// One file of a preview.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PreviewFile {
    pub name: String,
    pub change: crate::terraform::preview::FileChange,
    /// A unified diff against the file on disk (empty when unchanged).
    pub diff: String,
}

/// Whether a quota line's amounts are money (micro-dollars: `budget.monthly`) rather than counts;
/// text and JSON both show them as money.
pub(crate) fn counts_money(quota_type: &str) -> bool {
    quota_type == crate::domain::QuotaType::BudgetMonthly.as_str()
}

impl Serialize for QuotaView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let money = counts_money(&self.quota_type);
        let mut out = s.serialize_struct("QuotaView", 6)?;
        out.serialize_field("quota_type", &self.quota_type)?;
        out.serialize_field("region", &self.region)?;
        for (name, amount) in
            [("used", self.used), ("reserved", self.reserved), ("limit", self.limit), ("available", self.available)]
        {
            if money {
                out.serialize_field(name, &crate::domain::Money::from_micros(amount))?;
            } else {
                out.serialize_field(name, &amount)?;
            }
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_json_gives_the_budget_line_as_money_and_the_others_as_counts() {
        let line = |quota_type: &str, n: i64| QuotaView {
            quota_type: quota_type.to_owned(),
            region: "*".to_owned(),
            used: n,
            reserved: 0,
            limit: 10 * n,
            available: 9 * n,
        };
        let budget = serde_json::to_value(line("budget.monthly", 61_174_000)).unwrap();
        assert_eq!((&budget["used"], &budget["limit"]), (&"61.174".into(), &"611.74".into()), "{budget}");
        let vms = serde_json::to_value(line("compute.instances", 3)).unwrap();
        assert_eq!((vms["used"].as_i64(), vms["limit"].as_i64()), (Some(3), Some(30)), "{vms}");
    }
}
