//! Approval, step by step: who may approve ([`Approver`]), re-validation on the project's current
//! state, the commit (reservation, resources, session status and audit in one QuotaActor
//! transaction), then the Terraform. Each step either hands the next its result or ends the press
//! with the answer to give.

use super::context::{plan_names, resize_delta, resource_names};
use super::outcome::{Deployment, PressOutcome, Written};
use super::session::SessionState;
use crate::actors::ActorError;
use crate::actors::quota::{Move, QuotaOp, Write};
use crate::domain::plan::Plan;
use crate::domain::validate::DeployRequest;
use crate::domain::validate::{Member, Outcome};
use crate::domain::{Invoker, Role, SessionStatus};
use crate::domain::{Money, QuotaType};
use crate::ops::metrics;
use crate::store::quotas::QuotaAmount;
use crate::store::resources::{Change, NewResource};
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
        let pressed = std::time::Instant::now();
        let approver = match self.authorize(clicker).await {
            Ok(approver) => approver,
            Err(answer) => return answer,
        };
        let budgeted = match self.revalidate(clicker, approver).await {
            Ok(budgeted) => budgeted,
            Err(answer) => return answer,
        };
        if let Err(answer) = self.writable().await {
            return answer;
        }
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
            change: approved_change(self.lobby.plan(), self.lobby.verdict.size_name.as_deref()),
        };
        metrics::lobby_approved(self.lobby.plan().kind().as_str(), pressed.elapsed());
        (Ok(PressOutcome::Deployed(deployment)), true)
    }

    /// The clicker as a member of the lobby's guild, with their grant for its provider.
    pub(super) async fn member(&self, clicker: Invoker) -> Result<Member, ActorError> {
        if clicker.guild_id != self.lobby.guild_id {
            return Err(StoreError::not_found("session", self.lobby.id).into());
        }
        let provider = self.lobby.provider;
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
        let grant = self.deps.validation.policy.permissions(lobby.requester, lobby.guild_id, lobby.provider);
        let grant = grant.await.map_err(|e| stays(Err(e)))?;
        let budgeted = grant.as_ref().is_some_and(|g| g.budget_limit.is_some());
        // The Discord permission only matters to a requester without a grant (it makes them CloudAdmin).
        let requester_is_admin = if grant.is_some() { false } else { self.requester_is_admin_now(clicker).await? };
        let v = &self.deps.validation;
        let lobby = &self.lobby;
        let project = v.records.project(lobby.guild_id, &lobby.project_id).await.map_err(|e| stays(Err(e)))?;
        let fresh = v
            .verdict(&project, lobby.requester, requester_is_admin, lobby.plan(), &lobby.reservation)
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

    /// Step 2b: the project with this plan applied, rendered in memory with the installation's
    /// settings and checked against its directory, before anything is committed: an approval whose
    /// Terraform cannot be written is refused with the reason and consumes nothing. The lobby stays
    /// open, so a press after the cause is fixed (a team file moved away) approves it.
    async fn writable(&self) -> Result<(), Answer> {
        let lobby = &self.lobby;
        let catalog = self.deps.validation.catalog.clone();
        let checked =
            self.deps.generator.check(&lobby.project_id, lobby.plan().clone(), lobby.verdict.clone(), catalog).await;
        let Err(e) = checked else { return Ok(()) };
        // Approved meanwhile by another process's actor of this lobby: its plan is in the project
        // already, which is why it no longer renders beside it. That is what the member hears.
        if let Ok(row) = self.deps.validation.records.session(lobby.id).await
            && row.status != SessionStatus::Pending
        {
            return Err((Ok(PressOutcome::AlreadyEnded { status: row.status, by: row.decided_by }), true));
        }
        tracing::warn!(error = %e, "approval refused: its Terraform cannot be written");
        Err(refused(format!("the Terraform of this approval cannot be written, so nothing was approved: {e}")))
    }

    /// Step 3: commits the change and records everything the approval produces, in one
    /// transaction; answers the names of the resources created or changed.
    async fn commit(&mut self, approver: i64, budgeted: bool) -> Result<Vec<String>, Answer> {
        let lobby = &self.lobby;
        let by = Some(approver);
        let mut writes = vec![Write::EndSession { id: lobby.id, status: SessionStatus::Approved, by }];
        let (changes, moves) = self.changes();
        writes.extend(changes);
        // What the approval adds to the requester's spend is held against their budget by the database.
        let adds = Money::from_micros(
            lobby.verdict.hourly.micros() - lobby.verdict.hourly_before.unwrap_or_default().micros(),
        );
        if budgeted && adds > Money::ZERO {
            writes.push(Write::MemberBudget {
                user_id: lobby.requester,
                guild_id: lobby.guild_id,
                provider: lobby.provider,
                adds_hourly: adds,
            });
        }
        writes.push(Write::Audit(lobby.audit(approver, lobby.plan().kind().as_str(), "success", None)));
        let committed = self.deps.quota.apply_moves(&lobby.project_id, moves, writes).await;
        match committed {
            Ok(()) => {}
            // An earlier attempt of this very approval committed after its caller timed out: it is
            // done. Approved by anyone else (another process's actor of this lobby, say) is not.
            Err(ActorError::Store(e)) if e.ended_session() == Some((SessionStatus::Approved, by)) => {}
            Err(ActorError::Store(StoreError::Conflict(
                c @ (Conflict::Duplicate { .. }
                | Conflict::OverBudget { .. }
                | Conflict::InvalidState { entity: "resource", .. }),
            ))) => {
                return Err(self.end(SessionStatus::Failed, Some(approver), c.to_string()).await);
            }
            Err(ActorError::Store(e)) if e.ended_session().is_some() => {
                let (status, by) = e.ended_session().unwrap_or((SessionStatus::Failed, None));
                return Err((Ok(PressOutcome::AlreadyEnded { status, by }), true));
            }
            Err(e) => return Err(stays(Err(e))),
        }
        let names = plan_names(self.lobby.plan());
        tracing::info!(approver, resources = ?names, "lobby approved");
        Ok(names)
    }

    /// What the plan writes beside the session's end, and what it does to the quotas.
    fn changes(&self) -> (Vec<Write>, Vec<Move>) {
        let lobby = &self.lobby;
        let committed = lobby.reservation.iter().map(|line| (QuotaOp::Commit, line.clone()));
        let record = |request: &DeployRequest, name: String| {
            let config = crate::store::spec::resource_config(request);
            Write::RecordResource(NewResource {
                project_id: lobby.project_id.clone(),
                provider: lobby.provider,
                kind: request.kind,
                name,
                region: request.region.clone(),
                config,
                hourly_cost: Money::ZERO,
                created_by: lobby.requester,
                session_id: Some(lobby.id),
            })
        };
        match lobby.plan() {
            Plan::Deploy(request) => {
                let sized = resolved(&self.deps.validation.catalog, request, lobby.verdict.size_name.clone());
                let writes = resource_names(request)
                    .into_iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let mut write = record(&sized, name);
                        if let Write::RecordResource(r) = &mut write {
                            // The first carries the NAT gateway the request brings (what the lobby charged).
                            let egress = if i == 0 { request.egress_hourly } else { Money::ZERO };
                            r.hourly_cost = lobby.verdict.unit_hourly.checked_add(egress).unwrap_or(Money::ZERO);
                        }
                        write
                    })
                    .collect();
                (writes, committed.collect())
            }
            Plan::Stack(stack) => {
                let writes = stack
                    .items
                    .iter()
                    .zip(&lobby.verdict.items)
                    .map(|(item, priced)| {
                        let sized = resolved(&self.deps.validation.catalog, item, priced.size.clone());
                        let mut write = record(&sized, item.name.clone());
                        if let Write::RecordResource(r) = &mut write {
                            r.hourly_cost = priced.hourly;
                        }
                        write
                    })
                    .collect();
                (writes, committed.collect())
            }
            Plan::Destroy(target) => {
                let change =
                    if target.protected && !target.decommissioning { Change::Decommission } else { Change::Remove };
                let write = Write::ChangeResource {
                    project_id: lobby.project_id.clone(),
                    id: target.id,
                    decommissioning: target.decommissioning,
                    hourly_cost: target.hourly,
                    change,
                };
                // A decommissioned resource gave its quota back with the first destroy.
                let freed = if target.decommissioning {
                    Vec::new()
                } else {
                    target
                        .consumption
                        .iter()
                        .map(|(t, n)| (QuotaOp::Free, QuotaAmount::new(*t, target.region.clone(), *n)))
                        .collect()
                };
                (vec![write], freed)
            }
            Plan::Resize(resize) => {
                let target = &resize.target;
                let mut set = serde_json::Map::new();
                set.insert("size".into(), serde_json::json!(lobby.verdict.size_name));
                set.insert("node_count".into(), serde_json::json!(resize.as_request(lobby.provider).node_count));
                let write = Write::ChangeResource {
                    project_id: lobby.project_id.clone(),
                    id: target.id,
                    decommissioning: false,
                    hourly_cost: target.hourly,
                    change: Change::Resize { set, hourly_cost: lobby.verdict.hourly },
                };
                // What grows was reserved when the lobby opened; what shrinks is freed now.
                let mut moves: Vec<Move> = committed.collect();
                let shrinks = resize_delta(&self.deps.validation.catalog, lobby.provider, resize)
                    .into_iter()
                    .filter(|l| l.amount < 0)
                    .map(|l| (QuotaOp::Free, QuotaAmount::new(l.quota_type, l.region, -l.amount)));
                moves.extend(shrinks);
                let monthly_before = target.hourly.monthly_from_hourly().micros();
                let saved = monthly_before - lobby.verdict.monthly.micros();
                if saved > 0 && target.consumption.iter().any(|(t, _)| *t == QuotaType::BudgetMonthly) {
                    moves.push((
                        QuotaOp::Free,
                        QuotaAmount::new(QuotaType::BudgetMonthly, target.region.clone(), saved),
                    ));
                }
                (vec![write], moves)
            }
        }
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

