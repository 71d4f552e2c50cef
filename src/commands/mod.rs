//! The command layer shared by every front end: a [`Command`] from a member goes in, a [`Reply`]
//! comes out. Handlers only send messages to actors (through their handles); none holds a
//! database connection.
//!
//! As in mini-redis, each command is a type in its own file holding its [`spec::CommandSpec`] (its
//! options, defined once: the parser, the Discord registration and the console's `help` are derived
//! from it), its parser and its execution; [`Command`] and [`execute`] only dispatch. A new command
//! is one file, one variant and one arm in each dispatch.

mod args;
mod command;
pub mod csv;
mod deploy;
mod destroy;
mod grant;
mod history;
mod init;
mod list;
pub mod outcomes;
mod policy;
mod press;
mod preview;
mod projects;
mod quota;
mod quota_set;
mod reply;
mod resize;
mod revoke;
pub mod spec;
mod stack;
mod suggest;
pub mod text;
pub mod views;
mod whoami;

pub use crate::actors::Services;
pub use crate::domain::{Invoker, LobbyAction};
pub use command::{Command, CommandError, MAX_OPTIONS, MAX_VALUE_LEN, SPECS, parse_user};
pub use deploy::Deploy;
pub use destroy::Destroy;
pub use grant::Grant;
pub use history::History;
pub use init::Init;
pub use list::List;
pub use policy::{Policy, PolicyAdd};
pub use press::Press;
pub use preview::Preview;
pub use projects::Projects;
pub use quota::Quota;
pub use quota_set::QuotaSet;
pub use reply::{
    BudgetView, DeployedView, ExposureView, HistoryView, LobbyView, PolicyView, PreviewFile, PreviewView, ProjectView,
    QuotaView, Reply, ResourceView, RoleView, WhoAmIView,
};
pub use resize::Resize;
pub use revoke::Revoke;
pub use stack::Stack;
pub use whoami::WhoAmI;

use tracing::Instrument;

use crate::actors::ActorError;
use crate::domain::Provider;
use crate::domain::validate::{Member, Permissions};
use crate::store::{Conflict, StoreError};

/// Carries out one command for one member.
pub async fn execute(services: &Services, invoker: Invoker, command: Command) -> Reply {
    let span = tracing::info_span!("command", guild_id = invoker.guild_id, user_id = invoker.user_id);
    run(services, invoker, command).instrument(span).await.unwrap_or_else(|e| user_error(&e))
}

async fn run(services: &Services, invoker: Invoker, command: Command) -> Result<Reply, ActorError> {
    services.lobbies.saw(invoker);
    match command {
        Command::Init(c) => c.run(services, invoker).await,
        Command::Deploy(c) => deploy::run(services, invoker, c).await,
        Command::Destroy(c) => c.run(services, invoker).await,
        Command::Resize(c) => c.run(services, invoker).await,
        Command::Stack(c) => c.run(services, invoker).await,
        Command::List(c) => c.run(services, invoker).await,
        Command::Quota(c) => c.run(services, invoker).await,
        Command::History(c) => c.run(services, invoker).await,
        Command::WhoAmI(c) => c.run(services, invoker).await,
        Command::QuotaSet(c) => c.run(services, invoker).await,
        Command::Grant(c) => c.run(services, invoker).await,
        Command::Revoke(c) => c.run(services, invoker).await,
        Command::Projects(c) => c.run(services, invoker).await,
        Command::Policy(c) => c.run(services, invoker).await,
        Command::Press(Press { session_id, action }) => press::run(services, invoker, session_id, action).await,
        Command::Preview(c) => c.run(services, invoker).await,
    }
}

/// The `project_id` option most commands take.
const PROJECT_ID: spec::OptionSpec =
    spec::OptionSpec::text("project_id", "Project, e.g. gcp-3f9a1c").required().autocomplete();

/// The member's role for a provider: their grant, or CloudAdmin for a guild administrator without one.
pub async fn member(services: &Services, invoker: Invoker, provider: Provider) -> Result<Member, ActorError> {
    let permissions = services.policy.permissions(invoker.user_id, invoker.guild_id, provider).await?;
    Ok(Member { user_id: invoker.user_id as u64, permissions, is_guild_admin: invoker.is_guild_admin })
}

/// Whether the member may read a provider's projects (any grant, or guild administrator).
pub fn can_read(actor: &Member) -> bool {
    actor.role().is_some()
}

/// The role's default permissions, for replies that describe a grant.
pub fn describe(p: &Permissions) -> String {
    let mut kinds = Vec::new();
    for (flag, name) in [
        (p.can_create_vm, "VMs"),
        (p.can_create_db, "databases"),
        (p.can_create_k8s, "Kubernetes"),
        (p.can_create_network, "networks"),
        (p.can_create_storage, "storage"),
    ] {
        if flag {
            kinds.push(name);
        }
    }
    let mut text = if kinds.is_empty() { "read only".to_owned() } else { format!("may create {}", kinds.join(", ")) };
    if let Some(size) = p.max_vm_size {
        text.push_str(&format!("; VMs up to {size}"));
    }
    if let Some(regions) = p.allowed_regions.as_ref().filter(|r| !r.is_empty()) {
        text.push_str(&format!("; regions {}", regions.join(", ")));
    }
    if let Some(budget) = p.budget_limit {
        text.push_str(&format!("; budget {budget}/month"));
    }
    text
}

/// The message a member sees for a failure: clear, and without SQL, paths or internals.
pub fn user_error(err: &ActorError) -> Reply {
    match err {
        ActorError::Store(StoreError::NotFound { entity, key }) => {
            Reply::error(format!("{entity} `{}` was not found", key.chars().take(64).collect::<String>()))
        }
        ActorError::Store(StoreError::Conflict(c)) => Reply::error(conflict_text(c)),
        ActorError::Store(StoreError::InvalidInput(text)) => Reply::error(text.clone()),
        ActorError::Store(StoreError::Database(e)) => {
            tracing::error!(error = %e, "database failure");
            Reply::error("the database is unavailable right now; nothing was changed, try again")
        }
        other => Reply::error(other.to_string()),
    }
}

fn conflict_text(c: &Conflict) -> String {
    match c {
        Conflict::QuotaExhausted { quota_type, available, requested, limit, .. } => {
            format!("quota exhausted for {quota_type}: {requested} requested but only {available} of {limit} available")
        }
        other => other.to_string(),
    }
}
