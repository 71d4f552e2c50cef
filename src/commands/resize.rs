//! `/cloud-resize`: a lobby to change one resource's size (a VM's machine type, a database's tier,
//! a cluster's node type or count), validated on the difference.

use super::args::Args;
use super::destroy::{RESOURCE_NAME, RESOURCE_TYPE};
use super::spec::{CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, outcomes};
use crate::actors::ActorError;
use crate::actors::lobby::{LobbyAsk, TargetAsk};
use crate::domain::ResourceKind;
use crate::domain::validate::MAX_K8S_NODES;

/// `/cloud-resize project_id resource_name [machine_type] [node_count] [resource_type]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resize {
    /// Project.
    pub project_id: String,
    /// The resource's name.
    pub name: String,
    /// Its kind, when the name is used by two kinds.
    pub kind: Option<ResourceKind>,
    /// The new machine type, database tier or node type.
    pub size: Option<String>,
    /// The new node count of a cluster.
    pub node_count: Option<u32>,
}

impl Resize {
    /// The command's name.
    pub const NAME: &'static str = "cloud-resize";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Open a lobby to resize a resource: quota and cost before and after",
        admin_only: false,
        shape: Shape::Options(&[
            super::PROJECT_ID,
            RESOURCE_NAME,
            OptionSpec::text("machine_type", "New machine type, database tier or node type").autocomplete(),
            OptionSpec::of(
                "node_count",
                "New Kubernetes node count",
                OptionKind::Integer { min: 1, max: MAX_K8S_NODES as i64 },
            ),
            RESOURCE_TYPE,
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Resize, CommandError> {
        // A resize without a new size is refused by the lobby, which says what each kind can change.
        Ok(Resize {
            project_id: o.required("project_id")?,
            name: o.required("resource_name")?,
            size: o.text("machine_type")?,
            // The spec's range fits in u32.
            node_count: o.integer("node_count")?.map(|n| n as u32),
            kind: o.parse("resource_type")?,
        })
    }

    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let target = TargetAsk { project_id: self.project_id, name: self.name, kind: self.kind };
        let ask = LobbyAsk::Resize { target, size: self.size, node_count: self.node_count };
        Ok(outcomes::opened(services.lobbies.open(invoker, ask).await?))
    }
}
