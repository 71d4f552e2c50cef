//! Approval, step by step: who may approve ([`Approver`]), re-validation on the project's current
//! state, the commit (reservation, resources, session status and audit in one QuotaActor
//! transaction), then the Terraform. Each step either hands the next its result or ends the press
//! with the answer to give.

use super::context::resource_names;
use super::outcome::{Deployment, PressOutcome, Written};
use super::session::SessionState;
use crate::actors::ActorError;
use crate::actors::quota::{QuotaOp, Write};
use crate::domain::validate::{Member, Outcome};
use crate::domain::{Invoker, Role, SessionStatus};
use crate::store::resources::NewResource;
use crate::store::{Conflict, StoreError};

/// A press's answer and whether the lobby ended with it.
pub(super) type Answer = (Result<PressOutcome, ActorError>, bool);

/// The answer when the lobby stays as it is.
pub(super) fn stays(outcome: Result<PressOutcome, ActorError>) -> Answer {
    (outcome, false)
}

/// A refusal; the lobby stays.
pub(super) fn refused(message: impl Into<String>) -> Answer {
    stays(Ok(PressOutcome::Refused(message.into())))
}

/// How the clicker stands towards this lobby.
#[derive(Debug, Clone, Copy)]
pub struct Approver {
    /// Is a CloudAdmin for the lobby's provider (by grant, or as a guild administrator without one).
    pub is_admin: bool,
    /// Is the member who opened the lobby.
    pub is_requester: bool,
}

impl Approver {
    /// Why this clicker may not approve a lobby whose verdict is `outcome`; `None` when they may.
    /// The one statement of who may approve: checked before and again after re-validation.
    pub fn refusal(self, outcome: Outcome) -> Option<&'static str> {
        match outcome {
            Outcome::Denied => {
                Some("this request was denied by policy and cannot be approved; cancel it or change the request")
            }
            Outcome::NeedsApproval if !self.is_admin => Some("this request needs approval by a CloudAdmin"),
            Outcome::NeedsApproval if self.is_requester => Some(
                "this request needs approval by a CloudAdmin other than the requester; you cannot approve your own",
            ),
            Outcome::Allowed if !self.is_requester && !self.is_admin => {
                Some("only the requester or a CloudAdmin may approve this lobby")
            }
            _ => None,
        }
    }
}

impl SessionState {
    /// Approves the lobby for `clicker`, or says why not.
    pub(super) async fn approve(&mut self, clicker: Invoker) -> Answer {
        let approver = match self.authorize(clicker).await {
            Ok(approver) => approver,
            Err(answer) => return answer,
        };
        let budgeted = match self.revalidate(clicker, approver).await {
            Ok(budgeted) => budgeted,
            Err(answer) => return answer,
        };
        let resources = match self.commit(clicker.user_id, budgeted).await {
            Ok(names) => names,
            Err(answer) => return answer,
        };
        crate::crash::point("after_commit");
        let terraform = self.write_terraform().await;
        crate::crash::point("before_reply");
        let deployment = Deployment {
            session_id: self.lobby.id,
            project_id: self.lobby.project_id.clone(),
            approved_by: clicker.user_id,
            resources,
            hourly: self.lobby.verdict.hourly,
            monthly: self.lobby.verdict.monthly,
            terraform,
        };
        (Ok(PressOutcome::Deployed(deployment)), true)
    }

    /// The clicker as a member of the lobby's guild, with their grant for its provider.
    pub(super) async fn member(&self, clicker: Invoker) -> Result<Member, ActorError> {
        if clicker.guild_id != self.lobby.guild_id {
            return Err(StoreError::not_found("session", self.lobby.id).into());
        }
        let provider = self.lobby.request().provider;
        let permissions = self.deps.validation.policy.permissions(clicker.user_id, clicker.guild_id, provider).await?;
        Ok(Member { user_id: clicker.user_id as u64, permissions, is_guild_admin: clicker.is_guild_admin })
    }

    /// Step 1: may this clicker approve the lobby as its verdict stands?
    async fn authorize(&self, clicker: Invoker) -> Result<Approver, Answer> {
        let member = self.member(clicker).await.map_err(|e| stays(Err(e)))?;
        let approver = Approver {
            is_admin: member.role() == Some(Role::CloudAdmin),
            is_requester: clicker.user_id == self.lobby.requester,
        };
        match approver.refusal(self.lobby.verdict.outcome) {
            Some(refusal) => Err(refused(refusal)),
            None => Ok(approver),
        }
    }

