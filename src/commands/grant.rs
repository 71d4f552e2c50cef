//! `/cloud-grant`: guild administrators give members a role for a provider.

use super::args::Args;
use super::spec::{self, Choice, CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, describe};
use crate::actors::ActorError;
use crate::domain::validate::Permissions;
use crate::domain::{Money, Provider, Role, SizeClass};
use crate::store::permissions::Grant as NewGrant;

/// `/cloud-grant user provider role [max_vm_size] [regions] [budget_limit]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// Member.
    pub user_id: i64,
    /// Provider.
    pub provider: Provider,
    /// Role.
    pub role: Role,
    /// Narrows the role's largest VM.
    pub max_vm_size: Option<SizeClass>,
    /// Narrows the regions.
    pub regions: Option<Vec<String>>,
    /// Monthly budget.
    pub budget: Option<Money>,
}

fn roles() -> Vec<Choice> {
    vec![
        Choice { label: "CloudViewer (read only)", value: "viewer" },
        Choice { label: "CloudUser (VMs up to medium, no Kubernetes)", value: "user" },
        Choice { label: "CloudAdmin (everything, approves)", value: "admin" },
    ]
}

fn sizes() -> Vec<Choice> {
    SizeClass::ALL.iter().map(|s| Choice { label: s.as_str(), value: s.as_str() }).collect()
}

/// The `user` option of the role commands.
pub(super) const USER: OptionSpec = OptionSpec::of("user", "Member", OptionKind::Member).required();
/// The `provider` option of the role commands.
pub(super) const PROVIDER: OptionSpec =
    OptionSpec::of("provider", "Cloud provider", OptionKind::Choice(spec::providers)).required();

impl Grant {
    /// The command's name.
    pub const NAME: &'static str = "cloud-grant";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Give a member a role for a provider (administrators)",
        admin_only: true,
        shape: Shape::Options(&[
            USER,
            PROVIDER,
            OptionSpec::of("role", "Role", OptionKind::Choice(roles)).required(),
            OptionSpec::of("max_vm_size", "Largest VM size", OptionKind::Choice(sizes)),
            OptionSpec::text("regions", "Allowed regions, comma-separated"),
            OptionSpec::of(
                "budget_limit",
                "Monthly budget in USD",
                OptionKind::Number { min: Money::ZERO, what: "an amount in USD per month" },
            ),
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Grant, CommandError> {
        let user_id = o.member("user")?.ok_or_else(|| CommandError("/cloud-grant needs `user`".into()))?;
        let provider = o.parse("provider")?.ok_or_else(|| CommandError("/cloud-grant needs `provider`".into()))?;
        let role = Role::parse_loose(&o.required("role")?).map_err(|e| CommandError(format!("`role`: {e}")))?;
        Ok(Grant {
            user_id,
            provider,
            role,
            max_vm_size: o.parse("max_vm_size")?,
            regions: Some(o.list("regions")?).filter(|r| !r.is_empty()),
            budget: o.money("budget_limit")?,
        })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        if !invoker.is_guild_admin {
            return Ok(Reply::refused("managing roles needs Discord's Administrator or Manage Server permission"));
        }
        let Grant { user_id, provider, role, max_vm_size, regions, budget } = self;
        let mut p = Permissions::for_role(role);
        if max_vm_size.is_some() {
            p.max_vm_size = max_vm_size;
        }
        if regions.is_some() {
            p.allowed_regions = regions;
        }
        p.budget_limit = budget;
        let grant =
            NewGrant { user_id, guild_id: invoker.guild_id, provider, permissions: p, granted_by: invoker.user_id };
        let granted = services.policy.grant(grant).await?;
        Ok(Reply::Granted {
            user_id,
            provider: provider.to_string(),
            role: granted.role.to_string(),
            summary: describe(&granted),
        })
    }
}
