//! `/cloud-deploy`: validate the request, reserve its quota and open a lobby.

use chrono::TimeDelta;
use uuid::Uuid;

use super::{Command, Invoker, Reply, Services};
use crate::actors::ActorError;
use crate::actors::lobby::{Lobby, StoredRequest, consumption, resource_names};
use crate::actors::quota::{Effect, QuotaOp};
use crate::domain::SessionStatus;
use crate::domain::names::ResourceName;
use crate::domain::validate::{DeployRequest, Outcome};
use crate::store::json::JsonText;
use crate::store::{self, history::HistoryEntry};

pub(super) async fn run(services: &Services, invoker: Invoker, command: Command) -> Result<Reply, ActorError> {
    let Command::Deploy { project_id, kind, name, size, region, count, node_count, options } = command else {
        return Ok(Reply::error("not a deploy command"));
    };
    let project = services.records.project(invoker.guild_id, &project_id).await?;
    let provider = project.provider;
    let request = DeployRequest {
        provider,
        kind,
        name,
        region: region.unwrap_or_else(|| project.default_region.clone()),
        size,
        node_count,
        count,
        options,
    };
    // Names that break the provider's rules are refused before anything is stored.
    for name in resource_names(&request) {
        if let Err(e) = ResourceName::parse(provider, kind, &name) {
            return Ok(Reply::error(e.to_string()));
        }
    }

    let verdict =
        services.validation().verdict(&project, invoker.user_id, invoker.is_guild_admin, &request, &[]).await?;
    let reservation =
        if verdict.outcome == Outcome::Denied { Vec::new() } else { consumption(&services.catalog, &request) };
    let timeout = TimeDelta::seconds(services.settings.lobby.timeout_secs as i64);
    let lobby = Lobby {
        id: Uuid::new_v4(),
        project_id: project.id.clone(),
        guild_id: invoker.guild_id,
        channel_id: invoker.channel_id,
        message_id: None,
        requester: invoker.user_id,
        stored: StoredRequest { request, requester_is_guild_admin: invoker.is_guild_admin },
        verdict,
        reservation,
        expires_at: store::now() + timeout,
    };

    // The reservation, the session row and the audit entry are one transaction.
    let session = lobby.new_session()?;
    let audit = open_history(&lobby, session.verdict.clone());
    let effects = vec![Effect::OpenSession(session), Effect::Audit(audit)];
    services.quota.apply(&lobby.project_id, QuotaOp::Reserve, lobby.reservation.clone(), effects).await?;
    crate::crash::point("after_reserve");
    if let Err(e) = services.lobbies.spawn(lobby.clone()).await {
        // Without its actor the lobby could neither expire nor be pressed: give the quota back now.
        undo_open(services, &lobby).await;
        return Err(e);
    }
    tracing::info!(session_id = %lobby.id, outcome = ?lobby.verdict.outcome, "lobby opened");
    Ok(Reply::Lobby(lobby.view(SessionStatus::Pending)))
}

/// Closes a lobby whose actor could not start: release, mark failed, audit — one transaction.
async fn undo_open(services: &Services, lobby: &Lobby) {
    let id = lobby.id;
    let audit = lobby.audit(lobby.requester, "failed", "failed", Some("the lobby could not be started".into()));
    let effects = vec![Effect::EndSession { id, status: SessionStatus::Failed }, Effect::Audit(audit)];
    let undone = services.quota.apply(&lobby.project_id, QuotaOp::Release, lobby.reservation.clone(), effects).await;
    if let Err(e) = undone {
        tracing::error!(session_id = %id, error = %e, "could not close a lobby whose actor failed to start");
    }
}
/// The audit entry of a lobby opening (`verdict`: the session row's): its outcome is the verdict's.
fn open_history(lobby: &Lobby, verdict: JsonText) -> HistoryEntry {
    let outcome = match lobby.verdict.outcome {
        Outcome::Denied => "denied",
        Outcome::NeedsApproval => "needs_approval",
        Outcome::Allowed => "pending",
    };
    lobby.audit_with(lobby.requester, "request", outcome, None, Some(verdict))
}
