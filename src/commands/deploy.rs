//! `/cloud-deploy`: the lobby validates the request, reserves its quota and opens.

use std::collections::BTreeMap;

use super::args::Args;
use super::spec::{self, Choice, CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services, outcomes};
use crate::actors::ActorError;
use crate::actors::lobby::{DeployAsk, LobbyAsk, Opened};
use crate::domain::plan::Plan;
use crate::domain::validate::{MAX_COUNT, MAX_K8S_NODES, MIN_COUNT, Outcome};

/// `/cloud-deploy project_id resource_type resource_name [machine_type] [region] [count] [node_count]
/// [access] [ingress]`.
/// (The lobby's own ask: a command is exactly what it asks the lobby for.)
pub type Deploy = DeployAsk;

fn exposures() -> Vec<Choice> {
    vec![Choice { label: "private", value: "private" }, Choice { label: "public", value: "public" }]
}

impl Deploy {
    /// The command's name.
    pub const NAME: &'static str = "cloud-deploy";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Open a deployment lobby: verdict, quota and cost, with Approve and Cancel",
        admin_only: false,
        shape: Shape::Options(&[
            super::PROJECT_ID,
            OptionSpec::of("resource_type", "Kind of resource", OptionKind::Choice(spec::resource_kinds)).required(),
            OptionSpec::text("resource_name", "Name of the resource (provider naming rules apply)").required(),
            OptionSpec::text("machine_type", "Machine type, database tier or node type").autocomplete(),
            OptionSpec::text("region", "Region (default: the project's)").autocomplete(),
            OptionSpec::of(
                "count",
                "How many identical resources",
                OptionKind::Integer { min: MIN_COUNT as i64, max: MAX_COUNT as i64 },
            ),
            OptionSpec::of("node_count", "Kubernetes nodes", OptionKind::Integer { min: 1, max: MAX_K8S_NODES as i64 }),
            OptionSpec::of("access", "Exposure", OptionKind::Choice(exposures)),
            OptionSpec::text("ingress", "Source addresses allowed in, comma-separated CIDRs (e.g. 10.0.0.0/8)"),
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Deploy, CommandError> {
        let project_id = o.required("project_id")?;
        let kind =
            o.parse("resource_type")?.ok_or_else(|| CommandError("/cloud-deploy needs `resource_type`".into()))?;
        let mut options = BTreeMap::new();
        Ok(Deploy {
            project_id,
            kind,
            name: o.required("resource_name")?,
            size: o.text("machine_type")?,
            region: o.text("region")?,
            // The spec's ranges fit in u32.
            count: o.integer("count")?.map_or(1, |n| n as u32),
            node_count: o.integer("node_count")?.map(|n| n as u32),
            options: {
                if let Some(access) = o.choice("access")? {
                    options.insert("access".to_owned(), access.to_owned());
                }
                if let Some(ingress) = o.text("ingress")? {
                    options.insert("ingress".to_owned(), ingress);
                }
                options
            },
        })
    }
}

pub(super) async fn run(services: &Services, invoker: Invoker, deploy: Deploy) -> Result<Reply, ActorError> {
    let opened = services.lobbies.open(invoker, LobbyAsk::Deploy(deploy)).await?;
    // A denied request shows the nearest one that would pass, so the member can ask again at once.
    let suggestion = match &opened {
        Opened::Lobby(lobby) if lobby.verdict.outcome == Outcome::Denied => match &lobby.plan {
            Plan::Deploy(request) => {
                super::suggest::alternative(services, invoker, &lobby.project_id, request, &lobby.verdict).await
            }
            _ => None,
        },
        _ => None,
    };
    let mut reply = outcomes::opened(opened);
    if let Reply::Lobby(view) = &mut reply {
        view.suggestion = suggestion;
    }
    Ok(reply)
}