    /// Step 2: validate again on current facts (grants, policies and the requester's Discord
    /// permission as they are now, in the database and in Discord; budgets and prices), since any of
    /// them may have changed since the lobby opened, in any process. The lobby's own reservation is
    /// not counted against it. Answers whether the requester's grant sets a monthly budget (the
    /// commit then holds it in its transaction).
    async fn revalidate(&mut self, clicker: Invoker, approver: Approver) -> Result<bool, Answer> {
        let lobby = &self.lobby;
        let grant = self.deps.validation.policy.permissions(lobby.requester, lobby.guild_id, lobby.request().provider);
        let grant = grant.await.map_err(|e| stays(Err(e)))?;
        let budgeted = grant.as_ref().is_some_and(|g| g.budget_limit.is_some());
        // The Discord permission only matters to a requester without a grant (it makes them CloudAdmin).
        let requester_is_admin = if grant.is_some() { false } else { self.requester_is_admin_now(clicker).await? };
        let v = &self.deps.validation;
        let lobby = &self.lobby;
        let project = v.records.project(lobby.guild_id, &lobby.project_id).await.map_err(|e| stays(Err(e)))?;
        let fresh = v
            .verdict(&project, lobby.requester, requester_is_admin, lobby.request(), &lobby.reservation)
            .await
            .map_err(|e| stays(Err(e)))?;
        self.lobby.verdict = fresh;
        let summary = self.lobby.verdict.summary();
        match self.lobby.verdict.outcome {
            Outcome::Denied => {
                let reason = format!("denied on re-validation: {summary}");
                Err(self.end(SessionStatus::Failed, Some(clicker.user_id), reason).await)
            }
            outcome if approver.refusal(outcome).is_some() => Err(refused(format!(
                "this request now needs approval by a CloudAdmin other than the requester: {summary}"
            ))),
            _ => Ok(budgeted),
        }
    }

    /// Whether the requester holds Discord's Administrator permission now (see `members`); the flag
    /// saved at opening never decides.
    async fn requester_is_admin_now(&self, clicker: Invoker) -> Result<bool, Answer> {
        let lobby = &self.lobby;
        if clicker.user_id == lobby.requester {
            return Ok(clicker.is_guild_admin);
        }
        let told = self.deps.notifier.is_guild_admin_now(lobby.guild_id, lobby.requester).await;
        match told.or_else(|| self.deps.members.latest(lobby.guild_id, lobby.requester)) {
            Some(is_admin) => Ok(is_admin),
            None => Err(refused(
                "the requester has no cloud role and their Discord permissions cannot be confirmed right now; \
                 try again in a moment, or grant them a role",
            )),
        }
    }

    /// Step 3: commits the reservation and records everything the approval produces, in one
    /// transaction; answers the names of the resources recorded.
    async fn commit(&mut self, approver: i64, budgeted: bool) -> Result<Vec<String>, Answer> {
        let lobby = &self.lobby;
        let request = lobby.request();
        let names = resource_names(request);
        let by = Some(approver);
        let mut effects = vec![Write::EndSession { id: lobby.id, status: SessionStatus::Approved, by }];
        effects.extend(names.iter().map(|name| {
            Write::RecordResource(NewResource {
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
                hourly_cost: lobby.verdict.unit_hourly,
                created_by: lobby.requester,
                session_id: Some(lobby.id),
            })
        }));
        if budgeted {
            effects.push(Write::MemberBudget {
                user_id: lobby.requester,
                guild_id: lobby.guild_id,
                provider: request.provider,
                adds_hourly: lobby.verdict.hourly,
            });
        }
        effects.push(Write::Audit(lobby.audit(approver, "deploy", "success", None)));
        let committed =
            self.deps.quota.apply(&lobby.project_id, QuotaOp::Commit, lobby.reservation.clone(), effects).await;
        match committed {
            Ok(()) => {}
            // An earlier attempt of this very approval committed after its caller timed out: it is
            // done. Approved by anyone else (another process's actor of this lobby, say) is not.
            Err(ActorError::Store(e)) if e.ended_session() == Some((SessionStatus::Approved, by)) => {}
            Err(ActorError::Store(StoreError::Conflict(
                c @ (Conflict::Duplicate { .. } | Conflict::OverBudget { .. }),
            ))) => {
                return Err(self.end(SessionStatus::Failed, Some(approver), c.to_string()).await);
            }
            Err(ActorError::Store(e)) if e.ended_session().is_some() => {
                let (status, by) = e.ended_session().unwrap_or((SessionStatus::Failed, None));
                return Err((Ok(PressOutcome::AlreadyEnded { status, by }), true));
            }
            Err(e) => return Err(stays(Err(e))),
        }
        tracing::info!(approver, resources = ?names, "lobby approved");
        Ok(names)
    }

    /// Step 4: regenerates the project's Terraform from the database. A failure leaves the
    /// deployment recorded and says so: regenerating repairs it.
    async fn write_terraform(&self) -> Result<Written, String> {
        match self.deps.generator.generate(&self.lobby.project_id).await {
            Ok(g) => Ok(Written {
                dir: g.dir.file_name().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default(),
                files: g.files,
            }),
            Err(e) => {
                tracing::error!(error = %e, "Terraform generation failed after approval");
                Err(format!("resources recorded, but {e}; `cloud-chatops check --repair` regenerates it"))
            }
        }
    }
}
