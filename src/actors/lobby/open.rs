//! Opening a lobby: resolve what is asked into a [`Plan`] (refusing what cannot become one),
//! validate it, then one QuotaActor transaction reserves what it needs and stores the session row
//! and its audit entry; finally the lobby's SessionActor starts and schedules its expiry.

use entities::{cloud_projects, cloud_resources};
use uuid::Uuid;

use super::context::{reservation, resource_names};
use super::handle::{LobbyDeps, LobbyHandle};
use super::model::{Lobby, StoredRequest};
use super::outcome::{DeployAsk, LobbyAsk, Opened, StackAsk, TargetAsk};
use crate::actors::ActorError;
use crate::actors::quota::{QuotaOp, Write};
use crate::domain::Provider;
use crate::domain::plan::{Plan, Resize, Stack, Target};
use crate::domain::stacks::StackChoices;
use crate::domain::validate::{DeployRequest, Effect, Outcome, consumption_of};
use crate::domain::{Invoker, Money, ResourceKind, SessionStatus};
use crate::ops::metrics;
use crate::store::history::HistoryEntry;
use crate::store::{self, Conflict, StoreError, json::JsonText};
use crate::terraform::{address_of, check_options};

pub(super) async fn open(
    deps: &LobbyDeps,
    lobbies: &LobbyHandle,
    member: Invoker,
    ask: LobbyAsk,
) -> Result<Opened, ActorError> {
    let project_id = match &ask {
        LobbyAsk::Deploy(d) => d.project_id.clone(),
        LobbyAsk::Destroy(t) | LobbyAsk::Resize { target: t, .. } => t.project_id.clone(),
        LobbyAsk::Stack(s) => s.project_id.clone(),
    };
    let project = deps.validation.records.project(member.guild_id, &project_id).await?;
    let mut plan = match resolve(deps, &project, ask).await? {
        Ok(plan) => plan,
        Err(refusal) => return Ok(Opened::Refused(refusal)),
    };
    // What the generator could not write, or a name already taken, is refused before anything
    // is reserved or stored; the NAT gateways new machines bring are priced with them.
    if matches!(plan, Plan::Deploy(_) | Plan::Stack(_)) {
        let written = deps.validation.records.written_resources(&project.id, None).await?;
        if let Err(refusal) = renderable(&plan, &project.id, &written) {
            return Ok(Opened::Refused(refusal));
        }
        if let Plan::Stack(stack) = &plan
            && let Err(refusal) = stack_renders(&deps.validation.catalog, project.provider, stack, &written)
        {
            return Ok(Opened::Refused(refusal));
        }
        price_egress(&deps.validation.catalog, project.provider, &mut plan, &written);
    }

    let verdict = deps.validation.verdict(&project, member.user_id, member.is_guild_admin, &plan, &[]).await?;
    let reservation = reservation(&deps.validation.catalog, &project, &plan, &verdict);
    let lobby = Lobby {
        id: Uuid::new_v4(),
        project_id: project.id.clone(),
        provider: project.provider,
        guild_id: member.guild_id,
        channel_id: member.channel_id,
        message_id: None,
        requester: member.user_id,
        stored: StoredRequest { plan, requester_is_guild_admin: member.is_guild_admin },
        verdict,
        reservation,
        expires_at: store::now() + deps.lifetime,
    };

    // The reservation, the session row and the audit entry are one transaction.
    let session = lobby.new_session()?;
    let audit = opening_audit(&lobby, session.verdict.clone());
    let writes = vec![Write::OpenSession(session), Write::Audit(audit)];
    let reserved = deps.quota.apply(&lobby.project_id, QuotaOp::Reserve, lobby.reservation.clone(), writes).await;
    match reserved {
        Ok(()) => {}
        // The database allows one pending lobby per existing resource.
        Err(ActorError::Store(StoreError::Conflict(Conflict::Duplicate {
            entity: "pending lobby for resource",
            ..
        }))) => {
            return Ok(Opened::Refused(format!(
                "another lobby for {} is open; approve or cancel it, or let it expire, first",
                lobby.plan().name()
            )));
        }
        Err(e) => return Err(e),
    }
    crate::crash::point("after_reserve");
    if let Err(e) = lobbies.spawn(lobby.clone()).await {
        // Without its actor the lobby could neither expire nor be pressed: give the quota back now.
        undo(deps, &lobby).await;
        return Err(e);
    }
    tracing::info!(session_id = %lobby.id, kind = lobby.plan().kind().as_str(), outcome = ?lobby.verdict.outcome, "lobby opened");
    let denied_by = (lobby.verdict.outcome == Outcome::Denied)
        .then(|| lobby.verdict.violations.iter().find(|v| v.effect == Effect::Deny).map(|v| v.rule.as_str()))
        .map(|rule| rule.unwrap_or("unknown"));
    metrics::lobby_opened(lobby.plan().kind().as_str(), denied_by);
    Ok(Opened::Lobby(Box::new(lobby.snapshot(SessionStatus::Pending))))
}

