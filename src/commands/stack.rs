//! `/cloud-stack`: one lobby for every resource of a stack template (`config/stacks.toml`),
//! reserved, approved and written all or none.

use std::collections::BTreeMap;

use super::args::Args;
use super::spec::{CommandSpec, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, outcomes};
use crate::actors::ActorError;
use crate::actors::lobby::{LobbyAsk, StackAsk};

/// `/cloud-stack project_id template name [region] [machine_type] [database_tier]`.
/// (The lobby's own ask: a command is exactly what it asks the lobby for.)
pub type Stack = StackAsk;

impl Stack {
    /// The command's name.
    pub const NAME: &'static str = "cloud-stack";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Open one lobby for a stack of resources (network, VMs, load balancer, database): all or none",
        admin_only: false,
        shape: Shape::Options(&[
            super::PROJECT_ID,
            OptionSpec::text("template", "Stack template (web, worker, ...)").required().autocomplete(),
            OptionSpec::text("name", "The stack's name; resources are named <name>-net, <name>-vm-1, ...").required(),
            OptionSpec::text("region", "Region of every resource (default: the project's)").autocomplete(),
            OptionSpec::text("machine_type", "Machine type of the stack's VMs").autocomplete(),
            OptionSpec::text("database_tier", "Tier of the stack's database").autocomplete(),
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Stack, CommandError> {
        let project_id = o.required("project_id")?;
        let template = o.required("template")?;
        let name = o.required("name")?;
        let region = o.text("region")?;
        let mut sizes = BTreeMap::new();
        for key in ["machine_type", "database_tier"] {
            if let Some(value) = o.text(key)? {
                sizes.insert(key.to_owned(), value);
            }
        }
        Ok(Stack { project_id, template, name, region, sizes })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        Ok(outcomes::opened(services.lobbies.open(invoker, LobbyAsk::Stack(self)).await?))
    }
}
