//! `/cloud-deploy`: the lobby validates the request, reserves its quota and opens.

use super::{Command, Invoker, Reply, Services, outcomes};
use crate::actors::ActorError;
use crate::actors::lobby::{DeployAsk, LobbyAsk};

pub(super) async fn run(services: &Services, invoker: Invoker, command: Command) -> Result<Reply, ActorError> {
    let Command::Deploy { project_id, kind, name, size, region, count, node_count, options } = command else {
        return Ok(Reply::error("not a deploy command"));
    };
    let ask = DeployAsk { project_id, kind, name, size, region, count, node_count, options };
    Ok(outcomes::opened(services.lobbies.open(invoker, LobbyAsk::Deploy(ask)).await?))
}
