//! [`LobbyHandle`]: the one way into lobbies. Opening runs in the caller's task (validation reads
//! and the reservation go straight to the actors that decide them, so a burst of openings is not
//! queued behind one mailbox); the LobbySupervisor then starts the lobby's SessionActor. Presses go
//! to that actor; a lobby without a live actor answers from its stored status.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use ractor::rpc::CallResult;
use uuid::Uuid;

use super::context::ValidationDeps;
use super::members::Sightings;
use super::open;
use super::outcome::{LobbyAsk, Opened, PressOutcome};
use super::session::SessionMsg;
use super::supervisor::LobbyMsg;
use crate::actors::generator::GeneratorHandle;
use crate::actors::notifier::LobbyNotifier;
use crate::actors::quota::QuotaHandle;
use crate::actors::{ActorError, ActorSlot};
use crate::domain::{Invoker, LobbyAction, SessionStatus};
use crate::store::StoreError;

/// How long a button press may take (approval writes Terraform).
const PRESS_TIMEOUT: Duration = Duration::from_secs(120);

/// What every lobby needs.
#[derive(Clone)]
pub struct LobbyDeps {
    /// Validation inputs.
    pub validation: ValidationDeps,
    /// Quota changes (a lobby's opening and ending).
    pub quota: QuotaHandle,
    /// Terraform.
    pub generator: GeneratorHandle,
    /// The front end, for changes no member asked for.
    pub notifier: Arc<dyn LobbyNotifier>,
    /// Stack templates.
    pub stacks: Arc<crate::domain::stacks::StackCatalog>,
    /// How long a lobby lives.
    pub lifetime: TimeDelta,
    /// The administrator flags members' commands carried, for approvals by someone else.
    pub members: Arc<Sightings>,
    /// Names this actor system's lobby actors in the process-wide actor registry, so two systems in
    /// one process (tests) never share a lobby's name, and one system never has two actors for a lobby.
    pub instance: Arc<str>,
}

impl LobbyDeps {
    /// Whether this process hosts the lobbies of `guild_id` (see [`LobbyNotifier::shards`]).
    pub fn hosts(&self, guild_id: i64) -> bool {
        self.notifier.shards().is_none_or(|shards| shards.serves(guild_id))
    }

    /// The registry name of a lobby's actor.
    pub(super) fn actor_name(&self, session_id: Uuid) -> String {
        format!("lobby:{}:{session_id}", self.instance)
    }
}

/// Typed access to the lobbies.
#[derive(Clone)]
pub struct LobbyHandle {
    slot: ActorSlot<LobbyMsg>,
    deps: LobbyDeps,
}

impl LobbyHandle {
    /// A handle over a slot the root supervisor fills.
    pub fn new(slot: ActorSlot<LobbyMsg>, deps: LobbyDeps) -> Self {
        Self { slot, deps }
    }

    /// What the LobbySupervisor is started with.
    pub fn deps(&self) -> LobbyDeps {
        self.deps.clone()
    }

    /// Remembers the administrator flag `member`'s command carried (see `members`).
    pub fn saw(&self, member: Invoker) {
        self.deps.members.saw(member);
    }

    /// Validates `ask` for `member`, reserves what it needs and opens its lobby.
    pub async fn open(&self, member: Invoker, ask: LobbyAsk) -> Result<Opened, ActorError> {
        open::open(&self.deps, self, member, ask).await
    }

    /// A button pressed by `clicker` on lobby `session_id`.
    pub async fn press(
        &self,
        session_id: Uuid,
        clicker: Invoker,
        action: LobbyAction,
    ) -> Result<PressOutcome, ActorError> {
        if let Some(actor) = self.slot.call(|reply| LobbyMsg::Lookup { session_id, reply }).await? {
            let call = actor.call(|reply| SessionMsg::Press { clicker, action, reply }, Some(PRESS_TIMEOUT)).await;
            match call {
                Ok(CallResult::Success(outcome)) => return outcome,
                Ok(CallResult::Timeout) => return Err(ActorError::Timeout("lobby")),
                // The lobby ended (or failed) between the lookup and the press: answer from the database.
                Ok(CallResult::SenderError) | Err(_) => {}
            }
        }
        let session = self.deps.validation.records.session(session_id).await?;
        if session.guild_id != clicker.guild_id {
            return Err(StoreError::not_found("session", session_id).into());
        }
        Ok(match session.status {
            SessionStatus::Pending => PressOutcome::Restarting,
            status => PressOutcome::AlreadyEnded { status, by: session.decided_by },
        })
    }

    /// The front end posted lobby `session_id` as message `message_id`: stored, and told to the lobby's
    /// actor, so a later expiry edits that message.
    pub async fn posted(&self, session_id: Uuid, message_id: i64) -> Result<(), ActorError> {
        self.deps.validation.records.set_session_message(session_id, message_id).await?;
        if let Some(actor) = self.slot.call(|reply| LobbyMsg::Lookup { session_id, reply }).await? {
            // A lobby that ended meanwhile has no message left to edit.
            let _ = actor.cast(SessionMsg::Posted { message_id });
        }
        Ok(())
    }

    /// Starts the actor of a lobby already stored.
    pub(super) async fn spawn(&self, lobby: super::model::Lobby) -> Result<(), ActorError> {
        self.slot.call(|reply| LobbyMsg::Spawn { lobby: Box::new(lobby), reply }).await
    }

    /// Starts an actor for every pending lobby in the database that has none; answers how many.
    pub async fn rehydrate(&self) -> Result<usize, ActorError> {
        self.slot.call_within(LobbyMsg::Rehydrate, Duration::from_secs(600)).await
    }

    /// Live lobbies.
    pub async fn count(&self) -> Result<usize, ActorError> {
        self.slot.call(LobbyMsg::Count).await
    }
}

/// Test hooks: look into and break lobbies on purpose.
#[cfg(feature = "test-hooks")]
impl LobbyHandle {
    /// The id of the live actor of a lobby, if it has one.
    pub async fn actor_id(&self, session_id: Uuid) -> Result<Option<ractor::ActorId>, ActorError> {
        let actor = self.slot.call(|reply| LobbyMsg::Lookup { session_id, reply }).await?;
        Ok(actor.map(|a| a.get_id()))
    }

    /// Makes a lobby's actor fail while this call waits; answers whether the caller saw the failure.
    pub async fn inject_failure(&self, session_id: Uuid) -> Result<bool, ActorError> {
        let Some(actor) = self.slot.call(|reply| LobbyMsg::Lookup { session_id, reply }).await? else {
            return Ok(false);
        };
        let call = actor.call(SessionMsg::InjectFailure, Some(Duration::from_secs(5))).await;
        Ok(!matches!(call, Ok(CallResult::Success(_))))
    }

    /// Makes the LobbySupervisor itself fail (its root restarts it).
    pub async fn inject_supervisor_failure(&self) -> Result<(), ActorError> {
        self.slot.call(LobbyMsg::InjectFailure).await
    }

    /// Names of this system's live lobby actors in the process-wide registry.
    pub fn registered_actors(&self) -> Vec<String> {
        let prefix = format!("lobby:{}:", self.deps.instance);
        ractor::registry::registered().into_iter().filter(|n| n.starts_with(&prefix)).collect()
    }
}
