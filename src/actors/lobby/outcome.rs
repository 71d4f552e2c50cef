//! What a lobby answers, as domain data: the command layer turns these into its `Reply` view models
//! and the front ends render those; the lobby itself knows no front end.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::plan::Plan;
use crate::domain::validate::{Outcome, Verdict};
use crate::domain::{Money, Provider, ResourceKind, SessionStatus};

/// What a member asks a lobby for, before anything is resolved or checked.
#[derive(Debug, Clone, PartialEq)]
pub enum LobbyAsk {
    /// `/cloud-deploy`: `count` resources of one kind.
    Deploy(DeployAsk),
    /// `/cloud-destroy`: one resource goes away.
    Destroy(TargetAsk),
    /// `/cloud-resize`: one resource changes size.
    Resize {
        /// The resource.
        target: TargetAsk,
        /// New machine type, database tier or node type.
        size: Option<String>,
        /// New Kubernetes node count.
        node_count: Option<u32>,
    },
    /// `/cloud-stack`: every resource of a template, all or none.
    Stack(StackAsk),
}

/// `/cloud-stack` as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct StackAsk {
    /// Project, in the member's guild.
    pub project_id: String,
    /// Template id.
    pub template: String,
    /// The stack's name.
    pub name: String,
    /// Region; the project's default when absent.
    pub region: Option<String>,
    /// `machine_type`, `database_tier`, as given.
    pub sizes: std::collections::BTreeMap<String, String>,
}

/// An existing resource, as a member names it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetAsk {
    /// Project, in the member's guild.
    pub project_id: String,
    /// The resource's name.
    pub name: String,
    /// Its kind, when the name alone is ambiguous.
    pub kind: Option<ResourceKind>,
}

/// `/cloud-deploy` as typed: the project's default region is filled in when the lobby opens.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployAsk {
    /// Project, in the member's guild.
    pub project_id: String,
    /// Kind of resource.
    pub kind: ResourceKind,
    /// Name as typed (`-1`, `-2`, ... are appended for a count above one).
    pub name: String,
    /// Machine type, tier or node type; the catalogue default when absent.
    pub size: Option<String>,
    /// Region; the project's default when absent.
    pub region: Option<String>,
    /// How many identical resources.
    pub count: u32,
    /// Kubernetes nodes.
    pub node_count: Option<u32>,
    /// Security-relevant options (`access`, `ingress`).
    pub options: std::collections::BTreeMap<String, String>,
}

/// A lobby as its message shows it, at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct LobbySnapshot {
    /// Session id.
    pub session_id: Uuid,
    /// Project.
    pub project_id: String,
    /// The project's provider.
    pub provider: Provider,
    /// What is asked, resolved (region filled in, existing resources looked up).
    pub plan: Plan,
    /// Who asked.
    pub requested_by: i64,
    /// The latest verdict.
    pub verdict: Verdict,
    /// Deadline.
    pub expires_at: DateTime<Utc>,
    /// Where the lobby stands.
    pub status: SessionStatus,
}

impl LobbySnapshot {
    /// Whether the Approve button is live.
    pub fn can_approve(&self) -> bool {
        self.status == SessionStatus::Pending && self.verdict.outcome != Outcome::Denied
    }
}

/// The answer to opening a lobby.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// The lobby is open (a denied verdict opens one too, so the member sees why).
    Lobby(Box<LobbySnapshot>),
    /// The request cannot become a lobby at all (a name the provider would refuse); nothing changed.
    Refused(String),
}

/// Terraform written by an approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The project's directory, relative to the output root.
    pub dir: String,
    /// The files generated, in generation order.
    pub files: Vec<String>,
}

/// An approved lobby.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// Session id.
    pub session_id: Uuid,
    /// Project.
    pub project_id: String,
    /// Who approved.
    pub approved_by: i64,
    /// Names of the resources recorded.
    pub resources: Vec<String>,
    /// Hourly price of all of them.
    pub hourly: Money,
    /// Monthly price of all of them.
    pub monthly: Money,
    /// The Terraform written, or why it could not be (the deployment stands; regeneration repairs it).
    pub terraform: Result<Written, String>,
    /// What the approval changed.
    pub change: Approved,
}

/// What an approval did, as members read it: each its own reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approved {
    /// New resources of one kind.
    Deployed,
    /// A stack's resources, all at once.
    Stack {
        /// The stack's name.
        name: String,
        /// Its template.
        template: String,
    },
    /// A resource changed size; `hourly_before` is what it cost before.
    Resized {
        /// Size before (machine type, tier or node size; node count as `×N`).
        from: String,
        /// Size after.
        to: String,
        /// Its hourly price before.
        hourly_before: Money,
    },
    /// Step 1 of 2 of a protected resource's destroy: its protection is lifted in the Terraform
    /// and its quota and cost freed; a second destroy removes it.
    Decommissioned {
        /// Its hourly price, no longer counted.
        hourly_before: Money,
    },
    /// The resource left the Terraform.
    Destroyed {
        /// Its hourly price, no longer counted (zero when step 1 freed it already).
        hourly_before: Money,
    },
}

/// A lobby that ended without deploying.
#[derive(Debug, Clone, PartialEq)]
pub struct Closure {
    /// Session id.
    pub session_id: Uuid,
    /// Project.
    pub project_id: String,
    /// Cancelled, expired or failed.
    pub status: SessionStatus,
    /// The member who ended it (`None`: its deadline did).
    pub by: Option<i64>,
    /// Why, for the member.
    pub reason: String,
}

/// The answer to a button press.
#[derive(Debug, Clone, PartialEq)]
pub enum PressOutcome {
    /// Approved: resources recorded, quota committed, Terraform written.
    Deployed(Deployment),
    /// Cancelled, or failed on re-validation.
    Closed(Closure),
    /// The clicker may not do this now; the lobby is unchanged.
    Refused(String),
    /// The lobby had already ended; nothing changed.
    AlreadyEnded {
        /// How it ended.
        status: SessionStatus,
        /// The member who approved or cancelled it (`None` for an expiry, or when not recorded).
        by: Option<i64>,
    },
    /// The lobby is pending but its actor is being restored; pressing again shortly works.
    Restarting,
}

/// A change to a lobby no member asked for just now, for the front end to show.
#[derive(Debug, Clone, PartialEq)]
pub enum LobbyEvent {
    /// The lobby's deadline passed: its reservation is released and its buttons must go.
    Expired(Closure),
}
