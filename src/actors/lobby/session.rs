//! The SessionActor: one per open lobby. It owns the lobby's deadline (a `send_after` timer it
//! schedules when it starts), answers the lobby's buttons, and stops itself when the lobby ends.
//! Every ending is one transaction through the QuotaActor: the quota change (commit or release),
//! the session's final status and the audit entry succeed or fail together.

use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::context::{ValidationDeps, resource_names};
use super::model::Lobby;
use super::probe;
use crate::actors::ActorError;
use crate::actors::generator::GeneratorHandle;
use crate::actors::notifier::{LobbyNotifier, LobbyTarget};
use crate::actors::quota::{Effect, QuotaHandle, QuotaOp};
use crate::commands::{DeployedView, Reply, user_error};
use crate::domain::validate::{Actor as Member, Outcome};
use crate::domain::{Invoker, LobbyAction};
use crate::domain::{Role, SessionStatus};
use crate::store::resources::NewResource;
use crate::store::{self, Conflict, StoreError};

/// How long an expiry that could not be written waits before trying again.
const EXPIRY_RETRY: Duration = Duration::from_secs(5);

/// What every lobby needs.
#[derive(Clone)]
pub struct LobbyDeps {
    /// Validation inputs.
    pub validation: ValidationDeps,
    /// Quota changes (a lobby's ending).
    pub quota: QuotaHandle,
    /// Terraform.
    pub generator: GeneratorHandle,
    /// The front end, for changes no member asked for.
    pub notifier: Arc<dyn LobbyNotifier>,
}

/// Messages of a SessionActor.
pub enum SessionMsg {
    /// A member pressed a button.
    Press { clicker: Invoker, action: LobbyAction, reply: RpcReplyPort<Reply> },
    /// The deadline passed.
    Expire,
    /// The lobby's current state.
    View(RpcReplyPort<Reply>),
    /// Test hook: fail the actor while a caller waits.
    InjectFailure(RpcReplyPort<Reply>),
}

/// The SessionActor.
pub struct SessionActor;

/// Its state.
pub struct SessionState {
    lobby: Lobby,
    deps: LobbyDeps,
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
            probe::expiry_fired(state.lobby.id, state.lobby.expires_at);
            if state.expire().await {
                myself.stop(None);
            } else {
                state.timer = Some(myself.send_after(EXPIRY_RETRY, || SessionMsg::Expire));
            }
        }
        SessionMsg::View(reply) => {
            let _ = reply.send(Reply::Lobby(state.lobby.view(SessionStatus::Pending)));
        }
        SessionMsg::InjectFailure(_reply) => return Err("injected failure".into()),
    }
    Ok(())
}

impl SessionState {
    async fn member(&self, clicker: Invoker) -> Result<Member, ActorError> {
        let provider = self.lobby.request().provider;
        let permissions = self.deps.validation.policy.permissions(clicker.user_id, clicker.guild_id, provider).await?;
        Ok(Member { user_id: clicker.user_id as u64, permissions, is_guild_admin: clicker.is_guild_admin })
    }

