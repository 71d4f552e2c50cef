//! `/cloud-quota`: a project's quota lines.

use super::{Invoker, Reply, Services, can_read, member, views};
use crate::actors::ActorError;

pub(super) async fn run(services: &Services, invoker: Invoker, project_id: &str) -> Result<Reply, ActorError> {
    let project = services.records.project(invoker.guild_id, project_id).await?;
    let provider = project.provider;
    if !can_read(&member(services, invoker, provider).await?) && project.owner_user_id != invoker.user_id {
        return Ok(Reply::refused(format!("viewing {provider} quotas needs a role; ask an administrator")));
    }
    let lines = services.quota.usage(&project.id).await?;
    Ok(Reply::Quota { project_id: project.id, lines: lines.iter().map(views::quota).collect() })
}
