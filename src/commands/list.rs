//! `/cloud-list`: a project's active resources.

use super::{Invoker, Reply, Services, can_read, member, views};
use crate::actors::ActorError;
use crate::domain::ResourceKind;

pub(super) async fn run(
    services: &Services,
    invoker: Invoker,
    project_id: &str,
    kind: Option<ResourceKind>,
) -> Result<Reply, ActorError> {
    let project = services.records.project(invoker.guild_id, project_id).await?;
    let provider = project.provider;
    if !can_read(&member(services, invoker, provider).await?) && project.owner_user_id != invoker.user_id {
        return Ok(Reply::refused(format!("viewing {provider} projects needs a role; ask an administrator")));
    }
    let resources = services.records.resources(&project.id, kind).await?;
    Ok(Reply::Resources { project_id: project.id, resources: resources.iter().map(views::resource).collect() })
}
