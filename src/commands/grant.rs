//! `/cloud-grant` and `/cloud-revoke`: guild administrators set members' roles.

use super::{Command, Invoker, Reply, Services, describe};
use crate::actors::ActorError;
use crate::domain::validate::Permissions;
use crate::store::permissions::Grant;

pub(super) async fn run(services: &Services, invoker: Invoker, command: Command) -> Result<Reply, ActorError> {
    if !invoker.is_guild_admin {
        return Ok(Reply::refused("managing roles needs Discord's Administrator or Manage Server permission"));
    }
    match command {
        Command::Grant { user_id, provider, role, max_vm_size, regions, budget } => {
            let mut p = Permissions::for_role(role);
            if max_vm_size.is_some() {
                p.max_vm_size = max_vm_size;
            }
            if regions.is_some() {
                p.allowed_regions = regions;
            }
            p.budget_limit = budget;
            let grant =
                Grant { user_id, guild_id: invoker.guild_id, provider, permissions: p, granted_by: invoker.user_id };
            let granted = services.policy.grant(grant).await?;
            Ok(Reply::Granted {
                user_id,
                provider: provider.to_string(),
                role: granted.role.to_string(),
                summary: describe(&granted),
            })
        }
        Command::Revoke { user_id, provider } => {
            let existed = services.policy.revoke(user_id, invoker.guild_id, provider, invoker.user_id).await?;
            Ok(Reply::Revoked { user_id, provider: provider.to_string(), existed })
        }
        _ => Ok(Reply::error("not a grant command")),
    }
}
