//! A lobby button (Approve & Deploy, Cancel), handed to the lobby; a lobby that already ended
//! answers from its stored status and changes nothing.

use uuid::Uuid;

use super::{Invoker, LobbyAction, Reply, Services, outcomes};
use crate::actors::ActorError;

pub(super) async fn run(
    services: &Services,
    invoker: Invoker,
    session_id: Uuid,
    action: LobbyAction,
) -> Result<Reply, ActorError> {
    Ok(outcomes::pressed(services.lobbies.press(session_id, invoker, action).await?))
}
