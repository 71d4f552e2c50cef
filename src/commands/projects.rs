//! `/cloud-projects`: the guild's projects the member can see (their own, and every project of a
//! provider they hold a role for).

use std::collections::HashMap;

use super::spec::{CommandSpec, Shape};
use super::{Invoker, Reply, Services, can_read, member, views};
use crate::actors::ActorError;
use crate::domain::Provider;

/// `/cloud-projects` (no options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Projects;

impl Projects {
    /// The command's name.
    pub const NAME: &'static str = "cloud-projects";

    /// Its options (none).
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "List the projects you can see",
        admin_only: false,
        shape: Shape::Options(&[]),
    };

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let mut readable = HashMap::new();
        for provider in Provider::ALL {
            readable.insert(provider.as_str(), can_read(&member(services, invoker, *provider).await?));
        }
        let projects = services.records.projects_in(invoker.guild_id).await?;
        let visible = projects
            .iter()
            .filter(|p| {
                p.owner_user_id == invoker.user_id || readable.get(p.provider.as_str()).copied().unwrap_or(false)
            })
            .map(views::project)
            .collect();
        Ok(Reply::Projects { projects: visible })
    }
}
