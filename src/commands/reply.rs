//! `Reply`: the view models every front end renders the same way. Serialised with a `kind` tag
//! (`lobby`, `deployed`, `error`, ...) for the console's `--json` mode.

use serde::Serialize;
use uuid::Uuid;

use crate::domain::validate::Verdict;
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
    /// A lobby was approved: resources recorded and Terraform written.
    Deployed(DeployedView),
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
    /// The member may not do this; nothing changed. Shown only to them.
    Refused { message: String },
    /// The request could not be carried out; nothing changed. Shown only to them.
    Error { message: String },
}

impl Reply {
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
        matches!(self, Reply::Refused { .. } | Reply::Error { .. })
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
    /// A stack: its template.
    pub template: Option<String>,
    /// New resources whose provider names live in a global namespace (buckets, storage accounts,
    /// Azure PostgreSQL servers): (name, the unique name the Terraform gives it).
    pub written_as: Vec<(String, String)>,
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

/// One quota line in `/cloud-quota`.
#[derive(Debug, Clone, Serialize, PartialEq)]
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
