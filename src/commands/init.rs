//! `/cloud-init`: create a project with the default quotas.

use super::{Invoker, Reply, Services, member, views};
use crate::actors::ActorError;
use crate::domain::{Money, Provider, Role};
use crate::store::projects::NewProject;

pub(super) async fn run(
    services: &Services,
    invoker: Invoker,
    provider: Provider,
    region: Option<String>,
    project_name: String,
    budget: Option<Money>,
) -> Result<Reply, ActorError> {
    let actor = member(services, invoker, provider).await?;
    if actor.role().is_none_or(|r| r < Role::CloudUser) {
        return Ok(Reply::refused(format!(
            "creating a {provider} project needs the CloudUser or CloudAdmin role; ask an administrator for /cloud-grant"
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
