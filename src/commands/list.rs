//! `/cloud-list`: a project's active resources.

use super::args::Args;
use super::spec::{self, CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, can_read, member, views};
use crate::actors::ActorError;
use crate::domain::ResourceKind;

/// `/cloud-list project_id [resource_type]`.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// Project.
    pub project_id: String,
    /// Only this kind.
    pub kind: Option<ResourceKind>,
}

impl List {
    /// The command's name.
    pub const NAME: &'static str = "cloud-list";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "List a project's resources",
        admin_only: false,
        shape: Shape::Options(&[
            super::PROJECT_ID,
            OptionSpec::of("resource_type", "Only this kind of resource", OptionKind::Choice(spec::resource_kinds)),
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<List, CommandError> {
        Ok(List { project_id: o.required("project_id")?, kind: o.parse("resource_type")? })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let project = services.records.project(invoker.guild_id, &self.project_id).await?;
        let provider = project.provider;
        if !can_read(&member(services, invoker, provider).await?) && project.owner_user_id != invoker.user_id {
            return Ok(Reply::refused(format!("viewing {provider} projects needs a role; ask an administrator")));
        }
        let resources = services.records.resources(&project.id, self.kind).await?;
        Ok(Reply::Resources { project_id: project.id, resources: resources.iter().map(views::resource).collect() })
    }
}
