//! The SessionActor: one per open lobby. It owns the lobby's deadline (a `send_after` timer it
//! schedules when it starts), answers the lobby's buttons, and stops itself when the lobby ends.
//! The steps themselves live beside it: [`super::approve`] and [`super::end`].

use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::handle::LobbyDeps;
use super::model::Lobby;
use super::outcome::PressOutcome;
use crate::actors::ActorError;
use crate::domain::{Invoker, LobbyAction};
use crate::store;

/// How long an expiry that could not be written waits before trying again.
const EXPIRY_RETRY: Duration = Duration::from_secs(5);

/// Messages of a SessionActor; only the lobby module builds them.
pub enum SessionMsg {
    /// A member pressed a button.
    Press { clicker: Invoker, action: LobbyAction, reply: RpcReplyPort<Result<PressOutcome, ActorError>> },
    /// The deadline passed.
    Expire,
    /// The front end posted the lobby's message (its id is stored already).
    Posted { message_id: i64 },
    /// Test hook: fail the actor while a caller waits.
    #[cfg(feature = "test-hooks")]
    InjectFailure(RpcReplyPort<()>),
}

/// The SessionActor.
pub struct SessionActor;

/// Its state: the lobby, what it needs, and its timer.
pub struct SessionState {
    pub(super) lobby: Lobby,
    pub(super) deps: LobbyDeps,
    timer: Option<JoinHandle<Result<(), ractor::MessagingErr<SessionMsg>>>>,
}

impl Actor for SessionActor {
    type Msg = SessionMsg;
    type State = SessionState;
    type Arguments = (Lobby, LobbyDeps);

    async fn pre_start(
        &self,
        myself: ActorRef<SessionMsg>,
        (lobby, deps): (Lobby, LobbyDeps),
    ) -> Result<SessionState, ActorProcessingErr> {
        // A deadline that passed while the process was down expires at once.
        let remaining = (lobby.expires_at - store::now()).to_std().unwrap_or(Duration::ZERO);
        let timer = Some(myself.send_after(remaining, || SessionMsg::Expire));
        Ok(SessionState { lobby, deps, timer })
    }

    async fn post_stop(&self, _: ActorRef<SessionMsg>, state: &mut SessionState) -> Result<(), ActorProcessingErr> {
        if let Some(timer) = state.timer.take() {
            timer.abort();
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<SessionMsg>,
        msg: SessionMsg,
        state: &mut SessionState,
    ) -> Result<(), ActorProcessingErr> {
        let span = tracing::info_span!("lobby", session_id = %state.lobby.id, guild_id = state.lobby.guild_id);
        // Boxed: the actor's task keeps its largest await state inline for its whole life, and the
        // approval path (validation, commit, generation) is large while an idle lobby, nearly every
        // lobby, never needs it: boxing took 3.6 KiB off each live lobby (BENCHMARKS.md). Instrumented
        // rather than entered, so the span is not left entered on the thread while the handler awaits.
        Box::pin(handle(myself, msg, state).instrument(span)).await
    }
}

async fn handle(
    myself: ActorRef<SessionMsg>,
    msg: SessionMsg,
    state: &mut SessionState,
) -> Result<(), ActorProcessingErr> {
    match msg {
        SessionMsg::Press { clicker, action, reply } => {
            let (answer, ended) = match action {
                LobbyAction::Approve => state.approve(clicker).await,
                LobbyAction::Cancel => state.cancel(clicker).await,
            };
            let _ = reply.send(answer);
            if ended {
                myself.stop(None);
            }
        }
        SessionMsg::Expire => {
            state.deps.notifier.expiry_timer_fired(state.lobby.id, state.lobby.expires_at);
            if state.expire().await {
                myself.stop(None);
            } else {
                state.timer = Some(myself.send_after(EXPIRY_RETRY, || SessionMsg::Expire));
            }
        }
        SessionMsg::Posted { message_id } => state.lobby.message_id = Some(message_id),
        #[cfg(feature = "test-hooks")]
        SessionMsg::InjectFailure(_reply) => return Err("injected failure".into()),
    }
    Ok(())
}
