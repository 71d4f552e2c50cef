//! Ending a lobby without deploying (cancel, expiry, a failed re-validation): one QuotaActor
//! transaction releases the reservation, sets the final status and appends the audit entry.

use super::approve::{Answer, refused, stays};
use super::outcome::{Closure, LobbyEvent, PressOutcome};
use super::session::SessionState;
use crate::actors::ActorError;
use crate::actors::notifier::LobbyTarget;
use crate::actors::quota::{QuotaOp, Write};
use crate::domain::{Invoker, Role, SessionStatus};
use crate::ops::metrics::{self, Ending};

impl SessionState {
    /// Cancels the lobby for `clicker`: the requester or a CloudAdmin.
    pub(super) async fn cancel(&mut self, clicker: Invoker) -> Answer {
        let is_admin = match self.member(clicker).await {
            Ok(m) => m.role() == Some(Role::CloudAdmin),
            Err(e) => return stays(Err(e)),
        };
        if clicker.user_id != self.lobby.requester && !is_admin {
            return refused("only the requester or a CloudAdmin may cancel this lobby");
        }
        self.end(SessionStatus::Cancelled, Some(clicker.user_id), "cancelled".into()).await
    }

    /// Expires the lobby and tells the front end; returns whether it ended (else the timer retries).
    pub(super) async fn expire(&mut self) -> bool {
        let (outcome, ended) = self.end(SessionStatus::Expired, None, "the lobby expired".into()).await;
        if let (true, Ok(PressOutcome::Closed(closure))) = (ended, outcome) {
            let target = LobbyTarget {
                guild_id: self.lobby.guild_id,
                channel_id: self.lobby.channel_id,
                message_id: self.lobby.message_id,
            };
            self.deps.notifier.lobby_updated(target, LobbyEvent::Expired(closure));
        }
        ended
    }

    /// Ends the lobby with `status`. `by` is the member who ended it (`None`: the deadline did;
    /// audited as the requester's lobby).
    pub(super) async fn end(&mut self, status: SessionStatus, by: Option<i64>, reason: String) -> Answer {
        let lobby = &self.lobby;
        let outcome = status.as_str();
        let error = (status == SessionStatus::Failed).then(|| reason.clone());
        let effects = vec![
            Write::EndSession { id: lobby.id, status, by },
            Write::Audit(lobby.audit(by.unwrap_or(lobby.requester), outcome, outcome, error)),
        ];
        let result =
            self.deps.quota.apply(&lobby.project_id, QuotaOp::Release, lobby.reservation.clone(), effects).await;
        match result {
            // Already in the status this call sets: an earlier attempt committed after its caller
            // timed out. The ending happened; report it as such (the front end may not know yet).
            Ok(()) => {}
            Err(ActorError::Store(e)) if e.ended_session() == Some((status, by)) => {}
            Err(ActorError::Store(e)) if e.ended_session().is_some() => {
                let (status, by) = e.ended_session().unwrap_or((status, None));
                return (Ok(PressOutcome::AlreadyEnded { status, by }), true);
            }
            Err(e) => {
                tracing::warn!(error = %e, status = outcome, "could not end the lobby");
                return stays(Err(e));
            }
        }
        tracing::info!(status = outcome, ?by, "lobby ended");
        match status {
            SessionStatus::Cancelled => metrics::lobby_ended(Ending::Cancelled),
            SessionStatus::Expired => metrics::lobby_ended(Ending::Expired),
            SessionStatus::Failed => metrics::lobby_ended(Ending::Failed),
            _ => {}
        }
        let closure = Closure { session_id: lobby.id, project_id: lobby.project_id.clone(), status, by, reason };
        (Ok(PressOutcome::Closed(closure)), true)
    }
}