/// What is asked, as a plan; `Ok(Err(_))` is a refusal to show the member.
async fn resolve(
    deps: &LobbyDeps,
    project: &cloud_projects::Model,
    ask: LobbyAsk,
) -> Result<Result<Plan, String>, ActorError> {
    Ok(match ask {
        LobbyAsk::Deploy(ask) => Ok(Plan::Deploy(deploy_request(project, ask))),
        LobbyAsk::Stack(ask) => stack(deps, project, ask).map(Plan::Stack),
        LobbyAsk::Destroy(ask) => target(deps, project, &ask, true).await?.map(Plan::Destroy),
        LobbyAsk::Resize { target: ask, size, node_count } => match target(deps, project, &ask, false).await? {
            Err(refusal) => Err(refusal),
            Ok(target) => {
                resizable(&target, &size, node_count).map(|()| Plan::Resize(Resize { target, size, node_count }))
            }
        },
    })
}

/// A stack's template expanded for the project: its resources named, sized and wired.
fn stack(deps: &LobbyDeps, project: &cloud_projects::Model, ask: StackAsk) -> Result<Stack, String> {
    let Some(template) = deps.stacks.get(&ask.template) else {
        let known: Vec<&str> = deps.stacks.ids().collect();
        return Err(format!("no stack template `{}` (templates: {})", shown(&ask.template), known.join(", ")));
    };
    let choices =
        StackChoices { region: ask.region.unwrap_or_else(|| project.default_region.clone()), sizes: ask.sizes };
    template.expand(&ask.template, project.provider, &ask.name, &choices)
}

/// A stack's wiring (its network, load balancer targets, database clients) rendered beside the
/// project's resources, in memory, as approval will write it (`terraform::check_plan`; a whole
/// render, so only stacks, whose links a name check alone cannot judge, pay for it).
fn stack_renders(
    catalog: &crate::domain::Catalog,
    provider: crate::domain::Provider,
    stack: &Stack,
    written: &[cloud_resources::Model],
) -> Result<(), String> {
    use crate::store::spec::{resource_config, resource_spec};
    let existing = written
        .iter()
        .map(|r| resource_spec(provider, r.resource_type, &r.name, &r.region, &r.config, catalog))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let new = stack
        .items
        .iter()
        .map(|item| resource_spec(provider, item.kind, &item.name, &item.region, &resource_config(item), catalog))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    crate::terraform::check_plan(provider, &existing, &new).map_err(|e| format!("the stack cannot be written: {e}"))
}

/// The generator writes one NAT gateway per network (GCP: per subnetwork) that hosts VMs or cluster
/// nodes (AWS, GCP; Azure machines get none): the first machine a request places on a network
/// brings it, and carries its price (`egress_hourly`), decided here, when the lobby opens.
fn price_egress(
    catalog: &crate::domain::Catalog,
    provider: crate::domain::Provider,
    plan: &mut Plan,
    written: &[cloud_resources::Model],
) {
    if provider == crate::domain::Provider::Azure {
        return;
    }
    let machine = |k: ResourceKind| matches!(k, ResourceKind::Vm | ResourceKind::K8s);
    let network = |config: &serde_json::Value| config.get("network").and_then(|v| v.as_str()).map(str::to_owned);
    let mut placed: std::collections::BTreeSet<(String, Option<String>)> =
        written.iter().filter(|r| machine(r.resource_type)).map(|r| (r.region.clone(), network(&r.config))).collect();
    let items: Vec<&mut DeployRequest> = match plan {
        Plan::Deploy(request) => vec![request],
        Plan::Stack(stack) => stack.items.iter_mut().collect(),
        Plan::Destroy(_) | Plan::Resize(_) => return,
    };
    for item in items.into_iter().filter(|i| machine(i.kind)) {
        if placed.insert((item.region.clone(), item.links.get("network").cloned())) {
            item.egress_hourly = catalog.nat_gateway_hourly(provider, &item.region).unwrap_or(Money::ZERO);
        }
    }
}

