//! `/cloud-deploy`: validate the request, reserve its quota and open a lobby.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use uuid::Uuid;

use super::args::Args;
use super::spec::{self, Choice, CommandSpec, OptionKind, OptionSpec, Shape};
use super::{CommandError, Invoker, Reply, Services};
use crate::actors::ActorError;
use crate::actors::lobby::{Lobby, StoredRequest, consumption, resource_names};
use crate::actors::quota::{Effect, QuotaOp};
use crate::domain::names::ResourceName;
use crate::domain::validate::{DeployRequest, MAX_COUNT, MAX_K8S_NODES, MIN_COUNT, Outcome};
use crate::domain::{Provider, ResourceKind, SessionStatus};
use crate::store::json::JsonText;
use crate::store::{self, history::HistoryEntry};

/// `/cloud-deploy project_id resource_type resource_name [machine_type] [region] [count] [node_count]
/// [access] [ingress]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Deploy {
    /// Project.
    pub project_id: String,
    /// Kind of resource.
    pub kind: ResourceKind,
    /// Name (the provider's naming rules apply).
    pub name: String,
    /// Machine type, database tier or node type.
    pub size: Option<String>,
    /// Region; the project's when absent.
    pub region: Option<String>,
    /// Identical resources.
    pub count: u32,
    /// Kubernetes nodes.
    pub node_count: Option<u32>,
    /// Security-relevant choices (`access`, `ingress`) that security policies match.
    pub options: BTreeMap<String, String>,
}

fn exposures() -> Vec<Choice> {
    vec![Choice { label: "private", value: "private" }, Choice { label: "public", value: "public" }]
}

impl Deploy {
    /// The command's name.
    pub const NAME: &'static str = "cloud-deploy";

    /// Its options.
    pub const SPEC: CommandSpec = CommandSpec {
        name: Self::NAME,
        description: "Open a deployment lobby: verdict, quota and cost, with Approve and Cancel",
        admin_only: false,
        shape: Shape::Options(&[
            super::PROJECT_ID,
            OptionSpec::of("resource_type", "Kind of resource", OptionKind::Choice(spec::resource_kinds)).required(),
            OptionSpec::text("resource_name", "Name of the resource (provider naming rules apply)").required(),
            OptionSpec::text("machine_type", "Machine type, database tier or node type").autocomplete(),
            OptionSpec::text("region", "Region (default: the project's)").autocomplete(),
            OptionSpec::of(
                "count",
                "How many identical resources",
                OptionKind::Integer { min: MIN_COUNT as i64, max: MAX_COUNT as i64 },
            ),
            OptionSpec::of("node_count", "Kubernetes nodes", OptionKind::Integer { min: 1, max: MAX_K8S_NODES as i64 }),
            OptionSpec::of("access", "Exposure", OptionKind::Choice(exposures)),
            OptionSpec::text("ingress", "Source addresses allowed in, comma-separated CIDRs (e.g. 10.0.0.0/8)"),
        ]),
    };

    pub(super) fn parse(o: &mut Args) -> Result<Deploy, CommandError> {
        let project_id = o.required("project_id")?;
        let kind =
            o.parse("resource_type")?.ok_or_else(|| CommandError("/cloud-deploy needs `resource_type`".into()))?;
        let mut options = BTreeMap::new();
        Ok(Deploy {
            project_id,
            kind,
            name: o.required("resource_name")?,
            size: o.text("machine_type")?,
            region: o.text("region")?,
            // The spec's ranges fit in u32.
            count: o.integer("count")?.map_or(1, |n| n as u32),
            node_count: o.integer("node_count")?.map(|n| n as u32),
            options: {
                if let Some(access) = o.choice("access")? {
                    options.insert("access".to_owned(), access.to_owned());
                }
                if let Some(ingress) = o.text("ingress")? {
                    options.insert("ingress".to_owned(), ingress);
                }
                options
            },
        })
    }
}

pub(super) async fn run(services: &Services, invoker: Invoker, deploy: Deploy) -> Result<Reply, ActorError> {
    let Deploy { project_id, kind, name, size, region, count, node_count, options } = deploy;
    let project = services.records.project(invoker.guild_id, &project_id).await?;
    let provider: Provider = project.provider.parse().map_err(|_| ActorError::Unavailable("project"))?;
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