    /// Returns the reply and whether the lobby ended.
    async fn approve(&mut self, clicker: Invoker) -> (Reply, bool) {
        if clicker.guild_id != self.lobby.guild_id {
            return (Reply::error(format!("session `{}` was not found", self.lobby.id)), false);
        }
        let member = match self.member(clicker).await {
            Ok(m) => m,
            Err(e) => return (user_error(&e), false),
        };
        let is_admin = member.role() == Some(Role::CloudAdmin);
        let own = clicker.user_id == self.lobby.requester;
        if let Some(refusal) = authorize_approval(self.lobby.verdict.outcome, is_admin, own) {
            return (Reply::refused(refusal), false);
        }

        // Re-validate now: policies, permissions, budgets or prices may have changed since the lobby opened.
        let v = &self.deps.validation;
        let project = match v.records.project(self.lobby.guild_id, &self.lobby.project_id).await {
            Ok(p) => p,
            Err(e) => return (user_error(&e), false),
        };
        let fresh = match v
            .verdict(
                &project,
                self.lobby.requester,
                self.lobby.stored.requester_is_guild_admin,
                self.lobby.request(),
                &self.lobby.reservation,
            )
            .await
        {
            Ok(verdict) => verdict,
            Err(e) => return (user_error(&e), false),
        };
        self.lobby.verdict = fresh;
        match self.lobby.verdict.outcome {
            Outcome::Denied => {
                let reason = format!("denied on re-validation: {}", self.lobby.verdict.summary());
                return self.end(SessionStatus::Failed, Some(clicker.user_id), reason).await;
            }
            Outcome::NeedsApproval if !is_admin || own => {
                return (
                    Reply::refused(format!(
                        "this request now needs approval by a CloudAdmin other than the requester: {}",
                        self.lobby.verdict.summary()
                    )),
                    false,
                );
            }
            _ => {}
        }

        match self.commit(clicker.user_id).await {
            Ok(resources) => {
                crate::crash::point("after_commit");
                let (terraform_dir, files, warning) = match self.deps.generator.generate(&self.lobby.project_id).await {
                    Ok(g) => (g.dir.file_name().map(|d| d.to_string_lossy().into_owned()), g.files, None),
                    Err(e) => {
                        tracing::error!(error = %e, "Terraform generation failed after approval");
                        (
                            None,
                            Vec::new(),
                            Some(format!("resources recorded, but {e}; `cloud-chatops check --repair` regenerates it")),
                        )
                    }
                };
                // The history entry rides in the commit's transaction: this is the last step.
                crate::crash::point("after_history");
                let reply = Reply::Deployed(DeployedView {
                    session_id: self.lobby.id,
                    project_id: self.lobby.project_id.clone(),
                    approved_by: clicker.user_id,
                    resources,
                    hourly: self.lobby.verdict.hourly,
                    monthly: self.lobby.verdict.monthly,
                    terraform_dir,
                    files,
                    warning,
                });
                (reply, true)
            }
            Err(ActorError::Store(StoreError::Conflict(c @ Conflict::Duplicate { .. }))) => {
                self.end(SessionStatus::Failed, Some(clicker.user_id), c.to_string()).await
            }
            Err(ActorError::Store(StoreError::Conflict(Conflict::InvalidState { state, .. }))) => {
                (Reply::refused(format!("this lobby was already {state}")), true)
            }
            Err(e) => (user_error(&e), false),
        }
    }

    /// Commits the reservation and records everything the approval produces, in one transaction.
    async fn commit(&self, approver: i64) -> Result<Vec<String>, ActorError> {
        let lobby = self.lobby.clone();
        let request = lobby.request().clone();
        let names = resource_names(&request);
        let unit_hourly = lobby.verdict.unit_hourly;
        let mut effects = vec![Effect::EndSession { id: lobby.id, status: SessionStatus::Approved }];
        effects.extend(names.iter().map(|name| {
            Effect::RecordResource(NewResource {
                project_id: lobby.project_id.clone(),
                provider: request.provider,
                kind: request.kind,
                name: name.clone(),
                region: request.region.clone(),
                config: serde_json::json!({
                    "size": lobby.verdict.size_name,
                    "node_count": request.node_count,
                    "options": request.options,
                }),
                hourly_cost: unit_hourly,
                created_by: lobby.requester,
                session_id: Some(lobby.id),
            })
        }));
        effects.push(Effect::Audit(lobby.audit(approver, "deploy", "success", None)));
        let committed = self
            .deps
            .quota
            .apply(&self.lobby.project_id, QuotaOp::Commit, self.lobby.reservation.clone(), effects)
            .await;
        match committed {
            // An earlier attempt of this approval committed after its caller timed out: it is done.
            Err(ActorError::Store(StoreError::Conflict(Conflict::InvalidState { state, .. })))
                if state == SessionStatus::Approved.as_str() => {}
            other => other?,
        }
        tracing::info!(approver, resources = ?names, "lobby approved");
        Ok(names)
    }

