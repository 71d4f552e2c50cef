//! A lobby button (Approve & Deploy, Cancel): handed to the lobby's actor; a lobby that already
//! ended answers from its stored status and changes nothing.

use std::time::Duration;

use ractor::rpc::CallResult;
use uuid::Uuid;

use super::{Invoker, LobbyAction, Reply, Services};
use crate::actors::ActorError;
use crate::actors::lobby::SessionMsg;

/// A lobby button pressed: from Discord's buttons or the console's `approve` / `cancel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Press {
    /// The lobby.
    pub session_id: Uuid,
    /// Which button.
    pub action: LobbyAction,
}

/// How long a button press may take (approval writes Terraform).
const PRESS_TIMEOUT: Duration = Duration::from_secs(120);

pub(super) async fn run(
    services: &Services,
    invoker: Invoker,
    session_id: Uuid,
    action: LobbyAction,
) -> Result<Reply, ActorError> {
    if let Some(actor) = services.lobbies.lookup(session_id).await? {
        let call = actor.call(|reply| SessionMsg::Press { clicker: invoker, action, reply }, Some(PRESS_TIMEOUT)).await;
        match call {
            Ok(CallResult::Success(reply)) => return Ok(reply),
            Ok(CallResult::Timeout) => return Err(ActorError::Timeout("lobby")),
            // The lobby ended (or failed) between the lookup and the press: answer from the database.
            Ok(CallResult::SenderError) | Err(_) => {}
        }
    }
    let session = services.records.session(session_id).await?;
    if session.guild_id != invoker.guild_id {
        return Ok(Reply::error(format!("session `{session_id}` was not found")));
    }
    Ok(match session.status.as_str() {
        "pending" => Reply::error("this lobby is being restarted; press the button again in a moment"),
        status => Reply::refused(format!("this lobby was already {status}; nothing changed")),
    })
}
