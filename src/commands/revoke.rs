//! `/cloud-revoke`: guild administrators remove a member's role for a provider.

use super::args::Args;
use super::grant::{PROVIDER, USER};
use super::spec::{CommandSpec, Shape};
use super::{CommandError, Invoker, Reply, Services};
use crate::actors::ActorError;
use crate::domain::Provider;

/// `/cloud-revoke user provider`.
#[derive(Debug, Clone, PartialEq)]
pub struct Revoke {
    /// Member.
    pub user_id: i64,
    /// Provider.
    pub provider: Provider,
}

impl Revoke {
    /// The command's name.
    pub const NAME: &'static str = "cloud-revoke";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Remove a member's role for a provider (administrators)",
        admin_only: true,
        shape: Shape::Options(&[USER, PROVIDER]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Revoke, CommandError> {
        Ok(Revoke {
            user_id: o.member("user")?.ok_or_else(|| CommandError("/cloud-revoke needs `user`".into()))?,
            provider: o.parse("provider")?.ok_or_else(|| CommandError("/cloud-revoke needs `provider`".into()))?,
        })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        if !invoker.is_guild_admin {
            return Ok(Reply::refused("managing roles needs Discord's Administrator or Manage Server permission"));
        }
        let existed = services.policy.revoke(self.user_id, invoker.guild_id, self.provider, invoker.user_id).await?;
        Ok(Reply::Revoked { user_id: self.user_id, provider: self.provider.to_string(), existed })
    }
}