/// Every new resource of a deploy or stack as the generator will write it: a name valid for the
/// provider, options it can write, an address no other resource of the project (nor of the plan)
/// has, and a name not already deployed.
fn renderable(plan: &Plan, project_id: &str, written: &[cloud_resources::Model]) -> Result<(), String> {
    let new: Vec<(&DeployRequest, String)> = match plan {
        Plan::Deploy(request) => resource_names(request).into_iter().map(|n| (request, n)).collect(),
        Plan::Stack(stack) => stack.items.iter().map(|i| (i, i.name.clone())).collect(),
        Plan::Destroy(_) | Plan::Resize(_) => return Ok(()),
    };
    let mut taken: Vec<Taken> = Vec::new();
    for existing in written {
        let address = address_of(existing.provider, existing.resource_type, &existing.name)
            .unwrap_or_else(|_| format!("{}.{}", existing.resource_type.as_str(), existing.name));
        taken.push(Taken::new(
            existing.provider,
            address,
            format!("the {} {}", existing.resource_type.display_name(), existing.name),
        ));
    }
    for (request, name) in new {
        let kind = request.kind;
        if written.iter().any(|r| r.resource_type == kind && r.name == name) {
            return Err(format!(
                "a {} named {} already exists in this project; pick another name",
                kind.display_name(),
                shown(&name)
            ));
        }
        let address = address_of(request.provider, kind, &name).map_err(|e| e.to_string())?;
        // The name it is written with (a suffix where the cloud's namespace is shared) must fit too.
        crate::domain::names::physical_name(request.provider, kind, &name, project_id).map_err(|e| e.to_string())?;
        check_options(request.provider, kind, &request.options)?;
        let this = Taken::new(request.provider, address, format!("the {} {}", kind.display_name(), shown(&name)));
        if let Some(other) = taken.iter().find(|t| t.key == this.key) {
            // Equal keys with unequal addresses differ only in case: Azure's names.
            if other.address != this.address {
                return Err(format!(
                    "{} differs from {} only in case, and Azure treats the two as one name; pick another name",
                    shown(&name),
                    other.what
                ));
            }
            return Err(format!(
                "{} would be written as `{}`, which {} already is; pick a name that differs in more than punctuation",
                shown(&name),
                this.address,
                other.what
            ));
        }
        taken.push(this);
    }
    Ok(())
}

/// An address a resource of the project (or of the plan) holds, and what holds it.
struct Taken {
    /// What addresses are compared by: the address, on Azure without regard to case (`Web-01`
    /// and `web-01` are one VM to Azure; GCP and AWS names are lower case).
    key: String,
    address: String,
    what: String,
}

impl Taken {
    fn new(provider: Provider, address: String, what: String) -> Self {
        let key = if provider == Provider::Azure { address.to_ascii_lowercase() } else { address.clone() };
        Self { key, address, what }
    }
}

fn deploy_request(project: &cloud_projects::Model, ask: DeployAsk) -> DeployRequest {
    DeployRequest {
        provider: project.provider,
        kind: ask.kind,
        name: ask.name,
        region: ask.region.unwrap_or_else(|| project.default_region.clone()),
        size: ask.size,
        node_count: ask.node_count,
        count: ask.count,
        options: ask.options,
        links: Default::default(),
        egress_hourly: Money::ZERO,
    }
}

/// What a resize may change: a VM's machine type, a database's tier, a cluster's node type or count.
fn resizable(target: &Target, size: &Option<String>, node_count: Option<u32>) -> Result<(), String> {
    match target.kind {
        ResourceKind::Vm | ResourceKind::Database if node_count.is_some() => Err(format!(
            "node_count applies to Kubernetes clusters; {} is a {}",
            target.name,
            target.kind.display_name()
        )),
        ResourceKind::Vm | ResourceKind::Database | ResourceKind::K8s if size.is_some() || node_count.is_some() => {
            // Nothing to change opens no card: a lobby would show a price change that is not one.
            let same_size = size.as_deref().is_none_or(|s| target.size.as_deref() == Some(s));
            let same_nodes = node_count.is_none_or(|n| target.node_count == Some(n));
            if same_size && same_nodes {
                let nodes = target.node_count.map(|n| format!(" with {n} nodes")).unwrap_or_default();
                let size = target.size.as_deref().unwrap_or("its size");
                return Err(format!("{} already runs {size}{nodes}; nothing to change", target.name));
            }
            Ok(())
        }
        ResourceKind::Vm | ResourceKind::Database | ResourceKind::K8s => {
            Err("a resize needs the new machine_type (a database's tier, a cluster's node type) or node_count".into())
        }
        kind => Err(format!("a {} has no size to change", kind.display_name())),
    }
}

