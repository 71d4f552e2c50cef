//! `/cloud-init`: create a project with the default quotas.

use super::args::Args;
use super::spec::{self, CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, member, views};
use crate::actors::ActorError;
use crate::domain::{Money, Provider, Role};
use crate::store::projects::NewProject;

/// `/cloud-init provider project_name [region] [budget_limit]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Init {
    /// Cloud provider.
    pub provider: Provider,
    /// Default region; the catalogue's default when absent.
    pub region: Option<String>,
    /// A name for the project.
    pub project_name: String,
    /// Monthly budget.
    pub budget: Option<Money>,
}

impl Init {
    /// The command's name.
    pub const NAME: &'static str = "cloud-init";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Create a cloud project with the default quotas",
        admin_only: false,
        shape: Shape::Options(&[
            OptionSpec::of("provider", "Cloud provider", OptionKind::Choice(spec::providers)).required(),
            OptionSpec::text("project_name", "A name for the project").required(),
            OptionSpec::text("region", "Default region (from the catalogue)").autocomplete(),
            OptionSpec::of(
                "budget_limit",
                "Monthly budget in USD",
                OptionKind::Number { min: Money::ZERO, what: "an amount in USD per month" },
            ),
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Init, CommandError> {
        Ok(Init {
            provider: o.parse("provider")?.ok_or_else(|| CommandError("/cloud-init needs `provider`".into()))?,
            region: o.text("region")?,
            project_name: o.required("project_name")?,
            budget: o.money("budget_limit")?,
        })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let Init { provider, region, project_name, budget } = self;
        let actor = member(services, invoker, provider).await?;
        if actor.role().is_none_or(|r| r < Role::CloudUser) {
            return Ok(Reply::refused(format!(
                "creating {} project needs the CloudUser or CloudAdmin role; ask an administrator for /cloud-grant",
                crate::domain::words::with_article(provider)
            )));
        }
        let catalog = services.catalog.provider(provider);
        let region = region.unwrap_or_else(|| catalog.default_region.clone());
        if let Err(e) = catalog.region(provider, &region) {
            return Ok(Reply::error(e.to_string()));
        }
        let project = services
            .records
            .create_project(NewProject {
                guild_id: invoker.guild_id,
                owner_user_id: invoker.user_id,
                provider,
                name: project_name,
                default_region: region,
                monthly_budget: budget,
                quotas: services.settings.quotas.lines(),
            })
            .await?;
        tracing::info!(project_id = %project.id, "project created");
        Ok(Reply::ProjectCreated { project: views::project(&project) })
    }
}
