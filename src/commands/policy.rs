//! `/cloud-policy add|list|remove`: guild administrators manage policies.

use super::args::Args;
use super::spec::{Choice, CommandSpec, OptionKind, OptionSpec, Shape, SubcommandSpec};
use super::{CommandError, Invoker, Reply, Services, views};
use crate::actors::ActorError;
use crate::domain::validate::Policy as Rule;
use crate::domain::{Money, PolicyKind};
use crate::store::policies::NewPolicy;

/// `/cloud-policy` and its subcommands.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// `/cloud-policy add ...`.
    Add(PolicyAdd),
    /// `/cloud-policy list`.
    List,
    /// `/cloud-policy remove policy_id`.
    Remove {
        /// Policy.
        policy_id: i64,
    },
}

/// `/cloud-policy add name policy_type [resource_pattern] [allowed_values] [denied_values]
/// [max_cost_per_hour] [require_approval] [priority]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyAdd {
    /// Name shown to members.
    pub name: String,
    /// What it checks.
    pub kind: PolicyKind,
    /// Which resources it applies to.
    pub pattern: String,
    /// Allowed values.
    pub allowed: Vec<String>,
    /// Denied values.
    pub denied: Vec<String>,
    /// Cost limit per hour.
    pub max_cost: Option<Money>,
    /// Violations need a CloudAdmin's approval instead of a denial.
    pub require_approval: bool,
    /// Lower runs first.
    pub priority: i32,
}

fn kinds() -> Vec<Choice> {
    PolicyKind::ALL.iter().map(|k| Choice { label: k.as_str(), value: k.as_str() }).collect()
}

const ADD: &[OptionSpec] = &[
    OptionSpec::text("name", "Policy name").required(),
    OptionSpec::of("policy_type", "What it checks", OptionKind::Choice(kinds)).required(),
    OptionSpec::text("resource_pattern", "*, type:vm, type:compute.instances, name:web-*, provider:azure"),
    OptionSpec::text("allowed_values", "Allowed values, comma-separated"),
    OptionSpec::text("denied_values", "Denied values, comma-separated"),
    OptionSpec::of(
        "max_cost_per_hour",
        "Cost limit in USD per hour",
        OptionKind::Number { min: Money::ZERO, what: "an amount in USD per hour" },
    ),
    OptionSpec::of(
        "require_approval",
        "Violations need a CloudAdmin's approval instead of a denial",
        OptionKind::Boolean,
    ),
    OptionSpec::of("priority", "Lower runs first (default 100)", OptionKind::Integer { min: -10_000, max: 10_000 }),
];

impl Policy {
    /// The command's name.
    pub const NAME: &'static str = "cloud-policy";

    /// Its subcommands and their options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Manage infrastructure policies (administrators)",
        admin_only: true,
        shape: Shape::Subcommands(&[
            SubcommandSpec { name: "add", description: "Add a policy", options: ADD },
            SubcommandSpec { name: "list", description: "List active policies", options: &[] },
            SubcommandSpec {
                name: "remove",
                description: "Deactivate a policy",
                options: &[OptionSpec::of("policy_id", "Policy id", OptionKind::Integer { min: 1, max: i64::MAX })
                    .required()
                    .autocomplete()],
            },
        ]),
    };

    /// Parses `form` (`cloud-policy add`, ...), which the spec already knows.
    pub(super) fn parse(form: &str, o: &mut Args) -> Result<Policy, CommandError> {
        Ok(match form.strip_prefix("cloud-policy ") {
            Some("add") => Policy::Add(PolicyAdd {
                name: o.required("name")?,
                kind: o
                    .parse("policy_type")?
                    .ok_or_else(|| CommandError("/cloud-policy add needs `policy_type`".into()))?,
                pattern: o.text("resource_pattern")?.unwrap_or_else(|| "*".to_owned()),
                allowed: o.list("allowed_values")?,
                denied: o.list("denied_values")?,
                max_cost: o.money("max_cost_per_hour")?,
                require_approval: o.flag("require_approval")?.unwrap_or(false),
                priority: o.integer("priority")?.map_or(100, |p| p as i32),
            }),
            Some("list") => Policy::List,
            Some("remove") => Policy::Remove {
                policy_id: o
                    .integer("policy_id")?
                    .ok_or_else(|| CommandError("/cloud-policy remove needs `policy_id`".into()))?,
            },
            _ => return Err(CommandError("/cloud-policy needs a subcommand: add, list or remove".into())),
        })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        if !invoker.is_guild_admin {
            return Ok(Reply::refused("managing policies needs Discord's Administrator or Manage Server permission"));
        }
        match self {
            Policy::Add(add) => add.run(services, invoker).await,
            Policy::List => {
                let policies = services.policy.policies(invoker.guild_id).await?;
                Ok(Reply::Policies { policies: policies.iter().map(views::policy).collect() })
            }
            Policy::Remove { policy_id } => {
                services.policy.remove_policy(invoker.guild_id, policy_id, invoker.user_id).await?;
                Ok(Reply::PolicyRemoved { policy_id })
            }
        }
    }
}

impl PolicyAdd {
    async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let PolicyAdd { name, kind, pattern, allowed, denied, max_cost, require_approval, priority } = self;
        let candidate = Rule {
            id: 0,
            name: name.clone(),
            policy_type: kind,
            resource_pattern: pattern.clone(),
            allowed_values: allowed.clone(),
            denied_values: denied.clone(),
            max_cost_per_hour: max_cost,
            require_approval,
            priority,
        };
        // A policy the validator could not evaluate would deny everything it matches.
        if let Err(problem) = candidate.check() {
            return Ok(Reply::error(format!("policy not added: {problem}")));
        }
        let policy = services
            .policy
            .add_policy(NewPolicy {
                guild_id: invoker.guild_id,
                name,
                kind,
                resource_pattern: pattern,
                allowed_values: allowed,
                denied_values: denied,
                max_cost_per_hour: max_cost,
                require_approval,
                priority,
                created_by: invoker.user_id,
            })
            .await?;
        Ok(Reply::PolicyAdded { policy: views::policy(&policy) })
    }
}
