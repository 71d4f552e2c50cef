//! `/cloud-destroy`: a lobby to decommission one resource (what goes away, the quota it frees, the
//! monthly saving).

use super::args::Args;
use super::spec::{self, CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, outcomes};
use crate::actors::ActorError;
use crate::actors::lobby::{LobbyAsk, TargetAsk};

/// `/cloud-destroy project_id resource_name [resource_type]`.
/// (The lobby's own ask: a command is exactly what it asks the lobby for.)
pub type Destroy = TargetAsk;

/// The `resource_name` option of the commands that change an existing resource.
pub(super) const RESOURCE_NAME: OptionSpec =
    OptionSpec::text("resource_name", "An existing resource of the project").required().autocomplete();

/// Their `resource_type` option, for a name two kinds share.
pub(super) const RESOURCE_TYPE: OptionSpec = OptionSpec::of(
    "resource_type",
    "Its kind, when two kinds share the name",
    OptionKind::Choice(spec::resource_kinds),
);

impl Destroy {
    /// The command's name.
    pub const NAME: &'static str = "cloud-destroy";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Open a lobby to decommission a resource: what goes away, the quota it frees, the saving",
        admin_only: false,
        shape: Shape::Options(&[super::PROJECT_ID, RESOURCE_NAME, RESOURCE_TYPE]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Destroy, CommandError> {
        Ok(Destroy {
            project_id: o.required("project_id")?,
            name: o.required("resource_name")?,
            kind: o.parse("resource_type")?,
        })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        Ok(outcomes::opened(services.lobbies.open(invoker, LobbyAsk::Destroy(self)).await?))
    }
}
