//! Lobby outcomes as replies: the lobby answers in domain terms, every front end renders these.

use super::{DeployedView, LobbyView, Reply};
use crate::actors::lobby::{Approved, Closure, LobbyEvent, LobbySnapshot, Opened, PressOutcome};
use crate::domain::Money;
use crate::domain::plan::{Plan, Resize};

/// The reply to opening a lobby.
pub fn opened(opened: Opened) -> Reply {
    match opened {
        Opened::Lobby(snapshot) => Reply::Lobby(lobby(&snapshot)),
        Opened::Refused(reason) => Reply::error(reason),
    }
}

/// The reply to a button press.
pub fn pressed(outcome: PressOutcome) -> Reply {
    match outcome {
        PressOutcome::Deployed(d) => {
            let (terraform_dir, files, warning) = match d.terraform {
                Ok(written) => (Some(written.dir), written.files, None),
                Err(why) => (None, Vec::new(), Some(why)),
            };
            let mut view = DeployedView {
                session_id: d.session_id,
                project_id: d.project_id,
                approved_by: d.approved_by,
                resources: d.resources,
                hourly: d.hourly,
                monthly: d.monthly,
                terraform_dir,
                files,
                warning,
                hourly_before: None,
                monthly_before: None,
                from: None,
                to: None,
                stack: None,
            };
            let before = |view: &mut DeployedView, hourly: Money| {
                view.hourly_before = Some(hourly);
                view.monthly_before = Some(hourly.monthly_from_hourly());
            };
            match d.change {
                Approved::Deployed => Reply::Deployed(view),
                Approved::Stack { name, template } => {
                    view.stack = Some((name, template));
                    Reply::StackDeployed(view)
                }
                Approved::Resized { from, to, hourly_before } => {
                    before(&mut view, hourly_before);
                    (view.from, view.to) = (Some(from), Some(to));
                    Reply::Resized(view)
                }
                Approved::Decommissioned { hourly_before } => {
                    before(&mut view, hourly_before);
                    Reply::Decommissioned(view)
                }
                Approved::Destroyed { hourly_before } => {
                    before(&mut view, hourly_before);
                    Reply::Destroyed(view)
                }
            }
        }
        PressOutcome::Closed(closure) => closed(closure),
        PressOutcome::Refused(message) => Reply::refused(message),
        PressOutcome::AlreadyEnded { status, by } => {
            let by = by.map(|id| format!(" by member {id}")).unwrap_or_default();
            Reply::refused(format!("this lobby was already {status}{by}; nothing changed"))
        }
        PressOutcome::Restarting => Reply::error("this lobby is being restarted; press the button again in a moment"),
    }
}

/// The reply a front end shows for a lobby change no member asked for.
pub fn event(event: LobbyEvent) -> Reply {
    match event {
        LobbyEvent::Expired(closure) => closed(closure),
    }
}

fn closed(c: Closure) -> Reply {
    Reply::LobbyClosed {
        session_id: c.session_id,
        project_id: c.project_id,
        status: c.status,
        by: c.by,
        reason: c.reason,
    }
}

/// A lobby as its message shows it.
pub fn lobby(s: &LobbySnapshot) -> LobbyView {
    let (region, count) = match &s.plan {
        Plan::Deploy(r) => (r.region.clone(), r.count),
        Plan::Stack(stack) => {
            (stack.items.first().map(|i| i.region.clone()).unwrap_or_default(), stack.items.len() as u32)
        }
        Plan::Destroy(t) | Plan::Resize(Resize { target: t, .. }) => (t.region.clone(), 1),
    };
    LobbyView {
        session_id: s.session_id,
        lobby: s.plan.kind(),
        project_id: s.project_id.clone(),
        provider: s.provider.to_string(),
        resource_type: s.plan.resource_kind().to_string(),
        resource_name: s.plan.name().to_owned(),
        region,
        count,
        requested_by: s.requested_by,
        verdict: s.verdict.clone(),
        expires_at: s.expires_at.timestamp(),
        status: s.status,
        can_approve: s.can_approve(),
        size_before: match &s.plan {
            Plan::Resize(r) => r.target.size.clone(),
            _ => None,
        },
        nodes_before: match &s.plan {
            Plan::Resize(r) => r.target.node_count,
            _ => None,
        },
        nodes_after: match &s.plan {
            Plan::Resize(r) => r.node_count.or(r.target.node_count),
            _ => None,
        },
        template: match &s.plan {
            Plan::Stack(stack) => Some(stack.template.clone()),
            _ => None,
        },
        suggestion: None,
        written_as: written_as(s),
        exposure: exposure(s),
    }
}

/// Who can reach each resource the lobby creates, as its Terraform is written.
fn exposure(s: &LobbySnapshot) -> Vec<super::ExposureView> {
    use crate::terraform::exposure::exposure_of;
    new_resources(s)
        .into_iter()
        .filter_map(|(resource, r)| {
            let exposure = exposure_of(s.provider, r.kind, &r.options)?;
            Some(super::ExposureView { resource, exposure })
        })
        .collect()
}

/// The resources a lobby creates, by name, with the request each is made from.
fn new_resources(s: &LobbySnapshot) -> Vec<(String, &crate::domain::validate::DeployRequest)> {
    match &s.plan {
        Plan::Deploy(r) => crate::actors::lobby::resource_names(r).into_iter().map(|n| (n, r)).collect(),
        Plan::Stack(stack) => stack.items.iter().map(|i| (i.name.clone(), i)).collect(),
        Plan::Destroy(_) | Plan::Resize(_) => Vec::new(),
    }
}

/// The new resources whose written name differs from the member's (a global namespace's suffix).
fn written_as(s: &LobbySnapshot) -> Vec<(String, String)> {
    new_resources(s)
        .into_iter()
        .filter_map(|(name, r)| {
            let physical = crate::domain::names::physical_name(s.provider, r.kind, &name, &s.project_id).ok()?;
            (physical != name).then_some((name, physical))
        })
        .collect()
}
