//! What the validator is given: the request, the guild's policies, the project's quota rows and budget.
//!
//! Every type here is plain data (serde, no database handle), so the lobby can store the exact input it
//! validated next to the verdict.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::permission::Member;
use crate::domain::{Catalog, Money, PolicyKind, Provider, QuotaType, ResourceKind};

/// Fewest identical resources one request may ask for.
pub const MIN_COUNT: u32 = 1;
/// Most identical resources one request may ask for; a bigger fleet is several lobbies, each reviewed.
pub const MAX_COUNT: u32 = 10;
/// Most nodes one Kubernetes cluster request may ask for.
pub const MAX_K8S_NODES: u32 = 100;

/// One `/cloud-deploy`: `count` identical resources of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployRequest {
    /// Provider the resources are for (must be the project's).
    pub provider: Provider,
    /// Kind of resource.
    pub kind: ResourceKind,
    /// Resource name as the member typed it (with `count` > 1 the lobby suffixes `-1`, `-2`, ...).
    pub name: String,
    /// Region to deploy in.
    pub region: String,
    /// Machine type (vm), tier (database) or node type (k8s); `None` takes the catalogue default.
    #[serde(default)]
    pub size: Option<String>,
    /// Nodes of a Kubernetes cluster; `None` takes the catalogue default.
    #[serde(default)]
    pub node_count: Option<u32>,
    /// How many identical resources; valid from [`MIN_COUNT`] to [`MAX_COUNT`].
    #[serde(default = "one")]
    pub count: u32,
    /// Security-relevant choices (`access = "public"`, `ingress = "0.0.0.0/0"`) matched by security policies.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// How a stack wires this resource to the others (`network`, `targets`, `clients`: names of the
    /// stack's resources); recorded in its configuration for the generator. Empty for a lone deploy.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<String, String>,
    /// What the NAT gateway this request brings to its network costs per hour (the first VM or
    /// cluster on a network brings one; decided when the lobby opens); zero when it brings none.
    #[serde(default, skip_serializing_if = "Money::is_zero")]
    pub egress_hourly: Money,
}

fn one() -> u32 {
    1
}

/// A guild policy, as stored in `infrastructure_policies` (only active ones are given to the validator).
///
/// What each kind reads: `region` the regions in `allowed_values` (when not empty) and `denied_values`, `*`
/// globs allowed; `cost` `max_cost_per_hour`, per unit; `security` `denied_values`, matched against every
/// request option's value (`public`, `0.0.0.0/0`) or one option (`access=public`); `permission` roles or user
/// ids in `allowed_values` and `denied_values`; `quota` one whole number in `allowed_values`, the most units
/// per request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Database id; breaks ties between equal priorities.
    pub id: i64,
    /// Name shown to members.
    pub name: String,
    /// What the policy checks.
    pub policy_type: PolicyKind,
    /// Which requests it applies to (see [`super::ResourcePattern`]).
    pub resource_pattern: String,
    /// Meaning depends on `policy_type`.
    #[serde(default)]
    pub allowed_values: Vec<String>,
    /// Meaning depends on `policy_type`.
    #[serde(default)]
    pub denied_values: Vec<String>,
    /// Limit of a `cost` policy, per unit.
    #[serde(default)]
    pub max_cost_per_hour: Option<Money>,
    /// A violation needs a CloudAdmin's approval instead of being refused.
    #[serde(default)]
    pub require_approval: bool,
    /// Lower runs first.
    #[serde(default)]
    pub priority: i32,
}

/// One `cloud_quotas` row of the project, as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaState {
    /// What is counted.
    pub quota_type: QuotaType,
    /// `*` for the whole project, or one region.
    pub region: String,
    /// Consumed by deployed resources.
    pub used: i64,
    /// Promised to open lobbies.
    pub reserved: i64,
    /// Most that may be used plus reserved.
    pub limit: i64,
}

/// The project the request deploys into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectContext {
    /// Project id (`gcp-abc123`).
    pub project_id: String,
    /// The project's provider.
    pub provider: Provider,
    /// Monthly budget of the project, if one was set.
    #[serde(default)]
    pub monthly_budget: Option<Money>,
    /// Hourly cost of what the project already runs.
    #[serde(default)]
    pub current_hourly_spend: Money,
    /// Monthly cost other open lobbies of the project hold against its budget.
    #[serde(default)]
    pub reserved_monthly: Money,
}

/// Everything [`super::validate`] looks at; borrowed, so building it costs nothing.
#[derive(Debug, Clone, Copy)]
pub struct ValidationInput<'a> {
    /// The request.
    pub request: &'a DeployRequest,
    /// Who asks, with their grant for the project's provider.
    pub actor: &'a Member,
    /// The guild's active policies, in any order.
    pub policies: &'a [Policy],
    /// The project's quota rows.
    pub quotas: &'a [QuotaState],
    /// The project.
    pub project: &'a ProjectContext,
    /// Hourly cost of what the requester already runs (counted against their `budget_limit`).
    pub user_hourly_spend: Money,
    /// Prices and sizes.
    pub catalog: &'a Catalog,
}
