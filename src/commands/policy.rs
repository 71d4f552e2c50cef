//! `/cloud-policy add|list|remove`: guild administrators manage policies.

use super::{Command, Invoker, Reply, Services, views};
use crate::actors::ActorError;
use crate::domain::validate::Policy;
use crate::store::policies::NewPolicy;

pub(super) async fn run(services: &Services, invoker: Invoker, command: Command) -> Result<Reply, ActorError> {
    if !invoker.is_guild_admin {
        return Ok(Reply::refused("managing policies needs Discord's Administrator or Manage Server permission"));
    }
    match command {
        Command::PolicyAdd { name, kind, pattern, allowed, denied, max_cost, require_approval, priority } => {
            let candidate = Policy {
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
        Command::PolicyList => {
            let policies = services.policy.policies(invoker.guild_id).await?;
            Ok(Reply::Policies { policies: policies.iter().map(views::policy).collect() })
        }
        Command::PolicyRemove { policy_id } => {
            services.policy.remove_policy(invoker.guild_id, policy_id, invoker.user_id).await?;
            Ok(Reply::PolicyRemoved { policy_id })
        }
        _ => Ok(Reply::error("not a policy command")),
    }
}
