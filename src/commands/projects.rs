//! `/cloud-projects`: the guild's projects the member can see (their own, and every project of a
//! provider they hold a role for).

use std::collections::HashMap;

use super::{Invoker, Reply, Services, can_read, member, views};
use crate::actors::ActorError;
use crate::domain::Provider;

pub(super) async fn run(services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
    let mut readable = HashMap::new();
    for provider in Provider::ALL {
        readable.insert(provider.as_str(), can_read(&member(services, invoker, *provider).await?));
    }
    let projects = services.records.projects_in(invoker.guild_id).await?;
    let visible = projects
        .iter()
        .filter(|p| p.owner_user_id == invoker.user_id || readable.get(p.provider.as_str()).copied().unwrap_or(false))
        .map(views::project)
        .collect();
    Ok(Reply::Projects { projects: visible })
}