/// The existing resource `ask` names, as the lobby will hold it; a refusal when there is none, the
/// name is ambiguous, it is being decommissioned (a resize), or (a destroy) others depend on it.
async fn target(
    deps: &LobbyDeps,
    project: &cloud_projects::Model,
    ask: &TargetAsk,
    destroying: bool,
) -> Result<Result<Target, String>, ActorError> {
    let written = deps.validation.records.written_resources(&project.id, None).await?;
    let named: Vec<&cloud_resources::Model> =
        written.iter().filter(|r| r.name == ask.name && ask.kind.is_none_or(|k| r.resource_type == k)).collect();
    let found = match named.as_slice() {
        [] => {
            let what = ask.kind.map(|k| format!("no {}", k.display_name())).unwrap_or_else(|| "nothing".to_owned());
            return Ok(Err(format!("{what} named `{}` in {} (see /cloud-list)", shown(&ask.name), project.id)));
        }
        [one] => *one,
        several => {
            let kinds: Vec<&str> = several.iter().map(|r| r.resource_type.as_str()).collect();
            return Ok(Err(format!(
                "`{}` names a {} in {}; give resource_type",
                shown(&ask.name),
                kinds.join(" and a "),
                project.id
            )));
        }
    };
    let decommissioning = found.decommissioned_at.is_some();
    if decommissioning && !destroying {
        return Ok(Err(format!("{} is being decommissioned; it can only be destroyed", found.name)));
    }
    if destroying && !decommissioning {
        let dependents = dependents(&written, found);
        if !dependents.is_empty() {
            return Ok(Err(format!(
                "{} cannot be destroyed while others depend on it: {}",
                found.name,
                dependents.join(", ")
            )));
        }
    }
    let size = store::spec::stored_size(&found.config).map(str::to_owned);
    let node_count = store::spec::stored_node_count(&found.config);
    let mut target = Target {
        id: found.id,
        kind: found.resource_type,
        name: found.name.clone(),
        region: found.region.clone(),
        size,
        node_count,
        hourly: Money::from_micros(found.hourly_cost_micros),
        consumption: Vec::new(),
        created_by: found.created_by,
        config: found.config.clone(),
        protected: Target::is_protected(project.provider, found.resource_type),
        decommissioning,
    };
    target.consumption = consumption_of(&deps.validation.catalog, project.provider, &target);
    if project.monthly_budget_micros.is_none() {
        target.consumption.retain(|(t, _)| *t != crate::domain::QuotaType::BudgetMonthly);
    }
    Ok(Ok(target))
}

/// The resources that would break without `target`: what joins a network, the load balancers a VM
/// serves behind.
fn dependents(all: &[cloud_resources::Model], target: &cloud_resources::Model) -> Vec<String> {
    let refers = |r: &cloud_resources::Model, key: &str| {
        r.config
            .get(key)
            .and_then(|v| v.as_str())
            .is_some_and(|names| names.split(',').any(|n| n.trim() == target.name))
    };
    let mut names: Vec<String> = all
        .iter()
        .filter(|r| r.id != target.id)
        .filter(|r| match target.resource_type {
            ResourceKind::Network => refers(r, "network") && r.region == target.region,
            ResourceKind::Vm => refers(r, "targets") || refers(r, "clients"),
            _ => false,
        })
        .map(|r| format!("{} {}", r.resource_type.display_name(), r.name))
        .collect();
    names.sort();
    names
}

fn shown(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Closes a lobby whose actor could not start: release, mark failed, audit — one transaction.
async fn undo(deps: &LobbyDeps, lobby: &Lobby) {
    let id = lobby.id;
    let failed = SessionStatus::Failed.as_str();
    let audit = lobby.audit(lobby.requester, failed, failed, Some("the lobby could not be started".into()));
    let writes = vec![Write::EndSession { id, status: SessionStatus::Failed, by: None }, Write::Audit(audit)];
    let undone = deps.quota.apply(&lobby.project_id, QuotaOp::Release, lobby.reservation.clone(), writes).await;
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
