//! Replies as terminal text, or as one JSON object per line (`--json`). The wording comes from
//! `commands::text`, shared with Discord. Text never carries a control character a member typed:
//! each is shown escaped, so input cannot rewrite the terminal.

use std::fmt::Write;

use crate::commands::{LobbyView, Reply, text};
use crate::domain::LobbyKind;
use crate::domain::validate::Outcome;
use crate::terraform::preview::FileChange;

/// One reply as printed: JSON with a `kind` field, or readable text.
pub fn render(reply: &Reply, json: bool) -> String {
    if json {
        return serde_json::to_string(reply)
            .unwrap_or_else(|_| r#"{"kind":"error","message":"unprintable reply"}"#.into());
    }
    visible_lines(&plain(reply))
}

/// Every line of `text` with its control characters escaped (the line breaks stay).
pub fn visible_lines(text: &str) -> String {
    text.split('\n').map(text::visible).collect::<Vec<_>>().join("\n")
}

fn plain(reply: &Reply) -> String {
    let mut out = String::new();
    match reply {
        Reply::ProjectCreated { project } => {
            let _ = write!(
                out,
                "created project {} \"{}\" ({}, {})",
                project.id, project.name, project.provider, project.default_region
            );
        }
        Reply::Lobby(lobby) => lobby_text(&mut out, lobby),
        Reply::Deployed(d)
        | Reply::StackDeployed(d)
        | Reply::Resized(d)
        | Reply::Decommissioned(d)
        | Reply::Destroyed(d) => {
            out.push_str(&text::approved(reply).unwrap_or_default());
            if let Some(dir) = &d.terraform_dir {
                let _ = write!(out, "\n  terraform: {dir}/ ({})", d.files.join(", "));
            }
            if let Some(w) = &d.warning {
                let _ = write!(out, "\n  warning: {w}");
            }
        }
        Reply::LobbyClosed { session_id, status, reason, by, .. } => {
            out.push_str(&text::closed(*session_id, *status, *by, reason));
        }
        Reply::Resources { project_id, resources } => {
            let _ = write!(out, "{} resource(s) in {project_id}, {}", resources.len(), text::total_cost(resources));
            for r in resources {
                let size = r.size.as_deref().unwrap_or("-");
                let _ = write!(
                    out,
                    "\n  {:<14} {:<24} {:<16} {:<16} {}/h",
                    r.resource_type,
                    r.name,
                    r.region,
                    size,
                    r.hourly.rate()
                );
            }
        }
        Reply::Quota { project_id, lines } => {
            let _ = write!(out, "quota of {project_id}");
            for q in lines {
                let n = |v: i64| text::quota_amount(&q.quota_type, v);
                let _ = write!(
                    out,
                    "\n  {:<24} {:<6} {:>4} used + {:>3} reserved / {:>4} ({} available)",
                    q.quota_type,
                    q.region,
                    n(q.used),
                    n(q.reserved),
                    n(q.limit),
                    n(q.available)
                );
            }
        }
        Reply::Projects { projects } => {
            let _ = write!(out, "{} project(s)", projects.len());
            // Columns as wide as their widest cell: `azure-` ids are two longer than `gcp-` ones.
            let width = |cell: fn(&crate::commands::ProjectView) -> &str| {
                projects.iter().map(|p| cell(p).chars().count()).max().unwrap_or(0)
            };
            let (id_w, name_w) = (width(|p| &p.id), width(|p| &p.name));
            for p in projects {
                let _ = write!(out, "\n  {:<id_w$}  {:<name_w$}  {:<6} {}", p.id, p.name, p.provider, p.default_region);
            }
        }
        Reply::Granted { user_id, provider, role, summary } => {
            out.push_str(&text::granted(*user_id, role, provider, summary));
        }
        Reply::Revoked { user_id, provider, existed } => out.push_str(&text::revoked(*user_id, provider, *existed)),
        Reply::PolicyAdded { policy } => {
            let _ = write!(
                out,
                "added policy #{} {} ({}, {}, priority {}): {}",
                policy.id,
                policy.name,
                policy.policy_type,
                policy.resource_pattern,
                policy.priority,
                text::policy_values(policy)
            );
        }
        Reply::Policies { policies } => {
            let _ = write!(out, "{} active policy(ies)", policies.len());
            for p in policies {
                let _ = write!(
                    out,
                    "\n  #{:<4} p{:<5} {:<9} {:<24} {}: {}",
                    p.id,
                    p.priority,
                    p.policy_type,
                    p.resource_pattern,
                    p.name,
                    text::policy_values(p)
                );
            }
        }
        Reply::PolicyRemoved { policy_id } => {
            let _ = write!(out, "removed policy #{policy_id}");
        }
        Reply::History { project_id, entries } => {
            let _ = write!(out, "{} event(s) in {project_id}, newest first", entries.len());
            for h in entries {
                let decided = h.decided_by.map(|d| format!(", decided by {d}")).unwrap_or_default();
                let _ = write!(
                    out,
                    "\n  {}  {} (requested by {}{decided}; {})",
                    h.at,
                    text::history_what(h),
                    h.requested_by,
                    text::history_detail(h)
                );
            }
        }
        Reply::WhoAmI(w) => {
            let admin = if w.is_guild_admin { " (guild administrator)" } else { "" };
            let _ = write!(out, "member {}{admin}", w.user_id);
            for r in &w.roles {
                let _ = write!(out, "\n  {:<6} {}", r.provider, text::role_line(r));
            }
            for b in &w.projects {
                let _ = write!(out, "\n  budget {} {}: {}", b.project_id, b.name, text::budget_line(b));
            }
        }
        Reply::QuotaSet { project_id, quota: q } => {
            let _ = write!(
                out,
                "{} of {project_id} is now {} ({} used + {} reserved)",
                q.quota_type,
                text::quota_amount(&q.quota_type, q.limit),
                text::quota_amount(&q.quota_type, q.used),
                text::quota_amount(&q.quota_type, q.reserved)
            );
        }
        Reply::Preview(p) => {
            let _ = write!(
                out,
                "terraform preview of lobby {} ({}/): nothing is written until approval",
                p.session_id, p.dir
            );
            for f in &p.files {
                match f.change {
                    FileChange::Unchanged => {
                        let _ = write!(out, "\n  {} unchanged", f.name);
                    }
                    _ => {
                        let _ = write!(out, "\n{}", f.diff.trim_end());
                    }
                }
            }
        }
        Reply::Refused { message } => {
            let _ = write!(out, "refused: {message}");
        }
        Reply::Error { message } => {
            let _ = write!(out, "error: {message}");
        }
    }
    out
}

fn lobby_text(out: &mut String, l: &LobbyView) {
    let v = &l.verdict;
    let kind = match l.lobby {
        LobbyKind::Deploy => "",
        LobbyKind::Destroy => "decommission ",
        LobbyKind::Resize => "resize ",
        LobbyKind::Stack => "stack ",
    };
    let _ = write!(
        out,
        "{kind}lobby {} in {}: {}, requested by {}",
        l.session_id,
        l.project_id,
        text::lobby_request(l),
        l.requested_by
    );
    let _ = write!(out, "\n  verdict: {}", v.summary());
    for violation in &v.violations {
        let effect = text::effect(violation.effect);
        let policy = violation.policy_name.as_deref().map(|n| format!(" [{n}]")).unwrap_or_default();
        let _ = write!(out, "\n  - {}{policy}: {} ({effect})", violation.rule, violation.message);
    }
    for q in &v.quota {
        let _ = write!(out, "\n  quota {} ({}): {}", q.quota_type, q.region, text::lobby_quota(q));
    }
    for item in text::lobby_items(l) {
        let _ = write!(out, "\n  resource {item}");
    }
    if let Some(written) = text::lobby_written_as(l) {
        let _ = write!(out, "\n  written as: {written}");
    }
    for exposure in text::lobby_exposure(l) {
        let _ = write!(out, "\n  exposure {exposure}");
    }
    for w in v.warnings.iter().cloned().chain(text::lobby_exposure_warnings(l)) {
        let _ = write!(out, "\n  warning: {w}");
    }
    let _ = write!(out, "\n  cost: {}", text::lobby_cost(l));
    if let Some(s) = &l.suggestion {
        let _ = write!(out, "\n  nearest allowed: {} -> {}", text::suggestion(s), text::suggestion_command(l, s));
    }
    let expires = chrono::DateTime::from_timestamp(l.expires_at, 0).map(|t| t.to_rfc3339()).unwrap_or_default();
    let _ = write!(out, "\n  expires: {expires}");
    let actions = match (l.can_approve, v.outcome) {
        (true, Outcome::NeedsApproval) => {
            format!("approve {0} (a CloudAdmin other than the requester) | cancel {0}", l.session_id)
        }
        (true, _) => format!("approve {0} | cancel {0}", l.session_id),
        (false, _) => format!("cancel {}", l.session_id),
    };
    let _ = write!(out, "\n  actions: {actions}");
}
