//! `/cloud-quota`: a project's quota lines.

use super::args::Args;
use super::spec::{CommandSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, can_read, member, views};
use crate::actors::ActorError;

/// `/cloud-quota project_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Quota {
    /// Project.
    pub project_id: String,
}

impl Quota {
    /// The command's name.
    pub const NAME: &'static str = "cloud-quota";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Show a project's quota usage",
        admin_only: false,
        shape: Shape::Options(&[super::PROJECT_ID]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Quota, CommandError> {
        Ok(Quota { project_id: o.required("project_id")? })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let project = services.records.project(invoker.guild_id, &self.project_id).await?;
        let provider = project.provider;
        if !can_read(&member(services, invoker, provider).await?) && project.owner_user_id != invoker.user_id {
            return Ok(Reply::refused(format!("viewing {provider} quotas needs a role; ask an administrator")));
        }
        let lines = services.quota.usage(&project.id).await?;
        Ok(Reply::Quota { project_id: project.id, lines: lines.iter().map(views::quota).collect() })
    }
}