/// The request as the lobby priced it: the size it quoted and the node count the catalogue resolved
/// (recorded, so a later change of the catalogue's defaults never resizes what was approved).
fn resolved(catalog: &crate::domain::Catalog, request: &DeployRequest, priced: Option<String>) -> DeployRequest {
    let size = priced.or_else(|| request.size.clone());
    let node_count = catalog.resolve(request.provider, request.kind, size.as_deref(), request.node_count).node_count;
    DeployRequest { size, node_count, ..request.clone() }
}

/// What approving `plan` changes, for the reply; `size_name` is the size the verdict resolved.
fn approved_change(plan: &Plan, size_name: Option<&str>) -> super::outcome::Approved {
    use super::outcome::Approved;
    match plan {
        Plan::Deploy(_) => Approved::Deployed,
        Plan::Stack(stack) => Approved::Stack { name: stack.name.clone(), template: stack.template.clone() },
        Plan::Destroy(target) if target.protected && !target.decommissioning => {
            Approved::Decommissioned { hourly_before: target.hourly }
        }
        // A decommissioned resource's cost was freed by the first step.
        Plan::Destroy(target) => {
            Approved::Destroyed { hourly_before: if target.decommissioning { Money::ZERO } else { target.hourly } }
        }
        Plan::Resize(resize) => {
            use crate::domain::plan::sized;
            let t = &resize.target;
            let to_size = size_name.or(resize.size.as_deref()).or(t.size.as_deref());
            Approved::Resized {
                from: sized(t.size.as_deref(), t.node_count),
                to: sized(to_size, resize.node_count.or(t.node_count)),
                hourly_before: t.hourly,
            }
        }
    }
}
