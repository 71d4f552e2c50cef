//! Opening a lobby: resolve the request, refuse what cannot be rendered, validate, then one
//! QuotaActor transaction reserves the consumption and stores the session row and its audit entry;
//! finally the lobby's SessionActor starts and schedules its expiry.

use uuid::Uuid;

use super::context::{reservation, resource_names};
use super::handle::{LobbyDeps, LobbyHandle};
use super::model::{Lobby, StoredRequest};
use super::outcome::{LobbyAsk, Opened};
use crate::actors::ActorError;
use crate::actors::quota::{QuotaOp, Write};
use crate::domain::names::ResourceName;
use crate::domain::validate::{DeployRequest, Outcome};
use crate::domain::{Invoker, SessionStatus};
use crate::store::history::HistoryEntry;
use crate::store::{self, json::JsonText};

pub(super) async fn open(
    deps: &LobbyDeps,
    lobbies: &LobbyHandle,
    member: Invoker,
    ask: LobbyAsk,
) -> Result<Opened, ActorError> {
    let LobbyAsk::Deploy(ask) = ask;
    let project = deps.validation.records.project(member.guild_id, &ask.project_id).await?;
    let request = DeployRequest {
        provider: project.provider,
        kind: ask.kind,
        name: ask.name,
        region: ask.region.unwrap_or_else(|| project.default_region.clone()),
        size: ask.size,
        node_count: ask.node_count,
        count: ask.count,
        options: ask.options,
    };
    // Names that break the provider's rules are refused before anything is stored.
    for name in resource_names(&request) {
        if let Err(e) = ResourceName::parse(request.provider, request.kind, &name) {
            return Ok(Opened::Refused(e.to_string()));
        }
    }

    let verdict = deps.validation.verdict(&project, member.user_id, member.is_guild_admin, &request, &[]).await?;
    let reservation = reservation(&deps.validation.catalog, &project, &request, &verdict);
    let lobby = Lobby {
        id: Uuid::new_v4(),
        project_id: project.id.clone(),
        guild_id: member.guild_id,
        channel_id: member.channel_id,
        message_id: None,
        requester: member.user_id,
        stored: StoredRequest { request, requester_is_guild_admin: member.is_guild_admin },
        verdict,
        reservation,
        expires_at: store::now() + deps.lifetime,
    };

    // The reservation, the session row and the audit entry are one transaction.
    let session = lobby.new_session()?;
    let audit = opening_audit(&lobby, session.verdict.clone());
    let effects = vec![Write::OpenSession(session), Write::Audit(audit)];
    deps.quota.apply(&lobby.project_id, QuotaOp::Reserve, lobby.reservation.clone(), effects).await?;
    crate::crash::point("after_reserve");
    if let Err(e) = lobbies.spawn(lobby.clone()).await {
        // Without its actor the lobby could neither expire nor be pressed: give the quota back now.
        undo(deps, &lobby).await;
        return Err(e);
    }
    tracing::info!(session_id = %lobby.id, outcome = ?lobby.verdict.outcome, "lobby opened");
    Ok(Opened::Lobby(Box::new(lobby.snapshot(SessionStatus::Pending))))
}

/// Closes a lobby whose actor could not start: release, mark failed, audit — one transaction.
async fn undo(deps: &LobbyDeps, lobby: &Lobby) {
    let id = lobby.id;
    let failed = SessionStatus::Failed.as_str();
    let audit = lobby.audit(lobby.requester, failed, failed, Some("the lobby could not be started".into()));
    let effects = vec![Write::EndSession { id, status: SessionStatus::Failed, by: None }, Write::Audit(audit)];
    let undone = deps.quota.apply(&lobby.project_id, QuotaOp::Release, lobby.reservation.clone(), effects).await;
    if let Err(e) = undone {
        tracing::error!(session_id = %id, error = %e, "could not close a lobby whose actor failed to start");
    }
}

/// The audit entry of a lobby opening (`verdict`: the session row's): its outcome is the verdict's.
fn opening_audit(lobby: &Lobby, verdict: JsonText) -> HistoryEntry {
    let outcome = match lobby.verdict.outcome {
        Outcome::Denied => "denied",
        Outcome::NeedsApproval => "needs_approval",
        Outcome::Allowed => SessionStatus::Pending.as_str(),
    };
    lobby.audit_with(lobby.requester, "request", outcome, None, Some(verdict))
}
