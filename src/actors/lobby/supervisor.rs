//! The LobbySupervisor: spawns a SessionActor per lobby (linked, so it hears of its end), finds the
//! actor of a lobby for a button press, rehydrates pending lobbies at start-up, and restarts a
//! lobby whose actor failed from its database row (a few times at most). A failing lobby never
//! takes another down.

use std::collections::HashMap;

use ractor::{Actor, ActorId, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};
use uuid::Uuid;

use super::handle::LobbyDeps;
use super::model::Lobby;
use super::session::{SessionActor, SessionMsg};
use crate::actors::ActorError;
use crate::domain::SessionStatus;

/// Restarts of one lobby's actor before it is left to its database row.
const MAX_LOBBY_RESTARTS: u32 = 3;
/// How long an orphaned actor of a lobby may take to stop before the lobby is restored anyway.
const ORPHAN_STOP: std::time::Duration = std::time::Duration::from_secs(5);

/// Messages of the LobbySupervisor.
pub enum LobbyMsg {
    /// Starts the actor of a lobby already stored.
    Spawn { lobby: Box<Lobby>, reply: RpcReplyPort<Result<(), ActorError>> },
    /// The actor of a live lobby, if any.
    Lookup { session_id: Uuid, reply: RpcReplyPort<Result<Option<ActorRef<SessionMsg>>, ActorError>> },
    /// Starts an actor for every pending lobby in the database; answers how many.
    Rehydrate(RpcReplyPort<Result<usize, ActorError>>),
    /// How many lobbies are live.
    Count(RpcReplyPort<Result<usize, ActorError>>),
    /// Test hook: fail the supervisor while a caller waits.
    #[cfg(feature = "test-hooks")]
    InjectFailure(RpcReplyPort<Result<(), ActorError>>),
}

/// The LobbySupervisor.
pub struct LobbySupervisor;

/// Its state.
pub struct LobbyState {
    deps: LobbyDeps,
    live: HashMap<Uuid, ActorRef<SessionMsg>>,
    ids: HashMap<ActorId, Uuid>,
    restarts: HashMap<Uuid, u32>,
}

impl Actor for LobbySupervisor {
    type Msg = LobbyMsg;
    type State = LobbyState;
    type Arguments = LobbyDeps;

    async fn pre_start(&self, _: ActorRef<LobbyMsg>, deps: LobbyDeps) -> Result<LobbyState, ActorProcessingErr> {
        Ok(LobbyState { deps, live: HashMap::new(), ids: HashMap::new(), restarts: HashMap::new() })
    }

    async fn handle(
        &self,
        myself: ActorRef<LobbyMsg>,
        msg: LobbyMsg,
        state: &mut LobbyState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            LobbyMsg::Spawn { lobby, reply } => {
                let _ = reply.send(state.spawn(&myself, *lobby).await);
            }
            LobbyMsg::Lookup { session_id, reply } => {
                let _ = reply.send(Ok(state.live.get(&session_id).cloned()));
            }
            LobbyMsg::Rehydrate(reply) => {
                let _ = reply.send(state.rehydrate(&myself).await);
            }
            LobbyMsg::Count(reply) => {
                let _ = reply.send(Ok(state.live.len()));
            }
            #[cfg(feature = "test-hooks")]
            LobbyMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<LobbyMsg>,
        event: SupervisionEvent,
        state: &mut LobbyState,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorTerminated(cell, _, _) => {
                if let Some(id) = state.ids.remove(&cell.get_id()) {
                    state.live.remove(&id);
                    state.restarts.remove(&id);
                }
            }
            SupervisionEvent::ActorFailed(cell, err) => {
                let Some(id) = state.ids.remove(&cell.get_id()) else { return Ok(()) };
                state.live.remove(&id);
                tracing::error!(session_id = %id, error = %err, "lobby actor failed");
                state.restart(&myself, id).await;
            }
            _ => {}
        }
        Ok(())
    }
}

impl LobbyState {
    async fn spawn(&mut self, myself: &ActorRef<LobbyMsg>, lobby: Lobby) -> Result<(), ActorError> {
        let id = lobby.id;
        if self.live.contains_key(&id) {
            return Ok(());
        }
        // An actor of this lobby left by a supervisor that failed is stopped first (its supervisor's
        // end kills it, but not at once): one lobby never has two actors.
        let name = self.deps.actor_name(id);
        if let Some(orphan) = ractor::registry::where_is(name.clone()) {
            tracing::warn!(session_id = %id, "stopping the lobby's previous actor before restoring it");
            let _ = orphan.kill_and_wait(Some(ORPHAN_STOP)).await;
        }
        let (actor, _) = Actor::spawn_linked(Some(name), SessionActor, (lobby, self.deps.clone()), myself.get_cell())
            .await
            .map_err(|e| {
                tracing::error!(session_id = %id, error = %e, "could not start a lobby actor");
                ActorError::Unavailable("lobby")
            })?;
        self.ids.insert(actor.get_id(), id);
        self.live.insert(id, actor);
        Ok(())
    }

    async fn rehydrate(&mut self, myself: &ActorRef<LobbyMsg>) -> Result<usize, ActorError> {
        let pending = self.deps.validation.records.pending_sessions().await?;
        let mut started = 0;
        // Another process serves the other shards' guilds and hosts their lobbies.
        let deps = self.deps.clone();
        for row in pending.iter().filter(|row| deps.hosts(row.guild_id)) {
            match Lobby::from_row(row) {
                Ok(lobby) => {
                    self.spawn(myself, lobby).await?;
                    started += 1;
                }
                Err(e) => tracing::error!(session_id = %row.id, error = %e, "pending lobby cannot be restored"),
            }
        }
        Ok(started)
    }

    /// Restarts a failed lobby from its row, unless it has failed too often or is no longer pending.
    async fn restart(&mut self, myself: &ActorRef<LobbyMsg>, id: Uuid) {
        let count = self.restarts.entry(id).or_insert(0);
        *count += 1;
        if *count > MAX_LOBBY_RESTARTS {
            tracing::error!(session_id = %id, "lobby failed too often; left to expire through `check --repair`");
            return;
        }
        let row = match self.deps.validation.records.session(id).await {
            Ok(row) if row.status == SessionStatus::Pending => row,
            Ok(_) => return,
            Err(e) => {
                tracing::error!(session_id = %id, error = %e, "cannot reload the failed lobby");
                return;
            }
        };
        match Lobby::from_row(&row) {
            Ok(lobby) => {
                let restarts = self.restarts.get(&id).copied();
                if self.spawn(myself, lobby).await.is_ok() {
                    tracing::info!(session_id = %id, ?restarts, "lobby actor restarted");
                }
            }
            Err(e) => tracing::error!(session_id = %id, error = %e, "failed lobby cannot be restored"),
        }
    }
}