    async fn cancel(&mut self, clicker: Invoker) -> (Reply, bool) {
        if clicker.guild_id != self.lobby.guild_id {
            return (Reply::error(format!("session `{}` was not found", self.lobby.id)), false);
        }
        let is_admin = match self.member(clicker).await {
            Ok(m) => m.role() == Some(Role::CloudAdmin),
            Err(e) => return (user_error(&e), false),
        };
        if clicker.user_id != self.lobby.requester && !is_admin {
            return (Reply::refused("only the requester or a CloudAdmin may cancel this lobby"), false);
        }
        self.end(SessionStatus::Cancelled, Some(clicker.user_id), "cancelled".into()).await
    }

    /// Releases the reservation and closes the lobby with `status`; returns whether it expired.
    async fn expire(&mut self) -> bool {
        let (reply, ended) = self.end(SessionStatus::Expired, None, "the lobby expired".into()).await;
        if ended && matches!(reply, Reply::LobbyClosed { .. }) {
            let target = LobbyTarget {
                guild_id: self.lobby.guild_id,
                channel_id: self.lobby.channel_id,
                message_id: self.lobby.message_id,
            };
            self.deps.notifier.lobby_updated(target, reply);
        }
        ended
    }

    /// Ends the lobby without deploying: release, final status and audit in one transaction.
    /// `by` is the member who ended it (`None`: the deadline did; audited as the requester's lobby).
    async fn end(&mut self, status: SessionStatus, by: Option<i64>, reason: String) -> (Reply, bool) {
        let lobby = self.lobby.clone();
        let audited_by = by.unwrap_or(lobby.requester);
        let outcome = status.as_str();
        let error = (status == SessionStatus::Failed).then(|| reason.clone());
        let effects = vec![
            Effect::EndSession { id: lobby.id, status },
            Effect::Audit(lobby.audit(audited_by, outcome, outcome, error)),
        ];
        let result = self
            .deps
            .quota
            .apply(&self.lobby.project_id, QuotaOp::Release, self.lobby.reservation.clone(), effects)
            .await;
        // Already in the status this call sets: an earlier attempt committed after its caller timed
        // out. The ending happened; report it as such (the front end may not have been told yet).
        let result = match result {
            Err(ActorError::Store(StoreError::Conflict(Conflict::InvalidState { state, .. })))
                if state == status.as_str() =>
            {
                Ok(())
            }
            other => other,
        };
        match result {
            Ok(()) => {
                tracing::info!(status = outcome, ?by, "lobby ended");
                let reply = Reply::LobbyClosed {
                    session_id: self.lobby.id,
                    project_id: self.lobby.project_id.clone(),
                    status,
                    by,
                    reason,
                };
                (reply, true)
            }
            Err(ActorError::Store(StoreError::Conflict(Conflict::InvalidState { state, .. }))) => {
                (Reply::refused(format!("this lobby was already {state}")), true)
            }
            Err(e) => {
                tracing::warn!(error = %e, status = outcome, "could not end the lobby");
                (user_error(&e), false)
            }
        }
    }
}

/// Who may approve, before re-validation: `None` when allowed, else the refusal to show.
pub fn authorize_approval(
    outcome: Outcome,
    clicker_is_admin: bool,
    clicker_is_requester: bool,
) -> Option<&'static str> {
    match outcome {
        Outcome::Denied => {
            Some("this request was denied by policy and cannot be approved; cancel it or change the request")
        }
        Outcome::NeedsApproval if !clicker_is_admin => Some("this request needs approval by a CloudAdmin"),
        Outcome::NeedsApproval if clicker_is_requester => {
            Some("this request needs approval by a CloudAdmin other than the requester; you cannot approve your own")
        }
        Outcome::Allowed if !clicker_is_requester && !clicker_is_admin => {
            Some("only the requester or a CloudAdmin may approve this lobby")
        }
        _ => None,
    }
}
